//! The demo's live log generators, as server-sent events: an application's runtime logs
//! (`GET /v4/logs/.../applications/{app}/logs`), an add-on's (`.../resources/{realId}/logs`)
//! and an application's access logs (`GET /v4/accesslogs/.../applications/{app}/accesslogs`).
//!
//! Line `k` of a stream exists at `anchor + k × PERIOD`, with content derived from `k`, so any
//! range can be replayed identically: `since`/`until` map to line numbers, the SSE `id` is
//! `k`, and `Last-Event-ID: k` resumes at `k + 1` with nothing lost or repeated.

use crate::ids::{hash, pick};
use crate::params::{ApiError, Params, Reply, all, bad, date_param, not_found, one, owns};
use crate::state::Shared;
use app::model::date;
use app::model::instances::{Instance, InstanceState};
use app::model::logs::event;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::response::sse::{Event, Sse};
use futures::stream;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Time between two generated lines (4 lines a second per application).
const PERIOD_MS: i64 = 250;
/// How far back the generated history goes.
const HISTORY_DAYS: i64 = 8;
/// Heartbeat period of the real API.
const HEARTBEAT: Duration = Duration::from_secs(2);

/// Which stream.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    App,
    Resource,
    Access,
}

impl Kind {
    fn event(self) -> &'static str {
        match self {
            Self::App => event::APPLICATION_LOG,
            Self::Resource => event::RESOURCE_LOG,
            Self::Access => event::ACCESS_LOG,
        }
    }
}

/// What a stream was asked for, validated.
struct Request {
    kind: Kind,
    /// The application, or the add-on's real id.
    app: String,
    commit: String,
    start: u64,
    until: Option<u64>,
    limit: Option<u64>,
    filter: Option<String>,
    services: Vec<String>,
    fields: Vec<String>,
    instance: Option<String>,
    deployment: Option<String>,
    throttle_elements: u64,
    throttle_per: Duration,
    drop_after: Option<u64>,
    instances: Vec<Instance>,
}

fn index_at(anchor: OffsetDateTime, t: OffsetDateTime) -> u64 {
    let ms = (t - anchor).whole_milliseconds();
    if ms <= 0 {
        0
    } else {
        (ms as u64).div_ceil(PERIOD_MS as u64)
    }
}

fn time_of(anchor: OffsetDateTime, k: u64) -> OffsetDateTime {
    anchor + time::Duration::milliseconds(k as i64 * PERIOD_MS)
}

/// A count parameter of at least `min`.
fn number(q: &[(String, String)], name: &str, min: u64) -> Result<Option<u64>, ApiError> {
    match one(q, name) {
        None => Ok(None),
        Some(raw) => match raw.parse::<u64>() {
            Ok(n) if n >= min => Ok(Some(n)),
            _ => Err(bad(&format!(
                "Invalid {name}: expected an integer of at least {min}"
            ))),
        },
    }
}

pub(crate) fn routes() -> axum::Router<Shared> {
    use axum::routing::get;
    axum::Router::new()
        .route(
            "/v4/logs/organisations/{owner}/applications/{app}/logs",
            get(
                |demo: State<Shared>, ids: Path<(String, String)>, q: Params, h: HeaderMap| {
                    stream(Kind::App, demo, ids, q, h)
                },
            ),
        )
        .route(
            "/v4/logs/organisations/{owner}/resources/{id}/logs",
            get(
                |demo: State<Shared>, ids: Path<(String, String)>, q: Params, h: HeaderMap| {
                    stream(Kind::Resource, demo, ids, q, h)
                },
            ),
        )
        .route(
            "/v4/accesslogs/organisations/{owner}/applications/{app}/accesslogs",
            get(
                |demo: State<Shared>, ids: Path<(String, String)>, q: Params, h: HeaderMap| {
                    stream(Kind::Access, demo, ids, q, h)
                },
            ),
        )
}

/// One of the three streams of `subject` (an application, or an add-on's real id).
async fn stream(
    kind: Kind,
    State(demo): State<Shared>,
    Path((owner, app)): Path<(String, String)>,
    Query(q): Params,
    headers: HeaderMap,
) -> Reply {
    let is_app = app.starts_with("app_");
    let fits = match kind {
        Kind::App | Kind::Access => is_app,
        Kind::Resource => !is_app && !app.starts_with("addon_"),
    };
    if !fits || !owns(&demo, &owner, &app) {
        return Err(not_found(if kind == Kind::Resource {
            "Resource"
        } else {
            "Application"
        }));
    }
    if demo.knobs.streams_down {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Demo upstream: log streams are down",
        ));
    }
    let anchor = demo.world.started - time::Duration::days(HISTORY_DAYS);
    let get = |name: &str| one(&q, name);
    let values =
        |name: &str| -> Vec<String> { all(&q, name).into_iter().map(str::to_owned).collect() };
    let since = date_param(&q, "since")?;
    let until = date_param(&q, "until")?;
    let limit = number(&q, "limit", 1)?;
    let te = number(&q, "throttleElements", 1)?;
    let tp = number(&q, "throttlePerInMilliseconds", 1)?;
    let now = OffsetDateTime::now_utc();
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let start = match (resume, since) {
        (Some(last), _) => last + 1,
        (None, Some(s)) => index_at(anchor, s),
        (None, None) => index_at(anchor, now),
    };
    let mut services = values("service");
    if services.is_empty() {
        services = vec!["bas".into(), "bas-deploy".into()];
    }
    let all_instances = crate::orchestration::instances_of(&demo, &app);
    let instances: Vec<Instance> = all_instances
        .iter()
        .filter(|i| !i.is_build_vm && i.state != InstanceState::Deleted)
        .cloned()
        .collect();
    // Asked for one deployment's lines: its own instances, gone or not (a failed deployment's
    // instances are deleted, and its logs are what a person reads).
    let of_deployment: Vec<Instance> = get("deploymentId")
        .map(|d| {
            all_instances
                .iter()
                .filter(|i| i.deployment_id == d && !i.is_build_vm)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let instances = if !of_deployment.is_empty() {
        of_deployment
    } else if instances.is_empty() {
        all_instances
    } else {
        instances
    };
    let req = Request {
        kind,
        commit: demo
            .world
            .deployments
            .get(&app)
            .and_then(|d| d.last())
            .and_then(|d| d.version.commit_id.clone())
            .unwrap_or_default(),
        app,
        start,
        until: until.map(|u| index_at(anchor, u)),
        limit,
        filter: get("filter").map(str::to_lowercase),
        services,
        fields: values("field"),
        instance: get("instanceId").map(str::to_owned),
        deployment: get("deploymentId").map(str::to_owned),
        throttle_elements: te.unwrap_or(100),
        throttle_per: Duration::from_millis(tp.unwrap_or(300)),
        drop_after: demo.knobs.drop_stream_after,
        instances,
    };
    let (tx, rx) = mpsc::channel::<Event>(64);
    let open = Arc::clone(&demo.open_streams);
    open.fetch_add(1, Ordering::SeqCst);
    tokio::spawn(async move {
        generate(req, anchor, tx).await;
        open.fetch_sub(1, Ordering::SeqCst);
    });
    let events = stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (Ok::<_, Infallible>(e), rx))
    });
    Ok(Sse::new(events).into_response())
}

/// One generated line's data, or `None` when the request's filters leave it out.
fn line(req: &Request, anchor: OffsetDateTime, k: u64) -> Option<serde_json::Value> {
    match req.kind {
        Kind::App => app_line(req, anchor, k),
        Kind::Resource => resource_line(req, anchor, k),
        Kind::Access => Some(access_line(req, anchor, k)),
    }
}

/// Clients of the access logs: address, country, city, latitude, longitude.
const CLIENTS: [(&str, &str, &str, f64, f64); 12] = [
    ("203.0.113.7", "FR", "Paris", 48.85, 2.35),
    ("203.0.113.24", "FR", "Paris", 48.85, 2.35),
    ("198.51.100.3", "FR", "Nantes", 47.22, -1.55),
    ("198.51.100.77", "DE", "Berlin", 52.52, 13.40),
    ("192.0.2.15", "GB", "London", 51.51, -0.13),
    ("192.0.2.200", "US", "New York", 40.71, -74.01),
    ("100.64.3.9", "CA", "Montréal", 45.50, -73.57),
    ("100.64.8.1", "BR", "São Paulo", -23.55, -46.63),
    ("100.64.20.4", "SG", "Singapore", 1.35, 103.82),
    ("100.64.30.2", "AU", "Sydney", -33.87, 151.21),
    ("2001:db8::17", "FR", "Lyon", 45.76, 4.84),
    ("2001:db8::9f", "NL", "Amsterdam", 52.37, 4.90),
];

/// Access line `k`: mostly quick 2xx, some redirects and 404s, slow requests, and a burst of
/// 5xx when the runtime logs have their error burst.
fn access_line(req: &Request, anchor: OffsetDateTime, k: u64) -> serde_json::Value {
    let key = format!("{}-a{k}", req.app);
    let roll = pick(&key, 0, 1000);
    let burst = (k / 40) % 25 == 3;
    let routes = [
        ("GET", "/"),
        ("GET", "/api/items"),
        ("GET", "/api/items/42"),
        ("POST", "/api/orders"),
        ("GET", "/health"),
        ("GET", "/static/app.js"),
        ("GET", "/login"),
        ("POST", "/login"),
        ("PUT", "/api/items/42"),
        ("DELETE", "/api/sessions/current"),
    ];
    let (method, path) = routes[(hash(&key, 5) % routes.len() as u64) as usize];
    let status: u16 = if burst && roll < 600 {
        if roll < 400 { 502 } else { 503 }
    } else {
        match roll {
            0..=14 => 500,
            15..=59 => 404,
            60..=79 => 401,
            80..=119 => 304,
            120..=139 => 301,
            140..=199 => 201,
            _ => 200,
        }
    };
    // A few slow requests (a second or more), the rest quick.
    let time = if roll % 97 == 5 || (burst && roll < 100) {
        pick(&format!("{key}slow"), 1_000, 9_000) as f64
    } else {
        pick(&format!("{key}t"), 2, 180) as f64 + pick(&format!("{key}c"), 10, 99) as f64 / 100.0
    };
    let client = CLIENTS[(hash(&key, 11) % CLIENTS.len() as u64) as usize];
    let peer = |ip: &str, port: u64, country: &str, city: &str, lat: f64, lon: f64| {
        serde_json::json!({
            "ip": ip, "port": port, "countryCode": country, "city": city,
            "geoLocation": {"latitude": lat, "longitude": lon},
        })
    };
    let instance = req
        .instances
        .get((hash(&key, 7) % req.instances.len().max(1) as u64) as usize)
        .map_or("", |i| i.id.as_str());
    serde_json::json!({
        "id": k.to_string(),
        "date": date::format(&time_of(anchor, k)),
        "applicationId": req.app,
        "instanceId": instance,
        "requestId": format!("{:016x}", hash(&key, 19)),
        "bytesIn": pick(&key, 200, 900),
        "bytesOut": if status == 304 { 0 } else { pick(&key, 300, 48_000) },
        "zone": "par",
        "region": "eu",
        "tls": {"version": "TLSv1.3"},
        "source": peer(client.0, pick(&key, 30_000, 60_000), client.1, client.2, client.3, client.4),
        "destination": peer("185.42.117.10", 443, "FR", "Paris", 48.85, 2.35),
        "http": {
            "request": {"host": "api.example.com", "method": method, "path": path, "scheme": "https"},
            "response": {"statusCode": status, "time": time},
        },
    })
}

/// Add-on runtime line `k` (a database's or an operator's own log).
fn resource_line(req: &Request, anchor: OffsetDateTime, k: u64) -> Option<serde_json::Value> {
    let key = format!("{}-r{k}", req.app);
    let roll = pick(&key, 0, 1000);
    let (severity, message) = match roll {
        0..=19 => (
            "ERROR",
            format!(
                "ERROR:  canceling statement due to statement timeout (after {} ms)",
                pick(&key, 5_000, 30_000)
            ),
        ),
        20..=99 => (
            "WARNING",
            format!(
                "WARNING:  checkpoints are occurring too frequently ({} seconds apart)",
                pick(&key, 5, 29)
            ),
        ),
        100..=299 => (
            "INFO",
            format!(
                "LOG:  checkpoint complete: wrote {} buffers; sync files={}",
                pick(&key, 10, 900),
                pick(&key, 1, 40)
            ),
        ),
        _ => (
            "INFO",
            format!(
                "LOG:  connection authorized: user=app database=app ({} ms)",
                pick(&key, 1, 40)
            ),
        ),
    };
    if req
        .filter
        .as_deref()
        .is_some_and(|f| !message.to_lowercase().contains(f))
    {
        return None;
    }
    let data = serde_json::json!({
        "id": k.to_string(),
        "resourceId": req.app,
        "hostname": format!(
            "{}-{}",
            req.app.split('_').next().unwrap_or("addon"),
            pick(&req.app, 1, 9)
        ),
        "instanceId": format!("{}-0", req.app),
        "date": date::format(&time_of(anchor, k)),
        "zone": "par",
        "region": "eu",
        "pid": 100 + pick(&key, 0, 900),
        "facility": "daemon",
        "severity": severity,
        "service": "postgresql",
        "message": message,
    });
    Some(only_fields(data, &req.fields))
}

/// The line with only the `field`s asked (and its id); all of it when none is asked.
fn only_fields(mut data: serde_json::Value, fields: &[String]) -> serde_json::Value {
    if let Some(obj) = data.as_object_mut().filter(|_| !fields.is_empty()) {
        obj.retain(|k, _| k == "id" || fields.iter().any(|f| f == k));
    }
    data
}

/// Application runtime line `k`.
fn app_line(req: &Request, anchor: OffsetDateTime, k: u64) -> Option<serde_json::Value> {
    let key = format!("{}-{k}", req.app);
    let inst = &req.instances
        [(hash(&key, 7) % req.instances.len().max(1) as u64) as usize % req.instances.len().max(1)];
    let burst = (k / 40) % 25 == 3;
    let roll = pick(&key, 0, 1000);
    let (service, severity, priority, message) = if k.is_multiple_of(97) {
        let secs = pick(&key, 20, 240);
        let msg = match roll % 3 {
            0 => format!("build succeeded in {}m{:02}s", secs / 60, secs % 60),
            1 => format!(
                "\u{1b}[32msuccessfully deployed in {}m{:02}s\u{1b}[0m",
                secs / 60,
                secs % 60
            ),
            _ => format!(
                "\u{1b}[31mdeploy failed in {}m{:02}s\u{1b}[0m",
                secs / 60,
                secs % 60
            ),
        };
        ("bas-deploy", "INFO", 6, msg)
    } else if burst || roll < 40 {
        let ms = pick(&key, 200, 30_000);
        (
            "bas",
            "ERROR",
            3,
            format!(
                "\u{1b}[31mERROR\u{1b}[0m upstream timeout after {ms} ms on \u{1b}[1mPOST /api/orders\u{1b}[0m (request {})",
                &key.len()
            ),
        )
    } else if roll < 140 {
        (
            "bas",
            "WARNING",
            4,
            format!(
                "\u{1b}[33mWARN\u{1b}[0m slow query ({} ms): SELECT * FROM orders WHERE customer_id = $1",
                pick(&key, 300, 2000)
            ),
        )
    } else if roll < 160 {
        (
            "cron",
            "INFO",
            6,
            format!(
                "cron: job cleanup-sessions finished, {} rows removed",
                pick(&key, 0, 500)
            ),
        )
    } else {
        let paths = [
            "/",
            "/api/items",
            "/api/orders",
            "/health",
            "/static/app.js",
            "/login",
        ];
        let codes = [200, 200, 200, 201, 204, 304, 404];
        let p = paths[(roll % paths.len() as u64) as usize];
        let c = codes[(roll / 7 % codes.len() as u64) as usize];
        let colour = if c >= 400 { "33" } else { "32" };
        (
            "bas",
            "INFO",
            6,
            format!(
                "\u{1b}[{colour}m{c}\u{1b}[0m GET {p} in {} ms",
                pick(&key, 1, 120)
            ),
        )
    };
    if !(req.services.iter().any(|s| s == "all" || s == service)) {
        return None;
    }
    if req.instance.as_deref().is_some_and(|i| i != inst.id) {
        return None;
    }
    if req
        .deployment
        .as_deref()
        .is_some_and(|d| d != inst.deployment_id)
    {
        return None;
    }
    if req
        .filter
        .as_deref()
        .is_some_and(|f| !message.to_lowercase().contains(f))
    {
        return None;
    }
    let data = serde_json::json!({
        "id": k.to_string(),
        "applicationId": req.app,
        "commitId": req.commit,
        "deploymentId": inst.deployment_id,
        "instanceId": inst.id,
        "date": date::format(&time_of(anchor, k)),
        "zone": "par",
        "region": "eu",
        "pid": 1000 + pick(&key, 0, 3000),
        "facility": "daemon",
        "severity": severity,
        "priority": priority,
        "version": "1",
        "service": service,
        "message": message,
    });
    Some(only_fields(data, &req.fields))
}

/// Sends a heartbeat when none went for `HEARTBEAT`; false once the client is gone.
async fn heartbeat(tx: &mpsc::Sender<Event>, last_send: &mut Instant) -> bool {
    if last_send.elapsed() < HEARTBEAT {
        return true;
    }
    let beat = Event::default().event(event::HEARTBEAT).data("");
    if tx.send(beat).await.is_err() {
        return false;
    }
    *last_send = Instant::now();
    true
}

async fn generate(req: Request, anchor: OffsetDateTime, tx: mpsc::Sender<Event>) {
    let end = |reason: &str| {
        Event::default()
            .event(event::END_OF_STREAM)
            .data(serde_json::json!({ "endedBy": reason }).to_string())
    };
    let mut k = req.start;
    let mut sent = 0u64;
    let mut events = 0u64;
    let mut last_send = Instant::now();
    let mut window = Instant::now();
    let mut in_window = 0u64;
    loop {
        if req.until.is_some_and(|u| k >= u) {
            let _ = tx.send(end("UNTIL_REACHED")).await;
            return;
        }
        let due = time_of(anchor, k);
        let now = OffsetDateTime::now_utc();
        if due > now {
            // Live: wait for the next line, sending heartbeats meanwhile.
            let until_line = Duration::from_millis((due - now).whole_milliseconds().max(0) as u64);
            let until_beat = HEARTBEAT.saturating_sub(last_send.elapsed());
            // A client that went away is noticed at once, not at the next send.
            tokio::select! {
                _ = tokio::time::sleep(until_line.min(until_beat)) => {}
                _ = tx.closed() => return,
            }
            if !heartbeat(&tx, &mut last_send).await {
                return;
            }
            continue;
        }
        let data = line(&req, anchor, k);
        k += 1;
        let Some(data) = data else {
            if !heartbeat(&tx, &mut last_send).await {
                return;
            }
            continue;
        };
        if in_window >= req.throttle_elements {
            let next = window + req.throttle_per;
            tokio::select! {
                _ = tokio::time::sleep_until(next) => {}
                _ = tx.closed() => return,
            }
            window = Instant::now();
            in_window = 0;
        }
        let ev = Event::default()
            .event(req.kind.event())
            .id((k - 1).to_string())
            .data(data.to_string());
        if tx.send(ev).await.is_err() {
            return;
        }
        in_window += 1;
        sent += 1;
        events += 1;
        last_send = Instant::now();
        if req.drop_after.is_some_and(|n| events >= n) {
            // Knob: cut the stream without END_OF_STREAM, as an upstream redeploy would.
            return;
        }
        if req.limit.is_some_and(|l| sent >= l) {
            let _ = tx.send(end("LIMIT_REACHED")).await;
            return;
        }
    }
}
