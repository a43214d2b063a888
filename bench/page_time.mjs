// Server time per page (issue 30), run by bench/page_time.sh against two dashboards (this
// build and a baseline) on one demo upstream that answers at once. Requests are sequential,
// over one keep-alive connection per target, in alternating blocks so both builds see the
// same machine. Per page and build:
// - latency: the mean time to the last byte of the page (HTML navigation, brotli accepted);
// - CPU: the dashboard process's own CPU time per page (utime + stime from /proc), which
//   leaves the demo's time out (it is another process);
// - own time: latency minus the latency of the page's upstream calls made directly, one
//   after another (what the dashboard adds to a page when the upstream answers at once).
// Arguments: demoUrl, then label=url=pid for each build.
import http from "node:http";
import { readFileSync } from "node:fs";

const [demo, ...specs] = process.argv.slice(2);
const builds = specs.map((s) => { const [label, url, pid] = s.split("="); return { label, url, pid }; });
const N = Number(process.env.REQUESTS ?? 600);
const BLOCK = 100;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(url, headers = {}) {
  return new Promise((ok, fail) => {
    const req = http.get(url, { agent, headers }, (res) => {
      let n = 0;
      res.on("data", (c) => { n += c.length; });
      res.on("end", () => ok({ status: res.statusCode, bytes: n, headers: res.headers }));
    });
    req.on("error", fail);
  });
}
function text(url, headers = {}) {
  return new Promise((ok, fail) => {
    http.get(url, { agent, headers }, (res) => {
      let s = "";
      res.setEncoding("utf8");
      res.on("data", (c) => { s += c; });
      res.on("end", () => ok(s));
    }).on("error", fail);
  });
}
const cpu = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
};
async function signIn(base) {
  const res = await fetch(`${base}/login`, { method: "POST", body: new URLSearchParams({ token: "demo" }), redirect: "manual" });
  const c = res.headers.getSetCookie().find((x) => x.startsWith("cc_dashboard_session="));
  if (!c) throw new Error(`${base}: no session cookie`);
  return c.split(";")[0];
}

const bearer = { authorization: "Bearer demo", accept: "application/json" };
const summary = JSON.parse(await text(`${demo}/v2/summary`, bearer));
const acme = summary.organisations.find((o) => o.name === "Acme Corp");
const owner = acme.id, app = acme.applications[0].id;
const v4 = (p) => `${demo}/v4/${p}`;
// Each page with the upstream calls it makes (for the "direct" baseline of its own time).
const pages = [
  ["invoices", `/orgs/${owner}/invoices`, [v4(`billing/organisations/${owner}/invoices`)]],
  ["home (fleet board)", "/", null],
  ["app overview", `/orgs/${owner}/apps/${app}`, null],
  ["deployments", `/orgs/${owner}/apps/${app}/deployments`, null],
  ["instances", `/orgs/${owner}/apps/${app}/instances`, null],
  ["costs", `/orgs/${owner}/costs`, null],
  ["activity", `/orgs/${owner}/activity`, null],
  ["members", `/orgs/${owner}/members`, null],
  ["zones", "/zones", null],
];
const only = process.env.PAGES?.split(",");
for (const b of builds) b.cookie = await signIn(b.url);
const nav = (b) => ({ cookie: b.cookie, accept: "text/html", "accept-encoding": process.env.ENCODING ?? "br, gzip", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" });

async function timed(url, headers, n) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = await get(url, headers);
    if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
  }
  return (performance.now() - t0) / n;
}

console.log(`server time per page: ${N} sequential requests per page and build, upstream answering at once`);
const header = `${"page".padEnd(20)}` + builds.map((b) => `${(b.label + " ms").padStart(11)}${(b.label + " CPU").padStart(12)}`).join("") +
  (builds.length > 1 ? "   CPU after/before" : "");
console.log(header);
const results = {};
for (const [name, path, direct] of pages) {
  if (only && !only.some((o) => name.startsWith(o))) continue;
  const res = builds.map(() => ({ ms: 0, cpu: 0 }));
  for (const b of builds) await timed(b.url + path, nav(b), 50);
  for (let done = 0; done < N; done += BLOCK) {
    for (const [i, b] of builds.entries()) {
      const c0 = cpu(b.pid);
      res[i].ms += (await timed(b.url + path, nav(b), BLOCK)) * BLOCK;
      res[i].cpu += cpu(b.pid) - c0;
    }
  }
  let line = name.padEnd(20);
  for (const r of res) line += `${(r.ms / N).toFixed(2).padStart(11)}${(1000 * r.cpu / N).toFixed(2).padStart(12)}`;
  if (builds.length > 1) line += `   ${(res[1].cpu / res[0].cpu).toFixed(2).padStart(8)}`;
  console.log(line);
  results[name] = res;
  if (direct) {
    let ms = 0;
    for (const u of direct) ms += await timed(u, bearer, N);
    const own = res.map((r) => r.ms / N - ms);
    console.log(`  its upstream call made directly: ${ms.toFixed(2)} ms; own time ` +
      builds.map((b, i) => `${b.label} ${own[i].toFixed(2)} ms`).join(", ") +
      (builds.length > 1 ? ` (after/before ${(own[1] / own[0]).toFixed(2)})` : ""));
  }
}
agent.destroy();
