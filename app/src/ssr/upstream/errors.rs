//! Reading the upstream's answers safely: bodies under a size cap, JSON parsed with failures
//! logged by shape (never content: an operator's payload holds admin passwords), lists parsed
//! item by item, non-2xx answers mapped to an [`AppError`], and transport errors redacted.

use crate::error::AppError;
use bytes::Bytes;
use reqwest::{Method, Response, StatusCode};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Header the upstream puts on every answer, useful to its support.
pub const SOZU_ID: &str = "sozu-id";

/// Most bytes of one JSON answer read from the upstream; past it the answer is refused.
pub const MAX_JSON_BYTES: usize = 16 * 1024 * 1024;
/// Most bytes of an error answer read (only its short message is used).
pub(super) const MAX_ERROR_BYTES: usize = 64 * 1024;
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

/// Whether `v` may go into a header or a log line as it is.
pub(super) fn is_header_safe(v: &str) -> bool {
    v.len() <= 256 && v.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
}

/// A reqwest error without its URL (which never has the token, but stays out of logs anyway).
pub(super) fn redact(e: &reqwest::Error) -> String {
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

/// An answer we cannot read, logged by what it was meant to be.
pub(super) fn garbage(what: &str) -> AppError {
    tracing::warn!(what, "upstream answered something unreadable");
    AppError::Unavailable { sozu_id: None }
}

/// Reads a JSON answer (at most `MAX_JSON_BYTES`) and parses it. A failure is logged with
/// the answer's length, status, path template and the parse error's kind and position,
/// never its content.
pub(super) async fn parse_json<T: DeserializeOwned>(
    resp: Response,
    path: &str,
) -> Result<T, AppError> {
    parse_json_with(resp, path, |bytes| serde_json::from_slice(bytes)).await
}

/// [`parse_json`] with the parse given (for a parse that borrows from the body).
pub(super) async fn parse_json_with<T>(
    resp: Response,
    path: &str,
    parse: impl FnOnce(&[u8]) -> serde_json::Result<T>,
) -> Result<T, AppError> {
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
    parse(&bytes).map_err(|e| {
        tracing::warn!(path, status, len = bytes.len(), kind = ?e.classify(), line = e.line(),
            column = e.column(), sozu_id, "upstream JSON unreadable");
        AppError::Unavailable { sozu_id }
    })
}

/// Parses each item on its own (one malformed item is logged and left out).
pub use crate::model::lenient_items;

fn sozu_id(resp: &Response) -> Option<String> {
    resp.headers()
        .get(SOZU_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_header_safe(v))
        .map(str::to_owned)
}

/// Maps a non-2xx upstream answer to an `AppError`. Its body is read within a deadline and a
/// size cap (a stream request has no overall timeout); only its length and its short
/// `message` go to the log, with the path's template.
pub(super) async fn error_from_response(method: &Method, path: &str, resp: Response) -> AppError {
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
    use crate::model::zones::Zone;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn bodies_past_the_cap_are_refused_without_reading_on() {
        let sized = |n: usize| Response::from(http::Response::new(vec![b'x'; n]));
        assert!(matches!(read_capped(sized(100), 100).await, Ok(b) if b.len() == 100));
        assert!(matches!(
            read_capped(sized(101), 100).await,
            Err(ReadError::TooLarge)
        ));
        // No length announced: refused once the cap is passed, the rest never polled.
        let polled = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&polled);
        let chunks = futures::StreamExt::map(futures::stream::iter(0..1000), move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok::<_, std::io::Error>(vec![b'x'; 64])
        });
        let streamed = Response::from(http::Response::new(reqwest::Body::wrap_stream(chunks)));
        assert!(matches!(
            read_capped(streamed, 1000).await,
            Err(ReadError::TooLarge)
        ));
        assert!(polled.load(Ordering::SeqCst) <= 17);
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
    fn lenient_lists_drop_only_the_bad_item() {
        let raw = vec![
            serde_json::json!({"id": "a", "name": "ok"}),
            serde_json::json!("not an object"),
            serde_json::json!({"id": "b"}),
        ];
        let zones: Vec<Zone> = lenient_items(raw);
        assert_eq!(zones.len(), 2);
        // The same from the raw texts of the items, as `Authed::list` reads them.
        let body = br#"[{"id": "a", "name": "ok"}, "not an object", {"id": "b"}, 7]"#;
        let raw: Vec<&serde_json::value::RawValue> = serde_json::from_slice(body).unwrap();
        let zones: Vec<Zone> = crate::model::lenient_raw_items(raw);
        assert_eq!(
            zones.iter().map(|z| z.id.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
    }
}
