import { expect, test } from "@playwright/test";
import { hydrated, signIn, waitHydrated, watchPage } from "./helpers";

// Every page under the strict policy (nonce scripts, 'wasm-unsafe-eval', no 'unsafe-inline'):
// no violation reported, hydrated or not. Chromium reports each violation as a "Refused to …"
// console error, which watchPage collects. (A script injected to listen for
// `securitypolicyviolation` would itself be refused in the sandboxed frame of an invoice.)
test("no page breaks its content security policy", async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await expect(page).toHaveURL(/\/$/);
  // The board streams in: read its links once the whole page is in.
  await page.waitForLoadState("load");
  const links = await page.$$eval("a[href^='/orgs/']", (as) => as.map((a) => a.getAttribute("href")!));
  const pick = (re: RegExp) => links.find((l) => re.test(l))!;
  const app = pick(/\/apps\/[^/]+$/);
  const invoices = pick(/\/invoices$/);
  await page.goto(invoices);
  const invoice = await page.$$eval("a[href*='/invoices/']", (as) =>
    as.map((a) => a.getAttribute("href")!).find((h) => !h.includes("download"))!,
  );
  const pages = [
    "/", invoices, invoice, app, `${app}/deployments`, `${app}/instances`, `${app}/logs`,
    pick(/\/drains$/), pick(/\/operators\//), pick(/\/pulsar\//), "/zones", "/zones/par",
    invoices.replace(/\/invoices$/, "/costs"),
  ];
  for (const path of pages) {
    await page.goto(path);
    await waitHydrated(page, testInfo);
    if (hydrated(testInfo)) {
      // Hydrated means the WASM and every island ran: nothing was refused on the way.
      await expect(page.locator("[data-hydrated='false']")).toHaveCount(0);
    }
    // The demo's invoice document carries a hostile <script> on purpose; the sandboxed frame
    // it is shown in refuses it, and Chromium says so: that refusal is the point.
    const sandboxed = (p: string) => p.includes("because the document's frame is sandboxed");
    expect(problems.filter((p) => !sandboxed(p)), path).toEqual([]);
  }
});
