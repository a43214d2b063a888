//! `/login`: "Sign in with Clever Cloud" when the server offers it (a plain link to
//! `/login/oauth`, which starts the OAuth handshake), then the API-token form. Both work
//! without JavaScript; the server keeps the credentials in the session.

use crate::api::navigation::sign_in_ways;
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
        "oauth_denied" => (
            "error",
            "You declined to let this dashboard use your Clever Cloud account, so you are not signed in.",
        ),
        "oauth_state" => (
            "error",
            "That sign-in with Clever Cloud was not started from this browser, or its cookie was lost. Please start again.",
        ),
        "oauth_expired" => (
            "error",
            "That sign-in with Clever Cloud has expired or was already used. Please start again.",
        ),
        "oauth_incomplete" => (
            "error",
            "Clever Cloud did not confirm the sign-in (no verifier came back). Please start again.",
        ),
        "oauth_consumer" => (
            "error",
            "Clever Cloud refused this dashboard's OAuth consumer. Ask the people who run this dashboard to check its key and secret.",
        ),
        "logged_out" => ("info", "You are signed out."),
        "reauth" => (
            "info",
            "For your safety, sign in again to see this secret: secrets are shown only shortly after a sign-in.",
        ),
        "too_many" => ("error", "Too many sign-in attempts from your address."),
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
        // How long to wait, said only as a number (and only with its message).
        let wait = (code == "too_many").then(|| {
            match q
                .get("wait")
                .and_then(|w| w.parse::<u32>().ok())
                .filter(|s| (1..=3600).contains(s))
            {
                Some(s) => format!(" Try again in {s} s."),
                None => " Wait a little, then try again.".to_owned(),
            }
        });
        login_message(&code).map(|(kind, text)| {
            let class = format!("notice {kind}");
            view! { <p class=class role="alert">{text}{wait}</p> }
        })
    };
    // The page asked before signing in, when it is one of ours: both ways return to it.
    let next = query
        .read_untracked()
        .get("next")
        .filter(|n| crate::logic::redirect::local_path(n).is_some());
    let oauth_href = match &next {
        Some(n) => format!("/login/oauth?next={}", crate::urls::segment(n)),
        None => "/login/oauth".to_owned(),
    };
    let ways = Resource::new(|| (), |_| sign_in_ways());
    let oauth = move || {
        let href = oauth_href.clone();
        Suspend::new(async move {
            ways.await.ok().filter(|w| w.clever_cloud).map(move |_| {
                view! {
                    <div class="oauth-sign-in">
                        // rel="external": a full navigation to the server, not a route.
                        <a class="button oauth-button" href=href rel="external nofollow">
                            "Sign in with Clever Cloud"
                        </a>
                        <p class="muted">"Or paste an API token:"</p>
                    </div>
                }
            })
        })
    };
    view! {
        <Title text="Sign in" />
        <main class="login" data-hydrated="false">
            <h1>"☁ Clever dashboard"</h1>
            <p>"Your Clever Cloud credentials are kept on this server only, never in your browser."</p>
            {message}
            <Suspense fallback=|| ()>{oauth}</Suspense>
            <form method="post" action="/login" class="login-form">
                {next.map(|n| view! { <input type="hidden" name="next" value=n /> })}
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
