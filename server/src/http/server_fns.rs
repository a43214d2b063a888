//! Around the server functions (`/api/…`), the two things decided in one place for all:
//!
//! - the HTTP status of an error: leptos answers every error with 500; the status here comes
//!   from the `AppError` in the answer (400, 403, 404, 429, 502…), whether the function body
//!   raised it or the arguments could not be read before it ran;
//! - the outcome of a form posted without script. A form posted to a server function (every
//!   action form: they are plain HTML forms, also when the page is hydrated) is answered with
//!   a redirect back to its page; what the function answered rides along in the session for
//!   that one next page load (`app::ssr::session::Flash`), where the page shows it beside the
//!   action. Errors ride in the redirect's address (leptos's `__err`), and the redirect stays
//!   a redirect whatever the error. The redirect names the fragment [`OUTCOME`], the id the
//!   page gives the notice of the action's result, so the reloaded page scrolls to it.

use app::api::FormAnswer;
use app::components::notice::OUTCOME;
use app::error::AppError;
use app::ssr::session::{FLASH_KEY, Flash};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::Session;

/// The most of an answer read here (longer ones are passed on untouched; an outcome that long
/// is not kept, and the page then shows none).
const MOST: usize = 64 * 1024;

/// The header leptos puts on a server function's error answer.
const SERVER_FN_ERROR: &str = "serverfnerror";

/// Whether `req` comes from a browser navigating or posting a form (it accepts HTML), not
/// from a script or a `fetch` (which accept anything).
fn accepts_html(req: &Request) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Whether `req` is a form posted by a browser without script.
pub fn is_form_post(req: &Request) -> bool {
    req.method() == Method::POST && accepts_html(req)
}

/// The layer around server functions (leptos registers each at its own route, so this is a
/// layer rather than a handler).
pub async fn around(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if !path.starts_with("/api/") {
        return next.run(req).await;
    }
    let session = req.extensions().get::<Session>().cloned();
    let form = is_form_post(&req);
    let res = next.run(req).await;
    match session {
        Some(session) if form => match keep_outcome(&session, &path, res).await {
            // The page focuses the first field in error itself (`autofocus`, which a
            // fragment would cancel).
            (res, Posted::Refused) => res,
            (res, Posted::Answered) => to_outcome(res),
        },
        _ if form => to_outcome(res),
        _ => with_status(res).await,
    }
}

/// A redirect back to the page gains `#outcome` (unless it names a fragment already).
fn to_outcome(mut res: Response) -> Response {
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .filter(|l| !l.contains('#'))
        .and_then(|l| header::HeaderValue::from_str(&format!("{l}#{OUTCOME}")).ok());
    if res.status().is_redirection()
        && let Some(l) = location
    {
        res.headers_mut().insert(header::LOCATION, l);
    }
    res
}

/// An error answer with the status its `AppError` calls for.
async fn with_status(res: Response) -> Response {
    if !res.headers().contains_key(SERVER_FN_ERROR) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MOST).await else {
        parts.status = StatusCode::INTERNAL_SERVER_ERROR;
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(e) = serde_json::from_slice::<AppError>(&bytes)
        && let Ok(status) = StatusCode::from_u16(e.status())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// What a server function's answer to a posted form was.
enum Posted {
    /// It refused fields (`app::api::FormAnswer`).
    Refused,
    /// Anything else: done, failed, or not kept.
    Answered,
}

/// When a server function answered a form post with a redirect and no error: keeps its
/// answer in the session and sends the redirect without a body. Also says whether the answer
/// refused fields.
async fn keep_outcome(session: &Session, path: &str, res: Response) -> (Response, Posted) {
    let redirect = matches!(res.status(), StatusCode::FOUND | StatusCode::SEE_OTHER);
    let failed = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|l| l.contains("__err="));
    if !redirect || failed || session.id().is_none() && session.is_empty().await {
        return (res, Posted::Answered);
    }
    let (parts, body) = res.into_parts();
    let mut posted = Posted::Answered;
    if let Ok(bytes) = axum::body::to_bytes(body, MOST).await
        && let Ok(body) = String::from_utf8(bytes.to_vec())
    {
        if FormAnswer::refused(&body) {
            posted = Posted::Refused;
        }
        let flash = Flash {
            path: path.to_owned(),
            body,
        };
        if let Err(e) = session.insert(FLASH_KEY, flash).await {
            tracing::warn!(error = %e, "could not keep an action's outcome in the session");
        }
    }
    let mut res = Response::from_parts(parts, Body::empty());
    res.headers_mut().remove(header::CONTENT_LENGTH);
    res.headers_mut().remove(header::CONTENT_TYPE);
    (res, posted)
}

/// Before a page is rendered: takes the flash out of the session (it is shown once) and hands
/// it to the render through the request's extensions.
pub async fn take_outcome(mut req: Request, next: Next) -> Response {
    let page = req.method() == Method::GET
        && !["/api/", "/pkg/", "/stream/", "/download/"]
            .iter()
            .any(|p| req.uri().path().starts_with(p))
        && accepts_html(&req);
    if page && let Some(session) = req.extensions().get::<Session>().cloned() {
        // Read first: removing marks the session changed, and a changed session is written
        // back to the store, which most page loads (no outcome waiting) must not cost.
        match session.get::<Flash>(FLASH_KEY).await {
            Ok(Some(flash)) => {
                if let Err(e) = session.remove::<Flash>(FLASH_KEY).await {
                    tracing::warn!(error = %e, "could not clear an action's outcome");
                }
                req.extensions_mut().insert(flash);
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not read an action's outcome"),
        }
    }
    next.run(req).await
}
