#!/usr/bin/env bash
# Benchmark (issue 25): the fleet board for 10 more organisations of 30 applications each (and
# the demo's own four owners), every upstream call answered after 50 ms.
# - Time to the first organisation's rows and to the complete page, as ratios to one upstream
#   call measured in the same run. Goals: first rows <= 3 x one call; complete page
#   <= (calls / 8) x 1.3 x one call (8: the per-session bound on calls at once).
# - The board's upstream calls, counted in the demo's request log, against its bound
#   2 + 2 x owners + 3 x applications + 2 x add-ons.
# - Server CPU time per board render (the dashboard process's utime + stime).
# Usage: bash bench/fleet_board.sh [runs] [orgs] [apps]   (builds the release server if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
ORGS=${2:-10}
APPS=${3:-30}
LATENCY=${LATENCY:-50}
DEMO_PORT=${DEMO_PORT:-38293}
DASH_PORT=${DASH_PORT:-38294}
BIN=${BIN:-target/release/server}
[ -x "$BIN" ] || cargo leptos build --release --split >/dev/null
DEMO_ONLY=1 DEMO_LISTEN=127.0.0.1:$DEMO_PORT DEMO_LATENCY_MS=$LATENCY DEMO_EXTRA_ORGS=$ORGS \
  DEMO_APPS_PER_EXTRA_ORG=$APPS RUST_LOG=warn $BIN & DEMO_PID=$!
CC_API_URL=http://127.0.0.1:$DEMO_PORT DASHBOARD_PLAIN_HTTP=1 RUST_LOG=warn \
  DASHBOARD_LISTEN=127.0.0.1:$DASH_PORT $BIN & DASH_PID=$!
trap 'kill $DEMO_PID $DASH_PID 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:$DASH_PORT/readyz >/dev/null && break; sleep 0.1; done
JAR=$(mktemp)
curl -sf -c "$JAR" -o /dev/null -d token=demo http://127.0.0.1:$DASH_PORT/login
python3 - "$JAR" "$DASH_PORT" "$DEMO_PORT" "$RUNS" "$DASH_PID" <<'PY'
import http.client, json, os, statistics, sys, time, urllib.request

jar, dash, demo, runs, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
cookie = next(l.split("\t")[5] + "=" + l.split("\t")[6].strip()
              for l in open(jar) if "\t" in l and not l.startswith("# "))
tick = os.sysconf("SC_CLK_TCK")

def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / tick

def demo_get(path):
    req = urllib.request.Request(f"http://127.0.0.1:{demo}{path}", headers={"Authorization": "Bearer demo"})
    return urllib.request.urlopen(req).read()

def one_call():
    t = time.perf_counter(); demo_get("/v2/self"); return time.perf_counter() - t

def board():
    """Seconds to the first organisation's rows and to the end of the page."""
    c = http.client.HTTPConnection("127.0.0.1", dash)
    t = time.perf_counter()
    c.request("GET", "/", headers={"Cookie": cookie})
    r = c.getresponse()
    assert r.status == 200, r.status
    body, first = b"", None
    while True:
        chunk = r.read1(65536)
        if not chunk:
            break
        body += chunk
        if first is None and b"board-apps" in body and b"</table>" in body[body.index(b"board-apps"):]:
            first = time.perf_counter() - t
    return first, time.perf_counter() - t, body

def seen():
    got = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{demo}/demo/requests").read())
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{demo}/demo/requests", method="DELETE"))
    return got

summary = json.loads(demo_get("/v2/summary"))
owners = [summary["user"]] + summary["organisations"]
apps = sum(len(o["applications"]) for o in owners)
addons = sum(len(o["addons"]) for o in owners)
bound = 2 + 2 * len(owners) + 3 * apps + 2 * addons
board(); seen()
calls_one = [one_call() for _ in range(10)]
firsts, totals, cpus, calls = [], [], [], []
for _ in range(runs):
    seen()
    c0 = cpu()
    f, t, body = board()
    cpus.append(cpu() - c0)
    calls.append(len(seen()))
    firsts.append(f); totals.append(t)
    calls_one.append(one_call())
call = statistics.median(calls_one)
first, total, n = statistics.median(firsts), statistics.median(totals), statistics.median(calls)
goal_total = n / 8 * 1.3
print(f"owners {len(owners)}, applications {apps}, add-ons {addons}; upstream latency {call*1000:.1f} ms per call (median of {len(calls_one)})")
print(f"upstream calls per board      {n:.0f}  (bound {bound})")
print(f"first organisation's rows     {first*1000:8.1f} ms = {first/call:6.2f} x one call  (goal <= 3)")
print(f"complete page                 {total*1000:8.1f} ms = {total/call:6.2f} x one call  (goal <= calls/8 x 1.3 = {goal_total:.1f})")
print(f"server CPU per board render   {statistics.median(cpus)*1000:8.1f} ms  ({runs} runs, {len(body)} bytes of HTML)")
PY
