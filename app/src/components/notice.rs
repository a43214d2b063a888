//! The notice of an action's result. A form posted to a server function comes back to its page
//! with `#outcome` in the address (`server::http::server_fns`), so the reloaded page scrolls to this
//! notice and starts keyboard navigation there, with or without JavaScript.

use leptos::prelude::*;

/// The id the redirect after an action names.
pub const OUTCOME: &str = "outcome";

/// The result of the action just run, where the person is looking. One per page load (only
/// one action ran), so its id is unique. `refused`: the action was not done (an alert).
#[component]
pub fn Outcome(#[prop(optional)] refused: bool, children: Children) -> impl IntoView {
    let (class, role) = if refused {
        ("notice error", "alert")
    } else {
        ("notice info", "status")
    };
    view! { <div id=OUTCOME class=class role=role tabindex="-1">{children()}</div> }
}
