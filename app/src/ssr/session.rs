//! The server-side session: the token lives here and only here.

use super::oauth1::TokenPair;
use super::upstream::{ApiToken, Authed, Credentials, Upstream};
use crate::error::AppError;
use crate::model::activity::AuditEvent;
use crate::model::sessions::SessionSummary;
use leptos::prelude::use_context;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// Session key of the API token.
pub const TOKEN_KEY: &str = "cc.token";
/// Session key of the OAuth access token and its secret ("Sign in with Clever Cloud").
pub const OAUTH_KEY: &str = "cc.oauth";
/// Session key of the signed-in user.
pub const USER_KEY: &str = "cc.user";
/// Session key of the sign-in time (unix ms), for the absolute lifetime.
pub const SINCE_KEY: &str = "cc.since";
/// Session key of the last recorded activity (unix ms), for the idle timeout.
pub const SEEN_KEY: &str = "cc.seen";
/// Session key of when the allow-lists last admitted this session (unix ms).
pub const ALLOWED_AT_KEY: &str = "cc.allowed_at";
/// Session key of where the session signed in from ([`SignedInFrom`]).
pub const FROM_KEY: &str = "cc.from";

/// Where a session signed in from, for "Your sessions".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInFrom {
    /// The browser and system (`logic::sessions::device_label`).
    pub device: String,
    /// The client's address.
    pub address: String,
}

/// A stored session of the user, as the server's store gives it: its id and its record.
pub struct StoredSession {
    pub id: tower_sessions::session::Id,
    pub data: std::collections::HashMap<String, serde_json::Value>,
}

type Listing = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Vec<StoredSession>, AppError>> + Send>,
>;

/// Lists a user's signed-in sessions from the store (which only the server holds): put in
/// the context by the server for "Your sessions".
#[derive(Clone)]
pub struct SessionDirectory(pub std::sync::Arc<dyn Fn(String) -> Listing + Send + Sync>);

/// What "Your sessions" shows of a stored session (`current`: the asking browser's); `None`
/// for a record that is not signed in.
pub fn summary_of(stored: &StoredSession, current: bool) -> Option<SessionSummary> {
    let data = &stored.data;
    let user: SessionUser = serde_json::from_value(data.get(USER_KEY)?.clone()).ok()?;
    let since = data.get(SINCE_KEY)?.as_i64()?;
    let from: Option<SignedInFrom> = data
        .get(FROM_KEY)
        .and_then(|v| serde_json::from_value(v.clone()).ok());
    Some(SessionSummary {
        current,
        via: match user.via {
            SignedInWith::ApiToken => "API token",
            SignedInWith::CleverCloud => "Clever Cloud",
        }
        .to_owned(),
        since,
        seen: data.get(SEEN_KEY).and_then(|v| v.as_i64()).unwrap_or(since),
        device: from.as_ref().map(|f| f.device.clone()),
        address: from.map(|f| f.address),
    })
}

/// How recent a sign-in must be for a secret to be revealed (an operator's password, its API
/// secret): a session left open on a shared screen does not give them away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RevealWithin(pub std::time::Duration);

impl Default for RevealWithin {
    fn default() -> Self {
        Self(std::time::Duration::from_secs(10 * 60))
    }
}

/// Whether this session signed in within `within` (its sign-in time, `SINCE_KEY`).
pub async fn signed_in_within(session: &Session, within: RevealWithin) -> bool {
    let since: Option<i64> = session.get(SINCE_KEY).await.ok().flatten();
    let now = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
    since.is_some_and(|s| now.saturating_sub(s) < within.0.as_millis() as i64)
}

/// Session key of the outcome of the last action posted as a form (see [`Flash`]).
pub const FLASH_KEY: &str = "cc.flash";

/// Session key of the error of the last action posted as a form (see [`FailedFlash`]).
pub const FAILED_FLASH_KEY: &str = "cc.flash_error";

/// A server function's error for a form posted without script: leptos puts it in the
/// redirect's address (`__path`, `__err`), which any link could imitate; the server moves it
/// into the session for the next page load, and only from there does a page show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailedFlash {
    /// The server function's path (leptos's `__path`).
    pub path: String,
    /// The error, encoded as leptos encodes it (`__err`).
    pub err: String,
}

/// What a server function answered to a form posted without script (a plain POST that the
/// server answers with a redirect back to the page): kept in the session for the next page
/// load, which shows it beside the action. Errors ride alike ([`FailedFlash`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flash {
    /// The server function's path, e.g. `/api/drain_action`.
    pub path: String,
    /// Its answer, as the JSON it sent.
    pub body: String,
}

/// The flash taken from the session for this page load, if it is `path`'s, decoded.
pub fn flash_for<T: serde::de::DeserializeOwned>(path: &str) -> Option<T> {
    let parts = use_context::<http::request::Parts>()?;
    let flash = parts.extensions.get::<Flash>()?;
    (flash.path == path)
        .then(|| serde_json::from_str(&flash.body).ok())
        .flatten()
}

/// Who is signed in, as stored at login (no secret in it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: String,
    pub name: String,
    pub email: String,
    /// How they signed in.
    #[serde(default)]
    pub via: SignedInWith,
    /// When their credentials stop working upstream (unix seconds), when known.
    #[serde(default)]
    pub expires: Option<i64>,
}

/// How a session signed in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignedInWith {
    /// A pasted API token.
    #[default]
    ApiToken,
    /// "Sign in with Clever Cloud" (OAuth 1.0a).
    CleverCloud,
}

/// The OAuth credentials as stored in the session.
#[derive(Serialize, Deserialize)]
struct StoredOAuth {
    token: String,
    secret: String,
}

/// The credentials of a session, if signed in.
pub async fn credentials_of(session: &Session) -> Option<Credentials> {
    let raw: Option<String> = session.get(TOKEN_KEY).await.ok().flatten();
    if let Some(token) = raw.as_deref().and_then(ApiToken::new) {
        return Some(Credentials::Token(token));
    }
    let oauth: Option<StoredOAuth> = session.get(OAUTH_KEY).await.ok().flatten();
    oauth.map(|o| {
        Credentials::OAuth(TokenPair {
            token: o.token,
            secret: o.secret,
        })
    })
}

/// The credentials in a stored record's data (another session's, when the user ends it).
pub fn credentials_in(
    data: &std::collections::HashMap<String, serde_json::Value>,
) -> Option<Credentials> {
    if let Some(token) = data.get(TOKEN_KEY).and_then(|t| t.as_str()) {
        return ApiToken::new(token).map(Credentials::Token);
    }
    let o: StoredOAuth = serde_json::from_value(data.get(OAUTH_KEY)?.clone()).ok()?;
    Some(Credentials::OAuth(TokenPair {
        token: o.token,
        secret: o.secret,
    }))
}

/// Puts credentials into a session (the only place they are written).
pub async fn store_credentials(
    session: &Session,
    credentials: &Credentials,
) -> Result<(), tower_sessions::session::Error> {
    match credentials {
        Credentials::Token(token) => {
            session.remove_value(OAUTH_KEY).await?;
            session.insert(TOKEN_KEY, token.expose()).await
        }
        Credentials::OAuth(pair) => {
            session.remove_value(TOKEN_KEY).await?;
            let stored = StoredOAuth {
                token: pair.token.clone(),
                secret: pair.secret.clone(),
            };
            session.insert(OAUTH_KEY, stored).await
        }
    }
}

/// The session of the current request (inside a server function or SSR).
pub async fn current_session() -> Result<Session, AppError> {
    // Read from the request's extensions in place: `leptos_axum::extract` would clone the
    // request's whole head (headers and extensions) on each of a page's several calls.
    leptos::prelude::with_context::<http::request::Parts, _>(|parts| {
        parts.extensions.get::<Session>().cloned()
    })
    .flatten()
    .ok_or(AppError::Unauthorized)
}

/// The key of a session in the per-session caches (navigation, invoice details): its id, empty
/// for a session never saved (the caches keep nothing under it).
pub fn cache_key(session: &Session) -> String {
    session.id().map(|id| id.to_string()).unwrap_or_default()
}

/// The signed-in user of a session.
pub async fn current_user_of(session: &Session) -> Option<SessionUser> {
    session.get::<SessionUser>(USER_KEY).await.ok().flatten()
}

/// The signed-in user of the current request.
pub async fn current_user() -> Result<SessionUser, AppError> {
    let session = current_session().await?;
    current_user_of(&session)
        .await
        .ok_or(AppError::Unauthorized)
}

/// Runs `f` with the upstream client bound to the current session's token: the three lines
/// every server function is made of (session, token, client).
pub async fn authed_call<T, F>(f: F) -> Result<T, AppError>
where
    F: AsyncFnOnce(Authed<'_>) -> Result<T, AppError>,
{
    let upstream = use_context::<Upstream>().ok_or(AppError::Unavailable { sozu_id: None })?;
    let session = current_session().await?;
    let credentials = credentials_of(&session)
        .await
        .ok_or(AppError::Unauthorized)?;
    f(upstream.with(&credentials)).await
}

type Recording = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;
type Listing2 =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<AuditEvent>, AppError>> + Send>>;

/// Where each organisation's audit events are kept for its activity feed (the session store:
/// Redis when shared, else this process), bounded per organisation: put in the context by
/// the server.
#[derive(Clone)]
pub struct AuditTrail {
    /// Keeps one event of an owner.
    pub record: std::sync::Arc<dyn Fn(String, AuditEvent) -> Recording + Send + Sync>,
    /// An owner's events, newest first.
    pub list: std::sync::Arc<dyn Fn(String) -> Listing2 + Send + Sync>,
}

/// Writes the audit event (target `audit`) of a mutating action and passes its result on:
/// who (user id and email), what, where (organisation and resource), the outcome, and when it
/// failed the status and the upstream's `Sozu-Id`. The request's span adds its id and the
/// client's address.
pub async fn audited<T>(
    action: &'static str,
    owner: &str,
    resource: &str,
    result: Result<T, AppError>,
) -> Result<T, AppError> {
    audited_with(action, owner, resource, None, result).await
}

/// `audited`, with what else says what was done (`detail`: the commit deployed…); a failure's
/// support reference (Sozu-Id) is added to it.
pub async fn audited_with<T>(
    action: &'static str,
    owner: &str,
    resource: &str,
    detail: Option<String>,
    result: Result<T, AppError>,
) -> Result<T, AppError> {
    let user = current_user().await.unwrap_or_default();
    let sozu = result
        .as_ref()
        .err()
        .and_then(|e| e.sozu_id())
        .map(|id| format!("Sozu-Id {id}"));
    let detail = match (detail, sozu) {
        (Some(d), Some(s)) => Some(format!("{d}, {s}")),
        (d, s) => d.or(s),
    };
    if let Some(trail) = use_context::<AuditTrail>() {
        let actor = [&user.name, &user.email, &user.id]
            .into_iter()
            .find(|v| !v.is_empty())
            .cloned()
            .unwrap_or_default();
        let event = AuditEvent {
            at: Some(time::OffsetDateTime::now_utc()),
            actor,
            action: action.to_owned(),
            resource: resource.to_owned(),
            outcome: if result.is_ok() { "ok" } else { "failed" }.to_owned(),
            detail: detail.clone(),
        };
        (trail.record)(owner.to_owned(), event).await;
    }
    match &result {
        Ok(_) => tracing::info!(target: "audit", action, owner, resource, outcome = "ok",
            detail = detail.as_deref().unwrap_or(""), user_id = %user.id, email = %user.email,
            "action"),
        Err(e) => tracing::warn!(target: "audit", action, owner, resource, outcome = "failed",
            detail = detail.as_deref().unwrap_or(""),
            status = e.status(), sozu_id = e.sozu_id(), error = %e, user_id = %user.id,
            email = %user.email, "action"),
    }
    result
}
