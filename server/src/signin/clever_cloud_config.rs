//! What "Sign in with Clever Cloud" is configured with: the consumer (the demo's own in demo
//! mode, else the configured key and secret), where the handshake comes back (built from the
//! public URL, never from a request's `Host`), and its state cookie.

use crate::config::Config;
use app::ssr::oauth1::Consumer;
use app::ssr::{DemoMode, OAuthProvider};
use axum::http::{HeaderMap, HeaderValue, header};
use std::net::SocketAddr;
use std::time::Duration;
use tower_sessions::cookie::Cookie;

/// Longest a handshake may take, from the request token to the callback.
pub const HANDSHAKE_AT_MOST: Duration = Duration::from_secs(10 * 60);

/// Where the handshake comes back, and how its state cookie is set.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `DASHBOARD_PUBLIC_URL` + `/oauth/callback`.
    pub callback: String,
    /// `__Host-cc_oauth_state` over https, else `cc_oauth_state`.
    pub cookie: &'static str,
    pub secure: bool,
    /// How long a handshake may take (`HANDSHAKE_AT_MOST` at most).
    pub handshake: Duration,
}

impl Settings {
    pub(super) fn set_cookie(&self, value: &str, max_age: u64) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let cookie = format!(
            "{}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}",
            self.cookie
        );
        HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// The state cookie's value in a request (parsed by the `cookie` crate).
    pub(super) fn cookie_of<'h>(&self, headers: &'h HeaderMap) -> Option<&'h str> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|c| c.name() == self.cookie)
            .and_then(|c| c.value_raw())
    }
}

/// The OAuth provider: the demo's own consumer in demo mode, else the configured consumer
/// (key and secret both, or neither).
pub(crate) fn provider(
    config: &Config,
    base: &reqwest::Url,
    demo: DemoMode,
) -> std::io::Result<Option<OAuthProvider>> {
    if demo.0 {
        return Ok(Some(OAuthProvider {
            base: base.clone(),
            consumer: Consumer {
                key: demo_upstream::oauth_provider::CONSUMER_KEY.to_owned(),
                secret: demo_upstream::oauth_provider::CONSUMER_SECRET.to_owned(),
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
        (Some(key), Some(secret)) => {
            config.check_upstream("CC_OAUTH_API_URL", &config.oauth_api_url)?;
            Ok(Some(OAuthProvider {
                base: config.oauth_api_url.clone(),
                consumer: Consumer {
                    key: key.to_owned(),
                    secret,
                },
            }))
        }
        _ => Err(std::io::Error::other(
            "\"Sign in with Clever Cloud\" needs both CC_OAUTH_CONSUMER_KEY and \
             CC_OAUTH_CONSUMER_SECRET (or CC_OAUTH_CONSUMER_SECRET_FILE)",
        )),
    }
}

/// Where the handshake comes back: the public URL (in demo mode, the listen address when no
/// public URL is set); never the `Host` of a request.
pub(crate) fn settings(
    config: &Config,
    demo: DemoMode,
    bound: SocketAddr,
    https: bool,
) -> std::io::Result<Settings> {
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
    Ok(Settings {
        callback: callback.to_string(),
        cookie: if https {
            "__Host-cc_oauth_state"
        } else {
            "cc_oauth_state"
        },
        secure: https || !config.plain_http,
        handshake: Duration::from_secs_f64(config.oauth_handshake_secs.max(0.0))
            .min(HANDSHAKE_AT_MOST),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(secure: bool) -> Settings {
        Settings {
            callback: "https://dash.example.com/oauth/callback".into(),
            cookie: if secure {
                "__Host-cc_oauth_state"
            } else {
                "cc_oauth_state"
            },
            secure,
            handshake: Duration::from_secs(600),
        }
    }

    #[test]
    fn the_state_cookie_is_short_lived_lax_and_http_only() {
        let c = sample(true).set_cookie("abc", 600);
        assert_eq!(
            c.to_str().expect("ascii"),
            "__Host-cc_oauth_state=abc; Path=/; Max-Age=600; HttpOnly; SameSite=Lax; Secure"
        );
        let cleared = sample(false).set_cookie("", 0);
        assert_eq!(
            cleared.to_str().expect("ascii"),
            "cc_oauth_state=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
        );
    }

    #[test]
    fn the_state_cookie_is_found_by_its_exact_name() {
        let s = sample(false);
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("x_cc_oauth_state=no; cc_dashboard_session=s"),
        );
        assert_eq!(s.cookie_of(&headers), None);
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; cc_oauth_state=the-id"),
        );
        assert_eq!(s.cookie_of(&headers), Some("the-id"));
    }
}
