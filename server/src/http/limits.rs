//! Limits on a request's target, checked before anything else reads it.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Longest request target (path and query) served; longer ones get a 414.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most values one query key may have (`?tag=a&tag=b…`); more gets a 400 naming the key.
pub const MAX_VALUES_PER_KEY: usize = app::logic::url_filter::MAX_VALUES;

/// Why a request target is refused before anything else looks at it.
pub fn check_target(uri: &axum::http::Uri) -> Result<(), (StatusCode, String)> {
    let target = uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > MAX_URI_BYTES {
        return Err((
            StatusCode::URI_TOO_LONG,
            format!("The address is too long ({target} bytes; at most {MAX_URI_BYTES})."),
        ));
    }
    let Some(query) = uri.query() else {
        return Ok(());
    };
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    for (key, _) in serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default() {
        let n = counts.entry(key).or_default();
        *n += 1;
        if *n > MAX_VALUES_PER_KEY {
            let (key, _) = counts
                .into_iter()
                .find(|(_, n)| *n > MAX_VALUES_PER_KEY)
                .unwrap_or_default();
            let shown: String = key.chars().take(40).collect();
            return Err((
                StatusCode::BAD_REQUEST,
                format!(
                    "Too many values for the query parameter \"{shown}\" (at most {MAX_VALUES_PER_KEY})."
                ),
            ));
        }
    }
    Ok(())
}

/// Refuses over-long addresses and queries with too many values for one key, before any
/// session is read.
pub async fn request_limits(req: Request, next: Next) -> Response {
    match check_target(req.uri()) {
        Ok(()) => next.run(req).await,
        Err((status, message)) => (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            message,
        )
            .into_response(),
    }
}

/// The most of a sign-in or sign-out form read (a token is far shorter).
pub const SIGN_IN_BODY_BYTES: usize = 8 * 1024;

/// Refuses a sign-in or sign-out whose declared body is larger than such a form can be, at
/// once and unread (a body with no declared length is cut at the same size as it is read).
pub async fn small_form(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > SIGN_IN_BODY_BYTES as u64) {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "This form is too large.",
        )
            .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_addresses_and_repeated_keys_are_refused() {
        let uri = |s: &str| s.parse::<axum::http::Uri>().unwrap();
        assert!(check_target(&uri("/zones?tag=a&tag=b&ownerId=x")).is_ok());
        let long = format!("/zones?q={}", "a".repeat(MAX_URI_BYTES));
        assert_eq!(
            check_target(&uri(&long)).unwrap_err().0,
            StatusCode::URI_TOO_LONG
        );
        let many = format!("/zones?{}", "tag=a&".repeat(MAX_VALUES_PER_KEY + 1));
        let (status, message) = check_target(&uri(&many)).unwrap_err();
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(message.contains("\"tag\""), "{message}");
        let just = format!("/zones?{}", "tag=a&".repeat(MAX_VALUES_PER_KEY));
        assert!(check_target(&uri(&just)).is_ok());
    }
}
