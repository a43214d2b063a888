#!/usr/bin/env bash
# Benchmark: download a 50 MB invoice PDF through the dashboard, against fetching it from the
# demo upstream directly, in the same script. Reports throughput of both, their ratio, and the
# dashboard's peak RSS growth (VmHWM after the downloads minus VmRSS before them).
# Goal (issue 3): RSS growth under 8 MiB; the relay close to direct throughput.
# Usage: bash bench/pdf_download.sh [runs]     (builds the release server if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
SIZE=$((50 * 1024 * 1024))
DEMO_PORT=${DEMO_PORT:-38091}
DASH_PORT=${DASH_PORT:-38092}
BIN=${BIN:-target/release/server}
[ -x "$BIN" ] || cargo leptos build --release --split >/dev/null
DEMO_ONLY=1 DEMO_LISTEN=127.0.0.1:$DEMO_PORT DEMO_PDF_PADDING_BYTES=$SIZE RUST_LOG=warn $BIN & DEMO_PID=$!
CC_API_URL=http://127.0.0.1:$DEMO_PORT DASHBOARD_LISTEN=127.0.0.1:$DASH_PORT DASHBOARD_PLAIN_HTTP=1 RUST_LOG=warn $BIN & DASH_PID=$!
trap 'kill $DEMO_PID $DASH_PID 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:$DASH_PORT/healthz >/dev/null && break; sleep 0.1; done
JAR=$(mktemp)
curl -sf -c "$JAR" -o /dev/null -d token=demo http://127.0.0.1:$DASH_PORT/login
OWNER=$(curl -sf -H 'Authorization: Bearer demo' http://127.0.0.1:$DEMO_PORT/v2/summary | python3 -c 'import json,sys; print(json.load(sys.stdin)["organisations"][0]["id"])')
NUMBER=$(curl -sf -H 'Authorization: Bearer demo' "http://127.0.0.1:$DEMO_PORT/v4/billing/organisations/$OWNER/invoices?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["invoice_number"])')
DIRECT="http://127.0.0.1:$DEMO_PORT/v4/billing/organisations/$OWNER/invoices/$NUMBER.pdf"
RELAY="http://127.0.0.1:$DASH_PORT/download/orgs/$OWNER/invoices/$NUMBER.pdf"
rss() { awk -v k="$1:" '$1==k {print $2}' /proc/$DASH_PID/status; }
# Warm up both paths once (connection pools, allocator), then take the baseline.
curl -sf -H 'Authorization: Bearer demo' -o /dev/null "$DIRECT"
curl -sf -b "$JAR" -o /dev/null "$RELAY"
BEFORE=$(rss VmRSS)
HWM0=$(rss VmHWM)
speeds() { for _ in $(seq "$RUNS"); do curl -sf "$@" -o /dev/null -w '%{speed_download} %{size_download}\n'; done; }
D=$(speeds -H 'Authorization: Bearer demo' "$DIRECT")
R=$(speeds -b "$JAR" "$RELAY")
AFTER_HWM=$(rss VmHWM)
python3 - "$BEFORE" "$HWM0" "$AFTER_HWM" <<PY
import statistics, sys
before, hwm0, hwm = (int(x) for x in sys.argv[1:4])
d = [tuple(map(float, l.split())) for l in """$D""".strip().splitlines()]
r = [tuple(map(float, l.split())) for l in """$R""".strip().splitlines()]
md = statistics.median(s for s, _ in d) / 2**20
mr = statistics.median(s for s, _ in r) / 2**20
size = r[0][1] / 2**20
print(f"file size             {size:.1f} MiB ({len(r)} runs each)")
print(f"direct from demo      {md:8.1f} MiB/s (median)")
print(f"through the dashboard {mr:8.1f} MiB/s (median)")
print(f"ratio relay/direct    {mr / md:8.2f}")
print(f"dashboard RSS before  {before / 1024:8.1f} MiB (peak so far {hwm0 / 1024:.1f} MiB)")
print(f"dashboard peak growth {(hwm - before) / 1024:8.2f} MiB (VmHWM after - VmRSS before; goal < 8 MiB)")
PY
