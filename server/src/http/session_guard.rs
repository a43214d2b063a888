//! The session guard: every page, server function, stream and download needs a live session,
//! except the few public paths; a signed-out page visit goes to the sign-in page, a machine
//! path gets a status; a session store that does not answer gets its own answer.

use crate::http::error::error_response;
use crate::http::page::Page;
use crate::sessions::{self, SessionState};
use crate::state::AppState;
use app::components::auto_refresh::BACKGROUND_HEADER;
use app::error::AppError;
use app::model::logs::EndedBy;
use app::ssr::session::{ALLOWED_AT_KEY, credentials_of, current_user_of, signed_in_within};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Paths served without a session.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login"
            | "/login/oauth"
            | "/oauth/callback"
            | "/api/sign_in_ways"
            | "/favicon.svg"
            | "/robots.txt"
            | "/livez"
            | "/healthz"
            | "/readyz"
            | "/map/land.svg"
    ) || path.starts_with("/pkg/")
}

/// Paths answered with a status rather than a redirect (machines, not pages).
fn is_machine(path: &str) -> bool {
    ["/api/", "/stream/", "/download/"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// Marks the answers that went through `require_session`. An answer without it and with a
/// 500 was made by the session layer around it, which answers a bare 500 when it cannot save
/// the session: `store_errors` turns that into the "session store unavailable" answer.
#[derive(Clone, Copy)]
struct Guarded;

/// Every page and server function other than login requires a live session. The session is
/// read once here (one store read per request, shared with the handlers), activity is
/// recorded at most once a minute, and an ended session is deleted.
pub async fn require_session(
    State(state): State<AppState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    let mut resp = if is_public(&path) {
        next.run(req).await
    } else {
        match sessions::state_of(&session, &state.lifetimes).await {
            SessionState::SignedIn { touch, .. } => {
                // A refresh on a timer is no sign of a person: it does not slide the idle
                // timeout.
                let background = req
                    .headers()
                    .get(BACKGROUND_HEADER)
                    .is_some_and(|v| v == "1");
                if touch
                    && !background
                    && state.touched.claim(&session).await
                    && let Err(e) = sessions::touch(&session, &state.lifetimes).await
                {
                    tracing::warn!(error = %e, "session activity not recorded");
                }
                // The allow-lists hold while a session lives: checked again now and then, a
                // session that no longer passes ends.
                if !still_admitted(&state, &session).await {
                    if let Some(id) = session.id() {
                        state.streams.end_session(&id, EndedBy::SignedOut);
                    }
                    if let Err(e) = session.flush().await {
                        tracing::warn!(error = %e, "a session no longer allowed could not be deleted");
                    }
                    let mut resp = if is_machine(&path) {
                        error_response(&AppError::Unauthorized)
                    } else {
                        Redirect::to("/login?error=not_allowed").into_response()
                    };
                    resp.extensions_mut().insert(Guarded);
                    return resp;
                }
                // An operator's secret is revealed to a recent sign-in only: else the sign-in
                // page first, which comes back here.
                if reveals_a_secret(&req) && !signed_in_within(&session, state.reveal_within).await
                {
                    let back = req.uri().path_and_query().map(|pq| pq.as_str());
                    let to = login_saying(("reason", "reauth"), back);
                    let mut resp = Redirect::to(&to).into_response();
                    resp.extensions_mut().insert(Guarded);
                    return resp;
                }
                next.run(req).await
            }
            SessionState::StoreDown => store_unavailable(&path),
            SessionState::SignedOut(why) => {
                if session.id().is_some() {
                    tracing::debug!(reason = %why, "session ended");
                    if let Err(e) = session.flush().await {
                        tracing::warn!(error = %e, "an ended session could not be deleted");
                    }
                }
                if is_machine(&path) {
                    error_response(&AppError::Unauthorized)
                } else {
                    // A signed-out visitor comes back here after signing in (GET pages only).
                    let back = (req.method() == axum::http::Method::GET)
                        .then(|| req.uri().path_and_query().map(|pq| pq.as_str()))
                        .flatten();
                    Redirect::to(&login_then(back)).into_response()
                }
            }
        }
    };
    resp.extensions_mut().insert(Guarded);
    resp
}

/// Whether the session still passes the allow-lists: asked upstream again once its last
/// admission is older than `DASHBOARD_ALLOW_RECHECK_SECS`; an upstream that does not answer
/// leaves the session as it is until the next request.
async fn still_admitted(state: &AppState, session: &Session) -> bool {
    if !state.allow.restricted() {
        return true;
    }
    let now = sessions::now_ms();
    let at: Option<i64> = session.get(ALLOWED_AT_KEY).await.ok().flatten();
    if at.is_some_and(|at| now.saturating_sub(at) < state.allow_recheck.as_millis() as i64) {
        return true;
    }
    let (Some(credentials), Some(user)) = (
        credentials_of(session).await,
        current_user_of(session).await,
    ) else {
        return false;
    };
    match state
        .allow
        .admits(&state.upstream, &credentials, &user.id, &user.email)
        .await
    {
        Some(true) => {
            if let Err(e) = session.insert(ALLOWED_AT_KEY, now).await {
                tracing::warn!(error = %e, "the allow-lists' admission not recorded");
            }
            true
        }
        Some(false) => {
            tracing::warn!(target: "audit", action = "allow-list recheck", outcome = "not allowed",
                user_id = %user.id, email = %user.email, "session ended: no longer allowed");
            false
        }
        None => true,
    }
}

/// Whether the request is a page revealing an operator's secret (`…/operators/…?reveal=`).
fn reveals_a_secret(req: &Request) -> bool {
    req.method() == Method::GET
        && req.uri().path().starts_with("/orgs/")
        && req.uri().path().contains("/operators/")
        && req
            .uri()
            .query()
            .is_some_and(|q| q.split('&').any(|kv| kv.starts_with("reveal=")))
}

/// The sign-in page with a message (`("error", code)` or `("reason", code)`), keeping the page
/// to return to.
pub fn login_saying((key, code): (&str, &str), next: Option<&str>) -> String {
    let mut to = login_then(next);
    to.push(if to.contains('?') { '&' } else { '?' });
    to.push_str(key);
    to.push('=');
    to.push_str(code);
    to
}

/// The sign-in page, with the page to return to after it when there is one worth it.
pub fn login_then(next: Option<&str>) -> String {
    match next.and_then(app::logic::redirect::local_path) {
        Some(next) => format!(
            "/login?{}",
            serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
        ),
        None => "/login".to_owned(),
    }
}

/// The answer while the session store does not answer: JSON for machines, a short page for
/// people.
pub fn store_unavailable(path: &str) -> Response {
    if is_machine(path) {
        return error_response(&AppError::SessionStoreUnavailable);
    }
    let mut resp = Page {
        title: "Session store unavailable",
        frame: "login",
        head: String::new(),
        main: "<h1>Session store unavailable</h1>\
               <p class=\"notice error\" role=\"alert\">The dashboard cannot reach its session \
               store right now, so it cannot tell who you are. Nothing is lost: try again in a \
               moment.</p><p><a href=\"\">Try again</a></p>"
            .to_owned(),
    }
    .answer(StatusCode::SERVICE_UNAVAILABLE);
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    resp
}

/// Outside the session layer: its bare 500 (a session that could not be saved) becomes the
/// "session store unavailable" answer.
pub async fn store_errors(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let resp = next.run(req).await;
    if resp.status() == StatusCode::INTERNAL_SERVER_ERROR
        && resp.extensions().get::<Guarded>().is_none()
    {
        tracing::warn!(
            path,
            "the session could not be saved: session store unavailable"
        );
        return store_unavailable(&path);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_machine_paths() {
        assert!(is_public("/login"));
        assert!(is_public("/pkg/dashboard.wasm"));
        assert!(!is_public("/"));
        assert!(!is_public("/login/x"));
        assert!(is_machine("/api/shell"));
        assert!(!is_machine("/orgs/x/invoices"));
    }
}
