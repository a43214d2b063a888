//! "Sign in with Clever Cloud": the OAuth 1.0a handshake with the provider (request token,
//! authorisation address, access token), and revoking the access token at sign-out.

use super::errors::{MAX_ERROR_BYTES, error_from_response, garbage, read_capped, redact};
use super::paths::{UpPath, url_on};
use super::{AccessToken, Auth, Authed, Call, Upstream, record};
use crate::error::AppError;
use crate::ids::SegmentId;
use crate::ssr::oauth1::{Signing, TokenPair};
use reqwest::{Method, Url, header};

impl Upstream {
    /// Handshake step 1: a request token for `callback` (`POST /v2/oauth/request_token`,
    /// signed with the consumer alone).
    pub async fn oauth_request_token(&self, callback: &str) -> Result<TokenPair, AppError> {
        let p = self.provider()?;
        let mut signing = Signing::new(&p.consumer, None);
        signing.extra.push(("oauth_callback", callback.to_owned()));
        let form = self
            .handshake(&p.base, path!("v2/oauth/request_token"), &signing)
            .await?;
        pair_of(&form)
    }

    /// Handshake step 2: where the browser goes to authorise the request token.
    pub fn oauth_authorize_url(&self, request_token: &str) -> Result<Url, AppError> {
        let p = self.provider()?;
        let mut url = url_on(&p.base, &path!("v2/oauth/authorize"), &[])?;
        url.query_pairs_mut()
            .append_pair("oauth_token", request_token);
        Ok(url)
    }

    /// Handshake step 3: the access token for an authorised request token
    /// (`POST /v2/oauth/access_token`, signed with the request token's secret).
    pub async fn oauth_access_token(
        &self,
        request: &TokenPair,
        verifier: &str,
    ) -> Result<AccessToken, AppError> {
        let p = self.provider()?;
        let mut signing = Signing::new(&p.consumer, Some(request));
        signing.extra.push(("oauth_verifier", verifier.to_owned()));
        let form = self
            .handshake(&p.base, path!("v2/oauth/access_token"), &signing)
            .await?;
        let expires = field(&form, &["expiration_date", "expirationDate"]).and_then(|raw| {
            crate::model::date::parse(&raw).or_else(|| {
                raw.parse::<i64>()
                    .ok()
                    .and_then(|ms| time::OffsetDateTime::from_unix_timestamp(ms / 1000).ok())
            })
        });
        Ok(AccessToken {
            pair: pair_of(&form)?,
            expires,
        })
    }

    /// One signed handshake POST; its answer as name/value pairs (form-encoded, or JSON
    /// when the content type says so).
    async fn handshake(
        &self,
        base: &Url,
        path: UpPath<'_>,
        signing: &Signing<'_>,
    ) -> Result<Vec<(String, String)>, AppError> {
        let url = url_on(base, &path, &[])?;
        let template = path.template();
        let endpoint = format!("POST {template}");
        let started = std::time::Instant::now();
        let resp = self
            .inner
            .http
            .post(url.clone())
            .header(header::AUTHORIZATION, signing.header("POST", &url, &[]))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(
                header::ACCEPT,
                "application/x-www-form-urlencoded, application/json",
            )
            .timeout(self.inner.timeouts.request)
            .send()
            .await
            .map_err(|e| {
                record(&endpoint, "error", started);
                tracing::warn!(path = template, error = %redact(&e), "OAuth handshake failed");
                AppError::Unavailable { sozu_id: None }
            })?;
        record(&endpoint, resp.status().as_str(), started);
        if !resp.status().is_success() {
            return Err(error_from_response(&Method::POST, &template, resp).await);
        }
        let json = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let body = read_capped(resp, MAX_ERROR_BYTES)
            .await
            .map_err(|_| garbage("OAuth handshake answer"))?;
        if json {
            let v: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(&body).map_err(|_| garbage("OAuth handshake answer"))?;
            Ok(v.into_iter()
                .filter_map(|(k, v)| match v {
                    serde_json::Value::String(s) => Some((k, s)),
                    serde_json::Value::Number(n) => Some((k, n.to_string())),
                    _ => None,
                })
                .collect())
        } else {
            Ok(url::form_urlencoded::parse(&body).into_owned().collect())
        }
    }
}

impl Authed<'_> {
    /// Signing out of an OAuth session revokes its access token upstream
    /// (`DELETE /v2/self/tokens/{token}`); nothing to do for an API token.
    pub async fn revoke(&self) -> Result<(), AppError> {
        let Auth::OAuth(pair) = self.auth else {
            return Ok(());
        };
        let token = SegmentId::parse("token", &pair.token).map_err(|_| garbage("OAuth token"))?;
        let call = Call::new(Method::DELETE, path!("v2/self/tokens/{}", &token));
        self.no_content(call).await
    }
}

fn field(form: &[(String, String)], names: &[&str]) -> Option<String> {
    form.iter()
        .find(|(k, _)| names.contains(&k.as_str()))
        .map(|(_, v)| v.clone())
}

fn pair_of(form: &[(String, String)]) -> Result<TokenPair, AppError> {
    match (
        field(form, &["oauth_token"]),
        field(form, &["oauth_token_secret"]),
    ) {
        (Some(token), Some(secret)) if !token.is_empty() && !secret.is_empty() => {
            Ok(TokenPair { token, secret })
        }
        _ => Err(garbage("OAuth handshake answer without a token")),
    }
}
