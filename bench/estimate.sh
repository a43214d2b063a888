#!/usr/bin/env bash
# Benchmark (issue 28): this month's estimate of an organisation of 100 applications (the
# demo's extra organisation) with every upstream call answered in LATENCY ms, by a release
# server: the estimate's time (the section's server function, and the whole costs page)
# against the same upstream calls made directly with the same concurrency (ratio), the
# number of upstream calls per estimate, and the instance records read.
# Usage: bash bench/estimate.sh   (builds the release server if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO_PORT=${DEMO_PORT:-38495}
DASH_PORT=${DASH_PORT:-38496}
LATENCY=${LATENCY:-50}
RUNS=${RUNS:-5}
BIN=${BIN:-target/release/server}
cargo leptos build --release --split >/dev/null
WORK=$(mktemp -d)
DEMO_ONLY=1 DEMO_LISTEN=127.0.0.1:$DEMO_PORT DEMO_EXTRA_ORGS=1 DEMO_APPS_PER_EXTRA_ORG=100 \
  DEMO_LATENCY_MS=$LATENCY RUST_LOG=warn $BIN & DEMO_PID=$!
trap 'kill $DEMO_PID ${DASH_PID:-} 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 200); do curl -sf -H 'Authorization: Bearer demo' http://127.0.0.1:$DEMO_PORT/v2/summary >/dev/null && break; sleep 0.1; done
CC_API_URL=http://127.0.0.1:$DEMO_PORT DASHBOARD_PLAIN_HTTP=1 DASHBOARD_LISTEN=127.0.0.1:$DASH_PORT \
  DASHBOARD_DATA_DIR="$WORK/data" DASHBOARD_SIGNIN_BURST=1000 RUST_LOG=warn $BIN > "$WORK/server.log" 2>&1 & DASH_PID=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:$DASH_PORT/readyz >/dev/null && break; sleep 0.1; done
python3 - "$DEMO_PORT" "$DASH_PORT" "$RUNS" "$LATENCY" <<'PY'
import concurrent.futures as cf, http.cookiejar, json, statistics, sys, time, urllib.parse, urllib.request
demo, dash, runs, latency = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
D = f"http://127.0.0.1:{demo}"
def up(path):
    req = urllib.request.Request(D + path, headers={"Authorization": "Bearer demo"})
    return json.load(urllib.request.urlopen(req))
summary = up("/v2/summary")
org = next(o for o in summary["organisations"] if o["name"].startswith("Fleet"))
oid, apps = org["id"], [a["id"] for a in org["applications"]]
jar = http.cookiejar.CookieJar()
web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), urllib.request.HTTPRedirectHandler())
web.open(urllib.request.Request(f"http://127.0.0.1:{dash}/login", data=b"token=demo", method="POST"))
def estimate():
    body = urllib.parse.urlencode({"owner": oid}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{dash}/api/month_estimate", data=body,
                                 headers={"Accept": "application/json"})
    return json.load(web.open(req))
def page():
    return web.open(f"http://127.0.0.1:{dash}/orgs/{oid}/costs").read()
def forget():
    urllib.request.urlopen(urllib.request.Request(D + "/demo/requests", method="DELETE"))
def calls():
    return [r for r in json.load(urllib.request.urlopen(D + "/demo/requests")) if not r.startswith("GET /demo")]
estimate()  # warm: the invoice detail is then in the session's cache, as on a second view
forget()
e = estimate()
made = calls()
instances = 0
def timed(f):
    t = time.perf_counter(); f(); return time.perf_counter() - t
server = [timed(estimate) for _ in range(runs)]
pages = [timed(page) for _ in range(runs)]
# The same calls, directly, with the server's concurrency: the first three together, then
# each application's details and instances together, 8 applications at a time, then the zones.
def raw():
    global instances
    # As the server reads them: since the start of the month before.
    t = time.gmtime()
    y, m = (t.tm_year, t.tm_mon - 1) if t.tm_mon > 1 else (t.tm_year - 1, 12)
    start = f"{y:04d}-{m:02d}-01T00:00:00Z"
    with cf.ThreadPoolExecutor(3) as p:
        list(p.map(up, ["/v2/summary", f"/v4/billing/organisations/{oid}/invoices?since=2000-01-01T00:00:00Z",
                        f"/v4/billing/organisations/{oid}/credits/summary"]))
    with cf.ThreadPoolExecutor(16) as p:
        got = list(p.map(up, [x for a in apps for x in (
            f"/v2/organisations/{oid}/applications/{a}",
            f"/v4/orchestration/organisations/{oid}/applications/{a}/instances?limit=1000&since={start}&order=ASC")]))
    instances = sum(len(g) for g in got if isinstance(g, list))
    up(f"/v4/billing/organisations/{oid}/price-system?zone_id=par")
direct = [timed(raw) for _ in range(runs)]
kinds = {}
for c in made:
    k = c.split("?")[0].split("/")
    key = "/".join(x if not any(x.startswith(p) for p in ("orga_", "app_")) else x.split("_")[0] + "_…" for x in k)
    kinds[key] = kinds.get(key, 0) + 1
m_s, m_d, m_p = statistics.median(server), statistics.median(direct), statistics.median(pages)
print(f"{len(apps)} applications, {len(e['rows'])} instance rows this month ({instances} records read since the month before), every call {latency} ms:")
print(f"  estimate (server function): median {m_s*1000:.0f} ms over {runs} runs")
print(f"  the same calls made directly: median {m_d*1000:.0f} ms; ratio {m_s/m_d:.2f}x (target <= 1.5x)")
print(f"  the whole costs page (this month and the year's invoices): median {m_p*1000:.0f} ms")
print(f"  upstream calls per estimate: {len(made)}")
for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]):
    print(f"    {v:4d}  {k}")
PY
