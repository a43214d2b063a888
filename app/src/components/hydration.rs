//! The "page is interactive" mark: the last island of every page. Islands hydrate in document
//! order once the WASM has loaded, so when this one runs every island before it has too; it
//! turns each `data-hydrated="false"` of the server's HTML into `"true"`, for tests, the
//! first-load benchmark and styles.

use leptos::prelude::*;

/// Renders nothing visible; marks the page hydrated.
#[island]
pub fn HydrationMark() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let marked = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector_all("[data-hydrated]").ok());
        if let Some(list) = marked {
            for i in 0..list.length() {
                if let Some(el) = list
                    .item(i)
                    .and_then(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
                {
                    let _ = el.set_attribute("data-hydrated", "true");
                }
            }
        }
    }
}
