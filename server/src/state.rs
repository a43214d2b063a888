//! What every handler can reach (`AppState`), built once from the configuration: the upstream
//! client, the session store and lifetimes, the stream registry, the allow-lists, the sign-in
//! limits, the readiness verdict, the OAuth settings.

use crate::config::Config;
use crate::http::client_addr::TrustedProxies;
use crate::http::origin::PublicOrigin;
use crate::http::render::Renderer;
use crate::probes::Readiness;
use crate::relay::{self};
use crate::sessions;
use crate::signin::{allow, oauth, throttle};
use app::ssr::AllowedOrgs;
use app::ssr::costs::DetailCache;
use app::ssr::oauth::Consumer;
use app::ssr::{DemoMode, OAuthProvider, Timeouts, Upstream};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

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
    pub trusted_proxies: TrustedProxies,
    /// Sign-in attempts per client address and in total.
    pub signin: Arc<throttle::SignInLimits>,
    /// The last readiness verdict (`/readyz`).
    pub readiness: Arc<Readiness>,
    /// Set at SIGTERM: `/readyz` answers 503 from then on.
    pub draining: Arc<AtomicBool>,
    /// "Sign in with Clever Cloud", when offered.
    pub oauth: Option<Arc<oauth::Settings>>,
    /// The sign-in page, for the answers that show it with a status of their own.
    pub sign_in_page: Renderer,
    /// Details of closed invoices, per session (the costs page and its CSV).
    pub invoice_details: DetailCache,
}

impl AppState {
    /// Puts what server functions and pages need into the Leptos context.
    pub(crate) fn provide(&self) -> impl Fn() + Clone + Send + Sync + 'static + use<> {
        context(
            self.upstream.clone(),
            self.demo,
            self.allow.org_filter(),
            self.invoice_details.clone(),
        )
    }
}

/// What server functions and pages find in the Leptos context.
fn context(
    upstream: Upstream,
    demo: DemoMode,
    orgs: AllowedOrgs,
    details: DetailCache,
) -> impl Fn() + Clone + Send + Sync + 'static {
    move || {
        provide_context(details.clone());
        provide_context(upstream.clone());
        provide_context(demo);
        provide_context(orgs.clone());
    }
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
                key: demo_upstream::oauth::CONSUMER_KEY.to_owned(),
                secret: demo_upstream::oauth::CONSUMER_SECRET.to_owned(),
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

/// The state every handler reaches, built from the configuration; fails when the HTTP
/// client cannot be built (a broken TLS backend) or the settings are wrong, which is reported
/// at startup instead of a panic.
pub(crate) fn build(
    config: &Config,
    leptos: LeptosOptions,
    base: reqwest::Url,
    demo: DemoMode,
    bound: SocketAddr,
) -> std::io::Result<AppState> {
    let timeouts = Timeouts {
        connect: Duration::from_secs(config.connect_timeout_secs),
        request: Duration::from_secs(config.request_timeout_secs),
        stream_read: Duration::from_secs(config.stream_read_timeout_secs),
    };
    let provider = oauth_provider(config, &base, demo)?;
    let public = PublicOrigin::new(config.public_url.as_ref());
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
    // About 10 KiB an invoice: at most some 50 MiB, with sessions idle past their timeout
    // dropped.
    let invoice_details = DetailCache::new(lifetimes.idle, 5_000);
    let allow = allow::AllowList::new(&config.allowed_orgs, &config.allowed_users);
    let sign_in_page = Renderer::new(
        context(
            upstream.clone(),
            demo,
            allow.org_filter(),
            invoice_details.clone(),
        ),
        leptos.clone(),
    );
    let state = AppState {
        leptos: leptos.clone(),
        sign_in_page,
        upstream,
        demo,
        lifetimes,
        touched: sessions::Touched::new(&lifetimes, config.session_capacity),
        store: store.clone(),
        draining: Arc::new(AtomicBool::new(false)),
        readiness: Arc::default(),
        invoice_details,
        oauth,
        allow,
        trusted_proxies: TrustedProxies::parse(&config.trusted_proxies)
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
    Ok(state)
}

/// How often each replica checks the sessions of its open log streams against the store.
const SESSION_CHECK_EVERY: Duration = Duration::from_secs(1);
