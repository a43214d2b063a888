//! Actions cannot be sent twice: once a form that posts is sent, its button says so ("Working…")
//! and a second press does nothing until the page comes back (every action answers with a
//! reload of its page). One listener for every form of the page, so action forms stay plain
//! server HTML; without JavaScript the browser's own loading state is all there is.

use leptos::prelude::*;

/// The attribute a sent form carries (styles dim its buttons).
#[cfg(feature = "hydrate")]
const SENT: &str = "data-sent";

/// Renders nothing; listens to the page's form submissions.
#[island]
pub fn SubmitOnce() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    listen();
}

#[cfg(feature = "hydrate")]
fn listen() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_submit = Closure::<dyn Fn(web_sys::SubmitEvent)>::new(|ev: web_sys::SubmitEvent| {
        let form = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok());
        // Filters (GET) may be sent again at will; actions (POST) once. The attribute, not
        // `form.method`: a field named "method" (the access logs' filter) shadows that.
        let is_post = |f: &web_sys::HtmlFormElement| {
            f.get_attribute("method")
                .is_some_and(|m| m.eq_ignore_ascii_case("post"))
        };
        let Some(form) = form.filter(is_post) else {
            return;
        };
        if ev.default_prevented() {
            return;
        }
        if form.has_attribute(SENT) {
            ev.prevent_default();
            return;
        }
        let _ = form.set_attribute(SENT, "");
        let _ = form.set_attribute("aria-busy", "true");
        if let Some(button) = ev.submitter() {
            let _ = button.set_attribute("aria-disabled", "true");
            let busy = button
                .get_attribute("data-busy")
                .unwrap_or_else(|| "Working…".to_owned());
            let idle = button.text_content().unwrap_or_default();
            let _ = button.set_attribute("data-idle", &idle);
            button.set_text_content(Some(&busy));
        }
    });
    // A page brought back from the back/forward cache is ready to send again.
    let on_show = Closure::<dyn Fn(web_sys::Event)>::new(|_| {
        let sent = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector_all("form[data-sent]").ok());
        if let Some(list) = sent {
            for i in 0..list.length() {
                let Some(f) = list
                    .item(i)
                    .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
                else {
                    continue;
                };
                let _ = f.remove_attribute(SENT);
                let _ = f.remove_attribute("aria-busy");
                if let Ok(Some(b)) = f.query_selector("[data-idle]") {
                    b.set_text_content(b.get_attribute("data-idle").as_deref());
                    let _ = b.remove_attribute("data-idle");
                    let _ = b.remove_attribute("aria-disabled");
                }
            }
        }
    });
    let _ = window.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback("pageshow", on_show.as_ref().unchecked_ref());
    // Listeners for the page's whole life.
    on_submit.forget();
    on_show.forget();
}
