import { expect, test } from "@playwright/test";
import { hydrated, watchPage } from "./helpers";

// "Sign in with Clever Cloud" through the demo's own authorize page (the demo plays the
// OAuth provider; demo mode configures its consumer by itself).

async function toProvider(page, testInfo) {
  await page.goto("/login");
  if (hydrated(testInfo)) {
    await expect(page.locator("main.login")).toHaveAttribute("data-hydrated", "true");
  }
  const button = page.getByRole("link", { name: "Sign in with Clever Cloud" });
  await expect(button).toBeVisible();
  // It comes first, the token form below it.
  const [link, form] = [await button.boundingBox(), await page.getByLabel("API token").boundingBox()];
  expect(link!.y).toBeLessThan(form!.y);
  await button.click();
  await expect(page.getByRole("heading", { name: "Allow Clever Cloud dashboard to access your account?" })).toBeVisible();
  await expect(page.getByText("access_organisations_bills")).toBeVisible();
}

test("sign in with Clever Cloud, see the organisations, sign out", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await toProvider(page, testInfo);
  await page.getByRole("button", { name: "Allow" }).click();
  // The callback's page moves on to the dashboard by itself.
  await expect(page).toHaveURL(/127\.0\.0\.1:3000\/$/);
  await expect(page.getByRole("heading", { name: "Acme Corp" })).toBeVisible();
  await expect(page.locator(".user-name")).toHaveText("Ada Lovelace");
  await expect(page.locator(".user-via")).toContainText("Signed in with Clever Cloud · until 20");
  await page.locator(".sidebar").getByRole("link", { name: "Invoices" }).first().click();
  await expect(page.getByRole("heading", { name: "Invoices", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?reason=logged_out$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  // The state cookie is gone after the callback; the session cookie with the sign-out.
  const cookies = (await page.context().cookies()).map((c) => c.name);
  expect(cookies).not.toContain("cc_oauth_state");
  expect(problems).toEqual([]);
});

test("denying at the authorize page comes back with a message and no session", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await toProvider(page, testInfo);
  await page.getByRole("button", { name: "Deny" }).click();
  await expect(page).toHaveURL(/\/login\?error=oauth_denied$/);
  await expect(page.getByRole("alert")).toContainText("You declined to let this dashboard use your Clever Cloud account");
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  expect(problems).toEqual([]);
});
