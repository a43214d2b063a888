//! Logs (`/v4/logs`, `/v4/accesslogs`): an application's runtime or access log stream, or an
//! add-on's runtime logs, as server-sent events.

use super::{Accept, Authed, Call};
use crate::error::AppError;
use crate::ids::SegmentId;
use crate::model::logs::{ACCESS_BATCH_EVENT, BATCH_EVENT, event};
use crate::query::LogQuery;
use futures::Stream;
use reqwest::Response;
use std::pin::Pin;

/// A log stream's events as parsed, each at most [`super::capped::MAX_EVENT_BYTES`].
pub type LogEvents = Pin<
    Box<
        dyn Stream<
                Item = Result<sseer::event::Event, sseer::errors::EventStreamError<reqwest::Error>>,
            > + Send,
    >,
>;

/// Which log stream, of whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogSource {
    /// An application's runtime logs (`APPLICATION_LOG`).
    App { owner: SegmentId, app: SegmentId },
    /// An add-on's runtime logs, by its real id (`RESOURCE_LOG`).
    Addon {
        owner: SegmentId,
        real_id: SegmentId,
    },
    /// An application's access logs (`ACCESS_LOG`).
    Access { owner: SegmentId, app: SegmentId },
}

/// Which kind of log stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogKind {
    App,
    Addon,
    Access,
}

impl LogSource {
    /// The stream of `kind` of `owner`'s `id` (an application, or an add-on's real id), both
    /// checked as path segments.
    pub fn parse(kind: LogKind, owner: &str, id: &str) -> Result<Self, AppError> {
        let owner = SegmentId::parse("owner id", owner)?;
        Ok(match kind {
            LogKind::App => Self::App {
                owner,
                app: SegmentId::parse("application id", id)?,
            },
            LogKind::Addon => Self::Addon {
                owner,
                real_id: SegmentId::parse("add-on id", id)?,
            },
            LogKind::Access => Self::Access {
                owner,
                app: SegmentId::parse("application id", id)?,
            },
        })
    }

    /// The event name of its lines.
    pub fn line_event(&self) -> &'static str {
        match self {
            Self::App { .. } => event::APPLICATION_LOG,
            Self::Addon { .. } => event::RESOURCE_LOG,
            Self::Access { .. } => event::ACCESS_LOG,
        }
    }

    /// The event name of the relay's batches of its lines.
    pub fn batch_event(&self) -> &'static str {
        match self {
            Self::Access { .. } => ACCESS_BATCH_EVENT,
            _ => BATCH_EVENT,
        }
    }

    /// The query the upstream takes for this stream: access logs have no `filter`,
    /// `instanceId`, `deploymentId` or `service` (filtering them is ours), add-ons no
    /// `instanceId` or `service`.
    pub fn fit(&self, q: &LogQuery) -> LogQuery {
        let mut q = q.clone();
        match self {
            Self::App { .. } => {}
            Self::Addon { .. } => {
                q.instance_id = None;
                q.services.clear();
            }
            Self::Access { .. } => {
                q.instance_id = None;
                q.deployment_id = None;
                q.services.clear();
                q.filter = None;
            }
        }
        q
    }
}

impl Authed<'_> {
    /// The stream of `source` as an SSE response to read on, from after `last_event_id` when
    /// given.
    pub async fn log_stream(
        &self,
        source: &LogSource,
        q: &LogQuery,
        last_event_id: Option<&str>,
    ) -> Result<Response, AppError> {
        let p = match source {
            LogSource::App { owner, app } => {
                path!("v4/logs/organisations/{}/applications/{}/logs", owner, app)
            }
            LogSource::Addon { owner, real_id } => {
                path!("v4/logs/organisations/{}/resources/{}/logs", owner, real_id)
            }
            LogSource::Access { owner, app } => path!(
                "v4/accesslogs/organisations/{}/applications/{}/accesslogs",
                owner,
                app
            ),
        };
        let q = source.fit(q);
        let mut call = Call::get(p).query(q.pairs()).streaming(Accept::EventStream);
        if let Some(id) = last_event_id {
            call = call.header("last-event-id", id);
        }
        self.send(call).await
    }
}

impl Authed<'_> {
    /// The stream of `source` as parsed events, from after `last_event_id` when given.
    pub async fn log_events(
        &self,
        source: &LogSource,
        q: &LogQuery,
        last_event_id: Option<&str>,
    ) -> Result<LogEvents, AppError> {
        let resp = self.log_stream(source, q, last_event_id).await?;
        // The parser slices events out of the chunks it is given, and a slice of the HTTP
        // client's read buffer would keep that whole buffer alive between reads (about 6 KiB
        // per idle stream, measured): `capped` copies the events it passes into their own.
        let chunks = super::capped::capped(resp.bytes_stream(), super::capped::MAX_EVENT_BYTES);
        Ok(Box::pin(sseer::EventStream::new(chunks)))
    }
}
