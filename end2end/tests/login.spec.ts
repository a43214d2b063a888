import { expect, test } from "@playwright/test";
import { hydrated, signIn, watchPage } from "./helpers";

test("signing in shows the organisations, signing out ends the session", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);

  await signIn(page, testInfo);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "Organisations", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Acme Corp" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Globex Corporation" })).toBeVisible();
  await expect(page.locator(".demo-banner")).toContainText("Demo data");
  await expect(page.locator(".user-name")).toHaveText("Ada Lovelace");
  if (hydrated(testInfo)) {
    await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  }

  // A hostile organisation name is shown as text and runs nothing.
  await expect(page.getByRole("heading", { name: '<script>alert("owned")</script> & Sons' })).toBeVisible();

  // The navigation follows the URL scheme; a page not built yet says so.
  await page.locator(".sidebar").getByRole("link", { name: "Invoices" }).first().click();
  await expect(page).toHaveURL(/\/orgs\/user_[0-9a-f-]+\/invoices$/);
  await expect(page.getByRole("heading", { name: "Invoices", level: 1 })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?reason=logged_out$/);
  await expect(page.getByText("You are signed out.")).toBeVisible();
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  expect(problems).toEqual([]);
});

test("a refused token re-shows the form with a message", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo, "wrong-token");
  await expect(page).toHaveURL(/\/login\?error=invalid$/);
  await expect(page.getByRole("alert")).toContainText("This token was refused");
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  expect(problems).toEqual([]);
});

test("a malformed id in the address gets a clear message", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  const resp = await page.goto("/orgs/bad%20id/invoices");
  expect(resp?.status()).toBe(400);
  await expect(page.getByRole("alert")).toContainText("Invalid owner id");
  expect(problems).toEqual([]);
});

test("a deep link followed by signing in lands on it; another site never does", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await page.goto("/zones?tag=region%3Aeu");
  await expect(page).toHaveURL(/\/login\?next=%2Fzones%3Ftag%3Dregion%253Aeu$/);
  if (hydrated(testInfo)) {
    await expect(page.locator("main.login")).toHaveAttribute("data-hydrated", "true");
  }
  await page.getByLabel("API token").fill("demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/zones\?tag=region(%3A|:)eu$/);
  await expect(page.getByRole("heading", { name: "Zones", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?reason=logged_out$/);

  await page.goto("/login?next=https%3A%2F%2Fevil.example");
  if (hydrated(testInfo)) {
    await expect(page.locator("main.login")).toHaveAttribute("data-hydrated", "true");
  }
  await page.getByLabel("API token").fill("demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/127\.0\.0\.1:3000\/$/);
  expect(problems).toEqual([]);
});

test("the first Tab reaches 'Skip to content', which moves past the navigation", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/zones");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/zones#content$/);
  await expect(page.locator("main#content")).toBeFocused();
  expect(problems).toEqual([]);
});
