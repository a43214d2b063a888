//! Members of an organisation (`/v2/organisations/{o}/members`).

use serde::{Deserialize, Serialize};

wire_enum!(
    /// A member's role in the organisation.
    Role {
        Admin => "ADMIN",
        Manager => "MANAGER",
        Developer => "DEVELOPER",
        Accounting => "ACCOUNTING",
        None => "NONE",
    }
);

/// The person.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Person {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    /// `NONE` or `TOTP` (what the platform says of two-factor authentication).
    #[serde(rename = "preferredMFA")]
    pub preferred_mfa: Option<String>,
}

/// One member: the person, their role and job title.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Member {
    pub member: Person,
    pub role: Role,
    pub job: Option<String>,
}

impl Member {
    /// Whether the member signs in with a second factor (unknown counts as without).
    pub fn has_two_factor(&self) -> bool {
        self.member
            .preferred_mfa
            .as_deref()
            .is_some_and(|m| !m.is_empty() && !m.eq_ignore_ascii_case("NONE"))
    }

    /// The name people read: the name, else the e-mail, else the id.
    pub fn display_name(&self) -> &str {
        [
            self.member.name.as_deref().unwrap_or(""),
            &self.member.email,
            &self.member.id,
        ]
        .into_iter()
        .find(|s| !s.trim().is_empty())
        .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_members_and_their_second_factor() {
        let json = r#"[{"member":{"id":"user_1","email":"a@x","name":"Ada","avatar":null,"preferredMFA":"TOTP"},"role":"ADMIN","job":"CTO"},
          {"member":{"id":"user_2","email":"b@x","name":null,"preferredMFA":"NONE"},"role":"WIZARD"},
          {"member":{"id":"user_3","email":""}}]"#;
        let list: Vec<Member> = serde_json::from_str(json).expect("members");
        assert!(list[0].has_two_factor());
        assert_eq!(list[0].role, Role::Admin);
        assert!(!list[1].has_two_factor());
        assert_eq!(list[1].role, Role::Unknown("WIZARD".into()));
        assert_eq!(list[1].display_name(), "b@x");
        assert!(!list[2].has_two_factor());
        assert_eq!(list[2].display_name(), "user_3");
    }
}
