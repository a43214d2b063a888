//! The forms of deployment control (restart, rebuild without cache, stop, redeploy a commit,
//! cancel a deployment): plain HTML forms posting to `app_control`, each saying in words what
//! it will do and asking to confirm it (a box to tick; for Stop, the application's name to
//! type). They work without JavaScript; with it, the button says what is happening while the
//! post runs (`SubmitOnce`).

use crate::api::control::{AppControl, ControlDone};
use crate::components::error_view::ActionError;
use crate::components::notice::Outcome;
use crate::error::AppError;
use crate::logic::control::Control;
use leptos::prelude::*;

fn hidden(name: &'static str, value: String) -> impl IntoView {
    view! { <input type="hidden" name=name value=value /> }
}

/// What one action needs.
#[derive(Clone, Debug, Default)]
pub struct Target {
    pub owner: String,
    pub app: String,
    /// The application's name (Stop asks to type it).
    pub name: String,
    /// The commit concerned (Redeploy).
    pub commit: Option<String>,
    /// The deployment concerned (Cancel).
    pub deployment: Option<String>,
}

/// The form of `action` on `target`.
#[component]
pub fn ControlForm(
    action: Control,
    target: Target,
    act: ServerAction<AppControl>,
    /// A small form (in a table row): the confirmation sits beside the button.
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let busy = match action {
        Control::Restart => "Restarting…",
        Control::Rebuild => "Rebuilding…",
        Control::Stop => "Stopping…",
        Control::Redeploy => "Redeploying…",
        Control::Cancel => "Cancelling…",
    };
    let class = match action {
        Control::Stop | Control::Cancel => "danger",
        _ => "secondary",
    };
    let short = target.commit.as_deref().map(crate::logic::control::short);
    let consequence = action.consequence(&target.name, short);
    let confirm = match action {
        Control::Stop => view! {
            <p class="consequence">{consequence}</p>
            <label class="confirm-name">
                <span>"Type " <strong>{target.name.clone()}</strong> " to confirm:"</span>
                <input type="text" name="confirm" required autocomplete="off" spellcheck="false" />
            </label>
        }
        .into_any(),
        _ => view! {
            <label class="check confirm">
                <input type="checkbox" name="confirmed" value="yes" required />
                {if compact { action.button().to_owned() + ": " } else { String::new() }}
                {consequence}
            </label>
        }
        .into_any(),
    };
    let form_class = if compact {
        "control compact"
    } else {
        "control"
    };
    view! {
        <ActionForm action=act attr:class=form_class>
            {hidden("owner", target.owner.clone())}
            {hidden("app", target.app.clone())}
            {hidden("action", action.as_str().to_owned())}
            {target.commit.clone().map(|c| hidden("commit", c))}
            {target.deployment.clone().map(|d| hidden("deployment", d))}
            {confirm}
            <button type="submit" class=class data-busy=busy>{action.button()}</button>
        </ActionForm>
    }
}

/// What the last action answered, where the person looks (after the redirect).
pub fn outcome(value: Option<Result<ControlDone, AppError>>) -> Option<AnyView> {
    value.map(|r| match r {
        Ok(done) => view! { <Outcome>{done.message}</Outcome> }.into_any(),
        Err(e) => view! { <ActionError error=e /> }.into_any(),
    })
}

/// Where the actions are refused for this person: the sentence saying why.
#[component]
pub fn ActionsOff(why: String) -> impl IntoView {
    view! { <p class="muted actions-off">{why}</p> }
}

/// Its children (a page's action forms) when this person may run actions; else the sentence
/// saying why not (`DASHBOARD_READ_ONLY`, `DASHBOARD_ACTIONS_ALLOWED_USERS`). The server refuses
/// them anyway: this only keeps forms that cannot work off the page.
#[component]
pub fn ActGate(children: ChildrenFn) -> impl IntoView {
    let may = Resource::new(|| (), |_| crate::api::control::may_act());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match may.await {
                        Ok(Err(why)) => view! { <ActionsOff why /> }.into_any(),
                        // Allowed, or unknown (an expired session): the action itself says.
                        _ => children().into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
