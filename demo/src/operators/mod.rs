//! Operators (`/v4/addon-providers/addon-{kind}`): Keycloak, Matomo, Metabase and Otoroshi
//! add-ons, with their versions, network group and (Otoroshi) configuration file.

pub(crate) mod seed;

use crate::ids::uuid;
use crate::params::{ApiError, Reply, bad, not_found};
use crate::state::Shared;
use app::model::operators::{NetworkGroup, Operator, OperatorKind, VersionUpdate};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};

pub(crate) fn routes() -> Router<Shared> {
    let addon = "/v4/addon-providers/{provider}/addons/{id}";
    Router::new()
        .route(addon, get(operator))
        .route(&format!("{addon}/reboot"), post(operator_reboot))
        .route(&format!("{addon}/rebuild"), post(operator_reboot))
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
}

// --- handlers -------------------------------------------------------------------------------

fn operator_kind(provider: &str, id: &str) -> Option<OperatorKind> {
    let kind = OperatorKind::from_segment(provider.strip_prefix("addon-")?)?;
    (OperatorKind::of_real_id(id) == Some(kind)).then_some(kind)
}

/// Refuses an endpoint the operator kind does not have.
fn offers(has: bool, feature: &str) -> Result<(), ApiError> {
    if has { Ok(()) } else { Err(not_found(feature)) }
}

/// Runs `f` on the operator `id` of `provider`, if there is one.
fn with_operator(
    demo: &Shared,
    provider: &str,
    id: &str,
    f: impl FnOnce(OperatorKind, &mut Operator) -> Reply,
) -> Reply {
    let kind = operator_kind(provider, id).ok_or_else(|| not_found("Operator"))?;
    let mut state = demo.state();
    let op = state
        .operators
        .get_mut(id)
        .ok_or_else(|| not_found("Operator"))?;
    f(kind, op)
}

/// `GET /v4/addon-providers/addon-{kind}/addons/{id}`.
async fn operator(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
) -> Reply {
    let garble = demo.knobs.garble_operators;
    with_operator(&demo, &provider, &id, |_, op| {
        Ok(if garble {
            Json(vec![op.clone()]).into_response()
        } else {
            Json(op.clone()).into_response()
        })
    })
}

/// `POST .../reboot` and `POST .../rebuild` (204).
async fn operator_reboot(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
) -> Reply {
    with_operator(&demo, &provider, &id, |_, _| {
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

/// `GET .../version/check` (not for Matomo).
async fn operator_version_check(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
) -> Reply {
    with_operator(&demo, &provider, &id, |kind, op| {
        offers(kind.has_versions(), "Version management")?;
        let latest = op.available_versions.last().cloned().unwrap_or_default();
        Ok(Json(serde_json::json!({
            "installed": op.version,
            "latest": latest,
            "available": op.available_versions,
            "needUpdate": latest != op.version,
        }))
        .into_response())
    })
}

/// `POST .../version/update` with `{targetVersion}`.
async fn operator_version_update(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    let update = serde_json::from_slice::<VersionUpdate>(&body)
        .map_err(|_| bad("Invalid body: expected {\"targetVersion\": \"x.y.z\"}"))?;
    with_operator(&demo, &provider, &id, |kind, op| {
        offers(kind.has_versions(), "Version management")?;
        if !op.available_versions.contains(&update.target_version) {
            return Err(bad(&format!(
                "Version {} is not available",
                update.target_version
            )));
        }
        op.version = update.target_version.clone();
        Ok(Json(op.clone()).into_response())
    })
}

/// `POST .../networkgroup` (202 with the operator).
async fn network_group_on(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
) -> Reply {
    with_operator(&demo, &provider, &id, |kind, op| {
        offers(kind.has_network_group(), "Network group feature")?;
        let features = op.features.get_or_insert_with(Default::default);
        features.network_group = Some(NetworkGroup {
            id: format!("ng_{}", uuid(&format!("{id}-ng"))),
        });
        Ok((StatusCode::ACCEPTED, Json(op.clone())).into_response())
    })
}

/// `DELETE .../networkgroup` (204).
async fn network_group_off(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
) -> Reply {
    with_operator(&demo, &provider, &id, |kind, op| {
        offers(kind.has_network_group(), "Network group feature")?;
        if let Some(f) = op.features.as_mut() {
            f.network_group = None;
        }
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

/// `GET /v4/addon-providers/addon-otoroshi/addons/{id}/config.yaml`.
async fn otoroshi_config(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
) -> Reply {
    if provider != "addon-otoroshi" {
        return Err(not_found("Configuration"));
    }
    with_operator(&demo, &provider, &id, |_, op| {
        let api = op.api.clone().unwrap_or_default();
        let yaml = format!(
            "apiVersion: v1\nkind: OtoroshiCtlConfig\nmetadata: {{}}\ncluster_configs:\n- name: {name}\n  cluster:\n    hostname: {host}\n    port: 443\n    tls: true\n  user:\n    client_id: {user}\n    client_secret: {secret}\ncurrent_context: {name}\n",
            name = op.name,
            host = api.url.unwrap_or_default().trim_start_matches("https://"),
            user = api.user.unwrap_or_default(),
            secret = api.secret.unwrap_or_default(),
        );
        let headers = [
            (header::CONTENT_TYPE, "application/yaml"),
            (header::SET_COOKIE, "upstream_session=secret; Path=/"),
        ];
        Ok((headers, yaml).into_response())
    })
}
