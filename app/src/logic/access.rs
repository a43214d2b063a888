//! Access logs: the filters the API does not have (applied in the relay, the range reader and
//! the downloads, so the browser receives only what matches), the aggregates over the lines
//! received, and the Combined Log Format line GoAccess reads.

use crate::logic::filters::clip;
use crate::logic::stats::percentile;
use crate::model::access::AccessLine;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Methods offered in the filter (others may still be typed in the address).
pub const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
/// Status classes offered in the filter.
pub const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];
/// Longest "path contains".
pub const MAX_PATH_FILTER: usize = 200;
/// Largest minimum duration, in milliseconds (ten minutes).
pub const MAX_MIN_DURATION_MS: u32 = 600_000;

/// The filters as found in a URL query (`status`, `method` repeated; `path`, `minDuration`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AccessFilterInput {
    pub statuses: Vec<String>,
    pub methods: Vec<String>,
    pub path: Option<String>,
    pub min_duration: Option<String>,
}

/// The filters, checked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AccessFilter {
    /// Status classes kept (`2` for 2xx); empty: all.
    pub classes: Vec<u8>,
    /// Methods kept, upper case; empty: all.
    pub methods: Vec<String>,
    /// Kept when the path contains this, case-insensitively (stored lower case).
    pub path: Option<String>,
    /// Kept when the request took at least this many milliseconds.
    pub min_duration_ms: Option<u32>,
}

impl AccessFilterInput {
    /// Reads the filter's parameters from `(name, value)` pairs.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k {
                "status" => f.statuses.push(v.to_owned()),
                "method" => f.methods.push(v.to_owned()),
                "path" => f.path = Some(v.to_owned()),
                "minDuration" => f.min_duration = Some(v.to_owned()),
                _ => {}
            }
        }
        f
    }

    /// The `(name, value)` pairs of these filters (for addresses and links).
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        let mut out: Vec<(&'static str, &str)> = Vec::new();
        out.extend(self.statuses.iter().map(|s| ("status", s.as_str())));
        out.extend(self.methods.iter().map(|s| ("method", s.as_str())));
        out.extend(self.path.as_deref().map(|p| ("path", p)));
        out.extend(self.min_duration.as_deref().map(|d| ("minDuration", d)));
        out
    }

    /// Checks every field: the filter, or a message naming each bad one.
    pub fn check(&self) -> Result<AccessFilter, String> {
        let mut errors = Vec::new();
        let given = |v: &str| v.trim().to_owned();
        if self.statuses.len() > CLASSES.len() || self.methods.len() > 16 {
            errors.push("Too many status classes or methods.".to_owned());
        }
        let mut classes = Vec::new();
        for s in self
            .statuses
            .iter()
            .map(|s| given(s))
            .filter(|s| !s.is_empty())
        {
            match CLASSES.iter().position(|c| c.eq_ignore_ascii_case(&s)) {
                Some(i) => classes.push(i as u8 + 1),
                None => errors.push(format!(
                    "Status must be one of 1xx, 2xx, 3xx, 4xx, 5xx (got \"{}\")",
                    clip(&s)
                )),
            }
        }
        let mut methods = Vec::new();
        for m in self
            .methods
            .iter()
            .map(|m| given(m))
            .filter(|m| !m.is_empty())
        {
            if m.len() <= 16 && m.bytes().all(|b| b.is_ascii_alphabetic()) {
                methods.push(m.to_ascii_uppercase());
            } else {
                errors.push(format!(
                    "Method must be a word such as GET or POST (got \"{}\")",
                    clip(&m)
                ));
            }
        }
        let path = match self
            .path
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) if p.chars().count() > MAX_PATH_FILTER => {
                errors.push(format!("Path must be at most {MAX_PATH_FILTER} characters"));
                None
            }
            Some(p) if p.chars().any(char::is_control) => {
                errors.push("Path must not contain control characters".to_owned());
                None
            }
            other => other.map(str::to_lowercase),
        };
        let min_duration_ms = match self
            .min_duration
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            None => None,
            Some(d) => match d.parse::<u32>() {
                Ok(n) if n <= MAX_MIN_DURATION_MS => Some(n),
                _ => {
                    errors.push(format!(
                        "Minimum duration must be a whole number of milliseconds from 0 to {MAX_MIN_DURATION_MS} (got \"{}\")",
                        clip(d)
                    ));
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok(AccessFilter {
                classes,
                methods,
                path,
                min_duration_ms,
            })
        } else {
            Err(format!("{}.", errors.join("; ")))
        }
    }
}

impl AccessFilter {
    /// Whether nothing is filtered.
    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
            && self.methods.is_empty()
            && self.path.is_none()
            && self.min_duration_ms.is_none()
    }

    /// Whether the line passes every filter.
    pub fn matches(&self, l: &AccessLine) -> bool {
        (self.classes.is_empty() || self.classes.contains(&((l.status() / 100) as u8)))
            && (self.methods.is_empty() || self.methods.iter().any(|m| m == l.method()))
            && self
                .path
                .as_deref()
                .is_none_or(|p| l.path().to_lowercase().contains(p))
            && self
                .min_duration_ms
                .is_none_or(|d| l.duration_ms() >= f64::from(d))
    }

    /// Whether the event data (an `ACCESS_LOG`'s JSON) passes: data that is not an HTTP
    /// access passes only when nothing is filtered. Only the fields filtered on are read,
    /// borrowed from the data where they need no unescaping (the relay runs this per line).
    pub fn matches_data(&self, data: &str) -> bool {
        if self.is_empty() {
            return true;
        }
        let Ok(Peek { http: Some(http) }) = serde_json::from_str::<Peek<'_>>(data) else {
            return false;
        };
        let status = http.response.status_code.unwrap_or(0);
        let method = http.request.method.as_deref().unwrap_or("");
        let path = http.request.path.as_deref().unwrap_or("");
        let time = http
            .response
            .time
            .filter(|t| t.is_finite() && *t > 0.0)
            .unwrap_or(0.0);
        (self.classes.is_empty() || self.classes.contains(&((status / 100) as u8)))
            && (self.methods.is_empty() || self.methods.iter().any(|m| m == method))
            && self
                .path
                .as_deref()
                .is_none_or(|p| path.to_lowercase().contains(p))
            && self.min_duration_ms.is_none_or(|d| time >= f64::from(d))
    }
}

/// The access logs page's settings, all from its URL query: the range (as the runtime
/// viewer's), a deployment by position or id (its lifetime as the range), and the filters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AccessSettings {
    pub range: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub deployment: Option<String>,
    pub filter: AccessFilterInput,
}

impl crate::logic::url_filter::UrlFilter for AccessSettings {
    fn from_query(q: &leptos_router::params::ParamsMap) -> Self {
        use crate::logic::url_filter::{many, one};
        Self {
            range: one(q, "range"),
            since: one(q, "since"),
            until: one(q, "until"),
            deployment: one(q, "deployment"),
            filter: AccessFilterInput {
                statuses: many(q, "status"),
                methods: many(q, "method"),
                path: one(q, "path"),
                min_duration: one(q, "minDuration"),
            },
        }
    }

    fn fields(&self) -> Vec<crate::logic::url_filter::Field<'_>> {
        use crate::logic::url_filter::Field;
        vec![
            Field::One("range", &self.range),
            Field::One("since", &self.since),
            Field::One("until", &self.until),
            Field::One("deployment", &self.deployment),
            Field::Many("status", &self.filter.statuses),
            Field::Many("method", &self.filter.methods),
            Field::One("path", &self.filter.path),
            Field::One("minDuration", &self.filter.min_duration),
        ]
    }
}

impl AccessSettings {
    /// The range part, as the runtime viewer reads it.
    fn viewer(&self) -> crate::logic::logs::ViewerSettings {
        crate::logic::logs::ViewerSettings {
            range: self.range.clone(),
            since: self.since.clone(),
            until: self.until.clone(),
            deployment: self.deployment.clone(),
            ..Default::default()
        }
    }

    /// The range asked for (live when missing).
    pub fn range(&self) -> Result<crate::logic::logs::Range, String> {
        self.viewer().range()
    }

    /// The stream's parameters at `now` (the deployment named resolved among `deployments`):
    /// its range, and whether it follows (live) or ends.
    pub fn stream_filter(
        &self,
        deployments: &[crate::model::deployments::Deployment],
        now: crate::model::Timestamp,
    ) -> Result<crate::logic::logs::LogFilter, String> {
        self.filter.check()?;
        let mut f = self.viewer().at_position(deployments)?.stream_filter(now)?;
        // Access logs have no deployment, instance, service or text filter upstream.
        f.deployment_id = None;
        f.limit = None;
        Ok(f)
    }
}

/// The fields of an access line the filters read.
#[derive(Deserialize)]
struct Peek<'a> {
    #[serde(borrow)]
    http: Option<PeekHttp<'a>>,
}

#[derive(Deserialize)]
struct PeekHttp<'a> {
    #[serde(borrow, default)]
    request: PeekRequest<'a>,
    #[serde(default)]
    response: PeekResponse,
}

#[derive(Default, Deserialize)]
struct PeekRequest<'a> {
    #[serde(borrow)]
    method: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    path: Option<std::borrow::Cow<'a, str>>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeekResponse {
    status_code: Option<u16>,
    time: Option<f64>,
}

/// Distinct keys counted per table; later ones count as "(other)".
const MAX_KEYS: usize = 10_000;
/// Durations kept for the percentiles (the most recent).
pub const MAX_SAMPLES: usize = 100_000;
/// Rows of each "top" table, and slow requests listed.
pub const TOP: usize = 10;

/// Counts by key, bounded.
#[derive(Clone, Debug, Default)]
struct Counter(HashMap<String, u64>);

impl Counter {
    fn add(&mut self, key: &str) {
        if let Some(n) = self.0.get_mut(key) {
            *n += 1;
        } else if self.0.len() < MAX_KEYS {
            self.0.insert(key.to_owned(), 1);
        } else {
            *self.0.entry("(other)".to_owned()).or_default() += 1;
        }
    }

    /// The `TOP` largest, most first (ties by key).
    fn top(&self) -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = self.0.iter().map(|(k, n)| (k.clone(), *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.truncate(TOP);
        v
    }
}

/// The aggregates over the lines received, updated line by line in bounded memory.
#[derive(Clone, Debug, Default)]
pub struct Aggregates {
    lines: u64,
    classes: [u64; 6],
    paths: Counter,
    ips: Counter,
    countries: Counter,
    durations: std::collections::VecDeque<f64>,
    slowest: Vec<AccessLine>,
}

/// What the aggregates say, for a page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub lines: u64,
    /// Counts of 1xx … 5xx, then of other statuses.
    pub classes: [u64; 6],
    pub top_paths: Vec<(String, u64)>,
    pub top_ips: Vec<(String, u64)>,
    pub top_countries: Vec<(String, u64)>,
    /// p50, p95, p99 of the durations, in milliseconds.
    pub percentiles: Option<[f64; 3]>,
    /// Durations the percentiles are over (the most recent `MAX_SAMPLES`).
    pub samples: usize,
    pub slowest: Vec<AccessLine>,
}

impl Aggregates {
    /// Counts one line.
    pub fn add(&mut self, l: &AccessLine) {
        self.lines += 1;
        let class = match l.status() / 100 {
            c @ 1..=5 => usize::from(c) - 1,
            _ => 5,
        };
        self.classes[class] += 1;
        self.paths.add(l.path());
        self.ips.add(l.source.ip.as_deref().unwrap_or("-"));
        self.countries
            .add(l.source.country_code.as_deref().unwrap_or("-"));
        let d = l.duration_ms();
        if self.durations.len() >= MAX_SAMPLES {
            self.durations.pop_front();
        }
        self.durations.push_back(d);
        let slower =
            self.slowest.len() < TOP || self.slowest.last().is_some_and(|s| s.duration_ms() < d);
        if slower {
            let at = self.slowest.partition_point(|s| s.duration_ms() >= d);
            self.slowest.insert(at, l.clone());
            self.slowest.truncate(TOP);
        }
    }

    /// Lines counted.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// The figures.
    pub fn summary(&self) -> Summary {
        let d: Vec<f64> = self.durations.iter().copied().collect();
        let p = |q| percentile(&d, q);
        let percentiles = match (p(50.0), p(95.0), p(99.0)) {
            (Some(a), Some(b), Some(c)) => Some([a, b, c]),
            _ => None,
        };
        Summary {
            lines: self.lines,
            classes: self.classes,
            top_paths: self.paths.top(),
            top_ips: self.ips.top(),
            top_countries: self.countries.top(),
            percentiles,
            samples: d.len(),
            slowest: self.slowest.clone(),
        }
    }
}

/// A duration as read in tables: `12 ms`, `1.24 s`.
pub fn duration_text(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else if ms >= 10.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

/// Appends `v` as Apache writes log items: `"` and `\` escaped with a backslash, bytes that
/// are not printable ASCII as `\xHH`.
fn push_escaped(out: &mut String, v: &str) {
    for b in v.bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
}

/// The line in Combined Log Format (`%h - - [%d/%b/%Y:%H:%M:%S %z] "%m %U %H" %>s %b "-" "-"`,
/// `%H` being `HTTP/1.1`), without its newline; `None` for a line without `http` or a date.
pub fn clf(l: &AccessLine) -> Option<String> {
    let http = l.http.as_ref()?;
    let t = l.date?.to_offset(time::UtcOffset::UTC);
    let mut out = String::with_capacity(160);
    match l.source.ip.as_deref().filter(|ip| !ip.is_empty()) {
        Some(ip) => push_escaped(&mut out, ip),
        None => out.push('-'),
    }
    out.push_str(&format!(
        " - - [{:02}/{}/{:04}:{:02}:{:02}:{:02} +0000] \"",
        t.day(),
        crate::logic::MONTHS[usize::from(u8::from(t.month())) - 1],
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    ));
    push_escaped(&mut out, http.request.method.as_deref().unwrap_or("-"));
    out.push(' ');
    push_escaped(&mut out, http.request.path.as_deref().unwrap_or("/"));
    out.push_str(" HTTP/1.1\" ");
    match http.response.status_code {
        Some(s) => out.push_str(&s.to_string()),
        None => out.push('-'),
    }
    out.push(' ');
    match l.bytes_out.filter(|b| *b > 0) {
        Some(b) => out.push_str(&b.to_string()),
        None => out.push('-'),
    }
    out.push_str(" \"-\" \"-\"");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(method: &str, path: &str, status: u16, ms: f64) -> AccessLine {
        AccessLine::parse(
            &serde_json::json!({
                "id": "1",
                "date": "2026-11-27T10:05:09.250Z",
                "bytesOut": 512,
                "source": {"ip": "203.0.113.9", "countryCode": "FR", "city": "Paris"},
                "http": {"request": {"method": method, "path": path},
                         "response": {"statusCode": status, "time": ms}},
            })
            .to_string(),
        )
        .expect("http line")
    }

    #[test]
    fn filters_are_checked_and_applied() {
        let input = AccessFilterInput::from_pairs([
            ("status", "5xx"),
            ("status", "4XX"),
            ("method", "get"),
            ("path", "/API"),
            ("minDuration", "100"),
        ]);
        let f = input.check().expect("valid");
        assert_eq!(f.classes, [5, 4]);
        assert_eq!(f.methods, ["GET"]);
        assert!(f.matches(&line("GET", "/api/orders", 502, 150.0)));
        assert!(
            !f.matches(&line("GET", "/api/orders", 200, 150.0)),
            "status"
        );
        assert!(
            !f.matches(&line("POST", "/api/orders", 500, 150.0)),
            "method"
        );
        assert!(!f.matches(&line("GET", "/health", 500, 150.0)), "path");
        assert!(!f.matches(&line("GET", "/api/x", 500, 99.9)), "duration");
        assert!(AccessFilter::default().matches_data("not json"));
        assert!(!f.matches_data("not json"));
        // The relay's reading of raw data agrees with the decoded line's, escapes included.
        for (m, p, s, t) in [
            ("GET", "/api/orders", 502, 150.0),
            ("GET", "/api/orders", 200, 150.0),
            ("POST", "/API/x", 500, 150.0),
            ("GET", "/health", 500, 150.0),
            ("GET", "/api/\"quoted\"", 503, 99.9),
            ("GET", "/api/\"quoted\"", 503, 100.0),
        ] {
            let l = line(m, p, s, t);
            let data = serde_json::to_string(&l).expect("json");
            assert_eq!(f.matches_data(&data), f.matches(&l), "{m} {p} {s} {t}");
        }
        let bad = AccessFilterInput {
            statuses: vec!["6xx".into()],
            methods: vec!["GET /".into()],
            path: Some("a\u{1b}b".into()),
            min_duration: Some("-1".into()),
        }
        .check()
        .unwrap_err();
        for part in [
            "Status must be one of",
            "Method must be a word",
            "Path must not contain control characters",
            "Minimum duration must be a whole number",
        ] {
            assert!(bad.contains(part), "{part} missing from {bad}");
        }
    }

    #[test]
    fn aggregates_count_rank_and_take_percentiles() {
        let mut a = Aggregates::default();
        for i in 1..=100u16 {
            let path = if i % 4 == 0 { "/health" } else { "/api" };
            a.add(&line(
                "GET",
                path,
                if i > 95 { 503 } else { 200 },
                f64::from(i),
            ));
        }
        let s = a.summary();
        assert_eq!(s.lines, 100);
        assert_eq!(s.classes, [0, 95, 0, 0, 5, 0]);
        assert_eq!(
            s.top_paths,
            [("/api".to_owned(), 75), ("/health".to_owned(), 25)]
        );
        assert_eq!(s.top_countries, [("FR".to_owned(), 100)]);
        assert_eq!(s.percentiles, Some([50.0, 95.0, 99.0]));
        let slow: Vec<f64> = s.slowest.iter().map(AccessLine::duration_ms).collect();
        assert_eq!(
            slow,
            [100.0, 99.0, 98.0, 97.0, 96.0, 95.0, 94.0, 93.0, 92.0, 91.0]
        );
        let mut many = Aggregates::default();
        for i in 0..(MAX_KEYS + 5) {
            many.add(&line("GET", &format!("/p{i}"), 200, 1.0));
        }
        assert_eq!(
            many.paths.0.len(),
            MAX_KEYS + 1,
            "bounded, the rest as (other)"
        );
        assert_eq!(many.paths.0.get("(other)"), Some(&5));
    }

    #[test]
    fn combined_log_format_escapes_what_could_break_a_parser() {
        let l = line("GET", "/a b\"c\\d\u{7}é", 200, 3.0);
        assert_eq!(
            clf(&l).expect("a line"),
            r#"203.0.113.9 - - [27/Nov/2026:10:05:09 +0000] "GET /a b\"c\\d\x07\xc3\xa9 HTTP/1.1" 200 512 "-" "-""#
        );
        // A user agent in the data never reaches the line, nor does a newline anywhere.
        let mut hostile: AccessLine = serde_json::from_value(serde_json::json!({
            "date": "2026-11-27T10:05:09Z",
            "userAgent": "\"\n<script>",
            "source": {"ip": "1.2.3.4\n5"},
            "http": {"request": {"method": "GE\"T", "path": "/\r\nx"}, "response": {}},
        }))
        .expect("parses");
        let text = clf(&hostile).expect("a line");
        assert!(
            !text.contains(['\n', '\r']) && !text.contains("script"),
            "{text}"
        );
        assert!(
            text.ends_with("\"GE\\\"T /\\x0d\\x0ax HTTP/1.1\" - - \"-\" \"-\""),
            "{text}"
        );
        hostile.http = None;
        assert_eq!(clf(&hostile), None, "not an http access");
        assert_eq!(duration_text(1240.0), "1.24 s");
        assert_eq!(duration_text(12.4), "12 ms");
        assert_eq!(duration_text(2.34), "2.3 ms");
    }
}
