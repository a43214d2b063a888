//! `/orgs/{ownerId}/pulsar/{addonId}`: a Pulsar add-on's retention and offload policies, and
//! an editor with units, "no limit" and "not set" as explicit choices.

use crate::api::pulsar::{SavePulsar, load_pulsar};
use crate::components::control::ActGate;
use crate::components::error_view::{ActionError, ErrorView};
use crate::components::heading::AddonHeading;
use crate::components::notice::Outcome;
use crate::hooks::use_server_action;
use crate::logic::pulsar::{DURATION_UNITS, SIZE_UNITS, Shown, describe, show};
use crate::model::pulsar::StoragePolicies;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The Pulsar page.
#[component]
pub fn PulsarPage() -> impl IntoView {
    let params = use_params_map();
    let ids = Memo::new(move |_| {
        let p = params.read();
        (
            p.get("owner_id").unwrap_or_default(),
            p.get("addon_id").unwrap_or_default(),
        )
    });
    let save = use_server_action::<SavePulsar>();
    let policies = Resource::new(
        move || (ids.get(), save.version().get()),
        |((owner, id), _)| load_pulsar(owner, id),
    );
    let outcome = move || {
        save.value().get().map(|r| match r {
            Ok(r) if !r.errors.is_empty() => {
                let items = r
                    .errors
                    .into_iter()
                    .map(|e| view! { <li>{e}</li> })
                    .collect_view();
                view! {
                    <Outcome refused=true>
                        <p>"Nothing was saved:"</p>
                        <ul class="plain">{items}</ul>
                    </Outcome>
                }
                .into_any()
            }
            Ok(r) => match r.sent {
                Some(body) => {
                    let said = r.changed.join("; ");
                    view! {
                        <Outcome>
                            <p class="said">{format!("Saved. {said}.")}</p>
                            <details>
                                <summary>"What was sent"</summary>
                                <code class="sent">{body}</code>
                            </details>
                        </Outcome>
                    }
                    .into_any()
                }
                None => {
                    view! { <Outcome>"Nothing changed; nothing was sent."</Outcome> }.into_any()
                }
            },
            Err(e) => view! { <ActionError error=e /> }.into_any(),
        })
    };
    view! {
        <AddonHeading owner=ids.get_untracked().0 addon=ids.get_untracked().1 page="Storage policies" />
        {outcome}
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading policies…"</p> }>
            {move || Suspend::new(async move {
                let (owner, id) = ids.get_untracked();
                match policies.await {
                    Ok(p) => view! {
                        <Current p />
                        <ActGate><Editor owner=owner.clone() id=id.clone() p save /></ActGate>
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Current(p: StoragePolicies) -> impl IntoView {
    let r = p.retention_policies.unwrap_or_default();
    let o = p.offload_policies.unwrap_or_default();
    view! {
        <section>
            <h2>"Current policies"</h2>
            <div class="table-scroll" role="region" tabindex="0" aria-label="Storage policies"><table class="data policies">
                <thead><tr><th>"Policy"</th><th>"Size"</th><th>"Time"</th></tr></thead>
                <tbody>
                    <tr data-policy="retention">
                        <th scope="row">"Retention"</th>
                        <td>{describe(r.size_in_bytes, &SIZE_UNITS, "not set (infinite retention)")}</td>
                        <td>{describe(r.duration_in_minutes, &DURATION_UNITS, "not set (infinite retention)")}</td>
                    </tr>
                    <tr data-policy="offload">
                        <th scope="row">"Offload"</th>
                        <td>{describe(o.size_in_bytes, &SIZE_UNITS, "not set (offload disabled)")}</td>
                        <td>{describe(o.duration_in_minutes, &DURATION_UNITS, "not set (offload disabled)")}</td>
                    </tr>
                </tbody>
            </table></div>
        </section>
    }
}

/// One editable value: not set / no limit / an amount with its unit, as `s` shows it; its
/// message beside it when it was refused (`error`), and the focus when it is the first.
fn field(
    prefix: &'static str,
    label: &'static str,
    s: Shown,
    units: &'static [(&'static str, i64)],
    error: Option<String>,
    focus: bool,
) -> impl IntoView {
    let mode = |m: &'static str, text: &'static str| {
        let checked = s.mode == m;
        view! { <label class="check"><input type="radio" name=format!("{prefix}_mode") value=m checked=checked />{text}</label> }
    };
    let modes = (
        mode("unset", "Not set"),
        mode("unlimited", "No limit"),
        mode("value", "Value:"),
    );
    let error_id = format!("{prefix}-error");
    let invalid = error.is_some();
    let message = error.map(|m| view! { <span class="field-error" id=error_id.clone()>{m}</span> });
    let options = units
        .iter()
        .map(|(u, _)| view! { <option value=*u selected=s.unit == *u>{*u}</option> })
        .collect_view();
    let amount = s.amount.clone();
    view! {
        <ValueOnInput>
        <fieldset class="policy-field" data-field=prefix>
            <legend>{label}</legend>
            {modes}
            <input
                type="number"
                min="0"
                step="any"
                name=format!("{prefix}_amount")
                value=amount
                aria-label=format!("{label} amount")
                aria-invalid=invalid.then_some("true")
                aria-describedby=invalid.then_some(error_id)
                autofocus=focus
            />
            <select name=format!("{prefix}_unit") aria-label=format!("{label} unit")>{options}</select>
            {message}
        </fieldset>
        </ValueOnInput>
    }
}

/// Once hydrated, typing an amount or choosing a unit selects "Value:" in the same field
/// (without JavaScript the choice is made by hand, as before). The field stays server HTML.
#[island]
fn ValueOnInput(children: Children) -> impl IntoView {
    let chose = move |ev: &web_sys::Event| {
        #[cfg(feature = "hydrate")]
        {
            use crate::components::dom;
            use wasm_bindgen::JsCast;
            // An amount or a unit, not the radios themselves.
            let radio = dom::target(ev)
                .filter(|t| {
                    t.tag_name() != "INPUT" || t.get_attribute("type").as_deref() == Some("number")
                })
                .and_then(|_| dom::closest(ev, "fieldset"))
                .and_then(|f| {
                    f.query_selector("input[type=radio][value=value]")
                        .ok()
                        .flatten()
                })
                .and_then(|r| r.dyn_into::<web_sys::HtmlInputElement>().ok());
            if let Some(r) = radio {
                r.set_checked(true);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <div class="policy-live" on:input=move |ev| chose(&ev) on:change=move |ev| chose(&ev)>
            {children()}
        </div>
    }
}

#[component]
fn Editor(
    owner: String,
    id: String,
    p: StoragePolicies,
    save: ServerAction<SavePulsar>,
) -> impl IntoView {
    let r = p.retention_policies.unwrap_or_default();
    let o = p.offload_policies.unwrap_or_default();
    // Server-rendered only: after a refusal, the form as sent, each message beside its
    // field (messages begin with the field's label) and the first such field focused.
    let refused = save
        .value()
        .get_untracked()
        .and_then(Result::ok)
        .filter(|r| !r.errors.is_empty());
    let errors = refused
        .as_ref()
        .map(|r| r.errors.clone())
        .unwrap_or_default();
    let kept = refused.and_then(|r| r.kept);
    let first = errors.first().cloned().unwrap_or_default();
    let shown = |sent: Option<&(String, String, String)>,
                 stored: Option<i64>,
                 units: &[(&str, i64)]| match sent {
        Some((mode, amount, unit)) => Shown {
            mode: mode.clone(),
            amount: amount.clone(),
            unit: unit.clone(),
        },
        None => show(stored, units),
    };
    let one = |prefix: &'static str,
               label: &'static str,
               sent: Option<&(String, String, String)>,
               stored: Option<i64>,
               units: &'static [(&'static str, i64)]| {
        let error = errors.iter().find(|e| e.starts_with(label)).cloned();
        let focus = first.starts_with(label);
        field(
            prefix,
            label,
            shown(sent, stored, units),
            units,
            error,
            focus,
        )
    };
    let fields = (
        one(
            "retention_size",
            "Retention size",
            kept.as_ref().map(|k| &k.retention_size),
            r.size_in_bytes,
            &SIZE_UNITS,
        ),
        one(
            "retention_duration",
            "Retention time",
            kept.as_ref().map(|k| &k.retention_duration),
            r.duration_in_minutes,
            &DURATION_UNITS,
        ),
        one(
            "offload_size",
            "Offload size",
            kept.as_ref().map(|k| &k.offload_size),
            o.size_in_bytes,
            &SIZE_UNITS,
        ),
        one(
            "offload_duration",
            "Offload time",
            kept.as_ref().map(|k| &k.offload_duration),
            o.duration_in_minutes,
            &DURATION_UNITS,
        ),
    );
    view! {
        <section>
            <h2>"Edit"</h2>
            <p class="hint">"Not set: retention keeps everything, and offload is off. No limit: the policy is on, with no ceiling."</p>
            <ActionForm action=save attr:class="filters pulsar-form" attr:aria-label="Edit policies">
                <input type="hidden" name="owner" value=owner />
                <input type="hidden" name="id" value=id />
                {fields}
                <div class="actions">
                    <button type="submit" disabled=move || save.pending().get()>
                        {move || if save.pending().get() { "Saving…" } else { "Save" }}
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}
