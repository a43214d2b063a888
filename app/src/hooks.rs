//! Hooks shared by the pages.

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
