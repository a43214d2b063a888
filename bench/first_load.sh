#!/usr/bin/env bash
# First-load benchmark (issue 14): per page, bytes on the wire by type, DOMContentLoaded and
# time to interactive in Chromium on an emulated 10 Mbit/s, 40 ms RTT link with a cold cache,
# for this build and for a baseline commit (bench/lib/builds.sh: by default the commit before
# issue 30's work; issue 14 compared with d973a65, the last commit before islands), in one
# run, with the ratios.
# Usage: bash bench/first_load.sh            (BASELINE=<commit>, or BASELINE= to skip it)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/builds.sh
builds
PORT=${PORT:-38391}
BIN=target/release/server

PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT
start() { # root binary port
  (cd "$1" && DASHBOARD_DEMO=1 DASHBOARD_LISTEN=127.0.0.1:$3 DASHBOARD_PLAIN_HTTP=1 RUST_LOG=warn \
    LEPTOS_SITE_ROOT=target/site exec "$2") & PIDS+=($!)
  wait_ready "$3"
}

ARGS=()
if [ -n "$BASE_DIR" ]; then
  start "$BASE_DIR" target/release/server $((PORT + 1))
  ARGS+=("before=http://127.0.0.1:$((PORT + 1))")
fi
start . "$BIN" "$PORT"
ARGS+=("after=http://127.0.0.1:$PORT")
node bench/first_load.mjs "${ARGS[@]}"
node bench/log_append.mjs "${ARGS[@]}"
