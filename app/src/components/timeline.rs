//! The deployment timeline, drawn as SVG on the server (readable without JavaScript): a strip
//! placing every deployment in time, and one row per deployment with its bar split into steps
//! on a shared duration scale, each labelled with its duration and state.

use crate::components::badge::deployment_tone;
use crate::logic::apps::duration;
use crate::logic::timeline::{DurationScale, segments, strip, total_secs};
use crate::model::Timestamp;
use crate::model::deployments::Deployment;
use leptos::prelude::*;

/// "Nov 25 14:03" (UTC).
pub fn short_time(t: Timestamp) -> String {
    format!(
        "{} {:02} {:02}:{:02}",
        crate::logic::MONTHS[usize::from(u8::from(t.month())) - 1],
        t.day(),
        t.hour(),
        t.minute()
    )
}

const W: f64 = 1000.0;
const LABEL_W: f64 = 190.0;
const BAR_W: f64 = 540.0;
const ROW_H: f64 = 24.0;
const LANE_H: f64 = 16.0;
const AXIS_H: f64 = 22.0;

fn f(v: f64) -> String {
    format!("{v:.1}")
}

/// Every deployment placed in time; marks that would collide get their own lane.
#[component]
pub fn TimeStrip(deps: Vec<Deployment>, now: Timestamp) -> impl IntoView {
    let (scale, marks, lanes) = strip(&deps, now, 10.0, W - 20.0, 4.0);
    let h = AXIS_H + LANE_H * lanes.max(1) as f64 + 6.0;
    let ticks = scale
        .ticks(8)
        .into_iter()
        .map(|t| {
            view! {
                <line class="grid" x1=f(t.x) x2=f(t.x) y1="0" y2=f(h - AXIS_H) />
                <text class="tick" x=f(t.x) y=f(h - 6.0) text-anchor="middle">{t.label}</text>
            }
        })
        .collect_view();
    let drawn = marks
        .into_iter()
        .map(|m| {
            let d = &deps[m.index];
            let tone = deployment_tone(&d.state);
            let tip = format!(
                "{} {} {} ({})",
                d.start_date.map(short_time).unwrap_or_default(),
                d.origin.action,
                d.state,
                total_secs(d, now).map(duration).unwrap_or_default()
            );
            view! {
                <rect
                    class=format!("mark fill-{}", tone.key())
                    data-state=d.state.to_string()
                    x=f(m.x)
                    y=f(3.0 + LANE_H * m.lane as f64)
                    width=f(m.w)
                    height=f(LANE_H - 4.0)
                    rx="2"
                >
                    <title>{tip}</title>
                </rect>
            }
        })
        .collect_view();
    let label = format!(
        "{} deployments from {} to {} (UTC)",
        deps.len(),
        short_time(scale.from),
        short_time(scale.to)
    );
    view! {
        <svg class="strip" viewBox=format!("0 0 {W} {}", f(h)) role="img" aria-label=label>
            {ticks}
            {drawn}
        </svg>
    }
}

/// One row per deployment: its start and action, then its steps on a duration scale.
#[component]
pub fn StepRows(deps: Vec<Deployment>, now: Timestamp, caption: String) -> impl IntoView {
    let longest = deps
        .iter()
        .filter_map(|d| total_secs(d, now))
        .max()
        .unwrap_or(60);
    let scale = DurationScale::new(longest, BAR_W);
    let h = AXIS_H + ROW_H * deps.len().max(1) as f64;
    let ticks = scale
        .ticks()
        .into_iter()
        .map(|t| {
            let x = LABEL_W + t.x;
            view! {
                <line class="grid" x1=f(x) x2=f(x) y1=f(AXIS_H - 4.0) y2=f(h) />
                <text class="tick" x=f(x) y="12" text-anchor="middle">{t.label}</text>
            }
        })
        .collect_view();
    let rows = deps
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let y = AXIS_H + ROW_H * i as f64;
            let start = d.start_date.or_else(|| d.steps.iter().find_map(|s| s.date));
            let mut x = LABEL_W;
            let segs = segments(d, now)
                .into_iter()
                .map(|s| {
                    let w = scale.w(s.secs());
                    let at = x;
                    x += w;
                    let tip = format!("{}: {}", s.state, duration(s.secs()));
                    view! {
                        <rect
                            class=format!("seg fill-{}", deployment_tone(&s.state).key())
                            data-step=s.state.to_string()
                            x=f(at)
                            y=f(y + 5.0)
                            width=f(w.max(1.0))
                            height=f(ROW_H - 10.0)
                        >
                            <title>{tip}</title>
                        </rect>
                    }
                })
                .collect_view();
            let tone = deployment_tone(&d.state);
            let running = !d.state.is_final();
            let took = total_secs(d, now).map(duration).unwrap_or_else(|| "—".into());
            let end_label = format!(
                "{took}{} · {}",
                if running { " so far" } else { "" },
                d.state
            );
            let label = format!(
                "{} · {}",
                start.map(short_time).unwrap_or_else(|| "no date".into()),
                d.origin.action
            );
            view! {
                <g class="row" data-state=d.state.to_string()>
                    <text class="row-label" x="4" y=f(y + ROW_H / 2.0 + 4.0)>{label}</text>
                    {segs}
                    <rect class=format!("cap fill-{}", tone.key()) x=f(x) y=f(y + 3.0) width="4" height=f(ROW_H - 6.0) />
                    <text class=format!("row-end text-{}", tone.key()) x=f(x + 9.0) y=f(y + ROW_H / 2.0 + 4.0)>{end_label}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="rows" viewBox=format!("0 0 {W} {}", f(h)) role="img" aria-label=caption>
            {ticks}
            {rows}
        </svg>
    }
}

/// What the colours mean.
#[component]
pub fn Legend() -> impl IntoView {
    let items = [
        ("queued", "Queued"),
        ("progress", "Work or task in progress"),
        ("ok", "Succeeded"),
        ("failed", "Failed"),
        ("cancelled", "Cancelled"),
        ("unknown", "Other (raw name shown)"),
    ]
    .into_iter()
    .map(|(k, label)| view! { <li><span class=format!("swatch fill-{k}") aria-hidden="true"></span>{label}</li> })
    .collect_view();
    view! { <ul class="legend">{items}</ul> }
}
