//! The viewer's connection status: what the stream's events make of it, and its status line.

use super::buffer::BUFFER_LINES;
use crate::model::logs::{EndedBy, RelayState};

/// The viewer's connection, as its status line says it.
#[derive(Clone, Debug, PartialEq)]
pub enum ViewerStatus {
    Idle,
    Connecting,
    Live,
    Paused,
    Reconnecting(u32),
    Ended(String),
}

/// What happens to the viewer's connection.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamEvent {
    /// The user starts (or resumes) the stream.
    Start,
    /// The user pauses it.
    Pause,
    /// The browser opened the connection.
    Opened,
    /// The connection failed; `closed` when the browser gave up (the server refused it).
    Failed { closed: bool },
    /// A state event from our relay.
    Relay(RelayState),
    /// The upstream's end of stream, with its reason (`UNTIL_REACHED`, …).
    End(EndedBy),
}

impl ViewerStatus {
    /// The status after `event`.
    pub fn next(&self, event: StreamEvent) -> Self {
        match event {
            StreamEvent::Start => Self::Connecting,
            StreamEvent::Pause => Self::Paused,
            StreamEvent::Opened => Self::Live,
            StreamEvent::Failed { closed: true } => Self::Ended(
                "the server refused the stream (signed out, too many streams, or the application is gone)".into(),
            ),
            StreamEvent::Failed { closed: false } => match self {
                Self::Reconnecting(n) => Self::Reconnecting(n + 1),
                _ => Self::Reconnecting(1),
            },
            StreamEvent::Relay(RelayState::Reconnecting { attempt, .. }) => {
                Self::Reconnecting(attempt)
            }
            StreamEvent::Relay(RelayState::Live) => Self::Live,
            // The server is restarting: the browser reconnects by itself (to another replica
            // where there is one) and resumes from the last id.
            StreamEvent::Relay(RelayState::Restarting) => Self::Reconnecting(1),
            StreamEvent::Relay(RelayState::Error { message, .. }) => Self::Ended(message),
            StreamEvent::End(why) => Self::Ended(match why {
                EndedBy::UntilReached => "the end of the range was reached".to_owned(),
                EndedBy::LimitReached => format!("{BUFFER_LINES} lines loaded (the most kept)"),
                EndedBy::SignedOut => "signed out".to_owned(),
                EndedBy::SessionExpired => "the session expired; sign in again".to_owned(),
                EndedBy::Unknown(other) if other.is_empty() => "the stream ended".to_owned(),
                EndedBy::Unknown(other) => other,
            }),
        }
    }

    /// Whether the stream stays closed after this status (no reconnection by the browser).
    pub fn is_closed(&self) -> bool {
        matches!(self, Self::Paused | Self::Ended(_) | Self::Idle)
    }

    /// The status line.
    pub fn text(&self) -> String {
        match self {
            Self::Idle => "Not connected".into(),
            Self::Connecting => "Connecting…".into(),
            Self::Live => "Live".into(),
            Self::Paused => "Paused".into(),
            Self::Reconnecting(n) => format!("Reconnecting ({n})…"),
            Self::Ended(why) => format!("Ended: {why}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_follows_the_stream() {
        use crate::model::logs::RelayState;
        let s = ViewerStatus::Idle.next(StreamEvent::Start);
        assert_eq!(s, ViewerStatus::Connecting);
        let s = s.next(StreamEvent::Opened);
        assert_eq!(s.text(), "Live");
        let s = s.next(StreamEvent::Failed { closed: false });
        let s = s.next(StreamEvent::Failed { closed: false });
        assert_eq!(s.text(), "Reconnecting (2)…");
        assert!(!s.is_closed());
        let s = s.next(StreamEvent::Relay(RelayState::Live));
        assert_eq!(s, ViewerStatus::Live);
        assert_eq!(
            s.next(StreamEvent::Relay(RelayState::Restarting)),
            ViewerStatus::Reconnecting(1)
        );
        let paused = s.next(StreamEvent::Pause);
        assert!(paused.is_closed());
        assert_eq!(paused.next(StreamEvent::Start), ViewerStatus::Connecting);
        let ended = s.next(StreamEvent::End(EndedBy::UntilReached));
        assert_eq!(ended.text(), "Ended: the end of the range was reached");
        assert!(ended.is_closed());
        assert!(
            s.next(StreamEvent::Failed { closed: true })
                .text()
                .starts_with("Ended: the server refused the stream")
        );
    }
}
