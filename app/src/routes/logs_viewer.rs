//! The logs page's viewer: the lines drawn as a virtualised list (only those on screen, once
//! per animation frame), its toolbar (pause, copy, save what is shown, clear) and how a line
//! reads. The whole range is the server's download, linked below it (beyond the buffer, and
//! without JavaScript).

use crate::browser;
use crate::components::timeline::short_time;
use crate::hooks::log_stream::{LogStream, use_log_stream};
use crate::hooks::use_hydrated;
use crate::logic::ansi;
use crate::logic::logs::{LineBuffer, ViewerStatus, plain_text};
use crate::logic::short_id;
use crate::model::Timestamp;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// Height of one line when lines do not wrap, in pixels (the virtual list's unit).
const ROW_H: f64 = 20.0;
/// Lines drawn above and below the visible ones.
const OVERSCAN: usize = 30;
/// Lines drawn at most while wrapping (heights vary, so no virtualisation then).
const WRAP_LINES: usize = 1000;

/// How a line names its instance: its name when known, else its short id.
fn instance_name(
    names: StoredValue<std::collections::HashMap<String, String>>,
    id: Option<&str>,
) -> String {
    let id = id.unwrap_or("-");
    names
        .with_value(|n| n.get(id).cloned())
        .unwrap_or_else(|| short_id(id))
}

/// The time of a line: `HH:MM:SS.mmm`, UTC or shifted by `offset_min` minutes.
pub fn clock(t: Option<Timestamp>, offset_min: i32) -> String {
    match t {
        None => "--:--:--.---".to_owned(),
        Some(t) => {
            let t = t + time::Duration::minutes(i64::from(offset_min));
            format!(
                "{} {:02}:{:02}:{:02}.{:03}",
                short_time(t)
                    .split(' ')
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" "),
                t.hour(),
                t.minute(),
                t.second(),
                t.millisecond()
            )
        }
    }
}

/// The first and last index to draw for a scroll position (virtualisation).
pub fn window(len: usize, scroll_top: f64, height: f64) -> (usize, usize) {
    let first = (scroll_top / ROW_H).floor().max(0.0) as usize;
    let visible = (height / ROW_H).ceil() as usize + 1;
    let start = first.saturating_sub(OVERSCAN).min(len);
    let end = (first + visible + OVERSCAN).min(len);
    (start, end)
}

#[component]
pub(super) fn Viewer(
    url: String,
    names: Vec<(String, String)>,
    wrap: Signal<bool>,
    local: Signal<bool>,
) -> impl IntoView {
    let names = StoredValue::new(
        names
            .into_iter()
            .collect::<std::collections::HashMap<_, _>>(),
    );
    let hydrated = use_hydrated();
    let stream = use_log_stream(url, hydrated);
    let LogStream {
        version, status, ..
    } = stream;
    let following = RwSignal::new(true);
    let scroll_top = RwSignal::new(0.0f64);
    let view_h = RwSignal::new(600.0f64);
    let selected = RwSignal::new(BTreeSet::<u64>::new());
    let anchor = StoredValue::new(None::<u64>);
    let list_ref = NodeRef::<leptos::html::Div>::new();
    let rows_ref = NodeRef::<leptos::html::Div>::new();

    #[cfg(feature = "hydrate")]
    {
        // The list's full height (through the CSSOM: the CSP refuses `style` attributes).
        Effect::new(move || {
            version.track();
            let wrap = wrap.get();
            if let Some(el) = rows_ref.get() {
                let n = stream.with_lines(|b| b.len());
                let h = if wrap {
                    "auto".to_owned()
                } else {
                    format!("{}px", n as f64 * ROW_H)
                };
                let el: &web_sys::HtmlElement = &el;
                let _ = web_sys::HtmlElement::style(el).set_property("height", &h);
            }
        });
        // Follow: keep the newest line in view after each batch (scrolled past the end, which
        // the browser clamps: reading the height would force a layout at every frame).
        Effect::new(move || {
            version.track();
            if following.get_untracked()
                && let Some(el) = list_ref.get_untracked()
            {
                el.set_scroll_top(i32::MAX);
            }
        });
    }
    let on_scroll = move |_| {
        if let Some(el) = list_ref.get_untracked() {
            let top = f64::from(el.scroll_top());
            let h = f64::from(el.client_height());
            scroll_top.set(top);
            view_h.set(h);
            let at_bottom = top + h >= f64::from(el.scroll_height()) - ROW_H;
            following.set(at_bottom);
        }
    };
    // One button that changes its word: the focus stays on it (Enter on Pause leaves the
    // keyboard on Resume), where two buttons swapped by `hidden` would drop it to the page.
    let pause_or_resume = move |_| {
        if status.with_untracked(ViewerStatus::is_closed) {
            stream.resume();
        } else {
            stream.pause();
        }
    };
    let clear = move |_| {
        stream.clear();
        selected.update(|s| s.clear());
    };
    let to_bottom = move |_| {
        following.set(true);
        if let Some(el) = list_ref.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
    };
    let texts = move |only_selected: bool, ndjson: bool| -> String {
        let sel = selected.get_untracked();
        let mut out = String::new();
        stream.with_lines(|b| {
            for l in b.iter().filter(|l| !only_selected || sel.contains(&l.seq)) {
                if ndjson {
                    out.push_str(&serde_json::to_string(&l.parsed()).unwrap_or_default());
                } else {
                    out.push_str(&plain_text(&l.parsed()));
                }
                out.push('\n');
            }
        });
        out
    };
    let copy_selected = move |_| browser::copy(&texts(true, false));
    // Exactly the lines this viewer holds (a live session as it was seen); the whole range is
    // the server's download, linked below the viewer.
    let save_shown = move |_| {
        browser::download(
            "shown-lines.ndjson",
            "application/x-ndjson",
            &texts(false, true),
        )
    };
    let count = move || {
        version.track();
        stream.with_lines(LineBuffer::count_text)
    };
    let offset = browser::utc_offset_minutes();
    let rows = move || {
        version.track();
        let wrap = wrap.get();
        let tz = if local.get() { offset } else { 0 };
        let sel = selected.get();
        let (lines, start) = stream.with_lines(|b| {
            let total = b.len();
            let (start, end) = if wrap {
                (total.saturating_sub(WRAP_LINES), total)
            } else {
                window(total, scroll_top.get(), view_h.get())
            };
            (b.range(start, end), start)
        });
        lines
            .into_iter()
            .enumerate()
            .map(|(k, l)| {
                let i = start + k;
                let seq = l.seq;
                // Positions go through the CSSOM (`style:`), which the page's CSP allows;
                // a `style` attribute would be refused.
                let top = if wrap {
                    String::new()
                } else {
                    format!("{}px", i as f64 * ROW_H)
                };
                let line = l.parsed();
                let runs = ansi::parse(&line.message)
                    .into_iter()
                    .map(|r| {
                        let class = r.class();
                        view! { <span class=class>{r.text}</span> }
                    })
                    .collect_view();
                let sev = line.severity.clone().unwrap_or_default().to_lowercase();
                let on_click = move |ev: leptos::ev::MouseEvent| {
                    let shift = ev.shift_key();
                    selected.update(|s| match (shift, anchor.get_value()) {
                        (true, Some(a)) => {
                            let (lo, hi) = if a <= seq { (a, seq) } else { (seq, a) };
                            s.extend(lo..=hi);
                        }
                        _ => {
                            if !s.remove(&seq) {
                                s.insert(seq);
                            }
                        }
                    });
                    anchor.set_value(Some(seq));
                };
                view! {
                    <div
                        class=format!("log-line sev-{sev}")
                        class:selected=sel.contains(&seq)
                        style:top=top
                        data-id=line.id.clone()
                        on:click=on_click
                    >
                        <span class="log-time">{clock(line.date, tz)}</span>
                        <span class="log-inst" title=line.instance_id.clone().unwrap_or_default()>{
                            // An add-on's line names its host.
                            match (&line.resource_id, &line.hostname) {
                                (Some(_), Some(host)) => host.clone(),
                                _ => instance_name(names, line.instance_id.as_deref()),
                            }
                        }</span>
                        <span class="log-svc">{line.service.clone().unwrap_or_default()}</span>
                        <span class="log-msg">{runs}</span>
                    </div>
                }
            })
            .collect_view()
    };
    let paused = move || status.with(ViewerStatus::is_closed);
    view! {
        <noscript><p class="notice info">"The live log viewer needs JavaScript: it reads the stream in the browser. The settings above stay in the address for when it is on."</p></noscript>
        <div class="log-viewer" hidden=move || !hydrated.get()>
            <div class="log-toolbar">
                <p class="log-status" role="status" data-status=move || format!("{:?}", status.get())>{move || status.get().text()}</p>
                <span class="muted log-count">{count}</span>
                <button type="button" class="pause" on:click=pause_or_resume>{move || if paused() { "Resume" } else { "Pause" }}</button>
                <button type="button" class="secondary" on:click=clear>"Clear"</button>
                <button type="button" class="secondary" on:click=copy_selected disabled=move || selected.read().is_empty()>
                    {move || format!("Copy selected ({})", selected.read().len())}
                </button>
                <button type="button" class="secondary" on:click=save_shown>"Save shown lines"</button>
            </div>
            <div class="log-list" node_ref=list_ref on:scroll=on_scroll tabindex="0" aria-label="Log lines">
                <div class="log-rows" class:wrap=move || wrap.get() node_ref=rows_ref>{rows}</div>
            </div>
            <button type="button" class="to-bottom" hidden=move || following.get() on:click=to_bottom>"↓ Scroll to bottom (follow)"</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::logs::LogLine;

    #[test]
    fn the_window_covers_the_visible_lines_and_some_more() {
        assert_eq!(window(0, 0.0, 600.0), (0, 0));
        assert_eq!(window(100_000, 0.0, 600.0), (0, 31 + OVERSCAN));
        let (s, e) = window(100_000, 50_000.0 * ROW_H, 600.0);
        assert_eq!(s, 50_000 - OVERSCAN);
        assert_eq!(e - s, 31 + 2 * OVERSCAN, "a bounded number of rows");
        assert_eq!(window(10, 10_000.0, 600.0), (10, 10));
    }

    #[test]
    fn clock_and_text_of_a_line() {
        use time::macros::datetime;
        let t = Some(datetime!(2026-11-27 10:00:01.250 UTC));
        assert_eq!(clock(t, 0), "Nov 27 10:00:01.250");
        assert_eq!(clock(t, 60), "Nov 27 11:00:01.250");
        let l = LogLine {
            date: t,
            instance_id: Some("i-1".into()),
            service: Some("bas".into()),
            message: "\u{1b}[31mERROR\u{1b}[0m boom".into(),
            ..LogLine::default()
        };
        assert_eq!(plain_text(&l), "2026-11-27T10:00:01.25Z i-1 bas ERROR boom");
        let addon = LogLine {
            date: t,
            hostname: Some("pg-1".into()),
            message: "LOG:  ok".into(),
            ..LogLine::default()
        };
        assert_eq!(
            plain_text(&addon),
            "2026-11-27T10:00:01.25Z pg-1 - LOG:  ok"
        );
    }
}
