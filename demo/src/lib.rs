//! The demo upstream: a simulated Clever Cloud API over real HTTP on loopback, with seeded
//! data, in-memory mutations, a live log generator and knobs for latency, errors and dropped
//! streams. The dashboard talks to it through its ordinary upstream client; being a crate of
//! its own, none of it can reach a production path by accident.
//!
//! Layout: one module per API area (`navigation`, `billing`, `orchestration`, `logs`,
//! `drains`, `operators`, `pulsar`, `products`), each holding its handlers and `routes()`, and
//! where the area has seeded data, a `seed` module beside them. `cast` names the owners and
//! their applications and add-ons (a leaf every seed reads); `world` assembles the seeded world
//! from the cast and the areas' seeds; `state` holds it with what users changed. Shared
//! pieces: `auth` (the token and signature check), `control` (latency and error knobs, the
//! request log, the `/demo/*` endpoints tests use), `params` (query parsing, answers in the
//! upstream's error shape), `ids`, `knobs`, and `oauth` (the demo as an OAuth provider).

mod auth;
mod billing;
mod cast;
mod control;
mod drains;
mod html;
mod ids;
mod knobs;
mod logs;
mod navigation;
pub mod oauth_provider;
mod operators;
mod orchestration;
mod params;
mod products;
mod pulsar;
mod state;
mod stats;
mod world;

pub use cast::{acme_id, app_id, globex_id, hostile_id, real_id, user_id};
pub use knobs::DemoKnobs;
pub use state::DEMO_TOKEN;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware;
use params::api_error;
use state::{Demo, Shared};
use std::net::SocketAddr;
use std::sync::Arc;

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
        .merge(stats::routes())
        .route(
            "/v2/self/tokens/{token}",
            axum::routing::delete(oauth_provider::revoke),
        )
        .layer(middleware::from_fn_with_state(
            demo.clone(),
            auth::authenticate,
        ))
        .merge(oauth_provider::handshake_routes())
        .merge(control::routes())
        // Unknown paths too are logged and slowed like the rest (a readiness probe asks `/`).
        .fallback(|| async { api_error(StatusCode::NOT_FOUND, "No such endpoint") })
        .layer(middleware::from_fn_with_state(demo.clone(), control::knobs))
        .with_state(demo)
}
