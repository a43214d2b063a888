//! Instances (`/v4/orchestration/.../instances`).

use super::{Timestamp, date, nullable};
use serde::{Deserialize, Serialize};

wire_enum!(
    /// Lifecycle state of an instance (case sensitive upstream).
    InstanceState {
        Booting => "BOOTING",
        Starting => "STARTING",
        Deploying => "DEPLOYING",
        Building => "BUILDING",
        Ready => "READY",
        Up => "UP",
        Stopping => "STOPPING",
        Deleted => "DELETED",
        Ghost => "GHOST",
        MigrationInProgress => "MIGRATION_IN_PROGRESS",
        TaskInProgress => "TASK_IN_PROGRESS",
    }
);

/// Where an instance listens.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Network {
    pub ip: Option<String>,
    pub port: Option<u16>,
}

/// One virtual machine of an application (a build or a run instance).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Instance {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub owner_id: String,
    #[serde(deserialize_with = "nullable")]
    pub application_id: String,
    #[serde(deserialize_with = "nullable")]
    pub deployment_id: String,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(deserialize_with = "nullable")]
    pub flavor: String,
    pub index: Option<u32>,
    pub state: InstanceState,
    pub hypervisor_id: Option<String>,
    #[serde(with = "date")]
    pub creation_date: Option<Timestamp>,
    #[serde(with = "date")]
    pub deletion_date: Option<Timestamp>,
    #[serde(deserialize_with = "nullable")]
    pub network: Network,
    #[serde(deserialize_with = "nullable")]
    pub is_build_vm: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_instance() {
        let json = r#"{"id":"i-1","ownerId":"orga_1","applicationId":"app_1",
          "deploymentId":"deployment_1","name":"Flying Ada","flavor":"XS","index":0,
          "state":"UP","creationDate":"2024-05-01T10:00:00Z","deletionDate":null,
          "network":{"ip":"10.0.0.1","port":8080},"isBuildVm":false}"#;
        let i: Instance = serde_json::from_str(json).unwrap();
        assert_eq!(i.state, InstanceState::Up);
        assert_eq!(i.network.port, Some(8080));
        assert!(i.deletion_date.is_none());
    }

    #[test]
    fn unknown_instance_state_is_kept() {
        let i: Instance =
            serde_json::from_str(r#"{"state":"HIBERNATING","network":null}"#).unwrap();
        assert_eq!(i.state.to_string(), "HIBERNATING");
    }
}
