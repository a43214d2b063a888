#!/usr/bin/env bash
# Runs every test: formatting, unit and integration tests, then end-to-end tests in Chromium.
# Installs what is missing first (scripts/setup.sh), so a fresh machine needs nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/setup.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check

# cargo-leptos builds debug code with --cfg erase_components; the tests use the same flag so
# they reuse its artifacts instead of rebuilding the whole tree.
export RUSTFLAGS="--cfg erase_components"

echo "== clippy: server (ssr) and browser (hydrate, wasm32)"
cargo clippy -p app -p demo-upstream -p server --features app/ssr --tests -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

echo "== unit and integration tests"
cargo test -p app -p demo-upstream -p server --features app/ssr

echo "== end-to-end tests (Chromium, hydrated and without JavaScript)"
# Port 3000 must be free: cargo leptos end-to-end starts the server there.
# cargo-leptos can exit 0 when its build fails, so the Playwright report is checked too.
REPORT=end2end/test-results/report.json
rm -f "$REPORT"
# Every Playwright test signs in from 127.0.0.1: lift the per-address sign-in limit (a test of
# the limit itself lives in the integration tests).
# The alerts watch the demo with end2end/alerts.toml (one rule, a webhook the alerts test
# receives on 127.0.0.1:3077), every second, their state in a fresh directory. The demo upstream
# listens on 127.0.0.1:3079, where the alerts test breaks it on purpose (/demo/break).
ALERTS_DATA=$(mktemp -d)
DASHBOARD_DEMO=1 DASHBOARD_SIGNIN_BURST=10000 DASHBOARD_SIGNIN_TOTAL_BURST=10000 \
  DASHBOARD_ALERTS_FILE=end2end/alerts.toml DASHBOARD_ALERT_INTERVAL_SECS=1 \
  DASHBOARD_ALERT_ALLOWED_HOSTS=127.0.0.1 DASHBOARD_DATA_DIR="$ALERTS_DATA" DEMO_LISTEN=127.0.0.1:3079 \
  cargo leptos end-to-end --split
rm -rf "$ALERTS_DATA"
node -e '
  const fs = require("fs");
  const path = process.argv[1];
  if (!fs.existsSync(path)) { console.error("no Playwright report: the end-to-end tests did not run"); process.exit(1); }
  const s = JSON.parse(fs.readFileSync(path, "utf8")).stats;
  console.log(`end-to-end: ${s.expected} passed, ${s.unexpected} failed, ${s.flaky} flaky, ${s.skipped} skipped`);
  if (s.unexpected > 0 || s.expected === 0) process.exit(1);
' "$REPORT"
