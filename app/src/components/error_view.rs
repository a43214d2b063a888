//! How a failure looks on a page: a short message, what to do, and the support id.

use crate::error::AppError;
use leptos::prelude::*;

/// Sets the HTTP status of the server-rendered response (no-op in the browser).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(resp), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        resp.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// An error box: message, a retry link for passing failures, sign-in for expired sessions.
/// The server-rendered page takes the error's status.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    set_status(error.status());
    error_box(error, None)
}

/// The error box of an action that failed (a form posted and sent back to its page): the
/// page itself is fine, so its status stays. It is the page's outcome notice, scrolled to.
#[component]
pub fn ActionError(error: AppError) -> impl IntoView {
    error_box(error, Some(crate::components::notice::OUTCOME))
}

fn error_box(error: AppError, id: Option<&'static str>) -> impl IntoView {
    let action = match &error {
        AppError::Unauthorized => Some(
            view! {
                <a class="button" href="/login?reason=expired">"Sign in again"</a>
            }
            .into_any(),
        ),
        e if e.is_retryable() => Some(
            view! {
                // A plain link reloads the page, so retry works without JavaScript too.
                <a class="button" href="" rel="nofollow">"Retry"</a>
            }
            .into_any(),
        ),
        _ => None,
    };
    let title = match &error {
        AppError::Unauthorized => "Session expired",
        AppError::Forbidden { .. } => "Access denied",
        AppError::MissingRight { .. } => "Right not granted",
        AppError::NotAllowed(_) => "Action not allowed",
        AppError::NotFound { .. } => "Not found",
        AppError::BadRequest(_) => "Invalid request",
        AppError::TooManyRequests(_) => "Too many requests",
        AppError::Upstream { .. } => "Request refused",
        AppError::Unavailable { .. } | AppError::Transport(_) => "Upstream unavailable",
        AppError::SessionStoreUnavailable => "Session store unavailable",
        AppError::Restarting => "Restarting",
        AppError::UpstreamTooLarge { .. } => "Upstream answer too large",
    };
    let sozu = error.sozu_id().map(|id| {
        view! {
            <p class="muted">"Support reference (Sozu-Id): " <code>{id.to_owned()}</code></p>
        }
    });
    view! {
        <section class="error-box" role="alert" id=id tabindex=id.map(|_| "-1")>
            <h2>{title}</h2>
            <p>{error.to_string()}</p>
            {sozu}
            {action}
        </section>
    }
}
