//! `/orgs/{ownerId}/apps/{appId}/deployments/{deploymentId}`: each step with the time spent in
//! it, the origin (the author named from the members, the commit linked to GitHub), the
//! deployment's instances (deploying vs up), a link to its logs, and its actions ("Redeploy
//! this commit", "Cancel deployment"). A deployment in progress is followed live: the page's
//! region is fetched again every 2 s while JavaScript runs (`AutoRefresh`), by a reload
//! without; it ends with its result.

use crate::api::apps::{DeploymentDetail, load_deployment};
use crate::api::control::AppControl;
use crate::components::auto_refresh::{AutoRefresh, RefreshWhen};
use crate::components::badge::Badge;
use crate::components::badge::deployment_tone;
use crate::components::control::{ActionsOff, ControlForm, Target, outcome};
use crate::components::copy_button::CopyButton;
use crate::components::error_view::ErrorView;
use crate::components::heading::AppHeading;
use crate::components::instance_table::InstanceTable;
use crate::components::timeline::{Legend, StepRows, short_time};
use crate::hooks::use_server_action;
use crate::ids::SegmentId;
use crate::logic::apps::duration;
use crate::logic::control::Control;
use crate::logic::short_id;
use crate::logic::timeline::{failure, segments, total_secs};
use crate::model::deployments::DeploymentState;
use crate::model::instances::InstanceState;
use crate::model::{Timestamp, date};
use crate::routes::deployments::CommitCell;
use crate::urls;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The deployment page.
#[component]
pub fn DeploymentPage() -> impl IntoView {
    let params = use_params_map();
    let ids = Memo::new(move |_| {
        let p = params.read();
        (
            p.get("owner_id").unwrap_or_default(),
            p.get("app_id").unwrap_or_default(),
            p.get("deployment_id").unwrap_or_default(),
        )
    });
    let act = use_server_action::<AppControl>();
    let detail = Resource::new(
        move || ids.get(),
        |(owner, app, id)| async move {
            SegmentId::parse("owner id", &owner)?;
            SegmentId::parse("application id", &app)?;
            SegmentId::parse("deployment id", &id)?;
            load_deployment(owner, app, id).await
        },
    );
    let (owner, app, _) = ids.get_untracked();
    view! {
        <AppHeading owner app page="Deployment" />
        {move || outcome(act.value().get())}
        <AutoRefresh region="deployment-live".to_owned() every_ms=FOLLOW_MS when=RefreshWhen::Holds("[data-running]".into()) />
        <div id="deployment-live">
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading deployment…"</p> }>
            {move || Suspend::new(async move {
                let (owner, app, _) = ids.get_untracked();
                match detail.await {
                    Ok(f) => {
                        let now = f.fetched_at.unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
                        view! { <Detail owner app d=f.items now act /> }.into_any()
                    }
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
        </div>
    }
}

/// How often a deployment in progress is fetched again (milliseconds).
const FOLLOW_MS: u32 = 2000;

#[component]
fn Detail(
    owner: String,
    app: String,
    d: DeploymentDetail,
    now: Timestamp,
    act: ServerAction<AppControl>,
) -> impl IntoView {
    let DeploymentDetail {
        deployment: d,
        instances,
        name,
        repo,
        previous_commit,
        author,
        may_act,
        failure_lines,
    } = d;
    let result = result_of(&d, now, instances.as_ref().ok().map(Vec::as_slice));
    let target = Target {
        owner: owner.clone(),
        app: app.clone(),
        name: name.clone().unwrap_or_else(|| app.clone()),
        commit: d.version.commit_id.clone(),
        deployment: Some(d.id.clone()),
    };
    let actions = match (&may_act, &d.state) {
        (Err(why), _) => Some(view! { <ActionsOff why=why.clone() /> }.into_any()),
        (Ok(()), DeploymentState::Succeeded)
            if d.version
                .commit_id
                .as_deref()
                .is_some_and(|c| crate::logic::control::full_commit(c).is_ok()) =>
        {
            Some(view! { <ControlForm action=Control::Redeploy target act /> }.into_any())
        }
        (Ok(()), s) if !s.is_final() => {
            Some(view! { <ControlForm action=Control::Cancel target act /> }.into_any())
        }
        _ => None,
    };
    let author_id = o_author(&d);
    let author_view = match author {
        Some(n) => view! { <span title=author_id.clone()>{n}</span> " " <code class="muted">{short_id(&author_id)}</code> }.into_any(),
        None => view! { <code>{if author_id.is_empty() { "—".to_owned() } else { author_id.clone() }}</code> }.into_any(),
    };
    let logs = format!(
        "{}?deploymentId={}",
        urls::app(&owner, &app, "/logs"),
        urls::segment(&d.id)
    );
    let running = !d.state.is_final();
    let took = total_secs(&d, now)
        .map(duration)
        .unwrap_or_else(|| "—".into());
    let steps = segments(&d, now)
        .into_iter()
        .map(|s| {
            view! {
                <tr>
                    <td><Badge tone=deployment_tone(&s.state) label=s.state.label() raw=s.state.to_string() /></td>
                    <td class="nowrap">{short_time(s.from)}</td>
                    <td class="num">{duration(s.secs())}</td>
                </tr>
            }
        })
        .collect_view();
    let end = d.end_date().map(|t| {
        view! {
            <tr>
                <td><Badge tone=deployment_tone(&d.state) label=d.state.label() raw=d.state.to_string() /></td>
                <td class="nowrap">{short_time(t)}</td>
                <td class="num">"final"</td>
            </tr>
        }
    });
    let o = &d.origin;
    let constraints = o
        .constraints
        .iter()
        .filter(|c| !c.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let origin = view! {
        <dl class="fields">
            <dt>"Action"</dt><dd>{o.action.to_string()}</dd>
            <dt>"Cause"</dt><dd>{o.cause.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>"Source"</dt><dd>{o.source.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>"Author"</dt><dd>{author_view}</dd>
            <dt>"Priority"</dt><dd>{o.priority.to_string()}</dd>
            <dt>"Constraints"</dt><dd>{if constraints.is_empty() { "none".to_owned() } else { constraints }}</dd>
            <dt>"Commit"</dt><dd><CommitCell commit=d.version.commit_id.clone() repo previous=previous_commit /></dd>
            <dt>"Dedicated build"</dt><dd>{if d.has_dedicated_build { "Yes" } else { "No" }}</dd>
            <dt>"Started (UTC)"</dt><dd>{d.start_date.map(short_time).unwrap_or_else(|| "—".into())}</dd>
            <dt>{if running { "Running for" } else { "Took" }}</dt><dd>{took}</dd>
        </dl>
    }
    .into_any();
    let instances = match instances {
        Ok(list) if list.is_empty() => {
            view! { <p class="empty">"No instance was started by this deployment."</p> }.into_any()
        }
        Ok(list) => {
            view! { <InstanceTable owner=owner.clone() app=app.clone() list now /> }.into_any()
        }
        Err(e) => view! { <ErrorView error=e /> }.into_any(),
    };
    // A failed deployment says where: the step it was in, and its logs around that time.
    let failed = failure(&d, now).map(|(step, since, until)| {
        let around = format!(
            "{}?deploymentId={}&range=custom&since={}&until={}",
            urls::app(&owner, &app, "/logs"),
            urls::segment(&d.id),
            urls::segment(&date::format(&since)),
            urls::segment(&date::format(&until)),
        );
        view! {
            <div class="notice error failure" role="note">
                <p>
                    <strong>"Failed in the step “" {step.state.label()} "”"</strong>
                    {format!(", after {} in it (the step began {} UTC).", duration(step.secs()), short_time(step.from))}
                </p>
                {(!failure_lines.is_empty()).then(|| {
                    let lines = failure_lines
                        .iter()
                        .map(|(t, text)| {
                            let at = t.map(|t| format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second()));
                            format!("{}  {text}", at.unwrap_or_default())
                        })
                        .collect::<Vec<_>>()
                        .join("\n");
                    view! {
                        <p>{format!("Its last {} log lines before it failed (UTC):", failure_lines.len())}</p>
                        <pre class="failure-lines" tabindex="0">{lines}</pre>
                    }
                })}
                <p><a href=around class="failure-logs">"Logs from a minute before that step to two minutes after the end"</a></p>
            </div>
        }
    });
    let all = urls::app(&owner, &app, "/deployments");
    let caption = format!("Steps of deployment {}", d.id);
    view! {
        {running.then(|| view! { <span data-running="" hidden></span> })}
        {result}
        {actions.map(|a| view! { <section class="actions-panel" aria-label="Actions">{a}</section> })}
        <p class="latest">
            <Badge tone=deployment_tone(&d.state) label=d.state.label() raw=d.state.to_string() />
            " " <code class="deployment-id" title=d.id.clone() tabindex="0">{short_id(&d.id)}</code>
            " " <CopyButton value=d.id.clone() label=format!("deployment id {}", d.id) />
            " · " <a href=logs class="logs-link">"Logs of this deployment"</a>
            " · " <a href=all>"All deployments"</a>
        </p>
        {failed}
        <section>
            <h2>"Steps"</h2>
            <figure class="timeline single">
                <Legend />
                <StepRows deps=vec![d.clone()] now caption />
            </figure>
            <div class="table-scroll" role="region" tabindex="0" aria-label="Steps"><table class="data steps">
                <thead><tr><th>"Step"</th><th>"Entered (UTC)"</th><th class="num">"Time spent"</th></tr></thead>
                <tbody>{steps}{end}</tbody>
            </table></div>
        </section>
        <section>
            <h2>"Origin"</h2>
            {origin}
        </section>
        <section>
            <h2>"Instances of this deployment"</h2>
            {instances}
        </section>
    }
}

/// The deployment's author id, or empty.
fn o_author(d: &crate::model::deployments::Deployment) -> String {
    d.origin.author_id.clone().unwrap_or_default()
}

/// Where the deployment stands, in a sentence: in progress (which step, since when, its
/// instances deploying and up), or its end (succeeded, failed, cancelled).
fn result_of(
    d: &crate::model::deployments::Deployment,
    now: Timestamp,
    instances: Option<&[crate::model::instances::Instance]>,
) -> impl IntoView + use<> {
    let count = |states: &[InstanceState]| {
        instances.map_or(0, |l| {
            l.iter()
                .filter(|i| !i.is_build_vm && states.contains(&i.state))
                .count()
        })
    };
    let up = count(&[InstanceState::Up]);
    let deploying = count(&[
        InstanceState::Booting,
        InstanceState::Starting,
        InstanceState::Deploying,
        InstanceState::Ready,
    ]);
    let building = instances.is_some_and(|l| {
        l.iter()
            .any(|i| i.is_build_vm && i.state == InstanceState::Building)
    });
    let took = total_secs(d, now)
        .map(duration)
        .unwrap_or_else(|| "—".into());
    let (class, text) = match &d.state {
        DeploymentState::Succeeded => (
            "notice success result",
            format!("Succeeded in {took}: {up} instance(s) up."),
        ),
        DeploymentState::Failed => (
            "notice error result",
            format!("Failed after {took}; the instances that ran before it stay."),
        ),
        DeploymentState::Cancelled => (
            "notice warning result",
            format!("Cancelled after {took}; the instances that ran before it stay."),
        ),
        s => {
            let step = d
                .steps
                .last()
                .map(|s| s.state.label())
                .unwrap_or_else(|| s.label());
            let work = if building {
                "building".to_owned()
            } else {
                format!("{deploying} instance(s) deploying, {up} up")
            };
            (
                "notice info result",
                format!(
                    "In progress for {took}, now “{step}”: {work}. This page follows it while JavaScript runs; reload to follow it without."
                ),
            )
        }
    };
    view! { <p class=class role="status">{text}</p> }
}
