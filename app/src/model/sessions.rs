//! A user's sessions, as "Your sessions" lists them (no secret in it, and no session id).

use serde::{Deserialize, Serialize};

/// One signed-in session of the user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    /// The session of the browser asking.
    pub current: bool,
    /// How it signed in: "Clever Cloud" or "API token".
    pub via: String,
    /// When it signed in and when it was last active (unix ms).
    pub since: i64,
    pub seen: i64,
    /// The browser and system it signed in from ("Firefox on Linux"), when they said.
    pub device: Option<String>,
    /// The address it signed in from.
    pub address: Option<String>,
}
