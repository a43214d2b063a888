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

/// Who may act on applications (restart, stop, cancel, drains, operators…): nobody when the
/// operator runs a viewing portal (`DASHBOARD_READ_ONLY`), else the users listed in
/// `DASHBOARD_ACTIONS_ALLOWED_USERS` (ids or e-mails), else everybody signed in. Checked on the
/// server before any upstream call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActionPolicy {
    pub read_only: bool,
    /// Lowercased user ids and e-mails; `None`: everybody.
    pub users: Option<Vec<String>>,
}

impl ActionPolicy {
    /// From the configuration's values (the list comma-separated).
    pub fn new(read_only: bool, users: &str) -> Self {
        let list: Vec<String> = users
            .split(',')
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
            .collect();
        Self {
            read_only,
            users: (!list.is_empty()).then_some(list),
        }
    }

    /// Whether the user `id` with `email` may act; `Err` says why not, in a sentence.
    pub fn check(&self, id: &str, email: &str) -> Result<(), crate::logic::control::Refusal> {
        use crate::logic::control::Refusal;
        if self.read_only {
            return Err(Refusal::ReadOnly);
        }
        match &self.users {
            Some(list)
                if !list.iter().any(|u| {
                    (!id.is_empty() && *u == id.to_lowercase())
                        || (!email.is_empty() && *u == email.to_lowercase())
                }) =>
            {
                Err(Refusal::NotListed)
            }
            _ => Ok(()),
        }
    }
}

/// Whether the current user may act, for a page to show its forms or why not: `Ok(Err(why))`
/// when the policy refuses; other errors (no session) as they are.
pub async fn may_act_here() -> Result<Result<(), String>, crate::error::AppError> {
    match may_act().await {
        Ok(()) => Ok(Ok(())),
        Err(crate::error::AppError::NotAllowed(why)) => Ok(Err(why)),
        Err(e) => Err(e),
    }
}

/// The current user's permission to act, as the policy in context says (everybody when none
/// is provided); checked before any upstream call of an action.
pub async fn may_act() -> Result<(), crate::error::AppError> {
    let policy = leptos::prelude::use_context::<ActionPolicy>().unwrap_or_default();
    if policy == ActionPolicy::default() {
        return Ok(());
    }
    let user = session::current_user().await?;
    policy
        .check(&user.id, &user.email)
        .map_err(|r| crate::error::AppError::NotAllowed(r.sentence().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logic::control::Refusal;

    #[test]
    fn the_policy_refuses_everyone_read_only_and_the_unlisted_otherwise() {
        assert_eq!(ActionPolicy::new(false, "").check("user_1", "a@x"), Ok(()));
        assert_eq!(
            ActionPolicy::new(true, "user_1").check("user_1", "a@x"),
            Err(Refusal::ReadOnly)
        );
        let listed = ActionPolicy::new(false, " USER_1 , Ops@Example.com ,");
        assert_eq!(listed.check("user_1", ""), Ok(()));
        assert_eq!(listed.check("user_2", "ops@example.COM"), Ok(()));
        assert_eq!(listed.check("user_2", "b@x"), Err(Refusal::NotListed));
        // An empty id or e-mail matches nothing, even an empty entry.
        assert_eq!(listed.check("", ""), Err(Refusal::NotListed));
    }
}
