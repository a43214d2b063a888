import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { signIn, waitHydrated, watchPage } from "./helpers";

test("the fleet board says what needs attention first, each entry leading to its page", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await expect(page).toHaveURL(/\/$/);
  await waitHydrated(page, testInfo);
  const attention = page.locator("section#attention");
  await expect(attention.getByRole("heading", { name: "Needs attention" })).toBeVisible();
  // Shown above the organisations, though it comes last in the document.
  const first = page.locator("section.owner-card").first();
  expect((await attention.boundingBox())!.y).toBeLessThan((await first.boundingBox())!.y);
  const items = attention.getByRole("listitem");
  expect(await items.count()).toBeGreaterThan(5);
  await expect(items.first()).toContainText("Critical");
  // Each entry is a link to the page that explains it.
  await attention.getByRole("link", { name: "web-frontend has 2 instances up of at least 4." }).click();
  await expect(page).toHaveURL(/\/apps\/app_[^/]+\/instances$/);
  await expect(page).toHaveTitle(/^Instances · web-frontend/);

  // Only what needs attention: a GET form, with or without script.
  await page.goto("/");
  await waitHydrated(page, testInfo);
  await page.getByLabel("Only what needs attention").check();
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/\?attention=1$/);
  const acme = page.locator("section.owner-card", { has: page.getByRole("heading", { name: "Acme Corp" }) });
  await expect(acme.getByRole("link", { name: "web-frontend", exact: true })).toBeVisible();
  await expect(acme.getByRole("link", { name: "legacy-cron", exact: true })).toHaveCount(0);
  await expect(page.getByLabel("Only what needs attention")).toBeChecked();
  expect(problems).toEqual([]);
});

test("the activity feed filters in the address and downloads as CSV", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  const acme = page.locator("section.owner-card", { has: page.getByRole("heading", { name: "Acme Corp" }) });
  await acme.getByRole("link", { name: "Activity" }).click();
  await expect(page.getByRole("heading", { name: "Activity", level: 1 })).toBeVisible();
  await expect(page).toHaveTitle(/^Activity · Acme Corp/);
  const rows = page.locator("table.activity tbody tr");
  const all = await rows.count();
  expect(all).toBeGreaterThan(10);
  await waitHydrated(page, testInfo);
  const form = page.getByRole("form", { name: "Filter activity" });
  await form.getByLabel("Application").selectOption({ label: "web-frontend" });
  await form.getByLabel("State").selectOption("FAILED");
  await form.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/app=app_[^&]+.*&state=FAILED/);
  const failed = await rows.count();
  expect(failed).toBeGreaterThan(0);
  expect(failed).toBeLessThan(all);
  for (const state of await rows.locator("td:nth-child(5)").allInnerTexts()) expect(state.trim()).toBe("Failed");
  await expect(form.getByLabel("State")).toHaveValue("FAILED");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download the whole feed (CSV)" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^activity-orga_.*\.csv$/);
  const path = await download.path();
  const text = readFileSync(path!, "utf8");
  expect(text.split("\r\n")[0]).toBe("time,actor,event,target,state,source");
  // The whole feed, one line per row shown unfiltered, and the header.
  expect(text.split("\r\n").filter((l) => l).length).toBe(all + 1);
  expect(problems).toEqual([]);
});
