//! The signed-in extractor: a handler that takes `SignedIn` has the session's credentials,
//! and a request without them is answered 401 before the handler runs.

use crate::http::error::JsonError;
use app::error::AppError;
use app::ssr::Credentials;
use app::ssr::session::credentials_of;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tower_sessions::Session;

/// The credentials of a signed-in session, with the session they came from.
pub struct SignedIn {
    pub credentials: Credentials,
    pub session: Session,
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = JsonError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // The session layer is around every route; without it nobody is signed in.
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::Unauthorized)?;
        let credentials = credentials_of(&session)
            .await
            .ok_or(AppError::Unauthorized)?;
        Ok(Self {
            credentials,
            session,
        })
    }
}
