//! Pulsar storage policies (`/v4/addon-providers/addon-pulsar/addons/{id}/storage-policies`):
//! read, and patched field by field as upstream.

pub(crate) mod seed;

use crate::params::{Reply, bad, not_found};
use crate::state::Shared;
use app::model::pulsar::{Policy, StoragePolicies};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};

pub(crate) fn routes() -> Router<Shared> {
    Router::new().route(
        "/v4/addon-providers/{provider}/addons/{id}/storage-policies",
        get(pulsar_policies).patch(patch_pulsar_policies),
    )
}

// --- handlers -------------------------------------------------------------------------------

/// `GET .../addon-pulsar/addons/{id}/storage-policies`.
async fn pulsar_policies(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
) -> Reply {
    if provider != "addon-pulsar" {
        return Err(not_found("Storage policies"));
    }
    let policies = *demo
        .state()
        .pulsar
        .get(&id)
        .ok_or_else(|| not_found("Pulsar add-on"))?;
    Ok(Json(policies).into_response())
}

fn merge_policy(
    current: Option<Policy>,
    patch: &serde_json::Value,
) -> Result<Option<Policy>, String> {
    let Some(obj) = patch.as_object() else {
        return if patch.is_null() {
            Ok(None)
        } else {
            Err("a policy must be an object or null".into())
        };
    };
    let mut p = current.unwrap_or_default();
    for (key, value) in obj {
        let v = match value {
            serde_json::Value::Null => None,
            v => Some(
                v.as_i64()
                    .ok_or_else(|| format!("{key} must be an integer or null"))?,
            ),
        };
        match key.as_str() {
            "sizeInBytes" => p.size_in_bytes = v,
            "durationInMinutes" => p.duration_in_minutes = v,
            other => return Err(format!("unknown field {other}")),
        }
    }
    Ok(Some(p))
}

/// `PATCH .../storage-policies`: only the fields sent change.
async fn patch_pulsar_policies(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    if provider != "addon-pulsar" {
        return Err(not_found("Storage policies"));
    }
    let Ok(serde_json::Value::Object(patch)) = serde_json::from_slice::<serde_json::Value>(&body)
    else {
        return Err(bad("Invalid body: expected a JSON object"));
    };
    let mut state = demo.state();
    let current = state
        .pulsar
        .get_mut(&id)
        .ok_or_else(|| not_found("Pulsar add-on"))?;
    let mut next: StoragePolicies = *current;
    for (key, value) in &patch {
        let merged = match key.as_str() {
            "retentionPolicies" => {
                merge_policy(next.retention_policies, value).map(|p| next.retention_policies = p)
            }
            "offloadPolicies" => {
                merge_policy(next.offload_policies, value).map(|p| next.offload_policies = p)
            }
            other => Err(format!("unknown field {other}")),
        };
        merged.map_err(|m| bad(&format!("Invalid policies: {m}")))?;
    }
    *current = next;
    Ok(Json(next).into_response())
}
