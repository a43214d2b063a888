//! The demo as an OAuth 1.0a provider, the way Clever Cloud's API host is one: a fixed demo
//! consumer, the three handshake endpoints, an authorize page with Allow and Deny, access
//! tokens with an expiry date, revocation, and a signature check on every handshake step and
//! every OAuth-signed API call (an unknown consumer or token, a wrong signature, a replayed
//! nonce or a stale timestamp get the upstream's 401).
//! The provider's records and its signature check are in `provider`; this file holds the
//! endpoints and the authorize page.

pub(crate) mod records;

pub use records::{CONSUMER_KEY, CONSUMER_SECRET};

use crate::html::escape;
use crate::params::api_error;
use crate::state::Shared;
use app::ssr::oauth1::{self, param};
use axum::Form;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use records::{ACCESS_TOKEN_DAYS, AccessGrant, REQUEST_TOKEN_FOR, RequestToken, lock};
use serde::Deserialize;
use std::time::Instant;
use time::OffsetDateTime;

/// Every right a Clever Cloud consumer can be granted, with what the authorize page says.
pub const RIGHTS: [(&str, &str); 11] = [
    (
        "access_organisations",
        "See your organisations, applications and add-ons",
    ),
    (
        "access_organisations_bills",
        "See your organisations' invoices",
    ),
    (
        "access_organisations_consumption_statistics",
        "See your organisations' consumption",
    ),
    (
        "access_organisations_credit_count",
        "See your organisations' credits",
    ),
    (
        "access_personal_information",
        "See your name and email address",
    ),
    ("manage_organisations", "Manage your organisations"),
    (
        "manage_organisations_applications",
        "Manage your applications and their log drains",
    ),
    (
        "manage_organisations_members",
        "Manage your organisations' members",
    ),
    (
        "manage_organisations_services",
        "Manage your add-ons (operators, Pulsar policies)",
    ),
    (
        "manage_personal_information",
        "Change your personal information",
    ),
    ("manage_ssh_keys", "Manage your SSH keys"),
];

fn unauthorized(why: &str) -> Response {
    api_error(StatusCode::UNAUTHORIZED, why)
}

/// A form-encoded handshake answer.
fn form_answer(pairs: &[(&str, &str)]) -> Response {
    let body = serde_urlencoded::to_string(pairs).unwrap_or_default();
    (
        [(header::CONTENT_TYPE, "application/x-www-form-urlencoded")],
        body,
    )
        .into_response()
}

/// Whether an API call is signed with a live access token: the token, or why not.
pub(crate) fn check_call(demo: &Shared, req: &Request) -> Result<String, &'static str> {
    let provider = &demo.oauth;
    let params = provider.check(req.method(), req.uri(), req.headers(), |t| {
        provider.access_secret(t)
    })?;
    Ok(param(&params, "oauth_token").unwrap_or_default().to_owned())
}

/// The right an API call needs, when the demo consumer was not granted it (`DEMO_OAUTH_RIGHTS`).
/// A token may always revoke itself.
pub(crate) fn missing_right(demo: &Shared, method: &Method, path: &str) -> Option<&'static str> {
    if *method == Method::DELETE && path.starts_with("/v2/self/tokens/") {
        return None;
    }
    let right = oauth1::right_for(method.as_str(), path);
    let granted = &demo.knobs.oauth_rights;
    (!granted.is_empty() && !granted.iter().any(|r| r == right)).then_some(right)
}

/// The handshake's routes (no token needed), and `/demo/oauth` for tests.
pub(crate) fn handshake_routes() -> axum::Router<Shared> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/v2/oauth/request_token", post(request_token))
        .route("/v2/oauth/authorize", get(authorize_page).post(authorize))
        .route("/v2/oauth/access_token", post(access_token))
        .route("/demo/oauth", get(issued))
}

/// `POST /v2/oauth/request_token`: signed with the consumer alone, with `oauth_callback`.
pub(crate) async fn request_token(
    State(demo): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let params = match demo.oauth.check(&method, &uri, &headers, |_| None) {
        Ok(p) => p,
        Err(why) => return unauthorized(why),
    };
    let Some(callback) = param(&params, "oauth_callback")
        .filter(|c| reqwest::Url::parse(c).is_ok_and(|u| matches!(u.scheme(), "http" | "https")))
    else {
        return api_error(StatusCode::BAD_REQUEST, "Missing or invalid oauth_callback");
    };
    let token = format!("rt_{}", oauth1::nonce());
    let secret = oauth1::nonce();
    let mut requests = lock(&demo.oauth.requests);
    requests.retain(|_, r| r.created.elapsed() < REQUEST_TOKEN_FOR);
    requests.insert(
        token.clone(),
        RequestToken {
            secret: secret.clone(),
            callback: callback.to_owned(),
            verifier: None,
            created: Instant::now(),
        },
    );
    form_answer(&[
        ("oauth_token", &token),
        ("oauth_token_secret", &secret),
        ("oauth_callback_confirmed", "true"),
    ])
}

#[derive(Deserialize)]
pub(crate) struct AuthorizeQuery {
    #[serde(default)]
    oauth_token: String,
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>\
         body{{font-family:system-ui,sans-serif;background:#f4f5f9;color:#1d1f29;margin:0}}\
         main{{max-width:32rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:12px;\
         box-shadow:0 2px 12px #0001}}h1{{font-size:1.3rem}}li{{margin:.3rem 0}}\
         .who{{color:#555}}.actions{{display:flex;gap:1rem;margin-top:1.5rem}}\
         button{{font:inherit;padding:.6rem 1.4rem;border-radius:6px;border:1px solid #3569aa;\
         cursor:pointer}}.allow{{background:#3569aa;color:#fff}}.deny{{background:#fff;color:#3569aa}}\
         </style></head><body><main><p class=\"who\">Clever Cloud (demo) · signed in as Ada Lovelace</p>\
         {body}</main></body></html>"
    );
    (status, Html(html)).into_response()
}

/// `GET /v2/oauth/authorize?oauth_token=…`: the page asking the user.
pub(crate) async fn authorize_page(
    State(demo): State<Shared>,
    Query(q): Query<AuthorizeQuery>,
) -> Response {
    let known = lock(&demo.oauth.requests)
        .get(&q.oauth_token)
        .is_some_and(|r| r.created.elapsed() < REQUEST_TOKEN_FOR && r.verifier.is_none());
    if !known {
        return page(
            StatusCode::BAD_REQUEST,
            "Unknown request",
            "<h1>This authorisation request is unknown or has expired</h1>\
             <p>Go back to the application and sign in again.</p>",
        );
    }
    let granted = &demo.knobs.oauth_rights;
    let rights: String = RIGHTS
        .iter()
        .filter(|(r, _)| granted.is_empty() || granted.iter().any(|g| g == r))
        .map(|(r, text)| format!("<li>{text} <code>{r}</code></li>"))
        .collect();
    let token = escape(&q.oauth_token);
    page(
        StatusCode::OK,
        "Authorise Clever Cloud dashboard",
        &format!(
            "<h1>Allow Clever Cloud dashboard to access your account?</h1>\
             <p>It will be able to:</p><ul>{rights}</ul>\
             <form method=\"post\" action=\"/v2/oauth/authorize\" class=\"actions\">\
             <input type=\"hidden\" name=\"oauth_token\" value=\"{token}\">\
             <button class=\"allow\" name=\"decision\" value=\"allow\">Allow</button>\
             <button class=\"deny\" name=\"decision\" value=\"deny\">Deny</button></form>"
        ),
    )
}

#[derive(Deserialize)]
pub(crate) struct Decision {
    #[serde(default)]
    oauth_token: String,
    #[serde(default)]
    decision: String,
}

/// `POST /v2/oauth/authorize`: the user's answer; back to the consumer's callback with a
/// verifier, or with `oauth_problem=user_refused`.
pub(crate) async fn authorize(State(demo): State<Shared>, Form(d): Form<Decision>) -> Response {
    let mut requests = lock(&demo.oauth.requests);
    let Some(req) = requests
        .get_mut(&d.oauth_token)
        .filter(|r| r.created.elapsed() < REQUEST_TOKEN_FOR && r.verifier.is_none())
    else {
        drop(requests);
        return page(
            StatusCode::BAD_REQUEST,
            "Unknown request",
            "<h1>This authorisation request is unknown or has expired</h1>",
        );
    };
    let Ok(mut back) = reqwest::Url::parse(&req.callback) else {
        return api_error(StatusCode::BAD_REQUEST, "Invalid callback");
    };
    if d.decision == "allow" {
        let verifier = oauth1::nonce();
        req.verifier = Some(verifier.clone());
        back.query_pairs_mut()
            .append_pair("oauth_token", &d.oauth_token)
            .append_pair("oauth_verifier", &verifier);
    } else {
        requests.remove(&d.oauth_token);
        back.query_pairs_mut()
            .append_pair("oauth_token", &d.oauth_token)
            .append_pair("oauth_problem", "user_refused");
    }
    Redirect::to(back.as_str()).into_response()
}

/// `POST /v2/oauth/access_token`: signed with the authorised request token and its
/// verifier; the request token is used up either way.
pub(crate) async fn access_token(
    State(demo): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let provider = &demo.oauth;
    let mut verifier = None;
    let checked = provider.check(&method, &uri, &headers, |t| {
        let requests = lock(&provider.requests);
        let r = requests
            .get(t)
            .filter(|r| r.created.elapsed() < REQUEST_TOKEN_FOR)?;
        verifier = r.verifier.clone();
        Some(r.secret.clone())
    });
    let params = match checked {
        Ok(p) => p,
        Err(why) => return unauthorized(why),
    };
    let token = param(&params, "oauth_token").unwrap_or_default();
    lock(&provider.requests).remove(token);
    match (param(&params, "oauth_verifier"), verifier) {
        (Some(given), Some(expected)) if given == expected => {}
        _ => return unauthorized("Invalid or missing oauth_verifier"),
    }
    let access = format!("at_{}", oauth1::nonce());
    let secret = oauth1::nonce();
    let expires = OffsetDateTime::now_utc() + time::Duration::days(ACCESS_TOKEN_DAYS);
    lock(&provider.access).insert(
        access.clone(),
        AccessGrant {
            secret: secret.clone(),
            expires,
        },
    );
    let expiry = app::model::date::format(&expires);
    form_answer(&[
        ("oauth_token", &access),
        ("oauth_token_secret", &secret),
        ("expiration_date", &expiry),
    ])
}

/// `DELETE /v2/self/tokens/{token}`: revokes an access token (signed with it).
pub(crate) async fn revoke(
    State(demo): State<Shared>,
    Path(token): Path<String>,
    req: Request,
) -> Response {
    let signer = req.extensions().get::<OAuthSigner>().map(|s| s.0.clone());
    if signer.as_deref() != Some(token.as_str()) {
        return api_error(StatusCode::FORBIDDEN, "A token can only revoke itself here");
    }
    lock(&demo.oauth.access).remove(&token);
    StatusCode::NO_CONTENT.into_response()
}

/// The access token that signed an API call (set by the demo's authentication).
#[derive(Clone)]
pub(crate) struct OAuthSigner(pub String);

/// `GET /demo/oauth`: the live access tokens and their secrets, for the tests that look for
/// them where they must never be (pages, logs).
pub(crate) async fn issued(State(demo): State<Shared>) -> Response {
    let access = lock(&demo.oauth.access);
    let list: Vec<serde_json::Value> = access
        .iter()
        .map(|(token, g)| serde_json::json!({ "token": token, "secret": g.secret }))
        .collect();
    axum::Json(list).into_response()
}
