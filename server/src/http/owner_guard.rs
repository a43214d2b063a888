//! With an organisation allow-list (`DASHBOARD_ALLOWED_ORGS`), an owner outside it does not
//! exist here: every route that names an owner (a page's, a log stream's or a download's path,
//! a server function's `owner` argument, a filter's `ownerId`) answers 404 before any upstream
//! call, whatever else the user's token could reach. Without a list, this layer does nothing.

use crate::http::error::error_response;
use crate::http::page::Page;
use app::error::AppError;
use app::ssr::AllowedOrgs;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// The most of a server function's arguments read to find its owner (theirs are far
/// smaller; a larger body is refused while a list is set).
const MOST: usize = 64 * 1024;

/// Names under which an owner travels: a server function's argument, a filter's field.
const OWNER_KEYS: [&str; 3] = ["owner", "owner_id", "ownerId"];

/// The layer.
pub async fn owners_allowed(
    State(allowed): State<AllowedOrgs>,
    req: Request,
    next: Next,
) -> Response {
    if allowed.0.is_none() {
        return next.run(req).await;
    }
    let path = req.uri().path().to_owned();
    let named = owner_in_path(&path)
        .into_iter()
        .chain(query_owners(req.uri().query().unwrap_or_default()))
        .find(|o| !allowed.allows(o));
    if named.is_some() {
        return not_here(&path);
    }
    if !path.starts_with("/api/") {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MOST).await else {
        return error_response(&AppError::BadRequest(
            "These arguments are too large.".into(),
        ));
    };
    let json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    let owners = if json {
        json_owners(&bytes)
    } else {
        query_owners(&String::from_utf8_lossy(&bytes))
    };
    if owners.iter().any(|o| !allowed.allows(o)) {
        return not_here(&path);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The owner a path names: `/orgs/{owner}/…`, `/stream/orgs/{owner}/…`,
/// `/download/orgs/{owner}/…`.
fn owner_in_path(path: &str) -> Option<String> {
    let mut segments = path.trim_start_matches('/').split('/');
    let first = segments.next()?;
    let owner = match first {
        "orgs" => segments.next()?,
        "stream" | "download" if segments.next()? == "orgs" => segments.next()?,
        _ => return None,
    };
    let owner = percent_decode(owner);
    (!owner.is_empty()).then_some(owner)
}

fn percent_decode(s: &str) -> String {
    serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("x={s}"))
        .ok()
        .and_then(|mut v| v.pop())
        .map_or_else(|| s.to_owned(), |(_, v)| v)
}

/// Owners named in a query or a form body, under any of [`OWNER_KEYS`], nested keys
/// (`filter[owner_id]`) included.
fn query_owners(query: &str) -> Vec<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, v)| {
            let last = k
                .rsplit(['[', '.'])
                .next()
                .unwrap_or(k)
                .trim_end_matches(']');
            !v.is_empty() && OWNER_KEYS.contains(&last)
        })
        .map(|(_, v)| v)
        .collect()
}

/// Owners named in a JSON body: at its top level or one object down (a filter).
fn json_owners(body: &[u8]) -> Vec<String> {
    let Ok(serde_json::Value::Object(top)) = serde_json::from_slice::<serde_json::Value>(body)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut look = |map: &serde_json::Map<String, serde_json::Value>| {
        for key in OWNER_KEYS {
            if let Some(o) = map
                .get(key)
                .and_then(|v| v.as_str())
                .filter(|o| !o.is_empty())
            {
                out.push(o.to_owned());
            }
        }
    };
    look(&top);
    for nested in top.values().filter_map(|v| v.as_object()) {
        look(nested);
    }
    out
}

/// A 404, as JSON for machines and as a page for people: the owner is not one of this
/// dashboard's.
fn not_here(path: &str) -> Response {
    if ["/api/", "/stream/", "/download/"]
        .iter()
        .any(|p| path.starts_with(p))
    {
        return error_response(&AppError::not_found("this organisation"));
    }
    Page {
        title: "Not found",
        frame: "narrow",
        head: String::new(),
        main: "<h1>Not found</h1><p>This organisation is not one this dashboard shows.</p>\
               <p><a href=\"/\">Back to the dashboard</a></p>"
            .to_owned(),
    }
    .answer(StatusCode::NOT_FOUND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_are_found_wherever_a_route_names_them() {
        assert_eq!(
            owner_in_path("/orgs/orga_1/invoices").as_deref(),
            Some("orga_1")
        );
        assert_eq!(
            owner_in_path("/stream/orgs/orga_2/apps/x/logs").as_deref(),
            Some("orga_2")
        );
        assert_eq!(
            owner_in_path("/download/orgs/orga%5F3/invoices.csv").as_deref(),
            Some("orga_3")
        );
        assert_eq!(owner_in_path("/zones"), None);
        assert_eq!(owner_in_path("/download/x"), None);
        assert_eq!(query_owners("ownerId=orga_4&tag=a"), ["orga_4"]);
        assert_eq!(query_owners("owner=orga_5&resource=app_1"), ["orga_5"]);
        assert_eq!(query_owners("filter%5Bowner_id%5D=orga_6"), ["orga_6"]);
        assert_eq!(
            json_owners(br#"{"owner":"orga_7","filter":{"owner_id":"orga_8"}}"#),
            ["orga_7", "orga_8"]
        );
        assert!(json_owners(b"not json").is_empty());
    }
}
