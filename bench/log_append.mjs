// Log viewer throughput (issue 14), run by bench/first_load.sh against running dashboards: the
// logs page of an application with a closed one-hour range (the demo sends ~14,000 lines as
// fast as the relay passes them), in Chromium: the time from the first line shown to 10,000
// lines shown, read by the page's own clock at each animation frame, the best of three runs.
// Arguments: `label=url` for each build; with two, the ratio.
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

async function once(base) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel("API token").fill("demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${base}/`);
  const app = await page.$$eval("a[href*='/apps/']", (as) => as.map((a) => a.getAttribute("href")).find((h) => /\/apps\/[^/]+$/.test(h)));
  await page.goto(`${base}${app}/logs?range=1h&service=all`);
  // Poll from the page itself, every frame, so the timings are the page's own.
  const t = await page.evaluate((n) => new Promise((resolve) => {
    let first = 0;
    const tick = () => {
      const c = Number((document.querySelector(".log-count")?.textContent ?? "0").split(" ")[0]);
      if (c > 0 && !first) first = performance.now();
      if (c >= n) return resolve(performance.now() - first);
      requestAnimationFrame(tick);
    };
    tick();
  }), LINES);
  await ctx.close();
  return t;
}

console.log(`log viewer: first line shown to ${LINES} lines shown (best of 3)`);
const best = [];
for (const { label, base } of builds) {
  let b = Infinity;
  for (let i = 0; i < 3; i++) b = Math.min(b, await once(base));
  best.push(b);
  console.log(`${label.padEnd(8)} ${b.toFixed(0).padStart(6)} ms`);
}
if (best.length === 2) console.log(`ratio ${builds[1].label}/${builds[0].label}: ${(best[1] / best[0]).toFixed(2)}`);
await browser.close();
