//! `/login`: paste an API token. A plain form that works without JavaScript; the server
//! (`POST /login`) validates the token and keeps it in the session.

use crate::components::layout::hydration_marker;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Why the form is shown again, from the `error` or `reason` query value.
/// Only fixed messages are shown: nothing from the URL is echoed.
pub fn login_message(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "invalid" => (
            "error",
            "This token was refused by the Clever Cloud API. Check it and try again.",
        ),
        "empty" => ("error", "Paste an API token to sign in."),
        "unavailable" => (
            "error",
            "The Clever Cloud API could not be reached. Please retry in a moment.",
        ),
        "store" => (
            "error",
            "The dashboard's session store is unavailable, so you cannot sign in right now. Please retry in a moment.",
        ),
        "not_allowed" => (
            "error",
            "This Clever Cloud account is not allowed on this dashboard. Ask the people who run it.",
        ),
        "expired" => ("info", "Your session has expired. Please sign in again."),
        "logged_out" => ("info", "You are signed out."),
        _ => return None,
    })
}

/// The sign-in page.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let message = move || {
        let q = query.read();
        let code = q
            .get("error")
            .or_else(|| q.get("reason"))
            .unwrap_or_default();
        login_message(&code).map(|(kind, text)| {
            let class = format!("notice {kind}");
            view! { <p class=class role="alert">{text}</p> }
        })
    };
    view! {
        <Title text="Sign in" />
        <main class="login" data-hydrated=hydration_marker()>
            <h1>"☁ Clever dashboard"</h1>
            <p>"Sign in with a Clever Cloud API token. It is kept on this server only, never in your browser."</p>
            {message}
            <form method="post" action="/login" class="login-form">
                <label for="token">"API token"</label>
                <input
                    id="token"
                    name="token"
                    type="password"
                    autocomplete="off"
                    required
                    spellcheck="false"
                />
                <button type="submit">"Sign in"</button>
            </form>
            <p class="muted">
                "Create a token with " <code>"clever tokens create"</code>
                " or in the Clever Cloud console. On the demo, the token "
                <code>"demo"</code> " works."
            </p>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_codes_show_a_message() {
        assert!(login_message("invalid").is_some());
        assert!(login_message("expired").is_some());
        assert!(login_message("<script>alert(1)</script>").is_none());
    }
}
