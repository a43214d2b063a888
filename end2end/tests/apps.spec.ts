import { expect, test } from "@playwright/test";
import { hydrated, signIn, watchPage } from "./helpers";

test("the overview shows DNS records; the copy button copies the CNAME", async ({ page, context }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  const card = page.locator("section.owner-card", { has: page.getByRole("heading", { name: "Acme Corp" }) });
  await card.getByRole("link", { name: "api-gateway" }).click();
  await expect(page.getByRole("heading", { name: "Domain names" })).toBeVisible();
  await expect(page.locator("code.cname").first()).toHaveText("domain.par.clever-cloud.com.");
  await expect(page.getByRole("heading", { name: "Latest deployment" })).toBeVisible();
  const copy = page.getByRole("button", { name: "Copy CNAME" }).first();
  if (hydrated(testInfo)) {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await copy.click();
    await expect(copy).toHaveText("Copied");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("domain.par.clever-cloud.com.");
  } else {
    // Without JavaScript the button is hidden; the record stays selectable text.
    await expect(copy).toBeHidden();
  }
  expect(problems).toEqual([]);
});

async function openApp(page, name: string) {
  const card = page.locator("section.owner-card", { has: page.getByRole("heading", { name: "Acme Corp" }) });
  await card.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { name: "Domain names" })).toBeVisible();
}

test("the deployment timeline has bars for each state and leads to a deployment", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openApp(page, "api-gateway");
  await page.getByRole("navigation", { name: "Application pages" }).getByRole("link", { name: "Deployments" }).click();
  await expect(page).toHaveTitle(/^Deployments · api-gateway/);
  const strip = page.locator("svg.strip");
  await expect(strip).toBeVisible();
  for (const tone of ["ok", "failed", "cancelled"]) {
    expect(await strip.locator(`rect.mark.fill-${tone}`).count(), `${tone} marks`).toBeGreaterThan(0);
    expect(await page.locator(`svg.rows rect.cap.fill-${tone}`).count(), `${tone} bars`).toBeGreaterThan(0);
  }
  const rows = page.locator("svg.rows g.row");
  expect(await rows.count()).toBeGreaterThan(10);
  expect(await page.locator("svg.rows rect.seg").count()).toBeGreaterThan(await rows.count());
  await expect(page.locator("table.deployments tbody tr")).toHaveCount(await rows.count());

  await page.getByLabel("Show").fill("5");
  await page.getByLabel("Order").selectOption("ASC");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/\/deployments\?limit=5&order=ASC$/);
  await expect(page.locator("svg.rows g.row")).toHaveCount(5);

  // The deployment's own link (a commit may link to GitHub in the same row).
  const first = page.locator("table.deployments tbody tr a[href*='/deployments/']").first();
  const id = await first.getAttribute("title");
  await first.click();
  await expect(page.getByRole("heading", { name: "Steps" })).toBeVisible();
  await expect(page.locator("code.deployment-id")).toHaveAttribute("title", id!);
  await expect(page.getByRole("link", { name: "Logs of this deployment" })).toHaveAttribute("href", new RegExp(`/logs\\?deploymentId=${id}$`));
  await expect(page.getByRole("heading", { name: "Instances of this deployment" })).toBeVisible();
  expect(problems).toEqual([]);
});

test("filtering instances by state changes the URL and the rows; auto-refresh when hydrated", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openApp(page, "billing-worker");
  await page.getByRole("navigation", { name: "Application pages" }).getByRole("link", { name: "Instances" }).click();
  const rows = page.locator("table.instances tbody tr");
  await expect(rows.first()).toBeVisible();
  expect(await page.locator('table.instances tr[data-state="DELETED"]').count()).toBeGreaterThan(0);

  const only = page.getByRole("group", { name: "Only these states" });
  await only.getByLabel("Ghost", { exact: true }).check();
  await only.getByLabel("Booting", { exact: true }).check();
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/includeState=BOOTING&includeState=GHOST/);
  await expect(page.locator('table.instances tr[data-state="DELETED"]')).toHaveCount(0);
  const states = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-state")));
  expect(states.length).toBeGreaterThan(0);
  expect(new Set(states)).toEqual(new Set(["BOOTING", "GHOST"]));
  await expect(only.getByLabel("Ghost", { exact: true })).toBeChecked();

  const toggle = page.getByLabel("Auto-refresh every 5 s");
  const fetched = page.getByText(/fetched \d\d:\d\d:\d\d UTC/);
  if (hydrated(testInfo)) {
    const before = await fetched.textContent();
    await toggle.check();
    await expect(fetched).not.toHaveText(before!, { timeout: 8000 });
    await toggle.uncheck();
  } else {
    await expect(toggle).toBeHidden();
    await expect(fetched).toBeVisible();
  }
  expect(problems).toEqual([]);
});
