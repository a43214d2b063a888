//! `GET /stream/orgs/{owner}/apps/{app}/logs` (and `…/apps/{app}/access-logs`,
//! `…/addons/{realId}/logs`): an upstream log stream relayed to the browser's `EventSource`,
//! authenticated by the session cookie (EventSource cannot send headers).
//!
//! - Parameters are checked before anything goes upstream; `Last-Event-ID` (or the
//!   `lastEventId` parameter of a viewer resuming after a pause) is forwarded.
//! - Upstream events are parsed by `sseer` (memchr-based, slices the received bytes instead of
//!   copying them); heartbeats stay upstream, and our own keep-alive comments go to the
//!   browser. `id` and `event` are cleaned of CR/LF/NUL.
//! - Access logs are filtered here (`status`, `method`, `path`, `minDuration`: the API has no
//!   such filters), so the browser receives only the lines that match.
//! - With `batch=1` (the viewers ask it), the log lines of one chunk leave as one
//!   `APPLICATION_LOGS` (`ACCESS_LOGS`) event, a `data:` line each, with the last line's id: a browser then
//!   dispatches one event per chunk instead of one per line (10,000 lines: tens of events).
//!   Without it, each line is its own `APPLICATION_LOG` event, as upstream.
//! - Events waiting upstream leave in one chunk. While a burst lasts (the last chunk left less
//!   than `GATHER` ago), the lines of the next `GATHER` share a chunk, so a burst costs one
//!   write per 32 KiB or per `GATHER`, not per line (a batching viewer, which draws every
//!   100 ms, gets `GATHER_BATCHED`). A line after a quiet spell leaves at once.
//! - When the upstream closes without `END_OF_STREAM`, errors, or stays silent past the
//!   heartbeat period, the relay reconnects itself with backoff, `Last-Event-ID` and the limit
//!   left, and tells the browser (`event: relay`). `END_OF_STREAM` is passed on and ends it.
//! - When the browser goes away, the body is dropped, and the upstream response with it.
//! - Streams are capped per user and in total (429 beyond). They end when their session does
//!   (sign-out, a new sign-in, expiry) on whichever replica that happens: each replica checks
//!   the sessions of its open streams against the shared store every second
//!   (`Streams::watch_sessions`), and tells the browser why in a last `END_OF_STREAM`.

pub(crate) mod registry;
mod sse;
pub(crate) mod stream;

use stream::{Batch, Relay, retryable};

use crate::http::error::JsonError;
use crate::http::signed_in::SignedIn;
use crate::sessions::{self};
use crate::state::AppState;
use app::error::AppError;
use app::logic::access::{AccessFilter, AccessFilterInput};
use app::logic::logs::{LogFilter, clean_field};
use app::model::logs::BATCH_PARAM;
use app::ssr::session::current_user_of;
use app::ssr::upstream::{LogKind, LogSource};
use axum::body::Body;
use axum::extract::{MatchedPath, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use std::convert::Infallible;
use tokio::time::Instant;

/// `GET /stream/orgs/{owner}/apps/{app}/logs` (an application's runtime logs),
/// `…/addons/{realId}/logs` (an add-on's) and `…/apps/{app}/access-logs` (an application's
/// access logs, with the filters the API does not have: `status`, `method`, `path`,
/// `minDuration`): which stream is the route that matched.
pub async fn logs(
    State(state): State<AppState>,
    signed_in: SignedIn,
    route: MatchedPath,
    Path((owner, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, JsonError> {
    let kind = match route.as_str() {
        r if r.ends_with("/access-logs") => LogKind::Access,
        r if r.contains("/addons/") => LogKind::Addon,
        _ => LogKind::App,
    };
    let source = LogSource::parse(kind, &owner, &id)?;
    let pairs = query_pairs(raw.as_deref())?;
    relay(state, signed_in, source, pairs, headers).await
}

/// The access filters of a query (`status`, `method`, `path`, `minDuration`) for an access
/// log stream, checked; `None` for the other streams.
pub(crate) fn access_filter(
    source: &LogSource,
    pairs: &[(String, String)],
) -> Result<Option<AccessFilter>, AppError> {
    match source {
        LogSource::Access { .. } => {
            AccessFilterInput::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .check()
                .map(Some)
                .map_err(AppError::BadRequest)
        }
        _ => Ok(None),
    }
}

/// The `(name, value)` pairs of a URL query, or a clear 400.
pub(crate) fn query_pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, AppError> {
    serde_urlencoded::from_str(raw.unwrap_or_default())
        .map_err(|_| AppError::BadRequest("Invalid query string.".into()))
}

/// A place among the open streams for the request's session (the caps), which ends with it.
pub(crate) async fn slot_for(
    state: &AppState,
    session: &tower_sessions::Session,
) -> Result<registry::Slot, AppError> {
    // The guard in front (`http::session_guard`) judged the session already; this reads the
    // same loaded record.
    let (Some(user), Some(session_id), sessions::SessionState::SignedIn { ends, .. }) = (
        current_user_of(session).await,
        session.id(),
        sessions::state_of(session, &state.lifetimes).await,
    ) else {
        return Err(AppError::Unauthorized);
    };
    state.streams.acquire(&user.id, session_id, ends)
}

/// The relay of one stream.
async fn relay(
    state: AppState,
    SignedIn {
        credentials,
        session,
    }: SignedIn,
    source: LogSource,
    pairs: Vec<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, JsonError> {
    let pairs_ref = || pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let query = LogFilter::from_pairs(pairs_ref())
        .upstream_query()
        .map_err(AppError::BadRequest)?;
    let access = access_filter(&source, &pairs)?;
    // A paused viewer resumes with `lastEventId` (EventSource cannot set the header).
    let resume = pairs
        .iter()
        .find(|(k, _)| k == "lastEventId")
        .map(|(_, v)| clean_field(v).into_owned());
    let batch = pairs.iter().any(|(k, v)| k == BATCH_PARAM && v == "1");
    let slot = slot_for(&state, &session).await?;
    let last_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| clean_field(v).into_owned())
        .or(resume)
        .filter(|v| !v.is_empty());
    let mut relay = Relay {
        upstream: state.upstream.clone(),
        credentials,
        batch: batch.then(|| Batch::new(source.batch_event())),
        source,
        query,
        access,
        last_id,
        received: 0,
        events: None,
        retries: 0,
        done: false,
        first: true,
        last_seen: Instant::now(),
        last_sent: Instant::now(),
        settings: state.streams.settings,
        slot,
    };
    // The first connection is made now, so a refusal (unknown application, expired token)
    // is an HTTP status the page can tell apart from a stream that ended.
    match relay.connect().await {
        Ok(ev) => relay.events = Some(ev),
        Err(e) if retryable(&e) => relay.retries = 1,
        Err(e) => return Err(e.into()),
    }
    let events = futures::stream::unfold(relay, |mut r| async move {
        r.next().await.map(|b| (Ok::<_, Infallible>(b), r))
    });
    let mut resp = Response::new(Body::from_stream(events));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // No proxy buffering on this route (and the compression layer does not wrap it).
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(resp)
}
