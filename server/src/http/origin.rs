//! Cross-origin writes refused (CSRF), against the configured public origin or the `Host`.

use crate::http::client_addr::TrustedProxies;
use crate::http::error::error_response;
use app::error::AppError;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use std::net::SocketAddr;

/// What the origin check compares with: the public origin when configured, else the request's
/// own scheme and `Host`, the scheme `https` only when a trusted proxy says so.
#[derive(Clone, Debug)]
pub struct OriginCheck {
    pub public: PublicOrigin,
    pub proxies: TrustedProxies,
}

/// Refuses state-changing requests sent by another site (CSRF): `Sec-Fetch-Site` when the
/// browser sends it, else `Origin` against the public origin, or the request's scheme and
/// `Host`. Requests with neither (not from a browser) pass.
pub async fn refuse_cross_origin(
    State(check): State<OriginCheck>,
    req: Request,
    next: Next,
) -> Response {
    let scheme = request_scheme(&req, &check.proxies);
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || same_origin(req.headers(), &check.public, scheme)
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

/// The scheme the browser used: `https` when a trusted proxy in front says so
/// (`X-Forwarded-Proto`), else `http`, which is all this server speaks itself.
fn request_scheme(req: &Request, proxies: &TrustedProxies) -> &'static str {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let forwarded_https = req
        .headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    if forwarded_https && peer.is_some_and(|ip| proxies.trusts(ip)) {
        "https"
    } else {
        "http"
    }
}

fn same_origin(headers: &HeaderMap, public: &PublicOrigin, scheme: &str) -> bool {
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
    // Scheme and host: a page served over https cannot post as its plain-http twin.
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let parts = origin.split_once("://");
    matches!((parts, host), (Some((s, o)), Some(h))
        if s.eq_ignore_ascii_case(scheme) && o.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
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
        let same_origin = |h: &HeaderMap| same_origin(h, &none, "http");
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
                "http",
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
            &public,
            "http"
        ));
        let plain = PublicOrigin::new(Some(&reqwest::Url::parse("http://10.0.0.5:3000").unwrap()));
        assert!(!plain.https());
        assert!(same_origin(
            &headers(&[("origin", "http://10.0.0.5:3000")]),
            &plain,
            "http"
        ));
    }

    #[test]
    fn without_a_public_url_the_scheme_counts_too() {
        let none = PublicOrigin::default();
        let h = headers(&[
            ("origin", "https://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert!(
            !same_origin(&h, &none, "http"),
            "an https page posting to http"
        );
        assert!(
            same_origin(&h, &none, "https"),
            "behind a proxy that says https"
        );
        let h = headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert!(!same_origin(&h, &none, "https"));
    }
}
