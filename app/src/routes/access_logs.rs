//! `/orgs/{ownerId}/apps/{appId}/access-logs`: who is hitting the application. A closed range
//! (`?range=1h|4h|7d`, or `custom` with `since` and `until`, or a past deployment's lifetime) is
//! read on the server and shown as a table with its aggregates, with or without JavaScript;
//! `live` (and a custom range without an end, and the latest deployment) follows the relay in
//! the browser (`AccessLive`), the aggregates kept as lines arrive. The
//! filters the API does not have (status class, method, path, minimum duration) are applied
//! on the server, so only matching lines reach the browser. Downloads of the range are links.

use crate::api::access::{AccessRange, RANGE_LINES, TABLE_ROWS, load_access_range};
use crate::api::apps::list_deployments;
use crate::components::error_view::ErrorView;
use crate::components::heading::AppHeading;
use crate::components::timeline::short_time;
use crate::hooks::route_ids::{check_app_ids, use_app_ids};
use crate::hooks::use_url_filter;
use crate::logic::access::{AccessSettings, Aggregates, CLASSES, METHODS, Summary, duration_text};
use crate::logic::apps::DeploymentFilter;
use crate::logic::logs::Range;
use crate::logic::url_filter::UrlFilter;
use crate::model::access::AccessLine;
use crate::urls;
use leptos::prelude::*;

/// Lines the live view lists (the newest first); the aggregates count every line.
const LIVE_ROWS: usize = 200;

/// The access logs page.
#[component]
pub fn AccessLogsPage() -> impl IntoView {
    let ids = use_app_ids();
    let settings = use_url_filter::<AccessSettings>();
    let (owner, app) = ids.get_untracked();
    let shown = settings.get_untracked();
    let deployments = Resource::new(
        move || ids.get(),
        |(owner, app)| async move {
            check_app_ids(&owner, &app)?;
            let filter = DeploymentFilter {
                limit: Some("20".into()),
                order: None,
            };
            list_deployments(owner, app, filter).await.map(|f| f.items)
        },
    );
    // Followed live (as the runtime viewer does): the live range, a custom range without an
    // end, the latest deployment; any other range is read by the server.
    let open_custom = shown.range().ok() == Some(Range::Custom)
        && shown.until.as_deref().is_none_or(|u| u.trim().is_empty());
    let live = match shown.deployment.as_deref().map(str::trim) {
        Some("latest") => true,
        Some(d) if !d.is_empty() => false,
        _ => shown.range().ok() == Some(Range::Live) || open_custom,
    };
    let query = shown.to_query();
    let range = Resource::new(
        move || ids.get(),
        move |(owner, app)| {
            let query = query.clone();
            async move {
                check_app_ids(&owner, &app)?;
                if live {
                    return Ok(None);
                }
                load_access_range(owner, app, query).await.map(Some)
            }
        },
    );
    let (o, a) = (owner.clone(), app.clone());
    let body = move || {
        let (owner, app, shown) = (o.clone(), a.clone(), shown.clone());
        Suspend::new(async move {
            let deps = deployments.await.unwrap_or_default();
            let now = time::OffsetDateTime::now_utc();
            let filter = match shown.stream_filter(&deps, now) {
                Ok(f) => f,
                Err(e) => {
                    return view! { <p class="notice error" role="alert">{e}</p> }.into_any();
                }
            };
            let base = urls::download_app(&owner, &app);
            let extra = shown.filter.pairs();
            let with_filters = |q: String| {
                let more = crate::logic::filters::url_query(extra.iter().copied());
                match (q.is_empty(), more.is_empty()) {
                    (_, true) => q,
                    (true, false) => more,
                    (false, false) => format!("{q}&{}", more.trim_start_matches('?')),
                }
            };
            let dl = with_filters(super::logs::download_query(filter.clone(), now));
            let links = view! {
                <p class="downloads">"Download this range (up to 1,000,000 lines, filters applied): "
                    <a href=format!("{base}/access-logs.log{dl}") download>"Combined Log Format (.log)"</a>
                    " · "
                    <a href=format!("{base}/access-logs.ndjson{dl}") download>"NDJSON (.ndjson)"</a>
                </p>
            };
            if live {
                let url = format!(
                    "/stream{}{}",
                    urls::app(&owner, &app, "/access-logs"),
                    with_filters(filter.to_url_query())
                );
                return view! {
                    {links}
                    <noscript><p class="notice info">"Live access logs need JavaScript. Choose a range (the last hour, say) to read them without it."</p></noscript>
                    <AccessLive url />
                }
                .into_any();
            }
            let report = match range.await {
                Ok(Some(r)) => view! { <Report range=r /> }.into_any(),
                Ok(None) => ().into_any(),
                Err(e) => view! { <ErrorView error=e /> }.into_any(),
            };
            view! { {links} {report} }.into_any()
        })
    };
    view! {
        <AppHeading owner=owner.clone() app=app.clone() page="Access logs" />
        <Form settings deployments />
        <Suspense fallback=|| view! { <p class="muted" role="status">"Reading the access logs…"</p> }>
            {body}
        </Suspense>
    }
}

type Deployments =
    Resource<Result<Vec<crate::model::deployments::Deployment>, crate::error::AppError>>;

/// The settings as a GET form (no script needed).
#[component]
fn Form(settings: Memo<AccessSettings>, deployments: Deployments) -> impl IntoView {
    let s = settings.get_untracked();
    let range_options = Range::ALL
        .into_iter()
        .map(|r| {
            let selected = s.range().ok() == Some(r);
            view! { <option value=r.as_str() selected=selected>{r.label()}</option> }
        })
        .collect_view();
    let checks = |name: &'static str, values: &[&'static str], chosen: &[String]| {
        values
            .iter()
            .map(|v| {
                let on = chosen.iter().any(|c| c.eq_ignore_ascii_case(v));
                view! { <label class="check"><input type="checkbox" name=name value=*v checked=on />{*v}</label> }
            })
            .collect_view()
    };
    let statuses = checks("status", &CLASSES[1..], &s.filter.statuses);
    let methods = checks("method", &METHODS, &s.filter.methods);
    let current = s.deployment.clone().unwrap_or_default();
    let picker = move || {
        let current = current.clone();
        Suspend::new(async move {
            let deps = deployments.await.unwrap_or_default();
            view! { <super::logs::DeploymentSelect deps current any="Any time" /> }
        })
    };
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    view! {
        <form method="get" class="filters access-controls" aria-label="Access log settings">
            <label>"Range" <select name="range">{range_options}</select></label>
            <label>"Since (custom)" <input type="text" name="since" placeholder="2026-11-26 or …T10:00:00Z" value=text(&s.since) /></label>
            <label>"Until (custom)" <input type="text" name="until" placeholder="empty: follow" value=text(&s.until) /></label>
            <Suspense fallback=|| ()>{picker}</Suspense>
            <label>"Path contains" <input type="search" name="path" placeholder="/api" value=text(&s.filter.path) /></label>
            <label>"Slower than (ms)" <input type="number" name="minDuration" min="0" step="1" inputmode="numeric" value=text(&s.filter.min_duration) /></label>
            <fieldset class="states"><legend>"Status (none: all)"</legend>{statuses}</fieldset>
            <fieldset class="states"><legend>"Method (none: all)"</legend>{methods}</fieldset>
            <div class="actions"><button type="submit">"Apply"</button></div>
        </form>
    }
}

/// A closed range: what it held and the aggregates over the matching lines.
#[component]
fn Report(range: AccessRange) -> impl IntoView {
    let s = &range.summary;
    let when = |iso: &str| {
        crate::model::date::parse(iso)
            .map_or_else(|| iso.to_owned(), |t| format!("{} UTC", short_time(t)))
    };
    let scope = if range.complete {
        format!(
            "{} lines from {} to {}; {} match the filters.",
            range.read,
            when(&range.since),
            when(&range.until),
            s.lines
        )
    } else {
        format!(
            "The first {} lines from {} of a longer range are counted here (the download has them all); {} match the filters.",
            range.read.min(RANGE_LINES),
            when(&range.since),
            s.lines
        )
    };
    let listed = if s.lines as usize > TABLE_ROWS {
        format!("The first {TABLE_ROWS} matching lines.")
    } else {
        "Every matching line.".to_owned()
    };
    view! {
        <p class="muted range-scope">{scope}</p>
        <SummaryView summary=range.summary.clone() />
        <h2>"Requests"</h2>
        <p class="muted">{listed}</p>
        <Rows rows=range.rows.clone() label="Requests of the range" />
    }
}

/// The aggregates: counts per status class, the duration percentiles, the top tables and the
/// slowest requests.
#[component]
pub fn SummaryView(summary: Summary) -> impl IntoView {
    // `Either`, not `into_any`: the live island draws this, and an `AnyView` brings every way
    // of mounting its type into the WASM (about 16 KB for this one), used or not.
    use leptos::either::Either;
    if summary.lines == 0 {
        return Either::Left(view! { <p class="empty">"No request matches in this range."</p> });
    }
    let total = summary.lines.max(1) as f64;
    let classes = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"]
        .into_iter()
        .zip(summary.classes)
        .filter(|(_, n)| *n > 0)
        .map(|(class, n)| {
            let share = format!("{:.1} %", n as f64 * 100.0 / total);
            view! { <div class=format!("stat status-{class}")><dt>{class}</dt><dd>{n}" "<span class="muted">"("{share}")"</span></dd></div> }
        })
        .collect_view();
    let durations = summary.percentiles.map(|[p50, p95, p99]| {
        view! {
            <div class="stat"><dt>"p50"</dt><dd>{duration_text(p50)}</dd></div>
            <div class="stat"><dt>"p95"</dt><dd>{duration_text(p95)}</dd></div>
            <div class="stat"><dt>"p99"</dt><dd>{duration_text(p99)}</dd></div>
        }
    });
    let top = |title: &'static str, head: &'static str, rows: Vec<(String, u64)>| {
        let body = rows
            .into_iter()
            .map(|(k, n)| view! { <tr><td class="key">{k}</td><td class="num">{n}</td></tr> })
            .collect_view();
        view! {
            <div class="table-scroll top-table" role="region" tabindex="0" aria-label=title><table class="data">
                <caption>{title}</caption>
                <thead><tr><th scope="col">{head}</th><th scope="col" class="num">"Requests"</th></tr></thead>
                <tbody>{body}</tbody>
            </table></div>
        }
    };
    Either::Right(view! {
        <section class="access-summary" aria-label="Aggregates">
            <dl class="stats">{classes}{durations}</dl>
            <div class="top-tables">
                {top("Top paths", "Path", summary.top_paths.clone())}
                {top("Top client IPs", "Client IP", summary.top_ips.clone())}
                {top("Top countries", "Country", summary.top_countries.clone())}
            </div>
            <h2>"Slowest requests"</h2>
            <Rows rows=summary.slowest.clone() label="Slowest requests" />
        </section>
    })
}

/// Requests as a table: time, method, path, status, duration, client IP, country, city.
#[component]
fn Rows(rows: Vec<AccessLine>, label: &'static str) -> impl IntoView {
    let body = rows
        .into_iter()
        .map(|l| {
            let status = l.status();
            let class = format!("status-{}xx", status / 100);
            let time = super::logs_viewer::clock(l.date, 0);
            view! {
                <tr>
                    <td class="nowrap">{time}</td>
                    <td>{l.method().to_owned()}</td>
                    <td class="path">{l.path().to_owned()}</td>
                    <td class=class>{status}</td>
                    <td class="num nowrap">{duration_text(l.duration_ms())}</td>
                    <td class="nowrap">{l.source.ip.clone().unwrap_or_default()}</td>
                    <td>{crate::logic::geo::country_code(l.source.country_code.as_deref().unwrap_or(""))}</td>
                    <td>{l.source.city.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" role="region" tabindex="0" aria-label=label><table class="data access-rows">
            <thead><tr>
                <th scope="col">"Time (UTC)"</th><th scope="col">"Method"</th><th scope="col">"Path"</th>
                <th scope="col">"Status"</th><th scope="col" class="num">"Duration"</th><th scope="col">"Client IP"</th>
                <th scope="col">"Country"</th><th scope="col">"City"</th>
            </tr></thead>
            <tbody>{body}</tbody>
        </table></div>
    }
}

/// Live access logs (an island): the relay's stream read by `EventSource`, the aggregates kept
/// as lines arrive (bounded), the newest lines listed first.
/// Lazy: with `--split`, its code is a WASM file of its own that only the pages showing it
/// fetch (the two log islands were half of every page's WASM).
#[island(lazy)]
pub fn AccessLive(url: String) -> impl IntoView {
    use crate::components::event_source::{SseMessage, use_event_source};
    use crate::logic::logs::{StreamEvent, ViewerStatus};
    use crate::model::logs::{
        ACCESS_BATCH_EVENT, BATCH_PARAM, EndOfStream, RELAY_EVENT, RelayState, event,
    };
    let hydrated = crate::hooks::use_hydrated();
    let status = RwSignal::new(ViewerStatus::Idle);
    let aggregates = StoredValue::new(Aggregates::default());
    let recent = StoredValue::new(std::collections::VecDeque::<AccessLine>::new());
    let version = RwSignal::new(0u64);
    let source = RwSignal::new(None::<String>);
    let sep = if url.contains('?') { '&' } else { '?' };
    let url = format!("{url}{sep}{BATCH_PARAM}=1");
    let step = move |e: StreamEvent| {
        status.update(|s| *s = s.next(e));
        if status.with_untracked(ViewerStatus::is_closed) {
            source.set(None);
        }
    };
    Effect::new(move || {
        if hydrated.get() {
            step(StreamEvent::Start);
            source.set(Some(url.clone()));
        }
    });
    let take = move |data: &str| {
        let lines: Vec<AccessLine> = data.split('\n').filter_map(AccessLine::parse).collect();
        if lines.is_empty() {
            return;
        }
        aggregates.update_value(|a| lines.iter().for_each(|l| a.add(l)));
        recent.update_value(|r| {
            for l in lines {
                if r.len() >= LIVE_ROWS {
                    r.pop_back();
                }
                r.push_front(l);
            }
        });
        version.update(|v| *v += 1);
    };
    use_event_source(
        source.into(),
        &[
            event::ACCESS_LOG,
            ACCESS_BATCH_EVENT,
            RELAY_EVENT,
            event::END_OF_STREAM,
        ],
        move |m| match m {
            SseMessage::Open => step(StreamEvent::Opened),
            SseMessage::Error { closed } => step(StreamEvent::Failed { closed }),
            SseMessage::Event { name, data, .. } => match name {
                event::ACCESS_LOG | ACCESS_BATCH_EVENT => take(&data),
                RELAY_EVENT => {
                    if let Ok(state) = serde_json::from_str::<RelayState>(&data) {
                        step(StreamEvent::Relay(state));
                    }
                }
                event::END_OF_STREAM => {
                    let why = serde_json::from_str::<EndOfStream>(&data)
                        .map(|e| e.ended_by)
                        .unwrap_or_default();
                    step(StreamEvent::End(why));
                }
                _ => {}
            },
        },
    );
    let clear = move |_| {
        aggregates.update_value(Aggregates::clear);
        recent.update_value(std::collections::VecDeque::clear);
        version.update(|v| *v += 1);
    };
    let summary = move || {
        version.track();
        let summary = aggregates.with_value(Aggregates::summary);
        view! { <SummaryView summary /> }
    };
    let rows = move || {
        version.track();
        let rows: Vec<AccessLine> = recent.with_value(|r| r.iter().cloned().collect());
        view! { <Rows rows label="Latest requests" /> }
    };
    view! {
        <div class="access-live" hidden=move || !hydrated.get()>
            <div class="log-toolbar">
                <p class="log-status" role="status" data-status=move || format!("{:?}", status.get())>{move || status.get().text()}</p>
                <span class="muted access-count">{move || { version.track(); format!("{} lines", aggregates.with_value(Aggregates::lines)) }}</span>
                <button type="button" class="secondary" on:click=clear>"Clear"</button>
            </div>
            {summary}
            <h2>"Latest requests"</h2>
            <p class="muted">{format!("The newest {LIVE_ROWS} matching lines, newest first; the figures above count every line received.")}</p>
            {rows}
        </div>
    }
}
