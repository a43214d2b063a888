//! `/`: every owner (personal space first, then organisations) with its apps and add-ons.

use crate::components::badge::Badge;
use crate::components::badge::app_state_badge;
use crate::components::error_view::ErrorView;
use crate::components::layout::ShellResource;
use crate::model::navigation::{Owner, SummaryApp};
use crate::urls;
use leptos::prelude::*;

/// The home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let shell = expect_context::<ShellResource>();
    view! {
        <h1>"Organisations"</h1>
        <Suspense fallback=|| view! { <p class="muted">"Loading organisations…"</p> }>
            {move || Suspend::new(async move {
                match shell.await {
                    Ok(d) if d.owners.is_empty() => {
                        view! { <p>"This account has no organisation yet."</p> }.into_any()
                    }
                    Ok(d) => d.owners.into_iter().map(|o| view! { <OwnerCard owner=o /> }).collect_view().into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OwnerCard(owner: Owner) -> impl IntoView {
    let id = owner.id.clone();
    let name = owner.name.clone();
    let kind = if owner.personal {
        "your own applications and add-ons"
    } else {
        "Organisation"
    };
    let apps_empty = owner.applications.is_empty();
    let addons_empty = owner.addons.is_empty();
    let apps = owner
        .applications
        .into_iter()
        .map(|a| view! { <AppRow owner=id.clone() app=a /> })
        .collect_view();
    let addons = owner
        .addons
        .into_iter()
        .map(|a| {
            let page = urls::addon_page(&id, &a);
            let drains = urls::drains(&id, &a.real_id);
            view! {
                <tr>
                    <td>
                        {match page {
                            Some(href) => view! { <a href=href>{a.name.clone()}</a> }.into_any(),
                            None => view! { <span>{a.name.clone()}</span> }.into_any(),
                        }}
                    </td>
                    <td><code>{a.provider_id}</code></td>
                    <td><a href=drains>"Log drains"</a></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="owner-card" id=owner.id.clone() data-owner=owner.id.clone()>
            <header>
                <h2>{owner.name}</h2>
                <span class="muted">{kind}</span>
                <a href=urls::invoices(&owner.id)>"Invoices"</a>
            </header>
            <h3>"Applications"</h3>
            {if apps_empty {
                view! { <p class="muted">"No application in this space."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" role="region" tabindex="0" aria-label=format!("Applications of {name}")><table class="data">
                        <thead><tr><th>"Name"</th><th>"State"</th><th>"Pages"</th></tr></thead>
                        <tbody>{apps}</tbody>
                    </table></div>
                }.into_any()
            }}
            <h3>"Add-ons"</h3>
            {if addons_empty {
                view! { <p class="muted">"No add-on in this space."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" role="region" tabindex="0" aria-label=format!("Add-ons of {name}")><table class="data">
                        <thead><tr><th>"Name"</th><th>"Provider"</th><th>"Pages"</th></tr></thead>
                        <tbody>{addons}</tbody>
                    </table></div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn AppRow(owner: String, app: SummaryApp) -> impl IntoView {
    let (tone, label) = app_state_badge(&app.state);
    let title = format!("{} ({})", label, app.state);
    view! {
        <tr>
            <td><a href=urls::app(&owner, &app.id, "")>{app.name}</a></td>
            <td title=title><Badge tone label /></td>
            <td class="links">
                <a href=urls::app(&owner, &app.id, "/deployments")>"Deployments"</a>
                <a href=urls::app(&owner, &app.id, "/instances")>"Instances"</a>
                <a href=urls::app(&owner, &app.id, "/logs")>"Logs"</a>
                <a href=urls::drains(&owner, &app.id)>"Drains"</a>
            </td>
        </tr>
    }
}
