//! Security headers on every answer: HSTS over https, the default content security policy,
//! no sniffing, no framing, and `no-store` on personal answers.

use crate::http::origin::PublicOrigin;
use app::csp;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// `Strict-Transport-Security` on every answer, when the public URL is https.
pub async fn hsts(State(public): State<PublicOrigin>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    if public.https() {
        resp.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    resp
}

/// Security headers on every answer; `no-store` on pages and data (they are personal).
pub async fn headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Same-origin only: a form posted without JavaScript to a server function is sent back
    // to its page through the Referer; other sites never see our URLs.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // No other site's window keeps a handle on ours, and no other site embeds our answers.
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::X_FRAME_OPTIONS) {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    let content_type = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let page = content_type.starts_with("text/html");
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        let csp = if page {
            csp::PAGE_FALLBACK
        } else {
            csp::NOT_A_PAGE
        };
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        );
    }
    let personal = page || content_type.starts_with("application/json");
    if personal && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}
