//! "Sign in with Clever Cloud": the OAuth 1.0a handshake, next to the API-token form.
//!
//! - `GET /login/oauth` asks the provider for a request token (with our callback, built from
//!   `DASHBOARD_PUBLIC_URL`, never from `Host`), keeps it and its secret in the session store
//!   under a fresh random id for ten minutes (the callback may reach another replica), gives
//!   that id to the browser in a short-lived `SameSite=Lax` state cookie (the session cookie is
//!   `Strict`, which the browser does not send on the provider's cross-site redirect), and
//!   sends the browser to the provider's authorize page.
//! - `GET /oauth/callback` takes the kept request token (once: it is deleted on the spot),
//!   checks that the provider's `oauth_token` is that one, exchanges it with the verifier for
//!   an access token, starts the session, and answers a page that moves on to `/` (a same-site
//!   navigation, so the `Strict` session cookie is sent from then on). Anything else (no or a
//!   foreign state cookie, an unknown, replayed or expired request token, a refusal at the
//!   authorize page, a missing verifier) goes back to the login page with a clear message and
//!   no session.

use crate::http::client_addr::ClientAddr;
use crate::http::page::{Page, escape};
use crate::signin::answers::{back_to_login, too_many_attempts};
use crate::signin::clever_cloud_config::Settings;
use crate::signin::establish::establish;
use crate::state::AppState;
use app::error::AppError;
use app::model::logs::EndedBy;
use app::ssr::Credentials;
use app::ssr::oauth1::TokenPair;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use tower_sessions::session::{Id, Record};
use tower_sessions::{Session, SessionStore};

/// Keys of the kept request token in its store record.
const REQUEST_TOKEN: &str = "oauth.request_token";
const REQUEST_SECRET: &str = "oauth.request_secret";
/// Record key of the page to go to once signed in.
const NEXT: &str = "oauth.next";
/// Record key of the session this browser had when it left: it ends when the new one starts
/// (the session cookie is `Strict`, so the provider's redirect back does not carry it).
const PREVIOUS: &str = "oauth.previous_session";

/// Query of `/login/oauth`: the page to return to.
#[derive(Deserialize, Default)]
pub struct StartQuery {
    next: Option<String>,
}

fn with_cookie(mut resp: Response, cookie: HeaderValue) -> Response {
    resp.headers_mut().append(header::SET_COOKIE, cookie);
    resp
}

/// `GET /login/oauth`: starts the handshake.
pub async fn start(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    session: Session,
    query: Result<Query<StartQuery>, QueryRejection>,
) -> Response {
    let next = query
        .ok()
        .and_then(|Query(q)| q.next)
        .filter(|n| app::logic::redirect::local_path(n).is_some());
    let Some(settings) = state.oauth.clone() else {
        return Redirect::to("/login").into_response();
    };
    if let Err(wait) = state.signin.check_oauth_start(client) {
        tracing::warn!(target: "audit", action = "sign-in", outcome = "too many attempts",
            %client, via = "CleverCloud", "sign-in refused");
        return too_many_attempts(&state.sign_in_page, wait, next.as_deref()).await;
    }
    let request = match state.upstream.oauth_request_token(&settings.callback).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(target: "audit", action = "sign-in", outcome = "refused by the provider",
                status = e.status(), sozu_id = e.sozu_id(), %client, via = "CleverCloud",
                "request token refused");
            return back_to_login(match e {
                AppError::Unauthorized | AppError::Forbidden { .. } => "oauth_consumer",
                _ => "unavailable",
            });
        }
    };
    let authorize = match state.upstream.oauth_authorize_url(&request.token) {
        Ok(u) => u,
        Err(_) => return back_to_login("unavailable"),
    };
    let mut record = Record {
        id: Id::default(),
        data: HashMap::from([
            (REQUEST_TOKEN.to_owned(), request.token.clone().into()),
            (REQUEST_SECRET.to_owned(), request.secret.clone().into()),
        ]),
        expiry_date: time::OffsetDateTime::now_utc()
            + time::Duration::try_from(settings.handshake).unwrap_or(time::Duration::MINUTE),
    };
    if let Some(next) = next {
        record.data.insert(NEXT.to_owned(), next.into());
    }
    if let Some(previous) = session.id() {
        record
            .data
            .insert(PREVIOUS.to_owned(), previous.to_string().into());
    }
    if let Err(e) = state.store.create(&mut record).await {
        tracing::warn!(error = %e, "the OAuth handshake could not be kept: session store unavailable");
        return back_to_login("store");
    }
    let cookie = settings.set_cookie(
        &record.id.to_string(),
        settings.handshake.as_secs_f64().ceil() as u64,
    );
    with_cookie(Redirect::to(authorize.as_str()).into_response(), cookie)
}

/// The provider's redirect back.
#[derive(Deserialize, Default)]
pub struct Callback {
    oauth_token: Option<String>,
    oauth_verifier: Option<String>,
    oauth_problem: Option<String>,
    denied: Option<String>,
}

/// What a handshake kept while the user was at the provider.
struct Pending {
    request: TokenPair,
    next: Option<String>,
    previous: Option<Id>,
}

/// Takes the kept request token named by the state cookie, once.
async fn take_request(
    state: &AppState,
    settings: &Settings,
    headers: &HeaderMap,
) -> Result<Pending, &'static str> {
    let id: Id = settings
        .cookie_of(headers)
        .and_then(|v| v.parse().ok())
        .ok_or("oauth_state")?;
    let record = state
        .store
        .load(&id)
        .await
        .map_err(|_| "store")?
        .ok_or("oauth_expired")?;
    if let Err(e) = state.store.delete(&id).await {
        // The provider refuses a second exchange of the same request token anyway.
        tracing::warn!(error = %e, "a used OAuth handshake could not be deleted");
    }
    if record.expiry_date <= time::OffsetDateTime::now_utc() {
        return Err("oauth_expired");
    }
    let text = |k: &str| {
        record
            .data
            .get(k)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    match (text(REQUEST_TOKEN), text(REQUEST_SECRET)) {
        (Some(token), Some(secret)) => Ok(Pending {
            request: TokenPair { token, secret },
            next: text(NEXT),
            previous: text(PREVIOUS).and_then(|p| p.parse().ok()),
        }),
        // A session's id in the state cookie: not a handshake.
        _ => Err("oauth_state"),
    }
}

/// `GET /oauth/callback`: finishes the handshake.
pub async fn callback(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    session: Session,
    headers: HeaderMap,
    query: Result<Query<Callback>, QueryRejection>,
) -> Response {
    let Some(settings) = state.oauth.clone() else {
        return Redirect::to("/login").into_response();
    };
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let clear = settings.set_cookie("", 0);
    let refuse = |code: &'static str| {
        tracing::info!(target: "audit", action = "sign-in", outcome = code, %client,
            via = "CleverCloud", "sign-in refused");
        with_cookie(back_to_login(code), clear.clone())
    };
    let Pending {
        request,
        next,
        previous,
    } = match take_request(&state, &settings, &headers).await {
        Ok(p) => p,
        Err(code) => return refuse(code),
    };
    if q.denied.is_some() || q.oauth_problem.is_some() {
        return refuse("oauth_denied");
    }
    if q.oauth_token.as_deref() != Some(request.token.as_str()) {
        return refuse("oauth_state");
    }
    let Some(verifier) = q.oauth_verifier.filter(|v| !v.is_empty() && v.len() <= 512) else {
        return refuse("oauth_incomplete");
    };
    let access = match state.upstream.oauth_access_token(&request, &verifier).await {
        Ok(a) => a,
        Err(AppError::Unauthorized | AppError::Forbidden { .. } | AppError::NotFound { .. }) => {
            return refuse("oauth_expired");
        }
        Err(_) => return refuse("unavailable"),
    };
    let credentials = Credentials::OAuth(access.pair);
    let user = match state.upstream.with(&credentials).self_user().await {
        Ok(u) => u,
        Err(_) => return refuse("unavailable"),
    };
    match establish(
        &state,
        &session,
        client,
        &headers,
        &credentials,
        user,
        access.expires,
    )
    .await
    {
        Ok(()) => {
            if let Some(previous) = previous.filter(|p| Some(*p) != session.id()) {
                end_previous(&state, &previous).await;
            }
            with_cookie(continue_page(next.as_deref()), clear)
        }
        Err(code) => {
            // Not allowed here (or no store): the fresh token is of no use, give it back.
            let _ = state.upstream.with(&credentials).revoke().await;
            with_cookie(back_to_login(code), clear)
        }
    }
}

/// The end of the callback: a page of ours that moves on to the page asked before signing in
/// (else `/`), so that the next request is a same-site navigation and carries the `Strict`
/// session cookie.
/// Ends the session the browser had before this sign-in: its record is deleted (every
/// replica's streams of it end within a second; this one's now).
async fn end_previous(state: &AppState, previous: &Id) {
    state.streams.end_session(previous, EndedBy::SignedOut);
    if let Err(e) = state.store.delete(previous).await {
        tracing::warn!(error = %e, "the session this sign-in replaces could not be deleted");
    }
}

fn continue_page(next: Option<&str>) -> Response {
    let to = escape(
        next.and_then(app::logic::redirect::local_path)
            .unwrap_or("/"),
    );
    Page {
        title: "Signed in",
        frame: "login",
        head: format!("<meta http-equiv=\"refresh\" content=\"0; url={to}\">"),
        main: format!(
            "<h1>☁ Clever dashboard</h1>\
             <p class=\"notice info\" role=\"status\">Signed in with Clever Cloud.</p>\
             <p><a class=\"button\" href=\"{to}\">Continue to the dashboard</a></p>"
        ),
    }
    .answer(StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_parameters_parse_every_way_back() {
        let parse = |q: &str| serde_urlencoded::from_str::<Callback>(q).expect("parses");
        let ok = parse("oauth_token=rt_1&oauth_verifier=v%2F1");
        assert_eq!(ok.oauth_token.as_deref(), Some("rt_1"));
        assert_eq!(ok.oauth_verifier.as_deref(), Some("v/1"));
        assert!(ok.denied.is_none() && ok.oauth_problem.is_none());
        assert_eq!(
            parse("oauth_token=rt_1&oauth_problem=user_refused")
                .oauth_problem
                .as_deref(),
            Some("user_refused")
        );
        assert!(parse("denied=rt_1").denied.is_some());
        let none = parse("");
        assert!(none.oauth_token.is_none() && none.oauth_verifier.is_none());
        // Unknown parameters are ignored.
        assert!(parse("foo=bar&oauth_token=t").oauth_token.is_some());
    }
}
