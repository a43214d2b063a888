//! One relayed stream's state machine: reading the upstream, batching lines, reconnecting with
//! backoff and `Last-Event-ID`, telling the browser the relay's state, ending.

use crate::relay::registry::{RelaySettings, Slot};
use crate::relay::sse::{write_event, write_status};
use app::error::AppError;
use app::logic::access::AccessFilter;
use app::logic::logs::clean_field;
use app::model::logs::{EndOfStream, EndedBy, RelayState, event};
use app::query::LogQuery;
use app::ssr::upstream::LogSource;
use app::ssr::{Credentials, Upstream};
use bytes::Bytes;
use futures::FutureExt;
use futures::StreamExt;
use std::time::Duration;
use tokio::time::Instant;

/// The browser's reconnection delay, sent as `retry:`.
const BROWSER_RETRY_MS: u64 = 2000;

pub(crate) use app::ssr::upstream::LogEvents as UpstreamEvents;

/// The relay of one stream: where it reads, how far it got.
pub(super) struct Relay {
    pub(super) upstream: Upstream,
    pub(super) credentials: Credentials,
    pub(super) source: LogSource,
    pub(super) query: LogQuery,
    /// Access log filters the API does not have, applied here (access logs only).
    pub(super) access: Option<AccessFilter>,
    pub(super) last_id: Option<String>,
    pub(super) received: u64,
    pub(super) events: Option<UpstreamEvents>,
    pub(super) retries: u32,
    pub(super) done: bool,
    pub(super) first: bool,
    /// When the upstream last sent anything (heartbeats included).
    pub(super) last_seen: Instant,
    /// When the browser was last sent anything.
    pub(super) last_sent: Instant,
    pub(super) settings: RelaySettings,
    pub(super) slot: Slot,
    /// Whether log lines leave in batches (`Some`), and the batch being gathered. It is empty
    /// whenever `next` returns.
    pub(super) batch: Option<Batch>,
}

/// Log lines gathered for one batch event (`APPLICATION_LOGS`, `ACCESS_LOGS`).
pub(super) struct Batch {
    /// The batch's event name.
    event: &'static str,
    /// One line per log line (newlines inside a line, whitespace in its JSON, become spaces).
    data: String,
    /// The last id seen in the batch.
    id: String,
    retry: Option<u64>,
}

impl Batch {
    pub(super) fn new(event: &'static str) -> Self {
        Self {
            event,
            data: String::new(),
            id: String::new(),
            retry: None,
        }
    }

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
            write_event(out, self.event, &self.id, &self.data, self.retry.take());
            self.data.clear();
            self.id.clear();
        }
    }
}

pub(crate) fn retryable(e: &AppError) -> bool {
    e.is_retryable() || matches!(e, AppError::Upstream { status: 408, .. })
}

/// A factor drawn between 0.5 and 1 (not for cryptography: the standard library's randomly
/// keyed hasher, fresh keys on each call, is random enough to spread reconnections).
pub(crate) fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let draw = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    0.5 + (draw >> 11) as f64 / (1u64 << 53) as f64 / 2.0
}

/// Most bytes put in one chunk when several events are waiting.
const BATCH_BYTES: usize = 32 * 1024;

/// During a burst, at most one chunk per this period (unless chunks are full): the most a line
/// waits here. The viewer draws lines every 100 ms.
const GATHER: Duration = Duration::from_millis(2);

/// The same for a batching viewer, which draws every 100 ms: a longer period makes fewer,
/// larger events for it to take in.
const GATHER_BATCHED: Duration = Duration::from_millis(10);

/// What taking one upstream event did.
enum Took {
    Wrote,
    Skipped,
    Ended,
}

impl Relay {
    pub(super) async fn connect(&mut self) -> Result<UpstreamEvents, AppError> {
        let mut q = self.query.clone();
        if let Some(limit) = q.limit {
            q.limit = Some(limit.saturating_sub(self.received).max(1));
        }
        self.upstream
            .with(&self.credentials)
            .log_events(&self.source, &q, self.last_id.as_deref())
            .await
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

    /// Moves the resume cursor to `id` (an event without one leaves it), reusing its buffer.
    fn set_last_id(&mut self, id: &str) {
        if id.is_empty() {
            return;
        }
        match self.last_id.as_mut() {
            Some(last) => {
                last.clear();
                last.push_str(id);
            }
            None => self.last_id = Some(id.to_owned()),
        }
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
                let line_event = self.source.line_event();
                // A line the access filters leave out moves the cursor on, unseen.
                let left_out = name == line_event
                    && self
                        .access
                        .as_ref()
                        .is_some_and(|f| !f.matches_data(&ev.data));
                if left_out {
                    self.set_last_id(&id);
                    self.received += 1;
                    return Took::Skipped;
                }
                let retry = std::mem::take(&mut self.first).then_some(BROWSER_RETRY_MS);
                match self.batch.as_mut() {
                    Some(batch) if name == line_event => {
                        batch.push(&ev.data, &id, retry);
                    }
                    _ => {
                        self.write_batch(out);
                        write_event(out, &clean_field(name), &id, &ev.data, retry);
                    }
                }
                self.set_last_id(&id);
                self.received += 1;
                Took::Wrote
            }
        }
    }

    /// The next chunk for the browser: every event ready upstream (up to `BATCH_BYTES`), a
    /// state change, or a keep-alive comment; `None` when the stream is over.
    pub(super) async fn next(&mut self) -> Option<Bytes> {
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
                    let end = EndOfStream {
                        ended_by: EndedBy::LimitReached,
                    };
                    let data = serde_json::to_string(&end).unwrap_or_default();
                    write_event(&mut out, event::END_OF_STREAM, "", &data, None);
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
            let gather = if self.batch.is_some() {
                GATHER_BATCHED
            } else {
                GATHER
            };
            let gather_until =
                (self.last_seen < self.last_sent + gather).then_some(self.last_seen + gather);
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
                // Gathering more: room for a full chunk at once, not grown line by line
                // (once a line is in: a heartbeat alone reserves nothing, so streams that
                // open together and wait hold no chunk buffers).
                if out.len() + gathered > 0 && out.capacity() < BATCH_BYTES {
                    out.reserve(BATCH_BYTES + 1024 - out.len());
                }
                next = match (events.next().now_or_never(), gather_until) {
                    (Some(got), _) => Some(got),
                    // In a burst, the lines of the rest of the period are taken in one go
                    // when it ends, not each as it arrives: one wake-up instead of one per
                    // upstream write (the socket holds them meanwhile).
                    (None, Some(until)) if Instant::now() < until => {
                        tokio::time::sleep_until(until).await;
                        events.next().now_or_never()
                    }
                    (None, _) => None,
                };
            }
            self.write_batch(&mut out);
            if !out.is_empty() {
                self.last_sent = self.last_seen;
                return Some(Bytes::from(out));
            }
            // Only heartbeats or filtered lines: nothing is held while waiting again.
            out = String::new();
        }
    }
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
}
