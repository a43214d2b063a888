//! `/alerts`: what the server watches and what it found. The watch credential (which
//! organisations it sees, until when), open and resolved incidents with their timelines, the
//! rules and channels (from the operator's file, read-only; a channel's URL and secret are
//! never shown), and the delivery log. Only the organisations the user's own session can see.

use crate::api::alerts::load_alerts;
use crate::components::error_view::ErrorView;
use crate::components::timeline::short_time;
use crate::model::alerts::{AlertsView, Incident};
use leptos::prelude::*;

/// The alerts page.
#[component]
pub fn AlertsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_alerts());
    // Set by `POST /alerts/test`: "sent", or why not.
    let tested = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("tested")
        .and_then(|t| {
            let text = match t.as_str() {
                "sent" => "The test notification is on its way: its delivery is below.",
                "throttled" => "A test was sent to this channel moments ago; wait a few seconds.",
                "inactive" => "This channel does not run (see why below), so nothing was sent.",
                "unknown" => "There is no such channel.",
                "off" => "Alerts are not running on this server, so nothing was sent.",
                _ => return None,
            };
            Some(view! { <p class="notice info" role="status">{text}</p> })
        });
    view! {
        <h1>"Alerts"</h1>
        <p class="lead">"The server checks the rules regularly (every minute unless its operator set DASHBOARD_ALERT_INTERVAL_SECS) with its own watch credential, opens one incident per rule and subject when a condition starts, and notifies the rule's channels when it opens and when it resolves."</p>
        {tested}
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading alerts…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <Alerts view=v /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn when(t: Option<crate::model::Timestamp>) -> String {
    t.map(|t| format!("{} UTC", short_time(t)))
        .unwrap_or_else(|| "—".to_owned())
}

#[component]
fn Alerts(view: AlertsView) -> impl IntoView {
    let off = view
        .off
        .clone()
        .map(|why| view! { <p class="notice info" role="status">{why}</p> });
    let watched = if view.watched.is_empty() {
        "The watch credential has not been used yet.".to_owned()
    } else {
        format!(
            "The watch credential sees {} ({}){}; last check {}.",
            view.watched
                .iter()
                .map(|(_, name)| name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            view.watched.len(),
            view.watch_expires
                .map(|t| format!(", and expires on {}", crate::logic::day(Some(t))))
                .unwrap_or_default(),
            when(view.last_cycle)
        )
    };
    let open_count = view.open.len();
    let open = incidents(view.open.clone(), "No open incident.", "Open incidents");
    let resolved = incidents(
        view.resolved.clone(),
        "No resolved incident yet.",
        "Resolved incidents",
    );
    let rules = view
        .rules
        .iter()
        .map(|r| {
            let state = r
                .inactive
                .clone()
                .map_or_else(|| "Active".to_owned(), |why| format!("Inactive: {why}"));
            let scope = if r.applications.is_empty() {
                "every application".to_owned()
            } else {
                r.applications.join(", ")
            };
            view! {
                <tr>
                    <td>{r.name.clone()}</td><td>{r.kind.clone()}</td><td>{r.severity.as_str()}</td>
                    <td class="nowrap">{r.organisation.clone()}</td><td>{scope}</td>
                    <td>{r.channels.join(", ")}</td><td>{state}</td>
                </tr>
            }
        })
        .collect_view();
    let channels = view
        .channels
        .iter()
        .map(|c| {
            let state = c
                .inactive
                .clone()
                .map_or_else(|| "Active".to_owned(), |why| format!("Inactive: {why}"));
            let test = c.inactive.is_none().then(|| {
                view! {
                    <form method="post" action="/alerts/test">
                        <input type="hidden" name="channel" value=c.name.clone() />
                        <button type="submit" class="secondary">"Send a test"</button>
                    </form>
                }
            });
            view! { <tr><td>{c.name.clone()}</td><td>{c.kind.clone()}</td><td>{state}</td><td>{test}</td></tr> }
        })
        .collect_view();
    let none_delivered = view.deliveries.is_empty();
    let deliveries = view
        .deliveries
        .iter()
        .map(|d| {
            view! {
                <tr>
                    <td class="nowrap">{when(d.at)}</td><td>{d.channel.clone()}</td><td>{d.state.clone()}</td>
                    <td class="num">{d.attempt}</td><td>{d.outcome.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let source = view.file.clone().map_or_else(
        || "No rules file is configured (DASHBOARD_ALERTS_FILE).".to_owned(),
        |f| format!("From {f} (read at start; change the file and restart to change them)."),
    );
    view! {
        {off}
        <p class="muted watch">{watched}</p>
        <h2>{format!("Open incidents ({open_count})")}</h2>
        {open}
        <h2>"Rules"</h2>
        <p class="muted">{source}</p>
        <div class="table-scroll" role="region" tabindex="0" aria-label="Rules"><table class="data">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Kind"</th><th scope="col">"Severity"</th><th scope="col">"Organisation"</th><th scope="col">"Applies to"</th><th scope="col">"Channels"</th><th scope="col">"State"</th></tr></thead>
            <tbody>{rules}</tbody>
        </table></div>
        <h2>"Channels"</h2>
        <div class="table-scroll" role="region" tabindex="0" aria-label="Channels"><table class="data">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Kind"</th><th scope="col">"State"</th><th scope="col">"Test"</th></tr></thead>
            <tbody>{channels}</tbody>
        </table></div>
        <h2>"Resolved incidents"</h2>
        {resolved}
        <h2 id="deliveries">"Deliveries"</h2>
        {if none_delivered {
            view! { <p class="empty">"No notification has been sent yet."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll" role="region" tabindex="0" aria-label="Deliveries"><table class="data">
                    <thead><tr><th scope="col">"When"</th><th scope="col">"Channel"</th><th scope="col">"Notification"</th><th scope="col" class="num">"Attempt"</th><th scope="col">"Outcome"</th></tr></thead>
                    <tbody>{deliveries}</tbody>
                </table></div>
            }
            .into_any()
        }}
    }
}

/// Incidents as a list, each with its timeline.
fn incidents(list: Vec<Incident>, empty: &'static str, label: &'static str) -> AnyView {
    if list.is_empty() {
        return view! { <p class="empty">{empty}</p> }.into_any();
    }
    let items = list
        .into_iter()
        .map(|i| {
            let timeline = i
                .timeline
                .iter()
                .map(|(at, what)| {
                    let at = crate::model::date::parse(at).map_or_else(|| at.clone(), |t| when(Some(t)));
                    view! { <li><span class="muted">{at}</span>" "{what.clone()}</li> }
                })
                .collect_view();
            view! {
                <li class=format!("incident severity-{}", i.severity.as_str()) data-incident=i.id.clone()>
                    <p><strong>{i.severity.as_str()}</strong>" · "{i.organisation_name.clone()}" · "{i.rule.clone()}": "
                        <a href=i.href.clone()>{i.summary.clone()}</a></p>
                    <details><summary>{format!("Timeline (opened {})", when(i.opened_at))}</summary><ol class="incident-timeline">{timeline}</ol></details>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="incidents" aria-label=label>{items}</ul> }.into_any()
}
