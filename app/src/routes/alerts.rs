//! `/alerts`: what the server watches and what it found. The watch credential (which
//! organisations it sees, until when), open and resolved incidents with their timelines, the
//! rules and channels (from the operator's file, read-only; a channel's URL and secret are
//! never shown), and the delivery log. Only the organisations the user's own session can see.

use crate::api::alerts::{
    AlertChangeResult, CreateAlertChannel, CreateAlertRule, DeleteAlertChannel, DeleteAlertRule,
    load_alerts,
};
use crate::components::error_view::{ActionError, ErrorView};
use crate::components::notice::Outcome;
use crate::components::timeline::short_time;
use crate::error::AppError;
use crate::hooks::use_server_action;
use crate::model::alerts::{AlertsView, Incident};
use leptos::prelude::*;

/// The page's four actions; at most one has an answer on a page load (the last form sent).
#[derive(Clone, Copy)]
struct Actions {
    add_rule: ServerAction<CreateAlertRule>,
    remove_rule: ServerAction<DeleteAlertRule>,
    add_channel: ServerAction<CreateAlertChannel>,
    remove_channel: ServerAction<DeleteAlertChannel>,
}

/// What the last form of one section gave, read once (the page is server HTML).
type Last = Option<Result<AlertChangeResult, AppError>>;

/// The alerts page.
#[component]
pub fn AlertsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_alerts());
    let actions = Actions {
        add_rule: use_server_action::<CreateAlertRule>(),
        remove_rule: use_server_action::<DeleteAlertRule>(),
        add_channel: use_server_action::<CreateAlertChannel>(),
        remove_channel: use_server_action::<DeleteAlertChannel>(),
    };
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
                    Ok(v) => view! { <Alerts view=v actions=actions /> }.into_any(),
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
fn Alerts(view: AlertsView, actions: Actions) -> impl IntoView {
    let rule_last: Last = actions
        .add_rule
        .value()
        .get_untracked()
        .or_else(|| actions.remove_rule.value().get_untracked());
    let channel_last: Last = actions
        .add_channel
        .value()
        .get_untracked()
        .or_else(|| actions.remove_channel.value().get_untracked());
    let new_rule_last = actions.add_rule.value().get_untracked();
    let new_channel_last = actions.add_channel.value().get_untracked();
    let rule_outcome = outcome(rule_last, "rule-");
    let channel_outcome = outcome(channel_last, "channel-");
    let rule_form = (view.can_edit).then(|| {
        rule_form(
            &view,
            new_rule_last.and_then(Result::ok).unwrap_or_default(),
            actions.add_rule,
        )
    });
    let channel_form = (view.can_edit).then(|| {
        channel_form(
            &view,
            new_channel_last.and_then(Result::ok).unwrap_or_default(),
            actions.add_channel,
        )
    });
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
            let made =
                r.by.clone()
                    .map_or_else(|| "The file".to_owned(), |by| format!("{by}, here"));
            let name = r.name.clone();
            let remove = r.by.is_some().then(move || {
                let label = format!("Remove the rule {name}");
                view! {
                    <ActionForm action=actions.remove_rule attr:class="inline">
                        <input type="hidden" name="name" value=name />
                        <button type="submit" class="secondary" aria-label=label>"Remove"</button>
                    </ActionForm>
                }
            });
            let channels = if r.channels.is_empty() {
                "This page only".to_owned()
            } else {
                r.channels.join(", ")
            };
            view! {
                <tr data-rule=r.name.clone()>
                    <td>{r.name.clone()}</td><td>{r.kind.clone()}</td><td>{r.severity.as_str()}</td>
                    <td class="nowrap">{r.organisation.clone()}</td><td>{scope}</td>
                    <td>{channels}</td><td>{made}</td><td>{state}</td><td>{remove}</td>
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
            let made = c.by.clone().map_or_else(|| "The file".to_owned(), |by| format!("{by}, here"));
            let name = c.name.clone();
            let remove = c.by.is_some().then(move || {
                let label = format!("Remove the channel {name}");
                view! {
                    <ActionForm action=actions.remove_channel attr:class="inline">
                        <input type="hidden" name="name" value=name />
                        <button type="submit" class="secondary" aria-label=label>"Remove"</button>
                    </ActionForm>
                }
            });
            let scope = c.organisation.clone().unwrap_or_else(|| "Every organisation".to_owned());
            view! {
                <tr data-channel=c.name.clone()>
                    <td>{c.name.clone()}</td><td>{c.kind.clone()}</td><td class="nowrap">{scope}</td>
                    <td>{made}</td><td>{state}</td><td>{test}</td><td>{remove}</td>
                </tr>
            }
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
        || "No rules file is configured (DASHBOARD_ALERTS_FILE): every rule here was made on this page.".to_owned(),
        |f| format!("Rules made by \"The file\" come from {f} (read at start; change the file and restart to change them); the others were made on this page."),
    );
    view! {
        {off}
        <p class="muted watch">{watched}</p>
        <h2>{format!("Open incidents ({open_count})")}</h2>
        {open}
        <h2 id="rules">"Rules"</h2>
        <p class="muted">{source}</p>
        {rule_outcome}
        <div class="table-scroll" role="region" tabindex="0" aria-label="Rules"><table class="data">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Kind"</th><th scope="col">"Severity"</th><th scope="col">"Organisation"</th><th scope="col">"Applies to"</th><th scope="col">"Channels"</th><th scope="col">"Made by"</th><th scope="col">"State"</th><th scope="col"><span class="visually-hidden">"Remove"</span></th></tr></thead>
            <tbody>{rules}</tbody>
        </table></div>
        {rule_form}
        <h2 id="channels">"Channels"</h2>
        {channel_outcome}
        <div class="table-scroll" role="region" tabindex="0" aria-label="Channels"><table class="data">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Kind"</th><th scope="col">"Used by"</th><th scope="col">"Made by"</th><th scope="col">"State"</th><th scope="col">"Test"</th><th scope="col"><span class="visually-hidden">"Remove"</span></th></tr></thead>
            <tbody>{channels}</tbody>
        </table></div>
        {channel_form}
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

/// The notice of what the last change of a section gave.
fn outcome(last: Last, prefix: &'static str) -> Option<AnyView> {
    last.map(|r| match r {
        Ok(AlertChangeResult {
            done: Some(done), ..
        }) => view! { <Outcome>{done}</Outcome> }.into_any(),
        Ok(r) => {
            let items = r
                .errors
                .iter()
                .map(|(k, m)| view! { <li><a href=format!("#{prefix}{k}")>{label_of(k)}</a>": "{m.clone()}</li> })
                .collect_view();
            view! {
                <Outcome refused=true>
                    <p>"Nothing was changed:"</p>
                    <ul>{items}</ul>
                </Outcome>
            }
            .into_any()
        }
        Err(e) => view! { <ActionError error=e /> }.into_any(),
    })
}

/// A field's name as its form labels it.
fn label_of(field: &str) -> String {
    let label = match field {
        "organisation" => "Organisation",
        "name" => "Name",
        "kind" => "Kind",
        "severity" => "Severity",
        "channel" => "Notify",
        "applications" => "Applications",
        "percent" => "Percent",
        "minutes" => "Minutes",
        "count" => "Count",
        "pattern" => "Pattern",
        "days" => "Days",
        "remind_minutes" => "Remind every",
        "url" => "URL",
        "secret" => "Signing secret",
        "to" => "To",
        other => other,
    };
    label.to_owned()
}

/// What the last answer said of field `name`: its messages (joined) and whether it is the
/// first field in error (which takes the focus).
fn refusal(last: &AlertChangeResult, name: &str) -> (Option<String>, bool) {
    let said: Vec<&str> = last
        .errors
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, m)| m.as_str())
        .collect();
    let first = last.errors.first().is_some_and(|(k, _)| k == name);
    ((!said.is_empty()).then(|| said.join(" ")), first)
}

/// One labelled field of a form, with its message when refused. Ids are `<prefix><name>`.
fn field(
    prefix: &'static str,
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    kind: &'static str,
    last: &AlertChangeResult,
) -> impl IntoView + use<> {
    let (error, first) = refusal(last, name);
    let bad = error.is_some();
    let value = (kind != "password")
        .then(|| {
            last.kept
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
        .flatten();
    let id = format!("{prefix}{name}");
    view! {
        <label>
            {label}
            <input
                type=kind
                id=id.clone()
                name=name
                placeholder=hint
                autocomplete="off"
                value=value
                aria-invalid=bad.then_some("true")
                aria-describedby=bad.then(|| format!("{id}-error"))
                autofocus=first
            />
            {error.map(|e| view! { <span class="field-error" id=format!("{id}-error")>{e}</span> })}
        </label>
    }
}

/// A select of `options` (value, label), the kept value selected.
fn select(
    prefix: &'static str,
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    last: &AlertChangeResult,
) -> impl IntoView + use<> {
    let kept = last
        .kept
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone());
    let (error, first) = refusal(last, name);
    let bad = error.is_some();
    let id = format!("{prefix}{name}");
    let options = options
        .into_iter()
        .map(|(v, l)| {
            let selected = kept.as_deref() == Some(v.as_str());
            view! { <option value=v selected=selected>{l}</option> }
        })
        .collect_view();
    view! {
        <label>
            {label}
            <select
                id=id.clone()
                name=name
                aria-invalid=bad.then_some("true")
                aria-describedby=bad.then(|| format!("{id}-error"))
                autofocus=first
            >{options}</select>
            {error.map(|e| view! { <span class="field-error" id=format!("{id}-error")>{e}</span> })}
        </label>
    }
}

/// What each rule kind watches, as the form offers it.
const KINDS: [(&str, &str); 11] = [
    ("app_down", "Application down or below its minimum"),
    ("deployment_failed", "Deployment failed or cancelled"),
    ("deployment_stuck", "Deployment running longer than Minutes"),
    (
        "app_moderated",
        "Application moderated or in default of payment",
    ),
    (
        "drain_broken",
        "Log drain disabled (or retrying longer than Minutes)",
    ),
    ("operator_update", "Operator update available"),
    ("http_5xx", "5xx answers above Percent over the last hour"),
    ("cpu_high", "CPU above Percent for Count hours"),
    ("mem_high", "Memory above Percent for Count hours"),
    (
        "log_pattern",
        "Log line with Pattern more than Count times in Minutes",
    ),
    ("token_expiry", "Watch credential expiring within Days"),
];

fn organisations(view: &AlertsView) -> Vec<(String, String)> {
    view.editable
        .iter()
        .map(|(id, name)| (id.clone(), format!("{name} ({id})")))
        .collect()
}

/// The form that makes a rule (plain HTML: works without JavaScript).
fn rule_form(
    view: &AlertsView,
    last: AlertChangeResult,
    action: ServerAction<CreateAlertRule>,
) -> AnyView {
    if view.editable.is_empty() {
        return view! { <p class="muted">"None of your organisations is seen by the watch credential, so no rule can be made here."</p> }.into_any();
    }
    let orgs = organisations(view);
    let kinds: Vec<(String, String)> = std::iter::once((String::new(), "Choose…".to_owned()))
        .chain(
            KINDS
                .iter()
                .map(|(k, l)| ((*k).to_owned(), format!("{l} ({k})"))),
        )
        .collect();
    let severities = ["warning", "critical", "info"]
        .iter()
        .map(|s| ((*s).to_owned(), (*s).to_owned()))
        .collect();
    let channels: Vec<(String, String)> = std::iter::once((
        String::new(),
        "None: this page and the bell only".to_owned(),
    ))
    .chain(
        view.channels
            .iter()
            .filter(|c| c.inactive.is_none())
            .map(|c| (c.name.clone(), format!("{} ({})", c.name, c.kind))),
    )
    .collect();
    let open = !last.errors.is_empty();
    let p = "rule-";
    view! {
        <details class="alert-new" open=open>
            <summary>"New rule"</summary>
            <ActionForm action=action attr:class="filters alert-form" attr:aria-label="New rule">
                {select(p, "organisation", "Organisation", orgs, &last)}
                {field(p, "name", "Name", "api down", "text", &last)}
                {select(p, "kind", "Kind", kinds, &last)}
                {select(p, "severity", "Severity", severities, &last)}
                {select(p, "channel", "Notify", channels, &last)}
                {field(p, "applications", "Applications (ids; empty: every one)", "app_…, app_…", "text", &last)}
                {field(p, "percent", "Percent", "5", "text", &last)}
                {field(p, "minutes", "Minutes", "30", "text", &last)}
                {field(p, "count", "Count", "3", "text", &last)}
                {field(p, "pattern", "Pattern", "timeout", "text", &last)}
                {field(p, "days", "Days", "7", "text", &last)}
                {field(p, "remind_minutes", "Remind every (minutes; empty: never)", "", "text", &last)}
                <div class="actions">
                    <button type="submit" disabled=move || action.pending().get()>"Make the rule"</button>
                </div>
            </ActionForm>
        </details>
    }
    .into_any()
}

/// The form that makes a channel; its URL and secret are never shown again.
fn channel_form(
    view: &AlertsView,
    last: AlertChangeResult,
    action: ServerAction<CreateAlertChannel>,
) -> AnyView {
    if view.editable.is_empty() {
        return ().into_any();
    }
    let orgs = organisations(view);
    let kinds = [
        ("webhook", "Signed JSON webhook (webhook)"),
        ("slack", "Slack-compatible incoming webhook (slack)"),
        ("email", "E-mail (email)"),
    ]
    .iter()
    .map(|(k, l)| ((*k).to_owned(), (*l).to_owned()))
    .collect();
    let open = !last.errors.is_empty();
    let p = "channel-";
    view! {
        <details class="alert-new" open=open>
            <summary>"New channel"</summary>
            <p class="hint">"The URL and the secret are sealed when saved and never shown again. Webhook receivers check the X-Dashboard-Signature header with the secret."</p>
            <ActionForm action=action attr:class="filters alert-form" attr:aria-label="New channel">
                {select(p, "organisation", "For the rules of", orgs, &last)}
                {field(p, "name", "Name", "ops", "text", &last)}
                {select(p, "kind", "Kind", kinds, &last)}
                {field(p, "url", "URL (webhook, slack)", "https://hooks.example.com/…", "url", &last)}
                {field(p, "secret", "Signing secret (webhook; 16 characters or more)", "", "password", &last)}
                {field(p, "to", "To (email; addresses separated by commas)", "ops@example.com", "text", &last)}
                <div class="actions">
                    <button type="submit" disabled=move || action.pending().get()>"Make the channel"</button>
                </div>
            </ActionForm>
        </details>
    }
    .into_any()
}
