//! The answers of a sign-in that did not end in a session: back to the sign-in page with a
//! message, the page asked for once signed in, the form again with a 429.

use crate::http::render::Renderer;
use crate::http::session_guard::login_saying;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

pub(crate) fn attempt(outcome: &'static str) {
    metrics::counter!("dashboard_sign_in_attempts_total", "outcome" => outcome).increment(1);
}

pub(crate) fn back_to_login(code: &'static str) -> Response {
    back_to_login_then(code, None)
}

/// The sign-in page with the message `code`, keeping the page to return to.
pub(crate) fn back_to_login_then(code: &'static str, next: Option<&str>) -> Response {
    attempt(code);
    Redirect::to(&login_saying(("error", code), next)).into_response()
}

/// Where a new session goes: the page asked for before signing in, else home.
pub(crate) fn landing(next: Option<&str>) -> Response {
    Redirect::to(
        next.and_then(app::logic::redirect::local_path)
            .unwrap_or("/"),
    )
    .into_response()
}

/// The sign-in page itself, with a 429 and its message, when a client tries too often
/// (nothing went upstream); it keeps the page to return to, and offers every way in.
pub(crate) async fn too_many_attempts(
    page: &Renderer,
    wait: std::time::Duration,
    next: Option<&str>,
) -> Response {
    let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    let mut query = vec![("error", "too_many".to_owned()), ("wait", secs.to_string())];
    if let Some(next) = next.and_then(app::logic::redirect::local_path) {
        query.push(("next", next.to_owned()));
    }
    let target = format!(
        "/login?{}",
        serde_urlencoded::to_string(&query).unwrap_or_default()
    );
    let mut resp = page.get(&target).await;
    *resp.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    resp
}
