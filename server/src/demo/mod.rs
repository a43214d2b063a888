//! The demo upstream: a simulated Clever Cloud API over real HTTP on loopback, with seeded
//! data, in-memory mutations, a live log generator and knobs for latency, errors and dropped
//! streams. The dashboard talks to it through its ordinary upstream client.

mod data;
mod handlers;
mod ids;
mod logs;
pub mod oauth;
mod pdf;

pub use data::{acme_id, app_id, globex_id, hostile_id, real_id, user_id};

use crate::config::DemoKnobs;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use data::{Mutable, World};
use std::collections::{HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The token the demo always accepts.
pub const DEMO_TOKEN: &str = "demo";

/// Shared state of the demo upstream.
pub struct Demo {
    world: World,
    mutable: Mutex<Mutable>,
    knobs: DemoKnobs,
    tokens: Mutex<HashSet<String>>,
    requests: AtomicU64,
    /// The last requests received (method, path and query; never headers), for tests.
    seen: Mutex<VecDeque<String>>,
    /// Log streams being generated right now, for tests of the relay.
    open_streams: Arc<std::sync::atomic::AtomicUsize>,
    /// The demo as an OAuth provider ("Sign in with Clever Cloud").
    oauth: oauth::Provider,
}

/// How many requests `/demo/requests` remembers.
const SEEN_MAX: usize = 2000;

type Shared = Arc<Demo>;

impl Demo {
    fn new(knobs: DemoKnobs) -> Self {
        let now = time::OffsetDateTime::now_utc();
        let start = knobs
            .epoch
            .and_then(|secs| time::OffsetDateTime::from_unix_timestamp(secs).ok())
            .filter(|start| *start <= now)
            .unwrap_or(now);
        let (world, mutable) = World::build(start);
        Self {
            world,
            mutable: Mutex::new(mutable),
            knobs,
            tokens: Mutex::new(HashSet::new()),
            requests: AtomicU64::new(0),
            seen: Mutex::new(VecDeque::new()),
            open_streams: Arc::default(),
            oauth: oauth::Provider::default(),
        }
    }

    fn state(&self) -> MutexGuard<'_, Mutable> {
        // A poisoned lock only means a handler panicked mid-update; the data is still usable.
        self.mutable.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn accepts(&self, token: &str) -> bool {
        token == DEMO_TOKEN
            || self
                .tokens
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains(token)
    }
}

/// Starts the demo upstream on loopback; returns where it listens.
pub async fn spawn(knobs: DemoKnobs) -> std::io::Result<SocketAddr> {
    let addr = knobs
        .bind
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    if !addr.ip().is_loopback() {
        return Err(std::io::Error::other(
            "the demo upstream binds loopback only",
        ));
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let app = router(Arc::new(Demo::new(knobs)));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app.into_make_service()).await {
            tracing::error!(error = %e, "demo upstream stopped");
        }
    });
    Ok(bound)
}

fn router(demo: Shared) -> Router {
    use handlers::*;
    let drains = "/v4/drains/organisations/{owner}/resources/{resource}/drains";
    let app = "/v4/orchestration/organisations/{owner}/applications/{app}";
    let addon = "/v4/addon-providers/{provider}/addons/{id}";
    Router::new()
        .route("/v2/self", get(self_user))
        .route("/v2/summary", get(summary))
        .route("/v4/billing/organisations/{owner}/invoices", get(invoices))
        .route(
            "/v4/billing/organisations/{owner}/invoices/{number}",
            get(invoice),
        )
        .route(&format!("{app}/deployments"), get(deployments))
        .route(&format!("{app}/deployments/{{id}}"), get(deployment))
        .route(&format!("{app}/instances"), get(instances))
        .route(&format!("{app}/instances/{{id}}"), get(instance))
        .route(
            "/v4/load-balancers/organisations/{owner}/applications/{app}/load-balancers/default",
            get(load_balancers),
        )
        .route(
            "/v4/logs/organisations/{owner}/applications/{app}/logs",
            get(logs::stream),
        )
        .route(drains, get(list_drains).post(create_drain))
        .route(
            &format!("{drains}/{{id}}"),
            get(get_drain).delete(delete_drain),
        )
        .route(&format!("{drains}/{{id}}/enable"), put(enable_drain))
        .route(&format!("{drains}/{{id}}/disable"), put(disable_drain))
        .route(
            &format!("{drains}/{{id}}/test-command"),
            get(drain_test_command),
        )
        .route(
            &format!("{drains}/{{id}}/reset-cursor"),
            axum::routing::patch(reset_drain_cursor),
        )
        .route(addon, get(operator))
        .route(&format!("{addon}/reboot"), post(operator_reboot))
        .route(&format!("{addon}/rebuild"), post(operator_rebuild))
        .route(
            &format!("{addon}/version/check"),
            get(operator_version_check),
        )
        .route(
            &format!("{addon}/version/update"),
            post(operator_version_update),
        )
        .route(
            &format!("{addon}/networkgroup"),
            post(network_group_on).delete(network_group_off),
        )
        .route(&format!("{addon}/config.yaml"), get(otoroshi_config))
        .route(
            &format!("{addon}/storage-policies"),
            get(pulsar_policies).patch(patch_pulsar_policies),
        )
        .route("/v4/products/zones", get(zones))
        .route("/v4/products/zones/{name}", get(zone))
        .route(
            "/v2/self/tokens/{token}",
            axum::routing::delete(oauth::revoke),
        )
        .layer(middleware::from_fn_with_state(demo.clone(), authenticate))
        .route("/v2/oauth/request_token", post(oauth::request_token))
        .route(
            "/v2/oauth/authorize",
            get(oauth::authorize_page).post(oauth::authorize),
        )
        .route("/v2/oauth/access_token", post(oauth::access_token))
        .route("/demo/tokens", post(issue_token))
        .route("/demo/requests", get(seen_requests).delete(forget_requests))
        .route("/demo/streams", get(open_streams))
        .route("/demo/oauth", get(oauth::issued))
        .layer(middleware::from_fn_with_state(demo.clone(), knobs))
        .fallback(|| async { api_error(StatusCode::NOT_FOUND, "No such endpoint") })
        .with_state(demo)
}

/// An error in the upstream's shape: `{id, message, type}`.
pub(crate) fn api_error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "id": status.as_u16(), "message": message, "type": "error" });
    (status, axum::Json(body)).into_response()
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

/// API tokens as `Bearer`; OAuth access tokens signed per request (the signature, nonce and
/// timestamp checked, and the right the call needs granted to the demo consumer).
async fn authenticate(State(demo): State<Shared>, mut req: Request, next: Next) -> Response {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if let Some(t) = authorization.strip_prefix("Bearer ") {
        if demo.accepts(t) {
            return next.run(req).await;
        }
    } else if authorization.starts_with("OAuth ") {
        let signer = match oauth::check_call(&demo, &req) {
            Ok(token) => token,
            Err(why) => return api_error(StatusCode::UNAUTHORIZED, why),
        };
        if let Some(right) = oauth::missing_right(&demo, req.method(), req.uri().path()) {
            return api_error(
                StatusCode::FORBIDDEN,
                &format!("The consumer was not granted the right {right}"),
            );
        }
        req.extensions_mut().insert(oauth::OAuthSigner(signer));
        return next.run(req).await;
    }
    api_error(StatusCode::UNAUTHORIZED, "Invalid or expired token")
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

/// `DELETE /demo/requests`: forget them.
async fn forget_requests(State(demo): State<Shared>) -> Response {
    demo.seen.lock().unwrap_or_else(|p| p.into_inner()).clear();
    StatusCode::NO_CONTENT.into_response()
}

/// Latency, error rate, the request log and the `Sozu-Id` header on every answer.
async fn knobs(State(demo): State<Shared>, req: Request, next: Next) -> Response {
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
    if demo.knobs.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(demo.knobs.latency_ms)).await;
    }
    let rate = demo.knobs.error_rate.clamp(0.0, 1.0);
    // Deterministic: exactly `rate` of the requests fail, spread evenly.
    let fails = ((n + 1) as f64 * rate).floor() > (n as f64 * rate).floor();
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
