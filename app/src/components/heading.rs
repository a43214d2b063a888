//! Page heads: the name of what the page is about (from the navigation data the frame already
//! loaded), the tab title, and the links between an application's pages.

use crate::components::layout::ShellResource;
use crate::routes::urls;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// The head of every application page: the application's name (from the navigation data),
/// the page's title, the tab title and the links between the application's pages.
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
            let title = if page.is_empty() {
                name.clone()
            } else {
                format!("{page} · {name}")
            };
            view! {
                <Title text=title />
                <h1>{if page.is_empty() { String::new() } else { format!("{page} · ") }}<span class="app-name">{name}</span></h1>
            }
        })
    };
    let link = |sub: &'static str, label: &'static str| {
        // `A` marks the current page with `aria-current`; the overview only when exact.
        view! { <A href=urls::app(&owner, &app, sub) exact=sub.is_empty()>{label}</A> }
    };
    view! {
        <Suspense fallback=move || view! { <h1>{page}</h1> }>{name}</Suspense>
        <nav class="subnav" aria-label="Application pages">
            {link("", "Overview")}
            {link("/deployments", "Deployments")}
            {link("/instances", "Instances")}
            {link("/logs", "Logs")}
            <A href=urls::drains(&owner, &app)>"Log drains"</A>
        </nav>
    }
}

/// The head of an add-on's page that has no page of its own but this one (log drains of an
/// add-on): its name from the navigation data.
#[component]
pub fn ResourceHeading(owner: String, resource: String) -> impl IntoView {
    let shell = use_context::<ShellResource>();
    view! {
        <Suspense fallback=|| view! { <h1>"Log drains"</h1> }>
            {move || {
                let (o, r) = (owner.clone(), resource.clone());
                Suspend::new(async move {
                    let name = match shell {
                        Some(s) => s.await.ok().and_then(|d| d.resource_name(&o, &r)),
                        None => None,
                    }
                    .unwrap_or(r);
                    view! {
                        <Title text=format!("Log drains · {name}") />
                        <h1>"Log drains · " <span class="app-name">{name}</span></h1>
                    }
                })
            }}
        </Suspense>
    }
}
