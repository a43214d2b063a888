//! An organisation's activity feed: its deployments and the dashboard's audit events.

use crate::error::AppError;
use crate::logic::activity::ActivityFilter;
use crate::model::activity::Activity;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Deployments asked per application for the feed.
pub const DEPLOYMENTS_PER_APP: u32 = 50;

/// The activity of `owner` matching `filter`, newest first, at most `PAGE_ROWS` rows. Two
/// upstream calls (the summary for names, the organisation's deployments) and one read of
/// the audit trail.
#[server(prefix = "/api", endpoint = "activity", input = Json)]
pub async fn load_activity(owner: String, filter: ActivityFilter) -> Result<Activity, AppError> {
    use crate::logic::activity::PAGE_ROWS;
    let checked = filter.check().map_err(AppError::BadRequest)?;
    let (rows, apps, audit_read) = ssr::all_rows(&owner).await?;
    let total = rows.len();
    let rows = rows
        .into_iter()
        .filter(|r| checked.admits(r))
        .take(PAGE_ROWS)
        .collect();
    Ok(Activity {
        rows,
        total,
        apps,
        audit_read,
    })
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::DEPLOYMENTS_PER_APP;
    use crate::error::AppError;
    use crate::ids::SegmentId;
    use crate::logic::activity::merge;
    use crate::model::activity::{ActivityRow, AuditEvent};
    use crate::ssr::session::AuditTrail;
    use crate::ssr::upstream::Authed;
    use leptos::prelude::use_context;
    use std::collections::HashMap;

    /// Every row of `owner`'s activity (unfiltered), its applications (id, name) and whether
    /// the audit trail was read.
    pub async fn all_rows(
        owner: &str,
    ) -> Result<(Vec<ActivityRow>, Vec<(String, String)>, bool), AppError> {
        let id = SegmentId::parse("owner id", owner)?;
        let trail = use_context::<AuditTrail>();
        let events = async {
            match &trail {
                Some(t) => (t.list)(id.to_string()).await.ok(),
                None => None,
            }
        };
        crate::ssr::authed_call(async |api| rows_with(&api, &id, events).await).await
    }

    /// The same with a client and the audit events at hand (`None`: not read), for the CSV
    /// download, which has no Leptos context.
    pub async fn rows_with(
        api: &Authed<'_>,
        id: &SegmentId,
        events: impl std::future::Future<Output = Option<Vec<AuditEvent>>>,
    ) -> Result<(Vec<ActivityRow>, Vec<(String, String)>, bool), AppError> {
        let (summary, deployments, events, authors) = futures::join!(
            api.summary(),
            api.owner_deployments(id, DEPLOYMENTS_PER_APP),
            events,
            crate::api::control::author_names(api, id),
        );
        // Authors the deployments leave unnamed are named from the members.
        let deployments = deployments.map(|mut map| {
            for d in map.values_mut().flatten() {
                if let Some(a) = d.author.as_mut()
                    && a.name.as_deref().is_none_or(str::is_empty)
                {
                    a.name = authors.get(&a.id).cloned();
                }
            }
            map
        });
        let owner = summary?
            .owners()
            .into_iter()
            .find(|o| o.id == id.as_str())
            .ok_or_else(|| AppError::not_found(format!("organisation {id}")))?;
        let names: HashMap<String, String> = owner
            .applications
            .iter()
            .map(|a| (a.id.clone(), a.name.clone()))
            .chain(owner.addons.iter().flat_map(|a| {
                [
                    (a.real_id.clone(), a.name.clone()),
                    (a.id.clone(), a.name.clone()),
                ]
            }))
            .collect();
        let audit_read = events.is_some();
        let rows = merge(
            id.as_str(),
            &deployments?,
            &events.unwrap_or_default(),
            &names,
        );
        let apps = owner
            .applications
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        Ok((rows, apps, audit_read))
    }
}
