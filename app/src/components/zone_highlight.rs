//! The zones map's highlight: hovering or focusing anything with a `data-zone` (a marker on
//! the map, a row of the table) highlights every element of the same zone. The map and the
//! table stay server HTML passed in as children; this island only listens.

use leptos::prelude::*;

/// Wraps the map and the table.
#[island]
pub fn ZoneHighlight(children: Children) -> impl IntoView {
    // Entering something without a zone (the island's own box) changes nothing.
    let enter = move |ev: &web_sys::Event| {
        #[cfg(feature = "hydrate")]
        if let Some(zone) = zone_of(ev) {
            browser::highlight(ev, Some(zone));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let leave = move |ev: &web_sys::Event| {
        #[cfg(feature = "hydrate")]
        browser::highlight(ev, None);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <div
            class="zone-highlight"
            on:mouseover=move |ev| enter(&ev)
            on:mouseenter=move |ev| enter(&ev)
            on:focusin=move |ev| enter(&ev)
            on:mouseout=move |ev| leave(&ev)
        >
            {children()}
        </div>
    }
}

/// The zone of the element an event happened on, or of its nearest ancestor that has one.
#[cfg(feature = "hydrate")]
fn zone_of(ev: &web_sys::Event) -> Option<String> {
    crate::components::dom::closest(ev, "[data-zone]")?.get_attribute("data-zone")
}

#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::JsCast;

    /// Marks the elements of `zone` (none: clears) inside the island `ev` happened in.
    pub fn highlight(ev: &web_sys::Event, zone: Option<String>) {
        let Some(root) = crate::components::dom::closest(ev, ".zone-highlight") else {
            return;
        };
        let Ok(all) = root.query_selector_all("[data-zone]") else {
            return;
        };
        for i in 0..all.length() {
            let Some(el) = all
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            else {
                continue;
            };
            let on = zone.is_some() && el.get_attribute("data-zone") == zone;
            let _ = el.class_list().toggle_with_force("highlight", on);
        }
    }
}
