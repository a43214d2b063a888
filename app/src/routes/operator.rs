//! `/orgs/{ownerId}/operators/{kind}/{id}`: an operator's panel (Keycloak, Matomo, Metabase,
//! Otoroshi): the fields the reference lists for the kind, links, secrets revealed on demand,
//! linked resources, and the actions, each behind a confirmation.

use crate::api::operators::{OperatorAction, OperatorPanel, load_operator, reveal_operator_secret};
use crate::components::badge::{Badge, Tone};
use crate::components::control::ActGate;
use crate::components::copy_button::CopyButton;
use crate::components::error_view::{ActionError, ErrorView};
use crate::components::layout::ShellResource;
use crate::components::notice::Outcome;
use crate::hooks::use_server_action;
use crate::logic::operators::{resources, visible, web_link};
use crate::logic::short_id;
use crate::model::navigation::Owner;
use crate::urls;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The operator page.
#[component]
pub fn OperatorPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let ids = Memo::new(move |_| {
        let p = params.read();
        (
            p.get("owner_id").unwrap_or_default(),
            p.get("kind").unwrap_or_default(),
            p.get("id").unwrap_or_default(),
        )
    });
    let act = use_server_action::<OperatorAction>();
    let panel = Resource::new(
        move || (ids.get(), act.version().get()),
        |((owner, kind, id), _)| load_operator(owner, kind, id),
    );
    let reveal = Memo::new(move |_| query.read().get("reveal"));
    let secret = Resource::new(
        move || (ids.get(), reveal.get()),
        |((owner, kind, id), which)| async move {
            match which {
                Some(w) => reveal_operator_secret(owner, kind, id, w.clone())
                    .await
                    .map(|s| Some((w, s))),
                None => Ok(None),
            }
        },
    );
    let message = move || {
        act.value().get().map(|r| match r {
            Ok(m) => view! { <Outcome>{m}</Outcome> }.into_any(),
            Err(e) => view! { <ActionError error=e /> }.into_any(),
        })
    };
    view! {
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading the add-on…"</p> }>
            {move || Suspend::new(async move {
                let (owner, kind, id) = ids.get_untracked();
                let revealed = secret.await.ok().flatten();
                let known = navigation_owner(&owner).await;
                match panel.await {
                    Ok(p) => view! { <Panel owner kind id p act revealed known /> }.into_any(),
                    Err(e) => view! { <h1>"Add-on"</h1> <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
        {message}
    }
}

/// The owner as the navigation data the frame loaded knows it (for names instead of ids).
async fn navigation_owner(owner: &str) -> Option<Owner> {
    let shell = use_context::<ShellResource>()?;
    let data = shell.await.ok()?;
    data.owner(owner).cloned()
}

fn hidden(name: &'static str, value: String) -> impl IntoView {
    view! { <input type="hidden" name=name value=value /> }
}

/// A masked secret with a reveal link, or the revealed value with copy and hide.
fn secret_view(
    base: &str,
    which: &'static str,
    masked: String,
    revealed: &Option<(String, String)>,
) -> AnyView {
    match revealed.as_ref().filter(|(w, _)| w == which) {
        Some((_, value)) => view! {
            <code class="secret revealed">{value.clone()}</code> " "
            <CopyButton value=value.clone() label=format!("{which} secret") /> " "
            <a href=base.to_owned()>"Hide"</a>
        }
        .into_any(),
        None => view! {
            <code class="secret">{masked}</code> " "
            <a href=format!("{base}?reveal={which}") rel="nofollow">"Reveal"</a>
        }
        .into_any(),
    }
}

#[component]
fn Panel(
    owner: String,
    kind: String,
    id: String,
    p: OperatorPanel,
    act: ServerAction<OperatorAction>,
    revealed: Option<(String, String)>,
    /// The owner in the navigation data (its applications' and add-ons' names).
    known: Option<Owner>,
) -> impl IntoView {
    let op = p.operator;
    let show = visible(p.kind);
    let base = format!(
        "/orgs/{}/operators/{}/{}",
        urls::segment(&owner),
        kind,
        urls::segment(&id)
    );
    let entry = op.resources.get("entrypoint").cloned();
    let logs = entry.as_ref().map(|app| {
        view! { <a href=urls::app(&owner, app, "/logs") class="button secondary">"View logs"</a> }
    });
    let open = op.access_url.as_deref().and_then(web_link).map(|u| view! { <a class="button" href=u.clone() rel="noopener noreferrer" target="_blank">"Open " {p.kind.label()}</a> });
    let mut fields: Vec<(&'static str, String)> = vec![
        ("Plan", op.plan.to_string()),
        ("Version", op.version.clone()),
    ];
    if show.java_version {
        fields.push((
            "Java version",
            op.java_version.clone().unwrap_or_else(|| "—".into()),
        ));
    }
    if show.php_version {
        fields.push((
            "PHP version",
            op.php_version.clone().unwrap_or_else(|| "—".into()),
        ));
    }
    fields.push((
        "Access URL",
        op.access_url.clone().unwrap_or_else(|| "—".into()),
    ));
    let fields = fields
        .into_iter()
        .map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> })
        .collect_view();
    // Long ids: shortened, whole in the tooltip, and a copy button.
    let ids = [("Add-on id", op.addon_id.clone()), ("Real id", op.resource_id.clone())]
        .into_iter()
        .map(|(k, v)| {
            view! {
                <dt>{k}</dt>
                <dd><code title=v.clone()>{short_id(&v)}</code> " " <CopyButton value=v.clone() label=format!("{k} {v}") /></dd>
            }
        })
        .collect_view();
    let credentials = (show.initial_credentials)
        .then(|| op.initial_credentials.clone())
        .flatten()
        .map(|c| {
            view! {
                <section>
                    <h2>"Initial credentials"</h2>
                    <dl class="fields">
                        <dt>"User"</dt><dd><code>{c.user.clone()}</code> " " <CopyButton value=c.user.clone() label="user" /></dd>
                        <dt>"Password"</dt><dd>{secret_view(&base, "credentials", c.password.clone(), &revealed)}</dd>
                    </dl>
                </section>
            }
        });
    let api = (show.api).then(|| op.api.clone()).flatten().map(|a| {
        let link = |label: &'static str, u: Option<String>| u.as_deref().and_then(web_link).map(|u| view! { <a href=u.clone() rel="noopener noreferrer" target="_blank">{label}</a> " " });
        view! {
            <section>
                <h2>"Admin API"</h2>
                <dl class="fields">
                    <dt>"URL"</dt><dd><code>{a.url.clone().unwrap_or_default()}</code></dd>
                    <dt>"User"</dt><dd><code>{a.user.clone().unwrap_or_default()}</code></dd>
                    <dt>"Secret"</dt><dd>{secret_view(&base, "api", a.secret.clone().unwrap_or_default(), &revealed)}</dd>
                </dl>
                <p class="links">{link("API", a.url.clone())}{link("OpenAPI", a.openapi.clone())}{link("Swagger", a.swagger_url.clone())}</p>
            </section>
        }
    });
    let linked = resources(&op)
        .into_iter()
        .map(|(label, rid)| {
            // Its name where the navigation knows it; the id stays in a tooltip.
            let name = known.as_ref().and_then(|o| o.resource_name(&rid));
            let target = if rid.starts_with("app_") {
                let (page, logs) = (
                    urls::app(&owner, &rid, ""),
                    urls::app(&owner, &rid, "/logs"),
                );
                let shown = name.unwrap_or_else(|| short_id(&rid));
                view! { <a href=page title=rid.clone()>{shown}</a> " · " <a href=logs>"logs"</a> }
                    .into_any()
            } else {
                match name {
                    Some(n) => view! { <span title=rid.clone()>{n}</span> }.into_any(),
                    None => view! { <code>{rid.clone()}</code> }.into_any(),
                }
            };
            view! { <li><strong>{label}</strong> ": " {target}</li> }
        })
        .collect_view();
    let form = {
        let (o, k, i) = (owner.clone(), kind.clone(), id.clone());
        move |action: &'static str, label: &'static str, class: &'static str| {
            let (o, k, i) = (o.clone(), k.clone(), i.clone());
            view! {
                <ActionForm action=act attr:class="inline">
                    {hidden("owner", o)}{hidden("kind", k)}{hidden("id", i)}{hidden("action", action.to_owned())}
                    <button type="submit" class=class disabled=move || act.pending().get()>
                        {move || if act.pending().get() { "Working…" } else { label }}
                    </button>
                </ActionForm>
            }
        }
    };
    let version = p.version.map(|v| match v {
        Ok(v) => {
            let (o, k, i) = (owner.clone(), kind.clone(), id.clone());
            let (available, latest) = (op.available_versions.clone(), v.latest.clone());
            let options = move || {
                available
                    .iter()
                    .map(|a| {
                        let selected = *a == latest;
                        view! { <option value=a.clone() selected=selected>{a.clone()}</option> }
                    })
                    .collect_view()
            };
            let update_form = move || {
                let (o, k, i, options) = (o.clone(), k.clone(), i.clone(), options.clone());
                view! {
                    <details class="confirm">
                        <summary>"Update…"</summary>
                        <ActionForm action=act attr:class="inline">
                            {hidden("owner", o.clone())}{hidden("kind", k.clone())}{hidden("id", i.clone())}{hidden("action", "update".to_owned())}
                            <label>"Version " <select name="version">{options()}</select></label>
                            " "
                            <button type="submit" class="danger" disabled=move || act.pending().get()>"Update and rebuild"</button>
                        </ActionForm>
                    </details>
                }
            };
            let badge = v.need_update.then(|| view! { <Badge tone=Tone::Queued label="Update available" /> });
            view! {
                <section>
                    <h2>"Version"</h2>
                    <p>"Installed " <strong class="installed">{v.installed.clone()}</strong> ", latest " <strong>{v.latest.clone()}</strong> " " {badge}</p>
                    <ActGate>{update_form()}</ActGate>
                </section>
            }
            .into_any()
        }
        Err(e) => view! { <section><h2>"Version"</h2><ErrorView error=e /></section> }.into_any(),
    });
    let network = show.network_group.then(|| {
        let on = op.network_group().map(|n| n.id.clone());
        let state = match &on {
            Some(id) => {
                view! { <Badge tone=Tone::Succeeded label="On" /> " " <code>{id.clone()}</code> }
                    .into_any()
            }
            None => view! { <Badge tone=Tone::Cancelled label="Off" /> }.into_any(),
        };
        let joined = on.is_some();
        let form = form.clone();
        let toggle = move || {
            if joined {
                view! {
                    <details class="confirm">
                        <summary>"Turn off…"</summary>
                        <p>"Leave the network group? Private traffic to this add-on stops."</p>
                        {form("network_off", "Turn the network group off", "danger")}
                    </details>
                }
                .into_any()
            } else {
                view! {
                    <details class="confirm">
                        <summary>"Turn on…"</summary>
                        <p>"Join a network group? The add-on gets a private network address."</p>
                        {form("network_on", "Turn the network group on", "danger")}
                    </details>
                }
                .into_any()
            }
        };
        view! {
            <section>
                <h2>"Network group"</h2>
                <p class="network-group" data-on=on.is_some().to_string()>{state}</p>
                <ActGate>{toggle()}</ActGate>
            </section>
        }
    });
    let config = (p.kind == crate::model::operators::OperatorKind::Otoroshi).then(|| {
        let href = format!("/download/orgs/{}/operators/otoroshi/{}/config.yaml", urls::segment(&owner), urls::segment(&id));
        view! { <a class="button secondary" href=href rel="external" download>"Download config.yaml"</a> }
    });
    view! {
        <h1>{p.kind.label()} " · " <span class="app-name">{op.name.clone()}</span></h1>
        <p class="links">{open} " " {logs} " " {config}</p>
        <crate::components::heading::AddonLinks owner=owner.clone() addon=id.clone() />
        <dl class="fields">{fields}{ids}</dl>
        {credentials}
        {api}
        <section>
            <h2>"Linked resources"</h2>
            <ul class="plain">{linked}</ul>
        </section>
        {version}
        {network}
        <section>
            <h2>"Restart"</h2>
            <ActGate>
            <div class="drain-actions">
                <details class="confirm">
                    <summary>"Reboot…"</summary>
                    <p>"Restart the add-on's application now? It is briefly unavailable."</p>
                    {form("reboot", "Reboot", "danger")}
                </details>
                <details class="confirm">
                    <summary>"Rebuild…"</summary>
                    <p>"Rebuild and restart? This takes a few minutes."</p>
                    {form("rebuild", "Rebuild and restart", "danger")}
                </details>
            </div>
            </ActGate>
        </section>
    }
}
