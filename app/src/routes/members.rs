//! `/orgs/{ownerId}/members`: who is in the organisation, their role and whether they sign in
//! with a second factor; how many do not, first.

use crate::api::control::load_members;
use crate::components::badge::{Badge, Tone};
use crate::components::error_view::ErrorView;
use crate::model::members::Member;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The members page.
#[component]
pub fn MembersPage() -> impl IntoView {
    let params = use_params_map();
    let owner = move || params.read().get("owner_id").unwrap_or_default();
    let members = Resource::new(owner, |owner| async move {
        crate::ids::SegmentId::parse("owner id", &owner)?;
        load_members(owner).await
    });
    view! {
        <h1>"Members"</h1>
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading members…"</p> }>
            {move || Suspend::new(async move {
                match members.await {
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">"No members to show: a personal space has none, and this organisation lists nobody."</p>
                    }
                    .into_any(),
                    Ok(list) => view! { <MemberTable list /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MemberTable(list: Vec<Member>) -> impl IntoView {
    let without = list.iter().filter(|m| !m.has_two_factor()).count();
    let summary = if without == 0 {
        view! { <p class="notice success">{format!("All {} members sign in with two-factor authentication.", list.len())}</p> }.into_any()
    } else {
        view! {
            <p class="notice warning two-factor-count">
                <strong>{format!("{without} of {} members", list.len())}</strong>
                " sign in without two-factor authentication."
            </p>
        }
        .into_any()
    };
    let rows = list
        .into_iter()
        .map(|m| {
            let two = m.has_two_factor();
            let (tone, label) = if two {
                (Tone::Succeeded, "On")
            } else {
                (Tone::Failed, "Off")
            };
            let raw = m.member.preferred_mfa.clone().unwrap_or_else(|| "unknown".into());
            view! {
                <tr data-two-factor=if two { "on" } else { "off" }>
                    <th scope="row">{m.display_name().to_owned()}</th>
                    <td><Badge tone label=label.to_owned() raw /></td>
                    <td>{m.role.label()}</td>
                    <td><a href=format!("mailto:{}", m.member.email)>{m.member.email.clone()}</a></td>
                    <td>{m.job.clone().unwrap_or_default()}</td>
                    <td><code>{m.member.id.clone()}</code></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {summary}
        <div class="table-scroll" role="region" tabindex="0" aria-label="Members"><table class="data members">
            <thead><tr><th>"Name"</th><th>"Two-factor"</th><th>"Role"</th><th>"E-mail"</th><th>"Job"</th><th>"User id"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
}
