//! Hooks shared by the pages.

pub mod log_stream;
pub mod route_ids;

use crate::logic::url_filter::UrlFilter;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::server_fn::error::FromServerFnError;

/// A server action whose form works the same with or without script: the form posts, the
/// server answers with a redirect back to the page, and the page shows what the action
/// answered (kept for one page load in the session, see `ssr::session::Flash`) or its error
/// (from the URL, as leptos does).
pub fn use_server_action<S>() -> ServerAction<S>
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: serde::de::DeserializeOwned + Send + Sync + 'static,
    S::Error: FromServerFnError + Send + Sync + 'static,
{
    let action = ServerAction::<S>::new();
    #[cfg(feature = "ssr")]
    if let Some(done) = crate::ssr::session::flash_for::<S::Output>(S::PATH) {
        action.value().set(Some(Ok(done)));
    }
    action
}

/// The page's filter, read from its URL query (and again when the query changes).
pub fn use_url_filter<F>() -> Memo<F>
where
    F: UrlFilter + Clone + PartialEq + Send + Sync + 'static,
{
    let query = leptos_router::hooks::use_query_map();
    Memo::new(move |_| F::from_query(&query.read()))
}

/// Whether the current island has hydrated: `false` in the server's HTML, `true` in the
/// browser once this island runs (parts that only work with JavaScript stay hidden until then).
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move || set_hydrated.set(true));
    hydrated
}
