//! An Otoroshi operator's configuration as YAML.

use crate::downloads::attachment::{DownloadError, attachment};
use crate::http::signed_in::SignedIn;
use crate::state::AppState;
use app::error::AppError;
use app::ids::SegmentId;
use app::model::operators::OperatorKind;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::Response;

/// `GET /download/orgs/{owner}/operators/otoroshi/{id}/config.yaml`: Otoroshi's
/// otoroshictl configuration, streamed as an attachment. The add-on must be an Otoroshi of
/// this owner.
pub async fn otoroshi_config(
    State(state): State<AppState>,
    SignedIn { credentials, .. }: SignedIn,
    Path((owner, id)): Path<(String, String)>,
) -> Result<Response, DownloadError> {
    let owner = SegmentId::parse("owner id", &owner)?;
    let not_found = || AppError::not_found(format!("Otoroshi add-on {id}"));
    let id = match app::logic::operators::check_id(OperatorKind::Otoroshi, &id) {
        Ok(()) => SegmentId::parse("add-on id", &id)?,
        Err(true) => Err(AppError::BadRequest("Invalid add-on id.".into()))?,
        Err(false) => Err(not_found())?,
    };
    let api = state.upstream.with(&credentials);
    match api.operator(OperatorKind::Otoroshi, &id).await {
        Ok(op) if op.owner_id == owner.as_str() => {}
        Ok(_) | Err(AppError::NotFound { .. }) => Err(not_found())?,
        Err(e) => Err(e)?,
    }
    let upstream = api.otoroshi_config(&id).await?;
    Ok(attachment(
        Body::from_stream(upstream.bytes_stream()),
        "application/yaml; charset=utf-8",
        &format!("otoroshi-{id}-config.yaml"),
    ))
}
