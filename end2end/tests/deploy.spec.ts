import { expect, Page, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { hydrated, signIn, waitHydrated, watchPage } from "./helpers";

// Deployment control on Globex's "shop" (no other test reads its deployments): restart from
// the overview and follow the deployment to its end, redeploy a commit from the timeline, cancel
// one in progress. With JavaScript the deployment page follows by itself; without, by reloads.
// The demo's deployments queue for a second, then work for 6 s (DEMO_DEPLOY_SECS).

const axeSource = readFileSync("node_modules/axe-core/axe.min.js", "utf8");

async function openShop(page: Page) {
  const card = page.locator("section.owner-card", { has: page.getByRole("heading", { name: "Globex Corporation" }) });
  await card.getByRole("link", { name: "shop", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Actions" })).toBeVisible();
}

/** Waits for the deployment page to end with `result`: by itself when hydrated, by reloads without. */
async function followToEnd(page: Page, hydratedRun: boolean, result: RegExp) {
  const line = page.locator("p.result");
  if (hydratedRun) {
    await expect(line).toHaveText(result, { timeout: 20_000 });
    return;
  }
  const deadline = Date.now() + 20_000;
  for (;;) {
    const text = (await line.textContent()) ?? "";
    if (result.test(text)) return;
    expect(Date.now(), `still "${text}"`).toBeLessThan(deadline);
    await page.waitForTimeout(1000);
    await page.reload();
  }
}

test("restart from the overview and follow the deployment to its end; fits 390 px, axe clean", async ({ page, browser }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openShop(page);
  await waitHydrated(page, testInfo);
  const restart = page.locator("form.control", { has: page.getByRole("button", { name: "Restart", exact: true }) });
  // The form says what will happen and wants it confirmed.
  await expect(restart).toContainText("Restart shop: new instances start");
  await restart.getByRole("checkbox").check();
  await restart.getByRole("button", { name: "Restart", exact: true }).click();
  await expect(page).toHaveURL(/\/apps\/app_[^/]+\/deployments\/deployment_[^/#]+(#outcome)?$/);
  await expect(page.locator("#outcome")).toContainText(/Deployment deployment_\S+ started/);
  await expect(page.locator("p.result")).toContainText(/In progress/);
  await followToEnd(page, hydrated(testInfo), /Succeeded in .*2 instance\(s\) up/);
  await expect(page.getByRole("heading", { name: "Instances of this deployment" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Logs of this deployment" })).toBeVisible();

  // No sideways scroll at 390 px on the overview's actions and the deployment page; axe clean.
  const deployment = page.url().replace(/#.*$/, "");
  const overview = deployment.replace(/\/deployments\/.*$/, "");
  for (const url of [overview, deployment]) {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(url);
    const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(scroll, `${url} at 390 px`).toBeLessThanOrEqual(inner);
  }
  if (hydrated(testInfo)) {
    const ctx = await browser.newContext({ javaScriptEnabled: true, storageState: await page.context().storageState() });
    const audited = await ctx.newPage();
    for (const url of [overview, deployment]) {
      await audited.goto(url);
      await audited.evaluate(axeSource);
      const violations = await audited.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (c: Document, o: object) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
        const r = await axe.run(document, { resultTypes: ["violations"] });
        return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      });
      expect(violations, url).toEqual([]);
    }
    await ctx.close();
  }
  expect(problems).toEqual([]);
});

test("redeploy a commit from the timeline, then cancel a deployment in progress", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openShop(page);
  await page.getByRole("navigation", { name: "Application pages" }).getByRole("link", { name: "Deployments" }).click();
  await waitHydrated(page, testInfo);
  // A succeeded deployment's row offers to redeploy its commit.
  const row = page.locator('table.deployments tbody tr[data-state="SUCCEEDED"]').filter({ has: page.locator("details.row-action") }).last();
  const commit = (await row.locator("code.commit").getAttribute("title")) ?? "";
  expect(commit).toMatch(/^[0-9a-f]{40}$/);
  await row.locator("details.row-action summary").click();
  await row.getByRole("checkbox").check();
  await row.getByRole("button", { name: "Redeploy this commit" }).click();
  await expect(page).toHaveURL(/\/deployments\/deployment_[^/#]+(#outcome)?$/);
  await expect(page.locator("#outcome")).toContainText(`commit ${commit.slice(0, 10)} is being deployed`);

  // Cancel it while it runs, from its page.
  await waitHydrated(page, testInfo);
  const cancel = page.locator("form.control", { has: page.getByRole("button", { name: "Cancel deployment" }) });
  await cancel.getByRole("checkbox").check();
  await cancel.getByRole("button", { name: "Cancel deployment" }).click();
  await expect(page.locator("#outcome")).toContainText("being cancelled");
  await followToEnd(page, hydrated(testInfo), /Cancelled after/);
  expect(problems).toEqual([]);
});

test("stop asks for the application's name; members and their second factor", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openShop(page);
  await waitHydrated(page, testInfo);
  const stop = page.locator("form.control", { has: page.getByRole("button", { name: "Stop", exact: true }) });
  await expect(stop).toContainText("Type shop to confirm");
  if (!hydrated(testInfo)) {
    // The browser's own check is bypassed to see the server's refusal of a wrong name.
    await stop.evaluate((f) => f.setAttribute("novalidate", ""));
    await stop.getByRole("textbox").fill("shops");
    await stop.getByRole("button", { name: "Stop", exact: true }).click();
    await expect(page.locator("#outcome")).toContainText("type shop exactly");
    await expect(page.getByRole("heading", { name: "Actions" })).toBeVisible();
  }
  await page.goto("/");
  const acme = page.locator("section.owner-card", { has: page.getByRole("heading", { name: "Acme Corp" }) });
  await acme.getByRole("link", { name: "Members" }).click();
  await expect(page.getByRole("heading", { name: "Members", level: 1 })).toBeVisible();
  await expect(page.locator(".two-factor-count")).toContainText("3 of 6 members");
  await expect(page.locator('tr[data-two-factor="off"]')).toHaveCount(3);
  expect(problems).toEqual([]);
});
