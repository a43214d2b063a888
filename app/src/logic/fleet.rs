//! The fleet board's rules: what an application's or add-on's facts say needs a person, in
//! sentences with the page that explains them, most severe first.

use crate::logic::ago;
use crate::model::Timestamp;
use crate::model::deployments::DeploymentState;
use crate::model::drains::{Drain, DrainStatus, ExecutionStatus};
use crate::model::fleet::{
    AddonRow, AppRow, Attention, DrainHealth, Latest, Severity, V2Deployment,
};
use crate::model::instances::{Instance, InstanceState};
use crate::model::navigation::ApplicationState;
use crate::urls;

/// A deployment in progress for longer than this needs a look (minutes).
pub const STUCK_AFTER_MINUTES: i64 = 20;
/// A token expiring within this many days is said on the board.
pub const TOKEN_WARN_DAYS: i64 = 14;

fn latest(d: &V2Deployment) -> Latest {
    Latest {
        id: d.uuid.clone(),
        state: d.v4_state(),
        at: d.date,
        author: d.author.as_ref().map(|a| {
            a.name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| a.id.clone())
        }),
        commit: d.commit.clone(),
    }
}

/// The latest deployment (of a list in any order), and the latest that ended when the
/// latest has not.
pub fn latest_of(deployments: &[V2Deployment]) -> (Option<Latest>, Option<Latest>) {
    let mut sorted: Vec<&V2Deployment> = deployments.iter().collect();
    sorted.sort_by_key(|d| std::cmp::Reverse(d.date));
    let newest = sorted.first().map(|d| latest(d));
    let ended = match &newest {
        Some(n) if !n.state.is_final() => sorted
            .iter()
            .find(|d| d.v4_state().is_final())
            .map(|d| latest(d)),
        _ => None,
    };
    (newest, ended)
}

/// How a resource's drains are.
pub fn drain_health(drains: &[Drain]) -> DrainHealth {
    let count = |f: &dyn Fn(&Drain) -> bool| drains.iter().filter(|d| f(d)).count() as u32;
    DrainHealth {
        total: drains.len() as u32,
        disabled: count(&|d| d.status.status == DrainStatus::Disabled),
        retrying: count(&|d| {
            d.status.status != DrainStatus::Disabled
                && d.execution.status == ExecutionStatus::Retrying
        }),
    }
}

/// Run instances (not build machines) `UP` now.
pub fn up_count(instances: &[Instance]) -> u32 {
    instances
        .iter()
        .filter(|i| !i.is_build_vm && i.state == InstanceState::Up)
        .count() as u32
}

/// `1 thing` or `n things`, as the caller spells them.
pub fn plural(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n: u64 = n.into();
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn entry(severity: Severity, text: String, href: String) -> Attention {
    Attention {
        severity,
        text,
        href,
    }
}

fn drain_attention(name: &str, health: &DrainHealth, href: &str) -> Vec<Attention> {
    let mut out = Vec::new();
    if health.disabled > 0 {
        out.push(entry(
            Severity::Warning,
            format!(
                "{name}: {} disabled, so its logs are not forwarded.",
                plural(health.disabled, "log drain is", "log drains are")
            ),
            href.to_owned(),
        ));
    }
    if health.retrying > 0 {
        out.push(entry(
            Severity::Notice,
            format!(
                "{name}: {} retrying, its recipient refusing logs.",
                plural(health.retrying, "log drain is", "log drains are")
            ),
            href.to_owned(),
        ));
    }
    out
}

/// What an application's row says needs attention.
pub fn app_attention(owner: &str, row: &AppRow, now: Timestamp) -> Vec<Attention> {
    let name = &row.name;
    let overview = urls::app(owner, &row.id, "");
    let deployment = |id: &str| format!("{overview}/deployments/{}", urls::segment(id));
    let mut out = Vec::new();
    match row.state {
        ApplicationState::Moderated => out.push(entry(
            Severity::Critical,
            format!("{name} is moderated by Clever Cloud: it cannot run until support lifts it."),
            overview.clone(),
        )),
        ApplicationState::DefaultOfPayment => out.push(entry(
            Severity::Critical,
            format!("{name} is stopped for an unpaid invoice."),
            urls::invoices(owner),
        )),
        ApplicationState::ShouldBeUp | ApplicationState::WantsToBeUp => match (row.up, row.min) {
            (Some(0), _) => out.push(entry(
                Severity::Critical,
                format!("{name} should be up, but no instance is up."),
                urls::app(owner, &row.id, "/instances"),
            )),
            (Some(up), Some(min)) if up < min => out.push(entry(
                Severity::Warning,
                format!(
                    "{name} has {} up of at least {min}.",
                    plural(up, "instance", "instances")
                ),
                urls::app(owner, &row.id, "/instances"),
            )),
            _ => {}
        },
        _ => {}
    }
    let ended = row
        .latest
        .as_ref()
        .filter(|l| l.state.is_final())
        .or(row.last_ended.as_ref());
    if let Some(l) = ended {
        let when =
            l.at.map(|t| format!(" {}", ago(t, now)))
                .unwrap_or_default();
        match l.state {
            DeploymentState::Failed => out.push(entry(
                Severity::Warning,
                format!("The latest deployment of {name} failed{when}, and none succeeded since."),
                deployment(&l.id),
            )),
            DeploymentState::Cancelled => out.push(entry(
                Severity::Notice,
                format!(
                    "The latest deployment of {name} was cancelled{when}, and none succeeded since."
                ),
                deployment(&l.id),
            )),
            _ => {}
        }
    }
    if let Some(l) = row.latest.as_ref().filter(|l| !l.state.is_final())
        && let Some(at) = l.at
    {
        let minutes = (now - at).whole_minutes();
        if minutes > STUCK_AFTER_MINUTES {
            out.push(entry(
                Severity::Warning,
                format!("A deployment of {name} has been in progress for {minutes} min."),
                deployment(&l.id),
            ));
        }
    }
    if let Some(h) = &row.drains {
        out.extend(drain_attention(name, h, &urls::drains(owner, &row.id)));
    }
    out
}

/// What an add-on's row says needs attention.
pub fn addon_attention(owner: &str, row: &AddonRow) -> Vec<Attention> {
    let mut out = Vec::new();
    if let Some((installed, Some(latest))) = &row.version {
        out.push(entry(
            Severity::Notice,
            format!(
                "{} ({}) can be updated from {installed} to {latest}.",
                row.name, row.kind
            ),
            row.href.clone(),
        ));
    }
    if let Some(h) = &row.drains {
        out.extend(drain_attention(
            &row.name,
            h,
            &urls::drains(owner, &row.real_id),
        ));
    }
    out
}

/// The session's own credentials expiring soon (or expired), when their expiry is known.
pub fn token_attention(expires: Option<Timestamp>, now: Timestamp) -> Option<Attention> {
    let at = expires?;
    let days = (at - now).whole_days();
    let day = crate::logic::day(Some(at));
    let (severity, text) = if at <= now {
        (
            Severity::Critical,
            format!("Your sign-in credentials expired on {day}: sign in again."),
        )
    } else if days < TOKEN_WARN_DAYS {
        let severity = if days < 3 {
            Severity::Warning
        } else {
            Severity::Notice
        };
        (
            severity,
            format!(
                "Your sign-in credentials expire on {day} ({}): sign in again with new ones before then.",
                ago(at, now)
            ),
        )
    } else {
        return None;
    };
    Some(entry(severity, text, "/login".to_owned()))
}

/// An add-on's kind from its provider id, as people say it (`postgresql-addon`: PostgreSQL).
pub fn addon_kind(provider: &str) -> String {
    let bare = provider
        .strip_suffix("-addon")
        .or_else(|| provider.strip_prefix("addon-"))
        .unwrap_or(provider);
    match bare {
        "postgresql" => "PostgreSQL",
        "mysql" => "MySQL",
        "mongodb" => "MongoDB",
        "redis" => "Redis",
        "pulsar" => "Pulsar",
        "es" | "elasticsearch" => "Elasticsearch",
        "cellar" => "Cellar",
        "fs-bucket" | "fsbucket" => "FS Bucket",
        "jenkins" => "Jenkins",
        "kv" => "Materia KV",
        other => return other.to_owned(),
    }
    .to_owned()
}

/// Most severe first; within a severity, as found (organisation, then row order).
pub fn ordered(mut entries: Vec<Attention>) -> Vec<Attention> {
    entries.sort_by_key(|e| e.severity);
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fleet::Author;
    use time::Duration;

    fn now() -> Timestamp {
        time::macros::datetime!(2026-12-02 12:00 UTC)
    }

    fn v2(id: &str, state: &str, minutes_ago: i64) -> V2Deployment {
        V2Deployment {
            uuid: id.into(),
            date: Some(now() - Duration::minutes(minutes_ago)),
            state: state.into(),
            action: "DEPLOY".into(),
            commit: Some("abc".into()),
            cause: None,
            author: Some(Author {
                id: "user_1".into(),
                name: Some("Ada".into()),
            }),
        }
    }

    fn row(
        state: ApplicationState,
        up: Option<u32>,
        min: Option<u32>,
        deps: &[V2Deployment],
    ) -> AppRow {
        let (latest, last_ended) = latest_of(deps);
        AppRow {
            id: "app_1".into(),
            name: "api".into(),
            state,
            up,
            min,
            flavor: None,
            zone: None,
            latest,
            last_ended,
            drains: None,
        }
    }

    fn texts(entries: &[Attention]) -> Vec<&str> {
        entries.iter().map(|e| e.text.as_str()).collect()
    }

    #[test]
    fn a_healthy_application_needs_nothing() {
        let r = row(
            ApplicationState::ShouldBeUp,
            Some(2),
            Some(2),
            &[v2("d2", "OK", 5), v2("d1", "FAIL", 60)],
        );
        assert_eq!(app_attention("o", &r, now()), vec![]);
        // Stopped on purpose: no instance up is what was asked.
        let r = row(
            ApplicationState::ShouldBeDown,
            Some(0),
            Some(1),
            &[v2("d", "OK", 5)],
        );
        assert_eq!(app_attention("o", &r, now()), vec![]);
    }

    #[test]
    fn every_rule_says_its_sentence_and_links_its_page() {
        let down = row(
            ApplicationState::ShouldBeUp,
            Some(0),
            Some(1),
            &[v2("d1", "FAIL", 90)],
        );
        let got = app_attention("o", &down, now());
        assert_eq!(
            texts(&got),
            [
                "api should be up, but no instance is up.",
                "The latest deployment of api failed 2 h ago, and none succeeded since.",
            ]
        );
        assert_eq!(got[0].href, "/orgs/o/apps/app_1/instances");
        assert_eq!(got[0].severity, Severity::Critical);
        assert_eq!(got[1].href, "/orgs/o/apps/app_1/deployments/d1");

        let below = row(
            ApplicationState::WantsToBeUp,
            Some(1),
            Some(3),
            &[v2("d", "CANCELLED", 10)],
        );
        let got = app_attention("o", &below, now());
        assert_eq!(
            texts(&got),
            [
                "api has 1 instance up of at least 3.",
                "The latest deployment of api was cancelled 10 min ago, and none succeeded since.",
            ]
        );
        assert_eq!(got[1].severity, Severity::Notice);

        // In progress for long: stuck; and the failure before it still counts.
        let stuck = row(
            ApplicationState::ShouldBeUp,
            Some(2),
            Some(2),
            &[v2("d2", "WIP", 47), v2("d1", "FAIL", 120)],
        );
        let got = app_attention("o", &stuck, now());
        assert_eq!(
            texts(&got),
            [
                "The latest deployment of api failed 2 h ago, and none succeeded since.",
                "A deployment of api has been in progress for 47 min.",
            ]
        );
        // Not yet 20 minutes: nothing.
        let running = row(
            ApplicationState::ShouldBeUp,
            Some(2),
            Some(2),
            &[v2("d2", "TASK_RUNNING", 3), v2("d1", "OK", 120)],
        );
        assert_eq!(app_attention("o", &running, now()), vec![]);

        let moderated = row(ApplicationState::Moderated, None, None, &[]);
        assert_eq!(
            app_attention("o", &moderated, now())[0].severity,
            Severity::Critical
        );
        let unpaid = row(ApplicationState::DefaultOfPayment, Some(0), Some(1), &[]);
        let got = app_attention("o", &unpaid, now());
        assert_eq!(texts(&got), ["api is stopped for an unpaid invoice."]);
        assert_eq!(got[0].href, "/orgs/o/invoices");

        let mut drained = row(ApplicationState::ShouldBeDown, None, None, &[]);
        drained.drains = Some(DrainHealth {
            total: 5,
            disabled: 1,
            retrying: 2,
        });
        let got = app_attention("o", &drained, now());
        assert_eq!(
            texts(&got),
            [
                "api: 1 log drain is disabled, so its logs are not forwarded.",
                "api: 2 log drains are retrying, its recipient refusing logs.",
            ]
        );
        assert_eq!(got[0].href, "/orgs/o/resources/app_1/drains");
    }

    #[test]
    fn add_ons_say_updates_and_drains() {
        let row = AddonRow {
            name: "auth".into(),
            real_id: "keycloak_1".into(),
            kind: "Keycloak".into(),
            href: "/orgs/o/operators/keycloak/keycloak_1".into(),
            version: Some(("25.0".into(), Some("26.0".into()))),
            drains: Some(DrainHealth {
                total: 1,
                disabled: 1,
                retrying: 0,
            }),
        };
        let got = addon_attention("o", &row);
        assert_eq!(
            got[0].text,
            "auth (Keycloak) can be updated from 25.0 to 26.0."
        );
        assert_eq!(got[0].href, "/orgs/o/operators/keycloak/keycloak_1");
        assert_eq!(got[1].href, "/orgs/o/resources/keycloak_1/drains");
        let current = AddonRow {
            version: Some(("26.0".into(), None)),
            drains: None,
            ..row
        };
        assert_eq!(addon_attention("o", &current), vec![]);
    }

    #[test]
    fn a_token_is_said_within_fourteen_days_and_louder_when_close() {
        let n = now();
        assert_eq!(token_attention(None, n), None);
        assert_eq!(token_attention(Some(n + Duration::days(30)), n), None);
        let soon = token_attention(Some(n + Duration::days(9)), n).expect("said");
        assert_eq!(soon.severity, Severity::Notice);
        assert_eq!(soon.href, "/login");
        assert!(
            soon.text.contains("2026-12-11 (in 9 days)"),
            "{}",
            soon.text
        );
        assert_eq!(
            token_attention(Some(n + Duration::days(1)), n)
                .expect("said")
                .severity,
            Severity::Warning
        );
        assert_eq!(
            token_attention(Some(n - Duration::hours(1)), n)
                .expect("said")
                .severity,
            Severity::Critical
        );
    }

    #[test]
    fn the_most_severe_come_first_and_ties_keep_their_order() {
        let e = |s, t: &str| Attention {
            severity: s,
            text: t.into(),
            href: String::new(),
        };
        let got = ordered(vec![
            e(Severity::Notice, "n1"),
            e(Severity::Critical, "c1"),
            e(Severity::Warning, "w1"),
            e(Severity::Critical, "c2"),
            e(Severity::Notice, "n2"),
        ]);
        assert_eq!(texts(&got), ["c1", "c2", "w1", "n1", "n2"]);
    }

    #[test]
    fn drains_are_counted_by_health_and_build_machines_are_not_instances() {
        let mut d = Drain::default();
        let mut disabled = Drain::default();
        disabled.status.status = DrainStatus::Disabled;
        disabled.execution.status = ExecutionStatus::Retrying;
        d.execution.status = ExecutionStatus::Retrying;
        let h = drain_health(&[d, disabled, Drain::default()]);
        assert_eq!(
            h,
            DrainHealth {
                total: 3,
                disabled: 1,
                retrying: 1
            }
        );
        let up = Instance {
            state: InstanceState::Up,
            ..Instance::default()
        };
        let mut build = up.clone();
        build.is_build_vm = true;
        assert_eq!(up_count(&[up, build]), 1);
    }
}
