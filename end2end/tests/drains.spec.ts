import { expect, test } from "@playwright/test";
import { hydrated, signIn, waitHydrated, watchPage } from "./helpers";

test("create drains of two types, disable one, delete both", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  const card = page.locator("section.owner-card", { has: page.getByRole("heading", { name: "Acme Corp" }) });
  await card.getByRole("link", { name: "web-frontend", exact: true }).click();
  await page.getByRole("navigation", { name: "Application pages" }).getByRole("link", { name: "Log drains" }).click();
  await expect(page).toHaveTitle(/^Log drains · web-frontend/);
  const tag = `${testInfo.project.name}-${Date.now()}`;
  const settle = async () => {
    // Hydrated, the page looks again by itself until the status settles; without JavaScript, reload.
    if (!hydrated(testInfo)) {
      await page.waitForTimeout(1700);
      await page.reload();
    }
  };

  // 1. Raw HTTP with credentials: a bad URL first, with its message.
  await page.getByRole("combobox", { name: "Recipient type" }).selectOption("RAW_HTTP");
  await page.getByRole("button", { name: "Choose" }).click();
  await expect(page).toHaveURL(/new=RAW_HTTP/);
  await waitHydrated(page, testInfo);
  const form = page.getByRole("form", { name: "New drain" });
  // A refused field: its message beside it and in the summary (in view), the field focused
  // and its value kept, secrets not.
  await form.getByLabel("URL (required)").fill("ftp://nowhere");
  await form.getByLabel("Username").fill("kept-user");
  await form.getByLabel("Password").fill("not-kept");
  await form.getByRole("button", { name: "Create drain" }).click();
  await waitHydrated(page, testInfo);
  const summary = page.locator("#outcome");
  await expect(summary).toContainText("The drain was not created");
  await expect(summary).toContainText("URL must start with https:// or http://");
  await expect(summary).toBeInViewport();
  await expect(form.locator("#new-url-error")).toContainText("URL must start with https:// or http://");
  await expect(form.getByLabel("URL (required)")).toBeFocused();
  await expect(form.getByLabel("URL (required)")).toHaveValue("ftp://nowhere");
  await expect(form.getByLabel("Username")).toHaveValue("kept-user");
  await expect(form.getByLabel("Password")).toHaveValue("");
  await form.getByLabel("URL (required)").fill(`https://${tag}.raw.example.net/in`);
  await form.getByLabel("Username").fill("e2e");
  await form.getByLabel("Password").fill("e2e-secret-password");
  await form.getByRole("button", { name: "Create drain" }).click();
  await expect(page.locator("#outcome")).toContainText("created");
  await expect(page.locator("#outcome")).toBeInViewport();
  const raw = page.locator("article.drain", { hasText: `${tag}.raw.example.net` });
  await settle();
  await expect(raw).toBeVisible();
  await expect(raw).toHaveAttribute("data-status", "ENABLED", { timeout: 10_000 });
  await expect(raw).not.toContainText("e2e-secret-password");
  await expect(raw).toContainText("••••••word");

  // 2. Syslog over UDP.
  await page.getByRole("combobox", { name: "Recipient type" }).selectOption("SYSLOG_UDP");
  await page.getByRole("button", { name: "Choose" }).click();
  await expect(page).toHaveURL(/new=SYSLOG_UDP/);
  await waitHydrated(page, testInfo);
  await form.getByLabel("URL (required)").fill(`udp://${tag}.syslog.example.net:514`);
  await form.getByRole("button", { name: "Create drain" }).click();
  const syslog = page.locator("article.drain", { hasText: `${tag}.syslog.example.net` });
  await settle();
  await expect(syslog).toHaveAttribute("data-status", "ENABLED", { timeout: 10_000 });

  // 3. Disable the first: pending, then settled.
  await raw.getByRole("button", { name: "Disable" }).click();
  await settle();
  await expect(raw).toHaveAttribute("data-status", "DISABLED", { timeout: 10_000 });
  await expect(raw.getByRole("button", { name: "Enable" })).toBeVisible();

  // 4. Delete both, each after its confirmation.
  for (const d of [raw, syslog]) {
    // The list is redrawn when an action ends; open the confirmation again if it was.
    await expect(async () => {
      const open = await d.locator("details.confirm").nth(1).evaluate((e) => (e as HTMLDetailsElement).open);
      if (!open) await d.getByText("Delete…").click();
      await d.getByRole("button", { name: "Delete the drain" }).click({ timeout: 1000 });
    }).toPass({ timeout: 10_000 });
    await page.waitForLoadState("load");
    await expect(d).toHaveCount(0);
    // The result is where the person is looking, not 1,700 px above.
    await expect(page.locator("#outcome")).toContainText("deleted");
    await expect(page.locator("#outcome")).toBeInViewport();
  }
  expect(problems).toEqual([]);
});
