//! A copy-to-clipboard button for a value shown as text beside it (the text stays selectable
//! without JavaScript; the button appears once its island is hydrated).

use crate::hooks::use_hydrated;
use leptos::prelude::*;

/// The button; `label` names what is copied, for screen readers.
#[island]
pub fn CopyButton(#[prop(into)] value: String, #[prop(into)] label: String) -> impl IntoView {
    let (copied, set_copied) = signal(false);
    let hydrated = use_hydrated();
    let on_click = move |_| {
        crate::browser::copy(&value);
        set_copied.set(true);
    };
    view! {
        <button
            type="button"
            class="copy"
            hidden=move || !hydrated.get()
            aria-label=format!("Copy {label}")
            on:click=on_click
        >
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
    }
}
