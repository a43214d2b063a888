//! Operator panels (Keycloak, Matomo, Metabase, Otoroshi): read, actions, secrets on demand.

use crate::error::AppError;
use crate::model::operators::{Operator, OperatorKind, VersionCheck};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A panel's data: the operator (secrets masked) and, for kinds that have it, its version
/// check (fetched at the same time; it fails on its own).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OperatorPanel {
    pub kind: OperatorKind,
    pub operator: Operator,
    pub version: Option<Result<VersionCheck, AppError>>,
}

/// Checks owner, kind and id; a malformed id is a 400, an id of another kind a 404, both
/// before any upstream call.
#[cfg(feature = "ssr")]
fn checked(
    owner: &str,
    kind: &str,
    id: &str,
) -> Result<(crate::ids::SegmentId, OperatorKind, crate::ids::SegmentId), AppError> {
    use crate::ids::SegmentId;
    let owner = SegmentId::parse("owner id", owner)?;
    let kind = OperatorKind::from_segment(kind).ok_or_else(|| {
        AppError::not_found(format!(
            "an operator kind \"{}\"",
            crate::logic::filters::clip(kind)
        ))
    })?;
    match crate::logic::operators::check_id(kind, id) {
        Ok(()) => {}
        Err(true) => {
            return Err(SegmentId::parse("add-on id", id)
                .err()
                .unwrap_or(AppError::BadRequest("Invalid add-on id.".into())));
        }
        Err(false) => return Err(missing(kind, id)),
    }
    Ok((owner, kind, SegmentId::parse("add-on id", id)?))
}

/// The add-on's "not found": the same whether its id is of another kind, the upstream does
/// not know it, or another organisation owns it.
#[cfg(feature = "ssr")]
fn missing(kind: OperatorKind, id: impl std::fmt::Display) -> AppError {
    AppError::not_found(format!("{} add-on {id}", kind.label()))
}

/// `op` when `owner` owns it (the URL's organisation must be the add-on's).
#[cfg(feature = "ssr")]
fn owned_by(
    op: Operator,
    owner: &crate::ids::SegmentId,
    kind: OperatorKind,
    id: &crate::ids::SegmentId,
) -> Result<Operator, AppError> {
    if op.owner_id == owner.as_str() {
        Ok(op)
    } else {
        Err(missing(kind, id))
    }
}

/// The operator, owned by `owner`, with its version check.
#[server(prefix = "/api", endpoint = "operator")]
pub async fn load_operator(
    owner: String,
    kind: String,
    id: String,
) -> Result<OperatorPanel, AppError> {
    let (owner, kind, id) = checked(&owner, &kind, &id)?;
    crate::ssr::authed_call(async |api| {
        let version = async {
            if kind.has_versions() {
                Some(api.operator_version_check(kind, &id).await)
            } else {
                None
            }
        };
        let (op, version) = futures::join!(api.operator(kind, &id), version);
        let op = op.map_err(|e| match e {
            AppError::NotFound { .. } => missing(kind, &id),
            other => other,
        })?;
        let op = owned_by(op, &owner, kind, &id)?;
        Ok(OperatorPanel {
            kind,
            operator: crate::logic::operators::redact(op),
            version,
        })
    })
    .await
}

/// Why a secret is not revealed to a session that signed in too long ago.
pub const REAUTH_MESSAGE: &str =
    "Sign in again to see this secret: secrets are shown only to a recent sign-in.";

/// One secret, asked for by the user: `credentials` (the admin password) or `api` (the
/// Otoroshi API secret), to a session that signed in lately (`RevealWithin`).
#[server(prefix = "/api", endpoint = "operator_secret")]
pub async fn reveal_operator_secret(
    owner: String,
    kind: String,
    id: String,
    which: String,
) -> Result<String, AppError> {
    use crate::ssr::session::{RevealWithin, current_session, signed_in_within};
    let (owner, kind, id) = checked(&owner, &kind, &id)?;
    let within = use_context::<RevealWithin>().unwrap_or_default();
    if !signed_in_within(&current_session().await?, within).await {
        return Err(AppError::BadRequest(REAUTH_MESSAGE.into()));
    }
    let op = crate::ssr::authed_call(async |api| api.operator(kind, &id).await).await?;
    let op = owned_by(op, &owner, kind, &id)?;
    let (action, secret) = match which.as_str() {
        "credentials" => (
            "operator.reveal_credentials",
            op.initial_credentials.map(|c| c.password),
        ),
        "api" => ("operator.reveal_api_secret", op.api.and_then(|a| a.secret)),
        _ => ("operator.reveal_unknown", None),
    };
    let secret = secret.ok_or_else(|| AppError::not_found("such a secret".to_owned()));
    crate::ssr::session::audited(action, owner.as_str(), id.as_str(), secret).await
}

/// Reboot, rebuild, update to `version`, or turn the network group on or off; a sentence
/// saying what was done.
#[server(prefix = "/api", endpoint = "operator_action")]
pub async fn operator_action(
    owner: String,
    kind: String,
    id: String,
    action: String,
    version: Option<String>,
) -> Result<String, AppError> {
    use crate::model::operators::VersionUpdate;
    let (owner, kind, id) = checked(&owner, &kind, &id)?;
    let audit = match action.as_str() {
        "reboot" => "operator.reboot",
        "rebuild" => "operator.rebuild",
        "update" => "operator.update_version",
        "network_on" => "operator.network_group_on",
        "network_off" => "operator.network_group_off",
        _ => "operator.unknown_action",
    };
    crate::ssr::may_act().await?;
    let done = crate::ssr::authed_call(async |api| {
        let op = owned_by(api.operator(kind, &id).await?, &owner, kind, &id)?;
        match action.as_str() {
            "reboot" => api
                .reboot_operator(kind, &id)
                .await
                .map(|_| format!("{} is restarting.", op.name)),
            "rebuild" => api
                .rebuild_operator(kind, &id)
                .await
                .map(|_| format!("{} is being rebuilt and restarted.", op.name)),
            "update" if kind.has_versions() => {
                let v = version.as_deref().map(str::trim).unwrap_or_default();
                if !op.available_versions.iter().any(|a| a == v) {
                    return Err(AppError::BadRequest(format!(
                        "Version must be one of the available ones (got \"{}\").",
                        crate::logic::filters::clip(v)
                    )));
                }
                let body = VersionUpdate {
                    target_version: v.to_owned(),
                };
                api.update_operator_version(kind, &id, &body)
                    .await
                    .map(|o| format!("{} is being updated to {} (now {}).", o.name, v, o.version))
            }
            "network_on" | "network_off" if kind.has_network_group() => {
                let on = action == "network_on";
                api.set_operator_network_group(kind, &id, on)
                    .await
                    .map(|_| {
                        format!(
                            "Network group turned {} for {}.",
                            if on { "on" } else { "off" },
                            op.name
                        )
                    })
            }
            other => Err(AppError::BadRequest(format!(
                "The action \"{}\" does not apply to {}.",
                crate::logic::filters::clip(other),
                kind.label()
            ))),
        }
    })
    .await;
    crate::ssr::session::audited(audit, owner.as_str(), id.as_str(), done).await
}
