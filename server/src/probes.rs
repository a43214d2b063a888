//! The probes: `/livez` (the process is up) and `/readyz` (the session store and the upstream
//! answer, and the server is not shutting down).

use crate::state::AppState;
use axum::extract::State;
use axum::response::IntoResponse;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// `GET /livez` (and `/healthz`): the process is up.
pub(crate) async fn live() -> &'static str {
    "ok"
}

/// How long a readiness verdict is reused, and the longest each check may take.
const READY_FOR: Duration = Duration::from_secs(1);

/// `GET /readyz`: 200 when the session store and the upstream answer within a second and the
/// server is not shutting down, else 503 saying which.
pub(crate) async fn ready(State(state): State<AppState>) -> axum::response::Response {
    let verdict = if state.draining.load(Ordering::SeqCst) {
        Err("shutting down")
    } else {
        // One check at a time: probes arriving while it runs wait for its verdict rather than
        // each calling the store and the upstream (a slow upstream would otherwise turn R
        // probes a second into R upstream calls a second).
        let mut last = state.readiness.0.lock().await;
        match *last {
            Some((at, v)) if at.elapsed() < READY_FOR => v,
            _ => {
                let (store, upstream) =
                    tokio::join!(state.store.ping(), state.upstream.reachable(READY_FOR));
                let v = match (store, upstream) {
                    (false, _) => Err("session store unavailable"),
                    (true, false) => Err("upstream unreachable"),
                    (true, true) => Ok(()),
                };
                *last = Some((std::time::Instant::now(), v));
                v
            }
        }
    };
    match verdict {
        Ok(()) => (axum::http::StatusCode::OK, "ready".to_owned()).into_response(),
        Err(why) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {why}"),
        )
            .into_response(),
    }
}
