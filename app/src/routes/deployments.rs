//! `/orgs/{ownerId}/apps/{appId}/deployments`: the deployment timeline (SVG drawn on the
//! server) and the table of deployments, `limit` and `order` in the URL; authors named from
//! the organisation's members, commits linked to GitHub, "Redeploy this commit" on each
//! succeeded deployment and "Cancel deployment" on one in progress.

use crate::api::apps::{DeployContext, list_deployments, load_deploy_context};
use crate::api::control::AppControl;
use crate::components::badge::Badge;
use crate::components::badge::deployment_tone;
use crate::components::control::{ControlForm, Target, outcome};
use crate::components::copy_button::CopyButton;
use crate::components::error_view::ErrorView;
use crate::components::heading::AppHeading;
use crate::components::order_select::OrderSelect;
use crate::components::timeline::{Legend, StepRows, TimeStrip, short_time};
use crate::error::AppError;
use crate::hooks::route_ids::{check_app_ids, use_app_ids};
use crate::hooks::use_server_action;
use crate::hooks::use_url_filter;
use crate::logic::apps::{DeploymentFilter, duration};
use crate::logic::control::Control;
use crate::logic::short_id;
use crate::logic::timeline::total_secs;
use crate::model::Timestamp;
use crate::model::deployments::Deployment;
use crate::urls;
use leptos::prelude::*;

/// The first characters of a commit.
pub fn short_commit(c: &Option<String>) -> String {
    c.as_deref()
        .map(|c| c.chars().take(10).collect())
        .unwrap_or_else(|| "—".to_owned())
}

/// The deployments page.
#[component]
pub fn DeploymentsPage() -> impl IntoView {
    let ids = use_app_ids();
    let filter = use_url_filter::<DeploymentFilter>();
    let act = use_server_action::<AppControl>();
    let context = Resource::new(
        move || ids.get(),
        |(owner, app)| async move { load_deploy_context(owner, app).await.unwrap_or_default() },
    );
    let deployments = Resource::new(
        move || (ids.get(), filter.get()),
        |((owner, app), filter)| async move {
            check_app_ids(&owner, &app)?;
            filter.upstream_query().map_err(AppError::BadRequest)?;
            list_deployments(owner, app, filter).await
        },
    );
    let (owner, app) = ids.get_untracked();
    let value = move |get: fn(&DeploymentFilter) -> &Option<String>| {
        move || get(&filter.read()).clone().unwrap_or_default()
    };
    view! {
        <AppHeading owner=owner.clone() app=app.clone() page="Deployments" />
        {move || outcome(act.value().get())}
        <form method="get" class="filters" aria-label="Filter deployments">
            <label>"Show" <input type="number" name="limit" min="1" max="1000" inputmode="numeric" placeholder="50" value=value(|f| &f.limit) /></label>
            <OrderSelect current=Signal::derive(move || filter.read().order.clone()) default=Some("DESC") />
            <button type="submit">"Apply"</button>
            <a href=urls::app(&owner, &app, "/deployments")>"Reset"</a>
        </form>
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading deployments…"</p> }>
            {move || Suspend::new(async move {
                let (owner, app) = ids.get_untracked();
                let ctx = context.await;
                match deployments.await {
                    Ok(f) if f.items.is_empty() => view! { <p class="empty">"No deployment yet."</p> }.into_any(),
                    Ok(f) => {
                        let now = f.fetched_at.unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
                        view! { <Timeline owner app deps=f.items now ctx act /> }.into_any()
                    }
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Timeline(
    owner: String,
    app: String,
    deps: Vec<Deployment>,
    now: Timestamp,
    ctx: DeployContext,
    act: ServerAction<AppControl>,
) -> impl IntoView {
    let caption = format!(
        "Steps of each of the {} deployments, on a duration scale",
        deps.len()
    );
    let table = view! { <DeploymentTable owner app deps=deps.clone() now ctx act /> }.into_any();
    view! {
        <section>
            <h2>"Timeline"</h2>
            <figure class="timeline">
                <TimeStrip deps=deps.clone() now />
                <figcaption>"When: each deployment at its place in time (UTC); overlapping ones on their own line."</figcaption>
                <Legend />
                <StepRows deps now caption />
                <figcaption>"How long: each bar is split into its steps; the end cap gives the outcome."</figcaption>
            </figure>
        </section>
        <section>
            <h2>"Deployments"</h2>
            {table}
        </section>
    }
}

/// The table of deployments, one row each, linking to their page.
#[component]
pub fn DeploymentTable(
    owner: String,
    app: String,
    deps: Vec<Deployment>,
    now: Timestamp,
    /// The name, the GitHub repository (commits as links), authors' names, and whether this
    /// person may act (the row actions).
    ctx: DeployContext,
    act: ServerAction<AppControl>,
) -> impl IntoView {
    use crate::model::deployments::DeploymentState;
    let repo = ctx.repo.clone();
    let may_act = ctx.may_act.is_ok();
    let name = ctx.name.clone().unwrap_or_else(|| app.clone());
    // Each deployment's previous succeeded one (older in time), for the comparison link.
    let mut by_time: Vec<&Deployment> = deps.iter().collect();
    by_time.sort_by_key(|d| d.start_date);
    let mut previous: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut last_ok: Option<String> = None;
    for d in by_time {
        if let Some(p) = &last_ok {
            previous.insert(d.id.clone(), p.clone());
        }
        if d.state == DeploymentState::Succeeded
            && let Some(c) = &d.version.commit_id
        {
            last_ok = Some(c.clone());
        }
    }
    let rows = deps
        .into_iter()
        .map(|d| {
            let commit_cell = view! {
                <CommitCell commit=d.version.commit_id.clone() repo=repo.clone() previous=previous.get(&d.id).cloned() />
            };
            let author_id = d.origin.author_id.clone().unwrap_or_default();
            let author = match ctx.names.get(&author_id) {
                Some(n) => view! { <span title=author_id.clone()>{n.clone()}</span> }.into_any(),
                None => view! { <code title=author_id.clone()>{short_id(&author_id)}</code> }.into_any(),
            };
            let target = Target {
                owner: owner.clone(),
                app: app.clone(),
                name: name.clone(),
                commit: d.version.commit_id.clone(),
                deployment: Some(d.id.clone()),
            };
            let row_action = match (&d.state, may_act) {
                (DeploymentState::Succeeded, true) if d.version.commit_id.as_deref().is_some_and(|c| crate::logic::control::full_commit(c).is_ok()) => Some(view! {
                    <details class="row-action"><summary>"Redeploy…"</summary>
                        <ControlForm action=Control::Redeploy target act compact=true />
                    </details>
                }.into_any()),
                (s, true) if !s.is_final() => Some(view! {
                    <details class="row-action"><summary>"Cancel…"</summary>
                        <ControlForm action=Control::Cancel target act compact=true />
                    </details>
                }.into_any()),
                _ => None,
            };
            let href = format!(
                "{}/{}",
                urls::app(&owner, &app, "/deployments"),
                urls::segment(&d.id)
            );
            let took = total_secs(&d, now).map(duration).unwrap_or_else(|| "—".into());
            let running = !d.state.is_final();
            let short = short_id(&d.id);
            view! {
                <tr data-state=d.state.to_string()>
                    <td><Badge tone=deployment_tone(&d.state) label=d.state.label() raw=d.state.to_string() /></td>
                    <td>{d.origin.action.to_string()}</td>
                    <td>{d.origin.cause.clone().unwrap_or_default()}</td>
                    <td>{d.origin.source.clone().unwrap_or_default()}</td>
                    <td>{author}</td>
                    <td class="nowrap">{commit_cell}</td>
                    <td>{if d.has_dedicated_build { "Yes" } else { "No" }}</td>
                    <td class="nowrap">{d.start_date.map(short_time).unwrap_or_else(|| "—".into())}</td>
                    <td class="num nowrap">{took}{running.then_some(" so far")}</td>
                    <td><a href=href title=d.id.clone()><code>{short}</code></a></td>
                    <td>{row_action}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" role="region" tabindex="0" aria-label="Deployments"><table class="data deployments">
            <thead>
                <tr>
                    <th>"State"</th><th>"Action"</th><th>"Cause"</th><th>"Source"</th><th>"Author"</th>
                    <th>"Commit"</th><th>"Dedicated build"</th><th>"Started (UTC)"</th><th class="num">"Duration"</th><th>"Id"</th><th>"Actions"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
}

/// A commit: linked to GitHub (with a comparison against `previous`, the commit of the
/// succeeded deployment before) when the repository is one, else its short id with a copy
/// button.
#[component]
pub fn CommitCell(
    commit: Option<String>,
    repo: Option<String>,
    previous: Option<String>,
) -> impl IntoView {
    let full = commit.clone().unwrap_or_default();
    let links = repo
        .as_deref()
        .and_then(|r| crate::logic::apps::commit_links(r, &full, previous.as_deref()));
    match links {
        Some((url, compare)) => view! {
            <a href=url rel="external noopener noreferrer" title=full.clone() class="commit"><code>{short_commit(&commit)}</code></a>
            {compare.map(|c| {
                let label = format!("Compare {} with the previous succeeded deployment on GitHub", short_commit(&commit));
                view! { " " <a href=c rel="external noopener noreferrer" class="compare" aria-label=label>"compare"</a> }
            })}
        }
        .into_any(),
        None if full.is_empty() => view! { <code>"—"</code> }.into_any(),
        None => view! {
            <code title=full.clone() class="commit">{short_commit(&commit)}</code>
            " "<CopyButton value=full.clone() label="commit" />
        }
        .into_any(),
    }
}
