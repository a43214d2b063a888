//! Log stream events (`/v4/logs/.../logs`, server-sent events).

use super::{Timestamp, date, nullable};
use serde::{Deserialize, Serialize};

/// The SSE `event:` names of the log streams.
pub mod event {
    /// A runtime log line of an application.
    pub const APPLICATION_LOG: &str = "APPLICATION_LOG";
    /// A runtime log line of an add-on.
    pub const RESOURCE_LOG: &str = "RESOURCE_LOG";
    /// An HTTP access log line.
    pub const ACCESS_LOG: &str = "ACCESS_LOG";
    /// Keep-alive, about every 2 s.
    pub const HEARTBEAT: &str = "HEARTBEAT";
    /// The stream is over; data says why.
    pub const END_OF_STREAM: &str = "END_OF_STREAM";
}

wire_enum!(
    /// Why a log stream ended: the upstream's reasons, then the relay's own (the session
    /// was signed out or replaced, or it expired).
    EndedBy {
        UntilReached => "UNTIL_REACHED",
        LimitReached => "LIMIT_REACHED",
        SignedOut => "SIGNED_OUT",
        SessionExpired => "SESSION_EXPIRED",
    }
);

/// Data of the relay's own `relay` events: what the dashboard's relay tells the viewer about
/// the stream (written by the server, read by the viewer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum RelayState {
    /// Connected upstream (again).
    Live,
    /// The upstream was lost; the relay tries again (`attempt` counts from 1).
    Reconnecting { attempt: u32, reason: String },
    /// This replica is shutting down: the browser reconnects (to another replica where there
    /// is one) and resumes from its last id.
    Restarting,
    /// The stream cannot go on.
    Error { status: u16, message: String },
}

/// The SSE `event:` name of `RelayState` events.
pub const RELAY_EVENT: &str = "relay";

/// The SSE `event:` name of the relay's batches of runtime log lines (an application's or an
/// add-on's), sent instead of one `APPLICATION_LOG` (or `RESOURCE_LOG`) per line when the stream is asked with [`BATCH_PARAM`]`=1` (the viewer
/// does): one `data:` line per log line, in order, and the `id` of the last one that had an
/// id. A browser dispatches one event per batch instead of one per line.
pub const BATCH_EVENT: &str = "APPLICATION_LOGS";

/// The SSE `event:` name of the relay's batches of access log lines (as [`BATCH_EVENT`], for
/// `ACCESS_LOG`).
pub const ACCESS_BATCH_EVENT: &str = "ACCESS_LOGS";

/// The query parameter that asks the relay for [`BATCH_EVENT`]s.
pub const BATCH_PARAM: &str = "batch";

/// Data of `END_OF_STREAM`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EndOfStream {
    pub ended_by: EndedBy,
}

#[cfg(test)]
mod relay_state_tests {
    use super::RelayState;

    #[test]
    fn relay_states_round_trip_with_the_state_first() {
        let states = [
            (RelayState::Live, r#"{"state":"live"}"#),
            (
                RelayState::Reconnecting {
                    attempt: 2,
                    reason: "the upstream went silent".into(),
                },
                r#"{"state":"reconnecting","attempt":2,"reason":"the upstream went silent"}"#,
            ),
            (RelayState::Restarting, r#"{"state":"restarting"}"#),
            (
                RelayState::Error {
                    status: 502,
                    message: "lost".into(),
                },
                r#"{"state":"error","status":502,"message":"lost"}"#,
            ),
        ];
        for (state, wire) in states {
            assert_eq!(serde_json::to_string(&state).expect("json"), wire);
            assert_eq!(
                serde_json::from_str::<RelayState>(wire).expect("parses"),
                state
            );
        }
        assert!(serde_json::from_str::<RelayState>(r#"{"state":"other"}"#).is_err());
    }
}

/// Data of `APPLICATION_LOG` (and, with `resourceId`, `RESOURCE_LOG`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LogLine {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    pub application_id: Option<String>,
    pub resource_id: Option<String>,
    pub commit_id: Option<String>,
    pub deployment_id: Option<String>,
    pub instance_id: Option<String>,
    pub hostname: Option<String>,
    #[serde(with = "date")]
    pub date: Option<Timestamp>,
    pub zone: Option<String>,
    pub region: Option<String>,
    pub pid: Option<i64>,
    pub facility: Option<String>,
    pub severity: Option<String>,
    pub priority: Option<i64>,
    pub version: Option<String>,
    pub service: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub message: String,
}

/// One event of a log stream, by its SSE event name.
#[derive(Clone, Debug, PartialEq)]
pub enum LogEvent {
    /// A log line (application or resource).
    Line(Box<LogLine>),
    /// An access log, kept as raw JSON (its shape varies with the protocol).
    Access(serde_json::Value),
    /// Keep-alive.
    Heartbeat,
    /// The upstream ended the stream.
    End(EndOfStream),
    /// An event name this dashboard does not know, with its raw data.
    Unknown { event: String, data: String },
}

impl LogEvent {
    /// Interprets one SSE event; malformed JSON data gives `Unknown` rather than an error.
    pub fn from_sse(event: &str, data: &str) -> Self {
        let unknown = || Self::Unknown {
            event: event.to_owned(),
            data: data.to_owned(),
        };
        match event {
            event::APPLICATION_LOG | event::RESOURCE_LOG => {
                serde_json::from_str(data).map_or_else(|_| unknown(), |l| Self::Line(Box::new(l)))
            }
            event::ACCESS_LOG => {
                serde_json::from_str(data).map_or_else(|_| unknown(), Self::Access)
            }
            event::HEARTBEAT => Self::Heartbeat,
            event::END_OF_STREAM => Self::End(serde_json::from_str(data).unwrap_or_default()),
            _ => unknown(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_event_kind() {
        let line = LogEvent::from_sse(
            "APPLICATION_LOG",
            r#"{"id":"l1","applicationId":"app_1","instanceId":"i1","date":"2024-01-01T00:00:00Z",
               "severity":"INFO","priority":6,"service":"bas","message":"\u001b[32mok\u001b[0m"}"#,
        );
        match line {
            LogEvent::Line(l) => {
                assert_eq!(l.id, "l1");
                assert!(l.message.contains("\u{1b}[32m"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(LogEvent::from_sse("HEARTBEAT", ""), LogEvent::Heartbeat);
        assert_eq!(
            LogEvent::from_sse("END_OF_STREAM", r#"{"endedBy":"UNTIL_REACHED"}"#),
            LogEvent::End(EndOfStream {
                ended_by: EndedBy::UntilReached
            })
        );
        assert!(matches!(
            LogEvent::from_sse("ACCESS_LOG", r#"{"http":{"request":{"method":"GET"}}}"#),
            LogEvent::Access(_)
        ));
        assert!(matches!(
            LogEvent::from_sse("APPLICATION_LOG", "not json"),
            LogEvent::Unknown { .. }
        ));
        assert!(matches!(
            LogEvent::from_sse("AUDIT_LOG", "{}"),
            LogEvent::Unknown { .. }
        ));
    }
}
