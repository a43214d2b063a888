#!/usr/bin/env bash
# Load and fault suite (issue 12): 200 signed-in users browsing at random plus 500 relayed log
# streams for 60 s against a baseline of 10 users, then the same with the demo upstream killed
# and started again once, and with Redis killed and started again once. The script starts its
# own Redis, demo upstream and dashboard (release build) on loopback and stops them; it exits
# non-zero when a check fails (a 5xx nobody caused, a gap or a repeat on a stream, a stream
# that never recovers, a signed-out user, a dashboard that needed a restart).
# Usage: bash bench/load.sh
# Knobs (environment): DURATION (s per phase, 60), USERS (200), STREAMS (500), BASE_USERS (10),
# LATENCY_MS (added by the demo to each call, 30), THINK_MS (mean pause between pages, 2000),
# OUTAGE_MS (5000), PHASES (baseline,load,upstream,redis).
set -euo pipefail
cd "$(dirname "$0")/.."
export BIN=${BIN:-target/release/server}
[ -x "$BIN" ] || cargo leptos build --release --split >/dev/null
command -v redis-server >/dev/null || bash scripts/setup.sh
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec node bench/load.mjs
