//! The fleet board: for each owner, what runs and what needs a person. One server function
//! per owner, so the board shows each owner as soon as its calls are in.

use crate::error::AppError;
use crate::model::fleet::OwnerBoard;
use leptos::prelude::*;

/// Deployments asked per application from the organisation-wide list.
#[cfg(feature = "ssr")]
const DEPLOYMENTS_PER_APP: u32 = 5;
/// Instances asked per application (live ones only).
#[cfg(feature = "ssr")]
const INSTANCES_PER_APP: u32 = 40;
/// Longest wait for one call of the board; past it, that part is a named gap.
#[cfg(feature = "ssr")]
const CALL_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// One owner's part of the fleet board, by its id (the summary read for its applications and
/// add-ons, then as [`board_for`]).
#[server(prefix = "/api", endpoint = "board_owner")]
pub async fn board_owner(owner: String) -> Result<OwnerBoard, AppError> {
    use crate::ids::SegmentId;
    SegmentId::parse("owner id", &owner)?;
    let found = crate::ssr::authed_call(async |api| api.summary().await)
        .await?
        .owners()
        .into_iter()
        .find(|o| o.id == owner)
        .ok_or_else(|| AppError::not_found(format!("organisation {owner}")))?;
    board_for(found, 0).await
}

/// One owner's part of the fleet board: its applications and add-ons with their state, and
/// what needs attention. `owner` comes from the navigation data the page already read. Calls,
/// all at once under the session's bound (`FanOut`) and each with a deadline: the
/// organisation's deployments, three per application (details, live instances, drains) and up
/// to two per add-on (drains, an operator's version check).
#[cfg(feature = "ssr")]
pub async fn board_for(
    owner: crate::model::navigation::Owner,
    rank: u32,
) -> Result<OwnerBoard, AppError> {
    use crate::ids::SegmentId;
    use crate::ssr::{AllowedOrgs, FanOut};
    let id = SegmentId::parse("owner id", &owner.id)?;
    if !use_context::<AllowedOrgs>()
        .unwrap_or_default()
        .allows(&owner.id)
    {
        return Err(AppError::not_found(format!("organisation {}", owner.id)));
    }
    let session = crate::ssr::session::current_session().await?;
    let fan_out = use_context::<FanOut>().unwrap_or_default();
    let permits = fan_out
        .for_session(session.id().map(|i| i.to_string()))
        .await;
    let mut board =
        crate::ssr::authed_call(async |api| ssr::board(&api, &id, &owner, (&permits, rank)).await)
            .await?;
    // A budget over its amount (spent or forecast), as the alerts found it.
    if let Some(source) = use_context::<crate::ssr::alerts::AlertsSource>() {
        for i in source
            .0
            .open_of_kind(vec![owner.id.clone()], "budget")
            .await
        {
            let over = i
                .subject
                .id
                .rsplit(':')
                .next()
                .and_then(|t| t.parse::<u32>().ok());
            if over.is_some_and(|t| t >= 100) {
                board.attention.push(crate::model::fleet::Attention {
                    severity: crate::model::fleet::Severity::Warning,
                    text: format!("Over budget: {}", i.summary),
                    href: i.href.clone(),
                });
            }
        }
    }
    Ok(board)
}

/// One owner's part of the board read with `api` (not a user's session: the alerts' watch
/// credential), its calls under `gate`.
#[cfg(feature = "ssr")]
pub async fn board_with(
    api: &crate::ssr::upstream::Authed<'_>,
    owner: &crate::model::navigation::Owner,
    gate: &std::sync::Arc<crate::ssr::fan_out::Gate>,
) -> Result<OwnerBoard, AppError> {
    let id = crate::ids::SegmentId::parse("owner id", &owner.id)?;
    ssr::board(api, &id, owner, (gate, 0)).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::{CALL_DEADLINE, DEPLOYMENTS_PER_APP, INSTANCES_PER_APP};
    use crate::error::AppError;
    use crate::ids::SegmentId;
    use crate::logic::fleet::{
        addon_attention, app_attention, drain_health, latest_of, ordered, up_count,
    };
    use crate::model::fleet::{AddonRow, AppRow, OwnerBoard};
    use crate::model::navigation::{ApplicationState, Owner};
    use crate::model::operators::OperatorKind;
    use crate::query::{DrainQuery, InstanceQuery};
    use crate::ssr::fan_out::Gate;
    use crate::ssr::upstream::Authed;
    use crate::urls;
    use std::sync::Arc;

    /// The session's gate and this owner's rank on the page (its calls wait their turn by it).
    pub(super) type Turn<'a> = (&'a Arc<Gate>, u32);

    /// One call under the session's bound and the board's deadline; `Err` names what failed.
    async fn call<T>(
        (gate, rank): Turn<'_>,
        what: String,
        f: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<T, (String, AppError)> {
        let _place = gate.enter(u64::from(rank)).await;
        match tokio::time::timeout(CALL_DEADLINE, f).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err((what, e)),
            Err(_) => Err((what, AppError::Transport("no answer in time".into()))),
        }
    }

    /// The value of a call, or `None` with its failure kept among `gaps`.
    fn kept<T>(gaps: &mut Vec<(String, AppError)>, r: Result<T, (String, AppError)>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(gap) => {
                gaps.push(gap);
                None
            }
        }
    }

    pub(super) async fn board(
        api: &Authed<'_>,
        id: &SegmentId,
        owner: &Owner,
        permits: Turn<'_>,
    ) -> Result<OwnerBoard, AppError> {
        let live = InstanceQuery {
            exclude_deleted: Some(true),
            limit: Some(INSTANCES_PER_APP),
            ..InstanceQuery::default()
        };
        let no_filter = DrainQuery::default();
        let apps = owner.applications.iter().map(|a| {
            let (live, no_filter) = (&live, &no_filter);
            async move {
                let app_id = SegmentId::parse("application id", &a.id)?;
                let (details, instances, drains) = futures::join!(
                    call(
                        permits,
                        format!("the details of {}", a.name),
                        api.application(id, &app_id)
                    ),
                    call(
                        permits,
                        format!("the instances of {}", a.name),
                        api.instances(id, &app_id, live)
                    ),
                    call(
                        permits,
                        format!("the drains of {}", a.name),
                        api.drains(id, &app_id, no_filter)
                    ),
                );
                let mut gaps = Vec::new();
                let details = kept(&mut gaps, details);
                let row = AppRow {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    // The details' state is the newer; the summary's stands in when they lack one.
                    state: match details.as_ref().map(|d| &d.state) {
                        Some(s) if !matches!(s, ApplicationState::Unknown(_)) => s.clone(),
                        _ => a.state.clone(),
                    },
                    up: kept(&mut gaps, instances).map(|i| up_count(&i)),
                    min: details.as_ref().map(|d| d.instance.min_instances),
                    flavor: details.as_ref().and_then(|d| {
                        let i = &d.instance;
                        let min = i.min_flavor.as_ref().map(|f| f.name.clone())?;
                        match i.max_flavor.as_ref().map(|f| &f.name) {
                            Some(max) if *max != min => Some(format!("{min}–{max}")),
                            _ => Some(min),
                        }
                    }),
                    zone: details.as_ref().and_then(|d| d.zone.clone()),
                    // From the organisation's deployments, read alongside.
                    latest: None,
                    last_ended: None,
                    drains: kept(&mut gaps, drains).map(|d| drain_health(&d)),
                };
                Ok::<_, AppError>((row, gaps))
            }
        });
        let addons = owner.addons.iter().map(|a| {
            let no_filter = &no_filter;
            async move {
                let real = SegmentId::parse("add-on id", &a.real_id)?;
                let kind = OperatorKind::of_real_id(&a.real_id);
                let version = async {
                    match kind.filter(|k| k.has_versions()) {
                        Some(k) => Some(
                            call(
                                permits,
                                format!("the version of {}", a.name),
                                api.operator_version_check(k, &real),
                            )
                            .await,
                        ),
                        None => None,
                    }
                };
                let (drains, version) = futures::join!(
                    call(
                        permits,
                        format!("the drains of {}", a.name),
                        api.drains(id, &real, no_filter)
                    ),
                    version,
                );
                let mut gaps = Vec::new();
                let row = AddonRow {
                    name: a.name.clone(),
                    real_id: a.real_id.clone(),
                    kind: kind.map_or_else(
                        || crate::logic::fleet::addon_kind(&a.provider_id),
                        |k| k.label().to_owned(),
                    ),
                    href: urls::addon_page(id.as_str(), a)
                        .unwrap_or_else(|| urls::drains(id.as_str(), &a.real_id)),
                    version: version.and_then(|v| kept(&mut gaps, v)).map(|v| {
                        let newer =
                            (v.need_update && !v.latest.is_empty()).then(|| v.latest.clone());
                        (v.installed, newer)
                    }),
                    drains: kept(&mut gaps, drains).map(|d| drain_health(&d)),
                };
                Ok::<_, AppError>((row, gaps))
            }
        });
        let deployments = call(
            permits,
            "the deployments".into(),
            api.owner_deployments(id, DEPLOYMENTS_PER_APP),
        );
        let now = time::OffsetDateTime::now_utc();
        let requests = call(
            permits,
            "the requests".into(),
            api.status_codes(id, None, now - time::Duration::hours(24), now),
        );
        let (deployments, requests, apps, addons) = futures::join!(
            deployments,
            requests,
            futures::future::join_all(apps),
            futures::future::join_all(addons)
        );
        // The organisation's requests hour by hour (a sparkline); a failure is a named gap.
        let mut failed = Vec::new();
        let requests = kept(&mut failed, requests).map(|buckets| {
            crate::logic::stats::by_class(&buckets)
                .iter()
                .map(|h| (h.total(), h.c5))
                .collect::<Vec<_>>()
        });
        // The organisation's own call failing is the organisation failing: shown as such, not
        // as rows that would look healthy.
        let mut deployments = deployments.map_err(|(_, e)| e)?;
        // An application's newest deployment whose author comes without a name is named from
        // the organisation's members (one more call, only then); one they do not know keeps
        // its id.
        let unnamed = deployments.values().any(|list| {
            list.iter()
                .max_by_key(|d| d.date)
                .and_then(|d| d.author.as_ref())
                .is_some_and(|a| a.name.as_deref().is_none_or(str::is_empty))
        });
        if unnamed
            && id.as_str().starts_with("orga_")
            && let Ok(members) = call(permits, "the members".into(), api.members(id)).await
        {
            let names = crate::logic::control::author_names(&members);
            for a in deployments
                .values_mut()
                .flatten()
                .filter_map(|d| d.author.as_mut())
            {
                if a.name.as_deref().is_none_or(str::is_empty) {
                    a.name = names.get(&a.id).cloned();
                }
            }
        }
        let mut board = OwnerBoard {
            id: owner.id.clone(),
            name: owner.name.clone(),
            personal: owner.personal,
            apps: Vec::new(),
            addons: Vec::new(),
            attention: Vec::new(),
            gaps: Vec::new(),
            fetched: Some(now),
            requests,
        };
        let mut attention = Vec::new();
        for r in apps {
            let (mut row, g) = r?;
            let deps = deployments.get(&row.id).map(Vec::as_slice);
            (row.latest, row.last_ended) = latest_of(deps.unwrap_or_default());
            attention.extend(app_attention(id.as_str(), &row, now));
            failed.extend(g);
            board.apps.push(row);
        }
        for r in addons {
            let (row, g) = r?;
            attention.extend(addon_attention(id.as_str(), &row));
            failed.extend(g);
            board.addons.push(row);
        }
        if failed.iter().any(|(_, e)| *e == AppError::Unauthorized) {
            return Err(AppError::Unauthorized);
        }
        board
            .gaps
            .extend(failed.into_iter().map(|(what, e)| format!("{what}: {e}")));
        board.attention = ordered(attention);
        Ok(board)
    }
}
