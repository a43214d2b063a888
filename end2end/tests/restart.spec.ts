import { expect, test } from "@playwright/test";
import { ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { hydrated, signIn, watchPage } from "./helpers";

// This test runs its own Redis, demo upstream and dashboard (the binary cargo leptos built), so
// that it can restart the dashboard under an open log viewer; the server of the other tests is
// not touched.
const ROOT = resolve(__dirname, "../..");
const BIN = process.env.SERVER_BIN ?? join(ROOT, "target/debug/server");

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

async function until(what: string, ready: () => Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not come up`);
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((ok) => (child.exitCode !== null ? ok(child.exitCode) : child.once("exit", (code) => ok(code))));
}

test("the log viewer outlives a restart of the server: reconnecting, then the lines go on with no gap", async ({ browser }, testInfo) => {
  test.skip(!hydrated(testInfo), "the live viewer needs JavaScript");
  test.setTimeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), "ccd-restart-"));
  const children: ChildProcess[] = [];
  const run = (cmd: string, args: string[], env: Record<string, string>) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
    children.push(child);
    return child;
  };
  try {
    const [redisPort, demoPort, port] = [await freePort(), await freePort(), await freePort()];
    run("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--loglevel", "warning"], {});
    run(BIN, [], { DEMO_ONLY: "1", DEMO_LISTEN: `127.0.0.1:${demoPort}`, RUST_LOG: "warn" });
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256)).toString("base64");
    const dashboard = () =>
      run(BIN, [], {
        CC_API_URL: `http://127.0.0.1:${demoPort}`,
        // An upstream of its own: not the demo the test run asks for.
        DASHBOARD_DEMO: "0",
        DASHBOARD_LISTEN: `127.0.0.1:${port}`,
        DASHBOARD_PLAIN_HTTP: "1",
        DASHBOARD_SESSION_STORE: `redis://127.0.0.1:${redisPort}`,
        DASHBOARD_SECRET_KEY: key,
        DASHBOARD_SHUTDOWN_GRACE_SECS: "0.5",
        RUST_LOG: "warn",
      });
    const base = `http://127.0.0.1:${port}`;
    const ready = () => until("the dashboard", async () => (await fetch(`${base}/readyz`)).ok);
    let server = dashboard();
    await ready();

    const context = await browser.newContext({ baseURL: base });
    const page = await context.newPage();
    const problems = watchPage(page);
    await signIn(page, testInfo);
    const card = page.locator("section.owner-card", { has: page.getByRole("heading", { name: "Acme Corp" }) });
    await card.getByRole("link", { name: "api-gateway", exact: true }).click();
    await page.getByRole("navigation", { name: "Application pages" }).getByRole("link", { name: "Logs", exact: true }).click();
    await expect(page).toHaveTitle(/^Logs · api-gateway/);
    // Every service, so that line ids follow one another.
    await page.getByRole("group", { name: /Services/ }).getByLabel("all", { exact: true }).check();
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/service=all/);
    const status = page.locator(".log-status");
    const count = async () => Number(((await page.locator(".log-count").textContent()) ?? "").split(" ")[0]);
    await expect(status).toHaveText("Live");
    await expect.poll(count).toBeGreaterThan(3);

    // SIGTERM: after the grace the stream is told "restarting" and the process exits.
    server.kill("SIGTERM");
    await expect(status).toHaveText(/^Reconnecting/, { timeout: 10_000 });
    expect(await exited(server)).toBe(0);
    const before = await count();
    // Down for a few seconds: lines keep being written upstream meanwhile.
    await page.waitForTimeout(2000);
    await expect(status).toHaveText(/^Reconnecting/);

    // The same replica again (the session is in Redis): the browser's EventSource reconnects
    // with Last-Event-ID and the lines written while it was down arrive too.
    server = dashboard();
    await ready();
    await expect(status).toHaveText("Live", { timeout: 15_000 });
    await expect.poll(count, { timeout: 15_000 }).toBeGreaterThan(before + 12);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Save shown lines" }).click(),
    ]);
    const ids = readFileSync((await download.path())!, "utf8").trim().split("\n").map((l) => Number(JSON.parse(l).id));
    expect(ids.length).toBeGreaterThan(before + 12);
    for (let i = 1; i < ids.length; i++) {
      if (ids[i] !== ids[i - 1] + 1) throw new Error(`gap or duplicate at ${i}: ${ids[i - 1]} then ${ids[i]}`);
    }
    expect(problems.filter((p) => !p.includes("EventSource") && !p.includes("ERR_CONNECTION_REFUSED"))).toEqual([]);
    await context.close();
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});
