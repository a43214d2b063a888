//! Page heads: the name of what the page is about (from the navigation data the frame already
//! loaded) and the links between an application's pages.

use crate::components::layout::ShellResource;
use crate::logic::place::current_of;
use crate::urls;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// The head of every application page: the application's name (from the navigation data),
/// the page's title and the links between the application's pages.
#[component]
pub fn AppHeading(owner: String, app: String, page: &'static str) -> impl IntoView {
    let shell = use_context::<ShellResource>();
    let (o, a) = (owner.clone(), app.clone());
    let name = move || {
        let (o, a) = (o.clone(), a.clone());
        Suspend::new(async move {
            let name = match shell {
                Some(s) => s.await.ok().and_then(|d| d.app_name(&o, &a)),
                None => None,
            }
            .unwrap_or(a);
            view! {
                <h1>{if page.is_empty() { String::new() } else { format!("{page} · ") }}<span class="app-name">{name}</span></h1>
            }
        })
    };
    let links = [
        (urls::app(&owner, &app, ""), "Overview"),
        (urls::app(&owner, &app, "/deployments"), "Deployments"),
        (urls::app(&owner, &app, "/instances"), "Instances"),
        (urls::app(&owner, &app, "/metrics"), "Metrics"),
        (urls::app(&owner, &app, "/logs"), "Logs"),
        (urls::app(&owner, &app, "/access-logs"), "Access logs"),
        (urls::drains(&owner, &app), "Log drains"),
    ];
    // Rendered on the server only: the path is the request's. One deployment is under
    // "Deployments", so the longest link the path is under is the current one.
    let path = use_location().pathname.get_untracked();
    let hrefs: Vec<&str> = links.iter().map(|(h, _)| h.as_str()).collect();
    let current = current_of(&path, &hrefs).map(str::to_owned);
    let links = links
        .into_iter()
        .map(|(href, label)| {
            let here = (current.as_deref() == Some(href.as_str())).then_some("page");
            view! { <a href=href aria-current=here>{label}</a> }
        })
        .collect_view();
    view! {
        <Suspense fallback=move || view! { <h1>{page}</h1> }>{name}</Suspense>
        <nav class="subnav" aria-label="Application pages">{links}</nav>
    }
}

/// The head of an add-on's page (Pulsar policies, log drains of an add-on): the page's title
/// and the add-on's name from the navigation data (its id only when the name is unknown).
#[component]
pub fn AddonHeading(owner: String, addon: String, page: &'static str) -> impl IntoView {
    let shell = use_context::<ShellResource>();
    let (owner_id, addon_id) = (owner.clone(), addon.clone());
    view! {
        <Suspense fallback=move || view! { <h1>{page}</h1> }>
            {move || {
                let (o, r) = (owner_id.clone(), addon_id.clone());
                Suspend::new(async move {
                    let name = match shell {
                        Some(s) => s.await.ok().and_then(|d| d.resource_name(&o, &r)),
                        None => None,
                    }
                    .unwrap_or(r);
                    view! { <h1>{page} " · " <span class="app-name">{name}</span></h1> }
                })
            }}
        </Suspense>
        <AddonLinks owner=owner.clone() addon=addon.clone() />
    }
}

/// The pages every add-on with a real id has: its metrics, its logs and its log drains.
#[component]
pub fn AddonLinks(owner: String, addon: String) -> impl IntoView {
    view! {
        <p class="addon-links">
            <a href=urls::addon_metrics(&owner, &addon)>"Metrics"</a>
            " · "
            <a href=urls::addon_logs(&owner, &addon)>"Logs"</a>
            " · "
            <a href=urls::drains(&owner, &addon)>"Log drains"</a>
        </p>
    }
}
