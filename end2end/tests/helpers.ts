import { expect, Page, TestInfo } from "@playwright/test";

/** Whether this project runs with JavaScript on. */
export function hydrated(testInfo: TestInfo): boolean {
  return testInfo.project.name === "hydrated";
}

/**
 * Fails the test on any script dialog, page error or CSP violation, so injected markup or a
 * blocked script cannot go unnoticed.
 */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    // A page answered with an error status logs "Failed to load resource"; tests check statuses
    // themselves. CSP violations log "Refused to ...", and those count.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) {
      problems.push(`console: ${m.text()} [at ${m.location().url}]`);
    }
  });
  return problems;
}

/** Signs in with the demo token through the login form. */
export async function signIn(page: Page, testInfo: TestInfo, token = "demo") {
  await page.goto("/login");
  if (hydrated(testInfo)) {
    await expect(page.locator("main.login")).toHaveAttribute("data-hydrated", "true");
  }
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/**
 * Hydrated, waits until the page is hydrated: after a full page load (a form sent with GET, a
 * link followed before hydration), a click before that would be a plain form post.
 */
export async function waitHydrated(page: Page, testInfo: TestInfo) {
  if (hydrated(testInfo)) {
    await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  }
}
