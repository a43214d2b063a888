import { expect, Page, test } from "@playwright/test";
import { hydrated, signIn, waitHydrated, watchPage } from "./helpers";

async function openAcme(page: Page, name: string) {
  await page.goto("/");
  const card = page.locator("section.owner-card", { has: page.getByRole("heading", { name: "Acme Corp" }) });
  await card.getByRole("link", { name, exact: true }).click();
}

test("a reboot says so in view, and its confirmation is closed again", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, testInfo);
  await openAcme(page, "auth");
  await waitHydrated(page, testInfo);
  const confirm = page.locator("details.confirm", { hasText: "Reboot…" });
  await confirm.getByText("Reboot…").click();
  await confirm.getByRole("button", { name: "Reboot", exact: true }).click();
  await expect(page).toHaveURL(/#outcome$/);
  await expect(page.locator("#outcome")).toContainText("is restarting");
  await expect(page.locator("#outcome")).toBeInViewport();
  expect(await confirm.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
  // The linked application is named, its id kept for the tooltip.
  await expect(page.locator("li", { hasText: "entrypoint" }).getByRole("link").first()).not.toHaveText(/^app_/);
  expect(problems).toEqual([]);
});

test("a Pulsar save is said in words, in view", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openAcme(page, "events");
  await expect(page.getByRole("heading", { name: "Storage policies · events", level: 1 })).toBeVisible();
  await waitHydrated(page, testInfo);
  const gib = hydrated(testInfo) ? "20" : "21";
  const field = page.locator('fieldset[data-field="retention_size"]');
  await field.getByLabel("Value:").check();
  await field.getByLabel("Retention size amount").fill(gib);
  await field.getByLabel("Retention size unit").selectOption("GiB");
  await page.getByRole("button", { name: "Save" }).click();
  const said = page.locator("#outcome");
  await expect(said).toContainText(`Retention size set to ${gib} GiB`);
  await expect(said).toBeInViewport();
  await expect(page.getByText('"No limit" is sent as -1')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test("Tab reaches the skip link first; Enter on Pause keeps the focus on the button", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openAcme(page, "api-gateway");
  await page.getByRole("navigation", { name: "Application pages" }).getByRole("link", { name: "Logs", exact: true }).click();
  await waitHydrated(page, testInfo);
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  if (hydrated(testInfo)) {
    const pause = page.getByRole("button", { name: "Pause" });
    await expect(page.locator(".log-line").first()).toBeVisible({ timeout: 10_000 });
    await pause.focus();
    await page.keyboard.press("Enter");
    const resume = page.getByRole("button", { name: "Resume" });
    await expect(resume).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("button", { name: "Pause" })).toBeFocused();
    // Lines name their instance as the instances page does, not by an id prefix.
    const inst = (await page.locator(".log-inst").first().textContent())!.trim();
    expect(inst).not.toMatch(/^(instance_|-)/);
  }
  expect(problems).toEqual([]);
});

test("a failed deployment says the step it failed in and links to its logs around then", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openAcme(page, "api-gateway");
  await page.getByRole("navigation", { name: "Application pages" }).getByRole("link", { name: "Deployments" }).click();
  const failed = page.locator("table.deployments tbody tr", { hasText: "Failed" }).first();
  await failed.locator("a[href*='/deployments/']").first().click();
  const note = page.locator(".failure");
  await expect(note).toContainText("Failed in the step");
  const href = await note.getByRole("link").getAttribute("href");
  expect(href).toMatch(/\/logs\?deploymentId=deployment_[^&]+&range=custom&since=[^&]+&until=/);
  expect(problems).toEqual([]);
});

test("zones: no match is said; countries by code, not by emoji flags", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await page.goto("/zones?tag=region%3Aeu&tag=region%3Ana");
  await expect(page.getByText("No zone has all the chosen tags")).toBeVisible();
  await page.goto("/zones");
  const codes = await page.locator("table.zones .cc").allTextContents();
  expect(codes.length).toBeGreaterThan(0);
  for (const c of codes) expect(c).toMatch(/^[A-Z]{2}$/);
  expect(problems).toEqual([]);
});

test("an action's button shows progress and cannot be pressed twice", async ({ page }, testInfo) => {
  test.skip(!hydrated(testInfo), "without JavaScript the browser's own loading state is all there is");
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openAcme(page, "auth");
  await waitHydrated(page, testInfo);
  let posts = 0;
  await page.route("**/api/operator_action", async (route) => {
    posts += 1;
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  const confirm = page.locator("details.confirm", { hasText: "Reboot…" });
  await confirm.getByText("Reboot…").click();
  // Pressed twice in a row, as an impatient person does; what the button says in between.
  // (In the page: Playwright's own actions wait for the navigation the first press starts.)
  const between = await confirm.locator("button").evaluate((b: HTMLButtonElement) => {
    b.click();
    const said = [b.textContent, b.getAttribute("aria-disabled")];
    b.click();
    return said;
  });
  expect(between).toEqual(["Working…", "true"]);
  await expect(page.locator("#outcome")).toContainText("is restarting");
  expect(posts).toBe(1);
  expect(problems).toEqual([]);
});
