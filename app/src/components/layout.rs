//! The frame of every signed-in page: header, demo banner, navigation, content.

use crate::api::navigation::{ShellData, load_shell};
use crate::components::error_view::ErrorView;
use crate::error::AppError;
use crate::model::navigation::Owner;
use crate::routes::urls;
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

/// The shell's data, shared with pages through context.
pub type ShellResource = Resource<Result<ShellData, AppError>>;

/// Header, navigation and the current page (the route's child).
#[component]
pub fn Shell() -> impl IntoView {
    view! { <Frame><Outlet /></Frame> }
}

/// Header, navigation and `children`: the frame of a page routed on its own (one that streams
/// in order, which the shell's route would not let it do).
#[component]
pub fn Frame(children: Children) -> impl IntoView {
    let shell: ShellResource = Resource::new(|| (), |_| load_shell());
    provide_context(shell);
    view! {
        // "false" here; the page's last island (`HydrationMark`) turns it "true".
        <div class="app" data-hydrated="false">
            // First in the tab order: past the header and the navigation in one key press.
            <a class="skip-link" href="#content">"Skip to content"</a>
            <header class="topbar">
                <a class="brand" href="/">"☁ Clever dashboard"</a>
                <Suspense fallback=|| view! { <span class="muted">"Loading…"</span> }>
                    {move || Suspend::new(async move {
                        shell.await.ok().map(|d| view! { <UserMenu data=d /> })
                    })}
                </Suspense>
            </header>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    shell.await.ok().filter(|d| d.demo).map(|_| view! {
                        <div class="demo-banner" role="status">
                            "Demo data: this dashboard is connected to its built-in simulated API, not to Clever Cloud."
                        </div>
                    })
                })}
            </Suspense>
            <div class="layout">
                <nav class="sidebar" aria-label="Organisations">
                    <Suspense fallback=|| view! { <p class="muted">"Loading organisations…"</p> }>
                        {move || Suspend::new(async move {
                            match shell.await {
                                Ok(d) => view! { <Nav owners=d.owners /> }.into_any(),
                                Err(e) => view! { <ErrorView error=e /> }.into_any(),
                            }
                        })}
                    </Suspense>
                    <p class="nav-extra"><A href="/zones">"Zones"</A></p>
                </nav>
                <main class="content" id="content" tabindex="-1">{children()}</main>
            </div>
        </div>
    }
}

#[component]
fn UserMenu(data: ShellData) -> impl IntoView {
    let until = match &data.expires {
        Some(t) => format!("until {}", t.get(..10).unwrap_or(t)),
        None => "expiry unknown".to_owned(),
    };
    let how = format!("Signed in with {} · {until}", data.signed_in_with);
    view! {
        <div class="user">
            <span class="user-name" title=data.user_email>{data.user_name}</span>
            <span class="user-via muted">{how}</span>
            <form method="post" action="/logout">
                <button type="submit" class="link-button">"Sign out"</button>
            </form>
        </div>
    }
}

#[component]
fn Nav(owners: Vec<Owner>) -> impl IntoView {
    owners
        .into_iter()
        .map(|o| {
            let id = o.id.clone();
            let apps = o
                .applications
                .into_iter()
                .map(|a| {
                    let href = urls::app(&id, &a.id, "");
                    view! { <li><A href=href>{a.name}</A></li> }
                })
                .collect_view();
            let addons = o
                .addons
                .into_iter()
                .map(|a| {
                    let name = a.name.clone();
                    match urls::addon_page(&id, &a) {
                        Some(href) => view! { <li><A href=href>{name}</A></li> }.into_any(),
                        None => view! { <li class="muted">{name}</li> }.into_any(),
                    }
                })
                .collect_view();
            let invoices = urls::invoices(&id);
            view! {
                <details class="nav-owner" open=o.personal>
                    <summary>{o.name}</summary>
                    <ul>
                        <li><A href=invoices>"Invoices"</A></li>
                        {apps}
                        {addons}
                    </ul>
                </details>
            }
        })
        .collect_view()
}
