//! An organisation's activity: its deployments (v2's organisation-wide list) merged with the
//! dashboard's own audit events, newest first; the filter of its page; the rows of its CSV.

use super::filters::{Checker, clip};
use super::url_filter::{Field, UrlFilter, one};
use crate::model::Timestamp;
use crate::model::activity::{ActivityRow, AuditEvent, Source};
use crate::model::fleet::V2Deployment;
use crate::urls;
use leptos_router::params::ParamsMap;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Most rows the page shows (the CSV has them all).
pub const PAGE_ROWS: usize = 500;

/// The activity page's filters, from its URL query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ActivityFilter {
    pub app: Option<String>,
    /// `deployment` or `dashboard`.
    pub kind: Option<String>,
    /// A v4 state (`FAILED`…) or a dashboard outcome word.
    pub state: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
}

impl UrlFilter for ActivityFilter {
    fn from_query(q: &ParamsMap) -> Self {
        Self {
            app: one(q, "app"),
            kind: one(q, "kind"),
            state: one(q, "state"),
            since: one(q, "since"),
            until: one(q, "until"),
        }
    }

    fn fields(&self) -> Vec<Field<'_>> {
        vec![
            Field::One("app", &self.app),
            Field::One("kind", &self.kind),
            Field::One("state", &self.state),
            Field::One("since", &self.since),
            Field::One("until", &self.until),
        ]
    }
}

/// The filter, checked: what a row must be.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Checked {
    pub app: Option<String>,
    pub kind: Option<Source>,
    pub state: Option<String>,
    pub since: Option<Timestamp>,
    /// Exclusive: the day after `until`.
    pub until: Option<Timestamp>,
}

/// The states the filter offers, in v4's words.
pub const STATES: [&str; 6] = [
    "SUCCEEDED",
    "FAILED",
    "CANCELLED",
    "WORK_IN_PROGRESS",
    "TASK_IN_PROGRESS",
    "QUEUED",
];

impl ActivityFilter {
    /// The checked filter, or the messages naming each bad field.
    pub fn check(&self) -> Result<Checked, String> {
        let mut c = Checker::default();
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let app = given(&self.app);
        if let Some(a) = &app
            && crate::ids::SegmentId::parse("application id", a).is_err()
        {
            c.fail(format!(
                "Application must be an application id (got \"{}\")",
                clip(a)
            ));
        }
        let kind = match given(&self.kind).as_deref() {
            None => None,
            Some("deployment") => Some(Source::Deployment),
            Some("dashboard") => Some(Source::Dashboard),
            Some(other) => {
                c.fail(format!(
                    "Kind must be deployment or dashboard (got \"{}\")",
                    clip(other)
                ));
                None
            }
        };
        let state = given(&self.state).map(|s| s.to_ascii_uppercase());
        if let Some(s) = &state
            && !STATES.contains(&s.as_str())
        {
            c.fail(format!(
                "State must be one of {} (got \"{}\")",
                STATES.join(", "),
                clip(s)
            ));
        }
        let since = c.date("Since", &self.since);
        let until = c
            .date("Until", &self.until)
            .map(|t| t + time::Duration::days(1));
        if let (Some(s), Some(u)) = (since, until)
            && s >= u
        {
            c.fail("Since must be before until".to_owned());
        }
        c.finish(Checked {
            app,
            kind,
            state,
            since,
            until,
        })
    }
}

impl Checked {
    /// Whether `row` passes.
    pub fn admits(&self, row: &ActivityRow) -> bool {
        self.app
            .as_ref()
            .is_none_or(|a| row.app_id.as_ref() == Some(a))
            && self.kind.is_none_or(|k| row.source == k)
            && self.state.as_ref().is_none_or(|s| row.state == *s)
            && self.since.is_none_or(|s| row.at.is_some_and(|t| t >= s))
            && self.until.is_none_or(|u| row.at.is_some_and(|t| t < u))
    }
}

/// The state of a dashboard action in v4's words.
fn outcome_state(outcome: &str) -> &'static str {
    if outcome == "ok" {
        "SUCCEEDED"
    } else {
        "FAILED"
    }
}

/// Every deployment and audit event as rows, newest first. `names` maps resource ids to names.
pub fn merge(
    owner: &str,
    deployments: &HashMap<String, Vec<V2Deployment>>,
    events: &[AuditEvent],
    names: &HashMap<String, String>,
) -> Vec<ActivityRow> {
    let name_of = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let mut rows: Vec<ActivityRow> = deployments
        .iter()
        .flat_map(|(app, list)| {
            list.iter().map(move |d| ActivityRow {
                at: d.date,
                actor: d
                    .author
                    .as_ref()
                    .map(|a| {
                        a.name
                            .clone()
                            .filter(|n| !n.is_empty())
                            .unwrap_or_else(|| a.id.clone())
                    })
                    .unwrap_or_default(),
                event: d.action.clone(),
                target: name_of(app),
                app_id: Some(app.clone()),
                state: d.v4_state().as_str().to_owned(),
                source: Source::Deployment,
                href: (!d.uuid.is_empty()).then(|| {
                    format!(
                        "{}/deployments/{}",
                        urls::app(owner, app, ""),
                        urls::segment(&d.uuid)
                    )
                }),
            })
        })
        .collect();
    rows.extend(events.iter().map(|e| {
        // A drain's resource is `{resource}/drains/{id}`: named by its resource.
        let base = e.resource.split('/').next().unwrap_or_default();
        let app_id = base.starts_with("app_").then(|| base.to_owned());
        let mut target = if base == e.resource {
            name_of(base)
        } else {
            format!("{} ({})", name_of(base), &e.resource[base.len() + 1..])
        };
        if let Some(d) = e.detail.as_deref().filter(|d| !d.is_empty()) {
            target = format!("{target} · {d}");
        }
        ActivityRow {
            at: e.at,
            actor: e.actor.clone(),
            event: e.action.clone(),
            target,
            app_id,
            state: outcome_state(&e.outcome).to_owned(),
            source: Source::Dashboard,
            href: None,
        }
    }));
    // Newest first; ties (and undated rows, last) in a stable order.
    rows.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.target.cmp(&b.target)));
    rows
}

/// The CSV's header.
pub const CSV_HEADER: [&str; 6] = ["time", "actor", "event", "target", "state", "source"];

/// One row of the CSV, as text cells (the writer quotes and neutralises them).
pub fn csv_cells(row: &ActivityRow) -> [String; 6] {
    [
        row.at
            .map(|t| crate::model::date::format(&t))
            .unwrap_or_default(),
        row.actor.clone(),
        row.event.clone(),
        row.target.clone(),
        row.state.clone(),
        row.source.as_str().to_owned(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fleet::Author;
    use time::macros::datetime;

    fn dep(id: &str, state: &str, at: Timestamp) -> V2Deployment {
        V2Deployment {
            uuid: id.into(),
            date: Some(at),
            state: state.into(),
            action: "DEPLOY".into(),
            commit: None,
            cause: None,
            author: Some(Author {
                id: "user_1".into(),
                name: Some("Ada".into()),
            }),
        }
    }

    fn rows() -> Vec<ActivityRow> {
        let deployments = HashMap::from([
            (
                "app_a".to_owned(),
                vec![
                    dep("d2", "FAIL", datetime!(2026-11-30 10:00 UTC)),
                    dep("d1", "OK", datetime!(2026-11-20 10:00 UTC)),
                ],
            ),
            (
                "app_b".to_owned(),
                vec![dep("d3", "WIP", datetime!(2026-12-01 09:00 UTC))],
            ),
        ]);
        let events = vec![
            AuditEvent {
                at: Some(datetime!(2026-11-30 12:00 UTC)),
                actor: "Grace".into(),
                action: "drain.create".into(),
                resource: "app_a/drains/drain_9".into(),
                outcome: "ok".into(),
                detail: None,
            },
            AuditEvent {
                at: Some(datetime!(2026-11-25 08:00 UTC)),
                actor: "Alan".into(),
                action: "operator.reboot".into(),
                resource: "keycloak_1".into(),
                outcome: "failed".into(),
                detail: Some("Sozu-Id s-1".into()),
            },
        ];
        let names = HashMap::from([
            ("app_a".to_owned(), "api".to_owned()),
            ("app_b".to_owned(), "web".to_owned()),
            ("keycloak_1".to_owned(), "auth".to_owned()),
        ]);
        merge("orga_1", &deployments, &events, &names)
    }

    #[test]
    fn deployments_and_dashboard_actions_merge_newest_first() {
        let got: Vec<(String, String, String, Source)> = rows()
            .into_iter()
            .map(|r| (r.target, r.event, r.state, r.source))
            .collect();
        let want = [
            ("web", "DEPLOY", "WORK_IN_PROGRESS", Source::Deployment),
            (
                "api (drains/drain_9)",
                "drain.create",
                "SUCCEEDED",
                Source::Dashboard,
            ),
            ("api", "DEPLOY", "FAILED", Source::Deployment),
            (
                "auth · Sozu-Id s-1",
                "operator.reboot",
                "FAILED",
                Source::Dashboard,
            ),
            ("api", "DEPLOY", "SUCCEEDED", Source::Deployment),
        ];
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert_eq!((g.0.as_str(), g.1.as_str(), g.2.as_str(), g.3), w);
        }
        let first = &rows()[0];
        assert_eq!(
            first.href.as_deref(),
            Some("/orgs/orga_1/apps/app_b/deployments/d3")
        );
        assert_eq!(first.actor, "Ada");
    }

    #[test]
    fn the_filter_checks_each_field_and_keeps_what_matches() {
        let f = |app: Option<&str>,
                 kind: Option<&str>,
                 state: Option<&str>,
                 since: Option<&str>,
                 until: Option<&str>| ActivityFilter {
            app: app.map(Into::into),
            kind: kind.map(Into::into),
            state: state.map(Into::into),
            since: since.map(Into::into),
            until: until.map(Into::into),
        };
        let kept = |filter: ActivityFilter| -> usize {
            let c = filter.check().expect("valid");
            rows().iter().filter(|r| c.admits(r)).count()
        };
        assert_eq!(kept(f(None, None, None, None, None)), 5);
        assert_eq!(
            kept(f(Some("app_a"), None, None, None, None)),
            3,
            "the drain's action is the app's"
        );
        assert_eq!(kept(f(None, Some("dashboard"), None, None, None)), 2);
        assert_eq!(kept(f(None, None, Some("failed"), None, None)), 2);
        // Until is the whole day.
        assert_eq!(
            kept(f(None, None, None, Some("2026-11-25"), Some("2026-11-30"))),
            3
        );
        let bad = f(
            Some("../x"),
            Some("cron"),
            Some("BROKEN"),
            Some("yesterday"),
            Some("2026-13-01"),
        )
        .check()
        .expect_err("every field is bad");
        for field in ["Application", "Kind", "State", "Since", "Until"] {
            assert!(bad.contains(field), "{field}: {bad}");
        }
        let reversed = f(None, None, None, Some("2026-12-01"), Some("2026-11-01"))
            .check()
            .expect_err("reversed");
        assert!(reversed.contains("Since must be before until"));
    }

    #[test]
    fn csv_cells_say_time_in_iso_8601_and_the_source() {
        let r = &rows()[1];
        assert_eq!(
            csv_cells(r),
            [
                "2026-11-30T12:00:00Z",
                "Grace",
                "drain.create",
                "api (drains/drain_9)",
                "SUCCEEDED",
                "dashboard"
            ]
            .map(String::from)
        );
    }
}
