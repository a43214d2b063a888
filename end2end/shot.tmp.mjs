import { chromium } from "playwright-core";
const [url, out, w, h, js] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium",
  args: ["--headless","--no-sandbox","--disable-gpu","--disable-quic","--no-first-run","--disable-background-networking","--disable-component-update","--disable-sync"] });
const ctx = await browser.newContext({ viewport: { width: Number(w||1280), height: Number(h||900) }, javaScriptEnabled: js !== "nojs" });
const page = await ctx.newPage();
await page.goto("http://127.0.0.1:3000/login");
await page.fill("#token", "demo");
await page.click("button[type=submit]");
await page.waitForURL("http://127.0.0.1:3000/");
await page.goto(url);
if (process.env.SCROLL) await page.locator(process.env.SCROLL).scrollIntoViewIfNeeded();
await page.screenshot({ path: out, fullPage: !process.env.SCROLL });
console.log(await page.title());
await browser.close();
