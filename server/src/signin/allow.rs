//! Who may sign in: optional allow-lists of organisations (`DASHBOARD_ALLOWED_ORGS`) and users
//! (`DASHBOARD_ALLOWED_USERS`, ids or emails). A user matching neither is refused at sign-in;
//! with an organisation list, the navigation shows those organisations only. Unset: anyone
//! with a valid token.

use app::ssr::{AllowedOrgs, Credentials, Upstream};

/// The allow-lists.
#[derive(Clone, Debug, Default)]
pub struct AllowList {
    orgs: Option<Vec<String>>,
    users: Option<Vec<String>>,
}

fn list(raw: &str, lowercase: bool) -> Option<Vec<String>> {
    let items: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            if lowercase {
                s.to_lowercase()
            } else {
                s.to_owned()
            }
        })
        .collect();
    (!items.is_empty()).then_some(items)
}

impl AllowList {
    /// From the comma-separated configuration values.
    pub fn new(orgs: &str, users: &str) -> Self {
        Self {
            orgs: list(orgs, false),
            users: list(users, true),
        }
    }

    /// Whether a list is configured at all.
    pub fn restricted(&self) -> bool {
        self.orgs.is_some() || self.users.is_some()
    }

    /// Whether an organisation list is configured (sign-in then needs the user's
    /// organisations).
    pub fn needs_orgs(&self) -> bool {
        self.orgs.is_some()
    }

    /// Whether a user (id, email, the ids of the owners they belong to, their own included)
    /// may sign in.
    pub fn allows<'a>(
        &self,
        user_id: &str,
        email: &str,
        owners: impl IntoIterator<Item = &'a str>,
    ) -> bool {
        if !self.restricted() {
            return true;
        }
        let by_user = self.users.as_ref().is_some_and(|users| {
            users
                .iter()
                .any(|u| u == &user_id.to_lowercase() || u == &email.to_lowercase())
        });
        let filter = self.org_filter();
        by_user || (filter.0.is_some() && owners.into_iter().any(|o| filter.allows(o)))
    }

    /// Whether the user behind `credentials` passes the lists now (their organisations asked
    /// upstream when an organisation list is set); `None` when the upstream did not answer.
    pub async fn admits(
        &self,
        upstream: &Upstream,
        credentials: &Credentials,
        user_id: &str,
        email: &str,
    ) -> Option<bool> {
        if !self.restricted() {
            return Some(true);
        }
        let owners: Vec<String> = if self.needs_orgs() {
            let summary = upstream.with(credentials).summary().await.ok()?;
            summary.owners().into_iter().map(|o| o.id).collect()
        } else {
            Vec::new()
        };
        Some(self.allows(user_id, email, owners.iter().map(String::as_str)))
    }

    /// The organisations the navigation may show.
    pub fn org_filter(&self) -> AllowedOrgs {
        AllowedOrgs(self.orgs.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_lists_allow_everyone() {
        let open = AllowList::new("", " , ");
        assert!(!open.restricted());
        assert!(open.allows("user_1", "a@b.c", []));
    }

    #[test]
    fn users_match_by_id_or_email_and_orgs_by_membership() {
        let users = AllowList::new("", "user_1, Ada@Example.com");
        assert!(users.allows("user_1", "x@y.z", []));
        assert!(users.allows("user_2", "ada@example.COM", []));
        assert!(!users.allows("user_2", "bob@example.com", ["orga_1"]));
        let orgs = AllowList::new("orga_1,orga_2", "");
        assert!(orgs.needs_orgs());
        assert!(orgs.allows("user_9", "z@z.z", ["user_9", "orga_2"]));
        assert!(!orgs.allows("user_9", "z@z.z", ["user_9", "orga_3"]));
        let both = AllowList::new("orga_1", "boss@example.com");
        assert!(both.allows("user_5", "boss@example.com", []));
        assert!(both.allows("user_6", "dev@example.com", ["orga_1"]));
        assert!(!both.allows("user_7", "dev@example.com", ["orga_9"]));
    }

    #[test]
    fn the_navigation_filter_keeps_listed_orgs_only() {
        let f = AllowList::new("orga_1", "").org_filter();
        assert!(f.allows("orga_1"));
        assert!(!f.allows("orga_2"));
        assert!(AllowList::default().org_filter().allows("anything"));
    }
}
