#!/usr/bin/env bash
# Benchmark (issue 16): a year of 36 invoice PDFs of 5 MiB each as one ZIP through the
# dashboard, against downloading the same 36 PDFs one by one directly from the demo, in the
# same script. Reports both throughputs, their ratio (goal >= 0.8) and the dashboard's peak
# RSS growth during the archives (VmHWM after minus VmRSS before; goal <= 16 MiB).
# Usage: bash bench/zip_download.sh [runs]     (always runs the incremental release build)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
SIZE=$((5 * 1024 * 1024))
DEMO_PORT=${DEMO_PORT:-38291}
DASH_PORT=${DASH_PORT:-38292}
BIN=${BIN:-target/release/server}
cargo leptos build --release --precompress --split >/dev/null
DEMO_ONLY=1 DEMO_LISTEN=127.0.0.1:$DEMO_PORT DEMO_PDF_PADDING_BYTES=$SIZE DEMO_INVOICES_PER_MONTH=3 \
  RUST_LOG=warn $BIN & DEMO_PID=$!
CC_API_URL=http://127.0.0.1:$DEMO_PORT DASHBOARD_LISTEN=127.0.0.1:$DASH_PORT DASHBOARD_PLAIN_HTTP=1 \
  RUST_LOG=warn LEPTOS_SITE_ROOT=target/site $BIN & DASH_PID=$!
TMP=$(mktemp -d)
trap 'kill $DEMO_PID $DASH_PID 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:$DASH_PORT/healthz >/dev/null && break; sleep 0.1; done
JAR=$TMP/jar
curl -sf -c "$JAR" -o /dev/null -d token=demo http://127.0.0.1:$DASH_PORT/login
YEAR=$(( $(date -u +%Y) - 1 ))
OWNER=$(curl -sf -H 'Authorization: Bearer demo' http://127.0.0.1:$DEMO_PORT/v2/summary |
  python3 -c 'import json,sys; print([o["id"] for o in json.load(sys.stdin)["organisations"] if o["name"]=="Acme Corp"][0])')
ALL=$(curl -sf -H 'Authorization: Bearer demo' \
  "http://127.0.0.1:$DEMO_PORT/v4/billing/organisations/$OWNER/invoices?since=$YEAR-01-01T00:00:00Z&until=$((YEAR + 1))-01-01T00:00:00Z" |
  python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
ZIP_URL="http://127.0.0.1:$DASH_PORT/download/orgs/$OWNER/invoices-$YEAR.zip"
# The same documents one by one from the demo: each number's PDF, one connection reused.
direct() {
  local args=()
  while read -r n; do args+=(-o /dev/null "http://127.0.0.1:$DEMO_PORT/v4/billing/organisations/$OWNER/invoices/$n.pdf"); done < "$TMP/list"
  curl -sf -H 'Authorization: Bearer demo' -w '%{size_download}\n' "${args[@]}" | awk '{s+=$1} END {print s}'
}
curl -sf -H 'Authorization: Bearer demo' \
  "http://127.0.0.1:$DEMO_PORT/v4/billing/organisations/$OWNER/invoices?since=$YEAR-01-01T00:00:00Z&until=$((YEAR + 1))-01-01T00:00:00Z" |
  python3 -c 'import json,sys; [print(i["invoice_number"]) for i in json.load(sys.stdin)]' > "$TMP/list"
rss() { awk -v k="$1:" '$1==k {print $2}' /proc/$DASH_PID/status; }
# Warm up both paths once, then take the baseline.
direct >/dev/null
curl -sf -b "$JAR" -o /dev/null "$ZIP_URL"
BEFORE=$(rss VmRSS)
OUT=$TMP/times
for _ in $(seq "$RUNS"); do
  S=$(date +%s.%N); B=$(direct); E=$(date +%s.%N); echo "direct $B $S $E" >> "$OUT"
  S=$(date +%s.%N); curl -sf -b "$JAR" -o "$TMP/year.zip" "$ZIP_URL"; E=$(date +%s.%N)
  echo "zip $(stat -c %s "$TMP/year.zip") $S $E" >> "$OUT"
done
AFTER_HWM=$(rss VmHWM)
python3 - "$OUT" "$TMP/year.zip" "$BEFORE" "$AFTER_HWM" "$ALL" <<'PY'
import statistics, sys, zipfile
out, zpath, before, hwm, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rows = [l.split() for l in open(out)]
def speeds(kind):
    return [int(b) / (float(e) - float(s)) / 2**20 for k, b, s, e in rows if k == kind]
d, z = statistics.median(speeds("direct")), statistics.median(speeds("zip"))
zf = zipfile.ZipFile(zpath)
assert zf.testzip() is None
pdfs = [n for n in zf.namelist() if n.endswith(".pdf")]
assert all(zf.open(n).read(5) == b"%PDF-" for n in pdfs)
size = sum(i.file_size for i in zf.infolist()) / 2**20
print(f"documents in the year   {count} ({len(pdfs)} PDFs in the ZIP, {size:.0f} MiB, {len(rows)//2} runs each)")
print(f"one by one from demo   {d:8.1f} MiB/s (median)")
print(f"ZIP through dashboard  {z:8.1f} MiB/s (median)")
print(f"ratio zip/direct       {z / d:8.2f} (goal >= 0.8)")
print(f"dashboard RSS before   {before / 1024:8.1f} MiB")
print(f"dashboard peak growth  {(hwm - before) / 1024:8.2f} MiB (goal <= 16 MiB)")
PY
