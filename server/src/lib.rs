//! The dashboard server: configuration, router assembly, login, security, demo upstream.

pub mod access;
pub mod allow;
pub mod archive;
pub mod auth;
pub mod client;
pub mod config;
pub mod costs;
pub mod demo;
pub mod downloads;
pub mod listen;
pub mod map;
pub mod oauth;
pub mod relay;
pub mod security;
pub mod server_fns;
pub mod sessions;
pub mod telemetry;
pub mod throttle;

use app::ssr::oauth::Consumer;
use app::ssr::{DemoMode, OAuthProvider, Timeouts, Upstream};
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use config::Config;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{
    AxumRouteListing, LeptosRoutes, generate_route_list, handle_server_fns_with_context,
};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// What every handler can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub upstream: Upstream,
    pub demo: DemoMode,
    pub lifetimes: sessions::Lifetimes,
    pub touched: sessions::Touched,
    pub store: sessions::Store,
    pub streams: Arc<relay::Streams>,
    /// Who may sign in, and which organisations the navigation shows.
    pub allow: allow::AllowList,
    /// The proxies whose forwarding headers name the client.
    pub trusted_proxies: client::TrustedProxies,
    /// Sign-in attempts per client address and in total.
    pub signin: Arc<throttle::SignInLimits>,
    /// The last readiness verdict (`/readyz`).
    pub readiness: Arc<Readiness>,
    /// Set at SIGTERM: `/readyz` answers 503 from then on.
    pub draining: Arc<AtomicBool>,
    /// "Sign in with Clever Cloud", when offered.
    pub oauth: Option<Arc<oauth::Settings>>,
    /// Details of closed invoices, per session (the costs page and its CSV).
    pub invoice_details: app::ssr::costs::DetailCache,
}

impl AppState {
    /// Puts what server functions and pages need into the Leptos context.
    fn provide(&self) -> impl Fn() + Clone + Send + Sync + 'static + use<> {
        let upstream = self.upstream.clone();
        let demo = self.demo;
        let orgs = self.allow.org_filter();
        let details = self.invoice_details.clone();
        move || {
            provide_context(details.clone());
            provide_context(upstream.clone());
            provide_context(demo);
            provide_context(orgs.clone());
        }
    }
}

/// Starts the demo upstream when no upstream is configured; returns the base URL to use.
pub async fn upstream_base(config: &Config) -> std::io::Result<(reqwest::Url, DemoMode)> {
    if let Some(url) = &config.api_url {
        return Ok((url.clone(), DemoMode(false)));
    }
    let addr = demo::spawn(config.demo.clone()).await?;
    tracing::info!(%addr, "no CC_API_URL configured: serving the embedded demo upstream (demo data)");
    let url = reqwest::Url::parse(&format!("http://{addr}"))
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok((url, DemoMode(true)))
}

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
    app(config, leptos, base, demo, bound).map(|(router, _)| router)
}

/// The OAuth provider: the demo's own consumer in demo mode, else the configured consumer
/// (key and secret both, or neither).
fn oauth_provider(
    config: &Config,
    base: &reqwest::Url,
    demo: DemoMode,
) -> std::io::Result<Option<OAuthProvider>> {
    if demo.0 {
        return Ok(Some(OAuthProvider {
            base: base.clone(),
            consumer: Consumer {
                key: demo::oauth::CONSUMER_KEY.to_owned(),
                secret: demo::oauth::CONSUMER_SECRET.to_owned(),
            },
        }));
    }
    let secret = match (
        &config.oauth_consumer_secret,
        &config.oauth_consumer_secret_file,
    ) {
        (Some(s), _) => Some(s.expose().trim().to_owned()),
        (None, Some(path)) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| {
                    std::io::Error::other(format!(
                        "CC_OAUTH_CONSUMER_SECRET_FILE {} cannot be read: {e}",
                        path.display()
                    ))
                })?
                .trim()
                .to_owned(),
        ),
        (None, None) => None,
    };
    let key = config
        .oauth_consumer_key
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    match (key, secret.filter(|s| !s.is_empty())) {
        (None, None) => Ok(None),
        (Some(key), Some(secret)) => Ok(Some(OAuthProvider {
            base: config.oauth_api_url.clone(),
            consumer: Consumer {
                key: key.to_owned(),
                secret,
            },
        })),
        _ => Err(std::io::Error::other(
            "\"Sign in with Clever Cloud\" needs both CC_OAUTH_CONSUMER_KEY and \
             CC_OAUTH_CONSUMER_SECRET (or CC_OAUTH_CONSUMER_SECRET_FILE)",
        )),
    }
}

/// Where the handshake comes back: the public URL (in demo mode, the listen address when no
/// public URL is set); never the `Host` of a request.
fn oauth_settings(
    config: &Config,
    demo: DemoMode,
    bound: SocketAddr,
    https: bool,
) -> std::io::Result<oauth::Settings> {
    let public = match (&config.public_url, demo.0) {
        (Some(url), _) => url.clone(),
        (None, true) => reqwest::Url::parse(&format!("http://{bound}"))
            .map_err(|e| std::io::Error::other(e.to_string()))?,
        (None, false) => {
            return Err(std::io::Error::other(
                "\"Sign in with Clever Cloud\" is configured (CC_OAUTH_CONSUMER_KEY) but \
                 DASHBOARD_PUBLIC_URL is not: set it to the address users type, from which the \
                 callback URL is built",
            ));
        }
    };
    let callback = public
        .join("/oauth/callback")
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(oauth::Settings {
        callback: callback.to_string(),
        cookie: if https {
            "__Host-cc_oauth_state"
        } else {
            "cc_oauth_state"
        },
        secure: https || !config.plain_http,
        handshake: Duration::from_secs_f64(config.oauth_handshake_secs.max(0.0))
            .min(oauth::HANDSHAKE_AT_MOST),
    })
}

/// The router and the state behind it (what a graceful stop needs to reach).
pub fn app(
    config: &Config,
    leptos: LeptosOptions,
    base: reqwest::Url,
    demo: DemoMode,
    bound: SocketAddr,
) -> std::io::Result<(Router, AppState)> {
    let timeouts = Timeouts {
        connect: Duration::from_secs(config.connect_timeout_secs),
        request: Duration::from_secs(config.request_timeout_secs),
        stream_read: Duration::from_secs(config.stream_read_timeout_secs),
    };
    let provider = oauth_provider(config, &base, demo)?;
    let public = security::PublicOrigin::new(config.public_url.as_ref());
    let oauth = match &provider {
        Some(_) => Some(Arc::new(oauth_settings(
            config,
            demo,
            bound,
            public.https(),
        )?)),
        None => None,
    };
    app::assets::init(&leptos);
    let upstream = Upstream::with_provider(base, provider, timeouts)
        .map_err(|e| std::io::Error::other(format!("cannot build the HTTP client: {e}")))?;
    // A key given without a shared store is still checked, so a typo shows at once.
    sessions::keys_from_config(config)?;
    let store = sessions::Store::from_config(config)?;
    let lifetimes = sessions::Lifetimes::from_config(config);
    let state = AppState {
        leptos: leptos.clone(),
        upstream,
        demo,
        lifetimes,
        touched: sessions::Touched::new(&lifetimes, config.session_capacity),
        store: store.clone(),
        draining: Arc::new(AtomicBool::new(false)),
        readiness: Arc::default(),
        // About 10 KiB an invoice: at most some 50 MiB, with sessions idle past their
        // timeout dropped.
        invoice_details: app::ssr::costs::DetailCache::new(lifetimes.idle, 5_000),
        oauth,
        allow: allow::AllowList::new(&config.allowed_orgs, &config.allowed_users),
        trusted_proxies: client::TrustedProxies::parse(&config.trusted_proxies)
            .map_err(std::io::Error::other)?,
        signin: throttle::SignInLimits::new(
            throttle::Rate {
                burst: config.signin_burst,
                every: Duration::from_secs_f64(config.signin_every_secs.max(0.001)),
            },
            throttle::Rate {
                burst: config.signin_total_burst,
                every: Duration::from_secs_f64(1.0 / config.signin_total_per_sec.max(0.001)),
            },
        ),
        streams: relay::Streams::new(relay::RelaySettings {
            max_total: config.max_streams,
            max_per_user: config.max_streams_per_user,
            silence: Duration::from_millis(config.stream_silence_ms),
            max_retries: config.stream_max_retries,
            ..relay::RelaySettings::default()
        }),
    };
    state
        .streams
        .watch_sessions(store.clone(), lifetimes, SESSION_CHECK_EVERY);
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
        .route("/stream/orgs/{owner}/apps/{app}/logs", get(relay::app_logs))
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
        // `invoices-{year}.zip` and `costs-{year}.csv` (the router matches whole segments).
        .route("/download/orgs/{owner}/{file}", get(downloads::by_name));
    let router = Router::new()
        .route("/login", post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/login/oauth", get(oauth::start))
        .route("/oauth/callback", get(oauth::callback))
        .route("/livez", get(|| async { "ok" }))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
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
        // Inside the compression: it reads the server functions' answers as they were sent.
        .layer(middleware::from_fn(server_fns::around))
        // Pages, server-function answers and static files: brotli or gzip, as the browser
        // accepts (answers already encoded, and tiny ones, are left alone).
        .layer(CompressionLayer::new())
        .merge(uncompressed)
        .layer(middleware::from_fn(server_fns::take_outcome))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::require_session,
        ))
        .layer(sessions)
        .layer(middleware::from_fn(security::store_errors))
        .layer(middleware::from_fn_with_state(
            public.clone(),
            security::refuse_cross_origin,
        ))
        .layer(middleware::from_fn(security::request_limits))
        .layer(middleware::from_fn(security::headers))
        .layer(middleware::from_fn_with_state(public, security::hsts))
        .layer(middleware::from_fn_with_state(
            state.trusted_proxies.clone(),
            access::requests,
        ))
        .with_state(state.clone());
    Ok((router, state))
}

/// How often each replica checks the sessions of its open log streams against the store.
const SESSION_CHECK_EVERY: Duration = Duration::from_secs(1);

/// The last readiness checks of the store and the upstream, reused for a second so probes
/// from many load balancers cost one check each per second.
#[derive(Default)]
pub struct Readiness(std::sync::Mutex<Option<(std::time::Instant, Result<(), &'static str>)>>);

/// How long a readiness verdict is reused, and the longest each check may take.
const READY_FOR: Duration = Duration::from_secs(1);

/// `GET /readyz`: 200 when the session store and the upstream answer within a second and the
/// server is not shutting down, else 503 saying which.
async fn ready(State(state): State<AppState>) -> axum::response::Response {
    let verdict = if state.draining.load(Ordering::SeqCst) {
        Err("shutting down")
    } else {
        let cached = state
            .readiness
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .filter(|(at, _)| at.elapsed() < READY_FOR)
            .map(|(_, v)| v);
        match cached {
            Some(v) => v,
            None => {
                let (store, upstream) =
                    tokio::join!(state.store.ping(), state.upstream.reachable(READY_FOR));
                let v = match (store, upstream) {
                    (false, _) => Err("session store unavailable"),
                    (true, false) => Err("upstream unreachable"),
                    (true, true) => Ok(()),
                };
                *state.readiness.0.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some((std::time::Instant::now(), v));
                v
            }
        }
    };
    match verdict {
        Ok(()) => (axum::http::StatusCode::OK, "ready".to_owned()).into_response(),
        Err(why) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {why}"),
        )
            .into_response(),
    }
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

/// Binds and serves until SIGTERM or SIGINT, then stops gracefully: not ready at once; after
/// the grace, no new connections and every log stream told "restarting"; in-flight requests
/// finish; returns by the deadline. Returns the bound address through `on_bound`.
pub async fn serve(
    config: Config,
    leptos: LeptosOptions,
    on_bound: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let (base, demo) = upstream_base(&config).await?;
    let addr = config.listen.unwrap_or(leptos.site_addr);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let (app, state) = app(&config, leptos, base, demo, bound)?;
    if let Some(metrics) = config.metrics_listen {
        let listener = tokio::net::TcpListener::bind(metrics).await?;
        tokio::spawn(async move {
            if let Err(e) = telemetry::serve(listener).await {
                tracing::error!(error = %e, "metrics listener stopped");
            }
        });
    }
    on_bound(bound);
    let grace = Duration::from_secs_f64(config.shutdown_grace_secs.max(0.0));
    let limits = listen::Limits::from_config(&config);
    let stop = async move {
        listen::signal().await;
        tracing::info!(
            grace_secs = grace.as_secs_f64(),
            "shutting down: not ready from now on"
        );
        state.draining.store(true, Ordering::SeqCst);
        tokio::time::sleep(grace).await;
        tracing::info!(
            streams = state.streams.open_count(),
            "shutting down: no new connections; log streams told to reconnect"
        );
        state.streams.restart_all();
    };
    listen::serve(listener, app, limits, stop).await?;
    tracing::info!("stopped");
    Ok(())
}
