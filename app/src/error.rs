//! `AppError`: the one error type that crosses the wire between server and browser.
//!
//! Messages are short and fit for a person. They never carry a raw upstream body or a token;
//! those stay in the server's log (and the token not even there).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Every failure a page or server function can show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No session, or the upstream said the token is no longer valid.
    #[error("Your session has expired. Please sign in again.")]
    Unauthorized,
    /// The upstream refused the request for this token.
    #[error("You do not have access to this resource.")]
    Forbidden { sozu_id: Option<String> },
    /// The upstream refused a "Sign in with Clever Cloud" session because the dashboard's
    /// OAuth consumer was not granted the right this action needs.
    #[error(
        "Clever Cloud refused this: the dashboard's sign-in was not granted the right \"{right}\" it needs. Ask the people who run this dashboard to grant it to its OAuth consumer, then sign in again."
    )]
    MissingRight {
        right: String,
        sozu_id: Option<String>,
    },
    /// The dashboard's operator does not let this person act (read-only, or not listed); the
    /// sentence says which.
    #[error("{0}")]
    NotAllowed(String),
    /// The thing asked for does not exist.
    #[error("Not found: {what}.")]
    NotFound { what: String },
    /// The request itself was wrong; the message says what.
    #[error("{0}")]
    BadRequest(String),
    /// Too many requests, from us or upstream.
    #[error("{0}")]
    TooManyRequests(String),
    /// The upstream answered with another 4xx; `message` is the upstream's own short message.
    #[error("The Clever Cloud API refused the request ({status}): {message}")]
    Upstream {
        status: u16,
        message: String,
        sozu_id: Option<String>,
    },
    /// The upstream is down, slow or answered garbage.
    #[error("The Clever Cloud API is unavailable right now. Please retry in a moment.")]
    Unavailable { sozu_id: Option<String> },
    /// The upstream answered more than the dashboard reads at once.
    #[error(
        "The Clever Cloud API answered with more than {limit_mib} MiB; the dashboard does not read that much at once."
    )]
    UpstreamTooLarge { limit_mib: u32 },
    /// The dashboard's own session store does not answer (a shared Redis that is away).
    #[error(
        "The session store is unavailable, so the dashboard cannot tell who you are. Nothing is lost: please retry in a moment."
    )]
    SessionStoreUnavailable,
    /// This replica is shutting down (a deploy or a restart); another one takes over.
    #[error("The dashboard is restarting. Please retry in a moment.")]
    Restarting,
    /// A failure of the server-function machinery itself (network between browser and server).
    #[error("The dashboard server could not be reached: {0}")]
    Transport(String),
}

impl AppError {
    /// A `NotFound` for the named thing.
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound { what: what.into() }
    }

    /// The HTTP status that SSR and server functions answer with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthorized => 401,
            Self::Forbidden { .. } | Self::MissingRight { .. } | Self::NotAllowed(_) => 403,
            Self::NotFound { .. } => 404,
            Self::BadRequest(_) => 400,
            Self::TooManyRequests(_) => 429,
            Self::Upstream { status, .. } => *status,
            Self::Unavailable { .. } | Self::UpstreamTooLarge { .. } => 502,
            Self::Transport(_) | Self::SessionStoreUnavailable | Self::Restarting => 503,
        }
    }

    /// The upstream's `Sozu-Id`, for support requests.
    pub fn sozu_id(&self) -> Option<&str> {
        match self {
            Self::Forbidden { sozu_id }
            | Self::MissingRight { sozu_id, .. }
            | Self::Upstream { sozu_id, .. }
            | Self::Unavailable { sozu_id } => sozu_id.as_deref(),
            _ => None,
        }
    }

    /// Whether retrying the same request may help.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Unavailable { .. }
                | Self::Transport(_)
                | Self::TooManyRequests(_)
                | Self::SessionStoreUnavailable
                | Self::Restarting
        )
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => {
                Self::BadRequest(format!("Invalid request: {m}"))
            }
            other => Self::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_kind_of_error() {
        assert_eq!(AppError::Unauthorized.status(), 401);
        assert_eq!(AppError::Forbidden { sozu_id: None }.status(), 403);
        assert_eq!(AppError::not_found("invoice").status(), 404);
        assert_eq!(AppError::BadRequest("x".into()).status(), 400);
        assert_eq!(AppError::Unavailable { sozu_id: None }.status(), 502);
        let up = AppError::Upstream {
            status: 409,
            message: "conflict".into(),
            sozu_id: Some("abc".into()),
        };
        assert_eq!(up.status(), 409);
        assert_eq!(up.sozu_id(), Some("abc"));
    }

    #[test]
    fn errors_round_trip_through_json() {
        let e = AppError::Upstream {
            status: 422,
            message: "bad index".into(),
            sozu_id: Some("s-1".into()),
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), e);
    }

    #[test]
    fn session_expiry_message_is_for_people() {
        assert_eq!(
            AppError::Unauthorized.to_string(),
            "Your session has expired. Please sign in again."
        );
    }
}
