//! The upstream client: the only code that builds upstream URLs and sets `Authorization`.
//!
//! A session's credentials pick the base and the scheme: an API token goes as `Bearer` to the
//! token base (the API bridge), an OAuth access token ("Sign in with Clever Cloud") goes to the
//! OAuth base, each request signed with HMAC-SHA512 (`oauth`): the consumer and token secrets
//! never travel, and a captured header cannot be replayed (nonce and timestamp).
//!
//! One shared `reqwest::Client` (connection reuse, rustls, no redirects followed), a connect
//! timeout, a per-request timeout for JSON calls, and a read timeout with no total deadline
//! for streams. Every request, streams included, leaves through [`Authed::send`].
//!
//! Layout: this file holds the client and `send`; `paths` the `path!` templates and URL
//! building; `errors` the reading of answers and the error mapping; `credentials` and
//! `signin` the tokens and the OAuth handshake; then one file per API area, as the reference
//! has them (`navigation`, `billing`, `orchestration`, `logs`, `drains`, `operators`,
//! `products`, `pulsar`), each holding that area's `impl Authed` methods.

// First, so that `path!` is in scope in every file after it.
#[macro_use]
pub(crate) mod paths;
mod billing;
pub mod capped;
mod credentials;
mod direct;
mod drains;
pub mod errors;
mod logs;
mod navigation;
mod operators;
mod orchestration;
mod products;
mod pulsar;
mod signin;
mod stats;

pub use billing::InvoiceFormat;
pub use credentials::{AccessToken, ApiToken, Credentials, OAuthProvider};
pub use errors::{MAX_JSON_BYTES, ReadError, SOZU_ID, lenient_items, map_error, read_capped};
pub use logs::{LogEvents, LogKind, LogSource};
pub use navigation::{NavigationCache, SummaryOnce};

use crate::error::AppError;
use errors::{error_from_response, parse_json, redact};
use paths::{UpPath, internal, url_on};
use reqwest::{Method, Response, Url, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::oauth1::{self, Signing, TokenPair};

/// Timeouts of upstream calls.
#[derive(Clone, Debug)]
pub struct Timeouts {
    pub connect: Duration,
    /// Total time of one JSON call.
    pub request: Duration,
    /// Longest silence on a stream before it is considered dead.
    pub stream_read: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(20),
            stream_read: Duration::from_secs(10),
        }
    }
}

/// Counts an upstream call by endpoint template and status, with its time to the answer's
/// head (Prometheus, when the server installed a recorder).
fn record(endpoint: &str, status: &str, started: std::time::Instant) {
    metrics::counter!("dashboard_upstream_requests_total", "endpoint" => endpoint.to_owned(),
        "status" => status.to_owned())
    .increment(1);
    metrics::histogram!("dashboard_upstream_request_duration_seconds",
        "endpoint" => endpoint.to_owned())
    .record(started.elapsed().as_secs_f64());
}

struct Inner {
    base: Url,
    oauth: Option<OAuthProvider>,
    http: reqwest::Client,
    /// The log streams' own connections (`None` behind a proxy: they take `http`).
    direct: Option<direct::Direct>,
    timeouts: Timeouts,
}

/// What every upstream call says it is.
const USER_AGENT: &str = concat!("cc-dashboard/", env!("CARGO_PKG_VERSION"));

/// The upstream API, shared by every request of the server.
#[derive(Clone)]
pub struct Upstream {
    inner: Arc<Inner>,
}

impl fmt::Debug for Upstream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upstream")
            .field("base", &self.inner.base.as_str())
            .finish()
    }
}

impl Upstream {
    /// A client for `base` (scheme, host, port and an optional path prefix).
    pub fn new(base: Url, timeouts: Timeouts) -> Result<Self, reqwest::Error> {
        Self::with_provider(base, None, timeouts)
    }

    /// A client for the token base `base` and, when configured, an OAuth provider.
    pub fn with_provider(
        base: Url,
        oauth: Option<OAuthProvider>,
        timeouts: Timeouts,
    ) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .read_timeout(timeouts.stream_read)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
            .build()?;
        Ok(Self {
            inner: Arc::new(Inner {
                base,
                oauth,
                http,
                direct: direct::Direct::new(timeouts.connect, timeouts.stream_read),
                timeouts,
            }),
        })
    }

    /// Whether the upstream answers at all (any HTTP status) within `within`: for readiness,
    /// so no token is sent.
    pub async fn reachable(&self, within: Duration) -> bool {
        let probe = self.inner.http.get(self.inner.base.clone()).timeout(within);
        probe.send().await.is_ok()
    }

    /// Calls made with `token`.
    pub fn with_token<'a>(&'a self, token: &'a ApiToken) -> Authed<'a> {
        Authed {
            up: self,
            auth: Auth::Token(token),
        }
    }

    /// Calls made with a session's credentials.
    pub fn with<'a>(&'a self, credentials: &'a Credentials) -> Authed<'a> {
        let auth = match credentials {
            Credentials::Token(t) => Auth::Token(t),
            Credentials::OAuth(pair) => Auth::OAuth(pair),
        };
        Authed { up: self, auth }
    }

    /// Whether "Sign in with Clever Cloud" is configured.
    pub fn oauth_offered(&self) -> bool {
        self.inner.oauth.is_some()
    }

    fn provider(&self) -> Result<&OAuthProvider, AppError> {
        self.inner
            .oauth
            .as_ref()
            .ok_or_else(|| internal("no OAuth consumer configured"))
    }
}

/// What to put in `Accept`.
#[derive(Clone, Copy, Debug)]
enum Accept {
    Json,
    Html,
    Pdf,
    Yaml,
    EventStream,
}

impl Accept {
    fn value(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Html => "text/html",
            Self::Pdf => "application/pdf",
            Self::Yaml => "application/yaml",
            Self::EventStream => "text/event-stream",
        }
    }
}

/// One request, as an area file describes it; [`Authed::send`] sends it.
struct Call<'a> {
    method: Method,
    path: UpPath<'a>,
    query: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    accept: Accept,
    /// No overall deadline, only the read timeout between chunks (documents, streams).
    streaming: bool,
    headers: Vec<(&'static str, String)>,
}

impl<'a> Call<'a> {
    fn new(method: Method, path: UpPath<'a>) -> Self {
        Self {
            method,
            path,
            query: Vec::new(),
            body: None,
            accept: Accept::Json,
            streaming: false,
            headers: Vec::new(),
        }
    }

    fn get(path: UpPath<'a>) -> Self {
        Self::new(Method::GET, path)
    }

    fn query(mut self, query: Vec<(&'static str, String)>) -> Self {
        self.query = query;
        self
    }

    /// A JSON body.
    fn json<T: Serialize>(mut self, body: &T) -> Self {
        self.body = Some(serde_json::to_vec(body).unwrap_or_default());
        self
    }

    /// An answer read as it comes, of type `accept`.
    fn streaming(mut self, accept: Accept) -> Self {
        self.accept = accept;
        self.streaming = true;
        self
    }

    /// One more header; a value unfit for a header is left out.
    fn header(mut self, name: &'static str, value: &str) -> Self {
        if errors::is_header_safe(value) {
            self.headers.push((name, value.to_owned()));
        }
        self
    }
}

/// The upstream for one session's credentials: every endpoint the dashboard uses, one API
/// area per file.
pub struct Authed<'a> {
    up: &'a Upstream,
    auth: Auth<'a>,
}

#[derive(Clone, Copy)]
enum Auth<'a> {
    Token(&'a ApiToken),
    OAuth(&'a TokenPair),
}

impl Authed<'_> {
    /// The URL of `path` on the base these credentials go to.
    fn url(&self, path: &UpPath<'_>, query: &[(&str, String)]) -> Result<Url, AppError> {
        let base = match self.auth {
            Auth::Token(_) => &self.up.inner.base,
            // A session signed in with Clever Cloud on a server restarted without a consumer
            // must sign in again.
            Auth::OAuth(_) => &self.up.provider().map_err(|_| AppError::Unauthorized)?.base,
        };
        url_on(base, path, query)
    }

    /// Sets `Authorization` on a request to `url`: Bearer, or a fresh OAuth signature.
    fn authorize(
        &self,
        req: reqwest::RequestBuilder,
        method: &Method,
        url: &Url,
    ) -> Result<reqwest::RequestBuilder, AppError> {
        Ok(match self.auth {
            Auth::Token(t) => req.bearer_auth(t.expose()),
            Auth::OAuth(pair) => {
                let p = self.up.provider().map_err(|_| AppError::Unauthorized)?;
                let signed =
                    Signing::new(&p.consumer, Some(pair)).header(method.as_str(), url, &[]);
                req.header(header::AUTHORIZATION, signed)
            }
        })
    }

    /// A refusal of an OAuth session names the consumer right the call needs.
    fn refused(&self, method: &Method, template: &str, e: AppError) -> AppError {
        match (e, self.auth) {
            (AppError::Forbidden { sozu_id }, Auth::OAuth(_)) => AppError::MissingRight {
                right: oauth1::right_for(method.as_str(), template).to_owned(),
                sozu_id,
            },
            (e, _) => e,
        }
    }

    /// Whether these credentials came from "Sign in with Clever Cloud".
    pub fn is_oauth(&self) -> bool {
        matches!(self.auth, Auth::OAuth(_))
    }

    /// Sends one request and maps any non-2xx answer to an `AppError`. Logs and metrics name
    /// the path's template, never its ids (a path may hold a secret: `/v2/self/tokens/{}`).
    async fn send(&self, call: Call<'_>) -> Result<Response, AppError> {
        let Call {
            method,
            path,
            query,
            body,
            accept,
            streaming,
            headers,
        } = call;
        let url = self.url(&path, &query)?;
        let req = self.up.inner.http.request(method.clone(), url.clone());
        let mut req = self
            .authorize(req, &method, &url)?
            .header(header::ACCEPT, accept.value());
        if !streaming {
            req = req.timeout(self.up.inner.timeouts.request);
        }
        for (name, value) in headers {
            req = req.header(name, value);
        }
        if let Some(body) = body {
            req = req
                .header(header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let template = path.template();
        let endpoint = format!("{method} {template}");
        let started = std::time::Instant::now();
        let failed = |error: &dyn fmt::Display| {
            record(&endpoint, "error", started);
            tracing::warn!(%method, path = template, %error, "upstream request failed");
            AppError::Unavailable { sozu_id: None }
        };
        let request = req.build().map_err(|e| failed(&redact(&e)))?;
        // A stream is read on a connection of its own, driven by the task that reads it.
        let resp = match &self.up.inner.direct {
            Some(direct) if streaming && method == Method::GET => direct
                .execute(request, USER_AGENT)
                .await
                .map_err(|e| failed(&e))?,
            _ => self
                .up
                .inner
                .http
                .execute(request)
                .await
                .map_err(|e| failed(&redact(&e)))?,
        };
        record(&endpoint, resp.status().as_str(), started);
        if resp.status().is_success() {
            return Ok(resp);
        }
        let e = error_from_response(&method, &template, resp).await;
        Err(self.refused(&method, &template, e))
    }

    /// A JSON answer.
    async fn json<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, AppError> {
        let template = call.path.template();
        let resp = self.send(call).await?;
        parse_json(resp, &template).await
    }

    /// A list whose items are parsed one by one: one malformed item is dropped (and logged)
    /// instead of failing the page.
    async fn list<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<Vec<T>, AppError> {
        let template = call.path.template();
        let resp = self.send(call).await?;
        // Each item's text is borrowed from the body and parsed once, straight into `T`.
        errors::parse_json_with(resp, &template, |bytes| {
            serde_json::from_slice::<Vec<&serde_json::value::RawValue>>(bytes)
                .map(crate::model::lenient_raw_items)
        })
        .await
    }

    /// An answer whose body is not read.
    async fn no_content(&self, call: Call<'_>) -> Result<(), AppError> {
        self.send(call).await.map(drop)
    }
}
