#!/usr/bin/env bash
# Benchmarks of the log relay (issues 5 and 30), this build against BASELINE
# (bench/lib/builds.sh), both release, on one demo upstream process: throughput against the
# demo stream read directly and the dashboard's CPU per 100,000 relayed lines; dashboard RSS
# per idle relayed stream with 1,000 open; then for this build only, added latency (p50/p99)
# and in Chromium the time to append 10,000 lines and the line elements with 100,000 buffered.
# Usage: bash bench/log_relay.sh     (SECTIONS=throughput,latency,memory,viewer; STREAMS=1000)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/builds.sh
builds
DEMO_PORT=${DEMO_PORT:-38191}
DASH_PORT=${DASH_PORT:-38192}
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT
start_demo "$DEMO_PORT"
start() { # dir port (DASH_ENV: more settings, NAME=value…)
  start_dashboard "$1" "$2" ${DASH_ENV:-} DASHBOARD_MAX_STREAMS=5000 DASHBOARD_MAX_STREAMS_PER_USER=5000 \
    DASHBOARD_MAX_CONNECTIONS_PER_CLIENT=5000
  local jar
  jar=$(mktemp)
  curl -sf -c "$jar" -o /dev/null -d token=demo "http://127.0.0.1:$2/login"
  COOKIE=$(awk '$6=="cc_dashboard_session" {print $6"="$7}' "$jar")
  rm -f "$jar"
}
ARGS=()
if [ -n "$BASE_DIR" ]; then
  start "$BASE_DIR" $((DASH_PORT + 1))
  ARGS+=("before=http://127.0.0.1:$((DASH_PORT + 1))=${PIDS[-1]}=$COOKIE")
fi
start . "$DASH_PORT"
ARGS+=("after=http://127.0.0.1:$DASH_PORT=${PIDS[-1]}=$COOKIE")
read -r OWNER APP < <(curl -sf -H 'Authorization: Bearer demo' http://127.0.0.1:$DEMO_PORT/v2/summary |
  python3 -c 'import json,sys; o=[x for x in json.load(sys.stdin)["organisations"] if x["name"]=="Acme Corp"][0]; print(o["id"], o["applications"][0]["id"])')
node bench/log_relay.mjs "http://127.0.0.1:$DEMO_PORT" "$DEMO_PID" "$OWNER" "$APP" "${ARGS[@]}"
