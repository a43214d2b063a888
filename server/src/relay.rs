//! `GET /stream/orgs/{owner}/apps/{app}/logs`: the upstream log stream relayed to the browser's
//! `EventSource`, authenticated by the session cookie (EventSource cannot send headers).
//!
//! - Parameters are checked before anything goes upstream; `Last-Event-ID` (or the
//!   `lastEventId` parameter of a viewer resuming after a pause) is forwarded.
//! - Upstream events are parsed by `sseer` (memchr-based, slices the received bytes instead of
//!   copying them); heartbeats stay upstream, and our own keep-alive comments go to the
//!   browser. `id` and `event` are cleaned of CR/LF/NUL.
//! - Events waiting upstream leave in one chunk. While a burst lasts (the last chunk left less
//!   than `GATHER` ago), the lines of the next `GATHER` share a chunk, so a burst costs one
//!   write per 32 KiB or per `GATHER`, not per line. A line after a quiet spell leaves at once.
//! - When the upstream closes without `END_OF_STREAM`, errors, or stays silent past the
//!   heartbeat period, the relay reconnects itself with backoff, `Last-Event-ID` and the limit
//!   left, and tells the browser (`event: relay`). `END_OF_STREAM` is passed on and ends it.
//! - When the browser goes away, the body is dropped, and the upstream response with it.
//! - Streams are capped per session and in total (429 beyond), and end at sign-out.

use crate::AppState;
use crate::security::error_response;
use app::error::AppError;
use app::ids::SegmentId;
use app::logic::logs::{LogFilter, clean_field};
use app::model::logs::event;
use app::query::LogQuery;
use app::ssr::session::token_of;
use app::ssr::{ApiToken, Upstream};
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use bytes::Bytes;
use futures::FutureExt;
use futures::{Stream, StreamExt, TryStreamExt};
use std::collections::HashMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;
use tower_sessions::Session;

/// The browser's reconnection delay, sent as `retry:`.
const BROWSER_RETRY_MS: u64 = 2000;

/// Limits and timings of the relay.
#[derive(Clone, Copy, Debug)]
pub struct RelaySettings {
    /// Streams open at once, all sessions together.
    pub max_total: usize,
    /// Streams open at once by one session.
    pub max_per_session: usize,
    /// Silence after which the upstream counts as dead (its heartbeat comes every 2 s).
    pub silence: Duration,
    /// First reconnection delay; each next one is 1.25 times longer, up to `max_backoff`.
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// Keep-alive comment period towards the browser.
    pub keep_alive: Duration,
}

impl Default for RelaySettings {
    fn default() -> Self {
        Self {
            max_total: 2000,
            max_per_session: 4,
            silence: Duration::from_millis(5000),
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(10),
            keep_alive: Duration::from_secs(5),
        }
    }
}

/// The open streams, per session, and the signal that ends a session's streams.
pub struct Streams {
    settings: RelaySettings,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    total: usize,
    sessions: HashMap<String, (usize, watch::Sender<bool>)>,
}

/// One open stream; dropping it gives its place back.
pub struct Slot {
    streams: Arc<Streams>,
    session: String,
    ended: watch::Receiver<bool>,
}

impl Streams {
    /// An empty registry with these limits.
    pub fn new(settings: RelaySettings) -> Arc<Self> {
        Arc::new(Self {
            settings,
            open: Mutex::new(Open::default()),
        })
    }

    /// A place for one more stream of `session`, or a clear refusal.
    pub fn acquire(self: &Arc<Self>, session: &str) -> Result<Slot, AppError> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if open.total >= self.settings.max_total {
            return Err(AppError::TooManyRequests(
                "Too many log streams are open on this server; try again in a moment.".into(),
            ));
        }
        let entry = open
            .sessions
            .entry(session.to_owned())
            .or_insert_with(|| (0, watch::channel(false).0));
        if entry.0 >= self.settings.max_per_session {
            return Err(AppError::TooManyRequests(format!(
                "At most {} log streams can be open at once; close another log tab first.",
                self.settings.max_per_session
            )));
        }
        entry.0 += 1;
        let ended = entry.1.subscribe();
        open.total += 1;
        Ok(Slot {
            streams: Arc::clone(self),
            session: session.to_owned(),
            ended,
        })
    }

    /// Ends every stream of `session` (at sign-out).
    pub fn end_session(&self, session: &str) {
        let open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, tx)) = open.sessions.get(session) {
            let _ = tx.send(true);
        }
    }

    /// How many streams are open.
    pub fn open_count(&self) -> usize {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).total
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.streams.open.lock().unwrap_or_else(|p| p.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(entry) = open.sessions.get_mut(&self.session) {
            entry.0 = entry.0.saturating_sub(1);
            if entry.0 == 0 {
                open.sessions.remove(&self.session);
            }
        }
    }
}

type Upstream_ = Pin<
    Box<
        dyn Stream<
                Item = Result<sseer::event::Event, sseer::errors::EventStreamError<reqwest::Error>>,
            > + Send,
    >,
>;

/// The relay of one stream: where it reads, how far it got.
struct Relay {
    upstream: Upstream,
    token: ApiToken,
    owner: SegmentId,
    app: SegmentId,
    query: LogQuery,
    last_id: Option<String>,
    received: u64,
    events: Option<Upstream_>,
    retries: u32,
    done: bool,
    first: bool,
    /// When the upstream last sent anything (heartbeats included).
    last_seen: Instant,
    /// When the browser was last sent anything.
    last_sent: Instant,
    settings: RelaySettings,
    slot: Slot,
}

fn retryable(e: &AppError) -> bool {
    e.is_retryable() || matches!(e, AppError::Upstream { status: 408, .. })
}

/// Writes one event in the SSE format. `name` and `id` are clean already; `data` is split
/// into `data:` lines (a CR, which the upstream's parser would have taken as a line end
/// anyway, is dropped).
fn write_event(out: &mut String, name: &str, id: &str, data: &str, retry: Option<u64>) {
    if let Some(ms) = retry {
        out.push_str("retry: ");
        out.push_str(&ms.to_string());
        out.push('\n');
    }
    out.push_str("event: ");
    out.push_str(name);
    out.push('\n');
    if !id.is_empty() {
        out.push_str("id: ");
        out.push_str(id);
        out.push('\n');
    }
    for line in data.split('\n') {
        out.push_str("data: ");
        if line.contains('\r') {
            out.push_str(&line.replace('\r', ""));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out.push('\n');
}

/// A `relay` event telling the browser the relay's state.
fn write_status(out: &mut String, state: &str, detail: serde_json::Value) {
    let mut data = serde_json::json!({ "state": state });
    if let (Some(obj), serde_json::Value::Object(more)) = (data.as_object_mut(), detail) {
        obj.extend(more);
    }
    write_event(out, "relay", "", &data.to_string(), None);
}

/// Most bytes put in one chunk when several events are waiting.
const BATCH_BYTES: usize = 32 * 1024;

/// During a burst, at most one chunk per this period (unless chunks are full): the most a line
/// waits here. The viewer draws lines every 100 ms.
const GATHER: Duration = Duration::from_millis(2);

/// What taking one upstream event did.
enum Took {
    Wrote,
    Skipped,
    Ended,
}

impl Relay {
    async fn connect(&mut self) -> Result<Upstream_, AppError> {
        let mut q = self.query.clone();
        if let Some(limit) = q.limit {
            q.limit = Some(limit.saturating_sub(self.received).max(1));
        }
        let resp = self
            .upstream
            .with_token(&self.token)
            .log_stream(&self.owner, &self.app, &q, self.last_id.as_deref())
            .await?;
        // The parser slices events out of the chunks it is given, and a slice of the HTTP
        // client's read buffer keeps that whole buffer alive between reads (about 6 KiB per
        // idle stream, measured). The chunks are an event each, so copying them is cheap.
        let chunks = resp
            .bytes_stream()
            .map_ok(|chunk| Bytes::copy_from_slice(&chunk));
        Ok(Box::pin(sseer::EventStream::new(chunks)))
    }

    fn backoff(&self) -> Duration {
        let factor = 1.25_f64.powi(self.retries.saturating_sub(1).min(40) as i32);
        self.settings
            .first_backoff
            .mul_f64(factor)
            .min(self.settings.max_backoff)
    }

    fn lost(&mut self, out: &mut String, reason: &str) {
        self.events = None;
        self.retries += 1;
        tracing::info!(
            reason,
            attempt = self.retries,
            "log stream: reconnecting upstream"
        );
        write_status(
            out,
            "reconnecting",
            serde_json::json!({ "attempt": self.retries, "reason": reason }),
        );
    }

    fn signed_out(&mut self) -> Bytes {
        self.done = true;
        let mut out = String::new();
        write_event(
            &mut out,
            event::END_OF_STREAM,
            "",
            r#"{"endedBy":"SIGNED_OUT"}"#,
            None,
        );
        Bytes::from(out)
    }

    /// Writes one upstream event for the browser (heartbeats stay here).
    fn take(&mut self, ev: sseer::event::Event, out: &mut String) -> Took {
        match &*ev.event {
            event::HEARTBEAT => Took::Skipped,
            event::END_OF_STREAM => {
                self.done = true;
                write_event(out, event::END_OF_STREAM, "", &ev.data, None);
                Took::Ended
            }
            name => {
                let id = clean_field(&ev.id);
                let retry = std::mem::take(&mut self.first).then_some(BROWSER_RETRY_MS);
                write_event(out, &clean_field(name), &id, &ev.data, retry);
                if !id.is_empty() {
                    self.last_id = Some(id.into_owned());
                }
                self.received += 1;
                Took::Wrote
            }
        }
    }

    /// The next chunk for the browser: every event ready upstream (up to `BATCH_BYTES`), a
    /// state change, or a keep-alive comment; `None` when the stream is over.
    async fn next(&mut self) -> Option<Bytes> {
        let mut out = String::new();
        loop {
            if self.done {
                return (!out.is_empty()).then(|| Bytes::from(out));
            }
            if *self.slot.ended.borrow() {
                return Some(self.signed_out());
            }
            let Some(events) = self.events.as_mut() else {
                if self.retries > 0 {
                    let delay = self.backoff();
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = self.slot.ended.changed() => return Some(self.signed_out()),
                    }
                }
                if self.query.limit.is_some_and(|l| self.received >= l) {
                    self.done = true;
                    write_event(
                        &mut out,
                        event::END_OF_STREAM,
                        "",
                        r#"{"endedBy":"LIMIT_REACHED"}"#,
                        None,
                    );
                    return Some(Bytes::from(out));
                }
                match self.connect().await {
                    Ok(ev) => {
                        self.events = Some(ev);
                        self.retries = 0;
                        self.last_seen = Instant::now();
                        write_status(&mut out, "live", serde_json::json!({}));
                    }
                    Err(e) if retryable(&e) => self.lost(&mut out, &e.to_string()),
                    Err(e) => {
                        self.done = true;
                        write_status(
                            &mut out,
                            "error",
                            serde_json::json!({ "status": e.status(), "message": e.to_string() }),
                        );
                    }
                }
                return Some(Bytes::from(out));
            };
            // One timer per wait: the upstream's silence or our keep-alive, whichever is first.
            let silent_at = self.last_seen + self.settings.silence;
            let quiet_at = self.last_sent + self.settings.keep_alive;
            let got = tokio::select! {
                biased;
                got = events.next() => got,
                _ = self.slot.ended.changed() => return Some(self.signed_out()),
                _ = tokio::time::sleep_until(silent_at.min(quiet_at)) => {
                    if Instant::now() >= silent_at {
                        self.lost(&mut out, "the upstream went silent");
                        return Some(Bytes::from(out));
                    }
                    self.last_sent = Instant::now();
                    return Some(Bytes::from_static(b":keep-alive\n\n"));
                }
            };
            self.last_seen = Instant::now();
            // In a burst (the last chunk left moments ago), the lines of the next `GATHER`
            // share a chunk; a line after a quiet spell leaves with what is waiting now.
            let gather_until =
                (self.last_seen < self.last_sent + GATHER).then_some(self.last_seen + GATHER);
            let mut next = Some(got);
            while let Some(got) = next.take() {
                match got {
                    None => {
                        self.lost(
                            &mut out,
                            "the upstream closed the stream without END_OF_STREAM",
                        );
                        break;
                    }
                    Some(Err(e)) => {
                        let reason = match e {
                            sseer::errors::EventStreamError::Transport(_) => {
                                "the upstream connection failed"
                            }
                            _ => "the upstream sent a malformed stream",
                        };
                        self.lost(&mut out, reason);
                        break;
                    }
                    Some(Ok(ev)) => {
                        if let Took::Ended = self.take(ev, &mut out) {
                            break;
                        }
                    }
                }
                if out.len() >= BATCH_BYTES {
                    break;
                }
                let Some(events) = self.events.as_mut() else {
                    break;
                };
                next = match (events.next().now_or_never(), gather_until) {
                    (Some(got), _) => Some(got),
                    (None, None) => None,
                    (None, Some(until)) => tokio::select! {
                        biased;
                        got = events.next() => Some(got),
                        _ = tokio::time::sleep_until(until) => None,
                    },
                };
            }
            if !out.is_empty() {
                self.last_sent = self.last_seen;
                return Some(Bytes::from(out));
            }
        }
    }
}

/// The relay route.
pub async fn app_logs(
    State(state): State<AppState>,
    session: Session,
    Path((owner, app)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let checked = (|| {
        let owner = SegmentId::parse("owner id", &owner)?;
        let app = SegmentId::parse("application id", &app)?;
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(raw.as_deref().unwrap_or_default())
                .map_err(|_| AppError::BadRequest("Invalid query string.".into()))?;
        let query = LogFilter::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .to_query()
            .map_err(AppError::BadRequest)?;
        // A paused viewer resumes with `lastEventId` (EventSource cannot set the header).
        let resume = pairs
            .iter()
            .find(|(k, _)| k == "lastEventId")
            .map(|(_, v)| clean_field(v).into_owned());
        Ok::<_, AppError>((owner, app, query, resume))
    })();
    let (owner, app, query, resume) = match checked {
        Ok(v) => v,
        Err(e) => return error_response(&e),
    };
    let Some(token) = token_of(&session).await else {
        return error_response(&AppError::Unauthorized);
    };
    let Some(session_id) = session.id().map(|id| id.to_string()) else {
        return error_response(&AppError::Unauthorized);
    };
    let slot = match state.streams.acquire(&session_id) {
        Ok(s) => s,
        Err(e) => return error_response(&e),
    };
    let last_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| clean_field(v).into_owned())
        .or(resume)
        .filter(|v| !v.is_empty());
    let mut relay = Relay {
        upstream: state.upstream.clone(),
        token,
        owner,
        app,
        query,
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
        Err(e) => return error_response(&e),
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
    // No proxy buffering on this route (and no compression layer anywhere).
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_written_in_the_sse_format() {
        let mut out = String::new();
        write_event(
            &mut out,
            "APPLICATION_LOG",
            "41",
            "{\"a\":1}\nsecond\r",
            Some(2000),
        );
        assert_eq!(
            out,
            "retry: 2000\nevent: APPLICATION_LOG\nid: 41\ndata: {\"a\":1}\ndata: second\n\n"
        );
        let mut out = String::new();
        write_status(
            &mut out,
            "reconnecting",
            serde_json::json!({ "attempt": 2 }),
        );
        assert_eq!(
            out,
            "event: relay\ndata: {\"attempt\":2,\"state\":\"reconnecting\"}\n\n"
        );
    }
}
