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
