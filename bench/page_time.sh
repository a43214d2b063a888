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
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT
start_demo "$DEMO_PORT"
start() { # dir port (DASH_ENV: more settings, NAME=value…)
  # shellcheck disable=SC2086
  start_dashboard "$1" "$2" ${DASH_ENV:-} DASHBOARD_SIGNIN_BURST=10000 DASHBOARD_SIGNIN_TOTAL_BURST=10000
}
ARGS=()
if [ -n "$BASE_DIR" ]; then
  start "$BASE_DIR" $((PORT + 1))
  ARGS+=("before=http://127.0.0.1:$((PORT + 1))=${PIDS[-1]}")
fi
start . "$PORT"
ARGS+=("after=http://127.0.0.1:$PORT=${PIDS[-1]}")
node bench/page_time.mjs "http://127.0.0.1:$DEMO_PORT" "${ARGS[@]}"
