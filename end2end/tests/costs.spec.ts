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

const axeSource = readFileSync("node_modules/axe-core/axe.min.js", "utf8");

test("this month: so far, the forecast, the back-test, a budget set and removed; fits 1280 and 390 px, axe clean", async ({ page, browser }, testInfo) => {
  test.setTimeout(90_000);
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openAcmeInvoices(page);
  const costs = page.url().replace(/\/invoices(\?.*)?$/, "/costs");
  await page.goto(costs);
  const section = page.getByRole("region", { name: "This month" });
  await expect(section.getByRole("term").filter({ hasText: "So far" })).toBeVisible();
  await expect(section.getByText("Forecast for the month")).toBeVisible();
  const table = section.getByRole("region", { name: "This month by application" });
  await expect(table.getByRole("rowheader", { name: "api-gateway" })).toBeVisible();
  await expect(table.getByRole("rowheader", { name: "Services (estimated)" })).toBeVisible();
  await expect(section.getByText(/^Last month \(.+\) the estimate was within \d+\.\d %/)).toBeVisible();
  await expect(section.getByRole("note", { name: "Not priced" })).toContainText("2XL-GPU");
  await expect(section.getByRole("link", { name: "Export this month's estimate (CSV)" })).toHaveAttribute("href", /costs-\d{4}-\d{2}-estimate\.csv$/);

  // A budget for the whole organisation: set, drawn, removed.
  const name = `e2e budget ${testInfo.project.name}`;
  await section.getByText("Set a budget", { exact: true }).click();
  const form = page.getByRole("form", { name: "Set a budget" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel(/^Amount a month/).fill("100000");
  await form.getByRole("button", { name: "Set the budget" }).click();
  await expect(page.locator("#outcome")).toContainText(`Rule "${name}" made`);
  const budget = page.locator("li.budget", { hasText: name });
  await expect(budget).toContainText(/Spent .+ \(\d+ %\), forecast .+ of 100,000\.00 €/);

  for (const [width, height] of [[1280, 900], [390, 844]]) {
    await page.setViewportSize({ width, height });
    const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(scroll, `${width} px`).toBeLessThanOrEqual(inner);
  }
  let audited = page;
  if (testInfo.project.name === "no-js") {
    const ctx = await browser.newContext({ javaScriptEnabled: true, storageState: await page.context().storageState() });
    await ctx.route(/\.(js|wasm)(\?|$)/, (r) => r.abort());
    audited = await ctx.newPage();
    await audited.goto(costs);
    await expect(audited.getByRole("region", { name: "This month by application" })).toBeVisible();
  }
  await audited.evaluate(axeSource);
  const violations = await audited.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: Document, o: object) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => `${v.id} (${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")})`);
  });
  expect(violations).toEqual([]);

  await budget.getByRole("button", { name: `Remove the budget ${name}` }).click();
  await expect(page.locator("#outcome")).toContainText(`Rule "${name}" removed`);
  await expect(page.locator("li.budget", { hasText: name })).toHaveCount(0);
  expect(problems).toEqual([]);
});
