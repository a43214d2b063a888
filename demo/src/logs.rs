//! The demo's live log generator: `GET /v4/logs/.../logs` as server-sent events.
//!
//! Line `k` of an application exists at `anchor + k × PERIOD`, with content derived from `k`,
//! so any range can be replayed identically: `since`/`until` map to line numbers, the SSE `id`
//! is `k`, and `Last-Event-ID: k` resumes at `k + 1` with nothing lost or repeated.

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

/// What a stream was asked for, validated.
struct Request {
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
    axum::Router::new().route(
        "/v4/logs/organisations/{owner}/applications/{app}/logs",
        axum::routing::get(stream),
    )
}

/// `GET /v4/logs/organisations/{owner}/applications/{app}/logs`.
async fn stream(
    State(demo): State<Shared>,
    Path((owner, app)): Path<(String, String)>,
    Query(q): Params,
    headers: HeaderMap,
) -> Reply {
    if !owns(&demo, &owner, &app) {
        return Err(not_found("Application"));
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
    let instances: Vec<Instance> = demo.world.instances[&app]
        .iter()
        .filter(|i| !i.is_build_vm && i.state != InstanceState::Deleted)
        .cloned()
        .collect();
    let instances = if instances.is_empty() {
        demo.world.instances[&app].clone()
    } else {
        instances
    };
    let req = Request {
        commit: demo.world.deployments[&app]
            .last()
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
    let mut data = serde_json::json!({
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
    if let Some(obj) = data.as_object_mut().filter(|_| !req.fields.is_empty()) {
        obj.retain(|k, _| k == "id" || req.fields.iter().any(|f| f == k));
    }
    Some(data)
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
            .event(event::APPLICATION_LOG)
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
