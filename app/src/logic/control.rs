//! Deployment control: which actions there are, what each asks to confirm, who may run them,
//! and author names from the members list.

use crate::model::members::Member;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// An action on an application or one of its deployments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Control {
    /// Restart on the commit running now.
    Restart,
    /// Restart, rebuilding without the build cache.
    Rebuild,
    /// Stop every instance.
    Stop,
    /// Deploy the commit of an earlier deployment.
    Redeploy,
    /// Cancel a deployment in progress.
    Cancel,
}

impl Control {
    /// From the form's `action` field.
    pub fn parse(raw: &str) -> Result<Self, String> {
        Ok(match raw {
            "restart" => Self::Restart,
            "rebuild" => Self::Rebuild,
            "stop" => Self::Stop,
            "redeploy" => Self::Redeploy,
            "cancel" => Self::Cancel,
            other => {
                return Err(format!(
                    "Unknown action \"{}\".",
                    crate::logic::filters::clip(other)
                ));
            }
        })
    }

    /// The form's `action` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Restart => "restart",
            Self::Rebuild => "rebuild",
            Self::Stop => "stop",
            Self::Redeploy => "redeploy",
            Self::Cancel => "cancel",
        }
    }

    /// The submit button's words (tests and people find the action by them).
    pub fn button(self) -> &'static str {
        match self {
            Self::Restart => "Restart",
            Self::Rebuild => "Rebuild without cache",
            Self::Stop => "Stop",
            Self::Redeploy => "Redeploy this commit",
            Self::Cancel => "Cancel deployment",
        }
    }

    /// The audit log's name of it.
    pub fn audit(self) -> &'static str {
        match self {
            Self::Restart => "app.restart",
            Self::Rebuild => "app.rebuild_without_cache",
            Self::Stop => "app.stop",
            Self::Redeploy => "app.redeploy",
            Self::Cancel => "deployment.cancel",
        }
    }

    /// What will happen, in words, for the confirmation: `app` is the application's name,
    /// `commit` the commit concerned (short), if any.
    pub fn consequence(self, app: &str, commit: Option<&str>) -> String {
        let commit = commit.map(short).unwrap_or_default();
        match self {
            Self::Restart => format!(
                "Restart {app}: new instances start from the commit running now and replace the current ones once up. Nothing is lost."
            ),
            Self::Rebuild => format!(
                "Rebuild {app} from scratch, without the build cache (slower), then replace the current instances once up."
            ),
            Self::Stop => format!(
                "Stop {app}: every instance is shut down and the application stops answering until it is restarted."
            ),
            Self::Redeploy => format!(
                "Deploy commit {commit} of {app} again: its instances replace the current ones once up."
            ),
            Self::Cancel => format!(
                "Cancel this deployment of {app}: what it started is stopped and the instances running before it stay."
            ),
        }
    }
}

/// A commit as tables show it (10 characters).
pub fn short(commit: &str) -> &str {
    commit.get(..10).unwrap_or(commit)
}

/// A full commit id (40 hexadecimal characters), lowercased; `Err` says what is wrong.
pub fn full_commit(raw: &str) -> Result<String, String> {
    let c = raw.trim();
    if c.len() == 40 && c.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(c.to_ascii_lowercase())
    } else {
        Err("The commit to deploy must be a full commit id (40 hexadecimal characters).".into())
    }
}

/// Checks what the person confirmed before `action` runs: Stop wants the application's name
/// typed (`confirm`, compared exactly but for surrounding spaces); the others the box ticked
/// (`confirmed` = `yes`).
pub fn check_confirmation(
    action: Control,
    app_name: &str,
    confirm: Option<&str>,
    confirmed: Option<&str>,
) -> Result<(), String> {
    match action {
        Control::Stop => {
            let typed = confirm.map(str::trim).unwrap_or("");
            if typed.is_empty() {
                Err(format!(
                    "To stop {app_name}, type its name in the confirmation field."
                ))
            } else if typed != app_name.trim() {
                Err(format!(
                    "The name typed does not match: type {app_name} exactly to stop it."
                ))
            } else {
                Ok(())
            }
        }
        _ if confirmed == Some("yes") => Ok(()),
        other => Err(format!(
            "Nothing was done: tick the box confirming what “{}” will do, then submit again.",
            other.button()
        )),
    }
}

/// Why a person may not act here (the operator's settings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// `DASHBOARD_READ_ONLY`: nobody acts.
    ReadOnly,
    /// `DASHBOARD_ACTIONS_ALLOWED_USERS` does not list this person.
    NotListed,
}

impl Refusal {
    /// The sentence a refused person reads.
    pub fn sentence(self) -> &'static str {
        match self {
            Self::ReadOnly => {
                "This dashboard is read-only: its operator turned every action off (DASHBOARD_READ_ONLY)."
            }
            Self::NotListed => {
                "Your account may not run actions on this dashboard: its operator allows them to listed users only (DASHBOARD_ACTIONS_ALLOWED_USERS)."
            }
        }
    }
}

/// User ids to names from an organisation's members (the name, else the e-mail).
pub fn author_names(members: &[Member]) -> HashMap<String, String> {
    members
        .iter()
        .filter(|m| !m.member.id.is_empty())
        .map(|m| (m.member.id.clone(), m.display_name().to_owned()))
        .collect()
}

/// An author as people read it: the member's name when the list knows the id, else the id.
pub fn author<'a>(names: &'a HashMap<String, String>, id: &'a str) -> &'a str {
    names.get(id).map_or(id, String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::members::{Person, Role};

    #[test]
    fn actions_round_trip_and_unknown_ones_are_refused() {
        for a in [
            Control::Restart,
            Control::Rebuild,
            Control::Stop,
            Control::Redeploy,
            Control::Cancel,
        ] {
            assert_eq!(Control::parse(a.as_str()), Ok(a));
        }
        assert!(Control::parse("explode").is_err());
        assert_eq!(Control::Rebuild.button(), "Rebuild without cache");
        assert!(
            Control::Redeploy
                .consequence("api", Some("0123456789abcdef"))
                .contains("0123456789 of api")
        );
    }

    #[test]
    fn stop_wants_the_name_and_the_others_the_box() {
        assert!(check_confirmation(Control::Stop, "api-gateway", None, Some("yes")).is_err());
        assert!(check_confirmation(Control::Stop, "api-gateway", Some("api"), None).is_err());
        assert!(
            check_confirmation(Control::Stop, "api-gateway", Some("API-GATEWAY"), None).is_err()
        );
        assert_eq!(
            check_confirmation(Control::Stop, "api-gateway", Some(" api-gateway "), None),
            Ok(())
        );
        for a in [
            Control::Restart,
            Control::Rebuild,
            Control::Redeploy,
            Control::Cancel,
        ] {
            assert!(check_confirmation(a, "x", None, None).is_err());
            assert!(check_confirmation(a, "x", Some("x"), Some("on")).is_err());
            assert_eq!(check_confirmation(a, "x", None, Some("yes")), Ok(()));
        }
    }

    #[test]
    fn commits_must_be_full_and_hexadecimal() {
        assert_eq!(
            full_commit(&"AB".repeat(20)).as_deref(),
            Ok("ab".repeat(20).as_str())
        );
        for bad in ["abc1234", "../../x", &"g".repeat(40), ""] {
            assert!(full_commit(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn authors_are_named_from_the_members_and_unknown_ones_keep_their_id() {
        let m = |id: &str, name: Option<&str>, email: &str| Member {
            member: Person {
                id: id.into(),
                email: email.into(),
                name: name.map(Into::into),
                preferred_mfa: None,
            },
            role: Role::Developer,
            job: None,
        };
        let names = author_names(&[m("user_1", Some("Ada"), "a@x"), m("user_2", None, "b@x")]);
        assert_eq!(author(&names, "user_1"), "Ada");
        assert_eq!(author(&names, "user_2"), "b@x");
        assert_eq!(author(&names, "user_9"), "user_9");
    }
}
