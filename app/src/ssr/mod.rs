//! Server-only code: the upstream client and the session helpers.

pub mod costs;
pub mod oauth1;
pub mod session;
pub mod upstream;

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

/// At most `per_session` upstream calls at once for one session's fan-out pages (the fleet
/// board asks for several per application): a big fleet waits its turn instead of flooding
/// the upstream from one browser.
#[derive(Clone)]
pub struct FanOut {
    sessions: moka::future::Cache<String, std::sync::Arc<tokio::sync::Semaphore>>,
    per_session: usize,
}

impl FanOut {
    /// `per_session` calls at once per session, kept for sessions seen within 10 minutes.
    pub fn new(per_session: usize) -> Self {
        Self {
            sessions: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(std::time::Duration::from_secs(600))
                .build(),
            per_session: per_session.max(1),
        }
    }

    /// The permits of session `id` (a fresh set for a request without a session id).
    pub async fn for_session(&self, id: Option<String>) -> std::sync::Arc<tokio::sync::Semaphore> {
        let fresh = || std::sync::Arc::new(tokio::sync::Semaphore::new(self.per_session));
        match id {
            Some(id) => self.sessions.get_with(id, async { fresh() }).await,
            None => fresh(),
        }
    }
}

impl Default for FanOut {
    fn default() -> Self {
        Self::new(8)
    }
}
