#!/usr/bin/env bash
# Benchmark (issue 11): one page served with sessions in Redis against the embedded store, in
# the same script run, on the same demo upstream; Redis round trips per request; Redis memory
# per session.
# - Two dashboards side by side, one per store, both signed in; their times alternate run by
#   run so both see the same machine load. Goal: median and p99 with Redis <= 1.2 x embedded.
# - Round trips: Redis's own command counters (INFO commandstats) around the Redis runs.
#   Goal: at most one per request of a read-only page.
# - Memory: Redis's used_memory before and after SESSIONS sign-ins, per session, less the
#   token's length. Goal: <= 1 KiB plus the token.
# Usage: bash bench/sessions.sh [runs] [sessions]   (builds the release server if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-300}
SESSIONS=${2:-1000}
DEMO_PORT=${DEMO_PORT:-38193}
EMB_PORT=${EMB_PORT:-38194}
RED_PORT=${RED_PORT:-38195}
REDIS_PORT=${REDIS_PORT:-38196}
BIN=${BIN:-target/release/server}
[ -x "$BIN" ] || cargo leptos build --release --split >/dev/null
command -v redis-server >/dev/null || bash scripts/setup.sh
DIR=$(mktemp -d)
KEY=$(head -c 32 /dev/urandom | base64)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$DIR" --save '' --appendonly no \
  --daemonize no --loglevel warning >/dev/null & REDIS_PID=$!
DEMO_ONLY=1 DEMO_LISTEN=127.0.0.1:$DEMO_PORT RUST_LOG=warn $BIN & DEMO_PID=$!
export CC_API_URL=http://127.0.0.1:$DEMO_PORT DASHBOARD_PLAIN_HTTP=1 RUST_LOG=warn
# Thousands of sign-ins from one address, on purpose.
export DASHBOARD_SIGNIN_BURST=1000000 DASHBOARD_SIGNIN_TOTAL_BURST=1000000
DASHBOARD_LISTEN=127.0.0.1:$EMB_PORT $BIN & EMB_PID=$!
DASHBOARD_LISTEN=127.0.0.1:$RED_PORT DASHBOARD_SESSION_STORE=redis://127.0.0.1:$REDIS_PORT \
  DASHBOARD_SECRET_KEY=$KEY $BIN & RED_PID=$!
trap 'kill $REDIS_PID $DEMO_PID $EMB_PID $RED_PID 2>/dev/null; rm -rf "$DIR"' EXIT
for port in $EMB_PORT $RED_PORT; do
  for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/readyz >/dev/null && break; sleep 0.1; done
done
EMB_JAR=$(mktemp) RED_JAR=$(mktemp)
curl -sf -c "$EMB_JAR" -o /dev/null -d token=demo http://127.0.0.1:$EMB_PORT/login
curl -sf -c "$RED_JAR" -o /dev/null -d token=demo http://127.0.0.1:$RED_PORT/login
PAGE=/
one() { curl -sf -b "$1" -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$2$PAGE"; }
for _ in $(seq 30); do one "$EMB_JAR" $EMB_PORT >/dev/null; one "$RED_JAR" $RED_PORT >/dev/null; done
calls() { redis-cli -p "$REDIS_PORT" INFO commandstats | awk -F'[=,:]' '/^cmdstat_/ && $1 !~ /cmdstat_(info|ping)$/ {n += $3} END {print n + 0}'; }
E="" R="" RED_CALLS=0
for _ in $(seq "$RUNS"); do
  E+="$(one "$EMB_JAR" $EMB_PORT) "
  before=$(calls)
  R+="$(one "$RED_JAR" $RED_PORT) "
  RED_CALLS=$((RED_CALLS + $(calls) - before))
done
# Memory: SESSIONS more sign-ins, each a session of its own.
mem() { redis-cli -p "$REDIS_PORT" INFO memory | awk -F: '/^used_memory:/ {print $2 + 0}'; }
M0=$(mem)
for _ in $(seq "$SESSIONS"); do
  curl -sf -o /dev/null -d token=demo http://127.0.0.1:$RED_PORT/login
done
M1=$(mem)
KEYS=$(redis-cli -p "$REDIS_PORT" DBSIZE)
SAMPLE=$(redis-cli -p "$REDIS_PORT" --raw RANDOMKEY)
RECORD=$(redis-cli -p "$REDIS_PORT" STRLEN "$SAMPLE")
USAGE=$(redis-cli -p "$REDIS_PORT" MEMORY USAGE "$SAMPLE")
python3 - <<PY
import statistics
e = [float(x) * 1000 for x in "$E".split()]
r = [float(x) * 1000 for x in "$R".split()]
q = lambda v, f: sorted(v)[min(len(v) - 1, int(len(v) * f))]
print(f"page $PAGE, embedded store   median {statistics.median(e):6.2f} ms  p99 {q(e, .99):6.2f} ms  ({len(e)} runs)")
print(f"page $PAGE, Redis store      median {statistics.median(r):6.2f} ms  p99 {q(r, .99):6.2f} ms")
print(f"ratio Redis/embedded        median {statistics.median(r) / statistics.median(e):5.2f}  p99 {q(r, .99) / q(e, .99):5.2f}  (goal <= 1.2)")
print(f"Redis commands per request  {$RED_CALLS / len(r):5.2f}  (goal <= 1 for a read-only page)")
per = ($M1 - $M0) / $SESSIONS
token = len("demo")
print(f"Redis memory per session    {per:6.0f} B used_memory growth over $SESSIONS sessions ($KEYS keys);"
      f" one record {$RECORD} B sealed, MEMORY USAGE {$USAGE} B;"
      f" less the {token}-byte token: {per - token:.0f} B (goal <= 1024)")
PY
