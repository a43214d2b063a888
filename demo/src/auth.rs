//! The demo's check of every API call: an API token as `Bearer` (the demo token, or one
//! issued by `POST /demo/tokens`), or an OAuth access token whose signature, nonce and
//! timestamp hold and whose consumer was granted the right the call needs.

use crate::oauth_provider;
use crate::params::api_error;
use crate::state::Shared;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// API tokens as `Bearer`; OAuth access tokens signed per request (the signature, nonce and
/// timestamp checked, and the right the call needs granted to the demo consumer).
pub(crate) async fn authenticate(
    State(demo): State<Shared>,
    mut req: Request,
    next: Next,
) -> Response {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if let Some(t) = authorization.strip_prefix("Bearer ") {
        if demo.accepts(t) {
            return next.run(req).await;
        }
    } else if authorization.starts_with("OAuth ") {
        let signer = match oauth_provider::check_call(&demo, &req) {
            Ok(token) => token,
            Err(why) => return api_error(StatusCode::UNAUTHORIZED, why),
        };
        if let Some(right) = oauth_provider::missing_right(&demo, req.method(), req.uri().path()) {
            return api_error(
                StatusCode::FORBIDDEN,
                &format!("The consumer was not granted the right {right}"),
            );
        }
        req.extensions_mut()
            .insert(oauth_provider::OAuthSigner(signer));
        return next.run(req).await;
    }
    api_error(StatusCode::UNAUTHORIZED, "Invalid or expired token")
}
