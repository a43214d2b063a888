//! The log stream's filter from a URL query (the viewer's and the relay's), checked field by
//! field before anything goes upstream.

use crate::logic::filters::{Checker, clip, url_query};
use crate::logic::url_filter::MAX_VALUES;
use crate::query::LogQuery;
use serde::{Deserialize, Serialize};

/// Fields a log line has (`field=` may only name these).
pub const FIELDS: [&str; 15] = [
    "id",
    "applicationId",
    "commitId",
    "deploymentId",
    "instanceId",
    "date",
    "zone",
    "region",
    "pid",
    "facility",
    "severity",
    "priority",
    "version",
    "service",
    "message",
];

/// Largest `limit` of one stream.
pub const MAX_LIMIT: u32 = 1_000_000;
/// Longest text filter.
pub const MAX_FILTER: usize = 200;

/// The parameters of a log stream, as found in a URL query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LogFilter {
    pub deployment_id: Option<String>,
    pub instance_id: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub fields: Vec<String>,
    pub services: Vec<String>,
    pub filter: Option<String>,
    pub limit: Option<String>,
    pub throttle_elements: Option<String>,
    pub throttle_per_in_milliseconds: Option<String>,
}

impl LogFilter {
    /// Reads the documented parameters from `(name, value)` pairs (repeated ones repeated).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            let v = v.to_owned();
            match k {
                "deploymentId" => f.deployment_id = Some(v),
                "instanceId" => f.instance_id = Some(v),
                "since" => f.since = Some(v),
                "until" => f.until = Some(v),
                "field" => f.fields.push(v),
                "service" => f.services.push(v),
                "filter" => f.filter = Some(v),
                "limit" => f.limit = Some(v),
                "throttleElements" => f.throttle_elements = Some(v),
                "throttlePerInMilliseconds" => f.throttle_per_in_milliseconds = Some(v),
                _ => {}
            }
        }
        f
    }

    /// Checks every parameter; the upstream query or a message naming each bad one.
    pub fn upstream_query(&self) -> Result<LogQuery, String> {
        if self.services.len() > MAX_VALUES {
            return Err(format!(
                "Too many values for \"service\" ({} given; at most {MAX_VALUES}).",
                self.services.len()
            ));
        }
        let mut c = Checker::default();
        let deployment_id = c.id("deployment id", &self.deployment_id);
        let instance_id = c.id("instance id", &self.instance_id);
        let since = c.date("Since", &self.since);
        let until = c.date("Until", &self.until);
        c.range(since, until);
        let limit = c.limit("Limit", &self.limit, MAX_LIMIT).map(u64::from);
        let throttle_elements = c.limit("Throttle elements", &self.throttle_elements, 10_000);
        let throttle_per_in_milliseconds = c
            .limit(
                "Throttle period",
                &self.throttle_per_in_milliseconds,
                60_000,
            )
            .map(u64::from);
        let mut fields = Vec::new();
        for f in self
            .fields
            .iter()
            .map(|f| f.trim())
            .filter(|f| !f.is_empty())
        {
            if FIELDS.contains(&f) {
                fields.push(f.to_owned());
            } else {
                c.fail(format!(
                    "Field must be one of {} (got \"{}\")",
                    FIELDS.join(", "),
                    clip(f)
                ));
            }
        }
        let mut services = Vec::new();
        for s in self
            .services
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            let ok = s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@'));
            if ok {
                services.push(s.to_owned());
            } else {
                c.fail(format!(
                    "Service must be a unit name such as bas or bas-deploy (got \"{}\")",
                    clip(s)
                ));
            }
        }
        let filter = match self
            .filter
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
        {
            Some(f) if f.chars().count() > MAX_FILTER => {
                c.fail(format!("Filter must be at most {MAX_FILTER} characters"));
                None
            }
            Some(f) if f.chars().any(char::is_control) => {
                c.fail("Filter must not contain control characters".to_owned());
                None
            }
            other => other.map(str::to_owned),
        };
        c.finish(LogQuery {
            deployment_id,
            instance_id,
            since,
            until,
            fields,
            filter,
            limit,
            services,
            throttle_elements,
            throttle_per_in_milliseconds,
        })
    }

    /// The URL query of these parameters (for the relay's address and links).
    pub fn to_url_query(&self) -> String {
        let one = [
            ("deploymentId", &self.deployment_id),
            ("instanceId", &self.instance_id),
            ("since", &self.since),
            ("until", &self.until),
            ("filter", &self.filter),
            ("limit", &self.limit),
            ("throttleElements", &self.throttle_elements),
            (
                "throttlePerInMilliseconds",
                &self.throttle_per_in_milliseconds,
            ),
        ];
        url_query(
            one.into_iter()
                .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
                .chain(self.fields.iter().map(|f| ("field", f.as_str())))
                .chain(self.services.iter().map(|s| ("service", s.as_str()))),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_parameter_is_read_and_checked() {
        let pairs = [
            ("deploymentId", "deployment_1"),
            ("instanceId", "i-1"),
            ("since", "2026-11-01"),
            ("until", "2026-11-02T00:00:00Z"),
            ("field", "message"),
            ("field", "date"),
            ("service", "bas"),
            ("service", "bas-deploy"),
            ("filter", "error"),
            ("limit", "100"),
            ("throttleElements", "2000"),
            ("throttlePerInMilliseconds", "100"),
            ("other", "ignored"),
        ];
        let f = LogFilter::from_pairs(pairs);
        let q = f.upstream_query().unwrap();
        assert_eq!(q.pairs().len(), 12);
        assert_eq!(q.services, ["bas", "bas-deploy"]);
        assert_eq!(q.limit, Some(100));
        let url = f.to_url_query();
        let back = LogFilter::from_pairs(
            url.trim_start_matches('?')
                .split('&')
                .filter_map(|kv| kv.split_once('=')),
        );
        assert_eq!(back.fields, f.fields);
    }

    #[test]
    fn bad_parameters_get_a_message_each() {
        let f = LogFilter {
            deployment_id: Some("../x".into()),
            since: Some("last tuesday".into()),
            fields: vec!["password".into()],
            services: vec!["bas; rm -rf".into()],
            filter: Some("a\u{0}b".into()),
            limit: Some("0".into()),
            throttle_elements: Some("100000".into()),
            ..LogFilter::default()
        };
        let e = f.upstream_query().unwrap_err();
        for part in [
            "Invalid deployment id",
            "Since must be a date",
            "Field must be one of",
            "Service must be a unit name",
            "Filter must not contain control characters",
            "Limit must be a whole number from 1 to 1000000",
            "Throttle elements must be a whole number from 1 to 10000",
        ] {
            assert!(e.contains(part), "{part} missing from {e}");
        }
        let long = LogFilter {
            filter: Some("x".repeat(201)),
            ..LogFilter::default()
        };
        assert!(long.upstream_query().unwrap_err().contains("at most 200"));
    }
}
