//! The upstream client: the only code that builds upstream URLs and sets `Authorization`.
//!
//! A session's credentials pick the base and the scheme: an API token goes as `Bearer` to the
//! token base (the API bridge), an OAuth access token ("Sign in with Clever Cloud") goes to the
//! OAuth base, each request signed with HMAC-SHA512 (`oauth`): the consumer and token secrets
//! never travel, and a captured header cannot be replayed (nonce and timestamp).
//!
//! One shared `reqwest::Client` (connection reuse, rustls, no redirects followed), a connect
//! timeout, a per-request timeout for JSON calls, and a read timeout with no total deadline
//! for streams.

use crate::error::AppError;
use crate::ids::SegmentId;
use crate::model::billing::Invoice;
use crate::model::deployments::Deployment;
use crate::model::drains::{CreateDrain, Drain, TestCommand};
use crate::model::instances::Instance;
use crate::model::load_balancers::LoadBalancer;
use crate::model::navigation::{SelfUser, Summary};
use crate::model::operators::{Operator, OperatorKind, VersionCheck, VersionUpdate};
use crate::model::pulsar::StoragePolicies;
use crate::model::zones::Zone;
use crate::query::{DeploymentQuery, DrainQuery, InstanceQuery, InvoiceQuery, LogQuery, ZoneQuery};
use bytes::Bytes;
use reqwest::{Method, Response, StatusCode, Url, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::oauth::{self, Consumer, Signing, TokenPair};

/// Header the upstream puts on every answer, useful to its support.
pub const SOZU_ID: &str = "sozu-id";

/// An API token. Never printed: `Debug` is redacted and there is no `Display` or `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    /// Wraps a token; surrounding white space (from a paste) is dropped.
    pub fn new(raw: &str) -> Option<Self> {
        let t = raw.trim();
        let printable = t.bytes().all(|b| b.is_ascii_graphic());
        (!t.is_empty() && t.len() <= 4096 && printable).then(|| Self(t.to_owned()))
    }

    /// The secret, for the session store only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

/// How a session's calls are authorised. `Debug` hides the secrets; there is no `Display` or
/// `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// An API token, sent as `Bearer` to the token base.
    Token(ApiToken),
    /// An OAuth access token and its secret, signed per request, to the OAuth base.
    OAuth(TokenPair),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Token(_) => f.write_str("Credentials::Token(<redacted>)"),
            Self::OAuth(_) => f.write_str("Credentials::OAuth(<redacted>)"),
        }
    }
}

/// The OAuth provider: where "Sign in with Clever Cloud" goes, and who the dashboard is there.
#[derive(Clone, Debug)]
pub struct OAuthProvider {
    /// `CC_OAUTH_API_URL`.
    pub base: Url,
    pub consumer: Consumer,
}

/// An access token as the provider handed it over.
#[derive(Clone, Debug)]
pub struct AccessToken {
    pub pair: TokenPair,
    /// When the provider says it stops working.
    pub expires: Option<time::OffsetDateTime>,
}

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

/// One path segment: a literal of ours, or a validated id (optionally with a literal suffix).
#[derive(Clone, Copy, Debug)]
pub enum Seg<'a> {
    Lit(&'static str),
    Id(&'a SegmentId),
    IdWith(&'a SegmentId, &'static str),
}

impl From<&'static str> for Seg<'_> {
    fn from(s: &'static str) -> Self {
        Seg::Lit(s)
    }
}

impl<'a> From<&'a SegmentId> for Seg<'a> {
    fn from(id: &'a SegmentId) -> Self {
        Seg::Id(id)
    }
}

macro_rules! path {
    ($($seg:expr),+ $(,)?) => { [$(Seg::from($seg)),+] };
}

/// The path as a template (`/v4/logs/organisations/{}/…`): what logs name, never the ids.
fn template(segments: &[Seg<'_>]) -> String {
    segments.iter().fold(String::new(), |mut t, seg| {
        t.push('/');
        match seg {
            Seg::Lit(s) => t.push_str(s),
            Seg::Id(_) => t.push_str("{}"),
            Seg::IdWith(_, suffix) => {
                t.push_str("{}");
                t.push_str(suffix);
            }
        }
        t
    })
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

/// Most bytes of one JSON answer read from the upstream; past it the answer is refused.
pub const MAX_JSON_BYTES: usize = 16 * 1024 * 1024;
/// Most bytes of an error answer read (only its short message is used).
const MAX_ERROR_BYTES: usize = 64 * 1024;
/// Longest wait for an error answer's body (stream requests have no overall timeout).
const ERROR_BODY_DEADLINE: Duration = Duration::from_secs(5);

/// Why a body could not be read whole.
#[derive(Debug)]
pub enum ReadError {
    /// Longer than the cap: nothing past it was read.
    TooLarge,
    /// The connection failed or timed out.
    Broken(reqwest::Error),
}

/// Reads a body up to `cap` bytes, chunk by chunk; a longer body is refused as soon as it is
/// known to be (from its `Content-Length`, or once the cap is passed).
pub async fn read_capped(mut resp: Response, cap: usize) -> Result<Bytes, ReadError> {
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(ReadError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(ReadError::Broken)? {
        if body.len() + chunk.len() > cap {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

struct Inner {
    base: Url,
    oauth: Option<OAuthProvider>,
    http: reqwest::Client,
    timeouts: Timeouts,
}

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
            .user_agent(concat!("cc-dashboard/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            inner: Arc::new(Inner {
                base,
                oauth,
                http,
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

    /// The configured base URL.
    pub fn base(&self) -> &Url {
        &self.inner.base
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

    /// Builds the URL of `segments` below the token base, with `query`.
    pub fn url(&self, segments: &[Seg<'_>], query: &[(&str, String)]) -> Result<Url, AppError> {
        url_on(&self.inner.base, segments, query)
    }

    fn provider(&self) -> Result<&OAuthProvider, AppError> {
        self.inner
            .oauth
            .as_ref()
            .ok_or_else(|| internal("no OAuth consumer configured"))
    }

    /// Handshake step 1: a request token for `callback` (`POST /v2/oauth/request_token`,
    /// signed with the consumer alone).
    pub async fn oauth_request_token(&self, callback: &str) -> Result<TokenPair, AppError> {
        let p = self.provider()?;
        let mut signing = Signing::new(&p.consumer, None);
        signing.extra.push(("oauth_callback", callback.to_owned()));
        let form = self
            .handshake(&p.base, &["v2", "oauth", "request_token"], &signing)
            .await?;
        pair_of(&form)
    }

    /// Handshake step 2: where the browser goes to authorise the request token.
    pub fn oauth_authorize_url(&self, request_token: &str) -> Result<Url, AppError> {
        let p = self.provider()?;
        let seg = [Seg::Lit("v2"), Seg::Lit("oauth"), Seg::Lit("authorize")];
        let mut url = url_on(&p.base, &seg, &[])?;
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
            .handshake(&p.base, &["v2", "oauth", "access_token"], &signing)
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
        path: &[&'static str],
        signing: &Signing<'_>,
    ) -> Result<Vec<(String, String)>, AppError> {
        let segments: Vec<Seg<'_>> = path.iter().map(|p| Seg::Lit(p)).collect();
        let url = url_on(base, &segments, &[])?;
        let endpoint = format!("POST {}", template(&segments));
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
                tracing::warn!(path = url.path(), error = %redact(&e), "OAuth handshake failed");
                AppError::Unavailable { sozu_id: None }
            })?;
        record(&endpoint, resp.status().as_str(), started);
        if !resp.status().is_success() {
            return Err(error_from_response(&Method::POST, url.path(), resp).await);
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

/// The URL of `segments` below `base`, with `query`; asserts it stays on the base.
fn url_on(base: &Url, segments: &[Seg<'_>], query: &[(&str, String)]) -> Result<Url, AppError> {
    let mut url = base.clone();
    {
        let mut path = url.path_segments_mut().map_err(|()| internal("base URL"))?;
        path.pop_if_empty();
        for seg in segments {
            match seg {
                Seg::Lit(s) => path.push(s),
                Seg::Id(id) => path.push(id.as_str()),
                Seg::IdWith(id, suffix) => path.push(&format!("{}{suffix}", id.as_str())),
            };
        }
    }
    url.set_query(None);
    if !query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in query {
            pairs.append_pair(k, v);
        }
    }
    let same_origin = url.scheme() == base.scheme()
        && url.host_str() == base.host_str()
        && url.port_or_known_default() == base.port_or_known_default();
    if !same_origin {
        return Err(internal("upstream URL left the configured base"));
    }
    Ok(url)
}

fn internal(what: &str) -> AppError {
    tracing::error!(what, "upstream client misconfiguration");
    AppError::Unavailable { sozu_id: None }
}

/// What to put in `Accept`.
#[derive(Clone, Copy, Debug)]
pub enum Accept {
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

/// Document formats of an invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvoiceFormat {
    Pdf,
    Html,
}

/// The upstream for one token: every endpoint the dashboard uses.
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
    /// The URL of `segments` on the base these credentials go to.
    fn url(&self, segments: &[Seg<'_>], query: &[(&str, String)]) -> Result<Url, AppError> {
        match self.auth {
            Auth::Token(_) => self.up.url(segments, query),
            // A session signed in with Clever Cloud on a server restarted without a consumer
            // must sign in again.
            Auth::OAuth(_) => url_on(
                &self.up.provider().map_err(|_| AppError::Unauthorized)?.base,
                segments,
                query,
            ),
        }
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
                right: oauth::right_for(method.as_str(), template).to_owned(),
                sozu_id,
            },
            (e, _) => e,
        }
    }

    /// Whether these credentials came from "Sign in with Clever Cloud".
    pub fn is_oauth(&self) -> bool {
        matches!(self.auth, Auth::OAuth(_))
    }

    /// Signing out of an OAuth session revokes its access token upstream
    /// (`DELETE /v2/self/tokens/{token}`); nothing to do for an API token.
    pub async fn revoke(&self) -> Result<(), AppError> {
        let Auth::OAuth(pair) = self.auth else {
            return Ok(());
        };
        let token = SegmentId::parse("token", &pair.token).map_err(|_| garbage("OAuth token"))?;
        self.no_content(Method::DELETE, &path!["v2", "self", "tokens", &token], None)
            .await
    }

    /// Sends one request and maps any non-2xx answer to an `AppError`.
    async fn send(
        &self,
        method: Method,
        segments: &[Seg<'_>],
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
        accept: Accept,
        streaming: bool,
    ) -> Result<Response, AppError> {
        let url = self.url(segments, query)?;
        let req = self.up.inner.http.request(method.clone(), url.clone());
        let mut req = self
            .authorize(req, &method, &url)?
            .header(header::ACCEPT, accept.value());
        if !streaming {
            req = req.timeout(self.up.inner.timeouts.request);
        }
        if let Some(body) = body {
            req = req
                .header(header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        // Logged as a template: a path may hold a secret (`/v2/self/tokens/{token}`).
        let path = template(segments);
        let endpoint = format!("{method} {path}");
        let started = std::time::Instant::now();
        let resp = req.send().await.map_err(|e| {
            record(&endpoint, "error", started);
            tracing::warn!(%method, path, error = %redact(&e), "upstream request failed");
            AppError::Unavailable { sozu_id: None }
        })?;
        record(&endpoint, resp.status().as_str(), started);
        if resp.status().is_success() {
            return Ok(resp);
        }
        let e = error_from_response(&method, &path, resp).await;
        Err(self.refused(&method, &template(segments), e))
    }

    async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[Seg<'_>],
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> Result<T, AppError> {
        let resp = self
            .send(method, segments, query, body, Accept::Json, false)
            .await?;
        parse_json(resp, &template(segments)).await
    }

    async fn get<T: DeserializeOwned>(
        &self,
        segments: &[Seg<'_>],
        query: &[(&str, String)],
    ) -> Result<T, AppError> {
        self.json(Method::GET, segments, query, None).await
    }

    /// A list whose items are parsed one by one: one malformed item is dropped (and logged)
    /// instead of failing the page.
    async fn get_list<T: DeserializeOwned>(
        &self,
        segments: &[Seg<'_>],
        query: &[(&str, String)],
    ) -> Result<Vec<T>, AppError> {
        let raw: Vec<serde_json::Value> = self.get(segments, query).await?;
        Ok(lenient_items(raw))
    }

    async fn no_content(
        &self,
        method: Method,
        segments: &[Seg<'_>],
        body: Option<Vec<u8>>,
    ) -> Result<(), AppError> {
        self.send(method, segments, &[], body, Accept::Json, false)
            .await
            .map(drop)
    }

    // --- navigation -------------------------------------------------------------------------

    /// `GET /v2/self`: who the token belongs to (also validates it at login).
    pub async fn self_user(&self) -> Result<SelfUser, AppError> {
        self.get(&path!["v2", "self"], &[]).await
    }

    /// `GET /v2/summary`: organisations, applications and add-ons.
    pub async fn summary(&self) -> Result<Summary, AppError> {
        self.get(&path!["v2", "summary"], &[]).await
    }

    // --- billing ----------------------------------------------------------------------------

    /// `GET /v4/billing/organisations/{o}/invoices`.
    pub async fn invoices(
        &self,
        owner: &SegmentId,
        q: &InvoiceQuery,
    ) -> Result<Vec<Invoice>, AppError> {
        let p = path!["v4", "billing", "organisations", owner, "invoices"];
        self.get_list(&p, &q.pairs()).await
    }

    /// `GET /v4/billing/organisations/{o}/invoices/{number}`.
    pub async fn invoice(
        &self,
        owner: &SegmentId,
        number: &SegmentId,
    ) -> Result<Invoice, AppError> {
        let p = path!["v4", "billing", "organisations", owner, "invoices", number];
        self.get(&p, &[]).await
    }

    /// `GET .../invoices/{number}.pdf|.html`, as a response to stream on.
    pub async fn invoice_document(
        &self,
        owner: &SegmentId,
        number: &SegmentId,
        format: InvoiceFormat,
    ) -> Result<Response, AppError> {
        let (suffix, accept) = match format {
            InvoiceFormat::Pdf => (".pdf", Accept::Pdf),
            InvoiceFormat::Html => (".html", Accept::Html),
        };
        let p = [
            Seg::Lit("v4"),
            Seg::Lit("billing"),
            Seg::Lit("organisations"),
            Seg::Id(owner),
            Seg::Lit("invoices"),
            Seg::IdWith(number, suffix),
        ];
        self.send(Method::GET, &p, &[], None, accept, true).await
    }

    // --- orchestration ----------------------------------------------------------------------

    /// `GET /v4/orchestration/organisations/{o}/applications/{a}/deployments`.
    pub async fn deployments(
        &self,
        owner: &SegmentId,
        app: &SegmentId,
        q: &DeploymentQuery,
    ) -> Result<Vec<Deployment>, AppError> {
        let p = path![
            "v4",
            "orchestration",
            "organisations",
            owner,
            "applications",
            app,
            "deployments"
        ];
        self.get_list(&p, &q.pairs()).await
    }

    /// `GET .../deployments/{id}`.
    pub async fn deployment(
        &self,
        owner: &SegmentId,
        app: &SegmentId,
        id: &SegmentId,
    ) -> Result<Deployment, AppError> {
        let p = path![
            "v4",
            "orchestration",
            "organisations",
            owner,
            "applications",
            app,
            "deployments",
            id
        ];
        self.get(&p, &[]).await
    }

    /// `GET /v4/orchestration/organisations/{o}/applications/{a}/instances`.
    pub async fn instances(
        &self,
        owner: &SegmentId,
        app: &SegmentId,
        q: &InstanceQuery,
    ) -> Result<Vec<Instance>, AppError> {
        let p = path![
            "v4",
            "orchestration",
            "organisations",
            owner,
            "applications",
            app,
            "instances"
        ];
        self.get_list(&p, &q.pairs()).await
    }

    /// `GET /v4/load-balancers/organisations/{o}/applications/{a}/load-balancers/default`.
    pub async fn default_load_balancers(
        &self,
        owner: &SegmentId,
        app: &SegmentId,
    ) -> Result<Vec<LoadBalancer>, AppError> {
        let p = path![
            "v4",
            "load-balancers",
            "organisations",
            owner,
            "applications",
            app,
            "load-balancers",
            "default"
        ];
        self.get_list(&p, &[]).await
    }

    // --- logs -------------------------------------------------------------------------------

    /// `GET /v4/logs/organisations/{o}/applications/{a}/logs` as an SSE response.
    pub async fn log_stream(
        &self,
        owner: &SegmentId,
        app: &SegmentId,
        q: &LogQuery,
        last_event_id: Option<&str>,
    ) -> Result<Response, AppError> {
        let url = self.url(
            &path![
                "v4",
                "logs",
                "organisations",
                owner,
                "applications",
                app,
                "logs"
            ],
            &q.pairs(),
        )?;
        let req = self.up.inner.http.get(url.clone());
        let mut req = self
            .authorize(req, &Method::GET, &url)?
            .header(header::ACCEPT, Accept::EventStream.value());
        if let Some(id) = last_event_id.filter(|id| is_header_safe(id)) {
            req = req.header("last-event-id", id);
        }
        let endpoint = "GET /v4/logs/organisations/{}/applications/{}/logs";
        let started = std::time::Instant::now();
        let resp = req.send().await.map_err(|e| {
            record(endpoint, "error", started);
            tracing::warn!(path = url.path(), error = %redact(&e), "upstream log stream failed");
            AppError::Unavailable { sozu_id: None }
        })?;
        record(endpoint, resp.status().as_str(), started);
        if resp.status().is_success() {
            Ok(resp)
        } else {
            let e = error_from_response(&Method::GET, url.path(), resp).await;
            Err(self.refused(
                &Method::GET,
                "/v4/logs/organisations/{}/applications/{}/logs",
                e,
            ))
        }
    }

    // --- drains -----------------------------------------------------------------------------

    /// `GET /v4/drains/organisations/{o}/resources/{r}/drains` (404 means none).
    pub async fn drains(
        &self,
        owner: &SegmentId,
        resource: &SegmentId,
        q: &DrainQuery,
    ) -> Result<Vec<Drain>, AppError> {
        let p = path![
            "v4",
            "drains",
            "organisations",
            owner,
            "resources",
            resource,
            "drains"
        ];
        match self.get_list(&p, &q.pairs()).await {
            Err(AppError::NotFound { .. }) => Ok(Vec::new()),
            other => other,
        }
    }

    /// `GET .../drains/{id}`.
    pub async fn drain(
        &self,
        owner: &SegmentId,
        resource: &SegmentId,
        id: &SegmentId,
    ) -> Result<Drain, AppError> {
        let p = path![
            "v4",
            "drains",
            "organisations",
            owner,
            "resources",
            resource,
            "drains",
            id
        ];
        self.get(&p, &[]).await
    }

    /// `POST .../drains`.
    pub async fn create_drain(
        &self,
        owner: &SegmentId,
        resource: &SegmentId,
        body: &CreateDrain,
    ) -> Result<Drain, AppError> {
        let p = path![
            "v4",
            "drains",
            "organisations",
            owner,
            "resources",
            resource,
            "drains"
        ];
        self.json(Method::POST, &p, &[], Some(to_body(body))).await
    }

    /// `DELETE .../drains/{id}`.
    pub async fn delete_drain(
        &self,
        owner: &SegmentId,
        resource: &SegmentId,
        id: &SegmentId,
    ) -> Result<(), AppError> {
        let p = path![
            "v4",
            "drains",
            "organisations",
            owner,
            "resources",
            resource,
            "drains",
            id
        ];
        self.no_content(Method::DELETE, &p, None).await
    }

    /// `PUT .../drains/{id}/enable` or `/disable`.
    pub async fn set_drain_enabled(
        &self,
        owner: &SegmentId,
        resource: &SegmentId,
        id: &SegmentId,
        enabled: bool,
    ) -> Result<(), AppError> {
        let action = if enabled { "enable" } else { "disable" };
        let p = path![
            "v4",
            "drains",
            "organisations",
            owner,
            "resources",
            resource,
            "drains",
            id,
            action
        ];
        self.no_content(Method::PUT, &p, None).await
    }

    /// `GET .../drains/{id}/test-command`: a curl command, as text or JSON.
    pub async fn drain_test_command(
        &self,
        owner: &SegmentId,
        resource: &SegmentId,
        id: &SegmentId,
    ) -> Result<TestCommand, AppError> {
        let p = path![
            "v4",
            "drains",
            "organisations",
            owner,
            "resources",
            resource,
            "drains",
            id,
            "test-command"
        ];
        let resp = self
            .send(Method::GET, &p, &[], None, Accept::Json, false)
            .await?;
        let text = resp.text().await.map_err(|_| garbage("test command"))?;
        let command = match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::String(s)) => s,
            Ok(serde_json::Value::Object(o)) => o
                .get("command")
                .and_then(|c| c.as_str())
                .map(str::to_owned)
                .unwrap_or_default(),
            _ => text,
        };
        Ok(TestCommand { command })
    }

    /// `PATCH .../drains/{id}/reset-cursor`.
    pub async fn reset_drain_cursor(
        &self,
        owner: &SegmentId,
        resource: &SegmentId,
        id: &SegmentId,
    ) -> Result<(), AppError> {
        let p = path![
            "v4",
            "drains",
            "organisations",
            owner,
            "resources",
            resource,
            "drains",
            id,
            "reset-cursor"
        ];
        self.no_content(Method::PATCH, &p, None).await
    }

    // --- operators --------------------------------------------------------------------------

    /// `GET /v4/addon-providers/addon-{kind}/addons/{id}`.
    pub async fn operator(&self, kind: OperatorKind, id: &SegmentId) -> Result<Operator, AppError> {
        self.get(
            &path!["v4", "addon-providers", provider(kind), "addons", id],
            &[],
        )
        .await
    }

    /// `POST .../reboot` (204).
    pub async fn reboot_operator(
        &self,
        kind: OperatorKind,
        id: &SegmentId,
    ) -> Result<(), AppError> {
        let p = path![
            "v4",
            "addon-providers",
            provider(kind),
            "addons",
            id,
            "reboot"
        ];
        self.no_content(Method::POST, &p, None).await
    }

    /// `POST .../rebuild` (204).
    pub async fn rebuild_operator(
        &self,
        kind: OperatorKind,
        id: &SegmentId,
    ) -> Result<(), AppError> {
        let p = path![
            "v4",
            "addon-providers",
            provider(kind),
            "addons",
            id,
            "rebuild"
        ];
        self.no_content(Method::POST, &p, None).await
    }

    /// `GET .../version/check`.
    pub async fn operator_version_check(
        &self,
        kind: OperatorKind,
        id: &SegmentId,
    ) -> Result<VersionCheck, AppError> {
        let p = path![
            "v4",
            "addon-providers",
            provider(kind),
            "addons",
            id,
            "version",
            "check"
        ];
        self.get(&p, &[]).await
    }

    /// `POST .../version/update`: returns the operator.
    pub async fn update_operator_version(
        &self,
        kind: OperatorKind,
        id: &SegmentId,
        body: &VersionUpdate,
    ) -> Result<Operator, AppError> {
        let p = path![
            "v4",
            "addon-providers",
            provider(kind),
            "addons",
            id,
            "version",
            "update"
        ];
        self.json(Method::POST, &p, &[], Some(to_body(body))).await
    }

    /// `POST .../networkgroup` (202, returns the operator) or `DELETE` (204).
    pub async fn set_operator_network_group(
        &self,
        kind: OperatorKind,
        id: &SegmentId,
        on: bool,
    ) -> Result<(), AppError> {
        let p = path![
            "v4",
            "addon-providers",
            provider(kind),
            "addons",
            id,
            "networkgroup"
        ];
        let method = if on { Method::POST } else { Method::DELETE };
        self.no_content(method, &p, None).await
    }

    /// `GET /v4/addon-providers/addon-otoroshi/addons/{id}/config.yaml`, to stream on.
    pub async fn otoroshi_config(&self, id: &SegmentId) -> Result<Response, AppError> {
        let p = [
            Seg::Lit("v4"),
            Seg::Lit("addon-providers"),
            Seg::Lit("addon-otoroshi"),
            Seg::Lit("addons"),
            Seg::Id(id),
            Seg::Lit("config.yaml"),
        ];
        self.send(Method::GET, &p, &[], None, Accept::Yaml, true)
            .await
    }

    // --- products, pulsar -------------------------------------------------------------------

    /// `GET /v4/products/zones`.
    pub async fn zones(&self, q: &ZoneQuery) -> Result<Vec<Zone>, AppError> {
        self.get_list(&path!["v4", "products", "zones"], &q.pairs())
            .await
    }

    /// `GET /v4/products/zones/{name}`.
    pub async fn zone(&self, name: &SegmentId) -> Result<Zone, AppError> {
        self.get(&path!["v4", "products", "zones", name], &[]).await
    }

    /// `GET /v4/addon-providers/addon-pulsar/addons/{id}/storage-policies`.
    pub async fn pulsar_policies(&self, id: &SegmentId) -> Result<StoragePolicies, AppError> {
        let p = path![
            "v4",
            "addon-providers",
            "addon-pulsar",
            "addons",
            id,
            "storage-policies"
        ];
        self.get(&p, &[]).await
    }

    /// `PATCH .../storage-policies` with only what changed.
    pub async fn patch_pulsar_policies(
        &self,
        id: &SegmentId,
        body: &serde_json::Value,
    ) -> Result<StoragePolicies, AppError> {
        let p = path![
            "v4",
            "addon-providers",
            "addon-pulsar",
            "addons",
            id,
            "storage-policies"
        ];
        let resp = self
            .send(
                Method::PATCH,
                &p,
                &[],
                Some(to_body(body)),
                Accept::Json,
                false,
            )
            .await?;
        // The answer's shape is not settled upstream; read the policies back when it differs.
        match parse_json::<StoragePolicies>(resp, &template(&p)).await {
            Ok(p) if p.retention_policies.is_some() || p.offload_policies.is_some() => Ok(p),
            _ => self.pulsar_policies(id).await,
        }
    }
}

fn provider(kind: OperatorKind) -> &'static str {
    match kind {
        OperatorKind::Keycloak => "addon-keycloak",
        OperatorKind::Matomo => "addon-matomo",
        OperatorKind::Metabase => "addon-metabase",
        OperatorKind::Otoroshi => "addon-otoroshi",
    }
}

/// A JSON request body.
fn to_body<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

fn is_header_safe(v: &str) -> bool {
    v.len() <= 256 && v.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
}

/// A reqwest error without its URL (which never has the token, but stays out of logs anyway).
fn redact(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else if e.is_body() || e.is_decode() {
        "body"
    } else {
        "request"
    };
    match std::error::Error::source(e) {
        Some(source) => format!("{kind}: {source}"),
        None => kind.to_owned(),
    }
}

fn garbage(what: &str) -> AppError {
    tracing::warn!(what, "upstream answered something unreadable");
    AppError::Unavailable { sozu_id: None }
}

/// Reads a JSON answer (at most `MAX_JSON_BYTES`) and parses it. A failure is logged with
/// the answer's length, status, path template and the parse error's kind and position,
/// never its content (an operator's payload holds admin passwords).
async fn parse_json<T: DeserializeOwned>(resp: Response, path: &str) -> Result<T, AppError> {
    let sozu_id = sozu_id(&resp);
    let status = resp.status().as_u16();
    let bytes = read_capped(resp, MAX_JSON_BYTES).await.map_err(|e| match e {
        ReadError::TooLarge => {
            tracing::warn!(path, status, cap = MAX_JSON_BYTES, "upstream answer too large");
            AppError::UpstreamTooLarge {
                limit_mib: (MAX_JSON_BYTES >> 20) as u32,
            }
        }
        ReadError::Broken(e) => {
            tracing::warn!(path, status, error = %redact(&e), "upstream body could not be read");
            AppError::Unavailable {
                sozu_id: sozu_id.clone(),
            }
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        tracing::warn!(path, status, len = bytes.len(), kind = ?e.classify(), line = e.line(),
            column = e.column(), sozu_id, "upstream JSON unreadable");
        AppError::Unavailable { sozu_id }
    })
}

/// Parses each item on its own; malformed ones are logged and left out.
pub fn lenient_items<T: DeserializeOwned>(raw: Vec<serde_json::Value>) -> Vec<T> {
    raw.into_iter()
        .filter_map(|v| match serde_json::from_value(v) {
            Ok(t) => Some(t),
            Err(e) => {
                // The error's text may quote a value: only its kind is logged.
                tracing::warn!(kind = ?e.classify(), "left out one malformed upstream list item");
                None
            }
        })
        .collect()
}

fn sozu_id(resp: &Response) -> Option<String> {
    resp.headers()
        .get(SOZU_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_header_safe(v))
        .map(str::to_owned)
}

/// Maps a non-2xx upstream answer to an `AppError`. Its body is read within a deadline and a
/// size cap (a stream request has no overall timeout); only its length and its short
/// `message` go to the log.
async fn error_from_response(method: &Method, path: &str, resp: Response) -> AppError {
    let status = resp.status();
    let sozu_id = sozu_id(&resp);
    let body = tokio::time::timeout(ERROR_BODY_DEADLINE, read_capped(resp, MAX_ERROR_BYTES))
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    tracing::warn!(%method, path, status = status.as_u16(), sozu_id, len = body.len(),
        message = upstream_message(&body).as_deref().unwrap_or(""),
        "upstream answered with an error");
    map_error(status, sozu_id, &body)
}

/// The mapping itself, pure for tests.
pub fn map_error(status: StatusCode, sozu_id: Option<String>, body: &[u8]) -> AppError {
    match status {
        StatusCode::UNAUTHORIZED => AppError::Unauthorized,
        StatusCode::FORBIDDEN => AppError::Forbidden { sozu_id },
        StatusCode::NOT_FOUND => AppError::not_found("the Clever Cloud API has no such resource"),
        StatusCode::TOO_MANY_REQUESTS => AppError::TooManyRequests(
            "The Clever Cloud API asks to slow down; retry in a moment.".into(),
        ),
        s if s.is_client_error() => AppError::Upstream {
            status: s.as_u16(),
            message: upstream_message(body)
                .unwrap_or_else(|| s.canonical_reason().unwrap_or("error").to_owned()),
            sozu_id,
        },
        _ => AppError::Unavailable { sozu_id },
    }
}

/// The upstream's own short `message` (or `error`), cleaned and bounded.
fn upstream_message(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Body {
        message: Option<String>,
        error: Option<serde_json::Value>,
    }
    let b: Body = serde_json::from_slice(body).ok()?;
    let msg = b
        .message
        .or_else(|| b.error.and_then(|e| e.as_str().map(str::to_owned)))?;
    let clean: String = msg.chars().filter(|c| !c.is_control()).take(300).collect();
    (!clean.trim().is_empty()).then_some(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(base: &str) -> Upstream {
        Upstream::new(Url::parse(base).unwrap(), Timeouts::default()).unwrap()
    }

    fn id(s: &str) -> SegmentId {
        SegmentId::parse("id", s).unwrap()
    }

    #[tokio::test]
    async fn bodies_past_the_cap_are_refused_without_reading_on() {
        let sized = |n: usize| Response::from(http::Response::new(vec![b'x'; n]));
        assert!(matches!(read_capped(sized(100), 100).await, Ok(b) if b.len() == 100));
        assert!(matches!(
            read_capped(sized(101), 100).await,
            Err(ReadError::TooLarge)
        ));
        // No length announced: refused once the cap is passed, the rest never polled.
        let polled = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = Arc::clone(&polled);
        let chunks = futures::StreamExt::map(futures::stream::iter(0..1000), move |_| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok::<_, std::io::Error>(vec![b'x'; 64])
        });
        let streamed = Response::from(http::Response::new(reqwest::Body::wrap_stream(chunks)));
        assert!(matches!(
            read_capped(streamed, 1000).await,
            Err(ReadError::TooLarge)
        ));
        assert!(polled.load(std::sync::atomic::Ordering::SeqCst) <= 17);
    }

    #[test]
    fn path_templates_name_no_ids() {
        let o = id("orga_secret_1");
        let a = id("app_2");
        let t = template(&path![
            "v4",
            "logs",
            "organisations",
            &o,
            "applications",
            &a
        ]);
        assert_eq!(t, "/v4/logs/organisations/{}/applications/{}");
    }

    #[test]
    fn builds_urls_below_the_base() {
        let u = up("http://127.0.0.1:8080");
        let o = id("orga_1");
        let url = u
            .url(
                &path!["v4", "billing", "organisations", &o, "invoices"],
                &[
                    ("since", "2024-01-01T00:00:00+01:00".into()),
                    ("limit", "5".into()),
                ],
            )
            .unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:8080/v4/billing/organisations/orga_1/invoices?since=2024-01-01T00%3A00%3A00%2B01%3A00&limit=5"
        );
    }

    #[test]
    fn keeps_a_base_path_prefix() {
        let u = up("https://proxy.example/cc/");
        let url = u.url(&path!["v2", "self"], &[]).unwrap();
        assert_eq!(url.as_str(), "https://proxy.example/cc/v2/self");
    }

    #[test]
    fn repeats_repeated_parameters() {
        let u = up("http://127.0.0.1:1");
        let url = u
            .url(
                &path!["v4", "products", "zones"],
                &[("tag", "a".into()), ("tag", "b c".into())],
            )
            .unwrap();
        assert_eq!(url.query(), Some("tag=a&tag=b+c"));
    }

    #[test]
    fn suffixed_ids_stay_one_segment() {
        let u = up("http://127.0.0.1:1");
        let n = id("CC-1");
        let url = u
            .url(&[Seg::Lit("x"), Seg::IdWith(&n, ".pdf")], &[])
            .unwrap();
        assert_eq!(url.path(), "/x/CC-1.pdf");
    }

    #[test]
    fn maps_upstream_errors() {
        let sid = Some("sozu-1".to_owned());
        assert_eq!(
            map_error(StatusCode::UNAUTHORIZED, sid.clone(), b""),
            AppError::Unauthorized
        );
        assert_eq!(
            map_error(StatusCode::FORBIDDEN, sid.clone(), b""),
            AppError::Forbidden {
                sozu_id: sid.clone()
            }
        );
        assert_eq!(map_error(StatusCode::NOT_FOUND, None, b"").status(), 404);
        assert_eq!(
            map_error(
                StatusCode::BAD_REQUEST,
                sid.clone(),
                br#"{"id":400,"message":"Invalid index\u0007","type":"error"}"#
            ),
            AppError::Upstream {
                status: 400,
                message: "Invalid index".into(),
                sozu_id: sid.clone()
            }
        );
        assert_eq!(
            map_error(StatusCode::CONFLICT, None, b"<html>oops</html>"),
            AppError::Upstream {
                status: 409,
                message: "Conflict".into(),
                sozu_id: None
            }
        );
        for s in [500u16, 502, 503, 504] {
            assert_eq!(
                map_error(StatusCode::from_u16(s).unwrap(), sid.clone(), b"{}"),
                AppError::Unavailable {
                    sozu_id: sid.clone()
                }
            );
        }
        assert_eq!(
            map_error(StatusCode::TOO_MANY_REQUESTS, None, b"").status(),
            429
        );
    }

    #[test]
    fn tokens_are_never_printed() {
        let t = ApiToken::new("  secret-token-123 \n").unwrap();
        assert_eq!(t.expose(), "secret-token-123");
        assert!(!format!("{t:?}").contains("secret"));
        assert!(ApiToken::new("").is_none());
        assert!(ApiToken::new("a b").is_none());
        assert!(ApiToken::new("tok\r\nX: y").is_none());
    }

    #[test]
    fn lenient_lists_drop_only_the_bad_item() {
        let raw = vec![
            serde_json::json!({"id": "a", "name": "ok"}),
            serde_json::json!("not an object"),
            serde_json::json!({"id": "b"}),
        ];
        let zones: Vec<Zone> = lenient_items(raw);
        assert_eq!(zones.len(), 2);
    }
}
