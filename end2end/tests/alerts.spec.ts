import { expect, test } from "@playwright/test";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
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

// scripts/test.sh serves the demo upstream on 127.0.0.1:3079, so a test can break it on purpose.
const DEMO = "http://127.0.0.1:3079";
const GATEWAY = "app_bc0cd539-6231-4e8e-8160-2826c6839237";
const axeSource = readFileSync("node_modules/axe-core/axe.min.js", "utf8");

test("a channel and a rule made on the page: the demo breaks, the bell counts it, the webhook arrives; no sideways scroll, axe clean", async ({ page, browser }, testInfo) => {
  test.setTimeout(90_000);
  const problems = watchPage(page);
  const port = 3078;
  const secret = "page-made-signing-secret";
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
  await new Promise<void>((ok) => receiver.listen(port, "127.0.0.1", () => ok()));
  const suffix = testInfo.project.name;
  const channelName = `page hook ${suffix}`;
  const ruleName = `gateway down ${suffix}`;
  try {
    await signIn(page, testInfo);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/alerts");
    await waitHydrated(page, testInfo);

    // A channel: the URL refused first (plain http to a host not listed), then accepted.
    const channelForm = page.getByRole("form", { name: "New channel" });
    await page.getByText("New channel", { exact: true }).click();
    await channelForm.getByLabel("For the rules of").selectOption("orga_dd8a8a23-03ff-4c95-b9f2-7e15945132b2");
    await channelForm.getByLabel("Name").fill(channelName);
    await channelForm.getByLabel("Kind").selectOption("webhook");
    await channelForm.getByLabel("URL (webhook, slack)").fill(`http://hooks-${suffix}.example.com/in`);
    await channelForm.getByLabel(/^Signing secret/).fill(secret);
    await channelForm.getByRole("button", { name: "Make the channel" }).click();
    await expect(page.locator("#outcome")).toContainText("Nothing was changed");
    await expect(page.getByRole("form", { name: "New channel" }).getByText("Plain http is refused")).toBeVisible();
    const again = page.getByRole("form", { name: "New channel" });
    // What was typed is kept, but the secret, which is typed again.
    await expect(again.getByLabel("Name")).toHaveValue(channelName);
    await expect(again.getByLabel(/^Signing secret/)).toHaveValue("");
    await again.getByLabel("URL (webhook, slack)").fill(`http://127.0.0.1:${port}/hook`);
    await again.getByLabel(/^Signing secret/).fill(secret);
    await again.getByRole("button", { name: "Make the channel" }).click();
    await expect(page.locator("#outcome")).toContainText(`Channel "${channelName}" made`);

    // A rule that notifies it.
    await page.getByText("New rule", { exact: true }).click();
    const ruleForm = page.getByRole("form", { name: "New rule" });
    await ruleForm.getByLabel("Organisation").selectOption("orga_dd8a8a23-03ff-4c95-b9f2-7e15945132b2");
    await ruleForm.getByLabel("Name").fill(ruleName);
    await ruleForm.getByLabel("Kind").selectOption("app_down");
    await ruleForm.getByLabel("Severity").selectOption("critical");
    await ruleForm.getByLabel("Notify").selectOption(channelName);
    await ruleForm.getByLabel(/^Applications/).fill(GATEWAY);
    await ruleForm.getByRole("button", { name: "Make the rule" }).click();
    await expect(page.locator("#outcome")).toContainText(`Rule "${ruleName}" made`);
    const row = page.locator("tr", { hasText: ruleName });
    await expect(row).toContainText("Active");
    await waitHydrated(page, testInfo);

    // The demo breaks: one signed notification; the bell counts the incident (while
    // JavaScript runs, without a reload).
    const bell = page.locator("a.bell");
    const before = await bell.getAttribute("aria-label");
    expect((await fetch(`${DEMO}/demo/break`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ what: "app_down", app: GATEWAY }) })).status).toBe(204);
    await expect.poll(() => got.length, { timeout: 15_000 }).toBe(1);
    const open = JSON.parse(got[0].body);
    expect(open.rule).toBe(ruleName);
    expect(open.state).toBe("open");
    const [t, v1] = String(got[0].headers["x-dashboard-signature"]).split(",").map((p) => p.split("=")[1]);
    expect(createHmac("sha256", secret).update(`${t}.${got[0].body}`).digest("hex")).toBe(v1);
    if (hydrated(testInfo)) {
      await page.evaluate(() => window.dispatchEvent(new Event("focus")));
      await expect(bell).not.toHaveAttribute("aria-label", before ?? "");
      await expect(bell).toHaveAttribute("aria-label", /Alerts: \d+ open incidents?/);
    }
    await page.reload();
    await waitHydrated(page, testInfo);
    await expect(page.locator("a.bell")).toHaveAttribute("aria-label", /Alerts: \d+ open incidents?/);
    const incidents = page.getByRole("list", { name: "Open incidents" });
    await expect(incidents.locator("li.incident", { hasText: ruleName })).toBeVisible();
    await expect(page.locator("body")).not.toContainText(secret);
    await expect(page.locator("body")).not.toContainText(`127.0.0.1:${port}`);

    // Fits 390 px with both forms open; axe finds nothing (run in a scripted tab of the same
    // session when this one has no JavaScript).
    await page.getByText("New rule", { exact: true }).click();
    await page.getByText("New channel", { exact: true }).click();
    const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(scroll).toBeLessThanOrEqual(inner);
    let audited = page;
    if (!hydrated(testInfo)) {
      const ctx = await browser.newContext({ javaScriptEnabled: true, viewport: { width: 390, height: 844 }, storageState: await page.context().storageState() });
      await ctx.route(/\.(js|wasm)(\?|$)/, (r) => r.abort());
      audited = await ctx.newPage();
      await audited.goto("/alerts");
      await audited.getByText("New rule", { exact: true }).click();
      await audited.getByText("New channel", { exact: true }).click();
    }
    await audited.evaluate(axeSource);
    const violations = await audited.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (c: Document, o: object) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
      const r = await axe.run(document, { resultTypes: ["violations"] });
      return r.violations.map((v) => `${v.id} (${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")})`);
    });
    expect(violations).toEqual([]);

    // Repaired, then the rule and the channel removed: the incident resolves (once).
    expect((await fetch(`${DEMO}/demo/break`, { method: "DELETE" })).status).toBe(204);
    await expect.poll(() => got.length, { timeout: 15_000 }).toBe(2);
    expect(JSON.parse(got[1].body).state).toBe("resolved");
    await page.getByRole("button", { name: `Remove the rule ${ruleName}` }).click();
    await expect(page.locator("#outcome")).toContainText(`Rule "${ruleName}" removed`);
    await page.getByRole("button", { name: `Remove the channel ${channelName}` }).click();
    await expect(page.locator("#outcome")).toContainText(`Channel "${channelName}" removed`);
    expect(got.length).toBe(2);
    expect(problems).toEqual([]);
  } finally {
    await fetch(`${DEMO}/demo/break`, { method: "DELETE" }).catch(() => undefined);
    // A failed run leaves nothing behind for the next one.
    for (const name of [`Remove the rule ${ruleName}`, `Remove the channel ${channelName}`]) {
      await page.goto("/alerts").catch(() => undefined);
      const remove = page.getByRole("button", { name });
      if ((await remove.count()) > 0) await remove.click().catch(() => undefined);
    }
    await new Promise((ok) => receiver.close(ok));
  }
});
