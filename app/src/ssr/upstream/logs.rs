//! Logs (`/v4/logs`): an application's log stream, as server-sent events.

use super::{Accept, Authed, Call};
use crate::error::AppError;
use crate::ids::SegmentId;
use crate::query::LogQuery;
use reqwest::Response;

impl Authed<'_> {
    /// `GET /v4/logs/organisations/{o}/applications/{a}/logs` as an SSE response to read on,
    /// from after `last_event_id` when given.
    pub async fn log_stream(
        &self,
        owner: &SegmentId,
        app: &SegmentId,
        q: &LogQuery,
        last_event_id: Option<&str>,
    ) -> Result<Response, AppError> {
        let p = path!("v4/logs/organisations/{}/applications/{}/logs", owner, app);
        let mut call = Call::get(p).query(q.pairs()).streaming(Accept::EventStream);
        if let Some(id) = last_event_id {
            call = call.header("last-event-id", id);
        }
        self.send(call).await
    }
}
