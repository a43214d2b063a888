//! Server-only code: the upstream client and the session helpers.

pub mod oauth;
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

/// Gives a server function's error its HTTP status (400, 404, 429…) instead of the default
/// 500, for callers other than our pages (scripts, tests, forms without JavaScript).
pub fn with_status<T>(r: Result<T, crate::error::AppError>) -> Result<T, crate::error::AppError> {
    if let (Err(e), Some(resp)) = (
        &r,
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(code) = http::StatusCode::from_u16(e.status())
    {
        resp.set_status(code);
    }
    r
}
