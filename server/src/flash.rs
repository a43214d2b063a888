//! Action outcomes for forms posted without script. A form posted to a server function (every
//! action form: they are plain HTML forms, also when the page is hydrated) is answered with a
//! redirect back to its page; what the function answered rides along in the session for that
//! one next page load (`app::ssr::session::Flash`), where the page shows it beside the action.

use app::ssr::session::{FLASH_KEY, Flash};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::Session;

/// The most of an answer kept (longer ones are not kept: the page then shows no outcome).
const MOST: usize = 64 * 1024;

/// Whether `req` is a form posted by a browser without script (it accepts HTML).
pub fn is_form_post(req: &Request) -> bool {
    req.method() == Method::POST
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
}

/// Around server functions (leptos registers each at its own route, so this is a layer):
/// when one answered a form post with a redirect and no error, keeps its answer in the
/// session and sends the redirect without a body.
pub async fn keep(req: Request, next: Next) -> Response {
    let session = req.extensions().get::<Session>().cloned();
    let path = req.uri().path().to_owned();
    let form = path.starts_with("/api/") && is_form_post(&req);
    let res = next.run(req).await;
    match session {
        Some(session) if form => kept(&session, &path, res).await,
        _ => res,
    }
}

async fn kept(session: &Session, path: &str, res: Response) -> Response {
    let redirect = matches!(res.status(), StatusCode::FOUND | StatusCode::SEE_OTHER);
    let failed = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|l| l.contains("__err="));
    if !redirect || failed || session.id().is_none() && session.is_empty().await {
        return res;
    }
    let (parts, body) = res.into_parts();
    if let Ok(bytes) = axum::body::to_bytes(body, MOST).await
        && let Ok(body) = String::from_utf8(bytes.to_vec())
    {
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
    res
}

/// Before a page is rendered: takes the flash out of the session (it is shown once) and hands
/// it to the render through the request's extensions.
pub async fn take(mut req: Request, next: Next) -> Response {
    let page = req.method() == Method::GET
        && !["/api/", "/pkg/", "/stream/", "/download/"]
            .iter()
            .any(|p| req.uri().path().starts_with(p))
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    if page && let Some(session) = req.extensions().get::<Session>().cloned() {
        match session.remove::<Flash>(FLASH_KEY).await {
            Ok(Some(flash)) => {
                req.extensions_mut().insert(flash);
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not read an action's outcome"),
        }
    }
    next.run(req).await
}
