//! `/orgs/{ownerId}/apps/{appId}/instances`: every documented filter in the URL query (a GET
//! form, so it works without JavaScript) and, once hydrated, an auto-refresh every 5 s for
//! watching a deployment roll out.

use crate::api::apps::list_instances;
use crate::components::auto_refresh::{AutoRefresh, RefreshWhen};
use crate::components::badge::{Badge, Tone};
use crate::components::error_view::ErrorView;
use crate::components::timeline::short_time;
use crate::error::AppError;
use crate::logic::apps::{InstanceFilter, duration};
use crate::logic::short_id;
use crate::model::Timestamp;
use crate::model::instances::{Instance, InstanceState};
use crate::routes::app::{AppHeading, OrderSelect, check_app_ids, use_app_ids};
use crate::routes::urls;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// The badge of an instance state.
pub fn instance_tone(state: &InstanceState) -> Tone {
    match state {
        InstanceState::Up | InstanceState::Ready => Tone::Succeeded,
        InstanceState::Booting
        | InstanceState::Starting
        | InstanceState::Deploying
        | InstanceState::Building
        | InstanceState::MigrationInProgress
        | InstanceState::TaskInProgress => Tone::InProgress,
        InstanceState::Stopping => Tone::Queued,
        InstanceState::Deleted => Tone::Cancelled,
        InstanceState::Ghost => Tone::Failed,
        InstanceState::Unknown(_) => Tone::Unknown,
    }
}

/// Refresh period of the auto-refresh, in milliseconds.
const REFRESH_MS: u32 = 5000;

/// The instances page.
#[component]
pub fn InstancesPage() -> impl IntoView {
    let query = use_query_map();
    let ids = use_app_ids();
    let filter = Memo::new(move |_| {
        let q = query.read();
        InstanceFilter {
            deployment_id: q.get("deploymentId"),
            limit: q.get("limit"),
            exclude_deleted: q.get("excludeDeleted"),
            since: q.get("since"),
            until: q.get("until"),
            order: q.get("order"),
            include_states: q.get_all("includeState").unwrap_or_default(),
            exclude_states: q.get_all("excludeState").unwrap_or_default(),
        }
    });
    let instances = Resource::new(
        move || (ids.get(), filter.get()),
        |((owner, app), filter)| async move {
            check_app_ids(&owner, &app)?;
            filter.to_query().map_err(AppError::BadRequest)?;
            list_instances(owner, app, filter).await
        },
    );
    let (owner, app) = ids.get_untracked();
    let value = move |get: fn(&InstanceFilter) -> &Option<String>| {
        move || get(&filter.read()).clone().unwrap_or_default()
    };
    let state_boxes = move |name: &'static str, include: bool| {
        InstanceState::KNOWN
            .iter()
            .map(|s| {
                let wire = s.as_str();
                let checked = move || {
                    let f = filter.read();
                    let list = if include { &f.include_states } else { &f.exclude_states };
                    list.iter().any(|v| v.eq_ignore_ascii_case(wire))
                };
                view! {
                    <label class="check"><input type="checkbox" name=name value=wire checked=checked />{wire}</label>
                }
            })
            .collect_view()
    };
    view! {
        <AppHeading owner=owner.clone() app=app.clone() page="Instances" />
        <form method="get" class="filters instance-filters" aria-label="Filter instances">
            <label>"Deployment id" <input type="text" name="deploymentId" placeholder="deployment_…" value=value(|f| &f.deployment_id) /></label>
            <label>"Created since" <input type="date" name="since" value=value(|f| &f.since) /></label>
            <label>"Created until" <input type="date" name="until" value=value(|f| &f.until) /></label>
            <label>"Limit" <input type="number" name="limit" min="1" max="1000" inputmode="numeric" value=value(|f| &f.limit) /></label>
            <OrderSelect current=Signal::derive(move || filter.read().order.clone()) default=None />
            <label class="check">
                <input type="checkbox" name="excludeDeleted" value="true" checked=move || filter.read().exclude_deleted.as_deref() == Some("true") />
                "Hide deleted"
            </label>
            <fieldset class="states"><legend>"Only these states"</legend>{state_boxes("includeState", true)}</fieldset>
            <fieldset class="states"><legend>"Without these states"</legend>{state_boxes("excludeState", false)}</fieldset>
            <div class="actions">
                <button type="submit">"Apply"</button>
                <a href=urls::app(&owner, &app, "/instances")>"Reset"</a>
            </div>
        </form>
        <AutoRefresh region="instances-region".to_owned() every_ms=REFRESH_MS when=RefreshWhen::Checked("Auto-refresh every 5 s".into()) />
        <div id="instances-region">
        <Transition fallback=|| view! { <p class="muted" role="status">"Loading instances…"</p> }>
            {move || Suspend::new(async move {
                let (owner, app) = ids.get_untracked();
                match instances.await {
                    Ok(f) if f.items.is_empty() => view! { <p class="empty">"No instance matches these filters."</p> }.into_any(),
                    Ok(f) => {
                        let now = f.fetched_at.unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
                        let updated = format!("{} instances · fetched {:02}:{:02}:{:02} UTC", f.items.len(), now.hour(), now.minute(), now.second());
                        view! {
                            <p class="muted" role="status">{updated}</p>
                            <InstanceTable owner app list=f.items now />
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Transition>
        </div>
    }
}

/// Instances, one row each.
#[component]
pub fn InstanceTable(
    owner: String,
    app: String,
    list: Vec<Instance>,
    now: Timestamp,
) -> impl IntoView {
    let rows = list
        .into_iter()
        .map(|i| {
            let address = match (&i.network.ip, i.network.port) {
                (Some(ip), Some(port)) => format!("{ip}:{port}"),
                (Some(ip), None) => ip.clone(),
                _ => "—".to_owned(),
            };
            let lifetime = match (i.creation_date, i.deletion_date) {
                (Some(c), Some(d)) => duration((d - c).whole_seconds()),
                (Some(c), None) => format!("{} so far", duration((now - c).whole_seconds())),
                _ => "—".to_owned(),
            };
            let deployment = (!i.deployment_id.is_empty()).then(|| {
                let href = format!(
                    "{}/{}",
                    urls::app(&owner, &app, "/deployments"),
                    urls::segment(&i.deployment_id)
                );
                let short = short_id(&i.deployment_id);
                view! { <A href=href attr:title=i.deployment_id.clone()><code>{short}</code></A> }
            });
            view! {
                <tr data-state=i.state.to_string()>
                    <td><Badge tone=instance_tone(&i.state) label=i.state.to_string() /></td>
                    <td>{i.flavor.clone()}</td>
                    <td class="num">{i.index.map(|n| n.to_string()).unwrap_or_else(|| "—".into())}</td>
                    <td>{i.name.clone()}</td>
                    <td><code>{address}</code></td>
                    <td>{if i.is_build_vm { "Yes" } else { "No" }}</td>
                    <td class="nowrap">{i.creation_date.map(short_time).unwrap_or_else(|| "—".into())}</td>
                    <td class="nowrap">{i.deletion_date.map(short_time).unwrap_or_else(|| "—".into())}</td>
                    <td class="num nowrap">{lifetime}</td>
                    <td>{deployment}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data instances">
            <thead>
                <tr>
                    <th>"State"</th><th>"Flavor"</th><th class="num">"Index"</th><th>"Name"</th><th>"Address"</th>
                    <th>"Build VM"</th><th>"Created (UTC)"</th><th>"Deleted (UTC)"</th><th class="num">"Lifetime"</th><th>"Deployment"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
