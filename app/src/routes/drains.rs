//! `/orgs/{ownerId}/resources/{resourceId}/drains`: the log drains of an application or an
//! add-on, their health, a create form that follows the recipient type, and every action.
//!
//! (Over 400 lines: the list and the create form are one page whose actions answer into
//! each other; the rules behind them are in `logic::drains`.)

use crate::api::drains::{CreateDrain, DrainAction, DrainFilter, drain_test_command, list_drains};
use crate::components::auto_refresh::{AutoRefresh, RefreshWhen};
use crate::components::badge::{Badge, drain_tone, execution_tone};
use crate::components::control::ActGate;
use crate::components::copy_button::CopyButton;
use crate::components::error_view::{ActionError, ErrorView};
use crate::components::heading::{AddonHeading, AppHeading};
use crate::components::notice::Outcome;
use crate::components::timeline::short_time;
use crate::error::AppError;
use crate::hooks::use_server_action;
use crate::hooks::use_url_filter;
use crate::ids::SegmentId;
use crate::logic::ago;
use crate::logic::drains::{fields_of, rate, throughput};
use crate::model::drains::{Drain, DrainStatus, ExecutionStatus, RecipientType};
use crate::model::labels::human;
use crate::urls;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The drains page.
#[component]
pub fn DrainsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let ids = Memo::new(move |_| {
        let p = params.read();
        (
            p.get("owner_id").unwrap_or_default(),
            p.get("resource_id").unwrap_or_default(),
        )
    });
    let filter = use_url_filter::<DrainFilter>();
    let test = Memo::new(move |_| query.read().get("test"));
    let new_type = Memo::new(move |_| query.read().get("new"));
    let act = use_server_action::<DrainAction>();
    let create = use_server_action::<CreateDrain>();
    let drains = Resource::new(
        move || {
            (
                ids.get(),
                filter.get(),
                act.version().get(),
                create.version().get(),
            )
        },
        |((owner, resource), filter, ..)| async move {
            SegmentId::parse("owner id", &owner)?;
            SegmentId::parse("resource id", &resource)?;
            filter.upstream_query().map_err(AppError::BadRequest)?;
            list_drains(owner, resource, filter).await
        },
    );
    let (owner, resource) = ids.get_untracked();
    let is_app = resource.starts_with("app_");
    let heading = if is_app {
        view! { <AppHeading owner=owner.clone() app=resource.clone() page="Log drains" /> }
            .into_any()
    } else {
        view! { <AddonHeading owner=owner.clone() addon=resource.clone() page="Log drains" /> }
            .into_any()
    };
    let boxes = |name: &'static str,
                 values: Vec<&'static str>,
                 get: fn(&DrainFilter) -> &Vec<String>| {
        values
            .into_iter()
            .map(|v| {
                let checked = move || get(&filter.read()).iter().any(|x| x == v);
                view! { <label class="check" title=v><input type="checkbox" name=name value=v checked=checked />{human(v)}</label> }
            })
            .collect_view()
    };
    let status_values: Vec<&'static str> = DrainStatus::KNOWN
        .iter()
        .map(|s| match s {
            DrainStatus::Created => "CREATED",
            DrainStatus::Enabling => "ENABLING",
            DrainStatus::Enabled => "ENABLED",
            DrainStatus::Disabling => "DISABLING",
            DrainStatus::Disabled => "DISABLED",
            _ => "DELETED",
        })
        .collect();
    let message = move || {
        act.value().get().map(|r| match r {
            Ok(m) => view! { <Outcome>{m}</Outcome> }.into_any(),
            Err(e) => view! { <ActionError error=e /> }.into_any(),
        })
    };
    let (o2, r2) = (owner.clone(), resource.clone());
    let create_ids = (owner.clone(), resource.clone());
    view! {
        {heading}
        // The way to add one first: a long list must not push it out of reach.
        <ActGate><CreateForm owner=create_ids.0.clone() resource=create_ids.1.clone() new_type create /></ActGate>
        <h2>"Drains"</h2>
        <form method="get" class="filters" aria-label="Filter drains">
            <fieldset class="states"><legend>"Status"</legend>{boxes("status", status_values, |f| &f.status)}</fieldset>
            <fieldset class="states"><legend>"Execution"</legend>{boxes("executionStatus", vec!["RUNNING", "RETRYING", "NOT_RUNNING"], |f| &f.execution_status)}</fieldset>
            <div class="actions">
                <button type="submit">"Apply"</button>
                <a href=urls::drains(&owner, &resource)>"Reset"</a>
            </div>
        </form>
        {message}
        // Create, enable and disable settle upstream a moment later: look again until they have.
        <AutoRefresh region="drains-region".to_owned() every_ms=1000 when=RefreshWhen::Holds("[data-pending]".into()) />
        <div id="drains-region">
        <Transition fallback=|| view! { <p class="muted" role="status">"Loading drains…"</p> }>
            {move || {
                let (owner, resource) = (o2.clone(), r2.clone());
                Suspend::new(async move {
                    match drains.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">"No drain matches."</p> }.into_any(),
                        Ok(list) => list
                            .into_iter()
                            .map(|d| {
                                let shown = test.get_untracked().as_deref() == Some(d.id.as_str());
                                view! { <DrainCard owner=owner.clone() resource=resource.clone() d act test=shown /> }
                            })
                            .collect_view()
                            .into_any(),
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                    }
                })
            }}
        </Transition>
        </div>
    }
}

/// A hidden form field.
fn hidden(name: &'static str, value: String) -> impl IntoView {
    view! { <input type="hidden" name=name value=value /> }
}

#[component]
fn DrainCard(
    owner: String,
    resource: String,
    d: Drain,
    act: ServerAction<DrainAction>,
    test: bool,
) -> impl IntoView {
    let r = &d.recipient;
    // Only a drain that fails calls for attention; a disabled one is at rest (neutral).
    let attention =
        d.status.status != DrainStatus::Disabled && d.execution.status == ExecutionStatus::Retrying;
    let pending = d.status.status.is_pending();
    let e = &d.execution;
    // Rendered on the server: times are said from the moment of the page.
    let now = time::OffsetDateTime::now_utc();
    let mut rows: Vec<(String, String)> = vec![("URL".into(), r.url.clone())];
    for f in fields_of(&r.type_).into_iter().filter(|f| f.name != "url") {
        let v = match f.name {
            "index" => r.index.clone(),
            "username" => r.username.clone(),
            "password" => r.password.clone(),
            "api_key" => r.api_key.clone(),
            "token" => r.token.clone(),
            "structured_data" => r.rfc5424_structured_data_parameters.clone(),
            "source_token" => r.source_token.clone(),
            _ => None,
        };
        if let Some(v) = v {
            rows.push((f.label.into(), v));
        }
    }
    if let Some(t) = &r.tls_verification {
        rows.push(("TLS verification".into(), t.to_string()));
    }
    if let (Some(a), Some(m)) = (e.attempt, e.max_attempt) {
        rows.push(("Retry attempts".into(), format!("{a}/{m}")));
    }
    for (label, t) in [
        ("Retrying since (UTC)", e.retrying_since),
        ("Last attempt (UTC)", e.last_attempt_at),
        ("Next attempt (UTC)", e.next_attempt_at),
    ] {
        if let Some(t) = t {
            rows.push((label.into(), format!("{} ({})", short_time(t), ago(t, now))));
        }
    }
    if let Some(b) = &d.backlog {
        if let Some(n) = b.msg_backlog {
            rows.push(("Backlog".into(), format!("{n} pending messages")));
        }
        if let Some(x) = b.msg_rate_out {
            rows.push(("Rate".into(), rate(x)));
        }
        if let Some(x) = b.msg_throughput_out {
            rows.push(("Throughput".into(), throughput(x)));
        }
    }
    let fields = rows
        .into_iter()
        .map(|(k, v)| view! { <dt>{k}</dt><dd><code>{v}</code></dd> })
        .collect_view();
    let last_error = e
        .last_error
        .clone()
        .or_else(|| d.status.error_reason.clone())
        .map(|m| view! { <p class="notice error">"Last error: " {m}</p> });
    let enabled = matches!(
        d.status.status,
        DrainStatus::Enabled | DrainStatus::Enabling | DrainStatus::Created
    );
    let (fo, fr, fd) = (owner.clone(), resource.clone(), d.id.clone());
    let form = move |action: &'static str, label: &'static str, class: &'static str| {
        let (fo, fr, fd) = (fo.clone(), fr.clone(), fd.clone());
        view! {
            <ActionForm action=act attr:class="inline">
                {hidden("owner", fo.clone())}
                {hidden("resource", fr.clone())}
                {hidden("drain", fd.clone())}
                {hidden("action", action.to_owned())}
                <button type="submit" class=class disabled=move || act.pending().get()>{label}</button>
            </ActionForm>
        }
    };
    let toggle = {
        let form = form.clone();
        move || {
            if enabled {
                form("disable", "Disable", "secondary")
            } else {
                form("enable", "Enable", "secondary")
            }
        }
    };
    let test_href = format!(
        "{}?test={}",
        urls::drains(&owner, &resource),
        urls::segment(&d.id)
    );
    let test_view = test.then(|| view! { <TestCommand owner=owner.clone() resource=resource.clone() drain=d.id.clone() /> });
    view! {
        <article class="drain" class:attention=attention data-pending=pending.then_some("") data-drain=d.id.clone() data-status=d.status.status.to_string()>
            <header>
                <strong>{r.type_.to_string()}</strong>
                " " <span class="muted">{d.kind.to_string()}</span>
                " " <Badge tone=drain_tone(&d.status.status) label=if pending { format!("{}…", d.status.status.label()) } else { d.status.status.label() } raw=d.status.status.to_string() />
                " " <Badge tone=execution_tone(&e.status) label=e.status.label() raw=e.status.to_string() />
                " " <code class="muted">{d.id.clone()}</code>
            </header>
            {last_error}
            <dl class="fields">{fields}</dl>
            <div class="drain-actions">
                <a href=test_href>"Show test command"</a>
                <ActGate>
                    {toggle()}
                    <details class="confirm">
                        <summary>"Reset cursor…"</summary>
                        <p>"Forwarding restarts from the latest position: logs not yet sent are skipped."</p>
                        {form("reset", "Reset the cursor", "danger")}
                    </details>
                    <details class="confirm">
                        <summary>"Delete…"</summary>
                        <p>"Delete this drain? Logs stop being forwarded to it."</p>
                        {form("delete", "Delete the drain", "danger")}
                    </details>
                </ActGate>
            </div>
            {test_view}
        </article>
    }
}

#[component]
fn TestCommand(owner: String, resource: String, drain: String) -> impl IntoView {
    let cmd = Resource::new(
        || (),
        move |_| drain_test_command(owner.clone(), resource.clone(), drain.clone()),
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading the test command…"</p> }>
            {move || Suspend::new(async move {
                match cmd.await {
                    Ok(c) => view! {
                        <div class="test-command">
                            <p class="hint">"Run this to check the recipient is reachable (secrets are replaced by placeholders):"</p>
                            <pre><code>{c.clone()}</code></pre>
                            <CopyButton value=c label="test command" />
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CreateForm(
    owner: String,
    resource: String,
    new_type: Memo<Option<String>>,
    create: ServerAction<CreateDrain>,
) -> impl IntoView {
    let chooser_href = urls::drains(&owner, &resource);
    let types = RecipientType::KNOWN
        .iter()
        .map(|t| {
            let v = t.to_string();
            let sel = {
                let v = v.clone();
                move || new_type.get().as_deref() == Some(v.as_str())
            };
            view! { <option value=v.clone() selected=sel>{v.clone()}</option> }
        })
        .collect_view();
    // Server-rendered only: what the last try gave is read once.
    let last = create.value().get_untracked();
    let result = last.clone().and_then(Result::ok).unwrap_or_default();
    let errors = StoredValue::new(result.errors);
    let kept = StoredValue::new(result.kept);
    // Every message of a field, beside it.
    let error_of = move |name: &str| {
        let all: Vec<String> = errors.with_value(|e| {
            e.iter()
                .filter(|(k, _)| k == name)
                .map(|(_, m)| m.clone())
                .collect()
        });
        (!all.is_empty()).then(|| all.join(" "))
    };
    let kept_of = move |name: &str| {
        kept.with_value(|k| k.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    };
    // The first field in error takes the focus (and the summary links to each).
    let first_error = errors.with_value(|e| e.first().map(|(k, _)| k.clone()));
    let field_error = move |name: &'static str| {
        error_of(name)
            .map(|m| view! { <span class="field-error" id=format!("new-{name}-error")>{m}</span> })
    };
    let outcome = move || {
        last.clone().map(|r| match r {
            Ok(r) => match r.created {
                Some(d) => view! {
                    <Outcome>{format!("Drain {} created; it is being enabled.", d.id)}</Outcome>
                }
                .into_any(),
                None => {
                    let t = RecipientType::from_wire(&new_type.get_untracked().unwrap_or_default());
                    let label = |name: &str| {
                        fields_of(&t)
                            .into_iter()
                            .find(|f| f.name == name)
                            .map_or(name.to_owned(), |f| f.label.to_owned())
                    };
                    let items = r
                        .errors
                        .iter()
                        .map(|(k, m)| view! { <li><a href=format!("#new-{k}")>{label(k)}</a> ": " {m.clone()}</li> })
                        .collect_view();
                    view! {
                        <Outcome refused=true>
                            <p>"The drain was not created. Correct the fields marked below (secrets are not kept: type them again):"</p>
                            <ul>{items}</ul>
                        </Outcome>
                    }
                    .into_any()
                }
            },
            Err(e) => view! { <ActionError error=e /> }.into_any(),
        })
    };
    let body = move || {
        let t = RecipientType::from_wire(&new_type.get().unwrap_or_default());
        if matches!(t, RecipientType::Unknown(_)) {
            return None;
        }
        let inputs = fields_of(&t)
            .into_iter()
            .map(|f| {
                let kind = if f.secret { "password" } else { "text" };
                let err = error_of(f.name).is_some();
                let value = if f.secret { None } else { kept_of(f.name) };
                view! {
                    <label>
                        {f.label}{if f.required { " (required)" } else { "" }}
                        <input
                            type=kind
                            id=format!("new-{}", f.name)
                            name=f.name
                            placeholder=f.hint
                            autocomplete="off"
                            value=value
                            aria-invalid=err.then_some("true")
                            aria-describedby=err.then(|| format!("new-{}-error", f.name))
                            autofocus=first_error.as_deref() == Some(f.name)
                        />
                        {field_error(f.name)}
                    </label>
                }
            })
            .collect_view();
        let tls = (t == RecipientType::Elasticsearch).then(|| {
            view! {
                <label>"TLS verification"
                    <select name="tls_verification">
                        <option value="DEFAULT">"DEFAULT: verify the certificate"</option>
                        <option value="TRUSTFUL">"TRUSTFUL: accept any certificate"</option>
                    </select>
                    {field_error("tls_verification")}
                </label>
            }
        });
        let (owner, resource) = (owner.clone(), resource.clone());
        Some(view! {
            <ActionForm action=create attr:class="filters drain-form" attr:aria-label="New drain">
                {hidden("owner", owner.clone())}
                {hidden("resource", resource.clone())}
                {hidden("recipient_type", t.to_string())}
                <label>"Forward"
                    <select name="kind" id="new-kind">
                        <option value="LOG">"Runtime logs (LOG)"</option>
                        <option value="ACCESSLOG" selected=kept_of("kind").as_deref() == Some("ACCESSLOG")>"Access logs (ACCESSLOG)"</option>
                    </select>
                    {field_error("kind")}
                </label>
                {inputs}
                {tls}
                <div class="actions">
                    <button type="submit" data-busy="Creating…" disabled=move || create.pending().get()>
                        {move || if create.pending().get() { "Creating…" } else { "Create drain" }}
                    </button>
                </div>
            </ActionForm>
        })
    };
    view! {
        <section>
            <h2>"New drain"</h2>
            <SubmitOnChange>
            <form method="get" action=chooser_href class="filters" aria-label="Choose a recipient type">
                <label>"Recipient type"
                    <select name="new">
                        <option value="">"Choose…"</option>
                        {types}
                    </select>
                </label>
                <button type="submit">"Choose"</button>
            </form>
            </SubmitOnChange>
            {outcome}
            {body}
        </section>
    }
}

/// Once hydrated, choosing a recipient type shows its fields at once (the form is sent on
/// change); without JavaScript the "Choose" button does it. The form stays server HTML.
#[island]
fn SubmitOnChange(children: Children) -> impl IntoView {
    let send = move |ev: &web_sys::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let form = crate::components::dom::closest(ev, "form")
                .and_then(|f| f.dyn_into::<web_sys::HtmlFormElement>().ok());
            if let Some(f) = form {
                let _ = f.request_submit();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! { <div class="submit-on-change" on:change=move |ev| send(&ev)>{children()}</div> }
}
