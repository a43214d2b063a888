//! Placeholder for pages whose route exists but whose content comes in a later release.

use crate::components::error_view::ErrorView;
use crate::ids::SegmentId;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// A page that is not built yet: its ids are still validated, so links can be trusted.
#[component]
pub fn Coming(title: &'static str) -> impl IntoView {
    let params = use_params_map();
    let checked = move || {
        params.with(|p| {
            for (name, value) in p.clone().into_iter() {
                let what = name.replace('_', " ");
                SegmentId::parse(&what, &value)?;
            }
            Ok::<_, crate::error::AppError>(())
        })
    };
    view! {
        <Title text=title />
        <h1>{title}</h1>
        {move || match checked() {
            Ok(()) => {
                view! {
                    <p class="coming">
                        "This page is coming in a later release. "
                        <a href="/">"Back to your organisations"</a>
                    </p>
                }
                    .into_any()
            }
            Err(e) => view! { <ErrorView error=e /> }.into_any(),
        }}
    }
}
