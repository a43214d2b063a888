//! The dashboard's app: the HTML shell, the root component and the route table.

// Release builds keep full view types (no erase_components); pages are deep.
#![recursion_limit = "256"]

pub mod api;
#[cfg(feature = "ssr")]
pub mod assets;
pub mod browser;
pub mod components;
pub mod csp;
pub mod error;
pub mod hooks;
pub mod ids;
pub mod logic;
pub mod model;
pub mod query;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod urls;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::SsrMode;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let csp = page_policy();
    #[cfg(not(feature = "ssr"))]
    let csp: Option<String> = None;
    #[cfg(feature = "ssr")]
    let stylesheet = Some(assets::stylesheet());
    #[cfg(not(feature = "ssr"))]
    let stylesheet: Option<&'static str> = None;
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                // The policy also travels inside the page, next to the scripts whose nonce it
                // names, so it holds even when the response header is not the page's own.
                {csp.map(|c| view! { <meta http-equiv="Content-Security-Policy" content=c /> })}
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                {stylesheet.map(|href| view! { <link id="leptos" rel="stylesheet" href=href /> })}
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
                <components::submit_once::SubmitOnce />
                <components::hydration::HydrationMark />
            </body>
        </html>
    }
}

/// The page's CSP: our own origin only, inline scripts only with this response's nonce,
/// WASM allowed, never framed. Set as the response header and returned for the page's
/// `<meta>` (which cannot carry `frame-ancestors`; the header does).
#[cfg(feature = "ssr")]
fn page_policy() -> Option<String> {
    let nonce = leptos::nonce::use_nonce()?;
    if let (Some(resp), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&csp::page_header(&nonce)),
    ) {
        resp.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
    Some(csp::page(&nonce))
}

/// The root component: metadata and the route table.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let ssr = SsrMode::Async;
    view! {
        <Title formatter=|t: String| {
            if t.is_empty() { "Clever Cloud dashboard".to_owned() } else { format!("{t} · Clever Cloud dashboard") }
        } />
        <Router>
            <Routes fallback=routes::not_found::NotFound>
                <Route path=path!("/login") view=routes::login::LoginPage ssr=ssr.clone() />
                // Streamed in order: the heading and the line saying what is read leave at
                // once, the table once every invoice detail is in (no script needed). Routed
                // outside the shell's route, whose `Async` would hold the whole page back.
                <Route
                    path=path!("/orgs/:owner_id/costs")
                    view=|| view! { <components::layout::Frame><routes::costs::CostsPage /></components::layout::Frame> }
                    ssr=SsrMode::InOrder
                />
                // The fleet board streams in order too: each organisation leaves as soon as its
                // calls are in.
                <Route
                    path=path!("")
                    view=|| view! { <components::layout::Frame><routes::home::HomePage /></components::layout::Frame> }
                    ssr=SsrMode::InOrder
                />
                <ParentRoute path=path!("") view=components::layout::Shell ssr=ssr.clone()>
                    <Route
                        path=path!("/orgs/:owner_id/activity")
                        view=routes::activity::ActivityPage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/orgs/:owner_id/members")
                        view=routes::members::MembersPage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/orgs/:owner_id/invoices")
                        view=routes::invoices::InvoicesPage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/orgs/:owner_id/invoices/:number")
                        view=routes::invoice::InvoicePage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/orgs/:owner_id/apps/:app_id")
                        view=routes::app::AppPage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/orgs/:owner_id/apps/:app_id/deployments")
                        view=routes::deployments::DeploymentsPage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/orgs/:owner_id/apps/:app_id/deployments/:deployment_id")
                        view=routes::deployment::DeploymentPage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/orgs/:owner_id/apps/:app_id/instances")
                        view=routes::instances::InstancesPage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/orgs/:owner_id/apps/:app_id/metrics")
                        view=routes::metrics::MetricsPage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/orgs/:owner_id/addons/:addon_id/metrics")
                        view=routes::metrics::AddonMetricsPage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/orgs/:owner_id/apps/:app_id/logs")
                        view=routes::logs::LogsPage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/orgs/:owner_id/apps/:app_id/access-logs")
                        view=routes::access_logs::AccessLogsPage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/orgs/:owner_id/addons/:addon_id/logs")
                        view=routes::logs::AddonLogsPage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/orgs/:owner_id/resources/:resource_id/drains")
                        view=routes::drains::DrainsPage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/orgs/:owner_id/operators/:kind/:id")
                        view=routes::operator::OperatorPage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/orgs/:owner_id/pulsar/:addon_id")
                        view=routes::pulsar::PulsarPage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/alerts")
                        view=routes::alerts::AlertsPage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/sessions")
                        view=routes::sessions::SessionsPage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/zones")
                        view=routes::zones::ZonesPage
                        ssr=ssr.clone()
                    />
                    <Route
                        path=path!("/zones/:name")
                        view=routes::zones::ZonePage
                        ssr=ssr.clone()
                    />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
