#!/usr/bin/env bash
# Benchmarks of issue 26 (metrics and traffic), each against a baseline measured in the same run:
# 1. Access log relay with the status filter (5xx) over 100,000 upstream lines, against the
#    same 100,000 lines read directly from the demo (ratio of upstream lines per second,
#    goal >= 0.9), and in Chromium the time to append 10,000 access lines to the live view.
# 2. A 1,000,000-line NDJSON download through the dashboard, against the same range read
#    directly from the demo's stream (ratio, goal >= 0.9), with the dashboard's RSS growth
#    during the download (goal <= 8 MiB).
# 3. The metrics page rendered by the server, against the raw upstream calls it makes, sent
#    directly and concurrently, every upstream answer after 50 ms (ratio, goal <= 1.5).
# The demo and the dashboard run as separate release processes; 3. uses a second pair whose
# demo answers after LATENCY ms.
# Usage: bash bench/traffic.sh   (SECTIONS=relay,append,download,metrics picks parts)
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO_PORT=${DEMO_PORT:-38391}
DASH_PORT=${DASH_PORT:-38392}
SLOW_DEMO_PORT=${SLOW_DEMO_PORT:-38393}
SLOW_DASH_PORT=${SLOW_DASH_PORT:-38394}
LATENCY=${LATENCY:-50}
BIN=${BIN:-target/release/server}
# Always (incremental): a debug build in between leaves its own files in target/site.
cargo leptos build --release --precompress --split >/dev/null
DEMO_ONLY=1 DEMO_LISTEN=127.0.0.1:$DEMO_PORT RUST_LOG=warn $BIN & DEMO_PID=$!
CC_API_URL=http://127.0.0.1:$DEMO_PORT DASHBOARD_LISTEN=127.0.0.1:$DASH_PORT DASHBOARD_PLAIN_HTTP=1 \
  RUST_LOG=warn LEPTOS_SITE_ROOT=target/site $BIN & DASH_PID=$!
DEMO_ONLY=1 DEMO_LISTEN=127.0.0.1:$SLOW_DEMO_PORT DEMO_LATENCY_MS=$LATENCY RUST_LOG=warn $BIN & SLOW_DEMO_PID=$!
CC_API_URL=http://127.0.0.1:$SLOW_DEMO_PORT DASHBOARD_LISTEN=127.0.0.1:$SLOW_DASH_PORT DASHBOARD_PLAIN_HTTP=1 \
  RUST_LOG=warn LEPTOS_SITE_ROOT=target/site $BIN & SLOW_DASH_PID=$!
trap 'kill $DEMO_PID $DASH_PID $SLOW_DEMO_PID $SLOW_DASH_PID 2>/dev/null' EXIT
for port in $DASH_PORT $SLOW_DASH_PORT; do
  for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/readyz >/dev/null && break; sleep 0.1; done
done
cookie() {
  local jar; jar=$(mktemp)
  curl -sf -c "$jar" -o /dev/null -d token=demo "http://127.0.0.1:$1/login"
  awk '$6=="cc_dashboard_session" {print $6"="$7}' "$jar"
}
read -r OWNER APP < <(curl -sf -H 'Authorization: Bearer demo' http://127.0.0.1:$DEMO_PORT/v2/summary |
  python3 -c 'import json,sys; o=[x for x in json.load(sys.stdin)["organisations"] if x["name"]=="Acme Corp"][0]; print(o["id"], o["applications"][0]["id"])')
node bench/traffic.mjs "http://127.0.0.1:$DEMO_PORT" "http://127.0.0.1:$DASH_PORT" "$(cookie $DASH_PORT)" "$DASH_PID" \
  "http://127.0.0.1:$SLOW_DEMO_PORT" "http://127.0.0.1:$SLOW_DASH_PORT" "$(cookie $SLOW_DASH_PORT)" "$OWNER" "$APP"
