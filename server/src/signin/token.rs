//! `POST /login` with an API token, and `POST /logout`.

use crate::http::client_addr::ClientAddr;
use crate::signin::answers::{attempt, back_to_login_then, landing, too_many_attempts};
use crate::signin::establish::{end_streams, establish};
use crate::state::AppState;
use app::error::AppError;
use app::model::logs::EndedBy;
use app::ssr::session::{SessionUser, credentials_in, credentials_of, current_user_of};
use app::ssr::{ApiToken, Credentials};
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use futures::StreamExt;
use serde::Deserialize;
use tower_sessions::Session;

/// The login form.
#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    token: String,
    /// The page to go to once signed in (checked by `redirect::local_path`).
    #[serde(default)]
    next: Option<String>,
}

/// Validates the token with `GET /v2/self`, then starts a fresh session holding it. Attempts
/// are limited per client address and in total before anything goes upstream.
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    session: Session,
    headers: axum::http::HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(f)) => Some(f),
        // Far more than a token: refused without being read.
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                "This sign-in form is too large.",
            )
                .into_response();
        }
        Err(_) => None,
    };
    let next = form.as_ref().and_then(|f| f.next.clone());
    let next = next.as_deref();
    if let Err(wait) = state.signin.check(client) {
        tracing::warn!(target: "audit", action = "sign-in", outcome = "too many attempts",
            %client, wait_secs = wait.as_secs_f64(), "sign-in refused");
        attempt("too many attempts");
        return too_many_attempts(&state.sign_in_page, wait, next).await;
    }
    let Some(token) = form.as_ref().and_then(|f| ApiToken::new(&f.token)) else {
        return back_to_login_then("empty", next);
    };
    let user = match state.upstream.with_token(&token).self_user().await {
        Ok(user) => user,
        Err(e) => {
            // A refused token leaves no session behind, not even an earlier one (whose log
            // streams end on every replica with it).
            end_streams(&state, &session, EndedBy::SignedOut);
            if session.id().is_some() {
                let _ = session.flush().await;
            }
            let code = match e {
                AppError::Unauthorized | AppError::Forbidden { .. } | AppError::NotFound { .. } => {
                    "invalid"
                }
                _ => "unavailable",
            };
            tracing::info!(target: "audit", action = "sign-in", outcome = code, %client,
                "sign-in refused");
            return back_to_login_then(code, next);
        }
    };
    let credentials = Credentials::Token(token);
    // When the token stops working, for the user menu and the fleet board: asked once here,
    // never in the way of signing in (no answer in time, or none at all: unknown).
    let expires = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        state.upstream.with(&credentials).current_token(),
    )
    .await
    .ok()
    .and_then(Result::ok)
    .and_then(|t| t.expiration_date);
    match establish(
        &state,
        &session,
        client,
        &headers,
        &credentials,
        user,
        expires,
    )
    .await
    {
        Ok(()) => landing(next),
        Err(code) => back_to_login_then(code, next),
    }
}

/// The sign-out form: which sessions end.
#[derive(Deserialize, Default)]
pub struct LogoutForm {
    /// `others` (every session of the user but this one), `all` (every one), or none (this
    /// one).
    #[serde(default)]
    scope: Option<String>,
}

/// Deletes the session record and goes back to the login page; with `scope=others` or
/// `scope=all`, the user's other sessions end first (on every replica, their OAuth tokens
/// revoked, their streams ended) and `others` returns to "Your sessions". When the store does
/// not answer, no session can be deleted: the page says so rather than pretend.
pub async fn logout(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    session: Session,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Response {
    let scope = form.map(|Form(f)| f).unwrap_or_default().scope;
    let user = current_user_of(&session).await.unwrap_or_default();
    if let Some(scope @ ("others" | "all")) = scope.as_deref() {
        if user.id.is_empty() {
            return Redirect::to("/login").into_response();
        }
        let ended = match end_other_sessions(&state, &session, client, &user).await {
            Ok(n) => n,
            Err(()) => return crate::http::session_guard::store_unavailable("/logout"),
        };
        if scope == "others" {
            return Redirect::to(&format!("/sessions?ended={ended}")).into_response();
        }
    }
    end_streams(&state, &session, EndedBy::SignedOut);
    // An OAuth access token is revoked upstream; when that fails the user is signed out all
    // the same (the token then lives on until its expiry date, which the log says).
    if let Some(credentials) = credentials_of(&session).await {
        let api = state.upstream.with(&credentials);
        if api.is_oauth() {
            match api.revoke().await {
                Ok(()) => tracing::info!(target: "audit", action = "revoke token", outcome = "ok",
                    user_id = %user.id, email = %user.email, %client, "OAuth token revoked"),
                Err(e) => tracing::warn!(target: "audit", action = "revoke token",
                    outcome = "failed", status = e.status(), sozu_id = e.sozu_id(),
                    user_id = %user.id, email = %user.email, %client,
                    "OAuth token could not be revoked; signing out anyway"),
            }
        }
    }
    if let Err(e) = session.flush().await {
        tracing::warn!(target: "audit", action = "sign-out", outcome = "store unavailable",
            user_id = %user.id, email = %user.email, %client, error = %e,
            "session could not be deleted at sign-out");
        return crate::http::session_guard::store_unavailable("/logout");
    }
    metrics::counter!("dashboard_signed_out_total").increment(1);
    tracing::info!(target: "audit", action = "sign-out", outcome = "ok", user_id = %user.id,
        email = %user.email, %client, "signed out");
    Redirect::to("/login?reason=logged_out").into_response()
}

/// Ends every session of `user` but this one: the records deleted (so every replica's
/// watcher ends their streams), this replica's streams ended now, OAuth tokens revoked.
/// Answers how many ended; `Err` when the store did not answer.
async fn end_other_sessions(
    state: &AppState,
    session: &Session,
    client: std::net::IpAddr,
    user: &SessionUser,
) -> Result<usize, ()> {
    let ended = match state.store.end_sessions_of(&user.id, session.id()).await {
        Ok(ended) => ended,
        Err(e) => {
            tracing::warn!(target: "audit", action = "sign-out elsewhere",
                outcome = "store unavailable", user_id = %user.id, email = %user.email,
                %client, error = %e, "other sessions could not be ended");
            return Err(());
        }
    };
    for record in &ended {
        state.streams.end_session(&record.id, EndedBy::SignedOut);
    }
    let credentials: Vec<_> = ended
        .iter()
        .filter_map(|r| credentials_in(&r.data))
        .collect();
    let revoked = futures::stream::iter(credentials)
        .map(|credentials| async move {
            let api = state.upstream.with(&credentials);
            api.is_oauth() && api.revoke().await.is_ok()
        })
        .buffer_unordered(8)
        .filter(|ok| std::future::ready(*ok))
        .count()
        .await;
    metrics::counter!("dashboard_signed_out_total").increment(ended.len() as u64);
    tracing::info!(target: "audit", action = "sign-out elsewhere", outcome = "ok",
        user_id = %user.id, email = %user.email, %client, sessions = ended.len(),
        oauth_revoked = revoked, "other sessions ended");
    Ok(ended.len())
}
