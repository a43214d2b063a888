// Takes screenshots of the main pages (hydrated and without JavaScript) into ../screenshots.
// Usage: node screenshots.mjs [baseURL]   (the server must be running on the demo)
import { chromium } from "@playwright/test";
import { mkdirSync } from "node:fs";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const out = new URL("../screenshots/", import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const pages = (process.env.PAGES ?? "/,/orgs/bad%20id/invoices").split(",");
for (const [mode, js] of [["js", true], ["nojs", false]]) {
  for (const [w, h, tag] of [[1280, 900, "desktop"], [390, 844, "phone"]]) {
    const ctx = await browser.newContext({ javaScriptEnabled: js, viewport: { width: w, height: h } });
    const page = await ctx.newPage();
    await page.goto(`${base}/login?error=invalid`);
    await page.screenshot({ path: `${out}login-${tag}-${mode}.png` });
    await page.fill("#token", "demo");
    await page.click("button[type=submit]");
    await page.waitForURL(`${base}/`);
    for (const p of pages) {
      await page.goto(base + p);
      const name = p.replace(/[^a-z0-9]+/gi, "_").replace(/^_|_$/g, "") || "home";
      await page.screenshot({ path: `${out}${name}-${tag}-${mode}.png`, fullPage: tag === "desktop" });
    }
    await ctx.close();
  }
}
await browser.close();
console.log(`screenshots in ${out}`);
