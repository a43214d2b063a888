//! Access log lines (`ACCESS_LOG` events of `/v4/accesslogs/.../accesslogs`). Only HTTP lines
//! are read: a TCP or SSH line has no `http` and is left out, as the vendor's clients do.

use super::{Timestamp, date};
use serde::{Deserialize, Serialize};

/// One end of a connection.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Peer {
    pub ip: Option<String>,
    pub port: Option<u32>,
    pub city: Option<String>,
    pub country_code: Option<String>,
}

/// The request of an HTTP access.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpRequest {
    pub host: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub scheme: Option<String>,
}

/// The response of an HTTP access; `time` is its duration in milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HttpResponse {
    pub status_code: Option<u16>,
    pub time: Option<f64>,
}

/// The HTTP part of an access.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Http {
    pub request: HttpRequest,
    pub response: HttpResponse,
}

/// Data of `ACCESS_LOG`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AccessLine {
    pub id: Option<String>,
    #[serde(with = "date")]
    pub date: Option<Timestamp>,
    pub instance_id: Option<String>,
    pub bytes_out: Option<u64>,
    pub source: Peer,
    pub http: Option<Http>,
}

impl AccessLine {
    /// The line decoded when it is an HTTP access (others, and malformed JSON, are `None`).
    pub fn parse(data: &str) -> Option<Self> {
        serde_json::from_str::<Self>(data)
            .ok()
            .filter(|l| l.http.is_some())
    }

    /// The request's method, path, status and duration (empty or zero when missing).
    pub fn method(&self) -> &str {
        self.http
            .as_ref()
            .and_then(|h| h.request.method.as_deref())
            .unwrap_or("")
    }

    pub fn path(&self) -> &str {
        self.http
            .as_ref()
            .and_then(|h| h.request.path.as_deref())
            .unwrap_or("")
    }

    pub fn status(&self) -> u16 {
        self.http
            .as_ref()
            .and_then(|h| h.response.status_code)
            .unwrap_or(0)
    }

    /// Duration in milliseconds (negative or missing: 0).
    pub fn duration_ms(&self) -> f64 {
        self.http
            .as_ref()
            .and_then(|h| h.response.time)
            .filter(|t| t.is_finite() && *t > 0.0)
            .unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_lines_are_read_and_others_left_out() {
        let l = AccessLine::parse(
            r#"{"id":"7","date":"2026-11-27T10:00:00Z","bytesOut":512,
               "source":{"ip":"1.2.3.4","city":"Paris","countryCode":"FR"},
               "http":{"request":{"method":"GET","path":"/a"},"response":{"statusCode":404,"time":12.5}}}"#,
        )
        .expect("an http line");
        assert_eq!((l.method(), l.path(), l.status()), ("GET", "/a", 404));
        assert_eq!(l.duration_ms(), 12.5);
        assert_eq!(l.source.country_code.as_deref(), Some("FR"));
        assert!(AccessLine::parse(r#"{"id":"8","tcp":{}}"#).is_none());
        assert!(AccessLine::parse("not json").is_none());
        let odd = AccessLine::parse(r#"{"http":{"response":{"time":-3}}}"#).expect("http");
        assert_eq!(
            (odd.status(), odd.duration_ms(), odd.method()),
            (0, 0.0, "")
        );
    }
}
