//! One application: what its overview shows.

use crate::error::AppError;
use crate::model::deployments::Deployment;
use crate::model::instances::Instance;
use crate::model::load_balancers::LoadBalancer;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// The overview's data; each part fails on its own so the rest still shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppOverview {
    pub load_balancers: Result<Vec<LoadBalancer>, AppError>,
    pub latest: Result<Option<Deployment>, AppError>,
    pub instances: Result<Vec<Instance>, AppError>,
    /// When the server fetched this, so ages read the same on server and browser.
    #[serde(with = "crate::model::date")]
    pub fetched_at: Option<crate::model::Timestamp>,
    /// The application's name and state (v2), when they could be read.
    pub name: Option<String>,
    pub should_be_down: bool,
    /// Whether this person may run actions: `Err` says why not.
    pub may_act: Result<(), String>,
}

/// The three upstream calls of the overview, issued concurrently.
#[server(prefix = "/api", endpoint = "app_overview")]
pub async fn load_app_overview(owner: String, app: String) -> Result<AppOverview, AppError> {
    use crate::ids::SegmentId;
    use crate::query::{DeploymentQuery, InstanceQuery, Order};
    let owner = SegmentId::parse("owner id", &owner)?;
    let app = SegmentId::parse("application id", &app)?;
    crate::ssr::authed_call(async |api| {
        let latest_q = DeploymentQuery {
            limit: Some(1),
            order: Some(Order::Desc),
            actions: vec![],
        };
        let live_q = InstanceQuery {
            exclude_deleted: Some(true),
            ..InstanceQuery::default()
        };
        let (load_balancers, latest, instances, details) = futures::join!(
            api.default_load_balancers(&owner, &app),
            api.deployments(&owner, &app, &latest_q),
            api.instances(&owner, &app, &live_q),
            api.application(&owner, &app),
        );
        // A lost session fails the page as a whole (back to sign-in), not one part.
        for e in [
            load_balancers.as_ref().err(),
            latest.as_ref().err(),
            instances.as_ref().err(),
        ]
        .into_iter()
        .flatten()
        {
            if *e == AppError::Unauthorized {
                return Err(AppError::Unauthorized);
            }
        }
        if let (Err(AppError::NotFound { .. }), Err(AppError::NotFound { .. })) =
            (&latest, &instances)
        {
            return Err(AppError::not_found(format!("application {app}")));
        }
        let may_act = crate::ssr::may_act_here().await?;
        let details = details.ok();
        Ok(AppOverview {
            load_balancers,
            latest: latest.map(|l| l.into_iter().next()),
            instances,
            fetched_at: Some(time::OffsetDateTime::now_utc()),
            should_be_down: details.as_ref().is_some_and(|d| {
                d.state == crate::model::navigation::ApplicationState::ShouldBeDown
            }),
            name: details
                .as_ref()
                .and_then(crate::model::fleet::V2Application::known_name),
            may_act,
        })
    })
    .await
}

/// A list with the time the server fetched it, so "running for" reads the same on both sides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fetched<T> {
    pub items: T,
    #[serde(with = "crate::model::date")]
    pub fetched_at: Option<crate::model::Timestamp>,
}

#[cfg(feature = "ssr")]
fn fetched<T>(items: T) -> Fetched<T> {
    Fetched {
        items,
        fetched_at: Some(time::OffsetDateTime::now_utc()),
    }
}

/// Deployments of an application as the filter says (newest 50 unless told).
#[server(prefix = "/api", endpoint = "deployments", input = Json)]
pub async fn list_deployments(
    owner: String,
    app: String,
    filter: crate::logic::apps::DeploymentFilter,
) -> Result<Fetched<Vec<Deployment>>, AppError> {
    use crate::ids::SegmentId;
    let owner = SegmentId::parse("owner id", &owner)?;
    let app = SegmentId::parse("application id", &app)?;
    let query = filter.upstream_query().map_err(AppError::BadRequest)?;
    crate::ssr::authed_call(async |api| api.deployments(&owner, &app, &query).await)
        .await
        .map(fetched)
}

/// What the deployments page shows beside the list: the application's name, its GitHub
/// repository (commit links), who its authors are, and whether this person may act.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeployContext {
    pub name: Option<String>,
    pub repo: Option<String>,
    /// Author ids to names, from the organisation's members.
    pub names: std::collections::HashMap<String, String>,
    /// `Err` says why this person may not act.
    pub may_act: Result<(), String>,
}

impl Default for DeployContext {
    /// Nothing known: no links, ids for authors; actions offered (the server checks them).
    fn default() -> Self {
        Self {
            name: None,
            repo: None,
            names: Default::default(),
            may_act: Ok(()),
        }
    }
}

/// The deployments page's context; each part that cannot be read is left empty.
#[server(prefix = "/api", endpoint = "deploy_context")]
pub async fn load_deploy_context(owner: String, app: String) -> Result<DeployContext, AppError> {
    use crate::ids::SegmentId;
    let owner = SegmentId::parse("owner id", &owner)?;
    let app = SegmentId::parse("application id", &app)?;
    let may_act = crate::ssr::may_act_here().await?;
    crate::ssr::authed_call(async |api| {
        let (details, names) = futures::join!(
            api.application(&owner, &app),
            crate::api::control::author_names(&api, &owner),
        );
        let details = details.ok();
        Ok(DeployContext {
            name: details
                .as_ref()
                .and_then(crate::model::fleet::V2Application::known_name),
            repo: details
                .as_ref()
                .and_then(crate::model::fleet::V2Application::github),
            names,
            may_act,
        })
    })
    .await
}

/// How many of the latest deployments are searched for the one before (a comparison link).
#[cfg(feature = "ssr")]
const PREVIOUS_WITHIN: u32 = 100;

/// One deployment and its instances, fetched concurrently.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeploymentDetail {
    pub deployment: Deployment,
    /// Its instances fail on their own, so the deployment still shows.
    pub instances: Result<Vec<Instance>, AppError>,
    /// The application's name, when it could be read.
    pub name: Option<String>,
    /// The GitHub repository, when the application is deployed from one (commit links).
    pub repo: Option<String>,
    /// The commit of the succeeded deployment before this one (the comparison link).
    pub previous_commit: Option<String>,
    /// The author's name, from the organisation's members (else none: the id shows).
    pub author: Option<String>,
    /// A failed deployment's last log lines in the minute before it failed (time, text
    /// without colours), oldest first; empty when none could be read.
    pub failure_lines: Vec<(Option<crate::model::Timestamp>, String)>,
    /// Whether this person may run actions: `Err` says why not.
    pub may_act: Result<(), String>,
}

/// A deployment with its steps and its instances (`deploymentId` filter).
#[server(prefix = "/api", endpoint = "deployment")]
pub async fn load_deployment(
    owner: String,
    app: String,
    deployment: String,
) -> Result<Fetched<DeploymentDetail>, AppError> {
    use crate::ids::SegmentId;
    use crate::query::{DeploymentQuery, InstanceQuery, Order};
    let owner = SegmentId::parse("owner id", &owner)?;
    let app = SegmentId::parse("application id", &app)?;
    let id = SegmentId::parse("deployment id", &deployment)?;
    let may_act = crate::ssr::may_act_here().await?;
    crate::ssr::authed_call(async |api| {
        let q = InstanceQuery {
            deployment_id: Some(id.clone()),
            order: Some(Order::Asc),
            ..InstanceQuery::default()
        };
        let recent = DeploymentQuery {
            limit: Some(PREVIOUS_WITHIN),
            order: Some(Order::Desc),
            actions: vec![],
        };
        let (deployment, instances, details, names, recent) = futures::join!(
            api.deployment(&owner, &app, &id),
            api.instances(&owner, &app, &q),
            api.application(&owner, &app),
            crate::api::control::author_names(&api, &owner),
            api.deployments(&owner, &app, &recent),
        );
        let deployment = deployment.map_err(|e| match e {
            AppError::NotFound { .. } => AppError::not_found(format!("deployment {id}")),
            other => other,
        })?;
        if instances.as_ref().err() == Some(&AppError::Unauthorized) {
            return Err(AppError::Unauthorized);
        }
        let details = details.ok();
        let author = deployment
            .origin
            .author_id
            .as_ref()
            .and_then(|a| names.get(a).cloned());
        // The succeeded deployment started before this one, among the latest.
        let previous_commit = recent.ok().and_then(|list| {
            list.into_iter()
                .filter(|d| d.start_date < deployment.start_date && d.id != deployment.id)
                .find(|d| d.state == crate::model::deployments::DeploymentState::Succeeded)
                .and_then(|d| d.version.commit_id)
        });
        let now = time::OffsetDateTime::now_utc();
        let failure_lines = match crate::logic::timeline::failure(&deployment, now) {
            // The last minute before it failed, never past now: a range that ends in the future
            // would wait for live lines.
            Some((_, since, _)) => {
                let end = deployment.end_date().unwrap_or(now);
                let from = (end - time::Duration::minutes(1)).max(since);
                let to = end.min(now);
                failure_lines(&api, &owner, &app, &id, from, to).await
            }
            None => Vec::new(),
        };
        Ok(fetched(DeploymentDetail {
            deployment,
            instances,
            failure_lines,
            name: details
                .as_ref()
                .and_then(crate::model::fleet::V2Application::known_name),
            repo: details
                .as_ref()
                .and_then(crate::model::fleet::V2Application::github),
            previous_commit,
            author,
            may_act,
        }))
    })
    .await
}

/// Lines shown for a failed deployment, and the most read to find them (the last ones are kept).
#[cfg(feature = "ssr")]
const FAILURE_LINES: usize = 20;
#[cfg(feature = "ssr")]
const FAILURE_READ: usize = 500;

/// The last `FAILURE_LINES` lines of deployment `id` between `since` and `until`, read for 3 s
/// at most; none when the logs cannot be read (the page links them anyway).
#[cfg(feature = "ssr")]
async fn failure_lines(
    api: &crate::ssr::upstream::Authed<'_>,
    owner: &crate::ids::SegmentId,
    app: &crate::ids::SegmentId,
    id: &crate::ids::SegmentId,
    since: crate::model::Timestamp,
    until: crate::model::Timestamp,
) -> Vec<(Option<crate::model::Timestamp>, String)> {
    use crate::model::logs::LogEvent;
    use futures::StreamExt;
    let q = crate::query::LogQuery {
        deployment_id: Some(id.clone()),
        since: Some(since),
        until: Some(until),
        limit: Some(FAILURE_READ as u64),
        ..Default::default()
    };
    let source = crate::ssr::upstream::LogSource::App {
        owner: owner.clone(),
        app: app.clone(),
    };
    let Ok(mut events) = api.log_events(&source, &q, None).await else {
        return Vec::new();
    };
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(3);
    let mut kept = std::collections::VecDeque::with_capacity(FAILURE_LINES);
    for _ in 0..FAILURE_READ * 2 {
        let Ok(Some(Ok(ev))) = tokio::time::timeout_at(deadline, events.next()).await else {
            break;
        };
        match LogEvent::from_sse(&ev.event, &ev.data) {
            LogEvent::Line(l) => {
                if kept.len() == FAILURE_LINES {
                    kept.pop_front();
                }
                let text: String = crate::logic::ansi::strip(&l.message)
                    .chars()
                    .take(500)
                    .collect();
                kept.push_back((l.date, text));
            }
            LogEvent::End(_) => break,
            _ => {}
        }
    }
    kept.into()
}

/// Instances of an application as the filter says.
#[server(prefix = "/api", endpoint = "instances", input = Json)]
pub async fn list_instances(
    owner: String,
    app: String,
    filter: crate::logic::apps::InstanceFilter,
) -> Result<Fetched<Vec<Instance>>, AppError> {
    use crate::ids::SegmentId;
    let owner = SegmentId::parse("owner id", &owner)?;
    let app = SegmentId::parse("application id", &app)?;
    let query = filter.upstream_query().map_err(AppError::BadRequest)?;
    crate::ssr::authed_call(async |api| api.instances(&owner, &app, &query).await)
        .await
        .map(fetched)
}
