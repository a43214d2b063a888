//! Every request gets an id (the proxy's `X-Request-Id` when it sets a sane one, else a new
//! one), carried by a span around the request so that every log line of that request names
//! it, sent back in `X-Request-Id`, and one access line (target `access`) at info: method,
//! route template, status, duration. Never the query string (it may hold a secret) nor the
//! concrete path (it holds ids); the route template says what was asked.

use crate::http::client_addr::TrustedProxies;
use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::hash::{BuildHasher, Hasher};
use tracing::Instrument;

/// The response and request header of the id.
pub const REQUEST_ID: &str = "x-request-id";

/// An id from the proxy is kept when it is short and plain; anything else is replaced.
fn sane(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A new id: 16 hex digits from the standard library's randomly keyed hasher.
fn new_id() -> String {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::UNIX_EPOCH
            .elapsed()
            .map_or(0, |d| d.as_nanos()),
    );
    format!("{:016x}", h.finish())
}

/// The middleware (see the module comment). The request's span also names the client's
/// address (`client_addr::ClientAddr`), so audit events carry it.
pub async fn requests(State(proxies): State<TrustedProxies>, req: Request, next: Next) -> Response {
    let client = proxies.client_of(req.extensions(), req.headers());
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| sane(v))
        .map_or_else(new_id, str::to_owned);
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(page or file)".to_owned(), |p| p.as_str().to_owned());
    let span = tracing::info_span!("request", request_id = %id, %client);
    let started = std::time::Instant::now();
    let mut resp = next.run(req).instrument(span.clone()).await;
    let (status, secs) = (resp.status().as_u16(), started.elapsed().as_secs_f64());
    {
        // Entered for this one line (no await while entered), so every formatter sees it.
        let _entered = span.enter();
        tracing::info!(target: "access", %method, route, status, ms = secs * 1000.0, "request");
    }
    metrics::counter!("dashboard_http_requests_total", "route" => route.clone(),
        "status" => status.to_string())
    .increment(1);
    metrics::histogram!("dashboard_http_request_duration_seconds", "route" => route).record(secs);
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(REQUEST_ID, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_ids_are_kept_only_when_plain() {
        assert!(sane("9f1c-42_a.b"));
        assert!(!sane(""));
        assert!(!sane("a b"));
        assert!(!sane("<script>"));
        assert!(!sane(&"a".repeat(65)));
        let (a, b) = (new_id(), new_id());
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
    }
}
