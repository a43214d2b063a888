//! What every area's handlers share: reading the query as the real API does (repeated
//! parameters, ISO 8601 dates, bounded limits, `order`), and answers in the upstream's error
//! shape. Handlers return [`Reply`], so a refusal leaves with `?`.

use crate::state::Shared;
use app::model::date;
use axum::Json;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

/// A refusal, answered in the upstream's error shape (`{id, message, type}`).
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        api_error(self.status, &self.message)
    }
}

/// A handler's answer; a refusal travels in `Err`, for `?`.
pub type Reply = Result<Response, ApiError>;

/// The query as name/value pairs, repeated names kept.
pub type Params = Query<Vec<(String, String)>>;

/// Every value of `name`.
pub fn all<'a>(q: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    q.iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The first value of `name`.
pub fn one<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// 400.
pub fn bad(message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, message)
}

/// 404.
pub fn not_found(what: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, format!("{what} not found"))
}

/// An optional date parameter.
pub fn date_param(q: &[(String, String)], name: &str) -> Result<Option<OffsetDateTime>, ApiError> {
    match one(q, name) {
        None => Ok(None),
        Some(raw) => date::parse(raw)
            .map(Some)
            .ok_or_else(|| bad(&format!("Invalid {name}: expected an ISO 8601 date"))),
    }
}

/// An optional `limit`, from 1 to `max`.
pub fn limit_param(q: &[(String, String)], max: usize) -> Result<Option<usize>, ApiError> {
    match one(q, "limit") {
        None => Ok(None),
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(Some(n)),
            _ => Err(bad(&format!("Invalid limit: expected 1 to {max}"))),
        },
    }
}

/// Whether `order` asks newest first (the default).
pub fn desc(q: &[(String, String)]) -> Result<bool, ApiError> {
    match one(q, "order") {
        None | Some("DESC") => Ok(true),
        Some("ASC") => Ok(false),
        Some(_) => Err(bad("Invalid order: ASC or DESC")),
    }
}

/// Whether `thing` (an application or add-on id) belongs to `owner`.
pub fn owns(demo: &Shared, owner: &str, thing: &str) -> bool {
    demo.world.owner_of.get(thing).is_some_and(|o| o == owner)
}

/// An error in the upstream's shape: `{id, message, type}`.
pub(crate) fn api_error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "id": status.as_u16(), "message": message, "type": "error" });
    (status, Json(body)).into_response()
}
