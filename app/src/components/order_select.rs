//! The `order` select of the filter forms.

use leptos::prelude::*;

/// The `order` select of a filter form; `None` offers "upstream default" as well.
#[component]
pub fn OrderSelect(
    #[prop(into)] current: Signal<Option<String>>,
    default: Option<&'static str>,
) -> impl IntoView {
    let is = move |v: &'static str| {
        move || {
            current
                .read()
                .as_deref()
                .or(default)
                .unwrap_or("")
                .eq_ignore_ascii_case(v)
        }
    };
    view! {
        <label>"Order"
            <select name="order">
                {default.is_none().then(|| view! { <option value="" selected=is("")>"Upstream default"</option> })}
                <option value="DESC" selected=is("DESC")>"Newest first"</option>
                <option value="ASC" selected=is("ASC")>"Oldest first"</option>
            </select>
        </label>
    }
}
