//! The frame of every signed-in page: header, demo banner, navigation, content.

use crate::api::navigation::{ShellData, load_shell};
use crate::components::error_view::ErrorView;
use crate::error::AppError;
use crate::logic::place::{self, Place, addon_link};
use crate::model::navigation::Owner;
use crate::urls;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_location;

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
    // Rendered on the server only (not an island): the path is the request's.
    let path = StoredValue::new(use_location().pathname.get_untracked());
    // The fleet board lists the applications and add-ons of the navigation's summary (their
    // states come from each one's own calls): it asks afresh, so a new or deleted one shows at
    // once, where other pages' frames take the session's from the last seconds.
    let fresh = path.with_value(|p| p == "/");
    let shell: ShellResource = Resource::new(|| (), move |_| load_shell(fresh));
    provide_context(shell);
    let place = move |owners: &[Owner]| path.with_value(|p| place::place(p, owners));
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
                // On a phone the navigation folds behind "Menu" (no script needed) and the
                // content comes right after it; on a wider screen the menu is always open.
                <details class="menu">
                    <summary>"Menu"</summary>
                    <nav class="sidebar" aria-label="Organisations">
                        <Suspense fallback=|| view! { <p class="muted">"Loading organisations…"</p> }>
                            {move || Suspend::new(async move {
                                match shell.await {
                                    Ok(d) => {
                                        let here = place(&d.owners);
                                        view! { <Nav owners=d.owners here /> }.into_any()
                                    }
                                    Err(e) => view! {
                                        <ErrorView error=e />
                                        <p class="nav-extra"><a href=urls::zones()>"Zones"</a></p>
                                    }.into_any(),
                                }
                            })}
                        </Suspense>
                    </nav>
                </details>
                <main class="content" id="content" tabindex="-1">
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let owners = shell.await.map(|d| d.owners).unwrap_or_default();
                            view! { <Breadcrumb here=place(&owners) /> }
                        })}
                    </Suspense>
                    {children()}
                </main>
            </div>
        </div>
    }
}

/// The breadcrumb below the top bar, and the tab title in the same words.
#[component]
fn Breadcrumb(here: Place) -> impl IntoView {
    let title = here.title();
    let last = here.crumbs.len().saturating_sub(1);
    let crumbs = here
        .crumbs
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let current = (i == last).then_some("page");
            view! { <li><a href=c.href aria-current=current>{c.label}</a></li> }
        })
        .collect_view();
    view! {
        <Title text=title />
        <nav class="breadcrumb" aria-label="Breadcrumb"><ol>{crumbs}</ol></nav>
    }
}

/// The bell's name for `open` incidents.
fn bell_label(open: usize) -> String {
    match open {
        0 => "Alerts: no open incident".to_owned(),
        1 => "Alerts: 1 open incident".to_owned(),
        n => format!("Alerts: {n} open incidents"),
    }
}

/// The bell: the open incidents the user can see, counted on the server; while JavaScript
/// runs it asks again every 20 s and when the window regains the focus (`/alerts/open.json`,
/// marked as background so an open tab does not keep the session alive), while the tab is
/// visible.
#[island]
fn AlertBell(open: usize) -> impl IntoView {
    let (count, set_count) = signal(open);
    #[cfg(feature = "hydrate")]
    {
        #[derive(serde::Deserialize)]
        struct Open {
            open: usize,
        }
        let tick = move || {
            let hidden = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.hidden());
            if hidden {
                return;
            }
            leptos::task::spawn_local(async move {
                let request = gloo_net::http::Request::get("/alerts/open.json")
                    .header(crate::components::auto_refresh::BACKGROUND_HEADER, "1");
                let Ok(resp) = request.send().await else {
                    return;
                };
                if resp.ok()
                    && let Ok(o) = resp.json::<Open>().await
                {
                    set_count.set(o.open);
                }
            });
        };
        if let Ok(h) = leptos::leptos_dom::helpers::set_interval_with_handle(
            tick,
            std::time::Duration::from_secs(20),
        ) {
            on_cleanup(move || h.clear());
        }
        // Back on the tab: at once.
        let focus = window_event_listener(leptos::ev::focus, move |_| tick());
        on_cleanup(move || focus.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = set_count;
    view! {
        <a href="/alerts" class="bell" class:ringing=move || { count.get() > 0 } aria-label=move || bell_label(count.get())>
            "Alerts"
            {move || {
                let n = count.get();
                (n > 0).then(|| view! { " " <span class="bell-count">{n}</span> })
            }}
        </a>
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
            <AlertBell open=data.open_alerts />
            <span class="user-name" title=data.user_email>{data.user_name}</span>
            <span class="user-via muted">{how}</span>
            <a href="/sessions" class="user-sessions">"Your sessions"</a>
            <form method="post" action="/logout">
                <button type="submit" class="link-button">"Sign out"</button>
            </form>
        </div>
    }
}

#[component]
fn Nav(owners: Vec<Owner>, here: Place) -> impl IntoView {
    let here_link = here.sidebar.unwrap_or_default();
    let link = |href: String, label: String| {
        let current = (href == here_link).then_some("page");
        view! { <a href=href aria-current=current>{label}</a> }
    };
    // Without a current owner (home, zones), the personal space opens.
    let open_owner = here.owner;
    let sections = owners
        .into_iter()
        .map(|o| {
            let id = o.id.clone();
            let apps = o
                .applications
                .into_iter()
                .map(|a| view! { <li>{link(urls::app(&id, &a.id, ""), a.name)}</li> })
                .collect_view();
            let addons = o
                .addons
                .into_iter()
                .map(|a| view! { <li>{link(addon_link(&id, &a), a.name)}</li> })
                .collect_view();
            let open = open_owner.as_ref().map_or(o.personal, |x| *x == o.id);
            view! {
                <details class="nav-owner" open=open>
                    <summary>{o.name}</summary>
                    <ul>
                        <li>{link(urls::activity(&id), "Activity".to_owned())}</li>
                        {(!o.personal).then(|| view! { <li>{link(urls::members(&id), "Members".to_owned())}</li> })}
                        <li>{link(urls::invoices(&id), "Invoices".to_owned())}</li>
                        {apps}
                        {addons}
                    </ul>
                </details>
            }
        })
        .collect_view();
    view! {
        <p class="nav-extra">{link("/".to_owned(), "All organisations".to_owned())}</p>
        {sections}
        <p class="nav-extra">{link(urls::zones(), "Zones".to_owned())}</p>
        <p class="nav-extra">{link("/alerts".to_owned(), "Alerts".to_owned())}</p>
        <p class="nav-extra">{link("/sessions".to_owned(), "Your sessions".to_owned())}</p>
    }
}
