//! What the fleet board reads beyond the summary: v2's deployments across an organisation and
//! its application details, the current token; and what the board shows (`OwnerBoard`).

use super::Timestamp;
use super::date;
use super::deployments::DeploymentState;
use super::navigation::ApplicationState;
use serde::{Deserialize, Serialize};

/// Who made a v2 deployment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Author {
    pub id: String,
    pub name: Option<String>,
}

/// A deployment as `GET /v2/organisations/{o}/deployments` lists it (a map from application id
/// to these, newest first).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct V2Deployment {
    /// The deployment id, the same as v4's.
    pub uuid: String,
    #[serde(with = "date")]
    pub date: Option<Timestamp>,
    /// v2's state word (`WIP`, `OK`, `FAIL`, `CANCELLED`, `TASK_RUNNING`).
    pub state: String,
    pub action: String,
    pub commit: Option<String>,
    pub cause: Option<String>,
    pub author: Option<Author>,
}

impl V2Deployment {
    /// The state in v4's words.
    pub fn v4_state(&self) -> DeploymentState {
        match self.state.as_str() {
            "OK" => DeploymentState::Succeeded,
            "FAIL" => DeploymentState::Failed,
            "CANCELLED" => DeploymentState::Cancelled,
            "WIP" => DeploymentState::WorkInProgress,
            "TASK_RUNNING" => DeploymentState::TaskInProgress,
            other => DeploymentState::Unknown(other.to_owned()),
        }
    }
}

/// A flavor by name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Flavor {
    pub name: String,
}

/// An application's scaling bounds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Scaling {
    pub min_instances: u32,
    pub max_instances: u32,
    pub min_flavor: Option<Flavor>,
    pub max_flavor: Option<Flavor>,
}

/// `GET /v2/organisations/{o}/applications/{a}`, the fields the board reads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct V2Application {
    pub name: String,
    pub state: ApplicationState,
    pub zone: Option<String>,
    pub instance: Scaling,
    pub deployment: Option<DeploymentSource>,
}

impl V2Application {
    /// Its name, when it has one.
    pub fn known_name(&self) -> Option<String> {
        Some(self.name.clone()).filter(|n| !n.trim().is_empty())
    }

    /// The GitHub repository it is deployed from, when it is one (commit links).
    pub fn github(&self) -> Option<String> {
        self.deployment
            .as_ref()
            .and_then(|d| d.http_url.as_deref())
            .and_then(crate::logic::apps::github_repository)
    }
}

/// Where an application's code comes from (`deployment` of the v2 application).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DeploymentSource {
    /// The repository's web address, when it has one (`https://github.com/o/r`).
    pub http_url: Option<String>,
}

/// `GET /v2/self/tokens/current`, the field the board reads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CurrentToken {
    #[serde(with = "date")]
    pub expiration_date: Option<Timestamp>,
}

/// How much a thing on the board needs a person, most first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// Down, or blocked by the platform.
    Critical,
    /// Broken or about to be.
    Warning,
    /// Worth a look.
    Notice,
}

/// One entry of "Needs attention": a sentence and the page that explains it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attention {
    pub severity: Severity,
    pub text: String,
    pub href: String,
}

/// The latest deployment of an application, as its row shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Latest {
    pub id: String,
    pub state: DeploymentState,
    #[serde(with = "date")]
    pub at: Option<Timestamp>,
    pub author: Option<String>,
    pub commit: Option<String>,
}

/// The drains of a resource, by health.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrainHealth {
    pub total: u32,
    pub disabled: u32,
    pub retrying: u32,
}

/// One application's row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppRow {
    pub id: String,
    pub name: String,
    pub state: ApplicationState,
    /// Run instances `UP` now, and the least the application asks for (`None`: not known).
    pub up: Option<u32>,
    pub min: Option<u32>,
    pub flavor: Option<String>,
    pub zone: Option<String>,
    pub latest: Option<Latest>,
    /// The latest deployment that ended, when it is not the latest one.
    pub last_ended: Option<Latest>,
    pub drains: Option<DrainHealth>,
}

/// One add-on's row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AddonRow {
    pub name: String,
    pub real_id: String,
    pub kind: String,
    /// Its page on the dashboard (an operator's, Pulsar's), else its drains.
    pub href: String,
    /// For operators with versions: installed, and the latest when it differs.
    pub version: Option<(String, Option<String>)>,
    pub drains: Option<DrainHealth>,
}

/// One owner's part of the board.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnerBoard {
    pub id: String,
    pub name: String,
    pub personal: bool,
    pub apps: Vec<AppRow>,
    pub addons: Vec<AddonRow>,
    pub attention: Vec<Attention>,
    /// What could not be read (named), so a gap never looks healthy.
    pub gaps: Vec<String>,
    /// When its data was read.
    #[serde(with = "date")]
    pub fetched: Option<Timestamp>,
    /// Its requests of the last 24 hours, hour by hour: (all, 5xx); `None`: not read.
    pub requests: Option<Vec<(u64, u64)>>,
}
