//! `GET /download/orgs/{owner}/apps/{app}/logs.{txt,ndjson}`,
//! `…/apps/{app}/access-logs.{log,ndjson}` and `…/addons/{realId}/logs.{txt,ndjson}`: what a
//! range of a log stream holds, as a file.
//!
//! - Read from the upstream stream and written as it comes, a chunk at a time (never the whole
//!   range in memory): runtime lines as text (`date instance service message`) or NDJSON
//!   (each event's `data` unchanged, one per line, in upstream order); access lines in
//!   Combined Log Format (`logic::access::clf`, lines without `http` left out) or NDJSON.
//! - The same parameters as the viewers (`since` required, `until` defaulting to now), the
//!   access filters applied here, and a line cap (`limit`, at most 1,000,000).
//! - An upstream that drops the stream is read again from the last line (`Last-Event-ID`),
//!   so nothing is lost or repeated. The file ends only when the range is exhausted
//!   (`END_OF_STREAM`) or the cap reached; when the upstream cannot be read again, or the
//!   session ends, the transfer is cut, and the browser says the download failed instead of
//!   keeping a file that looks whole.
//! - Counted among the user's open streams (the same caps as the relay).

use crate::downloads::attachment::{DownloadError, attachment};
use crate::http::signed_in::SignedIn;
use crate::relay::registry::Slot;
use crate::relay::slot_for;
use crate::relay::stream::{UpstreamEvents, jitter, retryable};
use crate::state::AppState;
use app::error::AppError;
use app::logic::access::{AccessFilter, clf};
use app::logic::logs::{LogFilter, MAX_LIMIT, plain_text};
use app::model::access::AccessLine;
use app::model::logs::{LogLine, event};
use app::query::LogQuery;
use app::ssr::upstream::{LogKind, LogSource};
use app::ssr::{Credentials, Upstream};
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use bytes::Bytes;
use futures::{FutureExt, StreamExt};
use std::time::Duration;

/// Bytes gathered into one chunk when lines are waiting.
const CHUNK_BYTES: usize = 64 * 1024;
/// Reconnections tried in a row before the download is cut.
const MAX_RETRIES: u32 = 8;

/// How lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// Runtime lines as text.
    Text,
    /// Each event's data, one per line.
    Ndjson,
    /// Access lines in Combined Log Format.
    Combined,
}

/// `GET /download/orgs/{owner}/apps/{app}/{file}`.
pub async fn app_file(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((owner, app, file)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, DownloadError> {
    let kind = match file.as_str() {
        "logs.txt" | "logs.ndjson" => LogKind::App,
        "access-logs.log" | "access-logs.ndjson" => LogKind::Access,
        _ => return Err(AppError::not_found("such a download").into()),
    };
    let source = LogSource::parse(kind, &owner, &app)?;
    download(state, signed_in, source, file_format(&file), &file, raw).await
}

/// `GET /download/orgs/{owner}/addons/{realId}/{file}`.
pub async fn addon_file(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((owner, real_id, file)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, DownloadError> {
    if !matches!(file.as_str(), "logs.txt" | "logs.ndjson") {
        return Err(AppError::not_found("such a download").into());
    }
    let source = LogSource::parse(LogKind::Addon, &owner, &real_id)?;
    download(state, signed_in, source, file_format(&file), &file, raw).await
}

fn file_format(file: &str) -> Format {
    if file.ends_with(".ndjson") {
        Format::Ndjson
    } else if file.ends_with(".log") {
        Format::Combined
    } else {
        Format::Text
    }
}

/// The upstream query of a download: the viewer's parameters, `since` required, `until`
/// defaulting to now, read as fast as the API allows.
fn download_query(pairs: &[(String, String)]) -> Result<(LogQuery, u64), AppError> {
    let pairs = || pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let mut f = LogFilter::from_pairs(pairs());
    if f.since.as_deref().is_none_or(|s| s.trim().is_empty()) {
        return Err(AppError::BadRequest(
            "A download needs a since date (the start of its range).".into(),
        ));
    }
    f.fields.clear();
    f.throttle_elements = Some("10000".into());
    f.throttle_per_in_milliseconds = Some("100".into());
    let mut q = f.upstream_query().map_err(AppError::BadRequest)?;
    let now = time::OffsetDateTime::now_utc();
    let until = q.until.unwrap_or(now).min(now);
    if q.since.is_some_and(|s| s >= until) {
        return Err(AppError::BadRequest(
            "The range is empty: since must be before until (and before now).".into(),
        ));
    }
    q.until = Some(until);
    let cap = q.limit.unwrap_or(u64::from(MAX_LIMIT));
    Ok((q, cap))
}

async fn download(
    state: AppState,
    SignedIn {
        credentials,
        session,
    }: SignedIn,
    source: LogSource,
    format: Format,
    file: &str,
    raw: Option<String>,
) -> Result<Response, DownloadError> {
    let pairs = crate::relay::query_pairs(raw.as_deref())?;
    let (query, cap) = download_query(&pairs)?;
    let access = crate::relay::access_filter(&source, &pairs)?.filter(|f| !f.is_empty());
    let slot = slot_for(&state, &session).await?;
    let name = match &source {
        LogSource::App { app, .. } | LogSource::Access { app, .. } => format!("{app}-{file}"),
        LogSource::Addon { real_id, .. } => format!("{real_id}-{file}"),
    };
    let mut reader = Reader {
        upstream: state.upstream.clone(),
        credentials,
        silence: state.streams.settings.silence,
        // Every upstream line is written (the upstream may stop at the cap itself) unless
        // some are left out here.
        upstream_limit: access.is_none() && format != Format::Combined,
        source,
        query,
        access,
        format,
        cap,
        events: None,
        last_id: None,
        received: 0,
        written: 0,
        retries: 0,
        done: false,
        slot,
    };
    // The first connection now: a refusal (an unknown application, an expired token) is the
    // "download failed" page, not an empty file.
    reader.events = Some(reader.connect().await?);
    let body = futures::stream::unfold(reader, |mut r| async move {
        r.next().await.map(|chunk| (chunk, r))
    });
    let content_type = match format {
        Format::Ndjson => "application/x-ndjson",
        Format::Text | Format::Combined => "text/plain; charset=utf-8",
    };
    Ok(attachment(Body::from_stream(body), content_type, &name))
}

/// One download's reading of the upstream.
struct Reader {
    upstream: Upstream,
    credentials: Credentials,
    silence: Duration,
    upstream_limit: bool,
    source: LogSource,
    query: LogQuery,
    access: Option<AccessFilter>,
    format: Format,
    cap: u64,
    events: Option<UpstreamEvents>,
    last_id: Option<String>,
    /// Lines the upstream sent.
    received: u64,
    /// Lines written.
    written: u64,
    retries: u32,
    done: bool,
    slot: Slot,
}

/// Why a download was cut.
fn cut(reason: &str) -> std::io::Error {
    std::io::Error::other(format!("log download cut: {reason}"))
}

impl Reader {
    async fn connect(&mut self) -> Result<UpstreamEvents, AppError> {
        let mut q = self.query.clone();
        q.limit = self
            .upstream_limit
            .then(|| self.cap.saturating_sub(self.received).max(1));
        self.upstream
            .with(&self.credentials)
            .log_events(&self.source, &q, self.last_id.as_deref())
            .await
    }

    /// Writes one line event; false when it was left out.
    fn write(&self, data: &str, out: &mut String) -> bool {
        let one_line = |out: &mut String, text: &str| {
            if text.contains(['\n', '\r']) {
                out.push_str(&text.replace(['\n', '\r'], " "));
            } else {
                out.push_str(text);
            }
            out.push('\n');
        };
        match (&self.source, self.format) {
            (LogSource::Access { .. }, Format::Combined) => {
                let Some(line) = AccessLine::parse(data) else {
                    return false;
                };
                if self.access.as_ref().is_some_and(|f| !f.matches(&line)) {
                    return false;
                }
                match clf(&line) {
                    Some(text) => one_line(out, &text),
                    None => return false,
                }
            }
            (_, Format::Text) => {
                let line: LogLine = serde_json::from_str(data).unwrap_or_else(|_| LogLine {
                    message: data.to_owned(),
                    ..LogLine::default()
                });
                one_line(out, &plain_text(&line));
            }
            _ => {
                if self.access.as_ref().is_some_and(|f| !f.matches_data(data)) {
                    return false;
                }
                one_line(out, data);
            }
        }
        true
    }

    /// Takes one upstream event.
    fn take(&mut self, ev: sseer::event::Event, out: &mut String) {
        match &*ev.event {
            event::END_OF_STREAM => self.done = true,
            name if name == self.source.line_event() => {
                if !ev.id.is_empty() {
                    self.last_id = Some(app::logic::logs::clean_field(&ev.id).into_owned());
                }
                self.received += 1;
                if self.write(&ev.data, out) {
                    self.written += 1;
                    if self.written >= self.cap {
                        self.done = true;
                    }
                }
            }
            _ => {}
        }
    }

    /// The next chunk of the file; `None` once it is whole, an error when it must be cut.
    async fn next(&mut self) -> Option<Result<Bytes, std::io::Error>> {
        let mut out = String::new();
        loop {
            if self.done {
                return None;
            }
            if self.slot.is_over() {
                self.done = true;
                return Some(Err(cut("the session ended or the server is restarting")));
            }
            let Some(events) = self.events.as_mut() else {
                if self.retries > MAX_RETRIES {
                    self.done = true;
                    return Some(Err(cut("the upstream could not be read again")));
                }
                let delay = Duration::from_millis(250)
                    .mul_f64(1.5_f64.powi(self.retries as i32))
                    .min(Duration::from_secs(5))
                    .mul_f64(jitter());
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    () = self.slot.stopped() => continue,
                }
                match self.connect().await {
                    Ok(ev) => {
                        self.events = Some(ev);
                        self.retries = 0;
                    }
                    Err(e) if retryable(&e) => self.retries += 1,
                    Err(e) => {
                        tracing::warn!(error = %e, "log download: upstream refused");
                        self.done = true;
                        return Some(Err(cut("the upstream refused to go on")));
                    }
                }
                continue;
            };
            let got = tokio::select! {
                biased;
                got = events.next() => got,
                () = self.slot.stopped() => continue,
                _ = tokio::time::sleep(self.silence) => None,
            };
            let mut next = Some(got);
            while let Some(got) = next.take() {
                match got {
                    Some(Ok(ev)) => self.take(ev, &mut out),
                    // Closed without END_OF_STREAM, broken or silent: read again from the
                    // last line.
                    Some(Err(_)) | None => {
                        tracing::info!(
                            lines = self.received,
                            "log download: reconnecting upstream"
                        );
                        self.events = None;
                        self.retries += 1;
                        break;
                    }
                }
                if self.done || out.len() >= CHUNK_BYTES {
                    break;
                }
                next = self
                    .events
                    .as_mut()
                    .and_then(|events| events.next().now_or_never());
            }
            if !out.is_empty() {
                return Some(Ok(Bytes::from(out)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_download_needs_a_closed_range_that_is_not_empty() {
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let e = download_query(&pairs(&[("until", "2026-11-01")])).unwrap_err();
        assert!(e.to_string().contains("needs a since date"), "{e}");
        let e = download_query(&pairs(&[("since", "2026-11-02"), ("until", "2026-11-01")]))
            .unwrap_err();
        assert!(e.to_string().contains("Since must be before until"), "{e}");
        let e = download_query(&pairs(&[("since", "2026-11-02"), ("until", "2026-11-02")]))
            .unwrap_err();
        assert!(e.to_string().contains("range is empty"), "{e}");
        let e = download_query(&pairs(&[("since", "yesterday")])).unwrap_err();
        assert!(e.to_string().contains("Since must be a date"), "{e}");
        let (q, cap) = download_query(&pairs(&[
            ("since", "2026-11-01"),
            ("limit", "10"),
            ("field", "id"),
        ]))
        .expect("valid");
        assert!(q.until.is_some(), "until defaults to now");
        assert!(q.fields.is_empty(), "whole lines");
        assert_eq!((q.throttle_elements, cap), (Some(10000), 10));
        let (_, cap) = download_query(&pairs(&[("since", "2026-11-01")])).expect("valid");
        assert_eq!(cap, 1_000_000);
    }
}
