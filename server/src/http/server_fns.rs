//! Around the server functions (`/api/…`), the two things decided in one place for all:
//!
//! - the HTTP status of an error: leptos answers every error with 500; the status here comes
//!   from the `AppError` in the answer (400, 403, 404, 429, 502…), whether the function body
//!   raised it or the arguments could not be read before it ran;
//! - the outcome of a form posted without script. A form posted to a server function (every
//!   action form: they are plain HTML forms, also when the page is hydrated) is answered with
//!   a redirect back to its page; what the function answered rides along in the session for
//!   that one next page load (`app::ssr::session::Flash`), where the page shows it beside the
//!   action. Errors ride alike (`FailedFlash`): leptos puts them in the redirect's address
//!   (`__err`), from which they are taken, so a link cannot make a page show an error; the
//!   redirect stays a redirect whatever the error. The redirect names the fragment [`OUTCOME`], the id the
//!   page gives the notice of the action's result, so the reloaded page scrolls to it.

use app::api::FormAnswer;
use app::components::notice::OUTCOME;
use app::error::AppError;
use app::ssr::session::{FAILED_FLASH_KEY, FLASH_KEY, FailedFlash, Flash};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, Uri, header};
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
    if !redirect || session.id().is_none() && session.is_empty().await {
        return (res, Posted::Answered);
    }
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some((clean, failed)) = location.as_deref().and_then(take_error) {
        // The error rides in the session, not in the address.
        let mut res = res;
        if let Err(e) = session.insert(FAILED_FLASH_KEY, failed).await {
            tracing::warn!(error = %e, "could not keep an action's error in the session");
        }
        if let Ok(v) = header::HeaderValue::from_str(&clean) {
            res.headers_mut().insert(header::LOCATION, v);
        }
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

/// A redirect's address without leptos's error parameters, and the error they carried.
fn take_error(location: &str) -> Option<(String, FailedFlash)> {
    let (base, rest) = location.split_once('?')?;
    let (query, fragment) = match rest.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (rest, None),
    };
    let (kept, error) = split_error(query);
    let failed = error?;
    let mut clean = base.to_owned();
    if !kept.is_empty() {
        clean.push('?');
        clean.push_str(&kept);
    }
    if let Some(f) = fragment {
        clean.push('#');
        clean.push_str(f);
    }
    Some((clean, failed))
}

/// A query without `__path` and `__err`, and the error they name when both are there.
fn split_error(query: &str) -> (String, Option<FailedFlash>) {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let value = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let error = match (value("__path"), value("__err")) {
        (Some(path), Some(err)) => Some(FailedFlash { path, err }),
        _ => None,
    };
    let kept: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "__path" && k != "__err")
        .collect();
    (serde_urlencoded::to_string(kept).unwrap_or_default(), error)
}

/// A request's address with the query rewritten (the path kept).
fn with_query(uri: &Uri, query: &str) -> Option<Uri> {
    let pq = if query.is_empty() {
        uri.path().to_owned()
    } else {
        format!("{}?{query}", uri.path())
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(pq.parse().ok()?);
    Uri::from_parts(parts).ok()
}

/// Before a page is rendered: takes the flash out of the session (it is shown once) and hands
/// it to the render through the request's extensions. An error in the address is dropped: a
/// page shows only the error of this session's own form post, put back in the address the
/// render reads from the session.
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
        let (mut query, _) = split_error(req.uri().query().unwrap_or_default());
        match session.get::<FailedFlash>(FAILED_FLASH_KEY).await {
            Ok(Some(failed)) => {
                if let Err(e) = session.remove::<FailedFlash>(FAILED_FLASH_KEY).await {
                    tracing::warn!(error = %e, "could not clear an action's error");
                }
                let error = serde_urlencoded::to_string([
                    ("__path", failed.path.as_str()),
                    ("__err", failed.err.as_str()),
                ])
                .unwrap_or_default();
                if !query.is_empty() {
                    query.push('&');
                }
                query.push_str(&error);
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not read an action's error"),
        }
        if req.uri().query().unwrap_or_default() != query
            && let Some(uri) = with_query(req.uri(), &query)
        {
            *req.uri_mut() = uri;
        }
    }
    next.run(req).await
}
