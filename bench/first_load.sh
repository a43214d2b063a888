#!/usr/bin/env bash
# First-load benchmark (issue 14): per page, bytes on the wire by type, DOMContentLoaded and
# time to interactive in Chromium on an emulated 10 Mbit/s, 40 ms RTT link with a cold cache.
# Starts a release dashboard on the demo (built with --precompress when missing) and stops it.
# Usage: bash bench/first_load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-38391}
BIN=${BIN:-target/release/server}
[ -x "$BIN" ] || cargo leptos build --release --precompress >/dev/null
DASHBOARD_LISTEN=127.0.0.1:$PORT DASHBOARD_PLAIN_HTTP=1 RUST_LOG=warn LEPTOS_SITE_ROOT=target/site \
  $BIN & PID=$!
trap 'kill $PID 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:$PORT/readyz >/dev/null && break; sleep 0.1; done
node bench/first_load.mjs "http://127.0.0.1:$PORT"
