// Log viewer throughput (issue 14), run by bench/first_load.sh against running dashboards: the
// logs page of an application with a closed one-hour range (the demo sends ~14,000 lines as
// fast as the relay passes them), in Chromium, until 10,000 lines are shown:
// - wall: from the page being interactive (the viewer connects then) to 10,000 lines shown,
//   read by the page's own clock at each animation frame;
// - script: the main thread's JavaScript and WASM time in that load (CPU profile samples,
//   without the browser's own native work and idle time), i.e. what the viewer costs;
// - plain: the same stream read by a bare `EventSource` that only counts (the floor set by the
//   browser, the relay and the upstream), in the same run.
// Best of three runs each. Arguments: `label=url` for each build; with two, the ratios.
import { createRequire } from "node:module";

const { chromium } = createRequire(new URL("../end2end/package.json", import.meta.url))("@playwright/test");
const builds = process.argv.slice(2).map((a) => {
  const i = a.indexOf("=");
  return { label: a.slice(0, i), base: a.slice(i + 1) };
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const LINES = 10_000;

async function signedIn(base) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel("API token").fill("demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${base}/`);
  const app = await page.$$eval("a[href*='/apps/']", (as) => as.map((a) => a.getAttribute("href")).find((h) => /\/apps\/[^/]+$/.test(h)));
  return { ctx, page, app };
}

async function viewer(base) {
  const { ctx, page, app } = await signedIn(base);
  const cdp = await ctx.newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Profiler.start");
  await page.goto(`${base}${app}/logs?range=1h&service=all`);
  const wall = await page.evaluate((n) => new Promise((resolve) => {
    let start = 0;
    const tick = () => {
      if (!start && document.querySelector("[data-hydrated='true']")) start = performance.now();
      const c = Number((document.querySelector(".log-count")?.textContent ?? "0").split(" ")[0]);
      if (start && c >= n) return resolve(performance.now() - start);
      requestAnimationFrame(tick);
    };
    tick();
  }), LINES);
  const { profile } = await cdp.send("Profiler.stop");
  const native = new Set(profile.nodes.filter((n) => ["(program)", "(idle)", "(root)"].includes(n.callFrame.functionName)).map((n) => n.id));
  let script = 0;
  profile.samples.forEach((id, i) => { if (!native.has(id)) script += profile.timeDeltas[i] ?? 0; });
  await ctx.close();
  return { wall, script: script / 1000 };
}

async function plain(base) {
  const { ctx, page, app } = await signedIn(base);
  const until = new Date().toISOString();
  const since = new Date(Date.now() - 3600e3).toISOString();
  const url = `/stream${app}/logs?since=${since}&until=${until}&service=all&limit=100000&throttleElements=10000&throttlePerInMilliseconds=100`;
  const t = await page.evaluate(([url, n]) => new Promise((resolve) => {
    const t0 = performance.now();
    let count = 0;
    const es = new EventSource(url);
    es.addEventListener("APPLICATION_LOG", () => {
      if (++count === n) { es.close(); resolve(performance.now() - t0); }
    });
  }), [url, LINES]);
  await ctx.close();
  return t;
}

console.log(`log viewer, ${LINES} lines of a closed range (best of 3):`);
console.log("build      wall ms  script ms  plain EventSource ms");
const rows = [];
for (const { label, base } of builds) {
  let w = Infinity, s = Infinity, p = Infinity;
  for (let i = 0; i < 3; i++) {
    const v = await viewer(base);
    w = Math.min(w, v.wall);
    s = Math.min(s, v.script);
    p = Math.min(p, await plain(base));
  }
  rows.push({ w, s });
  console.log(`${label.padEnd(9)}${w.toFixed(0).padStart(8)}${s.toFixed(0).padStart(11)}${p.toFixed(0).padStart(14)}`);
}
if (rows.length === 2) {
  console.log(`ratios ${builds[1].label}/${builds[0].label}: wall ${(rows[1].w / rows[0].w).toFixed(2)}, script ${(rows[1].s / rows[0].s).toFixed(2)}`);
}
await browser.close();
