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
