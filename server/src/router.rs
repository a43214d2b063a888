//! The route table and the middleware around it. Layers run from the outermost (the last
//! `.layer`) inwards; the order's reasons are beside each.

use crate::config::Config;
use crate::http::origin::PublicOrigin;
use crate::state::{self, AppState};
use crate::{downloads, http, map, probes, relay, signin};
use app::ssr::DemoMode;
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use leptos::config::LeptosOptions;
use leptos_axum::{
    AxumRouteListing, LeptosRoutes, generate_route_list, handle_server_fns_with_context,
};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Builds the whole application router; fails when the HTTP client cannot be built (a broken
/// TLS backend) or the session settings are wrong, which is reported at startup instead of a
/// panic. `bound` is where the server listens: in demo mode, without a public URL, the
/// callback of "Sign in with Clever Cloud" points there.
pub fn router(
    config: &Config,
    leptos: LeptosOptions,
    base: reqwest::Url,
    demo: DemoMode,
    bound: SocketAddr,
) -> std::io::Result<Router> {
    build(config, leptos, base, demo, bound).map(|(router, _)| router)
}

/// The router and the state behind it (what a graceful stop needs to reach).
pub(crate) fn build(
    config: &Config,
    leptos: LeptosOptions,
    base: reqwest::Url,
    demo: DemoMode,
    bound: SocketAddr,
) -> std::io::Result<(Router, AppState)> {
    let state = state::build(config, leptos.clone(), (base, demo), bound)?;
    let public = PublicOrigin::new(config.public_url.as_ref());
    let (store, lifetimes) = (state.store.clone(), state.lifetimes);
    // Over https the cookie takes the `__Host-` prefix: Secure, Path=/ and no Domain, so no
    // other host (a sibling subdomain) can set or shadow it.
    let cookie = if public.https() {
        "__Host-cc_dashboard_session"
    } else {
        "cc_dashboard_session"
    };
    let sessions = SessionManagerLayer::new(store)
        .with_name(cookie)
        .with_path("/")
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(public.https() || !config.plain_http)
        .with_expiry(Expiry::OnInactivity(
            time::Duration::try_from(lifetimes.idle).unwrap_or(time::Duration::HOUR),
        ));
    let routes = route_list();
    let context = state.provide();
    // Never compressed: the relayed log stream (each event leaves at once) and downloads
    // (passed through as the upstream sent them).
    let uncompressed = Router::new()
        .route("/stream/orgs/{owner}/apps/{app}/logs", get(relay::logs))
        .route(
            "/stream/orgs/{owner}/apps/{app}/access-logs",
            get(relay::logs),
        )
        .route(
            "/stream/orgs/{owner}/addons/{real_id}/logs",
            get(relay::logs),
        )
        .route(
            "/download/orgs/{owner}/invoices/{file}",
            get(downloads::invoice_document),
        )
        .route(
            "/download/orgs/{owner}/operators/otoroshi/{id}/config.yaml",
            get(downloads::otoroshi_config),
        )
        .route(
            "/download/orgs/{owner}/invoices.csv",
            get(downloads::invoices_csv_download),
        )
        .route(
            "/download/orgs/{owner}/apps/{app}/{file}",
            get(downloads::app_file),
        )
        .route(
            "/download/orgs/{owner}/addons/{real_id}/{file}",
            get(downloads::addon_file),
        )
        // `invoices-{year}.zip` and `costs-{year}.csv` (the router matches whole segments).
        .route("/download/orgs/{owner}/{file}", get(downloads::by_name));
    // A token form and a sign-out are small: a declared length over the limit is refused
    // unread, an undeclared one cut at the limit.
    let sign_in_forms = Router::new()
        .route("/login", post(signin::token::login))
        .route("/logout", post(signin::token::logout))
        .route("/alerts/test", post(crate::alerts::send_test))
        .route("/alerts/open.json", get(crate::alerts::open_count))
        .layer(DefaultBodyLimit::max(http::limits::SIGN_IN_BODY_BYTES))
        .route_layer(middleware::from_fn(http::limits::small_form));
    let router = Router::new()
        .merge(sign_in_forms)
        .route("/login/oauth", get(signin::clever_cloud::start))
        .route("/oauth/callback", get(signin::clever_cloud::callback))
        .route("/livez", get(probes::live))
        .route("/healthz", get(probes::live))
        .route("/readyz", get(probes::ready))
        .route("/map/land.svg", get(map::land))
        .route(
            "/api/{*fn_name}",
            get(server_fn_handler).post(server_fn_handler),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let leptos = leptos.clone();
            move || shell(leptos.clone())
        })
        // Static files are served by tower-http, not leptos_axum's file_and_error_handler: that
        // one builds its owner as a child of whatever render is current on the thread and takes
        // that request's response headers (our nonce CSP among them) for the file.
        .nest_service(
            &format!("/{}", leptos.site_pkg_dir),
            // Files compressed at build time (`cargo leptos build --release --precompress`)
            // are sent as they are; the others are compressed on the way out. Hashed names
            // change with their content, so they are kept for a year; unhashed ones (a build
            // without `hash-files`) are checked each time.
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(if leptos.hash_files {
                        "public, max-age=31536000, immutable"
                    } else {
                        "no-cache"
                    }),
                ))
                .service(
                    ServeDir::new(format!("{}/{}", leptos.site_root, leptos.site_pkg_dir))
                        .precompressed_br()
                        .precompressed_gzip(),
                ),
        )
        .route_service(
            "/favicon.svg",
            ServeFile::new(format!("{}/favicon.svg", leptos.site_root)),
        )
        .route_service(
            "/robots.txt",
            ServeFile::new(format!("{}/robots.txt", leptos.site_root)),
        )
        .fallback({
            let render = leptos_axum::render_app_async_with_context(context, {
                let leptos = leptos.clone();
                move || shell(leptos.clone())
            });
            move |req: Request<Body>| render(req)
        })
        // Pages, server functions and static files have a deadline in all; log streams and
        // downloads (merged below) last as long as they need.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::GATEWAY_TIMEOUT,
            Duration::from_secs_f64(config.request_deadline_secs.max(1.0)),
        ))
        // Inside the compression: it reads the server functions' answers as they were sent.
        .layer(middleware::from_fn(http::server_fns::around))
        // Pages, server-function answers and static files: brotli or gzip, as the browser
        // accepts (answers already encoded, and tiny ones, are left alone). At the fastest
        // level (brotli 0, gzip 1): measured on the invoices page (24 KiB of HTML), brotli 4
        // cost 1.1 ms of its 2.6 ms and brotli 1 about 0.9 ms; brotli 0 costs about 0.1 ms
        // and sends 6.2 KB instead of 5.2 KB (`bench/page_time.sh`). Static files go out
        // precompressed at the best level at build time.
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .merge(uncompressed)
        // After the session guard: only a signed-in page load takes its action's outcome.
        .layer(middleware::from_fn(http::server_fns::take_outcome))
        // After the session guard (a signed-out request never gets this far), before every
        // handler: an owner outside the allow-list is a 404 before any upstream call.
        .layer(middleware::from_fn_with_state(
            state.allow.org_filter(),
            http::owner_guard::owners_allowed,
        ))
        // Inside the session layer, which loads the record it judges; outside every route,
        // so no handler runs for a signed-out request unless its path is public.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::session_guard::require_session,
        ))
        .layer(sessions)
        // Around the session layer: its bare 500 (a record that could not be saved) becomes
        // the "session store unavailable" answer.
        .layer(middleware::from_fn(http::session_guard::store_errors))
        // Before any session is read or written: a cross-site write costs no store call.
        .layer(middleware::from_fn_with_state(
            http::origin::OriginCheck {
                public: public.clone(),
                proxies: state.trusted_proxies.clone(),
            },
            http::origin::refuse_cross_origin,
        ))
        // Before anything parses the target: over-long addresses and repeated keys.
        .layer(middleware::from_fn(http::limits::request_limits))
        // Outside everything that answers, refusals included, so every answer has them.
        .layer(middleware::from_fn(http::headers::headers))
        .layer(middleware::from_fn_with_state(public, http::headers::hsts))
        // Outermost: the request id and the access line cover the whole request.
        .layer(middleware::from_fn_with_state(
            state.trusted_proxies.clone(),
            http::access::requests,
        ))
        .with_state(state.clone());
    Ok((router, state))
}

/// The app's routes, generated once per process: generating them suppresses resource loading
/// process-wide while it runs (a global flag in leptos_server), so it must never overlap a
/// render, which it could when tests start several servers side by side.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

async fn server_fn_handler(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(state.provide(), req).await
}
