//! One application: what its overview shows.

use crate::error::AppError;
use crate::model::deployments::Deployment;
use crate::model::instances::Instance;
use crate::model::load_balancers::LoadBalancer;
use leptos::prelude::*;
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
