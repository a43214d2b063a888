//! An organisation's activity: its deployments and what people did through this dashboard.

use super::Timestamp;
use super::date;
use serde::{Deserialize, Serialize};

/// One action done through this dashboard (an audit event), as kept per organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    #[serde(with = "date")]
    pub at: Option<Timestamp>,
    /// Who: the user's name, else their email, else their id.
    pub actor: String,
    /// What, as the audit log names it (`drain.create`, `operator.reboot`…).
    pub action: String,
    /// On what: the resource id (an application, an add-on, `app_…/drains/drain_…`).
    pub resource: String,
    /// `ok` or `failed`.
    pub outcome: String,
    /// What else says what was done: the commit deployed, the support reference (Sozu-Id) of
    /// a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Where a row of the activity comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// A deployment, as Clever Cloud lists it.
    Deployment,
    /// An action done through this dashboard.
    Dashboard,
}

impl Source {
    /// As the filter and the CSV name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deployment => "deployment",
            Self::Dashboard => "dashboard",
        }
    }
}

/// One row of the activity feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityRow {
    #[serde(with = "date")]
    pub at: Option<Timestamp>,
    pub actor: String,
    /// The deployment's action (`DEPLOY`…) or the dashboard action.
    pub event: String,
    /// The application's (or resource's) name, else its id.
    pub target: String,
    /// The application id the row is about, when it is one.
    pub app_id: Option<String>,
    /// In v4's words: `SUCCEEDED`, `FAILED`, `CANCELLED`, `WORK_IN_PROGRESS`…
    pub state: String,
    pub source: Source,
    /// The page that explains it (a deployment's), when there is one.
    pub href: Option<String>,
}

/// The activity of an organisation, as its page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub rows: Vec<ActivityRow>,
    /// Rows before filtering.
    pub total: usize,
    /// The applications of the organisation (id, name), for the filter.
    pub apps: Vec<(String, String)>,
    /// Whether the dashboard's own events could be read (else only deployments are shown).
    pub audit_read: bool,
}
