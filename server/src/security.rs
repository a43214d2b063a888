//! Request guards and response headers: sessions required, cross-origin writes refused,
//! security headers on every answer.

use crate::AppState;
use crate::sessions::{self, State as SessionState};
use app::error::AppError;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Paths served without a session.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login"
            | "/login/oauth"
            | "/oauth/callback"
            | "/api/sign_in_ways"
            | "/favicon.svg"
            | "/robots.txt"
            | "/livez"
            | "/healthz"
            | "/readyz"
            | "/map/land.svg"
    ) || path.starts_with("/pkg/")
}

/// Paths answered with a status rather than a redirect (machines, not pages).
fn is_machine(path: &str) -> bool {
    ["/api/", "/stream/", "/download/"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// An `AppError` as a JSON answer with its status.
pub fn error_response(e: &AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_string(e).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Marks the answers that went through `require_session`. An answer without it and with a
/// 500 was made by the session layer around it, which answers a bare 500 when it cannot save
/// the session: `store_errors` turns that into the "session store unavailable" answer.
#[derive(Clone, Copy)]
struct Guarded;

/// Every page and server function other than login requires a live session. The session is
/// read once here (one store read per request, shared with the handlers), activity is
/// recorded at most once a minute, and an ended session is deleted.
pub async fn require_session(
    State(state): State<AppState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    let mut resp = if is_public(&path) {
        next.run(req).await
    } else {
        match sessions::state(&session, &state.lifetimes).await {
            SessionState::SignedIn { touch, .. } => {
                if touch
                    && state.touched.claim(&session).await
                    && let Err(e) = sessions::touch(&session, &state.lifetimes).await
                {
                    tracing::warn!(error = %e, "session activity not recorded");
                }
                next.run(req).await
            }
            SessionState::StoreDown => store_unavailable(&path),
            SessionState::SignedOut(why) => {
                if session.id().is_some() {
                    tracing::debug!(reason = %why, "session ended");
                    if let Err(e) = session.flush().await {
                        tracing::warn!(error = %e, "an ended session could not be deleted");
                    }
                }
                if is_machine(&path) {
                    error_response(&AppError::Unauthorized)
                } else {
                    // A signed-out visitor comes back here after signing in (GET pages only).
                    let back = (req.method() == axum::http::Method::GET)
                        .then(|| req.uri().path_and_query().map(|pq| pq.as_str()))
                        .flatten();
                    Redirect::to(&login_then(back)).into_response()
                }
            }
        }
    };
    resp.extensions_mut().insert(Guarded);
    resp
}

/// The sign-in page, with the page to return to after it when there is one worth it.
pub fn login_then(next: Option<&str>) -> String {
    match next.and_then(app::logic::redirect::local_path) {
        Some(next) => format!(
            "/login?{}",
            serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
        ),
        None => "/login".to_owned(),
    }
}

/// The answer while the session store does not answer: JSON for machines, a short page for
/// people.
pub fn store_unavailable(path: &str) -> Response {
    if is_machine(path) {
        return error_response(&AppError::SessionStoreUnavailable);
    }
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
        <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
        <title>Session store unavailable</title>\
        <link rel=\"stylesheet\" href=\"{css}\"></head><body>\
        <main class=\"login\"><h1>Session store unavailable</h1>\
        <p class=\"notice error\" role=\"alert\">The dashboard cannot reach its session store \
        right now, so it cannot tell who you are. Nothing is lost: try again in a moment.</p>\
        <p><a href=\"\">Try again</a></p></main></body></html>",
        css = app::assets::stylesheet()
    );
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::RETRY_AFTER, "5"),
        ],
        page,
    )
        .into_response()
}

/// Outside the session layer: its bare 500 (a session that could not be saved) becomes the
/// "session store unavailable" answer.
pub async fn store_errors(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let resp = next.run(req).await;
    if resp.status() == StatusCode::INTERNAL_SERVER_ERROR
        && resp.extensions().get::<Guarded>().is_none()
    {
        tracing::warn!(
            path,
            "the session could not be saved: session store unavailable"
        );
        return store_unavailable(&path);
    }
    resp
}

/// Longest request target (path and query) served; longer ones get a 414.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most values one query key may have (`?tag=a&tag=b…`); more gets a 400 naming the key.
pub const MAX_VALUES_PER_KEY: usize = 32;

/// Why a request target is refused before anything else looks at it.
pub fn check_target(uri: &axum::http::Uri) -> Result<(), (StatusCode, String)> {
    let target = uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > MAX_URI_BYTES {
        return Err((
            StatusCode::URI_TOO_LONG,
            format!("The address is too long ({target} bytes; at most {MAX_URI_BYTES})."),
        ));
    }
    let Some(query) = uri.query() else {
        return Ok(());
    };
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    for (key, _) in serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default() {
        let n = counts.entry(key).or_default();
        *n += 1;
        if *n > MAX_VALUES_PER_KEY {
            let (key, _) = counts
                .into_iter()
                .find(|(_, n)| *n > MAX_VALUES_PER_KEY)
                .unwrap_or_default();
            let shown: String = key.chars().take(40).collect();
            return Err((
                StatusCode::BAD_REQUEST,
                format!(
                    "Too many values for the query parameter \"{shown}\" (at most {MAX_VALUES_PER_KEY})."
                ),
            ));
        }
    }
    Ok(())
}

/// Refuses over-long addresses and queries with too many values for one key, before any
/// session is read.
pub async fn request_limits(req: Request, next: Next) -> Response {
    match check_target(req.uri()) {
        Ok(()) => next.run(req).await,
        Err((status, message)) => (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            message,
        )
            .into_response(),
    }
}

/// Refuses state-changing requests sent by another site (CSRF): `Sec-Fetch-Site` when the
/// browser sends it, else `Origin` against `Host`. Requests with neither (not from a browser)
/// pass.
pub async fn refuse_cross_origin(
    State(public): State<PublicOrigin>,
    req: Request,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || same_origin(req.headers(), &public)
    {
        return next.run(req).await;
    }
    tracing::warn!(path = req.uri().path(), "refused a cross-origin request");
    error_response(&AppError::Forbidden { sozu_id: None })
}

/// The dashboard's public origin (`DASHBOARD_PUBLIC_URL`), as `scheme://host[:port]`, when
/// configured.
#[derive(Clone, Debug, Default)]
pub struct PublicOrigin(pub Option<String>);

impl PublicOrigin {
    /// From the configured public URL (its path is ignored).
    pub fn new(url: Option<&reqwest::Url>) -> Self {
        Self(url.map(|u| u.origin().ascii_serialization()))
    }

    /// Whether it is served over https (cookie prefix, HSTS).
    pub fn https(&self) -> bool {
        self.0.as_deref().is_some_and(|o| o.starts_with("https://"))
    }
}

fn same_origin(headers: &HeaderMap, public: &PublicOrigin) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return headers.get(header::ORIGIN).is_none();
    };
    if let Some(public) = &public.0 {
        // Scheme, host and port, as the browser wrote them.
        return origin.eq_ignore_ascii_case(public);
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

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

/// The policy of answers that did not set their own (pages set one with a nonce).
const DEFAULT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// The header policy of a page whose own header did not come through: the page carries its
/// script policy (with its nonce) in a `<meta>`; this adds what a `<meta>` cannot say.
const PAGE_FALLBACK_CSP: &str =
    "frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'";

/// Security headers on every answer; `no-store` on pages and data (they are personal).
pub async fn headers(req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    tracing::debug!(%method, path, "request");
    let mut resp = next.run(req).await;
    tracing::debug!(%method, path, status = resp.status().as_u16(),
        ms = started.elapsed().as_millis() as u64, "answered");
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
        let csp = if page { PAGE_FALLBACK_CSP } else { DEFAULT_CSP };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_origin_rules() {
        let none = PublicOrigin::default();
        let same_origin = |h: &HeaderMap| same_origin(h, &none);
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(same_origin(&headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "http://evil.example"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!same_origin(&headers(&[("origin", "null"), ("host", "a")])));
        assert!(same_origin(&headers(&[])));
    }

    #[test]
    fn the_public_origin_is_compared_scheme_included() {
        let url = reqwest::Url::parse("https://dash.example/some/path").unwrap();
        let public = PublicOrigin::new(Some(&url));
        assert!(public.https());
        let check = |origin: &'static str| {
            same_origin(
                &headers(&[("origin", origin), ("host", "dash.example")]),
                &public,
            )
        };
        assert!(check("https://dash.example"));
        assert!(!check("http://dash.example"), "another scheme");
        assert!(!check("https://dash.example:8443"), "another port");
        assert!(!check("https://evil.example"));
        // The browser's own word still comes first.
        assert!(!same_origin(
            &headers(&[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://dash.example")
            ]),
            &public
        ));
        let plain = PublicOrigin::new(Some(&reqwest::Url::parse("http://10.0.0.5:3000").unwrap()));
        assert!(!plain.https());
        assert!(same_origin(
            &headers(&[("origin", "http://10.0.0.5:3000")]),
            &plain
        ));
    }

    #[test]
    fn long_addresses_and_repeated_keys_are_refused() {
        let uri = |s: &str| s.parse::<axum::http::Uri>().unwrap();
        assert!(check_target(&uri("/zones?tag=a&tag=b&ownerId=x")).is_ok());
        let long = format!("/zones?q={}", "a".repeat(MAX_URI_BYTES));
        assert_eq!(
            check_target(&uri(&long)).unwrap_err().0,
            StatusCode::URI_TOO_LONG
        );
        let many = format!("/zones?{}", "tag=a&".repeat(MAX_VALUES_PER_KEY + 1));
        let (status, message) = check_target(&uri(&many)).unwrap_err();
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(message.contains("\"tag\""), "{message}");
        let just = format!("/zones?{}", "tag=a&".repeat(MAX_VALUES_PER_KEY));
        assert!(check_target(&uri(&just)).is_ok());
    }

    #[test]
    fn public_and_machine_paths() {
        assert!(is_public("/login"));
        assert!(is_public("/pkg/dashboard.wasm"));
        assert!(!is_public("/"));
        assert!(!is_public("/login/x"));
        assert!(is_machine("/api/shell"));
        assert!(!is_machine("/orgs/x/invoices"));
    }
}
