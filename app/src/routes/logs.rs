//! `/orgs/{ownerId}/apps/{appId}/logs`: the live log viewer. Settings live in the URL query;
//! lines come from our relay (`/stream/...`) through `EventSource` (`hooks::log_stream`), are
//! kept in a bounded buffer (`logic::logs::LineBuffer`) and drawn as a virtualised list, once
//! per animation frame, so 100,000 lines stay smooth.

use crate::api::apps::{list_deployments, list_instances};
use crate::components::heading::AppHeading;
use crate::components::timeline::short_time;
use crate::hooks::log_stream::{LogStream, use_log_stream};
use crate::hooks::route_ids::{check_app_ids, use_app_ids};
use crate::hooks::use_hydrated;
use crate::hooks::use_url_filter;
use crate::logic::ansi;
use crate::logic::apps::{DeploymentFilter, InstanceFilter};
use crate::logic::logs::{LineBuffer, Range, ViewerSettings, ViewerStatus};
use crate::logic::short_id;
use crate::model::Timestamp;
use crate::model::deployments::Deployment;
use crate::model::instances::Instance;
use crate::model::logs::LogLine;
use crate::routes::urls;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// Height of one line when lines do not wrap, in pixels (the virtual list's unit).
const ROW_H: f64 = 20.0;
/// Lines drawn above and below the visible ones.
const OVERSCAN: usize = 30;
/// Lines drawn at most while wrapping (heights vary, so no virtualisation then).
const WRAP_LINES: usize = 1000;
/// Services offered in the selector.
const SERVICES: [&str; 4] = ["bas", "bas-deploy", "cron", "all"];

/// The logs page.
#[component]
pub fn LogsPage() -> impl IntoView {
    let ids = use_app_ids();
    let settings = use_url_filter::<ViewerSettings>();
    let (owner, app) = ids.get_untracked();
    let pickers = Resource::new(
        move || ids.get(),
        |(owner, app)| async move {
            check_app_ids(&owner, &app)?;
            let deps = DeploymentFilter {
                limit: Some("20".into()),
                order: None,
            };
            let inst = InstanceFilter {
                limit: Some("100".into()),
                order: Some("DESC".into()),
                ..InstanceFilter::default()
            };
            let (d, i) = futures::join!(
                list_deployments(owner.clone(), app.clone(), deps),
                list_instances(owner, app, inst)
            );
            Ok::<_, crate::error::AppError>((d?.items, i?.items))
        },
    );
    // The relay's address, computed when the settings change (ranges end "now").
    let stream = Memo::new(move |_| {
        let (owner, app) = ids.get();
        check_app_ids(&owner, &app).map_err(|e| e.to_string())?;
        let f = settings
            .read()
            .stream_filter(time::OffsetDateTime::now_utc())?;
        Ok::<_, String>(format!(
            "/stream{}{}",
            urls::app(&owner, &app, "/logs"),
            f.to_url_query()
        ))
    });
    let shown = settings.get_untracked();
    let (url, problem) = match stream.get_untracked() {
        Ok(url) => (Some(url), None),
        Err(e) => (
            None,
            Some(view! { <p class="notice error" role="alert">{e}</p> }),
        ),
    };
    view! {
        <AppHeading owner=owner.clone() app=app.clone() page="Logs" />
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
            {move || {
                let url = url.clone();
                Suspend::new(async move {
                    // Lines name their instance as the instances page does ("Calm Grace").
                    let names: Vec<(String, String)> = pickers
                        .await
                        .map(|(_, insts)| insts.into_iter().map(|i| (i.id, i.name)).collect())
                        .unwrap_or_default();
                    view! {
                        <LogViewer url names wrap=shown.wrap local_time=shown.local_time>
                            <Controls settings pickers />
                        </LogViewer>
                    }
                })
            }}
        </Suspense>
        {problem}
    }
}

type Pickers = Resource<Result<(Vec<Deployment>, Vec<Instance>), crate::error::AppError>>;

/// The settings fields of the GET form (so they work without JavaScript), rendered on the
/// server inside the viewer's island, which adds the display toggles and the button.
#[component]
fn Controls(settings: Memo<ViewerSettings>, pickers: Pickers) -> impl IntoView {
    let value = move |get: fn(&ViewerSettings) -> &Option<String>| {
        move || get(&settings.read()).clone().unwrap_or_default()
    };
    let range_options = Range::ALL
        .into_iter()
        .map(|r| {
            let selected = move || settings.read().range().ok() == Some(r);
            view! { <option value=r.as_str() selected=selected>{r.label()}</option> }
        })
        .collect_view();
    let services = SERVICES
        .into_iter()
        .map(|s| {
            let checked = move || settings.read().services.iter().any(|x| x == s);
            view! { <label class="check"><input type="checkbox" name="service" value=s checked=checked />{s}</label> }
        })
        .collect_view();
    let pickers_view = move || {
        Suspend::new(async move {
            let (deps, insts) = pickers.await.unwrap_or_default();
            let current_dep = settings
                .read_untracked()
                .deployment_id
                .clone()
                .unwrap_or_default();
            let current_inst = settings
                .read_untracked()
                .instance_id
                .clone()
                .unwrap_or_default();
            let mut dep_ids: Vec<String> = deps.iter().map(|d| d.id.clone()).collect();
            let dep_options = deps
                .into_iter()
                .map(|d| {
                    let label = format!(
                        "{} · {} · {}",
                        d.start_date.map(short_time).unwrap_or_default(),
                        d.origin.action,
                        d.state
                    );
                    let sel = d.id == current_dep;
                    view! { <option value=d.id.clone() selected=sel>{label}</option> }
                })
                .collect_view();
            // A deployment from the URL that is not among the recent ones stays selectable.
            let extra_dep = (!current_dep.is_empty() && !dep_ids.contains(&current_dep)).then(|| {
                dep_ids.push(current_dep.clone());
                view! { <option value=current_dep.clone() selected=true>{current_dep.clone()}</option> }
            });
            let inst_options = insts
                .into_iter()
                .map(|i| {
                    let label = format!("{} · {} · {}", i.name, i.state, short_id(&i.id));
                    let sel = i.id == current_inst;
                    view! { <option value=i.id.clone() selected=sel>{label}</option> }
                })
                .collect_view();
            view! {
                <label>"Deployment"
                    <select name="deploymentId">
                        <option value="">"All deployments"</option>
                        {extra_dep}
                        {dep_options}
                    </select>
                </label>
                <label>"Instance"
                    <select name="instanceId">
                        <option value="">"All instances"</option>
                        {inst_options}
                    </select>
                </label>
            }
        })
    };
    view! {
            <label>"Range" <select name="range">{range_options}</select></label>
            <label>"Since (custom)" <input type="text" name="since" placeholder="2026-11-26 or …T10:00:00Z" value=value(|s| &s.since) /></label>
            <label>"Until (custom)" <input type="text" name="until" placeholder="empty: follow" value=value(|s| &s.until) /></label>
            <label>"Contains" <input type="search" name="filter" placeholder="text, case-insensitive" value=value(|s| &s.filter) /></label>
            <Suspense fallback=|| ()>{pickers_view}</Suspense>
            <fieldset class="states"><legend>"Services (none: bas and bas-deploy)"</legend>{services}</fieldset>
    }
}

/// The interactive part of the logs page (an island): the settings form around the server's
/// fields, its display toggles (applied at once, and kept in the address), and the viewer.
#[island]
pub fn LogViewer(
    url: Option<String>,
    /// Instance names by id (an instance not among them shows its short id).
    names: Vec<(String, String)>,
    wrap: bool,
    local_time: bool,
    children: Children,
) -> impl IntoView {
    let wrap = RwSignal::new(wrap);
    let local = RwSignal::new(local_time);
    let toggle = move |key: &'static str, on_value: &'static str, flag: RwSignal<bool>| {
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            flag.set(on);
            browser::set_query(key, on.then_some(on_value));
        }
    };
    view! {
        <form method="get" class="filters log-controls" aria-label="Log settings">
            {children()}
            <label class="check"><input type="checkbox" name="wrap" value="1" checked=wrap.get_untracked() on:change=toggle("wrap", "1", wrap) />"Wrap lines"</label>
            <label class="check"><input type="checkbox" name="tz" value="local" checked=local.get_untracked() on:change=toggle("tz", "local", local) />"Local time"</label>
            <div class="actions"><button type="submit">"Apply"</button></div>
        </form>
        {url.map(|url| view! { <Viewer url names wrap=wrap.into() local=local.into() /> })}
    }
}

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

/// A line as plain text (the `.txt` download and copying).
pub fn plain_text(l: &LogLine) -> String {
    format!(
        "{} {} {} {}",
        l.date
            .map(|d| crate::model::date::format(&d))
            .unwrap_or_default(),
        l.instance_id.as_deref().unwrap_or("-"),
        l.service.as_deref().unwrap_or("-"),
        ansi::strip(&l.message)
    )
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
fn Viewer(
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
    let download = move |ndjson: bool| {
        move |_| {
            let (name, mime) = if ndjson {
                ("logs.ndjson", "application/x-ndjson")
            } else {
                ("logs.txt", "text/plain")
            };
            browser::download(name, mime, &texts(false, ndjson));
        }
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
                        <span class="log-inst" title=line.instance_id.clone().unwrap_or_default()>{instance_name(names, line.instance_id.as_deref())}</span>
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
                <button type="button" class="secondary" on:click=download(false)>"Download .txt"</button>
                <button type="button" class="secondary" on:click=download(true)>"Download .ndjson"</button>
            </div>
            <div class="log-list" node_ref=list_ref on:scroll=on_scroll tabindex="0" aria-label="Log lines">
                <div class="log-rows" class:wrap=move || wrap.get() node_ref=rows_ref>{rows}</div>
            </div>
            <button type="button" class="to-bottom" hidden=move || following.get() on:click=to_bottom>"↓ Scroll to bottom (follow)"</button>
        </div>
    }
}

/// What only a browser can do: clipboard, file downloads, the local time zone.
mod browser {
    /// Copies `text` (a refusal only means nothing was copied).
    pub fn copy(text: &str) {
        #[cfg(feature = "hydrate")]
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(text);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = text;
    }

    /// Saves `text` as a file named `name`.
    pub fn download(name: &str, mime: &str, text: &str) {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
            let opts = web_sys::BlobPropertyBag::new();
            opts.set_type(mime);
            let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
                return;
            };
            let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
                return;
            };
            let link = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.create_element("a").ok())
                .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok());
            if let Some(a) = link {
                a.set_href(&url);
                a.set_download(name);
                a.click();
            }
            let _ = web_sys::Url::revoke_object_url(&url);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (name, mime, text);
    }

    /// Sets (or, given `None`, removes) `key` in the address's query without a page load, so
    /// a reload or a shared link keeps the display settings.
    pub fn set_query(key: &str, value: Option<&str>) {
        #[cfg(feature = "hydrate")]
        {
            let Some(w) = web_sys::window() else {
                return;
            };
            let Some(url) = w
                .location()
                .href()
                .ok()
                .and_then(|h| web_sys::Url::new(&h).ok())
            else {
                return;
            };
            let q = url.search_params();
            match value {
                Some(v) => q.set(key, v),
                None => q.delete(key),
            }
            if let Ok(h) = w.history() {
                let _ =
                    h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href()));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (key, value);
    }

    /// Minutes to add to UTC for the browser's local time (0 on the server).
    pub fn utc_offset_minutes() -> i32 {
        #[cfg(feature = "hydrate")]
        {
            -(js_sys::Date::new_0().get_timezone_offset() as i32)
        }
        #[cfg(not(feature = "hydrate"))]
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
