//! `/orgs/{ownerId}/apps/{appId}`: the actions (restart, rebuild without cache, stop, cancel
//! the deployment in progress), DNS of the default load balancer, the latest deployment,
//! instances by state and flavor, and links onward. Its upstream calls run concurrently.

use crate::api::apps::{AppOverview, load_app_overview};
use crate::api::control::AppControl;
use crate::components::badge::Badge;
use crate::components::badge::deployment_tone;
use crate::components::control::{ActionsOff, ControlForm, Target, outcome};
use crate::components::copy_button::CopyButton;
use crate::components::error_view::ErrorView;
use crate::components::heading::AppHeading;
use crate::hooks::route_ids::{check_app_ids, use_app_ids};
use crate::hooks::use_server_action;
use crate::logic::apps::{age, count_by, duration};
use crate::logic::control::Control;
use crate::logic::short_id;
use crate::model::deployments::Deployment;
use crate::model::load_balancers::LoadBalancer;
use crate::urls;
use leptos::prelude::*;

/// The overview page.
#[component]
pub fn AppPage() -> impl IntoView {
    let ids = use_app_ids();
    let act = use_server_action::<AppControl>();
    let overview = Resource::new(
        move || ids.get(),
        |(owner, app)| async move {
            check_app_ids(&owner, &app)?;
            load_app_overview(owner, app).await
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading application…"</p> }>
            {move || Suspend::new(async move {
                let (owner, app) = ids.get_untracked();
                match overview.await {
                    Ok(o) => view! { <Overview owner app o act /> }.into_any(),
                    Err(e) => view! { <h1>"Application"</h1> <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Overview(
    owner: String,
    app: String,
    o: AppOverview,
    act: ServerAction<AppControl>,
) -> impl IntoView {
    let now = o.fetched_at;
    let in_progress = match &o.latest {
        Ok(Some(d)) if !d.state.is_final() => Some(d.id.clone()),
        _ => None,
    };
    let actions = view! {
        <Actions
            target=Target {
                owner: owner.clone(),
                app: app.clone(),
                name: o.name.clone().unwrap_or_else(|| app.clone()),
                commit: None,
                deployment: in_progress,
            }
            may_act=o.may_act.clone()
            stopped=o.should_be_down
            act
        />
    };
    let dns = match o.load_balancers {
        Ok(lbs) if lbs.is_empty() => {
            view! { <p class="empty">"No load balancer for this application."</p> }.into_any()
        }
        Ok(lbs) => view! { <Dns lbs /> }.into_any(),
        Err(e) => view! { <ErrorView error=e /> }.into_any(),
    };
    let latest = match o.latest {
        Ok(Some(d)) => view! { <Latest owner=owner.clone() app=app.clone() d now /> }.into_any(),
        Ok(None) => {
            view! { <p class="empty">"This application was never deployed."</p> }.into_any()
        }
        Err(e) => view! { <ErrorView error=e /> }.into_any(),
    };
    let instances = match o.instances {
        Ok(list) if list.is_empty() => {
            view! { <p class="empty">"No instance is running."</p> }.into_any()
        }
        Ok(list) => {
            let table = |title: &'static str, rows: Vec<(String, usize)>| {
                let rows = rows
                    .into_iter()
                    .map(|(k, n)| view! { <tr><th scope="row">{k}</th><td class="num">{n}</td></tr> })
                    .collect_view();
                view! {
                    <div class="table-scroll" role="region" tabindex="0" aria-label=format!("Instances by {}", title.to_lowercase())><table class="data counts">
                        <thead><tr><th>{title}</th><th class="num">"Instances"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table></div>
                }
            };
            let states = count_by(&list, |i| i.state.label());
            let flavors = count_by(&list, |i| {
                if i.is_build_vm {
                    format!("{} (build)", i.flavor)
                } else {
                    i.flavor.clone()
                }
            });
            view! {
                <div class="counts-grid">
                    {table("State", states)}
                    {table("Flavor", flavors)}
                </div>
            }
            .into_any()
        }
        Err(e) => view! { <ErrorView error=e /> }.into_any(),
    };
    view! {
        <AppHeading owner=owner.clone() app=app.clone() page="" />
        {move || outcome(act.value().get())}
        {actions}
        <section>
            <h2>"Domain names"</h2>
            {dns}
        </section>
        <section>
            <h2>"Latest deployment"</h2>
            {latest}
        </section>
        <section>
            <h2>"Instances (not deleted)"</h2>
            {instances}
        </section>
    }
}

/// Restart, rebuild without cache, stop, and cancel the deployment in progress.
#[component]
fn Actions(
    target: Target,
    may_act: Result<(), String>,
    stopped: bool,
    act: ServerAction<AppControl>,
) -> impl IntoView {
    let body = match may_act {
        Err(why) => view! { <ActionsOff why /> }.into_any(),
        Ok(()) => {
            let cancel = target.deployment.clone().map(|_| {
                view! { <ControlForm action=Control::Cancel target=target.clone() act /> }
            });
            let (restart, stop) = if stopped {
                ("The application is stopped: Restart starts it again.", None)
            } else {
                (
                    "",
                    Some(view! { <ControlForm action=Control::Stop target=target.clone() act /> }),
                )
            };
            let plain = Target {
                deployment: None,
                ..target.clone()
            };
            view! {
                {(!restart.is_empty()).then(|| view! { <p class="muted">{restart}</p> })}
                {cancel}
                <div class="control-grid">
                    <ControlForm action=Control::Restart target=plain.clone() act />
                    <ControlForm action=Control::Rebuild target=plain.clone() act />
                    {stop}
                </div>
            }
            .into_any()
        }
    };
    view! {
        <section class="actions-panel" aria-labelledby="actions-title">
            <h2 id="actions-title">"Actions"</h2>
            {body}
        </section>
    }
}

#[component]
fn Dns(lbs: Vec<LoadBalancer>) -> impl IntoView {
    let cname = lbs.iter().find_map(|l| l.dns.cname.clone());
    let rows = lbs
        .into_iter()
        .map(|lb| {
            let cname = lb.dns.cname.clone().unwrap_or_default();
            let a = lb
                .dns
                .a
                .into_iter()
                .map(|ip| view! { <li><code>{ip.clone()}</code> " " <CopyButton value=ip.clone() label=format!("A record {ip}") /></li> })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{lb.name.clone()}</th>
                    <td><code class="cname">{cname.clone()}</code> " " <CopyButton value=cname.clone() label="CNAME" /></td>
                    <td><ul class="plain">{a}</ul></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" role="region" tabindex="0" aria-label="Domain names"><table class="data dns">
            <thead><tr><th>"Zone"</th><th>"CNAME"</th><th>"A records"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table></div>
        <p class="hint">
            "In your DNS zone: point a subdomain at the CNAME ("
            <code>{format!("www 3600 IN CNAME {}", cname.unwrap_or_default())}</code>
            "); for an apex domain, which cannot hold a CNAME, add each A record of the zone you deploy in."
        </p>
    }
}

#[component]
fn Latest(
    owner: String,
    app: String,
    d: Deployment,
    now: Option<crate::model::Timestamp>,
) -> impl IntoView {
    let href = format!(
        "{}/{}",
        urls::app(&owner, &app, "/deployments"),
        urls::segment(&d.id)
    );
    let started = match (d.start_date, now) {
        (Some(s), Some(n)) => age(s, n),
        _ => "—".to_owned(),
    };
    let took = match (d.start_date, d.end_date().or(now)) {
        (Some(s), Some(e)) => duration((e - s).whole_seconds()),
        _ => "—".to_owned(),
    };
    let running = !d.state.is_final();
    view! {
        <p class="latest">
            <Badge tone=deployment_tone(&d.state) label=d.state.label() raw=d.state.to_string() />
            " " <strong>{d.origin.action.to_string()}</strong> " started " {started}
            {if running { " · running for " } else { " · took " }} {took}
            " · " <a href=href title=d.id.clone()>{short_id(&d.id)}</a>
        </p>
        <p class="muted">
            {d.origin.cause.clone().unwrap_or_default()}
            {d.version.commit_id.clone().map(|c| format!(" · commit {}", c.chars().take(10).collect::<String>()))}
        </p>
    }
}
