import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { hydrated, signIn, watchPage } from "./helpers";

async function openLogs(page) {
  const card = page.locator("section.owner-card", { has: page.getByRole("heading", { name: "Acme Corp" }) });
  await card.getByRole("link", { name: "api-gateway", exact: true }).click();
  await page.getByRole("navigation", { name: "Application pages" }).getByRole("link", { name: "Logs", exact: true }).click();
  await expect(page).toHaveTitle(/^Logs · api-gateway/);
}

async function count(page): Promise<number> {
  const text = (await page.locator(".log-count").textContent()) ?? "";
  return Number(text.split(" ")[0]);
}

async function downloaded(page, name: string, role: "button" | "link" = "button"): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole(role, { name }).click(),
  ]);
  return readFileSync((await download.path())!, "utf8");
}

test("lines appear live; pause and resume continue without a gap; downloads give the lines", async ({ page }, testInfo) => {
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openLogs(page);
  if (!hydrated(testInfo)) {
    // The settings form still works; the viewer says it needs JavaScript.
    await expect(page.getByRole("button", { name: "Apply" })).toBeVisible();
    await expect(page.locator(".log-viewer")).toBeHidden();
    // The range's download is a link the server answers: it works without JavaScript.
    const txt = (await downloaded(page, "Text (.txt)", "link")).trim().split("\n");
    expect(txt.length).toBeGreaterThan(100);
    expect(txt.join("\n")).not.toContain("\u001b");
    expect(problems).toEqual([]);
    return;
  }
  const services = page.getByRole("group", { name: /Services/ });
  await services.getByLabel("all", { exact: true }).check();
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/service=all/);
  const status = page.locator(".log-status");
  await expect(status).toHaveText("Live");
  await expect.poll(() => count(page)).toBeGreaterThan(100);
  await expect(page.locator(".log-line").first()).toBeVisible();
  // ANSI colours are rendered as styled text, never as markup.
  expect(await page.locator(".log-line .ansi-fg-1").count() + await page.locator(".log-line .ansi-fg-2").count()).toBeGreaterThan(0);

  await page.getByRole("button", { name: "Pause" }).click();
  await expect(status).toHaveText("Paused");
  // Lines received before the pause join the list at the pause, not at the next batch.
  const paused = await count(page);
  await page.waitForTimeout(1500);
  expect(await count(page)).toBe(paused);
  await page.getByRole("button", { name: "Resume" }).click();
  await expect(status).toHaveText("Live");
  await expect.poll(() => count(page), { timeout: 10_000 }).toBeGreaterThan(paused + 4);

  const ndjson = (await downloaded(page, "Save shown lines")).trim().split("\n");
  const ids = ndjson.map((l) => Number(JSON.parse(l).id));
  expect(ids.length).toBeGreaterThan(paused);
  for (let i = 1; i < ids.length; i++) {
    if (ids[i] !== ids[i - 1] + 1) throw new Error(`gap or duplicate at ${i}: ${ids[i - 1]} then ${ids[i]}`);
  }
  // The server's download of the page's range (the last ten minutes when it was opened).
  const txt = (await downloaded(page, "Text (.txt)", "link")).trim().split("\n");
  expect(txt.length).toBeGreaterThan(2000);
  expect(txt.join("\n")).not.toContain("\u001b");

  // Selecting lines and copying them.
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.getByRole("button", { name: "Pause" }).click();
  await expect(status).toHaveText("Paused");
  const id = Number(await page.locator(".log-line").nth(40).getAttribute("data-id"));
  await page.locator(`.log-line[data-id="${id}"]`).click();
  await page.locator(`.log-line[data-id="${id + 2}"]`).click({ modifiers: ["Shift"] });
  await expect(page.getByRole("button", { name: "Copy selected (3)" })).toBeEnabled();
  await page.getByRole("button", { name: "Copy selected (3)" }).click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied.trim().split("\n")).toHaveLength(3);
  expect(problems).toEqual([]);
});

test("a closed range ends with a reason; scrolling up stops following", async ({ page }, testInfo) => {
  test.skip(!hydrated(testInfo), "the viewer needs JavaScript");
  const problems = watchPage(page);
  await signIn(page, testInfo);
  await openLogs(page);
  await page.locator('select[name="range"]').selectOption("1h");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/range=1h/);
  await expect(page.locator(".log-status")).toHaveText("Ended: the end of the range was reached", { timeout: 20_000 });
  const n = await count(page);
  expect(n).toBeGreaterThan(5000);
  // 14,000 lines, but only a window of them is in the page.
  expect(await page.locator(".log-line").count()).toBeLessThan(200);
  const list = page.locator(".log-list");
  await list.evaluate((el) => el.scrollTo(0, 0));
  await expect(page.getByRole("button", { name: /Scroll to bottom/ })).toBeVisible();
  await page.getByRole("button", { name: /Scroll to bottom/ }).click();
  await expect(page.getByRole("button", { name: /Scroll to bottom/ })).toBeHidden();
  await page.getByLabel("Wrap lines").check();
  await expect(page).toHaveURL(/wrap=1/);
  expect(problems).toEqual([]);
});
