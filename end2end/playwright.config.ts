import { defineConfig } from "@playwright/test";

// Debian's Chromium; never `npx playwright install` (no browser downloads here).
const chromium = {
  browserName: "chromium" as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  },
};

// Every test runs twice: hydrated (WASM) and with JavaScript off.
export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  retries: 0,
  workers: 1,
  // The JSON report lets scripts/test.sh check that the tests really ran and passed.
  reporter: [["list"], ["json", { outputFile: "test-results/report.json" }]],
  use: { baseURL: process.env.BASE_URL ?? "http://127.0.0.1:3000", ...chromium },
  projects: [
    { name: "hydrated", use: { javaScriptEnabled: true } },
    { name: "no-js", use: { javaScriptEnabled: false } },
  ],
});
