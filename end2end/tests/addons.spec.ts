import { expect, test } from "@playwright/test";
import { hydrated, signIn, waitHydrated, watchPage } from "./helpers";

test("the zones map has a marker per zone; filtering by tag; row and marker highlight", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await page.getByRole("link", { name: "Zones" }).click();
  await expect(page.getByRole("heading", { name: "Zones", level: 1 })).toBeVisible();
  const rows = page.locator("table.zones tbody tr");
  const markers = page.locator(".zone-map .marker");
  expect(await rows.count()).toBeGreaterThan(5);
  await expect(markers).toHaveCount(await rows.count());
  await expect(page.locator(".zone-map image")).toHaveAttribute("href", "/map/land.svg");

  await page.getByRole("group", { name: /Tags/ }).getByLabel("region:eu").check();
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/tag=region%3Aeu/);
  const n = await rows.count();
  expect(n).toBeGreaterThan(0);
  for (let i = 0; i < n; i++) await expect(rows.nth(i)).toContainText("region:eu");
  await expect(markers).toHaveCount(n);

  if (hydrated(testInfo)) {
    const zone = await rows.first().getAttribute("data-zone");
    await rows.first().hover();
    await expect(page.locator(`.zone-map .marker[data-zone="${zone}"]`)).toHaveClass(/highlight/);
    const other = await rows.nth(1).getAttribute("data-zone");
    // Markers of nearby zones overlap; the event is what matters here.
    await page.locator(`.zone-map .marker[data-zone="${other}"]`).dispatchEvent("mouseenter");
    await expect(rows.nth(1)).toHaveClass(/highlight/);
  }
  expect(problems).toEqual([]);
});

async function openAddon(page, name: string) {
  const card = page.locator("section.owner-card", { has: page.getByRole("heading", { name: "Acme Corp" }) });
  await card.getByRole("link", { name, exact: true }).click();
}

test("keycloak: reboot after confirmation, network group off and on", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openAddon(page, "auth");
  await expect(page.getByRole("heading", { name: /Keycloak · auth/ })).toBeVisible();
  await expect(page.getByText("Java version")).toBeVisible();
  await expect(page.getByText("PHP version")).toHaveCount(0);

  await page.getByText("Reboot…").click();
  await page.getByRole("button", { name: "Reboot", exact: true }).click();
  if (hydrated(testInfo)) await expect(page.getByRole("status").filter({ hasText: "is restarting" })).toBeVisible();
  else await page.waitForLoadState("load");

  const state = page.locator(".network-group");
  const flip = async (from: string, to: string, summary: string, button: string) => {
    await expect(state).toHaveAttribute("data-on", from);
    // The panel is redrawn when an action ends; open the confirmation again if it was.
    await expect(async () => {
      if (!(await page.getByRole("button", { name: button }).isVisible())) await page.getByText(summary).click();
      await page.getByRole("button", { name: button }).click({ timeout: 1000 });
    }).toPass({ timeout: 10_000 });
    await expect(state).toHaveAttribute("data-on", to);
  };
  if ((await state.getAttribute("data-on")) === "true") {
    await flip("true", "false", "Turn off…", "Turn the network group off");
    await flip("false", "true", "Turn on…", "Turn the network group on");
  } else {
    await flip("false", "true", "Turn on…", "Turn the network group on");
    await flip("true", "false", "Turn off…", "Turn the network group off");
  }
  expect(problems).toEqual([]);
});

test("a Pulsar retention time is edited and shown saved", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openAddon(page, "events");
  await expect(page.getByRole("heading", { name: "Current policies" })).toBeVisible();
  await waitHydrated(page, testInfo);
  const days = hydrated(testInfo) ? "5" : "6";
  const field = page.locator('fieldset[data-field="retention_duration"]');
  await field.getByLabel("Value:").check();
  await field.getByLabel("Retention time amount").fill(days);
  await field.getByLabel("Retention time unit").selectOption("days");
  await page.getByRole("button", { name: "Save" }).click();
  if (hydrated(testInfo)) {
    await expect(page.locator("code.sent")).toHaveText(`{"retentionPolicies":{"durationInMinutes":${Number(days) * 1440}}}`);
  }
  await expect(page.locator('tr[data-policy="retention"] td').nth(1)).toHaveText(`${days} days`);
  expect(problems).toEqual([]);
});
