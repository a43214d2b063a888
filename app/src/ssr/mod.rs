//! Server-only code: the upstream client and the session helpers.

pub mod alerts;
pub mod costs;
pub mod fan_out;
pub mod oauth1;
pub mod session;
pub mod upstream;

pub use fan_out::FanOut;
pub use session::{SessionUser, authed_call};
pub use upstream::{ApiToken, Credentials, OAuthProvider, Timeouts, Upstream};

/// The organisations this dashboard may show (`DASHBOARD_ALLOWED_ORGS`); `None`: all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowedOrgs(pub Option<Vec<String>>);

impl AllowedOrgs {
    /// Whether the owner `id` may be shown.
    pub fn allows(&self, id: &str) -> bool {
        self.0
            .as_ref()
            .is_none_or(|ids| ids.iter().any(|a| a == id))
    }
}

/// Whether the server talks to its embedded demo upstream (shows the banner).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoMode(pub bool);
