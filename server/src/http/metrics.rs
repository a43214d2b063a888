//! Prometheus metrics, served on their own address (`DASHBOARD_METRICS_LISTEN`, off by
//! default) so they never face the users.
//!
//! Series: `dashboard_http_requests_total{route,status}` and
//! `dashboard_http_request_duration_seconds{route}` (access middleware),
//! `dashboard_upstream_requests_total{endpoint,status}` and
//! `dashboard_upstream_request_duration_seconds{endpoint}` (the upstream client),
//! `dashboard_log_streams_open`, `dashboard_sign_in_attempts_total{outcome}`,
//! `dashboard_signed_in_total`, `dashboard_signed_out_total` and
//! `dashboard_session_store_errors_total`.

use axum::Router;
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

/// Latency buckets, in seconds.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder (installed once; metrics are per process).
fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets(BUCKETS)
                .and_then(PrometheusBuilder::install_recorder)
                .map_err(|e| tracing::warn!(error = %e, "metrics recorder not installed"))
                .ok()
        })
        .as_ref()
}

/// Starts recording (so counts begin at start-up, scraped or not).
pub fn install() {
    handle();
}

/// The metrics listener's routes: `GET /metrics` (served with the same connection limits
/// as the dashboard's listener, header deadline included).
pub fn router() -> Router {
    install();
    Router::new().route(
        "/metrics",
        get(|| async {
            handle().map_or_else(String::new, |h| {
                h.run_upkeep();
                h.render()
            })
        }),
    )
}
