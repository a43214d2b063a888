//! Products (`/v4/products/zones`): the public zones, and private ones of some owners.

pub(crate) mod seed;

use crate::params::{Params, Reply, all, not_found, one};
use crate::state::Shared;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/v4/products/zones", get(zones))
        .route("/v4/products/zones/{name}", get(zone))
}

// --- handlers -------------------------------------------------------------------------------

/// `GET /v4/products/zones?tag&ownerId`: public zones, plus the owner's private ones.
async fn zones(State(demo): State<Shared>, Query(q): Params) -> Reply {
    let tags = all(&q, "tag");
    let owner = one(&q, "ownerId");
    let list: Vec<_> = demo
        .world
        .zones
        .iter()
        .filter(|(_, private_to)| private_to.is_none() || private_to.as_deref() == owner)
        .filter(|(z, _)| tags.iter().all(|t| z.tags.iter().any(|zt| zt == t)))
        .map(|(z, _)| z)
        .collect();
    Ok(Json(list).into_response())
}

/// `GET /v4/products/zones/{name}`.
async fn zone(State(demo): State<Shared>, Path(name): Path<String>) -> Reply {
    let (z, _) = demo
        .world
        .zones
        .iter()
        .find(|(z, _)| z.name == name)
        .ok_or_else(|| not_found("Zone"))?;
    Ok(Json(z).into_response())
}
