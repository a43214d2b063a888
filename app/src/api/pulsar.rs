//! Pulsar storage policies: read, and save only what changed.

use crate::error::AppError;
use crate::logic::pulsar::PolicyFields;
use crate::model::pulsar::StoragePolicies;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
fn checked(owner: &str, id: &str) -> Result<crate::ids::SegmentId, AppError> {
    use crate::ids::SegmentId;
    SegmentId::parse("owner id", owner)?;
    let id = SegmentId::parse("add-on id", id)?;
    if !id.as_str().starts_with("pulsar_") {
        return Err(AppError::not_found(format!("Pulsar add-on {id}")));
    }
    Ok(id)
}

/// The current policies.
#[server(prefix = "/api", endpoint = "pulsar")]
pub async fn load_pulsar(owner: String, id: String) -> Result<StoragePolicies, AppError> {
    let id = checked(&owner, &id)?;
    crate::ssr::authed_call(async |api| api.pulsar_policies(&id).await)
        .await
        .map_err(|e| match e {
            AppError::NotFound { .. } => AppError::not_found(format!("Pulsar add-on {id}")),
            other => other,
        })
}

/// What saving gave: the messages of bad fields, or what was sent and the policies now.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SaveResult {
    pub errors: Vec<String>,
    /// The PATCH body sent (`None`: nothing changed, nothing sent).
    pub sent: Option<String>,
    /// What changed, in words (`logic::pulsar::changes`).
    pub changed: Vec<String>,
    /// After a refusal, the form as it was sent, to show it again rather than the stored
    /// values (the person corrects what they typed).
    pub kept: Option<crate::logic::pulsar::PolicyForm>,
    pub saved: Option<StoragePolicies>,
}

/// Saves the editor's fields: checked, compared with the current policies, and only the
/// differences sent; then the policies are read back.
#[server(prefix = "/api", endpoint = "pulsar_save")]
pub async fn save_pulsar(
    owner: String,
    id: String,
    /// The editor's twelve fields, as the plain HTML form posts them.
    #[server(flatten)]
    fields: PolicyFields,
) -> Result<SaveResult, AppError> {
    use crate::logic::pulsar::{PolicyForm, changes, patch_body};
    let id = checked(&owner, &id)?;
    let form = PolicyForm::from(fields);
    let new = match form.to_policies() {
        Ok(p) => p,
        Err(errors) => {
            return Ok(SaveResult {
                errors,
                kept: Some(form),
                ..SaveResult::default()
            });
        }
    };
    crate::ssr::may_act().await?;
    let done = crate::ssr::authed_call(async |api| {
        let old = api.pulsar_policies(&id).await?;
        let Some(body) = patch_body(&old, &new) else {
            return Ok(SaveResult {
                saved: Some(old),
                ..SaveResult::default()
            });
        };
        api.patch_pulsar_policies(&id, &body).await?;
        let saved = api.pulsar_policies(&id).await?;
        Ok(SaveResult {
            errors: vec![],
            sent: Some(body.to_string()),
            changed: changes(&old, &saved),
            saved: Some(saved),
            kept: None,
        })
    })
    .await;
    crate::ssr::session::audited("pulsar.save_policies", &owner, id.as_str(), done).await
}
