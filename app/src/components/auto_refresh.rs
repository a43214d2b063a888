//! Fresh data without a page load: an island that fetches the page's own URL again and puts
//! the new server-rendered content of one region (an element with an `id`) in place of the
//! old. The region stays plain server HTML (no code for it ships to the browser); without
//! JavaScript a reload does the same.
//!
//! Three uses: a checkbox ("Auto-refresh every 5 s", instances), "while something is pending"
//! (drains being enabled or disabled settle a moment later), and always (the fleet board).

use crate::hooks::use_hydrated;
use leptos::prelude::*;

/// The request header that marks a fetch no person asked for (a refresh on a timer): the server
/// does not count it as activity, so an open tab does not keep a session alive for good.
pub const BACKGROUND_HEADER: &str = "x-dashboard-background";

/// When the region is fetched again.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum RefreshWhen {
    /// While a checkbox with this label is checked (off at first; hidden until hydrated).
    Checked(String),
    /// As long as the region holds an element matching this CSS selector.
    Holds(String),
    /// Always, while the page is open.
    Always,
}

/// Refreshes the element `#region` every `every_ms` milliseconds, as `when` says.
#[island]
pub fn AutoRefresh(region: String, every_ms: u32, when: RefreshWhen) -> impl IntoView {
    let hydrated = use_hydrated();
    let (on, set_on) = signal(!matches!(when, RefreshWhen::Checked(_)));
    #[cfg(feature = "hydrate")]
    {
        let every = std::time::Duration::from_millis(u64::from(every_ms.max(250)));
        let holds = match &when {
            RefreshWhen::Holds(sel) => Some(sel.clone()),
            RefreshWhen::Checked(_) | RefreshWhen::Always => None,
        };
        let busy = StoredValue::new_local(false);
        let tick = move || {
            if !on.get_untracked() || busy.get_value() {
                return;
            }
            if let Some(sel) = &holds
                && !browser::region_holds(&region, sel)
            {
                set_on.set(false);
                return;
            }
            busy.set_value(true);
            let region = region.clone();
            leptos::task::spawn_local(async move {
                browser::refresh(&region).await;
                busy.set_value(false);
            });
        };
        if let Ok(h) = leptos::leptos_dom::helpers::set_interval_with_handle(tick, every) {
            on_cleanup(move || h.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (&region, every_ms);
    match when {
        RefreshWhen::Checked(label) => Some(view! {
            <label class="check auto-refresh" hidden=move || !hydrated.get()>
                <input type="checkbox" prop:checked=on on:change=move |ev| set_on.set(event_target_checked(&ev)) />
                {label}
            </label>
        }),
        RefreshWhen::Holds(_) | RefreshWhen::Always => None,
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    fn document() -> Option<web_sys::Document> {
        web_sys::window().and_then(|w| w.document())
    }

    /// Whether `#region` holds an element matching `selector`.
    pub fn region_holds(region: &str, selector: &str) -> bool {
        document()
            .and_then(|d| d.get_element_by_id(region))
            .and_then(|r| r.query_selector(selector).ok().flatten())
            .is_some()
    }

    /// Fetches this page again and swaps in the new content of `#region`. A failure (offline,
    /// signed out: the answer has no such region) leaves the page as it is.
    pub async fn refresh(region: &str) {
        let Some(href) = web_sys::window().and_then(|w| w.location().href().ok()) else {
            return;
        };
        let request = gloo_net::http::Request::get(&href).header(super::BACKGROUND_HEADER, "1");
        let Ok(resp) = request.send().await else {
            return;
        };
        if !resp.ok() {
            return;
        }
        let Ok(html) = resp.text().await else {
            return;
        };
        let Ok(parser) = web_sys::DomParser::new() else {
            return;
        };
        let Ok(fresh) = parser.parse_from_string(&html, web_sys::SupportedType::TextHtml) else {
            return;
        };
        let (Some(new), Some(old)) = (
            fresh.get_element_by_id(region),
            document().and_then(|d| d.get_element_by_id(region)),
        ) else {
            return;
        };
        // Server HTML from our own origin, already escaped; parsed markup runs no script.
        old.set_inner_html(&new.inner_html());
    }
}
