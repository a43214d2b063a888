// Log relay benchmarks, run by bench/log_relay.sh (which starts the demo and the dashboard as
// two release processes). Everything is measured against the demo stream read directly in the
// same script, so figures are ratios on this machine.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

// Playwright is installed for the end-to-end tests; use that copy.
const { chromium } = createRequire(new URL("../end2end/package.json", import.meta.url))("@playwright/test");

// Arguments: demo URL, demo pid, owner, app, then `label=url=pid=cookie` per dashboard build
// (with two, the first is the baseline and the figures end with after/before ratios).
const [demo, demoPid, owner, app, ...specs] = process.argv.slice(2);
const builds = specs.map((s) => { const [label, url, pid, ...c] = s.split("="); return { label, url, pid, cookie: c.join("=") }; });
const direct = (q) => [`${demo}/v4/logs/organisations/${owner}/applications/${app}/logs${q}`, { authorization: "Bearer demo" }];
const relayedBy = (b) => (q) => [`${b.url}/stream/orgs/${owner}/apps/${app}/logs${q}`, { cookie: b.cookie }];
// The build the single-build sections (latency, viewer) look at: the last one (this tree).
const { url: dash, pid: dashPid } = builds.at(-1);
const relayed = relayedBy(builds.at(-1));
const summary = [];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

/** Reads an SSE response, calling onEvent(name, id) per event; resolves at END_OF_STREAM or close. */
async function read([url, headers], onEvent, signal) {
  const resp = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal });
  if (!resp.ok) throw new Error(`${url}: ${resp.status}`);
  const decoder = new TextDecoder();
  let buf = "", name = "message", id = "", bytes = 0;
  for await (const chunk of resp.body) {
    bytes += chunk.length;
    buf += decoder.decode(chunk, { stream: true });
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).replace(/\r$/, "");
      buf = buf.slice(nl + 1);
      if (line === "") {
        if (onEvent(name, id) === false || name === "END_OF_STREAM") return bytes;
        name = "message"; id = "";
      } else if (line.startsWith("event:")) name = line.slice(6).trim();
      else if (line.startsWith("id:")) id = line.slice(3).trim();
    }
  }
  return bytes;
}

async function throughput(endpoint, lines) {
  const since = new Date(Date.now() - 7 * 86400e3).toISOString();
  const q = `?since=${since}&service=all&limit=${lines}&throttleElements=10000&throttlePerInMilliseconds=1`;
  let n = 0;
  const t0 = performance.now();
  const bytes = await read(endpoint(q), (name) => { if (name === "APPLICATION_LOG") n++; });
  const s = (performance.now() - t0) / 1000;
  return { rate: n / s, mib: bytes / s / 2 ** 20, n };
}

// SECTIONS=throughput,latency,memory,viewer picks parts (all by default).
const want = (name) => (process.env.SECTIONS ?? "throughput,latency,memory,viewer").split(",").includes(name);
const rss = (pid = dashPid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);

// 1. Throughput, and the dashboard's CPU per 100,000 relayed lines, for each build.
if (want("throughput")) {
const LINES = 100_000;
// CPU seconds used by a process so far (utime + stime), to see where the two cores go.
const cpu = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
};
const perBuild = [];
for (const b of builds) {
const relayedB = relayedBy(b);
await throughput(direct, 2000); await throughput(relayedB, 2000);
const d = [], r = [];
const use = { direct: { demo: 0, dash: 0, wall: 0 }, relay: { demo: 0, dash: 0, wall: 0 } };
const measure = async (kind, endpoint) => {
  const c0 = [cpu(demoPid), cpu(b.pid)], t0 = performance.now();
  const res = await throughput(endpoint, LINES);
  use[kind].demo += cpu(demoPid) - c0[0];
  use[kind].dash += cpu(b.pid) - c0[1];
  use[kind].wall += (performance.now() - t0) / 1000;
  return res;
};
const RUNS = Number(process.env.RUNS ?? 3);
for (let i = 0; i < RUNS; i++) { d.push(await measure("direct", direct)); r.push(await measure("relay", relayedB)); }
const dr = median(d.map((x) => x.rate)), rr = median(r.map((x) => x.rate));
console.log(`[${b.label}] throughput, ${LINES} lines, ${RUNS} runs each (median):`);
console.log(`  direct from demo        ${Math.round(dr)} lines/s (${median(d.map((x) => x.mib)).toFixed(1)} MiB/s)`);
console.log(`  through the relay       ${Math.round(rr)} lines/s (${median(r.map((x) => x.mib)).toFixed(1)} MiB/s)`);
console.log(`  ratio relay/direct      ${(rr / dr).toFixed(2)} (goal >= 0.9)`);
for (const [kind, u] of Object.entries(use)) {
  console.log(`  CPU while ${kind.padEnd(6)}      demo ${(100 * u.demo / u.wall).toFixed(0)}%, dashboard ${(100 * u.dash / u.wall).toFixed(0)}% of one core (this script and the kernel take the rest of the 2)`);
}
const per100k = use.relay.dash / RUNS;
console.log(`  dashboard CPU per 100,000 relayed lines: ${per100k.toFixed(3)} s (goal <= 0.15)`);
perBuild.push({ ratio: rr / dr, per100k });
}
if (perBuild.length === 2) {
  summary.push(`dashboard CPU per 100,000 relayed lines: ${perBuild[0].per100k.toFixed(3)} s -> ${perBuild[1].per100k.toFixed(3)} s (after/before ${(perBuild[1].per100k / perBuild[0].per100k).toFixed(2)}); relay/direct ${perBuild[0].ratio.toFixed(2)} -> ${perBuild[1].ratio.toFixed(2)}`);
}
}

// 2. Added latency: the same live lines read both ways at once; relay arrival - direct arrival.
if (want("latency")) {
const SECONDS = Number(process.env.LATENCY_SECONDS ?? 30);
const seen = new Map(), added = [];
const stop = new AbortController();
const live = "?service=all";
const both = [
  read(direct(live), (name, id) => { if (name === "APPLICATION_LOG") seen.set(id, performance.now()); }, stop.signal),
  read(relayed(live), (name, id) => {
    if (name === "APPLICATION_LOG" && seen.has(id)) added.push(performance.now() - seen.get(id));
  }, stop.signal),
].map((p) => p.catch(() => 0));
await new Promise((ok) => setTimeout(ok, SECONDS * 1000));
stop.abort();
await Promise.all(both);
console.log(`added latency over ${SECONDS} s of live lines (${added.length} lines):`);
console.log(`  p50 ${pct(added, 0.5).toFixed(2)} ms, p99 ${pct(added, 0.99).toFixed(2)} ms, max ${Math.max(...added).toFixed(2)} ms`);
}

// 3. Memory per idle stream (heartbeats only: a filter that matches nothing): first the demo
// upstream serving them itself, for scale, then relayed by each build. RSS is read 6 s after
// the streams opened (while the openings' passing allocations are still held) and 20 s after
// (the allocator has given back what it does not use: the steady cost).
// The demo goes first: measured after the relayed streams closed, it reused the memory of the
// 1,000 upstream connections it had just served, and showed a few KiB per stream instead of
// its real cost.
if (want("memory")) {
const STREAMS = Number(process.env.STREAMS ?? 1000);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
// Opens STREAMS idle streams with `endpoint`, reads `pid`'s RSS growth per stream at 6 s and
// at 20 s, closes them.
const idleCost = async (endpoint, pid) => {
  await sleep(1000);
  const before = rss(pid);
  const idle = new AbortController();
  const opened = [];
  for (let i = 0; i < STREAMS; i++) {
    const [url, headers] = endpoint("?filter=no-line-says-this");
    opened.push(fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: idle.signal }));
  }
  const ok = (await Promise.all(opened)).filter((x) => x.status === 200).length;
  await sleep(6000);
  const at6 = rss(pid);
  await sleep(14000);
  const at20 = rss(pid);
  const threads = /Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1];
  idle.abort();
  await sleep(1500);
  const kib = (x) => (x - before) / Math.max(ok, 1);
  return { ok, before, at6, at20, threads, kib6: kib(at6), kib20: kib(at20) };
};
const mib = (k) => (k / 1024).toFixed(1);
const demoCost = await idleCost(direct, demoPid);
console.log(`[demo upstream] ${demoCost.ok} idle streams served directly (of ${STREAMS}), for scale: RSS ${mib(demoCost.before)} -> ${mib(demoCost.at6)} MiB (6 s) -> ${mib(demoCost.at20)} MiB (20 s): ${demoCost.kib6.toFixed(1)} / ${demoCost.kib20.toFixed(1)} KiB per stream`);
const perStream = [];
for (const b of builds) {
  const c = await idleCost(relayedBy(b), b.pid);
  console.log(`[${b.label}] ${c.ok} idle relayed streams open (of ${STREAMS}); dashboard threads: ${c.threads}`);
  console.log(`  dashboard RSS ${mib(c.before)} -> ${mib(c.at6)} MiB (6 s) -> ${mib(c.at20)} MiB (20 s): ${c.kib6.toFixed(1)} KiB per stream at 6 s, ${c.kib20.toFixed(1)} KiB at 20 s (goal <= 16 KiB; the demo's own: ${demoCost.kib20.toFixed(1)} KiB, ratio ${(c.kib20 / demoCost.kib20).toFixed(2)})`);
  perStream.push(c);
}
if (perStream.length === 2) {
  const [x, y] = perStream;
  summary.push(`dashboard RSS per idle relayed stream at 20 s: ${x.kib20.toFixed(1)} KiB -> ${y.kib20.toFixed(1)} KiB (after/before ${(y.kib20 / x.kib20).toFixed(2)}); at 6 s ${x.kib6.toFixed(1)} -> ${y.kib6.toFixed(1)} KiB; the demo upstream's own ${demoCost.kib20.toFixed(1)} KiB`);
}
}

// 4. In Chromium: time to append 10,000 lines, DOM rows with 100,000 buffered.
if (want("viewer")) {
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
const count = () => page.evaluate(() => Number((document.querySelector(".log-count")?.textContent ?? "0").split(" ")[0]));
// Five loads of the page: the first warms both servers up; the median of all is reported.
const appendTimes = [];
for (let run = 0; run < 5; run++) {
  await page.goto(`${dash}/orgs/${owner}/apps/${app}/logs?range=7d&service=all`);
  await page.waitForSelector('.app[data-hydrated="true"]');
  const t0 = Date.now();
  let t10k = null;
  const last = run === 4;
  while (Date.now() - t0 < 120_000) {
    const n = await count();
    if (t10k === null && n >= 10_000) t10k = Date.now() - t0;
    if (last ? n >= 100_000 : t10k !== null) break;
    await page.waitForTimeout(10);
  }
  appendTimes.push(t10k);
}
const sorted = [...appendTimes].sort((a, b) => a - b);
const t10k = sorted[2];
const rows = await page.locator(".log-line").count();
const n = await count();
const frame = await page.evaluate(async () => {
  const el = document.querySelector(".log-list");
  const times = [];
  let last = performance.now();
  for (let i = 0; i < 60; i++) {
    el.scrollTop = Math.random() * el.scrollHeight;
    await new Promise((r) => requestAnimationFrame(r));
    const now = performance.now(); times.push(now - last); last = now;
  }
  times.sort((a, b) => a - b);
  return { median: times[30], p95: times[57] };
});
console.log(`Chromium viewer (range 7d, service=all):`);
console.log(`  10,000 lines appended in ${t10k} ms after the page was hydrated (median of 5 loads: ${appendTimes.join(", ")} ms)`);
console.log(`  ${n} lines buffered, ${rows} line elements in the page`);
console.log(`  random jumps through the list: frame median ${frame.median.toFixed(1)} ms, p95 ${frame.p95.toFixed(1)} ms`);
await browser.close();
}

if (summary.length) {
  console.log(`\n${builds[0].label} -> ${builds[1].label}:`);
  for (const line of summary) console.log(`  ${line}`);
}
