//! `/orgs/{ownerId}/apps/{appId}/logs`: the live log viewer. Settings live in the URL query;
//! lines come from our relay (`/stream/...`) through `EventSource` (`hooks::log_stream`), are
//! kept in a bounded buffer (`logic::logs::LineBuffer`) and drawn as a virtualised list, once
//! per animation frame, so 100,000 lines stay smooth.

use super::logs_viewer::Viewer;
use crate::api::apps::{list_deployments, list_instances};
use crate::browser;
use crate::components::error_view::ErrorView;
use crate::components::heading::{AddonHeading, AppHeading};
use crate::components::timeline::short_time;
use crate::hooks::route_ids::{check_app_ids, use_app_ids};
use crate::hooks::use_url_filter;
use crate::logic::apps::{DeploymentFilter, InstanceFilter};
use crate::logic::logs::{LogFilter, Range, ViewerSettings};
use crate::logic::short_id;
use crate::model::deployments::Deployment;
use crate::model::instances::Instance;
use crate::urls;
use leptos::prelude::*;

/// Services offered in the selector.
const SERVICES: [&str; 4] = ["bas", "bas-deploy", "cron", "all"];

/// The logs page.
#[component]
pub fn LogsPage() -> impl IntoView {
    let ids = use_app_ids();
    let settings = use_url_filter::<ViewerSettings>();
    let (owner, app) = ids.get_untracked();
    let pickers = Resource::new(
        move || ids.get(),
        |(owner, app)| async move {
            check_app_ids(&owner, &app)?;
            let deps = DeploymentFilter {
                limit: Some("20".into()),
                order: None,
            };
            let inst = InstanceFilter {
                limit: Some("100".into()),
                order: Some("DESC".into()),
                ..InstanceFilter::default()
            };
            let (d, i) = futures::join!(
                list_deployments(owner.clone(), app.clone(), deps),
                list_instances(owner, app, inst)
            );
            Ok::<_, crate::error::AppError>((d?.items, i?.items))
        },
    );
    view! {
        <AppHeading owner=owner.clone() app=app.clone() page="Logs" />
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
            {move || {
                let (owner, app) = (owner.clone(), app.clone());
                Suspend::new(async move {
                    if let Err(e) = check_app_ids(&owner, &app) {
                        return view! { <ErrorView error=e /> }.into_any();
                    }
                    // Without the pickers (the upstream did not list them) the logs still
                    // stream.
                    let (deps, insts) = pickers.await.unwrap_or_default();
                    // Lines name their instance as the instances page does ("Calm Grace").
                    let names: Vec<(String, String)> =
                        insts.into_iter().map(|i| (i.id, i.name)).collect();
                    let shown = settings.get_untracked();
                    // The relay's address (ranges end "now"; a deployment by position is
                    // resolved against the deployments as they are now).
                    let now = time::OffsetDateTime::now_utc();
                    let filter = shown
                        .at_position(&deps)
                        .and_then(|s| s.stream_filter(now));
                    let (url, links, problem) = match filter {
                        Ok(f) => {
                            let url = format!(
                                "/stream{}{}",
                                urls::app(&owner, &app, "/logs"),
                                f.to_url_query()
                            );
                            let base = urls::download_app(&owner, &app);
                            let query = download_query(f, now);
                            let links = view! {
                                <p class="downloads">"Download this range (up to 1,000,000 lines): "
                                    <a href=format!("{base}/logs.txt{query}") download>"Text (.txt)"</a>
                                    " · "
                                    <a href=format!("{base}/logs.ndjson{query}") download>"NDJSON (.ndjson)"</a>
                                </p>
                            };
                            (Some(url), Some(links), None)
                        }
                        Err(e) => (
                            None,
                            None,
                            Some(view! { <p class="notice error" role="alert">{e}</p> }),
                        ),
                    };
                    view! {
                        {problem}
                        <LogViewer url names wrap=shown.wrap local_time=shown.local_time>
                            <Controls settings pickers />
                        </LogViewer>
                        {links}
                    }
                    .into_any()
                })
            }}
        </Suspense>
    }
}

/// The download's query for what the viewer shows: the same range, closed at `now`, without
/// the viewer's cap and pacing (the download sets its own).
pub fn download_query(mut f: LogFilter, now: crate::model::Timestamp) -> String {
    if f.until.is_none() {
        f.until = Some(crate::model::date::format(&now));
    }
    f.limit = None;
    f.throttle_elements = None;
    f.throttle_per_in_milliseconds = None;
    f.to_url_query()
}

type Pickers = Resource<Result<(Vec<Deployment>, Vec<Instance>), crate::error::AppError>>;

/// The range and text fields of the GET form (both viewers).
#[component]
fn RangeFields(settings: Memo<ViewerSettings>) -> impl IntoView {
    let value = move |get: fn(&ViewerSettings) -> &Option<String>| {
        move || get(&settings.read()).clone().unwrap_or_default()
    };
    let range_options = Range::ALL
        .into_iter()
        .map(|r| {
            let selected = move || settings.read().range().ok() == Some(r);
            view! { <option value=r.as_str() selected=selected>{r.label()}</option> }
        })
        .collect_view();
    view! {
        <label>"Range" <select name="range">{range_options}</select></label>
        <label>"Since (custom)" <input type="text" name="since" placeholder="2026-11-26 or …T10:00:00Z" value=value(|s| &s.since) /></label>
        <label>"Until (custom)" <input type="text" name="until" placeholder="empty: follow" value=value(|s| &s.until) /></label>
        <label>"Contains" <input type="search" name="filter" placeholder="text, case-insensitive" value=value(|s| &s.filter) /></label>
    }
}

/// The settings fields of the GET form (so they work without JavaScript), rendered on the
/// server inside the viewer's island, which adds the display toggles and the button.
#[component]
fn Controls(settings: Memo<ViewerSettings>, pickers: Pickers) -> impl IntoView {
    let services = SERVICES
        .into_iter()
        .map(|s| {
            let checked = move || settings.read().services.iter().any(|x| x == s);
            view! { <label class="check"><input type="checkbox" name="service" value=s checked=checked />{s}</label> }
        })
        .collect_view();
    let pickers_view = move || {
        Suspend::new(async move {
            let (deps, insts) = pickers.await.unwrap_or_default();
            let current = settings.read_untracked();
            // A deployment by position, else one by id (the legacy `deploymentId` too).
            let current_dep = current
                .deployment
                .clone()
                .or_else(|| current.deployment_id.clone())
                .unwrap_or_default();
            let current_inst = current.instance_id.clone().unwrap_or_default();
            drop(current);
            let inst_options = insts
                .into_iter()
                .map(|i| {
                    let label = format!("{} · {} · {}", i.name, i.state, short_id(&i.id));
                    let sel = i.id == current_inst;
                    view! { <option value=i.id.clone() selected=sel>{label}</option> }
                })
                .collect_view();
            view! {
                <DeploymentSelect deps current=current_dep any="All deployments" />
                <label>"Instance"
                    <select name="instanceId">
                        <option value="">"All instances"</option>
                        {inst_options}
                    </select>
                </label>
            }
        })
    };
    view! {
            <RangeFields settings />
            <Suspense fallback=|| ()>{pickers_view}</Suspense>
            <fieldset class="states"><legend>"Services (none: bas and bas-deploy)"</legend>{services}</fieldset>
    }
}

/// The interactive part of the logs page (an island): the settings form around the server's
/// fields, its display toggles (applied at once, and kept in the address), and the viewer.
/// Lazy: with `--split`, its code is a WASM file of its own that only the pages showing it
/// fetch (the two log islands were half of every page's WASM).
#[island(lazy)]
pub fn LogViewer(
    url: Option<String>,
    /// Instance names by id (an instance not among them shows its short id).
    names: Vec<(String, String)>,
    wrap: bool,
    local_time: bool,
    children: Children,
) -> impl IntoView {
    let wrap = RwSignal::new(wrap);
    let local = RwSignal::new(local_time);
    let toggle = move |key: &'static str, on_value: &'static str, flag: RwSignal<bool>| {
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            flag.set(on);
            browser::set_query(key, on.then_some(on_value));
        }
    };
    view! {
        <form method="get" class="filters log-controls" aria-label="Log settings">
            {children()}
            <label class="check"><input type="checkbox" name="wrap" value="1" checked=wrap.get_untracked() on:change=toggle("wrap", "1", wrap) />"Wrap lines"</label>
            <label class="check"><input type="checkbox" name="tz" value="local" checked=local.get_untracked() on:change=toggle("tz", "local", local) />"Local time"</label>
            <div class="actions"><button type="submit">"Apply"</button></div>
        </form>
        {url.map(|url| view! { <Viewer url names wrap=wrap.into() local=local.into() /> })}
    }
}

/// `/orgs/{ownerId}/addons/{realId}/logs`: an add-on's runtime logs, through the same relay
/// and viewer (its range and text filter; add-ons have no services or instances to pick).
#[component]
pub fn AddonLogsPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let (owner, addon) = {
        let p = params.read_untracked();
        (
            p.get("owner_id").unwrap_or_default(),
            p.get("addon_id").unwrap_or_default(),
        )
    };
    let settings = use_url_filter::<ViewerSettings>();
    let shown = settings.get_untracked();
    let checked = crate::ids::SegmentId::parse("owner id", &owner)
        .and_then(|_| crate::ids::SegmentId::parse("add-on id", &addon));
    let now = time::OffsetDateTime::now_utc();
    let body = match (checked, shown.stream_filter(now)) {
        (Err(e), _) => view! { <ErrorView error=e /> }.into_any(),
        (Ok(_), Err(e)) => view! {
            <p class="notice error" role="alert">{e}</p>
            <LogViewer url=None names=vec![] wrap=shown.wrap local_time=shown.local_time>
                <RangeFields settings />
            </LogViewer>
        }
        .into_any(),
        (Ok(_), Ok(f)) => {
            let url = format!(
                "/stream{}{}",
                urls::addon_logs(&owner, &addon),
                f.to_url_query()
            );
            let base = urls::download_addon(&owner, &addon);
            let query = download_query(f, now);
            view! {
                <LogViewer url=Some(url) names=vec![] wrap=shown.wrap local_time=shown.local_time>
                    <RangeFields settings />
                </LogViewer>
                <p class="downloads">"Download this range (up to 1,000,000 lines): "
                    <a href=format!("{base}/logs.txt{query}") download>"Text (.txt)"</a>
                    " · "
                    <a href=format!("{base}/logs.ndjson{query}") download>"NDJSON (.ndjson)"</a>
                </p>
            }
            .into_any()
        }
    };
    view! {
        <AddonHeading owner=owner.clone() addon=addon.clone() page="Logs" />
        {body}
    }
}

/// The deployment select of both log pages: none, the latest or the previous one (by
/// position, so a shared link stays right after the next deploy), or one of `deps`; an id from
/// the address that is not among them stays selectable.
#[component]
pub(super) fn DeploymentSelect(
    deps: Vec<Deployment>,
    current: String,
    any: &'static str,
) -> impl IntoView {
    let known = deps.iter().any(|d| d.id == current)
        || matches!(current.as_str(), "" | "latest" | "previous");
    let extra = (!known)
        .then(|| view! { <option value=current.clone() selected=true>{current.clone()}</option> });
    let options = deps
        .into_iter()
        .map(|d| {
            let label = format!(
                "{} · {} · {}",
                d.start_date.map(short_time).unwrap_or_default(),
                d.origin.action,
                d.state
            );
            let sel = d.id == current;
            view! { <option value=d.id.clone() selected=sel>{label}</option> }
        })
        .collect_view();
    view! {
        <label>"Deployment (sets the range to its lifetime)"
            <select name="deployment">
                <option value="">{any}</option>
                <option value="latest" selected=current == "latest">"Latest deployment"</option>
                <option value="previous" selected=current == "previous">"Previous deployment"</option>
                {extra}
                {options}
            </select>
        </label>
    }
}
