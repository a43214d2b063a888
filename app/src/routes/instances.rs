//! `/orgs/{ownerId}/apps/{appId}/instances`: every documented filter in the URL query (a GET
//! form, so it works without JavaScript) and, once hydrated, an auto-refresh every 5 s for
//! watching a deployment roll out.

use crate::api::apps::list_instances;
use crate::components::auto_refresh::{AutoRefresh, RefreshWhen};
use crate::components::error_view::ErrorView;
use crate::components::heading::AppHeading;
use crate::components::instance_table::InstanceTable;
use crate::components::order_select::OrderSelect;
use crate::error::AppError;
use crate::hooks::route_ids::{check_app_ids, use_app_ids};
use crate::hooks::use_url_filter;
use crate::logic::apps::InstanceFilter;
use crate::model::instances::InstanceState;
use crate::urls;
use leptos::prelude::*;

/// Refresh period of the auto-refresh, in milliseconds.
const REFRESH_MS: u32 = 5000;

/// The instances page.
#[component]
pub fn InstancesPage() -> impl IntoView {
    let ids = use_app_ids();
    let filter = use_url_filter::<InstanceFilter>();
    let instances = Resource::new(
        move || (ids.get(), filter.get()),
        |((owner, app), filter)| async move {
            check_app_ids(&owner, &app)?;
            filter.upstream_query().map_err(AppError::BadRequest)?;
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
                // Words to read, the wire value in the tooltip and in the address.
                view! {
                    <label class="check" title=wire><input type="checkbox" name=name value=wire checked=checked />{s.label()}</label>
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
