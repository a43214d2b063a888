//! The page for a URL we do not serve.

use crate::components::error_view::set_status;
use leptos::prelude::*;
use leptos_meta::Title;

/// 404 page.
#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <Title text="Not found" />
        <main class="narrow">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address."</p>
            <p>
                <a href="/">"Back to your organisations"</a>
            </p>
        </main>
    }
}
