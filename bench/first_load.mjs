// First-load benchmark (issue 14), run by bench/first_load.sh against running dashboards: for
// each page, in Chromium with a cold cache on an emulated 10 Mbit/s, 40 ms RTT link, the bytes
// on the wire by type (HTML, JS, WASM, CSS, other), the time to DOMContentLoaded and the time
// until the page is interactive (hydrated: its `data-hydrated` marker turns "true").
// Arguments: `label=url` for each build; with two, the second is compared with the first
// (ratios: times are only compared within one run, on this machine).
import { createRequire } from "node:module";

const { chromium } = createRequire(new URL("../end2end/package.json", import.meta.url))("@playwright/test");
const builds = process.argv.slice(2).map((a) => {
  const i = a.indexOf("=");
  return i > 0 ? { label: a.slice(0, i), base: a.slice(i + 1) } : { label: "build", base: a };
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function measure(base) {
  const rows = [];
  // Sign in once; every page is then loaded in a fresh context (cold cache) with that cookie.
  const signIn = await browser.newContext();
  const p0 = await signIn.newPage();
  await p0.goto(`${base}/login`);
  await p0.getByLabel("API token").fill("demo");
  await p0.getByRole("button", { name: "Sign in" }).click();
  await p0.waitForURL(`${base}/`);
  const cookies = await signIn.cookies();
  const links = await p0.$$eval("a[href^='/orgs/']", (as) => as.map((a) => a.getAttribute("href")));
  const pick = (re) => links.find((l) => re.test(l));
  const app = pick(/\/apps\/[^/]+$/);
  const invoices = pick(/\/invoices$/);
  await p0.goto(`${base}${invoices}`);
  const invoice = await p0.$$eval("a[href*='/invoices/']", (as) => as.map((a) => a.getAttribute("href")).find((h) => !h.includes("download")));
  await signIn.close();

  const pages = [
    ["home", "/"],
    ["invoices", invoices],
    ["invoice", invoice],
    ["app overview", app],
    ["deployments", `${app}/deployments`],
    ["instances", `${app}/instances`],
    ["drains", pick(/\/drains$/)],
    ["operator", pick(/\/operators\//)],
    ["pulsar", pick(/\/pulsar\//)],
    ["zones", "/zones"],
    ["logs", `${app}/logs`],
  ];

  const kind = (mime, url) => {
    if (url.endsWith(".wasm") || mime.includes("wasm")) return "wasm";
    if (mime.includes("javascript")) return "js";
    if (mime.includes("css")) return "css";
    if (mime.includes("html")) return "html";
    return "other";
  };

  for (const [name, path] of pages) {
    if (!path) { console.log(`${name.padEnd(15)} (no link found)`); rows.push({ name }); continue; }
    const ctx = await browser.newContext();
    await ctx.addCookies(cookies);
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false, latency: 40, downloadThroughput: 10e6 / 8, uploadThroughput: 10e6 / 8,
    });
    const types = new Map();
    const bytes = { html: 0, js: 0, wasm: 0, css: 0, other: 0 };
    cdp.on("Network.responseReceived", (e) => types.set(e.requestId, kind(e.response.mimeType, e.response.url)));
    cdp.on("Network.loadingFinished", (e) => { bytes[types.get(e.requestId) ?? "other"] += e.encodedDataLength; });
    const t0 = Date.now();
    await page.goto(`${base}${path}`, { waitUntil: "domcontentloaded" });
    const dcl = Date.now() - t0;
    await page.waitForSelector("[data-hydrated='true']", { timeout: 60_000 });
    const interactive = Date.now() - t0;
    await page.waitForLoadState("networkidle");
    const kb = (n) => (n / 1000).toFixed(1).padStart(8);
    const total = Object.values(bytes).reduce((a, b) => a + b, 0);
    const code = bytes.js + bytes.wasm + bytes.css;
    rows.push({ name, bytes, total, code, dcl, interactive });
    console.log(`${name.padEnd(15)}${kb(bytes.html)}${kb(bytes.js)}${kb(bytes.wasm)}${kb(bytes.css)}${kb(bytes.other)}${kb(total)}${kb(code)}   ${String(dcl).padStart(6)}  ${String(interactive).padStart(6)}`);
    await ctx.close();
  }
  return rows;
}

const LIMIT_KB = (name) => (name === "logs" ? 350 : 250);
const results = [];
for (const { label, base } of builds) {
  console.log(`\n${label}: first load on 10 Mbit/s, 40 ms RTT, cold cache (${base})`);
  console.log("page            html     js       wasm     css      other    total kB code kB   DCL ms  interactive ms");
  results.push(await measure(base));
}
const now = results[results.length - 1];
console.log(`\n${builds[builds.length - 1].label}: code (JS + WASM + CSS) against the targets (250 kB; logs 350 kB), interactive against 1 s (logs 1.5 s)`);
for (const r of now) {
  if (!r.bytes) continue;
  const limit = LIMIT_KB(r.name);
  const t = r.name === "logs" ? 1500 : 1000;
  console.log(`${r.name.padEnd(15)}${(r.code / 1000).toFixed(1).padStart(8)} kB ${r.code <= limit * 1000 ? "≤" : ">"} ${limit} kB   ${String(r.interactive).padStart(6)} ms ${r.interactive <= t ? "≤" : ">"} ${t} ms`);
}
if (results.length === 2) {
  const [before, after] = results;
  console.log(`\nratios ${builds[1].label} / ${builds[0].label} (below 1: smaller or faster)`);
  console.log("page            total bytes  code bytes  DCL   interactive");
  for (let i = 0; i < after.length; i++) {
    const a = after[i], b = before[i];
    if (!a.bytes || !b?.bytes) continue;
    const q = (x, y) => (x / y).toFixed(2).padStart(10);
    console.log(`${a.name.padEnd(15)}${q(a.total, b.total)}  ${q(a.code, b.code)}${q(a.dcl, b.dcl)}  ${q(a.interactive, b.interactive)}`);
  }
}
await browser.close();
