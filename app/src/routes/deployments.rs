//! `/orgs/{ownerId}/apps/{appId}/deployments`: the deployment timeline (SVG drawn on the
//! server) and the table of deployments, `limit` and `order` in the URL.

use crate::api::apps::{list_deployments, load_repository};
use crate::components::badge::Badge;
use crate::components::badge::deployment_tone;
use crate::components::copy_button::CopyButton;
use crate::components::error_view::ErrorView;
use crate::components::heading::AppHeading;
use crate::components::order_select::OrderSelect;
use crate::components::timeline::{Legend, StepRows, TimeStrip, short_time};
use crate::error::AppError;
use crate::hooks::route_ids::{check_app_ids, use_app_ids};
use crate::hooks::use_url_filter;
use crate::logic::apps::{DeploymentFilter, duration};
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
    let repository = Resource::new(
        move || ids.get(),
        |(owner, app)| async move { load_repository(owner, app).await.ok().flatten() },
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
        <form method="get" class="filters" aria-label="Filter deployments">
            <label>"Show" <input type="number" name="limit" min="1" max="1000" inputmode="numeric" placeholder="50" value=value(|f| &f.limit) /></label>
            <OrderSelect current=Signal::derive(move || filter.read().order.clone()) default=Some("DESC") />
            <button type="submit">"Apply"</button>
            <a href=urls::app(&owner, &app, "/deployments")>"Reset"</a>
        </form>
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading deployments…"</p> }>
            {move || Suspend::new(async move {
                let (owner, app) = ids.get_untracked();
                let repo = repository.await;
                match deployments.await {
                    Ok(f) if f.items.is_empty() => view! { <p class="empty">"No deployment yet."</p> }.into_any(),
                    Ok(f) => {
                        let now = f.fetched_at.unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
                        view! { <Timeline owner app deps=f.items now repo /> }.into_any()
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
    repo: Option<String>,
) -> impl IntoView {
    let caption = format!(
        "Steps of each of the {} deployments, on a duration scale",
        deps.len()
    );
    let table = view! { <DeploymentTable owner app deps=deps.clone() now repo /> }.into_any();
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
    /// The GitHub repository (commits as links), when it is one.
    repo: Option<String>,
) -> impl IntoView {
    use crate::model::deployments::DeploymentState;
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
            let commit = d.version.commit_id.clone().unwrap_or_default();
            let links = repo.as_deref().and_then(|r| {
                crate::logic::apps::commit_links(r, &commit, previous.get(&d.id).map(String::as_str))
            });
            let commit_cell = match links {
                Some((url, compare)) => view! {
                    <a href=url rel="external noopener noreferrer" title=commit.clone()><code>{short_commit(&d.version.commit_id)}</code></a>
                    {compare.map(|c| {
                        let label = format!("Compare {} with the previous succeeded deployment on GitHub", short_commit(&d.version.commit_id));
                        view! { " " <a href=c rel="external noopener noreferrer" class="compare" aria-label=label>"compare"</a> }
                    })}
                }
                .into_any(),
                None if commit.is_empty() => view! { <code>"—"</code> }.into_any(),
                None => view! {
                    <code title=commit.clone()>{short_commit(&d.version.commit_id)}</code>
                    " "<CopyButton value=commit.clone() label="commit" />
                }
                .into_any(),
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
                    <td><code title=d.origin.author_id.clone().unwrap_or_default()>{short_id(d.origin.author_id.as_deref().unwrap_or_default())}</code></td>
                    <td class="nowrap">{commit_cell}</td>
                    <td>{if d.has_dedicated_build { "Yes" } else { "No" }}</td>
                    <td class="nowrap">{d.start_date.map(short_time).unwrap_or_else(|| "—".into())}</td>
                    <td class="num nowrap">{took}{running.then_some(" so far")}</td>
                    <td><a href=href title=d.id.clone()><code>{short}</code></a></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" role="region" tabindex="0" aria-label="Deployments"><table class="data deployments">
            <thead>
                <tr>
                    <th>"State"</th><th>"Action"</th><th>"Cause"</th><th>"Source"</th><th>"Author"</th>
                    <th>"Commit"</th><th>"Dedicated build"</th><th>"Started (UTC)"</th><th class="num">"Duration"</th><th>"Id"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
}
