//! `GET /stream/orgs/{owner}/apps/{app}/logs`: the upstream log stream relayed to the browser's
//! `EventSource`, authenticated by the session cookie (EventSource cannot send headers).
//!
//! - Parameters are checked before anything goes upstream; `Last-Event-ID` (or the
//!   `lastEventId` parameter of a viewer resuming after a pause) is forwarded.
//! - Upstream events are parsed by `sseer` (memchr-based, slices the received bytes instead of
//!   copying them); heartbeats stay upstream, and our own keep-alive comments go to the
//!   browser. `id` and `event` are cleaned of CR/LF/NUL.
//! - With `batch=1` (the viewer asks it), the application log lines of one chunk leave as one
//!   `APPLICATION_LOGS` event, a `data:` line each, with the last line's id: a browser then
//!   dispatches one event per chunk instead of one per line (10,000 lines: tens of events).
//!   Without it, each line is its own `APPLICATION_LOG` event, as upstream.
//! - Events waiting upstream leave in one chunk. While a burst lasts (the last chunk left less
//!   than `GATHER` ago), the lines of the next `GATHER` share a chunk, so a burst costs one
//!   write per 32 KiB or per `GATHER`, not per line. A line after a quiet spell leaves at once.
//! - When the upstream closes without `END_OF_STREAM`, errors, or stays silent past the
//!   heartbeat period, the relay reconnects itself with backoff, `Last-Event-ID` and the limit
//!   left, and tells the browser (`event: relay`). `END_OF_STREAM` is passed on and ends it.
//! - When the browser goes away, the body is dropped, and the upstream response with it.
//! - Streams are capped per user and in total (429 beyond). They end when their session does
//!   (sign-out, a new sign-in, expiry) on whichever replica that happens: each replica checks
//!   the sessions of its open streams against the shared store every second
//!   (`Streams::watch_sessions`), and tells the browser why in a last `END_OF_STREAM`.

use crate::AppState;
use crate::security::error_response;
use crate::sessions::{self, Lifetimes, Store, judge_record, now_ms};
use app::error::AppError;
use app::ids::SegmentId;
use app::logic::logs::{LogFilter, clean_field};
use app::model::logs::{
    BATCH_EVENT, BATCH_PARAM, EndOfStream, EndedBy, RELAY_EVENT, RelayState, event,
};
use app::query::LogQuery;
use app::ssr::session::{credentials_of, current_user_of};
use app::ssr::{Credentials, Upstream};
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
use tower_sessions::session::Id;
use tower_sessions::{Session, SessionStore};

/// The browser's reconnection delay, sent as `retry:`.
const BROWSER_RETRY_MS: u64 = 2000;

/// Limits and timings of the relay.
#[derive(Clone, Copy, Debug)]
pub struct RelaySettings {
    /// Streams open at once, all sessions together.
    pub max_total: usize,
    /// Streams open at once by one user (the Clever Cloud user id), all sessions together.
    pub max_per_user: usize,
    /// Silence after which the upstream counts as dead (its heartbeat comes every 2 s).
    pub silence: Duration,
    /// First reconnection delay; each next one is 1.25 times longer, up to `max_backoff`,
    /// each drawn at random between half and all of it (so replicas that lost the upstream
    /// together do not come back together).
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// Reconnections tried in a row before the relay gives up and says so.
    pub max_retries: u32,
    /// Keep-alive comment period towards the browser.
    pub keep_alive: Duration,
}

impl Default for RelaySettings {
    fn default() -> Self {
        Self {
            max_total: 2000,
            max_per_user: 4,
            silence: Duration::from_millis(5000),
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(10),
            max_retries: 30,
            keep_alive: Duration::from_secs(5),
        }
    }
}

/// The open streams: counted per user (the cap) and per session (the signal that ends them).
pub struct Streams {
    settings: RelaySettings,
    open: Mutex<Open>,
    /// Set once, when this replica shuts down: every stream says "restarting" and closes.
    restart: watch::Sender<bool>,
}

#[derive(Default)]
struct Open {
    total: usize,
    users: HashMap<String, usize>,
    sessions: HashMap<Id, Watched>,
}

/// A session with open streams on this replica.
struct Watched {
    streams: usize,
    /// Set once, to why the session's streams end.
    end: watch::Sender<Option<EndedBy>>,
    /// When the session ends, as last read from the store (unix ms): what a stream goes by
    /// while the store does not answer.
    ends: i64,
}

/// One open stream; dropping it gives its place back.
pub struct Slot {
    streams: Arc<Streams>,
    user: String,
    session: Id,
    ended: watch::Receiver<Option<EndedBy>>,
    restart: watch::Receiver<bool>,
}

impl Slot {
    /// Resolves when the stream must stop: its session ended, or the server is restarting.
    async fn stopped(&mut self) {
        tokio::select! {
            _ = self.ended.changed() => {}
            _ = self.restart.changed() => {}
        }
    }
}

impl Streams {
    /// An empty registry with these limits.
    pub fn new(settings: RelaySettings) -> Arc<Self> {
        Arc::new(Self {
            settings,
            open: Mutex::new(Open::default()),
            restart: watch::channel(false).0,
        })
    }

    fn open(&self) -> std::sync::MutexGuard<'_, Open> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A place for one more stream of `user` in `session` (which ends at `ends`, unix ms),
    /// or a clear refusal.
    pub fn acquire(self: &Arc<Self>, user: &str, session: Id, ends: i64) -> Result<Slot, AppError> {
        if *self.restart.borrow() {
            return Err(AppError::Restarting);
        }
        let mut open = self.open();
        if open.total >= self.settings.max_total {
            return Err(AppError::TooManyRequests(
                "Too many log streams are open on this server; try again in a moment.".into(),
            ));
        }
        let per_user = open.users.get(user).copied().unwrap_or(0);
        if per_user >= self.settings.max_per_user {
            return Err(AppError::TooManyRequests(format!(
                "At most {} log streams can be open at once; close another log tab first.",
                self.settings.max_per_user
            )));
        }
        open.users.insert(user.to_owned(), per_user + 1);
        open.total += 1;
        let watched = open.sessions.entry(session).or_insert_with(|| Watched {
            streams: 0,
            end: watch::channel(None).0,
            ends,
        });
        watched.streams += 1;
        watched.ends = ends;
        let ended = watched.end.subscribe();
        metrics::gauge!("dashboard_log_streams_open").set(open.total as f64);
        Ok(Slot {
            streams: Arc::clone(self),
            user: user.to_owned(),
            session,
            ended,
            restart: self.restart.subscribe(),
        })
    }

    /// Ends every stream of `session` on this replica, telling the browser why.
    pub fn end_session(&self, session: &Id, why: EndedBy) {
        if let Some(w) = self.open().sessions.get(session) {
            w.end
                .send_if_modified(|end| end.is_none().then(|| *end = Some(why)).is_some());
        }
    }

    /// At shutdown: every open stream tells the browser "restarting" and closes (its
    /// `EventSource` reconnects, to another replica where there is one, and resumes from its
    /// last id); new streams are refused with a 503.
    pub fn restart_all(&self) {
        self.restart.send_replace(true);
    }

    /// How many streams are open.
    pub fn open_count(&self) -> usize {
        self.open().total
    }

    /// Checks every session with open streams against the store, once per `every`, and ends
    /// the streams of those signed out, replaced or expired, on this replica. Other replicas
    /// do the same, so a sign-out anywhere ends the streams everywhere within `every` plus
    /// one store read. While the store does not answer, streams go on until their session's
    /// last known end. Stops when the registry is dropped.
    pub fn watch_sessions(self: &Arc<Self>, store: Store, lifetimes: Lifetimes, every: Duration) {
        let streams = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(streams) = streams.upgrade() else {
                    return;
                };
                let watched: Vec<(Id, i64)> = streams
                    .open()
                    .sessions
                    .iter()
                    .map(|(id, w)| (*id, w.ends))
                    .collect();
                let checks = watched.into_iter().map(|(id, ends)| {
                    let store = store.clone();
                    async move {
                        let now = now_ms();
                        let verdict = match store.load(&id).await {
                            Ok(Some(record)) => judge_record(&record.data, &lifetimes, now),
                            Ok(None) if now >= ends => Err(EndedBy::SessionExpired),
                            Ok(None) => Err(EndedBy::SignedOut),
                            Err(_) if now >= ends => Err(EndedBy::SessionExpired),
                            Err(_) => Ok(ends),
                        };
                        (id, verdict)
                    }
                });
                for (id, verdict) in futures::stream::iter(checks)
                    .buffer_unordered(64)
                    .collect::<Vec<_>>()
                    .await
                {
                    match verdict {
                        Ok(ends) => {
                            if let Some(w) = streams.open().sessions.get_mut(&id) {
                                w.ends = ends;
                            }
                        }
                        Err(why) => {
                            tracing::info!(reason = %why, "log streams of a session ended");
                            streams.end_session(&id, why);
                        }
                    }
                }
            }
        });
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.streams.open();
        open.total = open.total.saturating_sub(1);
        metrics::gauge!("dashboard_log_streams_open").set(open.total as f64);
        if let Some(n) = open.users.get_mut(&self.user) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.users.remove(&self.user);
            }
        }
        if let Some(w) = open.sessions.get_mut(&self.session) {
            w.streams = w.streams.saturating_sub(1);
            if w.streams == 0 {
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
    credentials: Credentials,
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
    /// Whether application log lines leave in batches (`Some`), and the batch being gathered.
    /// It is empty whenever `next` returns.
    batch: Option<Batch>,
}

/// Application log lines gathered for one `APPLICATION_LOGS` event.
#[derive(Default)]
struct Batch {
    /// One line per log line (newlines inside a line, whitespace in its JSON, become spaces).
    data: String,
    /// The last id seen in the batch.
    id: String,
    retry: Option<u64>,
}

impl Batch {
    fn push(&mut self, data: &str, id: &str, retry: Option<u64>) {
        if !self.data.is_empty() {
            self.data.push('\n');
        }
        if data.contains(['\n', '\r']) {
            self.data.push_str(&data.replace(['\n', '\r'], " "));
        } else {
            self.data.push_str(data);
        }
        if !id.is_empty() {
            self.id.clear();
            self.id.push_str(id);
        }
        self.retry = self.retry.or(retry);
    }

    /// Writes the gathered lines as one event, if any.
    fn write(&mut self, out: &mut String) {
        if !self.data.is_empty() {
            write_event(out, BATCH_EVENT, &self.id, &self.data, self.retry.take());
            self.data.clear();
            self.id.clear();
        }
    }
}

fn retryable(e: &AppError) -> bool {
    e.is_retryable() || matches!(e, AppError::Upstream { status: 408, .. })
}

/// A factor drawn between 0.5 and 1 (not for cryptography: the standard library's randomly
/// keyed hasher, fresh keys on each call, is random enough to spread reconnections).
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let draw = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    0.5 + (draw >> 11) as f64 / (1u64 << 53) as f64 / 2.0
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
fn write_status(out: &mut String, state: &RelayState) {
    let data = serde_json::to_string(state).unwrap_or_default();
    write_event(out, RELAY_EVENT, "", &data, None);
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
            .with(&self.credentials)
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
            .mul_f64(jitter())
    }

    /// Writes the batch being gathered (before any other event, so the order holds).
    fn write_batch(&mut self, out: &mut String) {
        if let Some(batch) = self.batch.as_mut() {
            batch.write(out);
        }
    }

    fn lost(&mut self, out: &mut String, reason: &str) {
        self.write_batch(out);
        self.events = None;
        self.retries += 1;
        if self.retries > self.settings.max_retries {
            self.done = true;
            tracing::warn!(
                reason,
                tries = self.settings.max_retries,
                "log stream: gave up"
            );
            let message = format!(
                "The log stream was lost ({reason}) and could not be reconnected after {} tries.",
                self.settings.max_retries
            );
            write_status(
                out,
                &RelayState::Error {
                    status: 502,
                    message,
                },
            );
            return;
        }
        tracing::info!(
            reason,
            attempt = self.retries,
            "log stream: reconnecting upstream"
        );
        write_status(
            out,
            &RelayState::Reconnecting {
                attempt: self.retries,
                reason: reason.to_owned(),
            },
        );
    }

    /// The last event of a stream on a replica that shuts down.
    fn restarting(&mut self) -> Bytes {
        self.done = true;
        let mut out = String::new();
        write_status(&mut out, &RelayState::Restarting);
        Bytes::from(out)
    }

    /// The last event of a stream whose session ended.
    fn session_ended(&mut self) -> Bytes {
        self.done = true;
        let why = self
            .slot
            .ended
            .borrow()
            .clone()
            .unwrap_or(EndedBy::SignedOut);
        let data = serde_json::to_string(&EndOfStream { ended_by: why }).unwrap_or_default();
        let mut out = String::new();
        write_event(&mut out, event::END_OF_STREAM, "", &data, None);
        Bytes::from(out)
    }

    /// Writes one upstream event for the browser (heartbeats stay here).
    fn take(&mut self, ev: sseer::event::Event, out: &mut String) -> Took {
        match &*ev.event {
            event::HEARTBEAT => Took::Skipped,
            event::END_OF_STREAM => {
                self.done = true;
                self.write_batch(out);
                write_event(out, event::END_OF_STREAM, "", &ev.data, None);
                Took::Ended
            }
            name => {
                let id = clean_field(&ev.id);
                let retry = std::mem::take(&mut self.first).then_some(BROWSER_RETRY_MS);
                match self.batch.as_mut() {
                    Some(batch) if name == event::APPLICATION_LOG => {
                        batch.push(&ev.data, &id, retry);
                    }
                    _ => {
                        self.write_batch(out);
                        write_event(out, &clean_field(name), &id, &ev.data, retry);
                    }
                }
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
            if *self.slot.restart.borrow() {
                return Some(self.restarting());
            }
            if self.slot.ended.borrow().is_some() {
                return Some(self.session_ended());
            }
            let Some(events) = self.events.as_mut() else {
                if self.retries > 0 {
                    let delay = self.backoff();
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        () = self.slot.stopped() => continue,
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
                        write_status(&mut out, &RelayState::Live);
                    }
                    Err(e) if retryable(&e) => self.lost(&mut out, &e.to_string()),
                    Err(e) => {
                        self.done = true;
                        write_status(
                            &mut out,
                            &RelayState::Error {
                                status: e.status(),
                                message: e.to_string(),
                            },
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
                () = self.slot.stopped() => continue,
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
                let gathered = self.batch.as_ref().map_or(0, |b| b.data.len());
                if out.len() + gathered >= BATCH_BYTES {
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
            self.write_batch(&mut out);
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
            .upstream_query()
            .map_err(AppError::BadRequest)?;
        // A paused viewer resumes with `lastEventId` (EventSource cannot set the header).
        let resume = pairs
            .iter()
            .find(|(k, _)| k == "lastEventId")
            .map(|(_, v)| clean_field(v).into_owned());
        let batch = pairs.iter().any(|(k, v)| k == BATCH_PARAM && v == "1");
        Ok::<_, AppError>((owner, app, query, resume, batch))
    })();
    let (owner, app, query, resume, batch) = match checked {
        Ok(v) => v,
        Err(e) => return error_response(&e),
    };
    // The guard in front (`security::require_session`) judged the session already; this
    // reads the same loaded record.
    let (Some(credentials), Some(user), Some(session_id), sessions::State::SignedIn { ends, .. }) = (
        credentials_of(&session).await,
        current_user_of(&session).await,
        session.id(),
        sessions::state(&session, &state.lifetimes).await,
    ) else {
        return error_response(&AppError::Unauthorized);
    };
    let slot = match state.streams.acquire(&user.id, session_id, ends) {
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
        credentials,
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
        batch: batch.then(Batch::default),
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
    // No proxy buffering on this route (and the compression layer does not wrap it).
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnection_delays_are_spread_between_half_and_all() {
        let draws: Vec<f64> = (0..200).map(|_| jitter()).collect();
        assert!(draws.iter().all(|j| (0.5..=1.0).contains(j)));
        let distinct = draws
            .iter()
            .map(|j| (j * 1000.0) as u32)
            .collect::<std::collections::HashSet<_>>();
        assert!(distinct.len() > 100, "{} distinct", distinct.len());
    }

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
            &RelayState::Reconnecting {
                attempt: 2,
                reason: "r".into(),
            },
        );
        assert_eq!(
            out,
            "event: relay\ndata: {\"state\":\"reconnecting\",\"attempt\":2,\"reason\":\"r\"}\n\n"
        );
    }
}
