//! Server-only code: the upstream client and the session helpers.

pub mod session;
pub mod upstream;

pub use session::{SessionUser, authed_call};
pub use upstream::{ApiToken, Timeouts, Upstream};

/// Whether the server talks to its embedded demo upstream (shows the banner).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoMode(pub bool);
