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
use app::ssr::DemoMode;
use axum::Router;
use axum::extract::connect_info::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use leptos::config::LeptosOptions;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Starts the demo upstream when no upstream is configured; returns the base URL to use.
pub async fn upstream_base(config: &Config) -> std::io::Result<(reqwest::Url, DemoMode)> {
    if let Some(url) = &config.api_url {
        return Ok((url.clone(), DemoMode(false)));
    }
    let addr = demo_upstream::spawn(config.demo.clone()).await?;
    tracing::info!(%addr, "no CC_API_URL configured: serving the embedded demo upstream (demo data)");
    let url = reqwest::Url::parse(&format!("http://{addr}"))
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok((url, DemoMode(true)))
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
    if let Some(metrics) = config.metrics_listen {
        let listener = tokio::net::TcpListener::bind(metrics).await?;
        tokio::spawn(async move {
            if let Err(e) = crate::http::metrics::serve(listener).await {
                tracing::error!(error = %e, "metrics listener stopped");
            }
        });
    }
    on_bound(bound);
    let grace = Duration::from_secs_f64(config.shutdown_grace_secs.max(0.0));
    let limits = Limits::from_config(&config);
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
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Longest wait for a request's headers, and longest idle keep-alive.
    pub header_read: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Longest wait, after `stop`, for open connections to finish.
    pub deadline: Duration,
}

impl Limits {
    /// From the configuration; `deadline` is what is left of the shutdown deadline after
    /// the grace.
    pub fn from_config(config: &crate::config::Config) -> Self {
        let grace = Duration::from_secs_f64(config.shutdown_grace_secs.max(0.0));
        Self {
            header_read: Duration::from_secs_f64(config.header_timeout_secs.max(0.1)),
            max_connections: config.max_connections,
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
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone().map_request(
            move |mut req: http::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            },
        ));
        let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
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
