//! Orchestration (`/v4/orchestration`): each application's deployments over the last eight
//! weeks and the instances of its last ones; and its default load balancers
//! (`/v4/load-balancers`).

use super::Shared;
use super::ids::{pick, sha, uuid};
use super::params::{
    ApiError, Params, Reply, all, bad, date_param, desc, limit_param, not_found, one, owns,
};
use super::world::user_id;
use app::model::deployments::{
    Deployment, DeploymentPriority, DeploymentState, Origin, OriginAction, Step, Version,
};
use app::model::instances::{Instance, InstanceState, Network};
use app::model::load_balancers::{Dns, LoadBalancer};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::collections::HashSet;
use time::{Duration, OffsetDateTime};

pub(super) fn routes() -> Router<Shared> {
    let app = "/v4/orchestration/organisations/{owner}/applications/{app}";
    Router::new()
        .route(&format!("{app}/deployments"), get(deployments))
        .route(&format!("{app}/deployments/{{id}}"), get(deployment))
        .route(&format!("{app}/instances"), get(instances))
        .route(&format!("{app}/instances/{{id}}"), get(instance))
        .route(
            "/v4/load-balancers/organisations/{owner}/applications/{app}/load-balancers/default",
            get(load_balancers),
        )
}

// --- handlers -------------------------------------------------------------------------------

/// Refuses an application the owner does not have.
fn check_app(demo: &Shared, owner: &str, app: &str) -> Result<(), ApiError> {
    if owns(demo, owner, app) {
        Ok(())
    } else {
        Err(not_found("Application"))
    }
}

/// A list in the order asked (it is oldest first), cut at `limit`.
fn page<T: serde::Serialize>(mut list: Vec<T>, desc: bool, limit: Option<usize>) -> Response {
    if desc {
        list.reverse();
    }
    list.truncate(limit.unwrap_or(usize::MAX));
    Json(list).into_response()
}

/// `GET .../deployments?limit&order&action`.
async fn deployments(
    State(demo): State<Shared>,
    Path((owner, app)): Path<(String, String)>,
    Query(q): Params,
) -> Reply {
    check_app(&demo, &owner, &app)?;
    let limit = limit_param(&q, 1000)?;
    let desc = desc(&q)?;
    let actions: HashSet<&str> = all(&q, "action").into_iter().collect();
    let list: Vec<_> = demo.world.deployments[&app]
        .iter()
        .filter(|d| actions.is_empty() || actions.contains(d.origin.action.as_str()))
        .collect();
    Ok(page(list, desc, limit))
}

/// `GET .../deployments/{id}`.
async fn deployment(
    State(demo): State<Shared>,
    Path((owner, app, id)): Path<(String, String, String)>,
) -> Reply {
    check_app(&demo, &owner, &app)?;
    let d = demo.world.deployments[&app]
        .iter()
        .find(|d| d.id == id)
        .ok_or_else(|| not_found("Deployment"))?;
    Ok(Json(d).into_response())
}

/// `GET .../instances` with every documented filter.
async fn instances(
    State(demo): State<Shared>,
    Path((owner, app)): Path<(String, String)>,
    Query(q): Params,
) -> Reply {
    check_app(&demo, &owner, &app)?;
    let since = date_param(&q, "since")?;
    let until = date_param(&q, "until")?;
    let limit = limit_param(&q, 1000)?;
    let desc = desc(&q)?;
    let include = all(&q, "includeState");
    let exclude = all(&q, "excludeState");
    if let Some(s) = include
        .iter()
        .chain(&exclude)
        .find(|s| matches!(InstanceState::from_wire(s), InstanceState::Unknown(_)))
    {
        return Err(bad(&format!("Invalid state: {s}")));
    }
    let exclude_deleted = match one(&q, "excludeDeleted") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(bad("Invalid excludeDeleted: true or false")),
    };
    let deployment = one(&q, "deploymentId");
    let mut list: Vec<_> = demo.world.instances[&app]
        .iter()
        .filter(|i| deployment.is_none_or(|d| i.deployment_id == d))
        .filter(|i| !(exclude_deleted && i.state == InstanceState::Deleted))
        .filter(|i| include.is_empty() || include.contains(&i.state.as_str()))
        .filter(|i| !exclude.contains(&i.state.as_str()))
        .filter(|i| since.is_none_or(|s| i.creation_date.is_some_and(|c| c >= s)))
        .filter(|i| until.is_none_or(|u| i.creation_date.is_some_and(|c| c < u)))
        .collect();
    list.sort_by_key(|i| i.creation_date);
    Ok(page(list, desc, limit))
}

/// `GET .../instances/{id}`.
async fn instance(
    State(demo): State<Shared>,
    Path((owner, app, id)): Path<(String, String, String)>,
) -> Reply {
    check_app(&demo, &owner, &app)?;
    let i = demo.world.instances[&app]
        .iter()
        .find(|i| i.id == id)
        .ok_or_else(|| not_found("Instance"))?;
    Ok(Json(i).into_response())
}

/// `GET .../load-balancers/default`.
async fn load_balancers(
    State(demo): State<Shared>,
    Path((owner, app)): Path<(String, String)>,
) -> Reply {
    check_app(&demo, &owner, &app)?;
    Ok(Json(&demo.world.load_balancers[&app]).into_response())
}

// --- seeds ----------------------------------------------------------------------------------

/// Deployments of one application, oldest first, over the last eight weeks.
pub(super) fn seed_deployments(
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
                _ => state,
            };
            if !state.is_final() {
                start = now - Duration::minutes(3);
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
                author_id: Some(user_id()),
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

const FLAVORS: [&str; 9] = ["pico", "nano", "XS", "S", "M", "L", "XL", "2XL", "3XL"];

/// Instances of the last deployments: a build VM and run instances each; old ones deleted.
pub(super) fn seed_instances(
    owner: &str,
    app: &str,
    deps: &[Deployment],
    now: OffsetDateTime,
) -> Vec<Instance> {
    let mut out = Vec::new();
    let recent = deps.len().saturating_sub(6);
    let flavor_base = pick(app, 0, FLAVORS.len() as u64) as usize;
    for (n, d) in deps[recent..].iter().enumerate() {
        let last = n + recent + 1 == deps.len();
        let start = d.start_date.unwrap_or(now);
        let end = d.end_date();
        let mk = |idx: u32, build: bool, state: InstanceState, deleted: Option<OffsetDateTime>| {
            let key = format!("{}-{idx}-{build}", d.id);
            let flavor = FLAVORS[(flavor_base + idx as usize + usize::from(build)) % FLAVORS.len()];
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
            out.push(mk(
                0,
                false,
                InstanceState::Deleted,
                Some(done + Duration::hours(30)),
            ));
            out.push(mk(
                1,
                false,
                InstanceState::Deleted,
                Some(done + Duration::hours(30)),
            ));
        }
    }
    out
}

pub(super) fn seed_load_balancers(name: &str, index: usize) -> Vec<LoadBalancer> {
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
