#!/usr/bin/env bash
# Benchmark (issue 27): 500 rules over 10 organisations of 30 applications (the demo's extra
# organisations), evaluated every INTERVAL seconds by a release server: the time one
# evaluation cycle takes (from the server's own "cycle done" lines), the upstream calls per
# cycle (the demo's request log between two cycles) against the bound "one call per endpoint
# and subject per cycle", and the server's RSS.
# Usage: bash bench/alerts.sh   (builds the release server if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO_PORT=${DEMO_PORT:-38493}
DASH_PORT=${DASH_PORT:-38494}
INTERVAL=${INTERVAL:-5}
CYCLES=${CYCLES:-5}
BIN=${BIN:-target/release/server}
# Always (incremental): an older binary would not have what is measured.
cargo leptos build --release --split >/dev/null
WORK=$(mktemp -d)
DEMO_ONLY=1 DEMO_LISTEN=127.0.0.1:$DEMO_PORT DEMO_EXTRA_ORGS=10 DEMO_APPS_PER_EXTRA_ORG=30 \
  RUST_LOG=warn $BIN & DEMO_PID=$!
trap 'kill $DEMO_PID ${DASH_PID:-} 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -sf -H 'Authorization: Bearer demo' http://127.0.0.1:$DEMO_PORT/v2/summary >/dev/null && break; sleep 0.1; done
# 500 rules: 50 per organisation, kinds in turn, each narrowed to a few applications.
curl -sf -H 'Authorization: Bearer demo' http://127.0.0.1:$DEMO_PORT/v2/summary | python3 -c '
import json, sys
orgs = [o for o in json.load(sys.stdin)["organisations"] if o["name"].startswith("Fleet")][:10]
kinds = [("app_down", ""), ("deployment_failed", ""), ("deployment_stuck", "minutes = 20"),
         ("drain_broken", ""), ("http_5xx", "percent = 20"), ("cpu_high", "percent = 90"),
         ("mem_high", "percent = 95"), ("app_moderated", ""), ("operator_update", ""), ("token_expiry", "days = 30")]
print("[[channel]]\nname = \"ops\"\nkind = \"webhook\"\nurl = \"http://127.0.0.1:9/hook\"\nsecret = \"s\"\n")
n = 0
for o in orgs:
    apps = [a["id"] for a in o["applications"]]
    for i in range(50):
        kind, extra = kinds[i % len(kinds)]
        picked = ", ".join(f"\"{a}\"" for a in apps[(i * 3) % len(apps):(i * 3) % len(apps) + 3])
        narrow = f"applications = [{picked}]" if kind not in ("token_expiry", "operator_update") else ""
        oid = o["id"]
        print(f"[[rule]]\nname = \"r{n}\"\norganisation = \"{oid}\"\nkind = \"{kind}\"\n{narrow}\n{extra}\nchannels = [\"ops\"]\n")
        n += 1
napps = sum(len(o["applications"]) for o in orgs)
print(f"# {n} rules over {len(orgs)} organisations and {napps} applications", file=sys.stderr)
' > "$WORK/alerts.toml"
CC_API_URL=http://127.0.0.1:$DEMO_PORT DASHBOARD_WATCH_TOKEN=demo DASHBOARD_PLAIN_HTTP=1 \
  DASHBOARD_LISTEN=127.0.0.1:$DASH_PORT DASHBOARD_ALERTS_FILE="$WORK/alerts.toml" \
  DASHBOARD_ALERT_INTERVAL_SECS=$INTERVAL DASHBOARD_ALERT_ALLOWED_HOSTS=127.0.0.1 \
  DASHBOARD_DATA_DIR="$WORK/data" RUST_LOG=info,server::alerts::deliver=warn $BIN > "$WORK/server.log" 2>&1 & DASH_PID=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:$DASH_PORT/readyz >/dev/null && break; sleep 0.1; done
python3 - "$WORK/server.log" "$DEMO_PORT" "$DASH_PID" "$INTERVAL" "$CYCLES" <<'PY'
import json, re, statistics, sys, time, urllib.request
log, demo, pid, interval, cycles = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
def done():
    return [float(m.group(1)) for m in re.finditer(r"alerts: cycle done.*?ms=([0-9.]+)", open(log).read())]
def requests():
    return json.load(urllib.request.urlopen(f"http://127.0.0.1:{demo}/demo/requests"))
def forget():
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{demo}/demo/requests", method="DELETE"))
# Wait for the first cycle, then count the calls of each next one.
while not done():
    time.sleep(0.1)
per_cycle = []
for _ in range(cycles):
    n = len(done())
    forget()
    while len(done()) < n + 1:
        time.sleep(0.05)
    calls = [r for r in requests() if not r.startswith("GET /demo")]
    per_cycle.append(calls)
ms = done()[1:]
rss = int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{pid}/status").read()).group(1))
calls = per_cycle[-1]
distinct = len(set(calls))
by_endpoint = {}
for c in calls:
    path = c.split("?")[0]
    key = re.sub(r"(orga|app|user|keycloak|otoroshi|matomo|metabase|pulsar|postgresql|redis)_[0-9a-f-]+", r"\1_…", path)
    by_endpoint[key] = by_endpoint.get(key, 0) + 1
print(f"500 rules, {cycles} cycles every {interval:g} s:")
print(f"  cycle time: median {statistics.median(ms):.0f} ms, max {max(ms):.0f} ms (each cycle's calls all at once within the board's bound of 8)")
print(f"  upstream calls per cycle: {len(calls)} ({distinct} distinct, so {len(calls) - distinct} repeated)")
for k, v in sorted(by_endpoint.items(), key=lambda kv: -kv[1])[:12]:
    print(f"    {v:5d}  {k}")
print(f"  dashboard RSS: {rss / 1024:.1f} MiB")
PY
