//! Log drains of a resource (an application or an add-on). Every drain is redacted before it
//! leaves the server: secrets never reach the browser in full.

use crate::error::AppError;
use crate::logic::drains::DrainForm;
use crate::logic::url_filter::{Field, UrlFilter, many};
use crate::model::drains::Drain;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_router::params::ParamsMap;
use serde::{Deserialize, Serialize};

/// The list filters, as found in the URL query (repeated).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DrainFilter {
    pub status: Vec<String>,
    pub execution_status: Vec<String>,
}

impl UrlFilter for DrainFilter {
    fn from_query(q: &ParamsMap) -> Self {
        Self {
            status: many(q, "status"),
            execution_status: many(q, "executionStatus"),
        }
    }

    fn fields(&self) -> Vec<Field<'_>> {
        vec![
            Field::Many("status", &self.status),
            Field::Many("executionStatus", &self.execution_status),
        ]
    }
}

impl DrainFilter {
    /// The upstream query, or a message naming an unknown value.
    pub fn upstream_query(&self) -> Result<crate::query::DrainQuery, String> {
        use crate::model::drains::{DrainStatus, ExecutionStatus};
        if let Some(m) = self.too_many() {
            return Err(m);
        }
        let bad =
            self.status
                .iter()
                .filter(|s| matches!(DrainStatus::from_wire(s), DrainStatus::Unknown(_)))
                .chain(self.execution_status.iter().filter(|s| {
                    matches!(ExecutionStatus::from_wire(s), ExecutionStatus::Unknown(_))
                }))
                .map(|s| crate::logic::filters::clip(s))
                .collect::<Vec<_>>();
        if !bad.is_empty() {
            return Err(format!("Unknown drain status: {}.", bad.join(", ")));
        }
        Ok(crate::query::DrainQuery {
            status: self.status.clone(),
            execution_status: self.execution_status.clone(),
            execution_status_not_in: vec![],
        })
    }
}

/// The owner, resource and drain ids of a drain call, each checked.
#[cfg(feature = "ssr")]
fn drain_ids(
    owner: &str,
    resource: &str,
    drain: &str,
) -> Result<
    (
        crate::ids::SegmentId,
        crate::ids::SegmentId,
        crate::ids::SegmentId,
    ),
    AppError,
> {
    use crate::ids::SegmentId;
    Ok((
        SegmentId::parse("owner id", owner)?,
        SegmentId::parse("resource id", resource)?,
        SegmentId::parse("drain id", drain)?,
    ))
}

/// The drains of a resource, redacted.
#[server(prefix = "/api", endpoint = "drains", input = Json)]
pub async fn list_drains(
    owner: String,
    resource: String,
    filter: DrainFilter,
) -> Result<Vec<Drain>, AppError> {
    use crate::ids::SegmentId;
    let owner = SegmentId::parse("owner id", &owner)?;
    let resource = SegmentId::parse("resource id", &resource)?;
    let q = filter.upstream_query().map_err(AppError::BadRequest)?;
    let list = crate::ssr::authed_call(async |api| api.drains(&owner, &resource, &q).await).await?;
    Ok(list.into_iter().map(crate::logic::drains::redact).collect())
}

/// The upstream's test command for a drain, its secrets replaced by placeholders.
#[server(prefix = "/api", endpoint = "drain_test")]
pub async fn drain_test_command(
    owner: String,
    resource: String,
    drain: String,
) -> Result<String, AppError> {
    let (owner, resource, id) = drain_ids(&owner, &resource, &drain)?;
    crate::ssr::authed_call(async |api| {
        let (d, cmd) = futures::join!(
            api.drain(&owner, &resource, &id),
            api.drain_test_command(&owner, &resource, &id)
        );
        Ok(crate::logic::drains::mask_command(&cmd?.command, &d?))
    })
    .await
}

/// What creating a drain gave: the drain (redacted) or a message per bad field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateResult {
    pub created: Option<Drain>,
    pub errors: Vec<(String, String)>,
    /// After a refusal, the values to fill the form with again (no secret).
    pub kept: Vec<(String, String)>,
}

/// Creates a drain from the form; checked here field by field before the upstream sees it.
#[server(prefix = "/api", endpoint = "drain_create")]
pub async fn create_drain(
    owner: String,
    resource: String,
    /// The create form's fields, as the plain HTML form posts them.
    #[server(flatten)]
    form: DrainForm,
) -> Result<CreateResult, AppError> {
    use crate::ids::SegmentId;
    use crate::logic::drains::redact;
    let owner = SegmentId::parse("owner id", &owner)?;
    let resource = SegmentId::parse("resource id", &resource)?;
    crate::ssr::may_act().await?;
    let body = match form.validate() {
        Ok(b) => b,
        Err(errors) => {
            return Ok(CreateResult {
                created: None,
                errors,
                kept: form.kept(),
            });
        }
    };
    let d =
        crate::ssr::authed_call(async |api| api.create_drain(&owner, &resource, &body).await).await;
    let d =
        crate::ssr::session::audited("drain.create", owner.as_str(), resource.as_str(), d).await?;
    Ok(CreateResult {
        created: Some(redact(d)),
        ..CreateResult::default()
    })
}

/// Enable, disable, delete or reset the cursor of a drain; a sentence saying what was done.
#[server(prefix = "/api", endpoint = "drain_action")]
pub async fn drain_action(
    owner: String,
    resource: String,
    drain: String,
    action: String,
) -> Result<String, AppError> {
    let (owner, resource, id) = drain_ids(&owner, &resource, &drain)?;
    crate::ssr::may_act().await?;
    let audit = match action.as_str() {
        "enable" => "drain.enable",
        "disable" => "drain.disable",
        "delete" => "drain.delete",
        "reset" => "drain.reset_cursor",
        _ => "drain.unknown_action",
    };
    let done = crate::ssr::authed_call(async |api| match action.as_str() {
        "enable" => api
            .set_drain_enabled(&owner, &resource, &id, true)
            .await
            .map(|_| format!("Drain {id} is being enabled.")),
        "disable" => api
            .set_drain_enabled(&owner, &resource, &id, false)
            .await
            .map(|_| format!("Drain {id} is being disabled.")),
        "delete" => api
            .delete_drain(&owner, &resource, &id)
            .await
            .map(|_| format!("Drain {id} was deleted.")),
        "reset" => api
            .reset_drain_cursor(&owner, &resource, &id)
            .await
            .map(|_| format!("Drain {id} now forwards from the latest position.")),
        other => Err(AppError::BadRequest(format!(
            "Unknown drain action \"{}\".",
            crate::logic::filters::clip(other)
        ))),
    })
    .await;
    let resource = format!("{}/drains/{}", resource.as_str(), id.as_str());
    crate::ssr::session::audited(audit, owner.as_str(), &resource, done).await
}
