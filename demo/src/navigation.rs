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
