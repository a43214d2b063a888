// Load and fault suite (issue 12), run by bench/load.sh. Starts its own Redis, demo upstream
// and dashboard (release binary), then runs four phases of DURATION seconds each:
//   baseline  10 users browsing + 25 relayed log streams
//   load      200 users browsing + 500 relayed log streams
//   upstream  the load, with the demo upstream SIGKILLed and started again once
//   redis     the load, with Redis SIGKILLed and started again once
// Users sign in with their own session each and fetch pages at random with a think time; every
// stream checks that its line ids follow one another with no gap and no repeat, reconnecting with
// Last-Event-ID as a browser's EventSource does when the server ends it. Latency figures are
// ratios against the baseline of the same run; the dashboard is never restarted.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { setMaxListeners } from "node:events";

const env = process.env;
const BIN = env.BIN ?? "target/release/server";
const DURATION = Number(env.DURATION ?? 60) * 1000;
const USERS = Number(env.USERS ?? 200);
const STREAMS = Number(env.STREAMS ?? 500);
const BASE_USERS = Number(env.BASE_USERS ?? 10);
const LATENCY_MS = Number(env.LATENCY_MS ?? 30);
const THINK_MS = Number(env.THINK_MS ?? 2000); // mean think time between two pages of a user
const OUTAGE_MS = Number(env.OUTAGE_MS ?? 5000);
const PHASES = (env.PHASES ?? "baseline,load,upstream,redis").split(",");
const [DEMO_PORT, DASH_PORT, REDIS_PORT] = [38281, 38282, 38283].map((p, i) => Number(env[["DEMO_PORT", "DASH_PORT", "REDIS_PORT"][i]] ?? p));
const DASH = `http://127.0.0.1:${DASH_PORT}`;
const EPOCH = Math.floor(Date.now() / 1000) - 60; // pinned, so a restarted demo replays the same lines

const dir = mkdtempSync(join(tmpdir(), "ccd-load-"));
const children = new Set();
function start(cmd, args, extra, name) {
  const child = spawn(cmd, args, { env: { ...env, ...extra }, stdio: ["ignore", "ignore", "inherit"] });
  child.name = name;
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}
function stopAll() { for (const c of children) c.kill("SIGKILL"); rmSync(dir, { recursive: true, force: true }); }
process.on("exit", stopAll);
process.on("SIGINT", () => process.exit(130));

const startRedis = () => start("redis-server", ["--port", String(REDIS_PORT), "--bind", "127.0.0.1", "--dir", dir,
  "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no", "--loglevel", "warning"], {}, "redis");
const startDemo = () => start(BIN, [], { DEMO_ONLY: "1", DEMO_LISTEN: `127.0.0.1:${DEMO_PORT}`, DEMO_EPOCH: String(EPOCH),
  DEMO_LATENCY_MS: String(LATENCY_MS), RUST_LOG: "warn" }, "demo");
const key = Buffer.from(Array.from({ length: 32 }, () => Math.floor(Math.random() * 256))).toString("base64");

async function waitFor(url, ok = (r) => r.ok) {
  for (let i = 0; i < 200; i++) {
    try { if (ok(await fetch(url))) return; } catch {}
    await sleep(50);
  }
  throw new Error(`${url} never answered`);
}
const waitPort = async (port) => {
  const { connect } = await import("node:net");
  for (let i = 0; i < 200; i++) {
    const up = await new Promise((res) => { const s = connect(port, "127.0.0.1", () => { s.end(); res(true); }); s.on("error", () => res(false)); });
    if (up) return;
    await sleep(50);
  }
  throw new Error(`port ${port} never opened`);
};

let redis = startRedis();
await waitPort(REDIS_PORT);
let demo = startDemo();
await waitFor(`http://127.0.0.1:${DEMO_PORT}/v2/self`, (r) => r.status === 401 || r.ok);
const dash = start(BIN, [], {
  CC_API_URL: `http://127.0.0.1:${DEMO_PORT}`, DASHBOARD_LISTEN: `127.0.0.1:${DASH_PORT}`, DASHBOARD_PLAIN_HTTP: "1",
  DASHBOARD_SESSION_STORE: `redis://127.0.0.1:${REDIS_PORT}`, DASHBOARD_SECRET_KEY: key,
  DASHBOARD_SIGNIN_BURST: "100000", DASHBOARD_SIGNIN_TOTAL_BURST: "100000",
  DASHBOARD_MAX_STREAMS: "10000", DASHBOARD_MAX_STREAMS_PER_USER: "10000",
  LEPTOS_SITE_ROOT: "target/site", RUST_LOG: "warn",
}, "dashboard");
await waitFor(`${DASH}/readyz`);
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${dash.pid}/status`, "utf8"))[1]) / 1024;
const rssAtStart = rss();

async function signIn() {
  const r = await fetch(`${DASH}/login`, { method: "POST", redirect: "manual", body: new URLSearchParams({ token: "demo" }),
    headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" } });
  const cookie = (r.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).find((c) => c.includes("cc_dashboard_session"));
  if (r.status !== 303 && r.status !== 302 || !cookie) throw new Error(`sign-in: ${r.status}`);
  return cookie;
}

// The pages a user wanders through: every link of the home page (organisations' apps, add-ons,
// invoices, drains, operators, Pulsar) that belongs to the organisations with ordinary data,
// the zones map, and each application's deployments, instances and logs pages.
const probe = await signIn();
const home = await (await fetch(`${DASH}/`, { headers: { cookie: probe } })).text();
const summary = await (await fetch(`http://127.0.0.1:${DEMO_PORT}/v2/summary`, { headers: { authorization: "Bearer demo" } })).json();
const orgs = summary.organisations.filter((o) => ["Acme Corp", "Globex"].some((n) => o.name.startsWith(n)));
const owners = new Set(orgs.map((o) => o.id));
const links = new Set(["/", "/zones"]);
for (const m of home.matchAll(/href="(\/orgs\/([^/"]+)\/[^"?#]*)"/g)) if (owners.has(m[2])) links.add(m[1].replaceAll("&amp;", "&"));
const apps = [];
for (const o of orgs) for (const a of o.applications) {
  apps.push([o.id, a.id]);
  for (const p of ["", "/deployments", "/instances", "/logs"]) links.add(`/orgs/${o.id}/apps/${a.id}${p}`);
}
const pages = [...links];

const pct = (xs, p) => xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] : NaN;

/** One phase: `users` browsing and `streams` relayed streams for DURATION; `fault` runs alongside. */
async function phase(name, users, streams, fault) {
  const stats = { pages: 0, latencies: [], status: {}, unexplained: [], upstream5xx: 0, store5xx: 0, signedOut: 0, failedFetch: 0, after: { pages: 0, bad: 0 } };
  const t0 = Date.now(), end = t0 + DURATION;
  let recoveredAt = Infinity; // pages after this (the fault repaired + 3 s) must all be 200
  const cookies = [];
  for (let i = 0; i < users; i++) cookies.push(await signIn());
  const ac = new AbortController();
  setMaxListeners(0, ac.signal); // one listener per open stream

  async function user(cookie) {
    await sleep(Math.random() * THINK_MS);
    while (Date.now() < end) {
      const page = pages[Math.floor(Math.random() * pages.length)];
      const t = performance.now();
      let status = 0, body = "";
      try {
        // No abort signal: a page finishes by itself (listeners would pile up on a shared one).
        const r = await fetch(DASH + page, { headers: { cookie }, redirect: "manual" });
        status = r.status;
        body = await r.text();
      } catch { stats.failedFetch++; }
      const ms = performance.now() - t;
      const now = Date.now();
      stats.pages++;
      stats.status[status] = (stats.status[status] ?? 0) + 1;
      if (status === 200) stats.latencies.push(ms);
      else if (status >= 300 && status < 400) stats.signedOut++;
      else if (status >= 500) {
        if (body.includes("Clever Cloud API is unavailable")) stats.upstream5xx++;
        else if (/session store is unavailable|Session store unavailable/i.test(body)) stats.store5xx++;
        else stats.unexplained.push(`${status} ${page}`);
      }
      if (now > recoveredAt) { stats.after.pages++; if (status !== 200) stats.after.bad++; }
      await sleep(THINK_MS * (0.5 + Math.random()));
    }
  }

  const streamStats = [];
  async function stream(i) {
    const [owner, app] = apps[i % apps.length];
    const cookie = cookies[i % cookies.length];
    const s = { lines: 0, gaps: 0, dups: 0, reconnects: 0, relayStates: {}, ended: null, lastId: null, afterFault: 0 };
    streamStats.push(s);
    await sleep(Math.random() * 2000);
    while (Date.now() < end && !s.ended) {
      try {
        const headers = { cookie, accept: "text/event-stream" };
        if (s.lastId !== null) headers["last-event-id"] = String(s.lastId);
        const r = await fetch(`${DASH}/stream/orgs/${owner}/apps/${app}/logs?service=all`, { headers, signal: ac.signal });
        if (!r.ok) { s.relayStates[`http ${r.status}`] = (s.relayStates[`http ${r.status}`] ?? 0) + 1; }
        else {
          const decoder = new TextDecoder();
          let buf = "", ev = "message", id = "", data = "";
          for await (const chunk of r.body) {
            buf += decoder.decode(chunk, { stream: true });
            let nl;
            while ((nl = buf.indexOf("\n")) >= 0) {
              const line = buf.slice(0, nl);
              buf = buf.slice(nl + 1);
              if (line === "") {
                if (ev === "relay") { const st = JSON.parse(data).state; s.relayStates[st] = (s.relayStates[st] ?? 0) + 1; }
                else if (ev === "END_OF_STREAM") s.ended = data;
                else if (id !== "") {
                  const k = Number(id);
                  if (s.lastId !== null && k !== s.lastId + 1) { if (k <= s.lastId) s.dups++; else s.gaps++; }
                  if (s.lastId === null || k > s.lastId) s.lastId = k;
                  s.lines++;
                  if (Date.now() > recoveredAt) s.afterFault++;
                }
                ev = "message"; id = ""; data = "";
              } else if (line.startsWith("event:")) ev = line.slice(6).trim();
              else if (line.startsWith("id:")) id = line.slice(3).trim();
              else if (line.startsWith("data:")) data += line.slice(5).trim();
            }
          }
        }
      } catch (e) { if (ac.signal.aborted) return; }
      if (Date.now() < end && !s.ended) { s.reconnects++; await sleep(1000); } // the viewer's retry
    }
  }

  const running = [...cookies.map(user), ...Array.from({ length: streams }, (_, i) => stream(i))];
  const rssBefore = rss();
  let faultNote = "";
  if (fault) faultNote = await fault((at) => { recoveredAt = at; });
  await sleep(Math.max(0, end - Date.now()));
  ac.abort();
  await Promise.allSettled(running);
  const rssAfter = rss();
  return { name, users, streams, stats, streamStats, rssBefore, rssAfter, faultNote, dashAlive: dash.exitCode === null };
}

async function outage(kill, restart, what) {
  return async (recovered) => {
    await sleep(DURATION / 3);
    kill();
    await sleep(OUTAGE_MS);
    const t = Date.now();
    await restart();
    recovered(Date.now() + 3000);
    return `${what} SIGKILLed ${DURATION / 3000} s in, down ${OUTAGE_MS / 1000} s, listening again ${Date.now() - t} ms after its restart`;
  };
}

const results = [];
for (const p of PHASES) {
  if (p === "baseline") results.push(await phase(p, BASE_USERS, Math.round(STREAMS * BASE_USERS / USERS)));
  if (p === "load") results.push(await phase(p, USERS, STREAMS));
  if (p === "upstream") results.push(await phase(p, USERS, STREAMS, await outage(() => demo.kill("SIGKILL"), async () => {
    demo = startDemo(); await waitPort(DEMO_PORT);
  }, "demo upstream")));
  if (p === "redis") results.push(await phase(p, USERS, STREAMS, await outage(() => redis.kill("SIGKILL"), async () => {
    redis = startRedis(); await waitPort(REDIS_PORT);
  }, "Redis")));
  console.error(`phase ${p} done`);
}

const base = results.find((r) => r.name === "baseline");
let failed = false;
console.log(`load and fault suite: ${DURATION / 1000} s per phase, demo latency ${LATENCY_MS} ms per call, think time ${THINK_MS / 2}-${THINK_MS * 1.5} ms, ${pages.length} pages, ${apps.length} applications`);
console.log(`dashboard RSS at start ${rssAtStart.toFixed(1)} MiB`);
for (const r of results) {
  const s = r.stats, st = r.streamStats;
  const p50 = pct(s.latencies, 0.5), p99 = pct(s.latencies, 0.99);
  const sum = (f) => st.reduce((a, x) => a + f(x), 0);
  const gaps = sum((x) => x.gaps), dups = sum((x) => x.dups), lines = sum((x) => x.lines);
  const silent = st.filter((x) => x.lines === 0).length;
  const ended = st.filter((x) => x.ended).map((x) => x.ended);
  const states = {};
  for (const x of st) for (const [k, v] of Object.entries(x.relayStates)) states[k] = (states[k] ?? 0) + v;
  console.log(`\n== ${r.name}: ${r.users} users, ${r.streams} streams${r.faultNote ? `; ${r.faultNote}` : ""}`);
  console.log(`  pages ${s.pages}, statuses ${JSON.stringify(s.status)}, fetch failures ${s.failedFetch}`);
  console.log(`  page latency p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms` + (base && r !== base ?
    `; ratio to baseline p50 ${(p50 / pct(base.stats.latencies, 0.5)).toFixed(2)}, p99 ${(p99 / pct(base.stats.latencies, 0.99)).toFixed(2)}` : ""));
  console.log(`  5xx: caused by the upstream ${s.upstream5xx}, by the session store ${s.store5xx}, unexplained ${s.unexplained.length}${s.unexplained.length ? ` (${s.unexplained.slice(0, 5).join(", ")})` : ""}; sent to sign-in ${s.signedOut}`);
  if (r.faultNote) console.log(`  pages from 3 s after the repair: ${s.after.pages}, not 200: ${s.after.bad}; stream lines after it: ${sum((x) => x.afterFault)} (streams with none: ${st.filter((x) => x.afterFault === 0).length})`);
  console.log(`  streams: lines ${lines}, gaps ${gaps}, duplicates ${dups}, silent ${silent}, ended ${ended.length}${ended.length ? ` ${JSON.stringify(ended.slice(0, 3))}` : ""}, client reconnects ${sum((x) => x.reconnects)}, relay states ${JSON.stringify(states)}`);
  console.log(`  dashboard RSS ${r.rssBefore.toFixed(1)} → ${r.rssAfter.toFixed(1)} MiB, same process ${r.dashAlive ? "yes" : "NO"}`);
  const bad = s.unexplained.length > 0 || gaps > 0 || dups > 0 || silent > 0 || ended.length > 0 || !r.dashAlive || s.signedOut > 0 || s.failedFetch > 0
    || (r.faultNote && (s.after.bad > 0 || st.some((x) => x.afterFault === 0)))
    || (!r.faultNote && (s.upstream5xx > 0 || s.store5xx > 0));
  if (bad) { failed = true; console.log("  FAILED"); }
}
console.log(`\n${failed ? "FAILED" : "passed"}: ${results.length} phases`);
process.exit(failed ? 1 : 0);
