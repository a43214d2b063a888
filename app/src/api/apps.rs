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
        let (load_balancers, latest, instances) = futures::join!(
            api.default_load_balancers(&owner, &app),
            api.deployments(&owner, &app, &latest_q),
            api.instances(&owner, &app, &live_q),
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
        Ok(AppOverview {
            load_balancers,
            latest: latest.map(|l| l.into_iter().next()),
            instances,
            fetched_at: Some(time::OffsetDateTime::now_utc()),
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

/// The GitHub repository an application is deployed from, when it is one (commit links).
#[server(prefix = "/api", endpoint = "repository")]
pub async fn load_repository(owner: String, app: String) -> Result<Option<String>, AppError> {
    use crate::ids::SegmentId;
    let owner = SegmentId::parse("owner id", &owner)?;
    let app = SegmentId::parse("application id", &app)?;
    let details = crate::ssr::authed_call(async |api| api.application(&owner, &app).await).await?;
    Ok(details
        .deployment
        .and_then(|d| d.http_url)
        .and_then(|u| crate::logic::apps::github_repository(&u)))
}

/// One deployment and its instances, fetched concurrently.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeploymentDetail {
    pub deployment: Deployment,
    /// Its instances fail on their own, so the deployment still shows.
    pub instances: Result<Vec<Instance>, AppError>,
}

/// A deployment with its steps and its instances (`deploymentId` filter).
#[server(prefix = "/api", endpoint = "deployment")]
pub async fn load_deployment(
    owner: String,
    app: String,
    deployment: String,
) -> Result<Fetched<DeploymentDetail>, AppError> {
    use crate::ids::SegmentId;
    use crate::query::{InstanceQuery, Order};
    let owner = SegmentId::parse("owner id", &owner)?;
    let app = SegmentId::parse("application id", &app)?;
    let id = SegmentId::parse("deployment id", &deployment)?;
    crate::ssr::authed_call(async |api| {
        let q = InstanceQuery {
            deployment_id: Some(id.clone()),
            order: Some(Order::Asc),
            ..InstanceQuery::default()
        };
        let (deployment, instances) = futures::join!(
            api.deployment(&owner, &app, &id),
            api.instances(&owner, &app, &q)
        );
        let deployment = deployment.map_err(|e| match e {
            AppError::NotFound { .. } => AppError::not_found(format!("deployment {id}")),
            other => other,
        })?;
        if instances.as_ref().err() == Some(&AppError::Unauthorized) {
            return Err(AppError::Unauthorized);
        }
        Ok(fetched(DeploymentDetail {
            deployment,
            instances,
        }))
    })
    .await
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
