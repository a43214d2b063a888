//! `/orgs/{ownerId}/apps/{appId}/deployments/{deploymentId}`: each step with the time spent in
//! it, the origin, the deployment's instances, and a link to its logs.

use crate::api::apps::{DeploymentDetail, load_deployment};
use crate::components::badge::Badge;
use crate::components::badge::deployment_tone;
use crate::components::copy_button::CopyButton;
use crate::components::error_view::ErrorView;
use crate::components::heading::AppHeading;
use crate::components::instance_table::InstanceTable;
use crate::components::timeline::{Legend, StepRows, short_time};
use crate::ids::SegmentId;
use crate::logic::apps::duration;
use crate::logic::short_id;
use crate::logic::timeline::{failure, segments, total_secs};
use crate::model::{Timestamp, date};
use crate::routes::deployments::short_commit;
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
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading deployment…"</p> }>
            {move || Suspend::new(async move {
                let (owner, app, _) = ids.get_untracked();
                match detail.await {
                    Ok(f) => {
                        let now = f.fetched_at.unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
                        view! { <Detail owner app d=f.items now /> }.into_any()
                    }
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Detail(owner: String, app: String, d: DeploymentDetail, now: Timestamp) -> impl IntoView {
    let DeploymentDetail {
        deployment: d,
        instances,
    } = d;
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
            <dt>"Author"</dt><dd><code>{o.author_id.clone().unwrap_or_else(|| "—".into())}</code></dd>
            <dt>"Priority"</dt><dd>{o.priority.to_string()}</dd>
            <dt>"Constraints"</dt><dd>{if constraints.is_empty() { "none".to_owned() } else { constraints }}</dd>
            <dt>"Commit"</dt><dd><code title=d.version.commit_id.clone().unwrap_or_default()>{short_commit(&d.version.commit_id)}</code></dd>
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
                <p><a href=around class="failure-logs">"Logs from a minute before that step to two minutes after the end"</a></p>
            </div>
        }
    });
    let all = urls::app(&owner, &app, "/deployments");
    let caption = format!("Steps of deployment {}", d.id);
    view! {
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
