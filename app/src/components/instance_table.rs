//! The instances table (the instances page, and wherever instances are listed).

use crate::components::badge::{Badge, instance_tone};
use crate::components::timeline::short_time;
use crate::logic::apps::duration;
use crate::logic::short_id;
use crate::model::Timestamp;
use crate::model::instances::Instance;
use crate::urls;
use leptos::prelude::*;

/// Instances, one row each.
#[component]
pub fn InstanceTable(
    owner: String,
    app: String,
    list: Vec<Instance>,
    now: Timestamp,
) -> impl IntoView {
    let rows = list
        .into_iter()
        .map(|i| {
            let address = match (&i.network.ip, i.network.port) {
                (Some(ip), Some(port)) => format!("{ip}:{port}"),
                (Some(ip), None) => ip.clone(),
                _ => "—".to_owned(),
            };
            let lifetime = match (i.creation_date, i.deletion_date) {
                (Some(c), Some(d)) => duration((d - c).whole_seconds()),
                (Some(c), None) => format!("{} so far", duration((now - c).whole_seconds())),
                _ => "—".to_owned(),
            };
            let deployment = (!i.deployment_id.is_empty()).then(|| {
                let href = format!(
                    "{}/{}",
                    urls::app(&owner, &app, "/deployments"),
                    urls::segment(&i.deployment_id)
                );
                let short = short_id(&i.deployment_id);
                view! { <a href=href title=i.deployment_id.clone()><code>{short}</code></a> }
            });
            view! {
                <tr data-state=i.state.to_string()>
                    <td><Badge tone=instance_tone(&i.state) label=i.state.label() raw=i.state.to_string() /></td>
                    <td>{i.flavor.clone()}</td>
                    <td class="num">{i.index.map(|n| n.to_string()).unwrap_or_else(|| "—".into())}</td>
                    <td>{i.name.clone()}</td>
                    <td><code>{address}</code></td>
                    <td>{if i.is_build_vm { "Yes" } else { "No" }}</td>
                    <td class="nowrap">{i.creation_date.map(short_time).unwrap_or_else(|| "—".into())}</td>
                    <td class="nowrap">{i.deletion_date.map(short_time).unwrap_or_else(|| "—".into())}</td>
                    <td class="num nowrap">{lifetime}</td>
                    <td>{deployment}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" role="region" tabindex="0" aria-label="Instances"><table class="data instances">
            <thead>
                <tr>
                    <th>"State"</th><th>"Flavor"</th><th class="num">"Index"</th><th>"Name"</th><th>"Address"</th>
                    <th>"Build VM"</th><th>"Created (UTC)"</th><th>"Deleted (UTC)"</th><th class="num">"Lifetime"</th><th>"Deployment"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
}
