import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { signIn, watchPage } from "./helpers";

async function openAcmeInvoices(page: import("@playwright/test").Page) {
  await page.goto("/");
  const card = page.locator("section.owner-card", { has: page.getByRole("heading", { name: "Acme Corp" }) });
  await card.getByRole("link", { name: "Invoices" }).click();
  await expect(page.getByRole("heading", { name: "Invoices", level: 1 })).toBeVisible();
}

test("costs per application: chart, table, and the year switch", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openAcmeInvoices(page);
  const lastYear = new Date().getUTCFullYear() - 1;
  await page.goto(page.url() + `?year=${lastYear}`);
  await page.getByRole("link", { name: `What each application cost in ${lastYear}` }).click();
  await expect(page).toHaveURL(new RegExp(`/costs\\?year=${lastYear}$`));
  await expect(page.getByRole("heading", { name: `What each application cost in ${lastYear}`, level: 1 })).toBeVisible();
  await expect(page.locator("figure.chart.stacked svg rect").first()).toBeVisible();
  await expect(page.locator("figure.chart.stacked .legend li").first()).toBeVisible();
  const table = page.locator("table.costs-table").first();
  await expect(table.locator("tbody tr").first()).toBeVisible();
  await expect(table.locator("tbody th", { hasText: "api-gateway" })).toBeVisible();
  const total = await table.locator("tfoot td").last().textContent();

  // Another year: another address and another table.
  const older = lastYear - 1;
  await page.getByRole("group", { name: "Year" }).getByRole("link", { name: String(older) }).click();
  await expect(page).toHaveURL(new RegExp(`year=${older}$`));
  await expect(page.getByRole("heading", { name: `What each application cost in ${older}`, level: 1 })).toBeVisible();
  await expect(page.locator("table.costs-table").first().locator("tfoot td").last()).not.toHaveText(total!);
  expect(problems).toEqual([]);
});

test("a year of PDFs downloads as one ZIP", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openAcmeInvoices(page);
  const lastYear = new Date().getUTCFullYear() - 1;
  await page.goto(page.url() + `?year=${lastYear}`);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: `Download the PDFs of ${lastYear} (ZIP)` }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^invoices-orga_.+-${lastYear}\\.zip$`));
  const bytes = readFileSync((await download.path())!);
  // A ZIP starts with a local file header and ends with the end of central directory.
  expect(bytes.subarray(0, 4).toString("hex")).toBe("504b0304");
  expect(bytes.subarray(bytes.length - 22, bytes.length - 18).toString("hex")).toBe("504b0506");
  expect(bytes.includes(Buffer.from("index.csv"))).toBeTruthy();
  expect(bytes.includes(Buffer.from("%PDF-"))).toBeTruthy();
  expect(problems).toEqual([]);
});
