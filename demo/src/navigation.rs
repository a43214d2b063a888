//! Who the user is and what they can see (`/v2/self`, `/v2/summary`); the world itself is
//! seeded in `world.rs`.

use crate::state::Shared;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/v2/self", get(self_user))
        .route("/v2/summary", get(summary))
        .route("/v2/self/tokens/current", get(current_token))
        .route("/v2/organisations/{owner}/members", get(members))
}

/// The people of every organisation: (name, e-mail, role, two-factor method).
const PEOPLE: [(&str, &str, &str, &str); 6] = [
    ("Ada Lovelace", "ada@example.com", "ADMIN", "TOTP"),
    ("Grace Hopper", "grace@example.com", "MANAGER", "NONE"),
    ("Alan Turing", "alan@example.com", "DEVELOPER", "TOTP"),
    ("Edsger Dijkstra", "edsger@example.com", "DEVELOPER", "NONE"),
    (
        "Barbara Liskov",
        "barbara@example.com",
        "ACCOUNTING",
        "TOTP",
    ),
    ("Ken Thompson", "ken@example.com", "DEVELOPER", "NONE"),
];

/// The user id of one of `PEOPLE` (Ada is the demo's own user).
pub(crate) fn member_id(name: &str) -> String {
    match name {
        "Ada Lovelace" => crate::cast::user_id(),
        other => format!("user_{}", crate::ids::uuid(other)),
    }
}

/// The name of the member with user id `id`, if one is.
pub(crate) fn member_name(id: &str) -> Option<&'static str> {
    PEOPLE
        .iter()
        .map(|p| p.0)
        .find(|name| member_id(name) == id)
}

/// Who deploys: the members who do (by user id), and now and then someone who left.
pub(crate) fn deployer(seed: &str) -> String {
    match crate::ids::pick(seed, 0, 10) {
        0..=4 => crate::cast::user_id(),
        5 | 6 => member_id("Alan Turing"),
        7 => member_id("Edsger Dijkstra"),
        8 => member_id("Ken Thompson"),
        _ => format!("user_{}", crate::ids::uuid("someone who left")),
    }
}

/// `GET /v2/organisations/{o}/members`: an organisation's members with their roles and
/// two-factor method (404 for the personal space, which has none, and for an unknown owner).
async fn members(
    State(demo): State<Shared>,
    axum::extract::Path(owner): axum::extract::Path<String>,
) -> Response {
    let known = demo
        .world
        .summary
        .organisations
        .iter()
        .any(|o| o.id == owner);
    if !known {
        return crate::params::api_error(
            axum::http::StatusCode::NOT_FOUND,
            "Organisation not found",
        );
    }
    // Each organisation has Ada and most of the others (the last one only in Acme).
    let acme = owner == crate::cast::acme_id();
    let list: Vec<serde_json::Value> = PEOPLE
        .iter()
        .filter(|(name, ..)| acme || *name != "Ken Thompson")
        .map(|(name, email, role, mfa)| {
            serde_json::json!({
                "member": {
                    "id": member_id(name),
                    "email": email,
                    "name": name,
                    "avatar": null,
                    "preferredMFA": mfa,
                },
                "role": role,
                "job": if *role == "ACCOUNTING" { "Finance" } else { "Engineering" },
            })
        })
        .collect();
    Json(list).into_response()
}

/// The applications of `owner` (the user's own space or one of their organisations).
pub(crate) fn apps_of<'a>(
    demo: &'a Shared,
    owner: &str,
) -> Option<&'a [app::model::navigation::SummaryApp]> {
    let s = &demo.world.summary;
    if s.user.id == owner {
        return Some(&s.user.applications);
    }
    s.organisations
        .iter()
        .find(|o| o.id == owner)
        .map(|o| o.applications.as_slice())
}

/// How long the demo's tokens live after the demo starts: soon enough for the fleet board to
/// say so (it warns within 14 days).
pub const TOKEN_LIFE_DAYS: i64 = 9;

/// `GET /v2/self/tokens/current`: the token in use, its expiry (epoch ms).
async fn current_token(State(demo): State<Shared>) -> Response {
    let ms = |t: time::OffsetDateTime| (t.unix_timestamp_nanos() / 1_000_000) as i64;
    let started = demo.world.started;
    let expires = match demo.breaks().token_days {
        Some(days) => time::OffsetDateTime::now_utc() + time::Duration::days(days),
        None => started + time::Duration::days(TOKEN_LIFE_DAYS),
    };
    Json(serde_json::json!({
        "creationDate": ms(started - time::Duration::days(80)),
        "expirationDate": ms(expires),
        "lastUtilisation": ms(started),
    }))
    .into_response()
}

/// `GET /v2/self`.
async fn self_user(State(demo): State<Shared>) -> Response {
    Json(&demo.world.user).into_response()
}

/// `GET /v2/summary`; with the `summary_padding_bytes` knob, a huge one (for the size cap).
async fn summary(State(demo): State<Shared>) -> Response {
    let padding = demo.knobs.summary_padding_bytes;
    if padding == 0 {
        return Json(&demo.world.summary).into_response();
    }
    // `{"padding":"xxx…", <the summary's own fields>}`, streamed in 64 KiB chunks.
    let json = serde_json::to_string(&demo.world.summary).unwrap_or_default();
    let rest = format!("\",{}", json.strip_prefix('{').unwrap_or("}"));
    const CHUNK: usize = 64 * 1024;
    let pad = (0..padding.div_ceil(CHUNK))
        .map(move |i| bytes::Bytes::from(vec![b'x'; CHUNK.min(padding - i * CHUNK)]));
    let chunks = std::iter::once(bytes::Bytes::from_static(b"{\"padding\":\""))
        .chain(pad)
        .chain(std::iter::once(bytes::Bytes::from(rest)))
        .map(Ok::<_, std::convert::Infallible>);
    (
        [(header::CONTENT_TYPE, "application/json")],
        axum::body::Body::from_stream(futures::stream::iter(chunks)),
    )
        .into_response()
}
