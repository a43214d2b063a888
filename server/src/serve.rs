//! Binding and serving: the demo upstream started when no upstream is configured, the
//! metrics listener, and the connections: hyper's HTTP/1.1 with hyper-util's graceful shutdown (axum::serve
//! cannot set these), with the limits a server facing the network needs, and a graceful stop.
//!
//! - Request headers must arrive within `header_read`; the same deadline closes a keep-alive
//!   connection that stays idle between requests (hyper starts the timer when it waits for a
//!   request head), so slow or idle sockets cannot pile up.
//! - At most `max_connections` at once: beyond it the next connection waits in the listen
//!   backlog until one closes; established connections keep working.
//! - `stop` resolving stops accepting and asks every connection to close after its current
//!   request; `serve` returns once they all have, or at `deadline` after `stop`.

use crate::config::Config;
use crate::http::client_addr::TrustedProxies;
use app::ssr::DemoMode;
use axum::Router;
use axum::extract::connect_info::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use leptos::config::LeptosOptions;
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::timeout::TimeoutBody;

/// The upstream: the configured one (over https, or plain http on loopback or when allowed),
/// or the demo when asked for; returns the base URL to use. A server given neither refuses to
/// start, so a production deployment that forgot `CC_API_URL` never serves the demo.
pub async fn upstream_base(config: &Config) -> std::io::Result<(reqwest::Url, DemoMode)> {
    match (&config.api_url, config.demo_mode) {
        (Some(_), true) => Err(std::io::Error::other(
            "both CC_API_URL and DASHBOARD_DEMO (--demo) are set: choose one",
        )),
        (Some(url), false) => {
            config.check_upstream("CC_API_URL", url)?;
            Ok((url.clone(), DemoMode(false)))
        }
        (None, true) => {
            let addr = demo_upstream::spawn(config.demo.clone()).await?;
            tracing::info!(%addr, "DASHBOARD_DEMO: serving the embedded demo upstream (demo data)");
            let url = reqwest::Url::parse(&format!("http://{addr}"))
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            Ok((url, DemoMode(true)))
        }
        (None, false) => Err(std::io::Error::other(
            "no upstream configured: set CC_API_URL to Clever Cloud's API \
             (https://api-bridge.clever-cloud.com), or DASHBOARD_DEMO=1 (--demo) to try the \
             dashboard on its built-in demo data",
        )),
    }
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
    let (app, state) = crate::router::build(&config, leptos, base, demo, bound)?;
    let limits = Limits::from_config(&config);
    if let Some(metrics) = config.metrics_listen {
        let listener = tokio::net::TcpListener::bind(metrics).await?;
        tracing::info!(addr = %listener.local_addr()?, "metrics on /metrics");
        let metrics_limits = limits.clone();
        // The recorder is installed here, before the dashboard answers anything: a request
        // served before a spawned task ran would go uncounted (a probe at start-up did).
        let app = crate::http::metrics::router();
        tokio::spawn(async move {
            if let Err(e) = connections(listener, app, metrics_limits, std::future::pending()).await
            {
                tracing::error!(error = %e, "metrics listener stopped");
            }
        });
    }
    on_bound(bound);
    let grace = Duration::from_secs_f64(config.shutdown_grace_secs.max(0.0));
    let stop = async move {
        signal().await;
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
    connections(listener, app, limits, stop).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Connection limits.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Longest wait for a request's headers, and longest idle keep-alive.
    pub header_read: Duration,
    /// Longest a request body may stall between two chunks.
    pub body_stall: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Connections one client address may hold at once.
    pub max_per_client: usize,
    /// Peers exempt from the per-client cap (the proxies in front).
    pub proxies: TrustedProxies,
    /// Longest wait, after `stop`, for open connections to finish.
    pub deadline: Duration,
}

/// Open connections per peer address, for the per-client cap; a place is given back when its
/// connection ends.
#[derive(Default)]
struct PerClient(std::sync::Mutex<HashMap<IpAddr, usize>>);

/// A peer's place among its connections.
struct Place(Arc<PerClient>, IpAddr);

impl PerClient {
    fn open(self: &Arc<Self>, peer: IpAddr, most: usize) -> Option<Place> {
        let mut open = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(peer).or_default();
        if *n >= most {
            return None;
        }
        *n += 1;
        Some(Place(self.clone(), peer))
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut open = (self.0).0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.1) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.1);
            }
        }
    }
}

impl Limits {
    /// From the configuration; `deadline` is what is left of the shutdown deadline after
    /// the grace.
    pub fn from_config(config: &crate::config::Config) -> Self {
        let grace = Duration::from_secs_f64(config.shutdown_grace_secs.max(0.0));
        Self {
            header_read: Duration::from_secs_f64(config.header_timeout_secs.max(0.1)),
            body_stall: Duration::from_secs_f64(config.body_timeout_secs.max(0.1)),
            max_connections: config.max_connections,
            max_per_client: config.max_connections_per_client.max(1),
            // A list that does not parse stops the start-up earlier (`state::build`).
            proxies: TrustedProxies::parse(&config.trusted_proxies).unwrap_or_default(),
            deadline: Duration::from_secs_f64(config.shutdown_deadline_secs.max(0.0))
                .saturating_sub(grace),
        }
    }
}

/// Serves `app` on `listener` until `stop`, then drains (see the module comment). Each
/// request carries the peer address as `ConnectInfo<SocketAddr>`.
pub async fn connections(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()> {
    // HTTP/1.1 only: browsers speak HTTP/2 over TLS, which a proxy in front terminates.
    // (hyper-util's auto builder first waits for a client's first bytes to pick a version,
    // with no deadline: a silent socket would hold a connection slot forever.)
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    let graceful = GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let per_client = Arc::new(PerClient::default());
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        // Beyond its share, a client's new connection is closed at once (a trusted proxy
        // carries everybody's, and is exempt).
        let place = if limits.proxies.trusts(peer.ip()) {
            None
        } else {
            match per_client.open(peer.ip(), limits.max_per_client) {
                Some(place) => Some(place),
                None => {
                    tracing::debug!(%peer, "refused: too many connections from this client");
                    drop(stream);
                    continue;
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let stall = limits.body_stall;
        let service = TowerToHyperService::new(app.clone().map_request(
            move |req: http::Request<hyper::body::Incoming>| {
                // A body that stops arriving ends the request (hyper has a deadline for the
                // headers only): a silent client cannot hold its connection for good.
                let mut req = req.map(|body| TimeoutBody::new(stall, body));
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            },
        ));
        let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            drop(place);
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.deadline) => {
            tracing::warn!("connections still open at the shutdown deadline: closing them");
        }
    }
    Ok(())
}

/// Resolves at SIGTERM or SIGINT (Ctrl-C).
pub async fn signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
