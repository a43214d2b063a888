//! What the alerts page shows: the watch credential, the rules and channels (never a URL or a
//! secret), incidents with their timelines, and the delivery log.

use super::{Timestamp, date};
use crate::logic::alerts::{AlertSeverity, Subject};
use serde::{Deserialize, Serialize};

/// One incident: a rule and its subject, from when the condition started to when it ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: String,
    pub rule: String,
    pub kind: String,
    pub severity: AlertSeverity,
    pub organisation: String,
    pub organisation_name: String,
    pub subject: Subject,
    pub summary: String,
    /// The dashboard page that explains it.
    pub href: String,
    #[serde(with = "date")]
    pub opened_at: Option<Timestamp>,
    #[serde(with = "date")]
    pub resolved_at: Option<Timestamp>,
    /// What happened to it, oldest first: (when, what).
    pub timeline: Vec<(String, String)>,
}

/// One attempt to deliver a notification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// The same on every attempt of one delivery (`X-Dashboard-Delivery`).
    pub id: String,
    pub incident: String,
    pub channel: String,
    /// `open`, `resolved`, `reminder`, `test`.
    pub state: String,
    pub attempt: u32,
    /// `delivered (204)`, `failed: …, retrying in 4 s`, `gave up after 5 attempts`.
    pub outcome: String,
    #[serde(with = "date")]
    pub at: Option<Timestamp>,
}

/// A rule as the page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleRow {
    pub name: String,
    pub kind: String,
    /// The organisation's name (its id when the watch credential does not see it).
    pub organisation: String,
    pub severity: AlertSeverity,
    pub applications: Vec<String>,
    pub channels: Vec<String>,
    /// Why it does not run (`None`: it runs).
    pub inactive: Option<String>,
    /// Who made it on the page (`None`: from the operator's file, read-only).
    pub by: Option<String>,
    /// Its organisation's id.
    pub organisation_id: String,
    /// A budget's amount, currency and thresholds (percent).
    pub amount: Option<f64>,
    pub currency: Option<String>,
    pub thresholds: Vec<u32>,
}

/// A channel as the page lists it: its name and kind, never its URL or secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelRow {
    pub name: String,
    pub kind: String,
    pub inactive: Option<String>,
    /// The name of the organisation whose rules may use it (`None`: every rule).
    pub organisation: Option<String>,
    /// Who made it on the page (`None`: from the operator's file, read-only).
    pub by: Option<String>,
}

/// Everything the alerts page shows a user (incidents of the organisations they can see).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertsView {
    /// Why nothing is evaluated (no watch credential, …), when so.
    pub off: Option<String>,
    /// The organisations the watch credential sees.
    pub watched: Vec<(String, String)>,
    #[serde(with = "date")]
    pub watch_expires: Option<Timestamp>,
    #[serde(with = "date")]
    pub last_cycle: Option<Timestamp>,
    /// Where rules come from (`DASHBOARD_ALERTS_FILE`).
    pub file: Option<String>,
    pub rules: Vec<RuleRow>,
    pub channels: Vec<ChannelRow>,
    pub open: Vec<Incident>,
    pub resolved: Vec<Incident>,
    pub deliveries: Vec<Delivery>,
    /// The organisations the user may make rules and channels for (seen by both their
    /// session and the watch credential): (id, name). Empty: nothing can be made here.
    pub editable: Vec<(String, String)>,
    /// Whether rules and channels can be made on this server (alerts run and keep state).
    pub can_edit: bool,
}
