//! `/orgs/{ownerId}/apps/{appId}/metrics`: CPU, memory and load (each bucket's mean and
//! maximum, the window's p95 and peak in words), requests per hour by status class with the
//! error rate, and where requests come from on the offline world map. SVG drawn on the server,
//! each chart with its table behind "Show as table" (a `<details>`: no script needed).
//! `?range=24h|7d`.

use crate::api::metrics::{MetricChart, MetricsView, load_addon_metrics, load_metrics};
use crate::components::error_view::ErrorView;
use crate::components::heading::AddonHeading;
use crate::components::heading::AppHeading;
use crate::error::AppError;
use crate::hooks::route_ids::{check_app_ids, use_app_ids};
use crate::logic::geo::{MAP_H, MAP_W, project};
use crate::logic::stats::{ClassCounts, Range, error_rate};
use crate::model::Timestamp;
use crate::model::stats::Location;
use crate::urls;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Chart size in SVG units (scaled to the page's width by the stylesheet).
const W: f64 = 720.0;
const H: f64 = 150.0;
/// Room for the value labels on the left and the time labels below.
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 18.0;

/// The metrics page.
#[component]
pub fn MetricsPage() -> impl IntoView {
    let ids = use_app_ids();
    let raw_range = use_query_map().read_untracked().get("range");
    let range = Range::parse(raw_range.as_deref());
    let data = Resource::new(
        move || ids.get(),
        move |(owner, app)| {
            let raw = raw_range.clone().unwrap_or_default();
            async move {
                check_app_ids(&owner, &app)?;
                let r = Range::parse(Some(&raw)).ok_or_else(|| {
                    AppError::BadRequest(format!(
                        "Range must be 24h or 7d (got \"{}\").",
                        crate::logic::filters::clip(&raw)
                    ))
                })?;
                load_metrics(owner, app, r.as_str().to_owned()).await
            }
        },
    );
    let (owner, app) = ids.get_untracked();
    let base = urls::app(&owner, &app, "/metrics");
    view! {
        <AppHeading owner=owner.clone() app=app.clone() page="Metrics" />
        <RangeSwitch base range />
        <Loaded data />
    }
}

/// An add-on's metrics page (`/orgs/{ownerId}/addons/{realId}/metrics`): resources only.
#[component]
pub fn AddonMetricsPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let ids = move || {
        let p = params.read();
        (
            p.get("owner_id").unwrap_or_default(),
            p.get("addon_id").unwrap_or_default(),
        )
    };
    let raw_range = use_query_map().read_untracked().get("range");
    let range = Range::parse(raw_range.as_deref());
    let data = Resource::new(ids, move |(owner, addon)| {
        let raw = raw_range.clone().unwrap_or_default();
        async move {
            let r = Range::parse(Some(&raw)).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "Range must be 24h or 7d (got \"{}\").",
                    crate::logic::filters::clip(&raw)
                ))
            })?;
            load_addon_metrics(owner, addon, r.as_str().to_owned()).await
        }
    });
    let (owner, addon) = ids();
    let base = urls::addon_metrics(&owner, &addon);
    view! {
        <AddonHeading owner=owner.clone() addon=addon.clone() page="Metrics" />
        <RangeSwitch base range />
        <Loaded data />
    }
}

/// The metrics once read, or what went wrong.
#[component]
fn Loaded(data: Resource<Result<MetricsView, AppError>>) -> impl IntoView {
    view! {
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading metrics…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <Metrics view=v /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The links between the two ranges.
#[component]
fn RangeSwitch(base: String, range: Option<Range>) -> impl IntoView {
    let switch = [(Range::Day, "Last 24 hours"), (Range::Week, "Last 7 days")]
        .into_iter()
        .map(|(r, label)| {
            let current = range == Some(r);
            view! {
                <a href=format!("{base}?range={}", r.as_str()) class:current=current aria-current=current.then_some("true")>{label}</a>
            }
        })
        .collect_view();
    view! { <div class="years" role="group" aria-label="Range">{switch}</div> }
}

/// A time as the charts say it: `14:00` over a day, `Tue 14:00` over a week.
fn when(t: Option<Timestamp>, range: Range) -> String {
    let Some(t) = t else {
        return "—".to_owned();
    };
    match range {
        Range::Day => format!("{:02}:{:02}", t.hour(), t.minute()),
        Range::Week => format!(
            "{} {:02}:{:02}",
            &t.weekday().to_string()[..3],
            t.hour(),
            t.minute()
        ),
    }
}

fn f1(v: f64) -> String {
    format!("{v:.1}")
}

/// A metric's words: its title, unit and the scale's top (`None`: fit to the data).
fn metric_words(key: &str) -> (&'static str, &'static str, Option<f64>) {
    match key {
        "cpu" => ("CPU", " %", Some(100.0)),
        "mem" => ("Memory", " %", Some(100.0)),
        _ => ("Load (1 min)", "", None),
    }
}

#[component]
fn Metrics(view: MetricsView) -> impl IntoView {
    let range = view.range;
    let period = format!(
        "From {} to {} UTC.",
        view.from
            .map(|t| crate::model::date::format(&t))
            .unwrap_or_default(),
        view.to
            .map(|t| crate::model::date::format(&t))
            .unwrap_or_default()
    );
    let gaps = (!view.missing.is_empty()).then(|| {
        let names: Vec<&str> = view.missing.iter().map(|k| metric_words(k).0).collect();
        let text = format!("Not answered by the API: {}.", names.join(", "));
        view! { <p class="notice warning gap">{text}</p> }
    });
    let charts = match view.metrics {
        Ok(list) if list.iter().all(|m| m.peak.is_none()) => view! {
            <p class="empty">"No metrics in this range: it may be stopped, or too new."</p>
        }
        .into_any(),
        Ok(list) => list
            .into_iter()
            .map(|m| view! { <MetricFigure chart=m range /> })
            .collect_view()
            .into_any(),
        Err(e) => view! { <p class="notice error gap" role="alert">{format!("The metrics could not be read: {e}")}</p> }.into_any(),
    };
    let requests = match view.requests {
        Ok(hours) => view! { <RequestsFigure hours range /> }.into_any(),
        Err(e) => view! { <p class="notice error gap" role="alert">{format!("The requests could not be read: {e}")}</p> }.into_any(),
    };
    let places = match view.locations {
        Ok(list) => view! { <PlacesFigure places=list /> }.into_any(),
        Err(e) => view! { <p class="notice error gap" role="alert">{format!("Where requests come from could not be read: {e}")}</p> }.into_any(),
    };
    let traffic = view.app.then(|| {
        view! {
            <section class="metrics" aria-labelledby="requests-title">
                <h2 id="requests-title">"Requests"</h2>
                {requests}
            </section>
            <section class="metrics" aria-labelledby="places-title">
                <h2 id="places-title">"Where requests come from"</h2>
                {places}
            </section>
        }
    });
    view! {
        <p class="muted">{period}</p>
        {gaps}
        <section class="metrics" aria-labelledby="resources-title">
            <h2 id="resources-title">"Resources"</h2>
            {charts}
        </section>
        {traffic}
    }
}

/// The x position of bucket `i` of `n` and its width.
fn slot(i: usize, n: usize) -> (f64, f64) {
    let w = (W - LEFT) / n.max(1) as f64;
    (LEFT + w * i as f64, w)
}

/// Time labels under a chart: about six of them.
fn time_labels(starts: &[Option<Timestamp>], range: Range) -> impl IntoView + use<> {
    let n = starts.len();
    let every = (n / 6).max(1);
    starts
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, t)| {
            let (x, _) = slot(i, n);
            view! { <text class="axis" x=f1(x) y=f1(H - 4.0)>{when(*t, range)}</text> }
        })
        .collect_view()
}

#[component]
fn MetricFigure(chart: MetricChart, range: Range) -> impl IntoView {
    let (title, unit, top) = metric_words(&chart.key);
    let max_seen = chart
        .buckets
        .iter()
        .filter_map(|b| b.max)
        .fold(0.0f64, f64::max);
    let top = top.unwrap_or_else(|| (max_seen * 1.1).max(1.0));
    let plot_h = H - BOTTOM - 6.0;
    let y = |v: f64| 6.0 + plot_h * (1.0 - (v / top).clamp(0.0, 1.0));
    let n = chart.buckets.len();
    let bars = chart
        .buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let (x, w) = slot(i, n);
            let mean = b.mean.map(|m| {
                let top_y = y(m);
                view! { <rect class="mean" x=f1(x + w * 0.15) y=f1(top_y) width=f1(w * 0.7) height=f1((6.0 + plot_h - top_y).max(0.5)) /> }
            });
            let max = b.max.map(|m| {
                let my = y(m);
                view! { <line class="max" x1=f1(x + w * 0.05) x2=f1(x + w * 0.95) y1=f1(my) y2=f1(my) /> }
            });
            view! { {mean}{max} }
        })
        .collect_view();
    let sentence = match &chart.peak {
        Some(p) => format!(
            "{title} peaked at {}{unit} at {}; 95 % of the time it was at or below {}{unit}.",
            f1(p.peak),
            when(p.at, range),
            f1(p.p95)
        ),
        None => format!("No {title} figure in this range."),
    };
    let starts: Vec<Option<Timestamp>> = chart.buckets.iter().map(|b| b.start).collect();
    let rows = chart
        .buckets
        .iter()
        .map(|b| {
            let cell = |v: Option<f64>| v.map(|v| format!("{}{unit}", f1(v))).unwrap_or_else(|| "no data".to_owned());
            view! { <tr><td>{when(b.start, range)}</td><td>{cell(b.mean)}</td><td>{cell(b.max)}</td></tr> }
        })
        .collect_view();
    let label = format!("{title}: mean of each bucket as a bar, its maximum as a line. {sentence}");
    view! {
        <figure class="chart metric" data-metric=chart.key.clone()>
            <figcaption>{sentence.clone()}</figcaption>
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=label>
                <line class="grid" x1=f1(LEFT) x2=f1(W) y1=f1(y(top)) y2=f1(y(top)) />
                <line class="grid" x1=f1(LEFT) x2=f1(W) y1=f1(y(top / 2.0)) y2=f1(y(top / 2.0)) />
                <line class="grid" x1=f1(LEFT) x2=f1(W) y1=f1(y(0.0)) y2=f1(y(0.0)) />
                <text class="axis" x="2" y=f1(y(top) + 4.0)>{format!("{}{unit}", f1(top))}</text>
                <text class="axis" x="2" y=f1(y(top / 2.0) + 4.0)>{format!("{}{unit}", f1(top / 2.0))}</text>
                {bars}
                {time_labels(&starts, range)}
            </svg>
            <p class="legend muted"><span class="key mean-key"></span>" mean   "<span class="key max-key"></span>" maximum"</p>
            <details class="as-table">
                <summary>"Show as table"</summary>
                <div class="table-scroll" role="region" tabindex="0" aria-label=format!("{title} by bucket")><table class="data">
                    <thead><tr><th scope="col">"From"</th><th scope="col">"Mean"</th><th scope="col">"Maximum"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
            </details>
        </figure>
    }
}

#[component]
fn RequestsFigure(hours: Vec<ClassCounts>, range: Range) -> impl IntoView {
    if hours.iter().all(|h| h.total() == 0) {
        return view! { <p class="empty">"No request reached this application in this range."</p> }
            .into_any();
    }
    let total: u64 = hours.iter().map(ClassCounts::total).sum();
    let rate = error_rate(&hours).unwrap_or(0.0);
    let busiest = hours
        .iter()
        .map(ClassCounts::total)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let plot_h = H - BOTTOM - 6.0;
    let n = hours.len();
    let bars = hours
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let (x, w) = slot(i, n);
            let mut base = 6.0 + plot_h;
            [("c2", h.c2), ("c3", h.c3), ("c4", h.c4), ("c5", h.c5 + h.other)]
                .into_iter()
                .filter(|(_, c)| *c > 0)
                .map(|(class, c)| {
                    let height = plot_h * c as f64 / busiest;
                    base -= height;
                    view! { <rect class=format!("req {class}") x=f1(x + w * 0.1) y=f1(base) width=f1(w * 0.8) height=f1(height.max(0.3)) /> }
                })
                .collect_view()
        })
        .collect_view();
    let ends: Vec<Option<Timestamp>> = hours.iter().map(|h| h.end).collect();
    let worst = hours
        .iter()
        .max_by_key(|h| h.c5)
        .filter(|h| h.c5 > 0)
        .map(|h| {
            format!(
                " The most 5xx answers, {}, came in the hour to {}.",
                h.c5,
                when(h.end, range)
            )
        })
        .unwrap_or_default();
    let sentence = format!(
        "{total} requests; {}% answered with a 5xx error.{worst}",
        f1(rate)
    );
    let rows = hours
        .iter()
        .map(|h| {
            let r = error_rate(std::slice::from_ref(h)).map(|r| format!("{} %", f1(r))).unwrap_or_default();
            view! { <tr><td>{when(h.end, range)}</td><td>{h.c2}</td><td>{h.c3}</td><td>{h.c4}</td><td>{h.c5}</td><td>{h.other}</td><td>{r}</td></tr> }
        })
        .collect_view();
    let label = format!("Requests per hour stacked by status class. {sentence}");
    view! {
        <figure class="chart requests">
            <figcaption>{sentence.clone()}</figcaption>
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=label>
                <line class="grid" x1=f1(LEFT) x2=f1(W) y1=f1(6.0) y2=f1(6.0) />
                <line class="grid" x1=f1(LEFT) x2=f1(W) y1=f1(6.0 + plot_h) y2=f1(6.0 + plot_h) />
                <text class="axis" x="2" y="14">{busiest as u64}</text>
                {bars}
                {time_labels(&ends, range)}
            </svg>
            <p class="legend muted">
                <span class="key c2"></span>" 2xx  "<span class="key c3"></span>" 3xx  "
                <span class="key c4"></span>" 4xx  "<span class="key c5"></span>" 5xx"
            </p>
            <details class="as-table">
                <summary>"Show as table"</summary>
                <div class="table-scroll" role="region" tabindex="0" aria-label="Requests by hour"><table class="data">
                    <thead><tr><th scope="col">"Hour to"</th><th scope="col">"2xx"</th><th scope="col">"3xx"</th><th scope="col">"4xx"</th><th scope="col">"5xx"</th><th scope="col">"Other"</th><th scope="col">"Errors"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
            </details>
        </figure>
    }
    .into_any()
}

#[component]
fn PlacesFigure(places: Vec<Location>) -> impl IntoView {
    if places.is_empty() {
        return view! { <p class="empty">"No location for the requests of this range."</p> }
            .into_any();
    }
    let most = places
        .iter()
        .map(|p| p.access_count)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let total: u64 = places.iter().map(|p| p.access_count).sum();
    let mut sorted = places.clone();
    sorted.sort_by_key(|p| std::cmp::Reverse(p.access_count));
    let spots = places
        .iter()
        .filter_map(|p| {
            let (x, y) = project(p.long, p.lat)?;
            let r = 4.0 + 18.0 * (p.access_count as f64 / most).sqrt();
            let title = format!("{}: {} requests", p.city.clone().unwrap_or_else(|| format!("{:.1}, {:.1}", p.lat, p.long)), p.access_count);
            Some(view! { <circle class="heat" cx=f1(x) cy=f1(y) r=f1(r)><title>{title}</title></circle> })
        })
        .collect_view();
    let top = sorted
        .first()
        .map(|p| p.city.clone().unwrap_or_default())
        .unwrap_or_default();
    let sentence = format!("{total} requests located; most from {top}.");
    let rows = sorted
        .iter()
        .map(|p| {
            let share = format!("{} %", f1(p.access_count as f64 * 100.0 / total.max(1) as f64));
            view! { <tr><td>{p.city.clone().unwrap_or_else(|| "—".to_owned())}</td><td>{format!("{:.2}, {:.2}", p.lat, p.long)}</td><td>{p.access_count}</td><td>{share}</td></tr> }
        })
        .collect_view();
    view! {
        <figure class="chart places zone-map">
            <figcaption>{sentence.clone()}</figcaption>
            <svg viewBox=format!("0 0 {MAP_W} {}", f1(MAP_H)) role="img" aria-label=format!("Map of where requests come from. {sentence}")>
                <rect class="sea" x="0" y="0" width=f1(MAP_W) height=f1(MAP_H) />
                <image href="/map/land.svg" x="0" y="0" width=f1(MAP_W) height=f1(MAP_H) />
                {spots}
            </svg>
            <details class="as-table">
                <summary>"Show as table"</summary>
                <div class="table-scroll" role="region" tabindex="0" aria-label="Requests by place"><table class="data">
                    <thead><tr><th scope="col">"City"</th><th scope="col">"Latitude, longitude"</th><th scope="col">"Requests"</th><th scope="col">"Share"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
            </details>
        </figure>
    }
    .into_any()
}
