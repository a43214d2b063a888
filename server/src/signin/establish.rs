//! What every way of signing in ends with: the allow-lists checked, the session id cycled,
//! the credentials and the user stored, the audit event written.

use crate::sessions;
use crate::signin::answers::attempt;
use crate::state::AppState;
use app::logic::sessions::device_label;
use app::model::logs::EndedBy;
use app::model::navigation::SelfUser;
use app::ssr::Credentials;
use app::ssr::session::{
    ALLOWED_AT_KEY, FROM_KEY, SessionUser, SignedInFrom, SignedInWith, USER_KEY, store_credentials,
};
use tower_sessions::Session;

/// Starts a session for `user` signed in with `credentials` (after checking the allow-lists):
/// the session id is cycled, an earlier session's streams end, and the audit event is
/// written. `Err` is the code of the login page's message.
pub(crate) async fn establish(
    state: &AppState,
    session: &Session,
    client: std::net::IpAddr,
    headers: &axum::http::HeaderMap,
    credentials: &Credentials,
    user: SelfUser,
    expires: Option<time::OffsetDateTime>,
) -> Result<(), &'static str> {
    let via = match credentials {
        Credentials::Token(_) => SignedInWith::ApiToken,
        Credentials::OAuth(_) => SignedInWith::CleverCloud,
    };
    match state
        .allow
        .admits(&state.upstream, credentials, &user.id, &user.email)
        .await
    {
        Some(true) => {}
        Some(false) => {
            tracing::warn!(target: "audit", action = "sign-in", outcome = "not allowed",
                user_id = %user.id, email = %user.email, %client, via = ?via, "sign-in refused");
            return Err("not_allowed");
        }
        None => return Err("unavailable"),
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
        session.insert(ALLOWED_AT_KEY, sessions::now_ms()).await?;
        session
            .insert(FROM_KEY, signed_in_from(client, headers))
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

/// Where a sign-in comes from, for "Your sessions": the browser and system its `User-Agent`
/// names (a short label, never the header itself) and the client's address.
fn signed_in_from(client: std::net::IpAddr, headers: &axum::http::HeaderMap) -> SignedInFrom {
    let agent = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    SignedInFrom {
        device: device_label(agent),
        address: client.to_string(),
    }
}

/// Ends the log streams of this session on this replica now (the other replicas see the
/// record gone within a second).
pub(crate) fn end_streams(state: &AppState, session: &Session, why: EndedBy) {
    if let Some(id) = session.id() {
        state.streams.end_session(&id, why);
    }
}
