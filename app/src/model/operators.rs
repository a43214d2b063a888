//! Operators (`/v4/addon-providers/addon-{kind}/addons/{id}`): Keycloak, Matomo, Metabase, Otoroshi.

use super::nullable;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The four operator kinds; the URL segment and the real-id prefix are the same word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OperatorKind {
    Keycloak,
    Matomo,
    Metabase,
    Otoroshi,
}

impl OperatorKind {
    /// Every kind.
    pub const ALL: [OperatorKind; 4] =
        [Self::Keycloak, Self::Matomo, Self::Metabase, Self::Otoroshi];

    /// The lowercase name used in URLs and id prefixes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Keycloak => "keycloak",
            Self::Matomo => "matomo",
            Self::Metabase => "metabase",
            Self::Otoroshi => "otoroshi",
        }
    }

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Keycloak => "Keycloak",
            Self::Matomo => "Matomo",
            Self::Metabase => "Metabase",
            Self::Otoroshi => "Otoroshi",
        }
    }

    /// Parses a URL segment.
    pub fn from_segment(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// The kind a real id belongs to (`keycloak_…`).
    pub fn of_real_id(real_id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| {
            real_id
                .strip_prefix(k.as_str())
                .is_some_and(|r| r.starts_with('_'))
        })
    }

    /// Whether the kind has version check and update.
    pub fn has_versions(self) -> bool {
        !matches!(self, Self::Matomo)
    }

    /// Whether the kind can join a network group.
    pub fn has_network_group(self) -> bool {
        matches!(self, Self::Keycloak | Self::Otoroshi)
    }
}

wire_enum!(
    /// Operator plan.
    OperatorPlan {
        Alpha => "ALPHA",
        Base => "BASE",
        Beta => "BETA",
    }
);

/// Initial admin credentials.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Credentials {
    #[serde(deserialize_with = "nullable")]
    pub user: String,
    #[serde(deserialize_with = "nullable")]
    pub password: String,
}

/// Otoroshi's admin API.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OperatorApi {
    pub url: Option<String>,
    pub user: Option<String>,
    pub secret: Option<String>,
    pub openapi: Option<String>,
    pub swagger_url: Option<String>,
}

/// A network group the operator belongs to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkGroup {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
}

/// Optional features; `networkGroup` is `null` when off.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Features {
    pub network_group: Option<NetworkGroup>,
}

/// One operator instance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Operator {
    #[serde(deserialize_with = "nullable")]
    pub resource_id: String,
    #[serde(deserialize_with = "nullable")]
    pub addon_id: String,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(deserialize_with = "nullable")]
    pub owner_id: String,
    pub plan: OperatorPlan,
    #[serde(deserialize_with = "nullable")]
    pub version: String,
    pub java_version: Option<String>,
    pub php_version: Option<String>,
    pub access_url: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub available_versions: Vec<String>,
    pub initial_credentials: Option<Credentials>,
    pub api: Option<OperatorApi>,
    /// Linked resources by role (`entrypoint`, `redisId`, `pgsqlId`, …).
    #[serde(deserialize_with = "nullable")]
    pub resources: BTreeMap<String, String>,
    pub features: Option<Features>,
}

impl Operator {
    /// Whether the network group feature is on.
    pub fn network_group(&self) -> Option<&NetworkGroup> {
        self.features
            .as_ref()
            .and_then(|f| f.network_group.as_ref())
    }
}

/// Answer of `GET .../version/check`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct VersionCheck {
    #[serde(deserialize_with = "nullable")]
    pub installed: String,
    #[serde(deserialize_with = "nullable")]
    pub latest: String,
    #[serde(deserialize_with = "nullable")]
    pub available: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub need_update: bool,
}

/// Body of `POST .../version/update`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionUpdate {
    pub target_version: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_reference_otoroshi() {
        let json = r#"{"resourceId":"otoroshi_1","addonId":"addon_1","name":"gw","ownerId":"orga_1",
          "plan":"BASE","version":"17.5.0","javaVersion":"21","accessUrl":"https://ui",
          "availableVersions":["17.4.0","17.5.0"],
          "initialCredentials":{"user":"admin","password":"pw"},
          "api":{"url":"https://api","user":"u","secret":"s","openapi":"https://api/openapi.json",
                 "swaggerUrl":"https://api/ui"},
          "resources":{"entrypoint":"app_1","redisId":"redis_1","cellarId":"cellar_1"},
          "features":{"networkGroup":{"id":"ng_1"}}}"#;
        let o: Operator = serde_json::from_str(json).unwrap();
        assert_eq!(o.plan, OperatorPlan::Base);
        assert_eq!(o.network_group().map(|n| n.id.as_str()), Some("ng_1"));
        assert_eq!(
            o.resources.get("entrypoint").map(String::as_str),
            Some("app_1")
        );
        assert_eq!(
            o.api.and_then(|a| a.swagger_url).as_deref(),
            Some("https://api/ui")
        );
    }

    #[test]
    fn null_network_group_means_off() {
        let o: Operator =
            serde_json::from_str(r#"{"features":{"networkGroup":null},"plan":"GAMMA"}"#).unwrap();
        assert!(o.network_group().is_none());
        assert_eq!(o.plan.as_str(), "GAMMA");
    }

    #[test]
    fn kinds_follow_real_id_prefixes() {
        assert_eq!(
            OperatorKind::of_real_id("keycloak_1"),
            Some(OperatorKind::Keycloak)
        );
        assert_eq!(
            OperatorKind::of_real_id("matomo_x"),
            Some(OperatorKind::Matomo)
        );
        assert_eq!(OperatorKind::of_real_id("keycloakx_1"), None);
        assert_eq!(OperatorKind::of_real_id("postgresql_1"), None);
        assert_eq!(
            OperatorKind::from_segment("otoroshi"),
            Some(OperatorKind::Otoroshi)
        );
        assert!(!OperatorKind::Matomo.has_versions());
        assert!(OperatorKind::Keycloak.has_network_group());
        assert!(!OperatorKind::Metabase.has_network_group());
    }

    #[test]
    fn version_check_parses() {
        let v: VersionCheck = serde_json::from_str(
            r#"{"installed":"1.0.0","latest":"1.1.0","available":["1.0.0","1.1.0"],"needUpdate":true}"#,
        )
        .unwrap();
        assert!(v.need_update);
        assert_eq!(v.available.len(), 2);
    }
}
