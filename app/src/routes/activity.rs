//! `/orgs/{ownerId}/activity`: the organisation's deployments across its applications and what
//! people did through this dashboard, newest first; filters in the URL (a GET form, no script
//! needed) and the whole feed as CSV.

use crate::api::activity::load_activity;
use crate::components::badge::{Badge, Tone, deployment_tone};
use crate::components::error_view::ErrorView;
use crate::error::AppError;
use crate::hooks::use_url_filter;
use crate::logic::activity::{ActivityFilter, PAGE_ROWS, STATES};
use crate::logic::ago;
use crate::model::Timestamp;
use crate::model::activity::{Activity, Source};
use crate::model::deployments::DeploymentState;
use crate::model::labels::human;
use crate::urls;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The activity page.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let params = use_params_map();
    let owner = move || params.read().get("owner_id").unwrap_or_default();
    let filter = use_url_filter::<ActivityFilter>();
    let activity = Resource::new(
        move || (owner(), filter.get()),
        |(owner, f)| async move {
            crate::ids::SegmentId::parse("owner id", &owner)?;
            f.check().map_err(AppError::BadRequest)?;
            load_activity(owner, f).await
        },
    );
    let value = move |get: fn(&ActivityFilter) -> &Option<String>| {
        move || get(&filter.read()).clone().unwrap_or_default()
    };
    let owner_now = owner();
    let csv = format!("/download/orgs/{}/activity.csv", urls::segment(&owner_now));
    let kinds = [
        ("", "Everything"),
        ("deployment", "Deployments"),
        ("dashboard", "Actions in this dashboard"),
    ];
    let kind_options = move || {
        let current = filter.read().kind.clone().unwrap_or_default();
        kinds
            .iter()
            .map(|(v, label)| view! { <option value=*v selected=current == *v>{*label}</option> })
            .collect_view()
    };
    let state_options = move || {
        let current = filter
            .read()
            .state
            .clone()
            .unwrap_or_default()
            .to_ascii_uppercase();
        std::iter::once(("".to_owned(), "Any".to_owned()))
            .chain(STATES.iter().map(|s| (s.to_string(), human(s))))
            .map(|(v, label)| {
                let selected = current == v;
                view! { <option value=v selected=selected>{label}</option> }
            })
            .collect_view()
    };
    view! {
        <h1>"Activity"</h1>
        <p class="lead">"Every deployment of this organisation's applications, and every action done through this dashboard, newest first."</p>
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading activity…"</p> }>
            {move || Suspend::new(async move {
                match activity.await {
                    Ok(a) => {
                        let current_app = filter.read_untracked().app.clone().unwrap_or_default();
                        let apps = std::iter::once((String::new(), "Every application".to_owned()))
                            .chain(a.apps.clone())
                            .map(|(id, name)| {
                                let selected = id == current_app;
                                view! { <option value=id selected=selected>{name}</option> }
                            })
                            .collect_view();
                        view! {
                            <form method="get" class="filters" aria-label="Filter activity">
                                <label>"Application" <select name="app">{apps}</select></label>
                                <label>"Kind" <select name="kind">{kind_options}</select></label>
                                <label>"State" <select name="state">{state_options}</select></label>
                                <label>"Since" <input type="date" name="since" value=value(|f| &f.since) /></label>
                                <label>"Until" <input type="date" name="until" value=value(|f| &f.until) /></label>
                                <div class="actions">
                                    <button type="submit">"Apply"</button>
                                    <a href=format!("/orgs/{}/activity", urls::segment(&owner()))>"Reset"</a>
                                </div>
                            </form>
                            <ActivityTable activity=a />
                        }.into_any()
                    }
                    Err(e) => view! {
                        <form method="get" class="filters" aria-label="Filter activity">
                            <div class="actions"><a href=format!("/orgs/{}/activity", urls::segment(&owner()))>"Reset the filters"</a></div>
                        </form>
                        <ErrorView error=e />
                    }.into_any(),
                }
            })}
        </Suspense>
        <p><a href=csv download>"Download the whole feed (CSV)"</a></p>
    }
}

#[component]
fn ActivityTable(activity: Activity) -> impl IntoView {
    let now = Timestamp::now_utc();
    let shown = activity.rows.len();
    let status = if shown == activity.total {
        format!("{shown} events.")
    } else if shown == PAGE_ROWS {
        format!(
            "The latest {shown} of the matching events (of {} in all); the CSV has them all.",
            activity.total
        )
    } else {
        format!("{shown} of {} events match.", activity.total)
    };
    let audit = (!activity.audit_read).then(|| {
        view! { <p class="notice warning">"The actions done through this dashboard could not be read: only deployments are shown."</p> }
    });
    if activity.rows.is_empty() {
        return view! { <p role="status">{status}</p> {audit} <p class="empty">"Nothing happened that matches these filters."</p> }.into_any();
    }
    let rows = activity
        .rows
        .into_iter()
        .map(|r| {
            let (time, age) = match r.at {
                Some(t) => (crate::model::date::format(&t), ago(t, now)),
                None => (String::new(), "—".to_owned()),
            };
            let state = DeploymentState::from_wire(&r.state);
            let tone = match r.source {
                Source::Deployment => deployment_tone(&state),
                Source::Dashboard if state == DeploymentState::Succeeded => Tone::Succeeded,
                Source::Dashboard => Tone::Failed,
            };
            let label = state.label();
            let event = match r.source {
                Source::Deployment => human(&r.event),
                Source::Dashboard => r.event.clone(),
            };
            let source = match r.source {
                Source::Deployment => "Deployment",
                Source::Dashboard => "This dashboard",
            };
            let target = match &r.href {
                Some(h) => view! { <a href=h.clone()>{r.target.clone()}</a> }.into_any(),
                None => view! { <span>{r.target.clone()}</span> }.into_any(),
            };
            view! {
                <tr data-source=r.source.as_str()>
                    <td><time datetime=time.clone() title=time.clone()>{age}</time></td>
                    <td>{r.actor.clone()}</td>
                    <td>{event}</td>
                    <td>{target}</td>
                    <td><Badge tone label raw=r.state.clone() /></td>
                    <td>{source}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p role="status">{status}</p>
        {audit}
        <div class="table-scroll" role="region" tabindex="0" aria-label="Activity"><table class="data activity">
            <thead><tr>
                <th scope="col">"When"</th>
                <th scope="col">"Who"</th>
                <th scope="col">"What"</th>
                <th scope="col">"On"</th>
                <th scope="col">"State"</th>
                <th scope="col">"Source"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
    .into_any()
}
