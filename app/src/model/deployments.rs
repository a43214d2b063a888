//! Deployments (`/v4/orchestration/.../deployments`).

use super::{Timestamp, date, nullable};
use serde::{Deserialize, Serialize};

wire_enum!(
    /// State of a deployment and of each of its steps.
    DeploymentState {
        Queued => "QUEUED",
        WorkInProgress => "WORK_IN_PROGRESS",
        TaskInProgress => "TASK_IN_PROGRESS",
        Succeeded => "SUCCEEDED",
        Failed => "FAILED",
        Cancelled => "CANCELLED",
    }
);

impl DeploymentState {
    /// Whether the deployment is over (a final state).
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Cancelled)
    }
}

wire_enum!(
    /// What started a deployment.
    OriginAction {
        Deploy => "DEPLOY",
        Undeploy => "UNDEPLOY",
        Upscale => "UPSCALE",
        Downscale => "DOWNSCALE",
        Replace => "REPLACE",
        Cancel => "CANCEL",
        None => "NONE",
    }
);

wire_enum!(
    /// Scheduling priority of a deployment.
    DeploymentPriority {
        Admin => "ADMIN",
        Urgent => "URGENT",
        Default => "DEFAULT",
    }
);

/// One step of a deployment: the state entered at `date`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Step {
    pub state: DeploymentState,
    #[serde(with = "date")]
    pub date: Option<Timestamp>,
}

/// The commit deployed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Version {
    pub commit_id: Option<String>,
}

/// Who or what asked for the deployment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Origin {
    pub action: OriginAction,
    pub cause: Option<String>,
    pub source: Option<String>,
    pub author_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub constraints: Vec<String>,
    pub priority: DeploymentPriority,
}

/// One deployment of an application.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Deployment {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub owner_id: String,
    #[serde(deserialize_with = "nullable")]
    pub application_id: String,
    #[serde(with = "date")]
    pub start_date: Option<Timestamp>,
    pub state: DeploymentState,
    #[serde(deserialize_with = "nullable")]
    pub steps: Vec<Step>,
    #[serde(deserialize_with = "nullable")]
    pub version: Version,
    #[serde(deserialize_with = "nullable")]
    pub origin: Origin,
    #[serde(deserialize_with = "nullable")]
    pub has_dedicated_build: bool,
}

impl Deployment {
    /// When the deployment reached its final state (the console's rule), if it has.
    pub fn end_date(&self) -> Option<Timestamp> {
        if !self.state.is_final() {
            return None;
        }
        self.steps
            .iter()
            .find(|s| s.state == self.state)
            .and_then(|s| s.date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_deployment_with_steps() {
        let json = r#"{"id":"deployment_1","ownerId":"orga_1","applicationId":"app_1",
          "startDate":"2024-05-01T10:00:00Z","state":"SUCCEEDED",
          "steps":[{"state":"QUEUED","date":"2024-05-01T10:00:00Z"},
                   {"state":"WORK_IN_PROGRESS","date":"2024-05-01T10:00:05Z"},
                   {"state":"SUCCEEDED","date":"2024-05-01T10:02:05Z"}],
          "version":{"commitId":"abc123"},
          "origin":{"action":"DEPLOY","cause":"git push","source":"GIT","authorId":"user_1",
                    "constraints":[""],"priority":"DEFAULT"},
          "hasDedicatedBuild":true}"#;
        let d: Deployment = serde_json::from_str(json).unwrap();
        assert_eq!(d.state, DeploymentState::Succeeded);
        assert_eq!(d.steps.len(), 3);
        assert_eq!(d.origin.action, OriginAction::Deploy);
        assert_eq!(d.version.commit_id.as_deref(), Some("abc123"));
        assert_eq!(
            d.end_date().map(|t| t.unix_timestamp()),
            Some(1_714_557_725)
        );
    }

    #[test]
    fn unknown_states_and_null_steps_are_tolerated() {
        let d: Deployment =
            serde_json::from_str(r#"{"state":"ROLLING_BACK","steps":null,"origin":null}"#).unwrap();
        assert_eq!(d.state.as_str(), "ROLLING_BACK");
        assert!(d.steps.is_empty());
        assert_eq!(d.end_date(), None);
    }
}
