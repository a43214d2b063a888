//! `POST /login` and `POST /logout`: the only places a token enters or leaves a session.

use crate::AppState;
use crate::client::ClientAddr;
use crate::sessions;
use app::error::AppError;
use app::model::logs::EndedBy;
use app::model::navigation::SelfUser;
use app::ssr::session::{
    SessionUser, SignedInWith, USER_KEY, credentials_of, current_user_of, store_credentials,
};
use app::ssr::{ApiToken, Credentials};
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
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

fn attempt(outcome: &'static str) {
    metrics::counter!("dashboard_sign_in_attempts_total", "outcome" => outcome).increment(1);
}

pub(crate) fn back_to_login(code: &'static str) -> Response {
    back_to_login_then(code, None)
}

/// The sign-in page with the message `code`, keeping the page to return to.
pub(crate) fn back_to_login_then(code: &'static str, next: Option<&str>) -> Response {
    attempt(code);
    let mut to = crate::security::login_then(next);
    to.push(if to.contains('?') { '&' } else { '?' });
    to.push_str("error=");
    to.push_str(code);
    Redirect::to(&to).into_response()
}

/// Where a new session goes: the page asked for before signing in, else home.
pub(crate) fn landing(next: Option<&str>) -> Response {
    Redirect::to(
        next.and_then(app::logic::redirect::local_path)
            .unwrap_or("/"),
    )
    .into_response()
}

/// The form again, with a 429, when a client tries too often (nothing went upstream).
pub(crate) fn too_many_attempts(wait: std::time::Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let css = app::assets::stylesheet();
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
        <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
        <title>Sign in</title><link rel=\"stylesheet\" href=\"{css}\"></head>\
        <body><main class=\"login\"><h1>☁ Clever dashboard</h1>\
        <p class=\"notice error\" role=\"alert\">Too many sign-in attempts from your address: \
        try again in {secs} s.</p>\
        <form method=\"post\" action=\"/login\" class=\"login-form\">\
        <label for=\"token\">API token</label>\
        <input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"off\" required>\
        <button type=\"submit\">Sign in</button></form></main></body></html>"
    );
    (
        StatusCode::TOO_MANY_REQUESTS,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
            (header::RETRY_AFTER, secs.to_string()),
        ],
        page,
    )
        .into_response()
}

/// Validates the token with `GET /v2/self`, then starts a fresh session holding it. Attempts
/// are limited per client address and in total before anything goes upstream.
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    session: Session,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    if let Err(wait) = state.signin.check(client) {
        tracing::warn!(target: "audit", action = "sign-in", outcome = "too many attempts",
            %client, wait_secs = wait.as_secs_f64(), "sign-in refused");
        attempt("too many attempts");
        return too_many_attempts(wait);
    }
    let form = form.ok().map(|Form(f)| f);
    let next = form.as_ref().and_then(|f| f.next.clone());
    let next = next.as_deref();
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
    match establish(&state, &session, client, &credentials, user, None).await {
        Ok(()) => landing(next),
        Err(code) => back_to_login_then(code, next),
    }
}

/// Starts a session for `user` signed in with `credentials` (after checking the allow-lists):
/// the session id is cycled, an earlier session's streams end, and the audit event is
/// written. `Err` is the code of the login page's message.
pub(crate) async fn establish(
    state: &AppState,
    session: &Session,
    client: std::net::IpAddr,
    credentials: &Credentials,
    user: SelfUser,
    expires: Option<time::OffsetDateTime>,
) -> Result<(), &'static str> {
    let via = match credentials {
        Credentials::Token(_) => SignedInWith::ApiToken,
        Credentials::OAuth(_) => SignedInWith::CleverCloud,
    };
    if state.allow.restricted() {
        let owners = if state.allow.needs_orgs() {
            match state.upstream.with(credentials).summary().await {
                Ok(summary) => summary.owners().into_iter().map(|o| o.id).collect(),
                Err(_) => return Err("unavailable"),
            }
        } else {
            Vec::new()
        };
        if !state
            .allow
            .allows(&user.id, &user.email, owners.iter().map(String::as_str))
        {
            tracing::warn!(target: "audit", action = "sign-in", outcome = "not allowed",
                user_id = %user.id, email = %user.email, %client, via = ?via, "sign-in refused");
            return Err("not_allowed");
        }
    }
    // A session replaced by this sign-in ends, streams included.
    end_streams(state, session, EndedBy::SignedOut);
    let stored = async {
        session.cycle_id().await?;
        store_credentials(session, credentials).await?;
        session
            .insert(
                USER_KEY,
                SessionUser {
                    id: user.id.clone(),
                    name: if user.name.is_empty() {
                        user.email.clone()
                    } else {
                        user.name.clone()
                    },
                    email: user.email.clone(),
                    via,
                    expires: expires.map(|t| t.unix_timestamp()),
                },
            )
            .await?;
        sessions::start(session, &state.lifetimes).await
    };
    if let Err(e) = stored.await {
        tracing::error!(target: "audit", action = "sign-in", outcome = "store unavailable",
            user_id = %user.id, %client, error = %e, "sign-in failed");
        return Err("store");
    }
    attempt("ok");
    metrics::counter!("dashboard_signed_in_total").increment(1);
    tracing::info!(target: "audit", action = "sign-in", outcome = "ok", user_id = %user.id,
        email = %user.email, %client, via = ?via, "signed in");
    Ok(())
}

/// Ends the log streams of this session on this replica now (the other replicas see the
/// record gone within a second).
pub(crate) fn end_streams(state: &AppState, session: &Session, why: EndedBy) {
    if let Some(id) = session.id() {
        state.streams.end_session(&id, why);
    }
}

/// Deletes the session record and goes back to the login page. When the store does not
/// answer, the session cannot be deleted: the page says so rather than pretend.
pub async fn logout(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    session: Session,
) -> Response {
    end_streams(&state, &session, EndedBy::SignedOut);
    let user = current_user_of(&session).await.unwrap_or_default();
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
        return crate::security::store_unavailable("/logout");
    }
    metrics::counter!("dashboard_signed_out_total").increment(1);
    tracing::info!(target: "audit", action = "sign-out", outcome = "ok", user_id = %user.id,
        email = %user.email, %client, "signed out");
    Redirect::to("/login?reason=logged_out").into_response()
}
