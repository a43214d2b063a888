#!/usr/bin/env bash
# Server time per page (issue 30): this build against BASELINE (bench/lib/builds.sh), both
# release, on one demo upstream process that answers at once. Prints, per page, the mean
# latency and the dashboard's own CPU per page, the ratios, and for the invoices page its own
# time (the page minus its upstream call made directly).
# Usage: bash bench/page_time.sh   (REQUESTS=600 per page and build; PAGES=invoices,costs…)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/builds.sh
builds
DEMO_PORT=${DEMO_PORT:-38291}
PORT=${PORT:-38292}
BIN=target/release/server
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT
DEMO_ONLY=1 DEMO_LISTEN=127.0.0.1:$DEMO_PORT RUST_LOG=warn $BIN & PIDS+=($!)
wait_ready "$DEMO_PORT" /
start() { # dir port
  (cd "$1" && exec env ${DASH_ENV:-} CC_API_URL=http://127.0.0.1:$DEMO_PORT DASHBOARD_LISTEN=127.0.0.1:$2 DASHBOARD_PLAIN_HTTP=1 \
    DASHBOARD_SIGNIN_BURST=10000 DASHBOARD_SIGNIN_TOTAL_BURST=10000 RUST_LOG=warn \
    LEPTOS_SITE_ROOT=target/site target/release/server) & PIDS+=($!)
  wait_ready "$2"
}
ARGS=()
if [ -n "$BASE_DIR" ]; then
  start "$BASE_DIR" $((PORT + 1))
  ARGS+=("before=http://127.0.0.1:$((PORT + 1))=${PIDS[-1]}")
fi
start . "$PORT"
ARGS+=("after=http://127.0.0.1:$PORT=${PIDS[-1]}")
node bench/page_time.mjs "http://127.0.0.1:$DEMO_PORT" "${ARGS[@]}"
