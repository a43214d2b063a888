import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { hydrated, signIn, waitHydrated, watchPage } from "./helpers";

async function openApp(page, tab: string) {
  const card = page.locator("section.owner-card", { has: page.getByRole("heading", { name: "Acme Corp" }) });
  await card.getByRole("link", { name: "api-gateway", exact: true }).click();
  await page.getByRole("navigation", { name: "Application pages" }).getByRole("link", { name: tab, exact: true }).click();
}

async function downloaded(page, name: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name }).click()]);
  return readFileSync((await download.path())!, "utf8");
}

test("the metrics page shows each chart as a table on demand", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openApp(page, "Metrics");
  await expect(page).toHaveTitle(/^Metrics · api-gateway/);
  const table = page.getByRole("region", { name: "Requests by hour" });
  await expect(table).toBeHidden();
  await page.locator("figure.requests").getByText("Show as table").click();
  await expect(table).toBeVisible();
  await expect(table.locator("tbody tr")).toHaveCount(24);
  expect(problems).toEqual([]);
});

test("access logs: a range with its figures, filtered on the server, and its download", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openApp(page, "Access logs");
  await expect(page).toHaveTitle(/^Access logs · api-gateway/);
  await waitHydrated(page, testInfo);
  const form = page.getByRole("form", { name: "Access log settings" });
  await form.locator('select[name="range"]').selectOption("1h");
  await form.getByRole("group", { name: /Status/ }).getByLabel("5xx").check();
  await form.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/range=1h.*status=5xx/);
  await expect(page.locator(".range-scope")).toContainText("match the filters");
  await expect(page.getByRole("table", { name: "Top paths" })).toBeVisible();
  await expect(page.locator("dl.stats .stat", { hasText: "p95" })).toBeVisible();
  const statuses = await page.getByRole("region", { name: "Requests of the range" }).locator("tbody tr td:nth-child(4)").allTextContents();
  expect(statuses.length).toBeGreaterThan(0);
  for (const s of statuses) expect(s).toMatch(/^5\d\d$/);

  const log = (await downloaded(page, "Combined Log Format (.log)")).trim().split("\n");
  expect(log.length).toBeGreaterThan(0);
  for (const line of log) {
    expect(line).toMatch(/^\S+ - - \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "[A-Z]+ \S+ HTTP\/1\.1" 5\d\d (\d+|-) "-" "-"$/);
  }
  expect(problems).toEqual([]);
});

test("access logs live: lines arrive and the figures follow", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openApp(page, "Access logs");
  if (!hydrated(testInfo)) {
    await expect(page.locator(".access-live")).toBeHidden();
    expect(problems).toEqual([]);
    return;
  }
  await expect(page.locator(".access-live .log-status")).toHaveText("Live");
  const count = async () => Number(((await page.locator(".access-count").textContent()) ?? "0").split(" ")[0]);
  await expect.poll(count).toBeGreaterThan(100);
  const first = await count();
  await expect.poll(count, { timeout: 10_000 }).toBeGreaterThan(first);
  await expect(page.getByRole("table", { name: "Top client IPs" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Latest requests" }).locator("tbody tr").first()).toBeVisible();
  expect(problems).toEqual([]);
});

test("an add-on's logs: from its page, live or as a download", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await page.getByRole("link", { name: "main-db", exact: true }).first().click();
  await page.locator(".addon-links").getByRole("link", { name: "Logs", exact: true }).click();
  await expect(page).toHaveTitle(/^Logs · main-db/);
  if (hydrated(testInfo)) {
    await expect(page.locator(".log-status")).toHaveText("Live");
    await expect.poll(async () => page.locator(".log-line").count()).toBeGreaterThan(10);
  }
  const text = (await downloaded(page, "Text (.txt)")).trim().split("\n");
  expect(text.length).toBeGreaterThan(100);
  expect(problems).toEqual([]);
});
