//! Query parameters of the upstream calls, typed; shared by pages (URL query) and the client.
//!
//! Each query turns into `(name, value)` pairs in a fixed order, repeated parameters repeated.

use crate::ids::SegmentId;
use crate::model::{Timestamp, date};
use serde::{Deserialize, Serialize};

/// Sort order of deployments and instances.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Order {
    #[serde(rename = "ASC")]
    Asc,
    #[serde(rename = "DESC")]
    Desc,
}

impl Order {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "ASC",
            Self::Desc => "DESC",
        }
    }
}

/// Pushes `name=value` when the value is there.
fn push<T: ToString>(out: &mut Vec<(&'static str, String)>, name: &'static str, v: &Option<T>) {
    if let Some(v) = v {
        out.push((name, v.to_string()));
    }
}

fn push_date(out: &mut Vec<(&'static str, String)>, name: &'static str, v: &Option<Timestamp>) {
    if let Some(t) = v {
        out.push((name, date::format(t)));
    }
}

/// `GET .../invoices`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InvoiceQuery {
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub limit: Option<u32>,
}

impl InvoiceQuery {
    /// The query pairs.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        push_date(&mut out, "since", &self.since);
        push_date(&mut out, "until", &self.until);
        push(&mut out, "limit", &self.limit);
        out
    }
}

/// `GET .../deployments`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeploymentQuery {
    pub limit: Option<u32>,
    pub order: Option<Order>,
    /// `action`, repeated.
    pub actions: Vec<String>,
}

impl DeploymentQuery {
    /// The query pairs.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        push(&mut out, "limit", &self.limit);
        push(&mut out, "order", &self.order.map(Order::as_str));
        out.extend(self.actions.iter().map(|a| ("action", a.clone())));
        out
    }
}

/// `GET .../instances`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InstanceQuery {
    pub deployment_id: Option<SegmentId>,
    pub limit: Option<u32>,
    pub exclude_deleted: Option<bool>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub order: Option<Order>,
    /// `includeState`, repeated, case sensitive.
    pub include_states: Vec<String>,
    /// `excludeState`, repeated, case sensitive.
    pub exclude_states: Vec<String>,
}

impl InstanceQuery {
    /// The query pairs.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        push(&mut out, "deploymentId", &self.deployment_id);
        push(&mut out, "limit", &self.limit);
        push(&mut out, "excludeDeleted", &self.exclude_deleted);
        push_date(&mut out, "since", &self.since);
        push_date(&mut out, "until", &self.until);
        push(&mut out, "order", &self.order.map(Order::as_str));
        out.extend(
            self.include_states
                .iter()
                .map(|s| ("includeState", s.clone())),
        );
        out.extend(
            self.exclude_states
                .iter()
                .map(|s| ("excludeState", s.clone())),
        );
        out
    }
}

/// `GET /v4/logs/.../logs` (server-sent events).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LogQuery {
    pub deployment_id: Option<SegmentId>,
    pub instance_id: Option<SegmentId>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// `field`, repeated.
    pub fields: Vec<String>,
    /// Case-insensitive "contains".
    pub filter: Option<String>,
    pub limit: Option<u64>,
    /// `service`, repeated.
    pub services: Vec<String>,
    pub throttle_elements: Option<u32>,
    pub throttle_per_in_milliseconds: Option<u64>,
}

impl LogQuery {
    /// The query pairs.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        push(&mut out, "deploymentId", &self.deployment_id);
        push(&mut out, "instanceId", &self.instance_id);
        push_date(&mut out, "since", &self.since);
        push_date(&mut out, "until", &self.until);
        out.extend(self.fields.iter().map(|f| ("field", f.clone())));
        push(&mut out, "filter", &self.filter);
        push(&mut out, "limit", &self.limit);
        out.extend(self.services.iter().map(|s| ("service", s.clone())));
        push(&mut out, "throttleElements", &self.throttle_elements);
        push(
            &mut out,
            "throttlePerInMilliseconds",
            &self.throttle_per_in_milliseconds,
        );
        out
    }
}

/// `GET .../drains`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DrainQuery {
    /// `status`, repeated.
    pub status: Vec<String>,
    /// `executionStatus`, repeated.
    pub execution_status: Vec<String>,
    /// `executionStatusNotIn`, repeated.
    pub execution_status_not_in: Vec<String>,
}

impl DrainQuery {
    /// The query pairs.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        out.extend(self.status.iter().map(|s| ("status", s.clone())));
        out.extend(
            self.execution_status
                .iter()
                .map(|s| ("executionStatus", s.clone())),
        );
        out.extend(
            self.execution_status_not_in
                .iter()
                .map(|s| ("executionStatusNotIn", s.clone())),
        );
        out
    }
}

/// `GET /v4/products/zones`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ZoneQuery {
    /// `tag`, repeated.
    pub tags: Vec<String>,
    pub owner_id: Option<SegmentId>,
}

impl ZoneQuery {
    /// The query pairs.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out: Vec<_> = self.tags.iter().map(|t| ("tag", t.clone())).collect();
        push(&mut out, "ownerId", &self.owner_id);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn repeated_parameters_are_repeated() {
        let q = InstanceQuery {
            deployment_id: Some(SegmentId::parse("id", "deployment_1").unwrap()),
            limit: Some(50),
            exclude_deleted: Some(true),
            since: Some(datetime!(2024-01-01 00:00 UTC)),
            until: None,
            order: Some(Order::Desc),
            include_states: vec!["UP".into(), "BOOTING".into()],
            exclude_states: vec!["DELETED".into()],
        };
        assert_eq!(
            q.pairs(),
            vec![
                ("deploymentId", "deployment_1".to_owned()),
                ("limit", "50".into()),
                ("excludeDeleted", "true".into()),
                ("since", "2024-01-01T00:00:00Z".into()),
                ("order", "DESC".into()),
                ("includeState", "UP".into()),
                ("includeState", "BOOTING".into()),
                ("excludeState", "DELETED".into()),
            ]
        );
    }

    #[test]
    fn log_query_has_every_documented_parameter() {
        let q = LogQuery {
            deployment_id: Some(SegmentId::parse("id", "d1").unwrap()),
            instance_id: Some(SegmentId::parse("id", "i1").unwrap()),
            since: Some(datetime!(2024-01-01 00:00 UTC)),
            until: Some(datetime!(2024-01-02 00:00 UTC)),
            fields: vec!["message".into(), "date".into()],
            filter: Some("error".into()),
            limit: Some(10),
            services: vec!["bas".into(), "bas-deploy".into()],
            throttle_elements: Some(100),
            throttle_per_in_milliseconds: Some(300),
        };
        let names: Vec<_> = q.pairs().into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "deploymentId",
                "instanceId",
                "since",
                "until",
                "field",
                "field",
                "filter",
                "limit",
                "service",
                "service",
                "throttleElements",
                "throttlePerInMilliseconds"
            ]
        );
    }

    #[test]
    fn empty_queries_send_nothing() {
        assert!(InvoiceQuery::default().pairs().is_empty());
        assert!(ZoneQuery::default().pairs().is_empty());
        assert!(DrainQuery::default().pairs().is_empty());
    }
}
