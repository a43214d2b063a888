//! The app's pages rendered for a request the server makes up itself: an answer that is a
//! page of the app with a status of its own (the sign-in page, with a 429, when a client tries
//! too often) is the real page, not a copy that drifts from it.

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use futures::future::BoxFuture;
use leptos::config::LeptosOptions;
use std::sync::Arc;

type Render = dyn Fn(Request<Body>) -> BoxFuture<'static, Response> + Send + Sync;

/// Renders the app's route for a path and query.
#[derive(Clone)]
pub struct Renderer(Arc<Render>);

impl Renderer {
    /// With the same context as every page (`context`) and the app's shell.
    pub fn new(context: impl Fn() + Clone + Send + Sync + 'static, leptos: LeptosOptions) -> Self {
        let render =
            leptos_axum::render_app_async_with_context(context, move || app::shell(leptos.clone()));
        Self(Arc::new(move |req| Box::pin(render(req))))
    }

    /// The page at `path_and_query`, as a GET would get it.
    pub async fn get(&self, path_and_query: &str) -> Response {
        let req = Request::get(path_and_query)
            .body(Body::empty())
            .unwrap_or_else(|_| Request::new(Body::empty()));
        (self.0)(req).await
    }
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Renderer")
    }
}
