//! `GET /v2/self` and `GET /v2/summary`: who is logged in and what they can reach.

use super::{Timestamp, date, nullable};
use serde::{Deserialize, Serialize};

wire_enum!(
    /// Desired state of an application.
    ApplicationState {
        ShouldBeDown => "SHOULD_BE_DOWN",
        WantsToBeUp => "WANTS_TO_BE_UP",
        ShouldBeUp => "SHOULD_BE_UP",
        Moderated => "MODERATED",
        DefaultOfPayment => "DEFAULT_OF_PAYMENT",
    }
);

wire_enum!(
    /// The user's role in an organisation.
    OrgRole {
        None => "NONE",
        Admin => "ADMIN",
        Accounting => "ACCOUNTING",
        Developer => "DEVELOPER",
        Manager => "MANAGER",
    }
);

/// `GET /v2/self`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SelfUser {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub email: String,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    pub avatar: Option<String>,
    pub lang: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub admin: bool,
    #[serde(deserialize_with = "nullable")]
    pub email_validated: bool,
    #[serde(with = "date")]
    pub creation_date: Option<Timestamp>,
}

/// An application in the summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SummaryApp {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    pub instance_type: Option<String>,
    pub instance_variant: Option<String>,
    pub variant_slug: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub archived: bool,
    #[serde(deserialize_with = "nullable")]
    pub homogeneous: bool,
    pub state: ApplicationState,
    pub commit: Option<String>,
}

/// An add-on in the summary; `real_id` is what `/v4` needs (`keycloak_…`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SummaryAddon {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(deserialize_with = "nullable")]
    pub real_id: String,
    #[serde(deserialize_with = "nullable")]
    pub provider_id: String,
}

/// The user's own space within the summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SummaryUser {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(deserialize_with = "nullable")]
    pub email: String,
    #[serde(deserialize_with = "nullable")]
    pub applications: Vec<SummaryApp>,
    #[serde(deserialize_with = "nullable")]
    pub addons: Vec<SummaryAddon>,
}

/// An organisation within the summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SummaryOrganisation {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    pub avatar: Option<String>,
    pub role: OrgRole,
    #[serde(deserialize_with = "nullable")]
    pub applications: Vec<SummaryApp>,
    #[serde(deserialize_with = "nullable")]
    pub addons: Vec<SummaryAddon>,
}

/// `GET /v2/summary`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Summary {
    #[serde(deserialize_with = "nullable")]
    pub user: SummaryUser,
    #[serde(deserialize_with = "nullable")]
    pub organisations: Vec<SummaryOrganisation>,
}

/// One owner (the personal space or an organisation) as the navigation shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Owner {
    pub id: String,
    pub name: String,
    pub personal: bool,
    pub applications: Vec<SummaryApp>,
    pub addons: Vec<SummaryAddon>,
}

impl Owner {
    /// One of this owner's applications.
    pub fn app(&self, id: &str) -> Option<&SummaryApp> {
        self.applications.iter().find(|a| a.id == id)
    }

    /// One of this owner's add-ons, by its real id (`postgresql_…`) or its `addon_…` id.
    pub fn addon(&self, id: &str) -> Option<&SummaryAddon> {
        self.addons.iter().find(|a| a.real_id == id || a.id == id)
    }

    /// The name of an application or an add-on of this owner.
    pub fn resource_name(&self, id: &str) -> Option<String> {
        self.app(id)
            .map(|a| a.name.clone())
            .or_else(|| self.addon(id).map(|a| a.name.clone()))
    }
}

impl Summary {
    /// The personal space first, then organisations by name (case-insensitive); an
    /// organisation whose id is the user's is dropped, as the official client does.
    pub fn owners(self) -> Vec<Owner> {
        let user_id = self.user.id.clone();
        let mut orgs: Vec<Owner> = self
            .organisations
            .into_iter()
            .filter(|o| o.id != user_id)
            .map(|o| Owner {
                id: o.id,
                name: o.name,
                personal: false,
                applications: o.applications,
                addons: o.addons,
            })
            .collect();
        orgs.sort_by_key(|o| o.name.to_lowercase());
        let personal = Owner {
            id: self.user.id,
            name: "Personal space".to_owned(),
            personal: true,
            applications: self.user.applications,
            addons: self.user.addons,
        };
        std::iter::once(personal).chain(orgs).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_put_personal_first_then_orgs_by_name() {
        let json = r#"{"user":{"id":"user_1","name":"Ada","applications":[{"id":"app_p","name":"p",
              "state":"SHOULD_BE_UP"}],"addons":[]},
          "organisations":[
            {"id":"orga_b","name":"beta","role":"ADMIN","applications":[],"addons":[]},
            {"id":"user_1","name":"Ada (personal)","applications":[],"addons":null},
            {"id":"orga_a","name":"Alpha","role":"ACCOUNTING","applications":null,
             "addons":[{"id":"addon_1","name":"kc","realId":"keycloak_1","providerId":"keycloak"}]}]}"#;
        let s: Summary = serde_json::from_str(json).unwrap();
        let owners = s.owners();
        let ids: Vec<_> = owners.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["user_1", "orga_a", "orga_b"]);
        assert!(owners[0].personal);
        assert_eq!(
            owners[0].applications[0].state,
            ApplicationState::ShouldBeUp
        );
        assert_eq!(owners[1].addons[0].real_id, "keycloak_1");
    }

    #[test]
    fn parses_self() {
        let u: SelfUser = serde_json::from_str(
            r#"{"id":"user_1","email":"a@b.c","name":"Ada","admin":false,"emailValidated":true,
               "creationDate":1700000000000}"#,
        )
        .unwrap();
        assert_eq!(u.name, "Ada");
        assert!(u.creation_date.is_some());
    }
}
