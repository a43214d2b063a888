import { expect, test } from "@playwright/test";
import { createHmac } from "node:crypto";
import { createServer, IncomingHttpHeaders } from "node:http";
import { hydrated, signIn, waitHydrated, watchPage } from "./helpers";

// scripts/test.sh starts the dashboard with end2end/alerts.toml: billing-worker's drains are
// watched every second and notified to a webhook on 127.0.0.1:3077, signed with this secret.
const SECRET = "e2e-signing-secret";

type Got = { headers: IncomingHttpHeaders; body: string };

test("a broken drain opens an incident, rings the bell and sends a signed webhook; repaired, it resolves", async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const problems = watchPage(page);
  const got: Got[] = [];
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      got.push({ headers: req.headers, body });
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((ok) => receiver.listen(3077, "127.0.0.1", () => ok()));
  const states = (state: string) => got.map((g) => JSON.parse(g.body)).filter((b) => b.state === state);
  try {
    await signIn(page, testInfo);
    const card = page.locator("section.owner-card", { has: page.getByRole("heading", { name: "Acme Corp" }) });
    await card.getByRole("link", { name: "billing-worker", exact: true }).click();
    await page.getByRole("navigation", { name: "Application pages" }).getByRole("link", { name: "Log drains" }).click();
    const settle = async () => {
      if (!hydrated(testInfo)) {
        await page.waitForTimeout(1700);
        await page.reload();
      }
    };
    // A drain, then disabled: the rule's condition starts.
    const tag = `alerts-${testInfo.project.name}-${Date.now()}`;
    await page.getByRole("combobox", { name: "Recipient type" }).selectOption("RAW_HTTP");
    await page.getByRole("button", { name: "Choose" }).click();
    await waitHydrated(page, testInfo);
    const form = page.getByRole("form", { name: "New drain" });
    await form.getByLabel("URL (required)").fill(`https://${tag}.example.net/in`);
    await form.getByRole("button", { name: "Create drain" }).click();
    await expect(page.locator("#outcome")).toContainText("created");
    const drain = page.locator("article.drain", { hasText: `${tag}.example.net` });
    await settle();
    await expect(drain).toHaveAttribute("data-status", "ENABLED", { timeout: 10_000 });
    await drain.getByRole("button", { name: "Disable" }).click();
    await settle();
    await expect(drain).toHaveAttribute("data-status", "DISABLED", { timeout: 10_000 });

    // One signed notification.
    await expect.poll(() => states("open").length, { timeout: 15_000 }).toBe(1);
    const open = got.find((g) => JSON.parse(g.body).state === "open")!;
    const [t, v1] = String(open.headers["x-dashboard-signature"]).split(",").map((p) => p.split("=")[1]);
    expect(createHmac("sha256", SECRET).update(`${t}.${open.body}`).digest("hex")).toBe(v1);
    expect(open.headers["x-dashboard-delivery"]).toBe(JSON.parse(open.body).delivery);
    expect(JSON.parse(open.body).subject.name).toBe("billing-worker");

    // The bell and the incident on /alerts.
    await page.goto("/alerts");
    await expect(page.getByRole("link", { name: "Alerts: 1 open incident" })).toBeVisible();
    const incidents = page.getByRole("list", { name: "Open incidents" });
    await expect(incidents.getByRole("link", { name: /^billing-worker: 1 log drain disabled/ })).toBeVisible();
    await expect(page.getByRole("region", { name: "Deliveries" })).toContainText("delivered (204)");
    await expect(page.locator("body")).not.toContainText("e2e-signing-secret");
    await expect(page.locator("body")).not.toContainText("127.0.0.1:3077");

    // Repaired (the drain deleted): one resolve, for the same incident.
    await page.goBack();
    await settle();
    await expect(async () => {
      const open = await drain.locator("details.confirm").nth(1).evaluate((e) => (e as HTMLDetailsElement).open);
      if (!open) await drain.getByText("Delete…").click();
      await drain.getByRole("button", { name: "Delete the drain" }).click({ timeout: 1000 });
    }).toPass({ timeout: 10_000 });
    await expect.poll(() => states("resolved").length, { timeout: 15_000 }).toBe(1);
    expect(states("resolved")[0].incident).toBe(JSON.parse(open.body).incident);
    await page.goto("/alerts");
    await expect(page.getByRole("link", { name: "Alerts: no open incident" })).toBeVisible();
    expect(got.length).toBe(2);
    expect(problems).toEqual([]);
  } finally {
    await new Promise((ok) => receiver.close(ok));
  }
});
