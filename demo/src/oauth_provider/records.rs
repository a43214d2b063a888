//! The demo provider's records: its consumer, the request tokens waiting for their
//! authorisation, the access tokens it issued, the nonces it saw; and the signature check of
//! every handshake step and OAuth-signed call.

use app::ssr::oauth1::{self, SignatureMethod, param};
use axum::http::{HeaderMap, Method, Uri, header};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// The demo's consumer key: demo mode configures the dashboard with it (not a secret).
pub const CONSUMER_KEY: &str = "demo-dashboard";
/// The demo consumer's secret (not a secret either: the demo is local and public).
pub const CONSUMER_SECRET: &str = "demo-dashboard-secret";

/// How long a request token may wait for its authorisation and exchange.
pub(super) const REQUEST_TOKEN_FOR: Duration = Duration::from_secs(10 * 60);
/// How long an access token works (Clever Cloud's: three months).
pub(super) const ACCESS_TOKEN_DAYS: i64 = 90;
/// How far a request's timestamp may be from the demo's clock.
const TIMESTAMP_WINDOW_SECS: i64 = 300;

pub(super) struct RequestToken {
    pub(super) secret: String,
    pub(super) callback: String,
    pub(super) verifier: Option<String>,
    pub(super) created: Instant,
}

pub(super) struct AccessGrant {
    pub(super) secret: String,
    pub(super) expires: OffsetDateTime,
}

/// The provider's state: request tokens, access tokens, nonces seen.
#[derive(Default)]
pub(crate) struct Provider {
    pub(super) requests: Mutex<HashMap<String, RequestToken>>,
    pub(super) access: Mutex<HashMap<String, AccessGrant>>,
    /// Nonces seen within the timestamp window, with their timestamps.
    pub(super) nonces: Mutex<HashMap<String, i64>>,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Provider {
    /// Checks the signature of a request; `token_secret` gives the secret of the token it
    /// names (`None`: unknown). Returns the request's protocol parameters.
    pub(super) fn check(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        token_secret: impl FnOnce(&str) -> Option<String>,
    ) -> Result<Vec<(String, String)>, &'static str> {
        let params = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(oauth1::parse_header)
            .ok_or("Missing or malformed OAuth authorization")?;
        if param(&params, "oauth_consumer_key") != Some(CONSUMER_KEY) {
            return Err("Unknown OAuth consumer");
        }
        let method_used = param(&params, "oauth_signature_method")
            .and_then(SignatureMethod::parse)
            .ok_or("Unsupported OAuth signature method")?;
        let timestamp: i64 = param(&params, "oauth_timestamp")
            .and_then(|t| t.parse().ok())
            .ok_or("Missing OAuth timestamp")?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        if (now - timestamp).abs() > TIMESTAMP_WINDOW_SECS {
            return Err("Stale OAuth timestamp");
        }
        let nonce = param(&params, "oauth_nonce")
            .filter(|n| !n.is_empty())
            .ok_or("Missing OAuth nonce")?
            .to_owned();
        let secret = match param(&params, "oauth_token") {
            Some(token) => token_secret(token).ok_or("Invalid or expired token")?,
            None => String::new(),
        };
        let signature = param(&params, "oauth_signature")
            .ok_or("Missing OAuth signature")?
            .to_owned();
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .ok_or("Missing Host")?;
        let url = reqwest::Url::parse(&format!("http://{host}{uri}")).map_err(|_| "Bad URL")?;
        let mut signed: Vec<(String, String)> = params
            .iter()
            .filter(|(k, _)| k != "oauth_signature")
            .cloned()
            .collect();
        signed.extend(
            url.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned())),
        );
        let base = oauth1::base_string(method.as_str(), &url, &signed);
        let key = oauth1::signing_key(CONSUMER_SECRET, &secret);
        if !oauth1::verify(method_used, &base, &key, &signature) {
            return Err("Invalid OAuth signature");
        }
        let mut nonces = lock(&self.nonces);
        if nonces.len() >= 4096 {
            nonces.retain(|_, t| now - *t <= TIMESTAMP_WINDOW_SECS);
        }
        if nonces.insert(nonce, timestamp).is_some() {
            return Err("OAuth nonce already used");
        }
        Ok(params)
    }

    /// The secret of a live access token.
    pub(super) fn access_secret(&self, token: &str) -> Option<String> {
        lock(&self.access)
            .get(token)
            .filter(|g| g.expires > OffsetDateTime::now_utc())
            .map(|g| g.secret.clone())
    }
}
