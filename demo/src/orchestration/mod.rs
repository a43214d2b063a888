//! Orchestration (`/v4/orchestration`): each application's deployments over the last eight
//! weeks and the instances of its last ones; and its default load balancers
//! (`/v4/load-balancers`).

pub(crate) mod runs;
pub(crate) mod seed;

use crate::params::{
    ApiError, Params, Reply, all, bad, date_param, desc, limit_param, not_found, one, owns,
};
use crate::state::Shared;
use app::model::instances::InstanceState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use std::collections::HashSet;

pub(crate) fn routes() -> Router<Shared> {
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
        .route(
            "/v2/organisations/{owner}/deployments",
            get(owner_deployments),
        )
        .route(
            "/v2/organisations/{owner}/applications/{app}",
            get(v2_application),
        )
        .route(
            "/v2/organisations/{owner}/applications/{app}/instances",
            axum::routing::post(restart).delete(stop),
        )
        .route(
            "/v2/organisations/{owner}/applications/{app}/deployments/{id}/instances",
            delete(cancel),
        )
}

/// A deployment as v2 says it (`state` in v2 words, `date` in epoch ms); its author's name
/// unless `anonymous`.
fn v2_deployment(
    index: usize,
    d: &app::model::deployments::Deployment,
    anonymous: bool,
) -> serde_json::Value {
    use app::model::deployments::DeploymentState as S;
    let state = match d.state {
        S::Succeeded => "OK",
        S::Failed => "FAIL",
        S::Cancelled => "CANCELLED",
        S::TaskInProgress => "TASK_RUNNING",
        _ => "WIP",
    };
    serde_json::json!({
        "uuid": d.id,
        "id": index,
        "date": d.start_date.map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64),
        "state": state,
        "action": d.origin.action.as_str(),
        "commit": d.version.commit_id,
        "cause": d.origin.cause,
        "instances": 2,
        "author": d.origin.author_id.as_ref().map(|id| serde_json::json!({
            "id": id,
            "name": (!anonymous).then(|| crate::navigation::member_name(id)).flatten(),
        })),
    })
}

/// `GET /v2/organisations/{o}/deployments?limit`: a map from each application of the owner to
/// its deployments, newest first, at most `limit` each (404 for an owner the user lacks).
async fn owner_deployments(
    State(demo): State<Shared>,
    Path(owner): Path<String>,
    Query(q): Params,
) -> Reply {
    let limit = limit_param(&q, 1000)?.unwrap_or(10);
    let apps =
        crate::navigation::apps_of(&demo, &owner).ok_or_else(|| not_found("Organisation"))?;
    let anonymous = demo.breaks().anonymous_authors;
    let map: serde_json::Map<String, serde_json::Value> = apps
        .iter()
        .map(|a| {
            let deps = deployments_of(&demo, &a.id);
            let list = deps
                .iter()
                .enumerate()
                .rev()
                .take(limit)
                .map(|(i, d)| v2_deployment(i, d, anonymous))
                .collect();
            (a.id.clone(), serde_json::Value::Array(list))
        })
        .collect();
    Ok(Json(map).into_response())
}

/// `GET /v2/organisations/{o}/applications/{a}`: its state, instance bounds and zone.
async fn v2_application(
    State(demo): State<Shared>,
    Path((owner, app)): Path<(String, String)>,
) -> Reply {
    check_app(&demo, &owner, &app)?;
    let a = crate::navigation::apps_of(&demo, &owner)
        .and_then(|apps| apps.iter().find(|a| a.id == app))
        .ok_or_else(|| not_found("Application"))?;
    let (min, max) = seed::instance_bounds(&a.name);
    let flavor = seed::flavor_of(&app);
    let now = time::OffsetDateTime::now_utc();
    let state = if runs::stopped(&demo.state().runs, &app, now) {
        "SHOULD_BE_DOWN"
    } else {
        a.state.as_str()
    };
    Ok(Json(serde_json::json!({
        "id": a.id,
        "name": a.name,
        "state": state,
        "zone": seed::zone_of(&a.name),
        "instance": {
            "type": a.instance_type,
            "minInstances": min,
            "maxInstances": max,
            "minFlavor": {"name": flavor},
            "maxFlavor": {"name": flavor},
        },
        "deployment": {
            "type": "GIT",
            "url": format!("git+ssh://push.par.clever-cloud.com/{app}.git"),
            // Some applications are deployed from GitHub.
            "httpUrl": matches!(a.name.as_str(), "api-gateway" | "web-frontend")
                .then(|| format!("https://github.com/acme-corp/{}", a.name)),
        },
        "commitId": a.commit,
        "branch": "master",
    }))
    .into_response())
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

/// An application's deployments as served now: with its latest one failed when a test broke
/// it so (`POST /demo/break`, `deployment_failed`).
pub(crate) fn deployments_of(demo: &Shared, app: &str) -> Vec<app::model::deployments::Deployment> {
    let mut list = demo.world.deployments.get(app).cloned().unwrap_or_default();
    if demo.breaks().failed.contains(app)
        && let Some(last) = list.last_mut()
    {
        let failed = app::model::deployments::DeploymentState::Failed;
        // Its final step fails instead (an unfinished one fails now).
        let was = last.state.clone();
        for step in last.steps.iter_mut().filter(|s| s.state == was) {
            step.state = failed.clone();
        }
        last.state = failed;
    }
    runs::deployments(
        list,
        &demo.state().runs,
        app,
        time::OffsetDateTime::now_utc(),
    )
}

/// An application's instances as they stand now: the seeded ones as the restarts, stops and
/// cancellations since the start left them, and those the restarts started.
pub(crate) fn instances_of(demo: &Shared, app: &str) -> Vec<app::model::instances::Instance> {
    let seeded = demo.world.instances.get(app).cloned().unwrap_or_default();
    runs::instances(
        seeded,
        &demo.state().runs,
        app,
        seed::flavor_of(app),
        time::OffsetDateTime::now_utc(),
    )
}

// --- deployment control (v2) ----------------------------------------------------------------

/// `POST /v2/organisations/{o}/applications/{a}/instances?commit=<sha>&useCache=no`: a restart
/// (of the commit given, else the one running), rebuilt without the build cache when asked;
/// answers the new deployment's id.
async fn restart(
    State(demo): State<Shared>,
    Path((owner, app)): Path<(String, String)>,
    Query(q): Params,
) -> Reply {
    check_app(&demo, &owner, &app)?;
    let commit = match one(&q, "commit") {
        Some(c) if c.len() == 40 && c.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Some(c.to_ascii_lowercase())
        }
        Some(_) => return Err(bad("Invalid commit: a full 40-character commit id")),
        None => None,
    };
    let no_cache = match one(&q, "useCache") {
        None => false,
        Some("no") => true,
        Some(_) => return Err(bad("Invalid useCache: only \"no\" is accepted")),
    };
    let current = deployments_of(&demo, &app)
        .iter()
        .rev()
        .find(|d| d.state == app::model::deployments::DeploymentState::Succeeded)
        .and_then(|d| d.version.commit_id.clone())
        .unwrap_or_default();
    let cause = match (&commit, no_cache) {
        (Some(c), _) => format!("redeploy of commit {}", &c[..7]),
        (None, true) => "rebuild without cache".to_owned(),
        (None, false) => "restart".to_owned(),
    };
    let fails = demo.breaks().deploy_fails.contains(&app);
    let ask = runs::Ask {
        owner: &owner,
        app: &app,
        commit: commit.unwrap_or(current),
        cause,
        author: crate::cast::user_id(),
        stop: false,
        fails,
        work: time::Duration::seconds(i64::from(demo.knobs.deploy_secs.max(1))),
    };
    let now = time::OffsetDateTime::now_utc();
    let id = demo.state().runs.start(ask, now);
    Ok(Json(serde_json::json!({ "deploymentId": id })).into_response())
}

/// `DELETE /v2/organisations/{o}/applications/{a}/instances`: stops the application.
async fn stop(State(demo): State<Shared>, Path((owner, app)): Path<(String, String)>) -> Reply {
    check_app(&demo, &owner, &app)?;
    let ask = runs::Ask {
        owner: &owner,
        app: &app,
        commit: String::new(),
        cause: "application stopped".to_owned(),
        author: crate::cast::user_id(),
        stop: true,
        fails: false,
        work: time::Duration::seconds(1),
    };
    let now = time::OffsetDateTime::now_utc();
    let id = demo.state().runs.start(ask, now);
    Ok(Json(serde_json::json!({ "deploymentId": id })).into_response())
}

/// `DELETE /v2/organisations/{o}/applications/{a}/deployments/{id}/instances`: cancels a
/// deployment in progress (400 when it is over, 404 when there is none).
async fn cancel(
    State(demo): State<Shared>,
    Path((owner, app, id)): Path<(String, String, String)>,
) -> Reply {
    check_app(&demo, &owner, &app)?;
    let seeded = demo
        .world
        .deployments
        .get(&app)
        .and_then(|l| l.iter().find(|d| d.id == id))
        .cloned();
    let now = time::OffsetDateTime::now_utc();
    let done = demo.state().runs.cancel(&app, &id, seeded.as_ref(), now);
    match done {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(m) if m.contains("not found") => Err(not_found("Deployment")),
        Err(m) => Err(bad(m)),
    }
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
    let list: Vec<_> = deployments_of(&demo, &app)
        .into_iter()
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
    let d = deployments_of(&demo, &app)
        .into_iter()
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
    let down = demo.breaks().down.contains(&app);
    let mut list: Vec<_> = instances_of(&demo, &app)
        .into_iter()
        .map(|mut i| {
            if down && i.state == InstanceState::Up {
                i.state = InstanceState::Stopping;
            }
            i
        })
        .filter(|i| deployment.is_none_or(|d| i.deployment_id == d))
        .filter(|i| !(exclude_deleted && i.state == InstanceState::Deleted))
        .filter(|i| include.is_empty() || include.contains(&i.state.as_str()))
        .filter(|i| !exclude.contains(&i.state.as_str()))
        // Instances alive in the range: not deleted before `since`, created before `until`.
        .filter(|i| since.is_none_or(|s| i.deletion_date.is_none_or(|d| d >= s)))
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
    let i = instances_of(&demo, &app)
        .into_iter()
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
