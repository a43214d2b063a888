#!/usr/bin/env bash
# Benchmarks of the log relay (issue 5): throughput against the demo stream read directly,
# added latency (p50/p99), dashboard RSS per idle relayed stream with 1,000 open, and in
# Chromium the time to append 10,000 lines and the number of line elements with 100,000
# buffered. The demo and the dashboard run as separate release processes.
# Usage: bash bench/log_relay.sh        (builds the release server and site first)
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO_PORT=${DEMO_PORT:-38191}
DASH_PORT=${DASH_PORT:-38192}
BIN=${BIN:-target/release/server}
# Always (incremental): a debug build in between leaves its own files in target/site.
cargo leptos build --release --precompress >/dev/null
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
DEMO_ONLY=1 DEMO_LISTEN=127.0.0.1:$DEMO_PORT RUST_LOG=warn $BIN & DEMO_PID=$!
CC_API_URL=http://127.0.0.1:$DEMO_PORT DASHBOARD_LISTEN=127.0.0.1:$DASH_PORT DASHBOARD_PLAIN_HTTP=1 \
  DASHBOARD_MAX_STREAMS=5000 DASHBOARD_MAX_STREAMS_PER_USER=5000 RUST_LOG=warn \
  LEPTOS_SITE_ROOT=target/site $BIN & DASH_PID=$!
trap 'kill $DEMO_PID $DASH_PID 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:$DASH_PORT/healthz >/dev/null && break; sleep 0.1; done
JAR=$(mktemp)
curl -sf -c "$JAR" -o /dev/null -d token=demo http://127.0.0.1:$DASH_PORT/login
COOKIE=$(awk '$6=="cc_dashboard_session" {print $6"="$7}' "$JAR")
read -r OWNER APP < <(curl -sf -H 'Authorization: Bearer demo' http://127.0.0.1:$DEMO_PORT/v2/summary |
  python3 -c 'import json,sys; o=[x for x in json.load(sys.stdin)["organisations"] if x["name"]=="Acme Corp"][0]; print(o["id"], o["applications"][0]["id"])')
node bench/log_relay.mjs \
  "http://127.0.0.1:$DEMO_PORT" "http://127.0.0.1:$DASH_PORT" "$OWNER" "$APP" "$COOKIE" "$DASH_PID" "$DEMO_PID"
