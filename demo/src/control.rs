//! What tests and benchmarks steer the demo with: the knobs on every answer (latency, an
//! error rate, the `Sozu-Id` header), the log of requests received, and the `/demo/*`
//! endpoints (issue a token, read or forget the request log, count open log streams).

use crate::ids;
use crate::params::api_error;
use crate::state::{SEEN_MAX, Shared};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/demo/tokens", post(issue_token))
        .route("/demo/break", post(break_one).delete(repair_all))
        .route("/demo/requests", get(seen_requests).delete(forget_requests))
        .route("/demo/streams", get(open_streams))
        .route(
            "/demo/concurrency",
            get(concurrency).delete(forget_concurrency),
        )
}

/// `POST /demo/tokens`: a new token the demo will accept (as the same user).
async fn issue_token(State(demo): State<Shared>) -> Response {
    let n = demo.requests.load(Ordering::Relaxed);
    let token = format!(
        "demo_{}",
        ids::uuid(&format!("token-{n}-{:?}", std::time::Instant::now()))
    );
    demo.tokens
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(token.clone());
    axum::Json(serde_json::json!({ "apiToken": token })).into_response()
}

/// What `POST /demo/break` takes.
#[derive(serde::Deserialize)]
struct Break {
    /// `app_down`, `http_5xx`, `cpu`, `mem`, `deployment_failed`, `deploy_fails`,
    /// `token_expiry`, `anonymous_authors`.
    what: String,
    #[serde(default)]
    app: Option<String>,
    #[serde(default)]
    days: Option<i64>,
    /// `false` repairs it.
    #[serde(default = "yes")]
    on: bool,
}

fn yes() -> bool {
    true
}

/// `POST /demo/break`: breaks (or, with `"on": false`, repairs) one thing on purpose: an
/// application taken down (its instances stop), answering 5xx (half its requests), its CPU
/// pinned at 97 % (`cpu`), its memory at 96 % (`mem`), its latest deployment failed, its next
/// deployments failing (`deploy_fails`), or the current token expiring in `days`.
async fn break_one(State(demo): State<Shared>, axum::Json(b): axum::Json<Break>) -> Response {
    let mut breaks = demo.breaks.lock().unwrap_or_else(|p| p.into_inner());
    let app = || {
        b.app
            .clone()
            .filter(|a| demo.world.instances.contains_key(a))
    };
    let set = match b.what.as_str() {
        "app_down" => Some(&mut breaks.down),
        "http_5xx" => Some(&mut breaks.errors),
        "cpu" => Some(&mut breaks.hot),
        "mem" => Some(&mut breaks.heavy),
        "deployment_failed" => Some(&mut breaks.failed),
        "deploy_fails" => Some(&mut breaks.deploy_fails),
        "token_expiry" => {
            breaks.token_days = b.on.then_some(b.days.unwrap_or(3));
            return StatusCode::NO_CONTENT.into_response();
        }
        "anonymous_authors" => {
            breaks.anonymous_authors = b.on;
            return StatusCode::NO_CONTENT.into_response();
        }
        _ => None,
    };
    match (set, app()) {
        (Some(set), Some(app)) => {
            if b.on {
                set.insert(app);
            } else {
                set.remove(&app);
            }
            StatusCode::NO_CONTENT.into_response()
        }
        _ => api_error(
            StatusCode::BAD_REQUEST,
            "what must be app_down, http_5xx, cpu, mem, deployment_failed, deploy_fails or token_expiry, with a known app",
        ),
    }
}

/// `DELETE /demo/break`: repairs everything.
async fn repair_all(State(demo): State<Shared>) -> Response {
    *demo.breaks.lock().unwrap_or_else(|p| p.into_inner()) = Default::default();
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /demo/requests`: the requests received so far, oldest first.
async fn seen_requests(State(demo): State<Shared>) -> Response {
    let seen = demo.seen.lock().unwrap_or_else(|p| p.into_inner());
    axum::Json(seen.iter().collect::<Vec<_>>()).into_response()
}

/// `GET /demo/streams`: how many log streams are being generated now.
async fn open_streams(State(demo): State<Shared>) -> Response {
    axum::Json(demo.open_streams.load(Ordering::SeqCst)).into_response()
}

/// `GET /demo/concurrency`: the most invoice details (JSON), and the most API calls of any
/// kind, ever asked at the same time.
async fn concurrency(State(demo): State<Shared>) -> Response {
    axum::Json(serde_json::json!({
        "invoiceDetails": demo.details_peak.load(Ordering::SeqCst),
        "api": demo.api_peak.load(Ordering::SeqCst)
    }))
    .into_response()
}

/// `DELETE /demo/concurrency`: start counting again.
async fn forget_concurrency(State(demo): State<Shared>) -> Response {
    demo.details_peak.store(0, Ordering::SeqCst);
    demo.api_peak.store(0, Ordering::SeqCst);
    StatusCode::NO_CONTENT.into_response()
}

/// Whether `path` asks one invoice's JSON details.
fn is_invoice_detail(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    matches!(
        parts.as_slice(),
        ["v4", "billing", "organisations", _, "invoices", n] if !n.contains('.')
    )
}

/// Counts one invoice-detail request in flight while it lives.
struct InFlight<'a>(&'a AtomicUsize);

impl<'a> InFlight<'a> {
    /// One more request counted in `now`, whose most is kept in `peak`.
    fn enter(now: &'a AtomicUsize, peak: &AtomicUsize) -> Self {
        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
        peak.fetch_max(n, Ordering::SeqCst);
        Self(now)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// `DELETE /demo/requests`: forget them.
async fn forget_requests(State(demo): State<Shared>) -> Response {
    demo.seen.lock().unwrap_or_else(|p| p.into_inner()).clear();
    StatusCode::NO_CONTENT.into_response()
}

/// Latency, error rate, the request log and the `Sozu-Id` header on every answer.
pub(crate) async fn knobs(State(demo): State<Shared>, req: Request, next: Next) -> Response {
    let n = demo.requests.fetch_add(1, Ordering::Relaxed);
    if !req.uri().path().starts_with("/demo/") {
        let mut seen = demo.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() == SEEN_MAX {
            seen.pop_front();
        }
        seen.push_back(format!("{} {}", req.method(), req.uri()));
    }
    // Never the path of a token's revocation: it names the token.
    let path = req.uri().path();
    let path = if path.starts_with("/v2/self/tokens/") {
        "/v2/self/tokens/{token}"
    } else {
        path
    };
    tracing::debug!(n, path, "demo request");
    let _in_flight = is_invoice_detail(path)
        .then(|| InFlight::enter(&demo.details_in_flight, &demo.details_peak));
    let _api =
        (!path.starts_with("/demo/")).then(|| InFlight::enter(&demo.api_in_flight, &demo.api_peak));
    if demo.knobs.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(demo.knobs.latency_ms)).await;
    }
    let rate = demo.knobs.error_rate.clamp(0.0, 1.0);
    // Deterministic: exactly `rate` of the requests fail, spread evenly.
    let fails = ((n + 1) as f64 * rate).floor() > (n as f64 * rate).floor()
        || demo
            .knobs
            .broken_owner
            .as_deref()
            .is_some_and(|o| !o.is_empty() && req.uri().path().contains(o));
    let mut resp = if fails && !req.uri().path().starts_with("/demo/") {
        api_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Demo upstream: injected failure",
        )
    } else {
        next.run(req).await
    };
    if let Ok(v) = HeaderValue::from_str(&format!("demo-{n:08x}")) {
        resp.headers_mut().insert("sozu-id", v);
    }
    resp
}
