//! Log stream settings from a URL query (the viewer's and the relay's), checked field by field
//! before anything goes upstream.

use super::filters::{Checker, clip, url_query};
use super::url_filter::{Field, UrlFilter, many, one};
use crate::model::logs::EndedBy;
use crate::query::LogQuery;
use leptos_router::params::ParamsMap;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Fields a log line has (`field=` may only name these).
pub const FIELDS: [&str; 15] = [
    "id",
    "applicationId",
    "commitId",
    "deploymentId",
    "instanceId",
    "date",
    "zone",
    "region",
    "pid",
    "facility",
    "severity",
    "priority",
    "version",
    "service",
    "message",
];

/// Largest `limit` of one stream.
pub const MAX_LIMIT: u32 = 1_000_000;
/// Longest text filter.
pub const MAX_FILTER: usize = 200;

/// The parameters of a log stream, as found in a URL query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LogFilter {
    pub deployment_id: Option<String>,
    pub instance_id: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub fields: Vec<String>,
    pub services: Vec<String>,
    pub filter: Option<String>,
    pub limit: Option<String>,
    pub throttle_elements: Option<String>,
    pub throttle_per_in_milliseconds: Option<String>,
}

impl LogFilter {
    /// Reads the documented parameters from `(name, value)` pairs (repeated ones repeated).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            let v = v.to_owned();
            match k {
                "deploymentId" => f.deployment_id = Some(v),
                "instanceId" => f.instance_id = Some(v),
                "since" => f.since = Some(v),
                "until" => f.until = Some(v),
                "field" => f.fields.push(v),
                "service" => f.services.push(v),
                "filter" => f.filter = Some(v),
                "limit" => f.limit = Some(v),
                "throttleElements" => f.throttle_elements = Some(v),
                "throttlePerInMilliseconds" => f.throttle_per_in_milliseconds = Some(v),
                _ => {}
            }
        }
        f
    }

    /// Checks every parameter; the upstream query or a message naming each bad one.
    pub fn upstream_query(&self) -> Result<LogQuery, String> {
        let mut c = Checker::default();
        let deployment_id = c.id("deployment id", &self.deployment_id);
        let instance_id = c.id("instance id", &self.instance_id);
        let since = c.date("Since", &self.since);
        let until = c.date("Until", &self.until);
        c.range(since, until);
        let limit = c.limit("Limit", &self.limit, MAX_LIMIT).map(u64::from);
        let throttle_elements = c.limit("Throttle elements", &self.throttle_elements, 10_000);
        let throttle_per_in_milliseconds = c
            .limit(
                "Throttle period",
                &self.throttle_per_in_milliseconds,
                60_000,
            )
            .map(u64::from);
        let mut fields = Vec::new();
        for f in self
            .fields
            .iter()
            .map(|f| f.trim())
            .filter(|f| !f.is_empty())
        {
            if FIELDS.contains(&f) {
                fields.push(f.to_owned());
            } else {
                c.fail(format!(
                    "Field must be one of {} (got \"{}\")",
                    FIELDS.join(", "),
                    clip(f)
                ));
            }
        }
        let mut services = Vec::new();
        for s in self
            .services
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            let ok = s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@'));
            if ok {
                services.push(s.to_owned());
            } else {
                c.fail(format!(
                    "Service must be a unit name such as bas or bas-deploy (got \"{}\")",
                    clip(s)
                ));
            }
        }
        let filter = match self
            .filter
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
        {
            Some(f) if f.chars().count() > MAX_FILTER => {
                c.fail(format!("Filter must be at most {MAX_FILTER} characters"));
                None
            }
            Some(f) if f.chars().any(char::is_control) => {
                c.fail("Filter must not contain control characters".to_owned());
                None
            }
            other => other.map(str::to_owned),
        };
        c.finish(LogQuery {
            deployment_id,
            instance_id,
            since,
            until,
            fields,
            filter,
            limit,
            services,
            throttle_elements,
            throttle_per_in_milliseconds,
        })
    }

    /// The URL query of these parameters (for the relay's address and links).
    pub fn to_url_query(&self) -> String {
        let one = [
            ("deploymentId", &self.deployment_id),
            ("instanceId", &self.instance_id),
            ("since", &self.since),
            ("until", &self.until),
            ("filter", &self.filter),
            ("limit", &self.limit),
            ("throttleElements", &self.throttle_elements),
            (
                "throttlePerInMilliseconds",
                &self.throttle_per_in_milliseconds,
            ),
        ];
        url_query(
            one.into_iter()
                .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
                .chain(self.fields.iter().map(|f| ("field", f.as_str())))
                .chain(self.services.iter().map(|s| ("service", s.as_str()))),
        )
    }
}

/// The time range of the viewer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Range {
    /// The last ten minutes, then follow.
    Live,
    LastHour,
    Last4Hours,
    /// The whole retention (7 days).
    Last7Days,
    /// `since` (and `until` if given) from the URL.
    Custom,
}

impl Range {
    /// Every range, in menu order.
    pub const ALL: [Range; 5] = [
        Range::Live,
        Range::LastHour,
        Range::Last4Hours,
        Range::Last7Days,
        Range::Custom,
    ];

    /// The URL value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::LastHour => "1h",
            Self::Last4Hours => "4h",
            Self::Last7Days => "7d",
            Self::Custom => "custom",
        }
    }

    /// The menu label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Live => "Live",
            Self::LastHour => "Last hour",
            Self::Last4Hours => "Last 4 hours",
            Self::Last7Days => "Last 7 days",
            Self::Custom => "Custom range",
        }
    }
}

/// Lines a cold range loads at most (the viewer's buffer).
pub const BUFFER_LINES: usize = 100_000;

/// The viewer's settings, all from its URL query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ViewerSettings {
    pub range: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub filter: Option<String>,
    pub services: Vec<String>,
    pub deployment_id: Option<String>,
    pub instance_id: Option<String>,
    /// Wrap long lines.
    pub wrap: bool,
    /// Times in the browser's zone instead of UTC.
    pub local_time: bool,
}

impl UrlFilter for ViewerSettings {
    fn from_query(q: &ParamsMap) -> Self {
        Self {
            range: one(q, "range"),
            since: one(q, "since"),
            until: one(q, "until"),
            filter: one(q, "filter"),
            services: many(q, "service"),
            deployment_id: one(q, "deploymentId"),
            instance_id: one(q, "instanceId"),
            wrap: one(q, "wrap").as_deref() == Some("1"),
            local_time: one(q, "tz").as_deref() == Some("local"),
        }
    }

    fn fields(&self) -> Vec<Field<'_>> {
        vec![
            Field::One("range", &self.range),
            Field::One("since", &self.since),
            Field::One("until", &self.until),
            Field::One("filter", &self.filter),
            Field::Many("service", &self.services),
            Field::One("deploymentId", &self.deployment_id),
            Field::One("instanceId", &self.instance_id),
            Field::Flag("wrap", "1", self.wrap),
            Field::Flag("tz", "local", self.local_time),
        ]
    }
}

impl ViewerSettings {
    /// The range asked for (live when missing).
    pub fn range(&self) -> Result<Range, String> {
        match self.range.as_deref().map(str::trim) {
            None | Some("") => Ok(Range::Live),
            Some(r) => Range::ALL
                .into_iter()
                .find(|x| x.as_str() == r)
                .ok_or_else(|| {
                    format!(
                        "Range must be one of live, 1h, 4h, 7d or custom (got \"{}\").",
                        clip(r)
                    )
                }),
        }
    }

    /// The relay's parameters at `now`: the range turned into `since`/`until`, a limit for
    /// closed ranges, and throttling fit for a browser. Checked as the relay checks them.
    pub fn stream_filter(&self, now: crate::model::Timestamp) -> Result<LogFilter, String> {
        use crate::model::date;
        let range = self.range()?;
        let ago = |d: time::Duration| Some(date::format(&(now - d)));
        let (since, until) = match range {
            Range::Live => (ago(time::Duration::minutes(10)), None),
            Range::LastHour => (ago(time::Duration::hours(1)), Some(date::format(&now))),
            Range::Last4Hours => (ago(time::Duration::hours(4)), Some(date::format(&now))),
            Range::Last7Days => (ago(time::Duration::days(7)), Some(date::format(&now))),
            Range::Custom => {
                if self.since.as_deref().is_none_or(|s| s.trim().is_empty()) {
                    return Err("A custom range needs a since date.".to_owned());
                }
                (self.since.clone(), self.until.clone())
            }
        };
        let closed = until.is_some();
        let f = LogFilter {
            deployment_id: self.deployment_id.clone(),
            instance_id: self.instance_id.clone(),
            since,
            until,
            fields: vec![],
            services: self.services.clone(),
            filter: self.filter.clone(),
            limit: closed.then(|| BUFFER_LINES.to_string()),
            // As many as the API lets one ask for: the viewer draws once per frame however many
            // arrive, so a closed range loads at the upstream's pace, not at 2,000 per 100 ms.
            throttle_elements: Some("10000".to_owned()),
            throttle_per_in_milliseconds: Some("100".to_owned()),
        };
        f.upstream_query()?;
        Ok(f)
    }
}

/// An SSE `id` or `event` value made safe to write: CR, LF and NUL removed (axum panics on
/// them), at most 256 bytes. A value that is clean already is borrowed, not copied (the relay
/// calls this twice per line).
pub fn clean_field(raw: &str) -> Cow<'_, str> {
    const MAX: usize = 256;
    let dirty = |b: &u8| matches!(b, b'\r' | b'\n' | b'\0');
    if raw.len() <= MAX && !raw.as_bytes().iter().any(dirty) {
        return Cow::Borrowed(raw);
    }
    let mut out: String = raw
        .chars()
        .filter(|c| !matches!(c, '\r' | '\n' | '\0'))
        .collect();
    if out.len() > MAX {
        let mut cut = MAX;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    Cow::Owned(out)
}

/// One received line as it came (the event's JSON) and our own sequence number (for
/// selection). It is decoded only when drawn or saved: appending stays cheap however many
/// lines arrive, and only the few lines on screen are ever decoded while they stream in.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub seq: u64,
    pub raw: String,
}

impl Line {
    /// The line decoded; text that is not a log line's JSON becomes the message.
    pub fn parsed(&self) -> crate::model::logs::LogLine {
        serde_json::from_str(&self.raw).unwrap_or_else(|_| crate::model::logs::LogLine {
            message: self.raw.clone(),
            ..Default::default()
        })
    }
}

/// The viewer's lines: received ones wait in `pending` until the next drawing (one DOM
/// update per animation frame, however many lines arrived), then join the list, the oldest
/// leaving past `capacity`.
#[derive(Clone, Debug, Default)]
pub struct LineBuffer {
    lines: std::collections::VecDeque<Line>,
    pending: std::collections::VecDeque<Line>,
    capacity: usize,
    next_seq: u64,
    dropped: u64,
}

impl LineBuffer {
    /// An empty buffer keeping at most `capacity` lines.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            ..Self::default()
        }
    }

    /// Takes a received line (shown at the next flush); its sequence number.
    pub fn receive(&mut self, raw: String) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        // Never more waiting than can be shown (a tab in the background draws no frames).
        if self.pending.len() >= self.capacity {
            self.pending.pop_front();
            self.dropped += 1;
        }
        self.pending.push_back(Line { seq, raw });
        seq
    }

    /// Whether lines wait for the next flush.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Moves the waiting lines into the list; how many joined.
    pub fn flush(&mut self) -> usize {
        let n = self.pending.len();
        self.lines.extend(self.pending.drain(..));
        let over = self.lines.len().saturating_sub(self.capacity);
        self.lines.drain(..over);
        self.dropped += over as u64;
        n
    }

    /// Forgets every line (shown and waiting) and the dropped count.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.pending.clear();
        self.dropped = 0;
    }

    /// Lines in the list.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Older lines that left the list.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The lines `start..end` of the list (clamped).
    pub fn range(&self, start: usize, end: usize) -> Vec<Line> {
        let end = end.min(self.lines.len());
        self.lines.range(start.min(end)..end).cloned().collect()
    }

    /// Every line of the list, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter()
    }

    /// The count shown beside the list, e.g. "1200 lines (300 older ones dropped)".
    pub fn count_text(&self) -> String {
        match self.dropped {
            0 => format!("{} lines", self.len()),
            d => format!("{} lines ({d} older ones dropped)", self.len()),
        }
    }
}

/// The viewer's connection, as its status line says it.
#[derive(Clone, Debug, PartialEq)]
pub enum ViewerStatus {
    Idle,
    Connecting,
    Live,
    Paused,
    Reconnecting(u32),
    Ended(String),
}

/// What happens to the viewer's connection.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamEvent {
    /// The user starts (or resumes) the stream.
    Start,
    /// The user pauses it.
    Pause,
    /// The browser opened the connection.
    Opened,
    /// The connection failed; `closed` when the browser gave up (the server refused it).
    Failed { closed: bool },
    /// A state event from our relay.
    Relay(crate::model::logs::RelayState),
    /// The upstream's end of stream, with its reason (`UNTIL_REACHED`, …).
    End(EndedBy),
}

impl ViewerStatus {
    /// The status after `event`.
    pub fn next(&self, event: StreamEvent) -> Self {
        use crate::model::logs::RelayState;
        match event {
            StreamEvent::Start => Self::Connecting,
            StreamEvent::Pause => Self::Paused,
            StreamEvent::Opened => Self::Live,
            StreamEvent::Failed { closed: true } => Self::Ended(
                "the server refused the stream (signed out, too many streams, or the application is gone)".into(),
            ),
            StreamEvent::Failed { closed: false } => match self {
                Self::Reconnecting(n) => Self::Reconnecting(n + 1),
                _ => Self::Reconnecting(1),
            },
            StreamEvent::Relay(RelayState::Reconnecting { attempt, .. }) => {
                Self::Reconnecting(attempt)
            }
            StreamEvent::Relay(RelayState::Live) => Self::Live,
            // The server is restarting: the browser reconnects by itself (to another replica
            // where there is one) and resumes from the last id.
            StreamEvent::Relay(RelayState::Restarting) => Self::Reconnecting(1),
            StreamEvent::Relay(RelayState::Error { message, .. }) => Self::Ended(message),
            StreamEvent::End(why) => Self::Ended(match why {
                EndedBy::UntilReached => "the end of the range was reached".to_owned(),
                EndedBy::LimitReached => format!("{BUFFER_LINES} lines loaded (the most kept)"),
                EndedBy::SignedOut => "signed out".to_owned(),
                EndedBy::SessionExpired => "the session expired; sign in again".to_owned(),
                EndedBy::Unknown(other) if other.is_empty() => "the stream ended".to_owned(),
                EndedBy::Unknown(other) => other,
            }),
        }
    }

    /// Whether the stream stays closed after this status (no reconnection by the browser).
    pub fn is_closed(&self) -> bool {
        matches!(self, Self::Paused | Self::Ended(_) | Self::Idle)
    }

    /// The status line.
    pub fn text(&self) -> String {
        match self {
            Self::Idle => "Not connected".into(),
            Self::Connecting => "Connecting…".into(),
            Self::Live => "Live".into(),
            Self::Paused => "Paused".into(),
            Self::Reconnecting(n) => format!("Reconnecting ({n})…"),
            Self::Ended(why) => format!("Ended: {why}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u32) -> String {
        format!(r#"{{"id":"{n}","message":"line {n}"}}"#)
    }

    #[test]
    fn lines_are_decoded_when_drawn() {
        let mut b = LineBuffer::new(10);
        b.receive(line(7));
        b.receive("not json".into());
        b.flush();
        let shown = b.range(0, 2);
        assert_eq!(shown[0].parsed().message, "line 7");
        assert_eq!(shown[0].parsed().id, "7");
        assert_eq!(shown[1].parsed().message, "not json");
    }

    #[test]
    fn received_lines_join_the_list_at_the_flush_oldest_leaving() {
        let mut b = LineBuffer::new(3);
        assert_eq!(b.receive(line(0)), 0);
        assert_eq!(b.receive(line(1)), 1);
        assert!(b.has_pending());
        assert!(b.is_empty(), "not shown before the flush");
        assert_eq!(b.flush(), 2);
        assert_eq!(b.len(), 2);
        for n in 2..6 {
            b.receive(line(n));
        }
        assert_eq!(b.flush(), 3, "no more waits than the buffer holds");
        assert_eq!(b.len(), 3);
        assert_eq!(b.dropped(), 3);
        let seqs: Vec<u64> = b.iter().map(|l| l.seq).collect();
        assert_eq!(seqs, [3, 4, 5]);
        assert_eq!(b.count_text(), "3 lines (3 older ones dropped)");
        assert_eq!(b.flush(), 0, "nothing waits");
    }

    #[test]
    fn more_lines_than_the_buffer_holds_keep_the_newest() {
        let mut b = LineBuffer::new(1000);
        for n in 0..10_000 {
            b.receive(line(n));
        }
        assert_eq!(b.flush(), 1000, "only the newest waited");
        assert_eq!(b.len(), 1000);
        assert_eq!(b.dropped(), 9000);
        assert_eq!(b.range(0, 1)[0].seq, 9000);
        assert_eq!(b.range(990, 5000).len(), 10, "clamped");
        b.clear();
        assert_eq!((b.len(), b.dropped(), b.has_pending()), (0, 0, false));
        assert_eq!(b.receive(line(1)), 10_000, "sequence numbers never repeat");
    }

    #[test]
    fn the_status_follows_the_stream() {
        use crate::model::logs::RelayState;
        let s = ViewerStatus::Idle.next(StreamEvent::Start);
        assert_eq!(s, ViewerStatus::Connecting);
        let s = s.next(StreamEvent::Opened);
        assert_eq!(s.text(), "Live");
        let s = s.next(StreamEvent::Failed { closed: false });
        let s = s.next(StreamEvent::Failed { closed: false });
        assert_eq!(s.text(), "Reconnecting (2)…");
        assert!(!s.is_closed());
        let s = s.next(StreamEvent::Relay(RelayState::Live));
        assert_eq!(s, ViewerStatus::Live);
        assert_eq!(
            s.next(StreamEvent::Relay(RelayState::Restarting)),
            ViewerStatus::Reconnecting(1)
        );
        let paused = s.next(StreamEvent::Pause);
        assert!(paused.is_closed());
        assert_eq!(paused.next(StreamEvent::Start), ViewerStatus::Connecting);
        let ended = s.next(StreamEvent::End(EndedBy::UntilReached));
        assert_eq!(ended.text(), "Ended: the end of the range was reached");
        assert!(ended.is_closed());
        assert!(
            s.next(StreamEvent::Failed { closed: true })
                .text()
                .starts_with("Ended: the server refused the stream")
        );
    }

    #[test]
    fn every_documented_parameter_is_read_and_checked() {
        let pairs = [
            ("deploymentId", "deployment_1"),
            ("instanceId", "i-1"),
            ("since", "2026-11-01"),
            ("until", "2026-11-02T00:00:00Z"),
            ("field", "message"),
            ("field", "date"),
            ("service", "bas"),
            ("service", "bas-deploy"),
            ("filter", "error"),
            ("limit", "100"),
            ("throttleElements", "2000"),
            ("throttlePerInMilliseconds", "100"),
            ("other", "ignored"),
        ];
        let f = LogFilter::from_pairs(pairs);
        let q = f.upstream_query().unwrap();
        assert_eq!(q.pairs().len(), 12);
        assert_eq!(q.services, ["bas", "bas-deploy"]);
        assert_eq!(q.limit, Some(100));
        let url = f.to_url_query();
        let back = LogFilter::from_pairs(
            url.trim_start_matches('?')
                .split('&')
                .filter_map(|kv| kv.split_once('=')),
        );
        assert_eq!(back.fields, f.fields);
    }

    #[test]
    fn bad_parameters_get_a_message_each() {
        let f = LogFilter {
            deployment_id: Some("../x".into()),
            since: Some("last tuesday".into()),
            fields: vec!["password".into()],
            services: vec!["bas; rm -rf".into()],
            filter: Some("a\u{0}b".into()),
            limit: Some("0".into()),
            throttle_elements: Some("100000".into()),
            ..LogFilter::default()
        };
        let e = f.upstream_query().unwrap_err();
        for part in [
            "Invalid deployment id",
            "Since must be a date",
            "Field must be one of",
            "Service must be a unit name",
            "Filter must not contain control characters",
            "Limit must be a whole number from 1 to 1000000",
            "Throttle elements must be a whole number from 1 to 10000",
        ] {
            assert!(e.contains(part), "{part} missing from {e}");
        }
        let long = LogFilter {
            filter: Some("x".repeat(201)),
            ..LogFilter::default()
        };
        assert!(long.upstream_query().unwrap_err().contains("at most 200"));
    }

    #[test]
    fn ranges_become_since_and_until() {
        use time::macros::datetime;
        let now = datetime!(2026-11-27 12:00 UTC);
        let live = ViewerSettings::default().stream_filter(now).unwrap();
        assert_eq!(live.since.as_deref(), Some("2026-11-27T11:50:00Z"));
        assert_eq!(
            (live.until, live.limit),
            (None, None),
            "live follows, unbounded"
        );
        let hour = ViewerSettings {
            range: Some("1h".into()),
            services: vec!["bas".into()],
            ..ViewerSettings::default()
        }
        .stream_filter(now)
        .unwrap();
        assert_eq!(hour.since.as_deref(), Some("2026-11-27T11:00:00Z"));
        assert_eq!(hour.until.as_deref(), Some("2026-11-27T12:00:00Z"));
        assert_eq!(hour.limit.as_deref(), Some("100000"));
        assert_eq!(hour.services, ["bas"]);
        let week = ViewerSettings {
            range: Some("7d".into()),
            ..ViewerSettings::default()
        };
        assert_eq!(
            week.stream_filter(now).unwrap().since.as_deref(),
            Some("2026-11-20T12:00:00Z")
        );
        let custom = |since: Option<&str>| ViewerSettings {
            range: Some("custom".into()),
            since: since.map(str::to_owned),
            ..ViewerSettings::default()
        };
        assert!(
            custom(None)
                .stream_filter(now)
                .unwrap_err()
                .contains("needs a since")
        );
        assert!(
            custom(Some("noon"))
                .stream_filter(now)
                .unwrap_err()
                .contains("Since must be a date")
        );
        assert!(custom(Some("2026-11-26")).stream_filter(now).is_ok());
        let bad = ViewerSettings {
            range: Some("forever".into()),
            ..ViewerSettings::default()
        };
        assert!(
            bad.stream_filter(now)
                .unwrap_err()
                .contains("Range must be one of")
        );
    }

    #[test]
    fn sse_fields_lose_line_breaks_and_nul() {
        assert_eq!(clean_field("12\r\n3\0"), "123");
        assert_eq!(clean_field("APPLICATION_LOG"), "APPLICATION_LOG");
        assert!(
            matches!(clean_field("APPLICATION_LOG"), Cow::Borrowed(_)),
            "a clean value is not copied"
        );
        assert_eq!(clean_field(&"é".repeat(200)).len(), 256);
        assert_eq!(clean_field(&"a".repeat(257)).len(), 256);
    }
}
