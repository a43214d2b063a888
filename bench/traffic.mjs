// Issue 26's benchmarks, run by bench/traffic.sh (which starts two demo/dashboard pairs as
// release processes). Every figure is a ratio to a baseline measured in this same run, or a
// byte count.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const { chromium } = createRequire(new URL("../end2end/package.json", import.meta.url))("@playwright/test");
const [demo, dash, cookie, dashPid, slowDemo, slowDash, slowCookie, owner, app] = process.argv.slice(2);
const want = (name) => (process.env.SECTIONS ?? "relay,append,download,metrics").split(",").includes(name);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${dashPid}/status`, "utf8"))[1]);
const iso = (msAgo) => new Date(Date.now() - msAgo).toISOString();

/** Reads a response body to its end, calling onLine per line; resolves with the byte count. */
async function lines([url, headers], onLine) {
  const resp = await fetch(url, { headers });
  if (!resp.ok) throw new Error(`${url}: ${resp.status} ${await resp.text()}`);
  const decoder = new TextDecoder();
  let buf = "", bytes = 0;
  for await (const chunk of resp.body) {
    bytes += chunk.length;
    buf += decoder.decode(chunk, { stream: true });
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      if (onLine(buf.slice(0, nl)) === false) return bytes;
      buf = buf.slice(nl + 1);
    }
  }
  return bytes;
}

const fast = "throttleElements=10000&throttlePerInMilliseconds=1";

// 1. The access relay with the status filter, against direct.
if (want("relay")) {
  const LINES = 100_000;
  const since = iso(7 * 86400e3);
  const direct = () => [`${demo}/v4/accesslogs/organisations/${owner}/applications/${app}/accesslogs?since=${since}&limit=${LINES}&${fast}`, { authorization: "Bearer demo" }];
  const relayed = () => [`${dash}/stream/orgs/${owner}/apps/${app}/access-logs?since=${since}&limit=${LINES}&${fast}&status=5xx&batch=1`, { cookie }];
  const run = async (endpoint) => {
    let events = 0;
    const t0 = performance.now();
    await lines(endpoint(), (l) => { if (l.startsWith("data:")) events++; });
    return { s: (performance.now() - t0) / 1000, events };
  };
  await run(direct); await run(relayed);
  const d = [], r = [];
  for (let i = 0; i < 3; i++) { d.push(await run(direct)); r.push(await run(relayed)); }
  const ds = median(d.map((x) => x.s)), rs = median(r.map((x) => x.s));
  console.log(`access relay, ${LINES} upstream lines, status=5xx, 3 runs each (median):`);
  console.log(`  direct from the demo    ${(LINES / ds).toFixed(0)} lines/s (${ds.toFixed(2)} s)`);
  console.log(`  through the relay       ${(LINES / rs).toFixed(0)} upstream lines/s (${rs.toFixed(2)} s), ${r[0].events} matching lines sent (data lines)`);
  console.log(`  ratio relay/direct      ${(ds / rs).toFixed(2)} (goal >= 0.9)`);
}

// 1b. In Chromium: 10,000 access lines appended to the live view.
if (want("append")) {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${dash}/login`);
  await page.fill("#token", "demo");
  await page.click("button[type=submit]");
  await page.waitForURL(`${dash}/`);
  const count = () => page.evaluate(() => Number((document.querySelector(".access-count")?.textContent ?? "0").split(" ")[0]));
  const times = [];
  for (let run = 0; run < 5; run++) {
    // A custom range without an end follows live from `since`: 12,000 lines are waiting.
    await page.goto(`${dash}/orgs/${owner}/apps/${app}/access-logs?range=custom&since=${encodeURIComponent(iso(50 * 60e3))}`);
    await page.waitForSelector('.app[data-hydrated="true"]');
    const t0 = Date.now();
    while (Date.now() - t0 < 60_000 && (await count()) < 10_000) await page.waitForTimeout(10);
    times.push(Date.now() - t0);
  }
  console.log(`Chromium, live access view: 10,000 lines appended (with the figures kept) in ${median(times)} ms after hydration (median of 5: ${times.join(", ")} ms)`);
  await browser.close();
}

// 2. A 1,000,000-line NDJSON download, against the same range read directly.
if (want("download")) {
  const LINES = 1_000_000;
  // 1,000,000 lines at 4 a second: 250,000 s, within the demo's 8 days of history.
  const since = iso(7 * 86400e3), until = iso(7 * 86400e3 - 250_000e3 - 10e3);
  const q = `since=${since}&until=${until}&service=all&limit=${LINES}`;
  const direct = () => [`${demo}/v4/logs/organisations/${owner}/applications/${app}/logs?${q}&throttleElements=10000&throttlePerInMilliseconds=100`, { authorization: "Bearer demo" }];
  const through = () => [`${dash}/download/orgs/${owner}/apps/${app}/logs.ndjson?${q}`, { cookie }];
  const runs = [];
  for (let i = 0; i < 3; i++) {
    let n = 0;
    let t0 = performance.now();
    await lines(direct(), (l) => { if (l.startsWith("data:")) n++; });
    const ds = (performance.now() - t0) / 1000;
    const directLines = n;
    n = 0;
    const before = rss();
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, rss()); }, 50);
    t0 = performance.now();
    const bytes = await lines(through(), () => { n++; });
    const ts = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    runs.push({ ds, ts, n, directLines, growth: peak - before, bytes });
  }
  const m = runs[1];
  console.log(`NDJSON download of ${LINES} lines, 3 runs (median by ratio):`);
  for (const r of runs) {
    console.log(`  direct ${r.ds.toFixed(2)} s (${r.directLines} lines), download ${r.ts.toFixed(2)} s (${r.n} lines, ${r.bytes} bytes): ratio ${(r.ds / r.ts).toFixed(2)}, RSS growth ${(r.growth / 1024).toFixed(1)} MiB`);
  }
  const ratios = runs.map((r) => r.ds / r.ts);
  console.log(`  ratio download/direct  ${median(ratios).toFixed(2)} (goal >= 0.9); RSS growth max ${(Math.max(...runs.map((r) => r.growth)) / 1024).toFixed(1)} MiB (goal <= 8 MiB)`);
  void m;
}

// 3. The metrics page's server rendering against its raw upstream calls, 50 ms each.
if (want("metrics")) {
  const page = `${slowDash}/orgs/${owner}/apps/${app}/metrics`;
  const get = async (url, headers) => {
    const t0 = performance.now();
    const r = await fetch(url, { headers });
    await r.arrayBuffer();
    if (!r.ok) throw new Error(`${url}: ${r.status}`);
    return performance.now() - t0;
  };
  await get(page, { cookie: slowCookie });
  await fetch(`${slowDemo}/demo/requests`, { method: "DELETE" });
  await get(page, { cookie: slowCookie });
  const calls = (await (await fetch(`${slowDemo}/demo/requests`)).json())
    .filter((c) => c.startsWith("GET "))
    .map((c) => c.slice(4));
  const pages = [], raws = [];
  for (let i = 0; i < 15; i++) {
    pages.push(await get(page, { cookie: slowCookie }));
    const t0 = performance.now();
    await Promise.all(calls.map((c) => get(slowDemo + c, { authorization: "Bearer demo" })));
    raws.push(performance.now() - t0);
  }
  const p = median(pages), r = median(raws);
  console.log(`metrics page at ${process.env.LATENCY ?? 50} ms per upstream answer, 15 runs (median):`);
  console.log(`  its ${calls.length} upstream calls: ${calls.join(", ")}`);
  console.log(`  the calls sent directly, all at once   ${r.toFixed(1)} ms`);
  console.log(`  the page rendered by the server        ${p.toFixed(1)} ms`);
  console.log(`  ratio page/calls                       ${(p / r).toFixed(2)} (goal <= 1.5)`);
}
