//! Deployment control: restart, rebuild without cache, redeploy a commit, stop, cancel; and
//! the organisation's members (who deploys). Every action is a plain form post: checked here
//! (ids, the operator's policy, what the person confirmed) before any upstream call, audited,
//! and answered with the deployment it started, whose page the browser is sent to.

use crate::error::AppError;
use crate::model::members::Member;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What an action did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ControlDone {
    /// A sentence saying it.
    pub message: String,
    /// The deployment it started or cancelled, when known.
    pub deployment: Option<String>,
}

/// Runs `action` (`restart`, `rebuild`, `redeploy`, `stop`, `cancel`) on application `app` of
/// `owner`, with what it needs: `commit` (redeploy, a full id), `deployment` (cancel), and the
/// confirmation (`confirm`: the application's name, for stop; `confirmed` = `yes` for the
/// others). On success the browser goes to the deployment's page (stop: back).
#[server(prefix = "/api", endpoint = "app_control")]
pub async fn app_control(
    owner: String,
    app: String,
    action: String,
    #[server(default)] commit: Option<String>,
    #[server(default)] deployment: Option<String>,
    #[server(default)] confirm: Option<String>,
    #[server(default)] confirmed: Option<String>,
) -> Result<ControlDone, AppError> {
    use crate::ids::SegmentId;
    use crate::logic::control::{Control, check_confirmation, full_commit, short};
    let owner = SegmentId::parse("owner id", &owner)?;
    let app = SegmentId::parse("application id", &app)?;
    let action = Control::parse(&action).map_err(AppError::BadRequest)?;
    crate::ssr::may_act().await?;
    let commit = match action {
        Control::Redeploy => {
            Some(full_commit(commit.as_deref().unwrap_or_default()).map_err(AppError::BadRequest)?)
        }
        _ => None,
    };
    let cancelled = match action {
        Control::Cancel => Some(SegmentId::parse(
            "deployment id",
            deployment.as_deref().unwrap_or_default(),
        )?),
        _ => None,
    };
    // Stop wants the application's name typed: read it (a read changes nothing).
    let name = match action {
        Control::Stop => {
            crate::ssr::authed_call(async |api| api.application(&owner, &app).await)
                .await?
                .name
        }
        _ => String::new(),
    };
    let shown = if name.is_empty() {
        "the application"
    } else {
        name.as_str()
    };
    check_confirmation(action, shown, confirm.as_deref(), confirmed.as_deref())
        .map_err(AppError::BadRequest)?;
    let done = crate::ssr::authed_call(async |api| match action {
        Control::Restart => api.restart_app(&owner, &app, None, false).await,
        Control::Rebuild => api.restart_app(&owner, &app, None, true).await,
        Control::Redeploy => {
            api.restart_app(&owner, &app, commit.as_deref(), false)
                .await
        }
        Control::Stop => api.stop_app(&owner, &app).await.map(|()| None),
        Control::Cancel => match &cancelled {
            Some(d) => api
                .cancel_deployment(&owner, &app, d)
                .await
                .map(|()| Some(d.as_str().to_owned())),
            None => Err(AppError::BadRequest("No deployment to cancel.".into())),
        },
    })
    .await;
    let resource = match done.as_ref().ok().and_then(Option::as_deref) {
        Some(d) => format!("{}/deployments/{d}", app.as_str()),
        None => app.as_str().to_owned(),
    };
    let detail = commit.as_deref().map(|c| format!("commit {}", short(c)));
    let started =
        crate::ssr::session::audited_with(action.audit(), owner.as_str(), &resource, detail, done)
            .await?;
    let message = match (action, &started) {
        (Control::Stop, _) => {
            "The application is stopping: its instances shut down in a moment.".to_owned()
        }
        (Control::Cancel, _) => "The deployment is being cancelled.".to_owned(),
        (Control::Redeploy, Some(d)) => format!(
            "Deployment {d} started: commit {} is being deployed.",
            short(commit.as_deref().unwrap_or_default())
        ),
        (_, Some(d)) => format!("Deployment {d} started."),
        (_, None) => "The restart was accepted.".to_owned(),
    };
    if let Some(d) = &started {
        leptos_axum::redirect(&format!(
            "{}/{}",
            crate::urls::app(owner.as_str(), app.as_str(), "/deployments"),
            crate::urls::segment(d)
        ));
    }
    Ok(ControlDone {
        message,
        deployment: started,
    })
}

/// Whether the signed-in person may run actions here; `Err` is the sentence saying why not.
#[server(prefix = "/api", endpoint = "may_act")]
pub async fn may_act() -> Result<Result<(), String>, AppError> {
    crate::ssr::may_act_here().await
}

/// The members of an organisation (none for a personal space).
#[server(prefix = "/api", endpoint = "members")]
pub async fn load_members(owner: String) -> Result<Vec<Member>, AppError> {
    use crate::ids::SegmentId;
    let owner = SegmentId::parse("owner id", &owner)?;
    if !owner.as_str().starts_with("orga_") {
        return Ok(Vec::new());
    }
    let mut list = crate::ssr::authed_call(async |api| api.members(&owner).await).await?;
    list.truncate(MAX_MEMBERS);
    Ok(list)
}

/// The most members shown (an organisation has far fewer).
pub const MAX_MEMBERS: usize = 2000;

/// User ids to names, from the organisation's members (empty for a personal space, or when
/// the list cannot be read: authors then keep their ids).
#[cfg(feature = "ssr")]
pub async fn author_names(
    api: &crate::ssr::upstream::Authed<'_>,
    owner: &crate::ids::SegmentId,
) -> std::collections::HashMap<String, String> {
    if !owner.as_str().starts_with("orga_") {
        return Default::default();
    }
    match api.members(owner).await {
        Ok(list) => crate::logic::control::author_names(&list),
        Err(e) => {
            tracing::debug!(error = %e, "members not read: authors keep their ids");
            Default::default()
        }
    }
}
