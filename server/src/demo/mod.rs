//! The demo upstream: a simulated Clever Cloud API over real HTTP on loopback, with seeded
//! data, in-memory mutations, a live log generator and knobs for latency, errors and dropped
//! streams. The dashboard talks to it through its ordinary upstream client.
//!
//! Layout: one module per API area (`navigation`, `billing`, `orchestration`, `logs`,
//! `drains`, `operators`, `pulsar`, `products`), each holding its seeds, its handlers and its
//! `routes()` (billing's invoice line items have a file of their own, `invoice_lines`); `world`
//! builds the seeded world from them; shared pieces have their own files:
//! `auth` (the token and signature check), `control` (latency and error knobs, the request
//! log, the `/demo/*` endpoints tests use), `params` (query parsing, error answers), `ids`,
//! `pdf`, and `oauth` (the demo as an OAuth provider).

mod auth;
mod billing;
mod control;
mod drains;
mod ids;
mod invoice_lines;
mod logs;
mod navigation;
pub mod oauth;
mod operators;
mod orchestration;
mod params;
mod pdf;
mod products;
mod pulsar;
mod world;

pub use world::{acme_id, app_id, globex_id, hostile_id, real_id, user_id};

use crate::config::DemoKnobs;
use axum::Router;
use axum::http::StatusCode;
use axum::middleware::{self};
use axum::response::{IntoResponse, Response};
use std::collections::{HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};
use world::{Mutable, World};

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
    /// Invoice details being answered now, and the most at once (for the bound's test).
    details_in_flight: std::sync::atomic::AtomicUsize,
    details_peak: std::sync::atomic::AtomicUsize,
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
        let extra = knobs.invoices_per_month.saturating_sub(1);
        let (world, mutable) = World::build(start, extra);
        Self {
            world,
            mutable: Mutex::new(mutable),
            knobs,
            tokens: Mutex::new(HashSet::new()),
            requests: AtomicU64::new(0),
            seen: Mutex::new(VecDeque::new()),
            details_in_flight: Default::default(),
            details_peak: Default::default(),
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
    Router::new()
        .merge(navigation::routes())
        .merge(billing::routes())
        .merge(orchestration::routes())
        .merge(logs::routes())
        .merge(drains::routes())
        .merge(operators::routes())
        .merge(pulsar::routes())
        .merge(products::routes())
        .route(
            "/v2/self/tokens/{token}",
            axum::routing::delete(oauth::revoke),
        )
        .layer(middleware::from_fn_with_state(
            demo.clone(),
            auth::authenticate,
        ))
        .merge(oauth::handshake_routes())
        .merge(control::routes())
        .layer(middleware::from_fn_with_state(demo.clone(), control::knobs))
        .fallback(|| async { api_error(StatusCode::NOT_FOUND, "No such endpoint") })
        .with_state(demo)
}

/// An error in the upstream's shape: `{id, message, type}`.
pub(crate) fn api_error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "id": status.as_u16(), "message": message, "type": "error" });
    (status, axum::Json(body)).into_response()
}
