//! Application pages logic: instance counts, ages, and the filters of the deployments and
//! instances pages.

use super::filters::{Checker, clip};
use super::url_filter::{Field, UrlFilter, many, one};
use crate::model::Timestamp;
use crate::model::instances::{Instance, InstanceState};
use crate::query::{DeploymentQuery, InstanceQuery};
use leptos_router::params::ParamsMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Largest `limit` of the deployments and instances pages.
pub const MAX_LIMIT: u32 = 1000;

/// Deployments shown when the URL does not say.
pub const DEFAULT_DEPLOYMENTS: u32 = 50;

/// The filters of the deployments page, as found in its URL query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeploymentFilter {
    pub limit: Option<String>,
    pub order: Option<String>,
}

impl DeploymentFilter {
    /// Checks the filters; the upstream query (newest first and 50 unless told), or a message
    /// naming each bad field.
    pub fn upstream_query(&self) -> Result<DeploymentQuery, String> {
        let mut c = Checker::default();
        let limit = c.limit("Limit", &self.limit, MAX_LIMIT);
        let order = c.order(&self.order);
        c.finish(DeploymentQuery {
            limit: Some(limit.unwrap_or(DEFAULT_DEPLOYMENTS)),
            order: Some(order.unwrap_or(crate::query::Order::Desc)),
            actions: vec![],
        })
    }
}

/// The filters of the instances page, as found in its URL query (states repeated).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InstanceFilter {
    pub deployment_id: Option<String>,
    pub limit: Option<String>,
    pub exclude_deleted: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub order: Option<String>,
    pub include_states: Vec<String>,
    pub exclude_states: Vec<String>,
}

impl InstanceFilter {
    /// Checks the filters; the upstream query or a message naming each bad field. States are
    /// case sensitive upstream, so `up` is taken as `UP`; an unknown state is refused.
    pub fn upstream_query(&self) -> Result<InstanceQuery, String> {
        if let Some(m) = self.too_many() {
            return Err(m);
        }
        let mut c = Checker::default();
        let deployment_id = c.id("deployment id", &self.deployment_id);
        let limit = c.limit("Limit", &self.limit, MAX_LIMIT);
        let exclude_deleted = c.flag("Hide deleted", &self.exclude_deleted);
        let since = c.date("Since", &self.since);
        let until = c.date("Until", &self.until);
        c.range(since, until);
        let order = c.order(&self.order);
        let mut states = |name: &str, raw: &[String]| {
            let mut out: Vec<String> = Vec::new();
            for s in raw.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                let up = s.to_ascii_uppercase();
                if matches!(InstanceState::from_wire(&up), InstanceState::Unknown(_)) {
                    c.fail(format!(
                        "{name} must be instance states such as UP or BOOTING (got \"{}\")",
                        clip(s)
                    ));
                } else if !out.contains(&up) {
                    out.push(up);
                }
            }
            out
        };
        let include_states = states("Include state", &self.include_states);
        let exclude_states = states("Exclude state", &self.exclude_states);
        c.finish(InstanceQuery {
            deployment_id,
            limit,
            exclude_deleted,
            since,
            until,
            order,
            include_states,
            exclude_states,
        })
    }
}

impl UrlFilter for DeploymentFilter {
    fn from_query(q: &ParamsMap) -> Self {
        Self {
            limit: one(q, "limit"),
            order: one(q, "order"),
        }
    }

    fn fields(&self) -> Vec<Field<'_>> {
        vec![
            Field::One("limit", &self.limit),
            Field::One("order", &self.order),
        ]
    }
}

impl UrlFilter for InstanceFilter {
    fn from_query(q: &ParamsMap) -> Self {
        Self {
            deployment_id: one(q, "deploymentId"),
            limit: one(q, "limit"),
            exclude_deleted: one(q, "excludeDeleted"),
            since: one(q, "since"),
            until: one(q, "until"),
            order: one(q, "order"),
            include_states: many(q, "includeState"),
            exclude_states: many(q, "excludeState"),
        }
    }

    fn fields(&self) -> Vec<Field<'_>> {
        vec![
            Field::One("deploymentId", &self.deployment_id),
            Field::One("limit", &self.limit),
            Field::One("excludeDeleted", &self.exclude_deleted),
            Field::One("since", &self.since),
            Field::One("until", &self.until),
            Field::One("order", &self.order),
            Field::Many("includeState", &self.include_states),
            Field::Many("excludeState", &self.exclude_states),
        ]
    }
}

/// How many instances per value of `key`, most first, then by name.
pub fn count_by(list: &[Instance], key: impl Fn(&Instance) -> String) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for i in list {
        *counts.entry(key(i)).or_default() += 1;
    }
    let mut out: Vec<_> = counts.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// "3 minutes ago", "2 days ago", "just now"; a future date reads "in the future".
pub fn age(at: Timestamp, now: Timestamp) -> String {
    let secs = (now - at).whole_seconds();
    if secs < 0 {
        return "in the future".to_owned();
    }
    let (n, unit) = match secs {
        0..=59 => return "just now".to_owned(),
        60..=3599 => (secs / 60, "minute"),
        3600..=86_399 => (secs / 3600, "hour"),
        _ => (secs / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// A duration for people: "45 s", "3 min 20 s", "2 h 5 min", "3 d 17 h".
pub fn duration(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min {} s", secs / 60, secs % 60),
        3600..=86_399 => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
        _ => format!("{} d {} h", secs / 86_400, secs % 86_400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::instances::InstanceState;
    use time::macros::datetime;

    #[test]
    fn deployment_filters_default_to_the_newest_fifty() {
        let q = DeploymentFilter::default().upstream_query().unwrap();
        assert_eq!(
            q.pairs(),
            [("limit", "50".to_owned()), ("order", "DESC".into())]
        );
        let f = DeploymentFilter {
            limit: Some("5000".into()),
            order: Some("up".into()),
        };
        let e = f.upstream_query().unwrap_err();
        assert!(
            e.contains("Limit must be a whole number from 1 to 1000 (got \"5000\")"),
            "{e}"
        );
        assert!(e.contains("Order must be ASC or DESC (got \"up\")"), "{e}");
    }

    #[test]
    fn instance_filters_check_every_field() {
        let f = InstanceFilter {
            deployment_id: Some("deployment_1".into()),
            limit: Some("20".into()),
            exclude_deleted: Some("true".into()),
            since: Some("2026-01-01".into()),
            until: Some("2026-02-01T00:00:00Z".into()),
            order: Some("asc".into()),
            include_states: vec!["up".into(), "UP".into(), "BOOTING".into()],
            exclude_states: vec!["DELETED".into()],
        };
        let q = f.upstream_query().unwrap();
        assert_eq!(q.include_states, ["UP", "BOOTING"]);
        assert_eq!(q.pairs().len(), 9);
        assert_eq!(
            crate::logic::url_filter::UrlFilter::to_query(&f),
            "?deploymentId=deployment%5F1&limit=20&excludeDeleted=true&since=2026%2D01%2D01\
             &until=2026%2D02%2D01T00%3A00%3A00Z&order=asc&includeState=up&includeState=UP\
             &includeState=BOOTING&excludeState=DELETED"
        );
        let bad = InstanceFilter {
            deployment_id: Some("../../admin".into()),
            since: Some("2026-13-01".into()),
            until: Some("2025-01-01".into()),
            limit: Some("-1".into()),
            include_states: vec!["RUNNING".into()],
            ..InstanceFilter::default()
        };
        let e = bad.upstream_query().unwrap_err();
        for part in [
            "Invalid deployment id",
            "Since must be a date",
            "Limit must be a whole number",
            "Include state must be instance states such as UP or BOOTING (got \"RUNNING\")",
        ] {
            assert!(e.contains(part), "{part} missing from {e}");
        }
        let inverted = InstanceFilter {
            since: Some("2026-02-01".into()),
            until: Some("2026-01-01".into()),
            ..InstanceFilter::default()
        };
        assert_eq!(
            inverted.upstream_query().unwrap_err(),
            "Since must be before until."
        );
    }

    #[test]
    fn counts_instances_by_state() {
        let i = |s: &str, f: &str| Instance {
            state: InstanceState::from_wire(s),
            flavor: f.into(),
            ..Instance::default()
        };
        let list = [i("UP", "XS"), i("UP", "M"), i("BOOTING", "XS")];
        assert_eq!(
            count_by(&list, |i| i.state.to_string()),
            [("UP".to_owned(), 2), ("BOOTING".to_owned(), 1)]
        );
        assert_eq!(
            count_by(&list, |i| i.flavor.clone()),
            [("XS".to_owned(), 2), ("M".to_owned(), 1)]
        );
    }

    #[test]
    fn ages_and_durations_read_well() {
        let now = datetime!(2026-01-10 12:00 UTC);
        assert_eq!(age(now, now), "just now");
        assert_eq!(age(datetime!(2026-01-10 11:57 UTC), now), "3 minutes ago");
        assert_eq!(age(datetime!(2026-01-10 11:00 UTC), now), "1 hour ago");
        assert_eq!(age(datetime!(2026-01-08 12:00 UTC), now), "2 days ago");
        assert_eq!(age(datetime!(2026-01-11 12:00 UTC), now), "in the future");
        assert_eq!(duration(45), "45 s");
        assert_eq!(duration(200), "3 min 20 s");
        assert_eq!(duration(7500), "2 h 5 min");
        assert_eq!(duration(-3), "0 s");
        assert_eq!(duration(89 * 3600 + 300), "3 d 17 h");
    }
}

/// The GitHub repository of `http_url` (`https://github.com/{owner}/{repo}`, a trailing
/// `.git` or `/` dropped), when it is one.
pub fn github_repository(http_url: &str) -> Option<String> {
    let path = http_url.trim().strip_prefix("https://github.com/")?;
    let parts: Vec<&str> = path
        .trim_end_matches('/')
        .trim_end_matches(".git")
        .split('/')
        .collect();
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match parts.as_slice() {
        [owner, repo] if valid(owner) && valid(repo) => {
            Some(format!("https://github.com/{owner}/{repo}"))
        }
        _ => None,
    }
}

/// A commit's link on GitHub, and the comparison with the previous succeeded deployment's
/// commit when there is one (and it differs). `None` for an id that is not hexadecimal.
pub fn commit_links(
    repository: &str,
    commit: &str,
    previous: Option<&str>,
) -> Option<(String, Option<String>)> {
    let hex = |c: &str| (4..=64).contains(&c.len()) && c.chars().all(|ch| ch.is_ascii_hexdigit());
    if !hex(commit) {
        return None;
    }
    let compare = previous
        .filter(|p| hex(p) && *p != commit)
        .map(|p| format!("{repository}/compare/{p}...{commit}"));
    Some((format!("{repository}/commit/{commit}"), compare))
}

#[cfg(test)]
mod commit_tests {
    use super::*;

    #[test]
    fn github_links_are_built_only_for_github_and_hex_commits() {
        assert_eq!(
            github_repository("https://github.com/acme/api.git/").as_deref(),
            Some("https://github.com/acme/api")
        );
        for not in [
            "http://github.com/acme/api",
            "https://gitlab.com/acme/api",
            "https://github.com/acme",
            "https://github.com/acme/api/tree/main",
            "git+ssh://push.par.clever-cloud.com/app_1.git",
            "https://github.com/ac%20me/api",
        ] {
            assert_eq!(github_repository(not), None, "{not}");
        }
        let repo = "https://github.com/acme/api";
        assert_eq!(
            commit_links(repo, "abc1234", Some("0f0f0f0")),
            Some((
                "https://github.com/acme/api/commit/abc1234".to_owned(),
                Some("https://github.com/acme/api/compare/0f0f0f0...abc1234".to_owned())
            ))
        );
        assert_eq!(
            commit_links(repo, "abc1234", Some("abc1234")).map(|l| l.1),
            Some(None),
            "no comparison with itself"
        );
        assert_eq!(commit_links(repo, "../../evil", None), None);
    }
}
