//! DOM lookups shared by the islands that listen on server-rendered children (browser only).

use wasm_bindgen::JsCast;

/// The element an event happened on.
pub fn target(ev: &web_sys::Event) -> Option<web_sys::Element> {
    ev.target()?.dyn_into().ok()
}

/// The nearest element matching `selector` from the one an event happened on (itself
/// included). Leptos delegates bubbling events to the document, so an island finds its own
/// element this way rather than through the event's current target.
pub fn closest(ev: &web_sys::Event, selector: &str) -> Option<web_sys::Element> {
    target(ev)?.closest(selector).ok()?
}
