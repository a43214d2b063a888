//! The seeded orchestration of the demo world.

use crate::ids::{pick, sha, uuid};
use app::model::deployments::{
    Deployment, DeploymentPriority, DeploymentState, Origin, OriginAction, Step, Version,
};
use app::model::instances::{Instance, InstanceState, Network};
use app::model::load_balancers::{Dns, LoadBalancer};
use time::{Duration, OffsetDateTime};

/// Deployments of one application, oldest first, over the last eight weeks.
pub(crate) fn seed_deployments(
    owner: &str,
    app: &str,
    name: &str,
    index: usize,
    now: OffsetDateTime,
) -> Vec<Deployment> {
    let count = 24 + (index * 5) % 12;
    let actions = [
        (OriginAction::Deploy, "git push", "GIT"),
        (OriginAction::Deploy, "console redeploy", "CONSOLE"),
        (
            OriginAction::Upscale,
            "autoscaling: CPU above 80%",
            "SCHEDULER",
        ),
        (
            OriginAction::Downscale,
            "autoscaling: CPU below 20%",
            "SCHEDULER",
        ),
        (OriginAction::Replace, "hypervisor maintenance", "SCHEDULER"),
        (OriginAction::Deploy, "clever deploy", "CLI"),
    ];
    let mut out: Vec<Deployment> = Vec::with_capacity(count);
    for i in 0..count {
        let key = format!("{app}-{i}");
        let back_hours = ((count - i) as i64) * 52 - pick(&key, 0, 30) as i64;
        let start = now - Duration::hours(back_hours) - Duration::minutes(pick(&key, 0, 59) as i64);
        let last = i + 1 == count;
        let roll = pick(&key, 0, 100);
        let (action, cause, source) =
            actions[(pick(&key, 0, 1000) as usize) % actions.len()].clone();
        let mut state = match roll {
            0..=11 => DeploymentState::Failed,
            12..=17 => DeploymentState::Cancelled,
            _ => DeploymentState::Succeeded,
        };
        let mut action = action;
        let mut cause = cause.to_owned();
        if i == 3 {
            action = OriginAction::Undeploy;
            cause = "application stopped".into();
        }
        if i == 5 {
            action = OriginAction::Cancel;
            cause = "deployment cancelled by user".into();
            state = DeploymentState::Cancelled;
        }
        if i == 6 && index == 0 {
            action = OriginAction::Unknown("ROLLBACK".into());
        }
        let mut start = start;
        // Now and then the scheduler replaces instances while a deployment still runs, so
        // the timeline has overlapping deployments to lay out.
        if i % 9 == 8
            && !last
            && let Some(prev) = out.last().and_then(|p| p.start_date)
        {
            action = OriginAction::Replace;
            cause = "hypervisor maintenance during a deployment".into();
            start = prev + Duration::seconds(45);
        }
        if last {
            // The running applications end on a live deployment; the others on a success.
            state = match name {
                "billing-worker" => DeploymentState::WorkInProgress,
                "search" => DeploymentState::TaskInProgress,
                "shop" => DeploymentState::Queued,
                "web-frontend" => DeploymentState::Succeeded,
                // Should be up, and its last deployment failed: nothing runs.
                "portfolio" => DeploymentState::Failed,
                _ => state,
            };
            if !state.is_final() {
                // billing-worker's has been running for far too long (the fleet board says
                // so); the others started a moment ago.
                let minutes = if name == "billing-worker" { 47 } else { 3 };
                start = now - Duration::minutes(minutes);
            }
        }
        let queued = pick(&key, 2, 40) as i64;
        let build = pick(&key, 40, 420) as i64;
        let mut steps = vec![Step {
            state: DeploymentState::Queued,
            date: Some(start),
        }];
        let wip = start + Duration::seconds(queued);
        if state != DeploymentState::Queued {
            steps.push(Step {
                state: DeploymentState::WorkInProgress,
                date: Some(wip),
            });
        }
        if state == DeploymentState::TaskInProgress {
            steps.push(Step {
                state: DeploymentState::TaskInProgress,
                date: Some(wip + Duration::seconds(60)),
            });
        }
        if state.is_final() {
            let cut = if state == DeploymentState::Cancelled {
                build / 3
            } else {
                build
            };
            steps.push(Step {
                state: state.clone(),
                date: Some(wip + Duration::seconds(cut)),
            });
        }
        out.push(Deployment {
            id: format!("deployment_{}", uuid(&key)),
            owner_id: owner.to_owned(),
            application_id: app.to_owned(),
            start_date: Some(start),
            state,
            steps,
            version: Version {
                commit_id: Some(sha(&key)),
            },
            origin: Origin {
                action,
                cause: Some(cause),
                source: Some(source.to_owned()),
                author_id: Some(crate::navigation::deployer(&key)),
                constraints: vec![],
                priority: if i % 11 == 10 {
                    DeploymentPriority::Urgent
                } else {
                    DeploymentPriority::Default
                },
            },
            has_dedicated_build: pick(&key, 0, 3) == 0,
        });
    }
    out
}

/// The instance bounds of an application (`minInstances`, `maxInstances`): web-frontend asks
/// for more than it runs, so the fleet board has one below its minimum.
pub(crate) fn instance_bounds(name: &str) -> (u32, u32) {
    match name {
        "web-frontend" => (4, 6),
        "api-gateway" => (2, 8),
        _ => (1, 1),
    }
}

/// The zone an application runs in.
pub(crate) fn zone_of(name: &str) -> &'static str {
    match name {
        "billing-worker" => "rbx",
        _ => "par",
    }
}

/// What an hour of `flavor` costs in `zone` on the demo's books (the invoices bill with it).
/// The public price system (`billing::price_system`) lists the same prices, but for GPU
/// flavors, which it does not know: an estimate must say it cannot price them.
pub(crate) fn hourly_price(zone: &str, flavor: &str) -> Option<f64> {
    let base = match flavor {
        "pico" => 0.0060,
        "nano" => 0.0094,
        "XS" => 0.0239,
        "S" => 0.0478,
        "M" => 0.0858,
        "L" => 0.1716,
        "XL" => 0.3432,
        "2XL" => 0.6864,
        "3XL" => 1.3728,
        "2XL-GPU" => 2.4,
        _ => return None,
    };
    let factor = match zone {
        "par" | "rbx" => 1.0,
        "mtl" => 1.1,
        "sgp" => 1.2,
        _ => return None,
    };
    Some(base * factor)
}

/// The flavors the public price system lists.
pub(crate) const PRICED_FLAVORS: [&str; 9] = FLAVORS;

/// The flavor of an application's run instances (the first one's).
pub(crate) fn flavor_of(app: &str) -> &'static str {
    // The everyday flavors (pico to L): the larger ones are for a GPU job or a burst.
    FLAVORS[pick(app, 0, 6) as usize]
}

const FLAVORS: [&str; 9] = ["pico", "nano", "XS", "S", "M", "L", "XL", "2XL", "3XL"];

/// Instances of the last deployments: a build VM and run instances each; old ones deleted.
pub(crate) fn seed_instances(
    owner: &str,
    app: &str,
    deps: &[Deployment],
    now: OffsetDateTime,
) -> Vec<Instance> {
    let mut out = Vec::new();
    // Every deployment of the eight weeks: the instances of the month before are all there,
    // so its invoice is what they cost.
    let recent = 0;
    for (n, d) in deps[recent..].iter().enumerate() {
        let last = n + recent + 1 == deps.len();
        let start = d.start_date.unwrap_or(now);
        let end = d.end_date();
        let mk = |idx: u32, build: bool, state: InstanceState, deleted: Option<OffsetDateTime>| {
            let key = format!("{}-{idx}-{build}", d.id);
            // Its run instances all have the application's flavor; builds run on an M.
            let flavor = flavor_of(app);
            Instance {
                id: uuid(&key),
                owner_id: owner.to_owned(),
                application_id: app.to_owned(),
                deployment_id: d.id.clone(),
                name: format!(
                    "{} {}",
                    ["Brave", "Calm", "Eager", "Noble"][idx as usize % 4],
                    ["Ada", "Grace", "Alan", "Edsger"][(pick(&key, 0, 4)) as usize]
                ),
                flavor: if build { "M".into() } else { flavor.to_owned() },
                index: Some(idx),
                state,
                hypervisor_id: Some(format!("hv-{}", pick(&key, 10, 99))),
                creation_date: Some(start + Duration::seconds(if build { 5 } else { 60 })),
                deletion_date: deleted,
                network: Network {
                    ip: Some(format!(
                        "10.{}.{}.{}",
                        pick(&key, 1, 250),
                        pick(&key, 1, 250) / 2,
                        pick(&key, 2, 250) / 3 + 2
                    )),
                    port: Some(if build { 22 } else { 8080 }),
                },
                is_build_vm: build,
            }
        };
        if last && !d.state.is_final() {
            out.push(mk(0, true, InstanceState::Building, None));
            out.push(mk(0, false, InstanceState::Booting, None));
            out.push(mk(1, false, InstanceState::Starting, None));
            out.push(mk(2, false, InstanceState::Deploying, None));
            continue;
        }
        let done = end.unwrap_or(start + Duration::minutes(5));
        out.push(mk(0, true, InstanceState::Deleted, Some(done)));
        if last && d.state == DeploymentState::Failed && app == crate::cast::app_id("portfolio") {
            // Portfolio's failed build never came up, and nothing else runs (elsewhere a failed
            // deployment leaves the previous instances up, as on the platform).
            out.push(mk(0, false, InstanceState::Deleted, Some(done)));
            continue;
        }
        if last {
            out.push(mk(0, false, InstanceState::Up, None));
            out.push(mk(1, false, InstanceState::Up, None));
            out.push(mk(2, false, InstanceState::Ready, None));
        } else if n + recent + 2 == deps.len() {
            out.push(mk(0, false, InstanceState::Stopping, None));
            out.push(mk(1, false, InstanceState::MigrationInProgress, None));
            out.push(mk(2, false, InstanceState::TaskInProgress, None));
            out.push(mk(3, false, InstanceState::Ghost, None));
        } else {
            // Replaced by the next deployment's instances, ten minutes after they started.
            let next = deps
                .get(n + recent + 1)
                .and_then(|d| d.start_date)
                .unwrap_or(done + Duration::hours(30));
            let gone = (next + Duration::minutes(10)).max(done);
            out.push(mk(0, false, InstanceState::Deleted, Some(gone)));
            out.push(mk(1, false, InstanceState::Deleted, Some(gone)));
        }
    }
    // Before the eight weeks, since ten weeks: two instances of the application as it ran
    // then, so the month before this one is whole in the instances whatever today's date.
    if let (Some(first), Some(template)) = (
        deps.first().and_then(|d| d.start_date),
        out.iter().find(|i| !i.is_build_vm).cloned(),
    ) {
        for idx in 0..2u32 {
            let mut old = template.clone();
            old.id = uuid(&format!("{app}-baseline-{idx}"));
            old.index = Some(idx);
            old.flavor = flavor_of(app).to_owned();
            old.state = InstanceState::Deleted;
            old.creation_date = Some(now - Duration::days(70));
            old.deletion_date = Some(first + Duration::minutes(10));
            out.push(old);
        }
    }
    // Billing-worker ran a GPU job this month, for two hours: a flavor the public price system
    // does not list.
    let month = now
        .date()
        .replace_day(1)
        .map(|d| d.midnight().assume_utc())
        .unwrap_or(now);
    let job = month + Duration::hours(3);
    if app == crate::cast::app_id("billing-worker")
        && job + Duration::hours(2) <= now
        && let Some(mut gpu) = out.last().cloned()
    {
        gpu.id = uuid(&format!("{app}-gpu-job"));
        gpu.name = "GPU job".into();
        gpu.flavor = "2XL-GPU".into();
        gpu.index = Some(9);
        gpu.state = InstanceState::Deleted;
        gpu.is_build_vm = false;
        gpu.creation_date = Some(job);
        gpu.deletion_date = Some(job + Duration::hours(2));
        out.push(gpu);
    }
    out.sort_by_key(|i| i.creation_date);
    out
}

pub(crate) fn seed_load_balancers(name: &str, index: usize) -> Vec<LoadBalancer> {
    let zones: &[(&str, &str)] = if index == 0 {
        &[("par", "91.208.207"), ("rbx", "185.42.117")]
    } else {
        &[("par", "91.208.207")]
    };
    zones
        .iter()
        .map(|(zone, net)| LoadBalancer {
            id: format!("lb_{}", uuid(&format!("{name}-{zone}"))),
            name: (*zone).to_owned(),
            zone_id: Some(uuid(zone)),
            dns: Dns {
                cname: Some(format!("domain.{zone}.clever-cloud.com.")),
                a: vec![
                    format!("{net}.214"),
                    format!("{net}.215"),
                    format!("{net}.216"),
                ],
            },
        })
        .collect()
}
