//! Errors as answers: an `AppError` becomes a JSON body with its status. Handlers of machine
//! paths return `Result<_, JsonError>` and use `?`.

use app::error::AppError;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// An `AppError` as a JSON answer with its status.
pub fn error_response(e: &AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_string(e).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A refusal of a machine path (a stream, a server function's guard): JSON with its status.
#[derive(Debug)]
pub struct JsonError(pub AppError);

impl From<AppError> for JsonError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for JsonError {
    fn into_response(self) -> Response {
        error_response(&self.0)
    }
}
