import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { signIn, watchPage } from "./helpers";

async function openAcmeInvoices(page: import("@playwright/test").Page) {
  await page.goto("/");
  const card = page.locator("section.owner-card", { has: page.getByRole("heading", { name: "Acme Corp" }) });
  await card.getByRole("link", { name: "Invoices" }).click();
  await expect(page.getByRole("heading", { name: "Invoices", level: 1 })).toBeVisible();
}

test("year filter changes the URL and the list; the chart is there", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openAcmeInvoices(page);
  await expect(page.locator("figure.chart svg").first()).toBeVisible();
  await expect(page.locator("figure.chart figcaption").first()).toContainText("Monthly totals");
  // The year pills are a filter: the chosen one is "current" among them, not the page.
  const years = page.getByRole("group", { name: "Year" }).getByRole("link");
  expect(await years.count()).toBeGreaterThan(1);
  const older = (await years.nth(1).textContent())!.trim();
  await years.nth(1).click();
  await expect(page).toHaveURL(new RegExp(`year=${older}`));
  await expect(years.nth(1)).toHaveAttribute("aria-current", "true");
  await expect(page.locator('.years [aria-current="page"]')).toHaveCount(0);
  await expect(page.getByRole("heading", { name: `Paid and closed in ${older}` })).toBeVisible();
  const closed = page.locator("section", { has: page.getByRole("heading", { name: /Paid and closed/ }) });
  const issued = await closed.locator("tbody tr td:nth-child(4)").allTextContents();
  expect(issued.length).toBeGreaterThan(0);
  for (const d of issued) expect(d.startsWith(older)).toBeTruthy();
  expect(problems).toEqual([]);
});

test("a bad filter gets a clear message", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openAcmeInvoices(page);
  // The form refuses 0 itself (min="1"); a shared link can still carry it.
  await page.getByLabel("Limit").fill("0");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).not.toHaveURL(/limit=0/);
  const resp = await page.goto(page.url() + "?since=yesterday&limit=0");
  expect(resp?.status()).toBe(400);
  await expect(page.getByRole("alert")).toContainText("Since must be a date");
  await expect(page.getByRole("alert")).toContainText("Limit must be a whole number");
  expect(problems).toEqual([]);
});

test("the PDF downloads; the HTML invoice's script does not run", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openAcmeInvoices(page);
  await page.locator("table.invoices tbody tr td:first-child a").first().click();
  await expect(page.getByRole("link", { name: "Download PDF" })).toBeVisible();

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download PDF" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^invoice-.+\.pdf$/);
  const bytes = readFileSync((await download.path())!);
  expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");

  const frame = page.frameLocator("iframe.invoice-frame");
  await expect(frame.locator("h1")).toContainText("Invoice");
  await expect(frame.locator("body")).not.toHaveAttribute("data-script-ran", "yes");
  expect(problems.filter((p) => !p.includes("sandbox"))).toEqual([]);
});
