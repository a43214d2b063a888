//! Deployment control in the demo: what a restart, a redeploy, a stop or a cancellation
//! started, as a state machine over real time. A run is kept as asked (its start, commit and
//! origin); its state, steps and instances are worked out whenever they are read:
//!
//! - QUEUED for a second, then WORK_IN_PROGRESS for `DEMO_DEPLOY_SECS` (the build machine
//!   building for the first half, the new instances deploying for the second, the first of
//!   them up for the last quarter), then SUCCEEDED, or FAILED when the application was told to
//!   fail its deployments (`POST /demo/break`, `deploy_fails`);
//! - a success replaces the instances that ran before (deleted at its end); a failure leaves
//!   them and deletes its own; a cancellation ends the run where it is, deleting what it
//!   started (a seeded deployment in progress can be cancelled too);
//! - a stop is an UNDEPLOY run: at its end every instance is deleted and the application
//!   should be down, until the next restart.

use crate::ids::uuid;
use app::model::deployments::{
    Deployment, DeploymentPriority, DeploymentState, Origin, OriginAction, Step, Version,
};
use app::model::instances::{Instance, InstanceState, Network};
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};

/// Runs kept per application (the oldest go first).
const MAX_RUNS: usize = 100;
/// How long a run waits in the queue.
const QUEUED: Duration = Duration::seconds(1);

/// What was asked of one application.
#[derive(Clone, Debug)]
pub(crate) struct Run {
    /// The deployment as asked: id, owner, application, start, commit and origin.
    pub(crate) asked: Deployment,
    /// Fails at its end (the application was told to fail its deployments).
    pub(crate) fails: bool,
    /// A stop (UNDEPLOY): takes every instance down.
    pub(crate) stop: bool,
    /// Cancelled at this time.
    pub(crate) cancelled: Option<OffsetDateTime>,
    /// Seconds of work in progress.
    pub(crate) work: Duration,
}

/// The runs of every application, and seeded deployments cancelled since the start.
#[derive(Default)]
pub(crate) struct Runs {
    pub(crate) by_app: HashMap<String, Vec<Run>>,
    pub(crate) cancelled: HashMap<String, OffsetDateTime>,
}

/// What a new run is.
pub(crate) struct Ask<'a> {
    pub(crate) owner: &'a str,
    pub(crate) app: &'a str,
    pub(crate) commit: String,
    pub(crate) cause: String,
    pub(crate) author: String,
    pub(crate) stop: bool,
    pub(crate) fails: bool,
    pub(crate) work: Duration,
}

impl Runs {
    /// Starts a run now; its deployment id.
    pub(crate) fn start(&mut self, ask: Ask<'_>, now: OffsetDateTime) -> String {
        let list = self.by_app.entry(ask.app.to_owned()).or_default();
        let id = format!(
            "deployment_{}",
            uuid(&format!("{}-run-{}-{}", ask.app, list.len(), now))
        );
        let asked = Deployment {
            id: id.clone(),
            owner_id: ask.owner.to_owned(),
            application_id: ask.app.to_owned(),
            start_date: Some(now),
            state: DeploymentState::Queued,
            steps: vec![],
            version: Version {
                commit_id: Some(ask.commit),
            },
            origin: Origin {
                action: if ask.stop {
                    OriginAction::Undeploy
                } else {
                    OriginAction::Deploy
                },
                cause: Some(ask.cause),
                source: Some("API".into()),
                author_id: Some(ask.author),
                constraints: vec![],
                priority: DeploymentPriority::Default,
            },
            has_dedicated_build: false,
        };
        list.push(Run {
            asked,
            fails: ask.fails,
            stop: ask.stop,
            cancelled: None,
            work: if ask.stop {
                Duration::seconds(1)
            } else {
                ask.work
            },
        });
        if list.len() > MAX_RUNS {
            list.remove(0);
        }
        id
    }

    /// Cancels run `id` of `app` (or a seeded deployment in progress, `seeded`): `Err` with a
    /// message when there is no such run or it is over.
    pub(crate) fn cancel(
        &mut self,
        app: &str,
        id: &str,
        seeded: Option<&Deployment>,
        now: OffsetDateTime,
    ) -> Result<(), &'static str> {
        if let Some(run) = self
            .by_app
            .get_mut(app)
            .and_then(|l| l.iter_mut().find(|r| r.asked.id == id))
        {
            if run.at(now).state.is_final() {
                return Err("This deployment is already over");
            }
            run.cancelled = Some(now);
            return Ok(());
        }
        match seeded {
            Some(d) if !d.state.is_final() && !self.cancelled.contains_key(id) => {
                self.cancelled.insert(id.to_owned(), now);
                Ok(())
            }
            Some(_) => Err("This deployment is already over"),
            None => Err("Deployment not found"),
        }
    }
}

impl Run {
    /// The deployment as it stands at `now`.
    pub(crate) fn at(&self, now: OffsetDateTime) -> Deployment {
        let start = self.asked.start_date.unwrap_or(now);
        let wip = start + QUEUED;
        let end = wip + self.work;
        let last = if self.fails {
            DeploymentState::Failed
        } else {
            DeploymentState::Succeeded
        };
        let mut events = vec![
            (DeploymentState::Queued, start),
            (DeploymentState::WorkInProgress, wip),
            (last, end),
        ];
        if let Some(c) = self.cancelled {
            events.retain(|(_, t)| *t < c);
            events.push((DeploymentState::Cancelled, c));
        }
        events.retain(|(_, t)| *t <= now);
        let mut d = self.asked.clone();
        d.state = events
            .last()
            .map_or(DeploymentState::Queued, |(s, _)| s.clone());
        d.steps = events
            .into_iter()
            .map(|(state, t)| Step {
                state,
                date: Some(t),
            })
            .collect();
        d
    }

    /// The instances it started, as they stand at `now`.
    pub(crate) fn instances(&self, now: OffsetDateTime, flavor: &str) -> Vec<Instance> {
        let d = self.at(now);
        if self.stop || d.state == DeploymentState::Queued {
            return Vec::new();
        }
        let start = d.start_date.unwrap_or(now);
        let wip = start + QUEUED;
        let half = wip + self.work / 2;
        let three_quarters = wip + self.work * 3 / 4;
        let over = d.end_date();
        let mk = |idx: u32, build: bool, state: InstanceState, created: OffsetDateTime| {
            let key = format!("{}-{idx}-{build}", d.id);
            Instance {
                id: uuid(&key),
                owner_id: d.owner_id.clone(),
                application_id: d.application_id.clone(),
                deployment_id: d.id.clone(),
                name: format!("{} {}", ["Brave", "Calm"][idx as usize % 2], "Run"),
                flavor: if build { "M".into() } else { flavor.to_owned() },
                index: Some(idx),
                state,
                hypervisor_id: Some("hv-42".into()),
                creation_date: Some(created),
                deletion_date: None,
                network: Network {
                    ip: Some(format!("10.9.{}.{}", idx + 1, 10 + u32::from(build))),
                    port: Some(if build { 22 } else { 8080 }),
                },
                is_build_vm: build,
            }
        };
        let deleted = |mut i: Instance, at: OffsetDateTime| {
            i.state = InstanceState::Deleted;
            i.deletion_date = Some(at);
            i
        };
        let mut out = Vec::new();
        // The build machine works until the half (or the run's end, if sooner).
        let build_end = over.map_or(half, |o| o.min(half));
        let build = mk(0, true, InstanceState::Building, wip);
        out.push(if now >= build_end {
            deleted(build, build_end)
        } else {
            build
        });
        // The new instances exist from the half on, when the run got that far.
        if now < half || over.is_some_and(|o| o < half) {
            return out;
        }
        for idx in 0..2 {
            let up = d.state == DeploymentState::Succeeded || (idx == 0 && now >= three_quarters);
            let i = mk(
                idx,
                false,
                if up {
                    InstanceState::Up
                } else {
                    InstanceState::Deploying
                },
                half,
            );
            out.push(match (&d.state, over) {
                (DeploymentState::Failed | DeploymentState::Cancelled, Some(at)) => deleted(i, at),
                _ => i,
            });
        }
        out
    }
}

/// `seeded` (the world's deployments of one application) with `runs` after them, as they
/// stand at `now`; seeded deployments cancelled since the start say so.
pub(crate) fn deployments(
    mut seeded: Vec<Deployment>,
    runs: &Runs,
    app: &str,
    now: OffsetDateTime,
) -> Vec<Deployment> {
    for d in &mut seeded {
        if let Some(at) = runs.cancelled.get(&d.id) {
            d.steps.retain(|s| s.date.is_none_or(|t| t < *at));
            d.steps.push(Step {
                state: DeploymentState::Cancelled,
                date: Some(*at),
            });
            d.state = DeploymentState::Cancelled;
        }
    }
    seeded.extend(
        runs.by_app
            .get(app)
            .into_iter()
            .flatten()
            .map(|r| r.at(now)),
    );
    seeded
}

/// `seeded` (the world's instances of one application) as the runs left them at `now`, with
/// the runs' own after them.
pub(crate) fn instances(
    mut list: Vec<Instance>,
    runs: &Runs,
    app: &str,
    flavor: &str,
    now: OffsetDateTime,
) -> Vec<Instance> {
    let gone = |i: &mut Instance, at: OffsetDateTime| {
        if i.state != InstanceState::Deleted {
            i.state = InstanceState::Deleted;
            i.deletion_date = Some(at);
        }
    };
    for i in &mut list {
        if let Some(at) = runs.cancelled.get(&i.deployment_id) {
            gone(i, *at);
        }
    }
    for run in runs.by_app.get(app).into_iter().flatten() {
        let d = run.at(now);
        if d.state == DeploymentState::Succeeded
            && let Some(end) = d.end_date()
        {
            for i in &mut list {
                gone(i, end);
            }
        }
        list.extend(run.instances(now, flavor));
    }
    list
}

/// Whether `app` was stopped (its latest stop or restart is a stop that went through).
pub(crate) fn stopped(runs: &Runs, app: &str, now: OffsetDateTime) -> bool {
    runs.by_app
        .get(app)
        .and_then(|l| l.iter().rev().find(|r| r.cancelled.is_none()))
        .is_some_and(|r| r.stop && r.at(now).state == DeploymentState::Succeeded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(stop: bool, fails: bool) -> Ask<'static> {
        Ask {
            owner: "orga_1",
            app: "app_1",
            commit: "c".repeat(40),
            cause: "restart".into(),
            author: "user_1".into(),
            stop,
            fails,
            work: Duration::seconds(8),
        }
    }

    fn states(d: &Deployment) -> Vec<String> {
        d.steps.iter().map(|s| s.state.to_string()).collect()
    }

    #[test]
    fn a_restart_goes_through_its_steps_to_success_and_replaces_the_instances() {
        let t0 = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let mut runs = Runs::default();
        runs.start(ask(false, false), t0);
        let run = &runs.by_app["app_1"][0];
        assert_eq!(run.at(t0).state, DeploymentState::Queued);
        let wip = run.at(t0 + Duration::seconds(2));
        assert_eq!(wip.state, DeploymentState::WorkInProgress);
        assert_eq!(states(&wip), ["QUEUED", "WORK_IN_PROGRESS"]);
        let building = run.instances(t0 + Duration::seconds(2), "S");
        assert_eq!(building.len(), 1);
        assert_eq!(building[0].state, InstanceState::Building);
        let deploying = run.instances(t0 + Duration::seconds(6), "S");
        assert_eq!(
            deploying
                .iter()
                .map(|i| i.state.clone())
                .collect::<Vec<_>>(),
            [
                InstanceState::Deleted,
                InstanceState::Deploying,
                InstanceState::Deploying
            ]
        );
        let done = run.at(t0 + Duration::seconds(9));
        assert_eq!(done.state, DeploymentState::Succeeded);
        assert_eq!(states(&done), ["QUEUED", "WORK_IN_PROGRESS", "SUCCEEDED"]);
        let old = Instance {
            state: InstanceState::Up,
            ..Instance::default()
        };
        let after = instances(vec![old], &runs, "app_1", "S", t0 + Duration::seconds(10));
        assert_eq!(after[0].state, InstanceState::Deleted, "replaced");
        assert_eq!(
            after
                .iter()
                .filter(|i| i.state == InstanceState::Up)
                .count(),
            2
        );
    }

    #[test]
    fn a_failing_run_fails_and_leaves_the_old_instances() {
        let t0 = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let mut runs = Runs::default();
        runs.start(ask(false, true), t0);
        let later = t0 + Duration::seconds(30);
        assert_eq!(
            runs.by_app["app_1"][0].at(later).state,
            DeploymentState::Failed
        );
        let old = Instance {
            state: InstanceState::Up,
            ..Instance::default()
        };
        let after = instances(vec![old], &runs, "app_1", "S", later);
        assert_eq!(after[0].state, InstanceState::Up);
        assert!(after[1..].iter().all(|i| i.state == InstanceState::Deleted));
    }

    #[test]
    fn a_cancelled_run_ends_where_it_was_and_a_finished_one_cannot_be() {
        let t0 = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let mut runs = Runs::default();
        let id = runs.start(ask(false, false), t0);
        runs.cancel("app_1", &id, None, t0 + Duration::seconds(3))
            .expect("in progress");
        let d = runs.by_app["app_1"][0].at(t0 + Duration::seconds(20));
        assert_eq!(d.state, DeploymentState::Cancelled);
        assert_eq!(states(&d), ["QUEUED", "WORK_IN_PROGRESS", "CANCELLED"]);
        assert!(
            runs.cancel("app_1", &id, None, t0 + Duration::seconds(21))
                .is_err()
        );
        assert!(runs.cancel("app_1", "nope", None, t0).is_err());
    }

    #[test]
    fn a_stop_takes_everything_down_until_the_next_restart() {
        let t0 = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let mut runs = Runs::default();
        runs.start(ask(true, false), t0);
        let later = t0 + Duration::seconds(5);
        assert!(stopped(&runs, "app_1", later));
        let old = Instance {
            state: InstanceState::Up,
            ..Instance::default()
        };
        let after = instances(vec![old], &runs, "app_1", "S", later);
        assert!(after.iter().all(|i| i.state == InstanceState::Deleted));
        runs.start(ask(false, false), later);
        assert!(!stopped(&runs, "app_1", later + Duration::seconds(1)));
    }
}
