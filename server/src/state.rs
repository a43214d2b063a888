//! What every handler can reach (`AppState`), built once from the configuration: the upstream
//! client, the session store and lifetimes, the stream registry, the allow-lists, the sign-in
//! limits, the readiness verdict, the OAuth settings.

use crate::config::Config;
use crate::http::client_addr::TrustedProxies;
use crate::http::origin::PublicOrigin;
use crate::http::render::Renderer;
use crate::relay::registry::{RelaySettings, Streams};
use crate::sessions;
use crate::signin::{allow, clever_cloud_config, throttle};
use app::error::AppError;
use app::model::activity::AuditEvent;
use app::ssr::AllowedOrgs;
use app::ssr::costs::DetailCache;
use app::ssr::session::{AuditTrail, RevealWithin, SessionDirectory, StoredSession};
use app::ssr::upstream::NavigationCache;
use app::ssr::{DemoMode, FanOut, Timeouts, Upstream};
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
    pub streams: Arc<Streams>,
    /// How often a live session is checked again against the allow-lists.
    pub allow_recheck: Duration,
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
    pub oauth: Option<Arc<clever_cloud_config::Settings>>,
    /// How recent a sign-in must be for an operator's secret to be revealed.
    pub reveal_within: RevealWithin,
    /// The sign-in page, for the answers that show it with a status of their own.
    pub sign_in_page: Renderer,
    /// Details of closed invoices, per session (the costs page and its CSV).
    pub invoice_details: DetailCache,
    /// Upstream calls at once per session for the fan-out pages (the fleet board).
    pub fan_out: FanOut,
    /// Each session's navigation, kept a few seconds (every page's frame); none when 0.
    pub navigation: Option<NavigationCache>,
    /// Rules, incidents, notifications.
    pub alerts: crate::alerts::Alerts,
    /// Who may run actions (`DASHBOARD_READ_ONLY`, `DASHBOARD_ACTIONS_ALLOWED_USERS`).
    pub actions: app::ssr::ActionPolicy,
}

impl AppState {
    /// Puts what server functions and pages need into the Leptos context.
    pub(crate) fn provide(&self) -> impl Fn() + Clone + Send + Sync + 'static + use<> {
        context(
            self.upstream.clone(),
            self.demo,
            self.allow.org_filter(),
            self.invoice_details.clone(),
            self.reveal_within,
            self.store.clone(),
            (
                self.fan_out.clone(),
                self.alerts.clone(),
                self.actions.clone(),
                self.navigation.clone(),
            ),
        )
    }
}

/// What server functions and pages find in the Leptos context.
fn context(
    upstream: Upstream,
    demo: DemoMode,
    orgs: AllowedOrgs,
    details: DetailCache,
    reveal: RevealWithin,
    store: sessions::Store,
    (fan_out, alerts, actions, navigation): (
        FanOut,
        crate::alerts::Alerts,
        app::ssr::ActionPolicy,
        Option<NavigationCache>,
    ),
) -> impl Fn() + Clone + Send + Sync + 'static {
    let alerts = app::ssr::alerts::AlertsSource(Arc::new(alerts));
    let (record_store, list_store) = (store.clone(), store.clone());
    let directory = SessionDirectory(Arc::new(move |user: String| {
        let store = store.clone();
        Box::pin(async move {
            let records = store.sessions_of(&user).await.map_err(|e| {
                tracing::warn!(error = %e, "session store unavailable");
                AppError::SessionStoreUnavailable
            })?;
            Ok(records
                .into_iter()
                .map(|r| StoredSession {
                    id: r.id,
                    data: r.data,
                })
                .collect())
        })
    }));
    let trail = {
        AuditTrail {
            record: Arc::new(move |owner: String, event: AuditEvent| {
                let store = record_store.clone();
                Box::pin(async move {
                    // The action is done: a trail that cannot be written is said in the log,
                    // never a failed action.
                    if let Err(e) = store.record_audit(&owner, &event).await {
                        tracing::warn!(error = %e, "audit event not kept for the activity feed");
                    }
                })
            }),
            list: Arc::new(move |owner: String| {
                let store = list_store.clone();
                Box::pin(async move {
                    store.audit_of(&owner).await.map_err(|e| {
                        tracing::warn!(error = %e, "session store unavailable");
                        AppError::SessionStoreUnavailable
                    })
                })
            }),
        }
    };
    move || {
        // Fresh for each request: the summary asked once per page.
        provide_context(app::ssr::upstream::SummaryOnce::default());
        provide_context(alerts.clone());
        provide_context(fan_out.clone());
        provide_context(directory.clone());
        provide_context(trail.clone());
        provide_context(reveal);
        provide_context(details.clone());
        if let Some(navigation) = &navigation {
            provide_context(navigation.clone());
        }
        provide_context(upstream.clone());
        provide_context(demo);
        provide_context(orgs.clone());
        provide_context(actions.clone());
    }
}

/// The state every handler reaches, built from the configuration; fails when the HTTP
/// client cannot be built (a broken TLS backend) or the settings are wrong, which is reported
/// at startup instead of a panic.
/// `upstream` is the base URL and whether it is the demo (`serve::upstream_base`).
pub(crate) fn build(
    config: &Config,
    leptos: LeptosOptions,
    (base, demo): (reqwest::Url, DemoMode),
    bound: SocketAddr,
) -> std::io::Result<AppState> {
    let timeouts = Timeouts {
        connect: Duration::from_secs(config.connect_timeout_secs),
        request: Duration::from_secs(config.request_timeout_secs),
        stream_read: Duration::from_secs(config.stream_read_timeout_secs),
    };
    let provider = clever_cloud_config::provider(config, &base, demo)?;
    let public = PublicOrigin::new(config.public_url.as_ref());
    let oauth = match &provider {
        Some(_) => Some(Arc::new(clever_cloud_config::settings(
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
    let mut store = sessions::Store::from_config(config)?;
    // Alone, the alerts' state and the audit trails are kept in the local database; with a
    // shared store, in the store (nothing is written locally).
    let alert_store = match store.shared() {
        Some((client, keys)) => Ok(crate::alerts::AlertStore::shared(client, keys)),
        None => crate::sessions::keys_from_config(config)
            .map_err(|e| e.to_string())
            .and_then(|keys| crate::data::LocalDb::open(&config.data_dir, keys))
            .and_then(|db| {
                store.keep_audit_in(db.clone());
                crate::alerts::AlertStore::local(&db)
            }),
    };
    let lifetimes = sessions::Lifetimes::from_config(config);
    // About 10 KiB an invoice: at most some 50 MiB, with sessions idle past their timeout
    // dropped.
    let invoice_details = DetailCache::new(lifetimes.idle, 5_000);
    let allow = allow::AllowList::new(&config.allowed_orgs, &config.allowed_users);
    let reveal_within = RevealWithin(Duration::from_secs_f64(
        config.reveal_within_minutes.max(0.0) * 60.0,
    ));
    // One bound per session for the fan-out pages, shared by all their requests.
    let fan_out = FanOut::new(8);
    // A summary is some KiB (more for large accounts), kept seconds: bounded by the sessions
    // active in that time.
    let navigation = (config.navigation_secs > 0.0).then(|| {
        NavigationCache::new(
            Duration::from_secs_f64(config.navigation_secs.min(3600.0)),
            config.session_capacity,
        )
    });
    let alerts = crate::alerts::Alerts::build(config, upstream.clone(), demo.0, alert_store);
    let sign_in_page = Renderer::new(
        context(
            upstream.clone(),
            demo,
            allow.org_filter(),
            invoice_details.clone(),
            reveal_within,
            store.clone(),
            (
                fan_out.clone(),
                alerts.clone(),
                app::ssr::ActionPolicy::new(config.read_only, &config.actions_allowed_users),
                navigation.clone(),
            ),
        ),
        leptos.clone(),
    );
    let state = AppState {
        leptos: leptos.clone(),
        sign_in_page,
        reveal_within,
        upstream,
        demo,
        lifetimes,
        touched: sessions::Touched::new(&lifetimes, config.session_capacity),
        store: store.clone(),
        draining: Arc::new(AtomicBool::new(false)),
        readiness: Arc::default(),
        invoice_details,
        fan_out,
        navigation,
        alerts,
        actions: app::ssr::ActionPolicy::new(config.read_only, &config.actions_allowed_users),
        oauth,
        allow,
        allow_recheck: Duration::from_secs_f64(config.allow_recheck_secs.max(0.0)),
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
        streams: Streams::new(RelaySettings {
            max_total: config.max_streams,
            max_per_user: config.max_streams_per_user,
            silence: Duration::from_millis(config.stream_silence_ms),
            max_retries: config.stream_max_retries,
            ..RelaySettings::default()
        }),
    };
    state
        .streams
        .watch_sessions(store.clone(), lifetimes, SESSION_CHECK_EVERY);
    state.alerts.spawn(state.draining.clone());
    Ok(state)
}

/// How often each replica checks the sessions of its open log streams against the store.
const SESSION_CHECK_EVERY: Duration = Duration::from_secs(1);

/// The last readiness check of the store and the upstream, reused for a second so probes
/// from many load balancers cost one check a second; an async lock, held while a check runs,
/// so concurrent probes share its verdict.
#[derive(Default)]
pub struct Readiness(
    pub(crate) tokio::sync::Mutex<Option<(std::time::Instant, Result<(), &'static str>)>>,
);
