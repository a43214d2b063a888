//! Handlers of the demo upstream: every endpoint the dashboard uses, with the documented
//! query parameters honoured and bad ones refused as the real API would.

// Errors here are the upstream's own answers, returned as they are; boxing them buys nothing.
#![allow(clippy::result_large_err)]

use super::data::drain;
use super::ids::uuid;
use super::{Shared, api_error, pdf};
use app::model::billing::Invoice;
use app::model::date;
use app::model::drains::{
    CreateDrain, Drain, DrainKind, DrainStatus, ExecutionStatus, RecipientType,
};
use app::model::instances::InstanceState;
use app::model::operators::{NetworkGroup, Operator, OperatorKind, VersionUpdate};
use app::model::pulsar::{Policy, StoragePolicies};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashSet;
use time::OffsetDateTime;

type Params = Query<Vec<(String, String)>>;

fn all<'a>(q: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    q.iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn one<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn bad(message: &str) -> Response {
    api_error(StatusCode::BAD_REQUEST, message)
}

fn not_found(what: &str) -> Response {
    api_error(StatusCode::NOT_FOUND, &format!("{what} not found"))
}

fn date_param(q: &[(String, String)], name: &str) -> Result<Option<OffsetDateTime>, Response> {
    match one(q, name) {
        None => Ok(None),
        Some(raw) => date::parse(raw)
            .map(Some)
            .ok_or_else(|| bad(&format!("Invalid {name}: expected an ISO 8601 date"))),
    }
}

fn limit_param(q: &[(String, String)], max: usize) -> Result<Option<usize>, Response> {
    match one(q, "limit") {
        None => Ok(None),
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(Some(n)),
            _ => Err(bad(&format!("Invalid limit: expected 1 to {max}"))),
        },
    }
}

fn desc(q: &[(String, String)]) -> Result<bool, Response> {
    match one(q, "order") {
        None | Some("DESC") => Ok(true),
        Some("ASC") => Ok(false),
        Some(_) => Err(bad("Invalid order: ASC or DESC")),
    }
}

fn owns(demo: &Shared, owner: &str, thing: &str) -> bool {
    demo.world.owner_of.get(thing).is_some_and(|o| o == owner)
}

/// `GET /v2/self`.
pub async fn self_user(State(demo): State<Shared>) -> Response {
    Json(&demo.world.user).into_response()
}

/// `GET /v2/summary`.
pub async fn summary(State(demo): State<Shared>) -> Response {
    let padding = demo.knobs.summary_padding_bytes;
    if padding == 0 {
        return Json(&demo.world.summary).into_response();
    }
    // `{"padding":"xxx…", <the summary's own fields>}`, streamed in 64 KiB chunks.
    let json = serde_json::to_string(&demo.world.summary).unwrap_or_default();
    let rest = format!("\",{}", json.strip_prefix('{').unwrap_or("}"));
    const CHUNK: usize = 64 * 1024;
    let pad = (0..padding.div_ceil(CHUNK))
        .map(move |i| bytes::Bytes::from(vec![b'x'; CHUNK.min(padding - i * CHUNK)]));
    let chunks = std::iter::once(bytes::Bytes::from_static(b"{\"padding\":\""))
        .chain(pad)
        .chain(std::iter::once(bytes::Bytes::from(rest)))
        .map(Ok::<_, std::convert::Infallible>);
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        axum::body::Body::from_stream(futures::stream::iter(chunks)),
    )
        .into_response()
}

/// `GET .../invoices?since&until&limit`, newest first.
pub async fn invoices(
    State(demo): State<Shared>,
    Path(owner): Path<String>,
    Query(q): Params,
) -> Response {
    let Some(list) = demo.world.invoices.get(&owner) else {
        return not_found("Organisation");
    };
    let (since, until, limit) = match (
        date_param(&q, "since"),
        date_param(&q, "until"),
        limit_param(&q, 10_000),
    ) {
        (Ok(s), Ok(u), Ok(l)) => (s, u, l),
        (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => return e,
    };
    let picked: Vec<&Invoice> = list
        .iter()
        .filter(|i| {
            let at = i.emission_date;
            since.is_none_or(|s| at.is_some_and(|a| a >= s))
                && until.is_none_or(|u| at.is_some_and(|a| a < u))
        })
        .take(limit.unwrap_or(usize::MAX))
        .collect();
    Json(picked).into_response()
}

/// `GET .../invoices/{number}` (JSON), `{number}.pdf` and `{number}.html`.
pub async fn invoice(
    State(demo): State<Shared>,
    Path((owner, number)): Path<(String, String)>,
) -> Response {
    let (base, format) = match number.rsplit_once('.') {
        Some((b, "pdf")) => (b, "pdf"),
        Some((b, "html")) => (b, "html"),
        _ => (number.as_str(), "json"),
    };
    let Some(inv) = demo
        .world
        .invoices
        .get(&owner)
        .and_then(|l| l.iter().find(|i| i.invoice_number == base))
    else {
        return not_found("Invoice");
    };
    match format {
        "pdf" => {
            let body = pdf::document(
                &format!("Invoice {}", inv.invoice_number),
                &invoice_lines(inv),
                demo.knobs.pdf_padding_bytes,
            );
            (
                [
                    (header::CONTENT_TYPE, "application/pdf"),
                    (header::SET_COOKIE, "upstream_session=secret; Path=/"),
                ],
                body,
            )
                .into_response()
        }
        "html" => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            invoice_html(inv),
        )
            .into_response(),
        _ => Json(inv).into_response(),
    }
}

fn invoice_lines(inv: &Invoice) -> Vec<String> {
    let when = inv
        .emission_date
        .map(|d| date::format(&d))
        .unwrap_or_default();
    vec![
        format!("Kind: {}", inv.kind),
        format!("Status: {}", inv.status),
        format!("Issued: {when}"),
        format!(
            "Customer: {}",
            inv.address.company.clone().unwrap_or_default()
        ),
        format!(
            "Total tax excluded: {}",
            inv.total_tax_excluded.default_display
        ),
        format!("Tax: {}", inv.total_tax.default_display),
        "Clever Cloud demo upstream - not a real invoice".to_owned(),
    ]
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn invoice_html(inv: &Invoice) -> String {
    let rows: String = invoice_lines(inv)
        .iter()
        .map(|l| format!("<p>{}</p>", html_escape(l)))
        .collect();
    // The script is there on purpose: the dashboard must show this page with scripts disabled.
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Invoice {n}</title></head>\
         <body><h1>Invoice {n}</h1>{rows}\
         <script>document.body.setAttribute('data-script-ran','yes');document.title='script ran';</script>\
         </body></html>",
        n = html_escape(&inv.invoice_number)
    )
}

fn app_guard(demo: &Shared, owner: &str, app: &str) -> Option<Response> {
    (!owns(demo, owner, app)).then(|| not_found("Application"))
}

/// `GET .../deployments?limit&order&action`.
pub async fn deployments(
    State(demo): State<Shared>,
    Path((owner, app)): Path<(String, String)>,
    Query(q): Params,
) -> Response {
    if let Some(r) = app_guard(&demo, &owner, &app) {
        return r;
    }
    let (limit, desc) = match (limit_param(&q, 1000), desc(&q)) {
        (Ok(l), Ok(d)) => (l, d),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let actions: HashSet<&str> = all(&q, "action").into_iter().collect();
    let mut list: Vec<_> = demo.world.deployments[&app]
        .iter()
        .filter(|d| actions.is_empty() || actions.contains(d.origin.action.as_str()))
        .collect();
    if desc {
        list.reverse();
    }
    list.truncate(limit.unwrap_or(usize::MAX));
    Json(list).into_response()
}

/// `GET .../deployments/{id}`.
pub async fn deployment(
    State(demo): State<Shared>,
    Path((owner, app, id)): Path<(String, String, String)>,
) -> Response {
    if let Some(r) = app_guard(&demo, &owner, &app) {
        return r;
    }
    match demo.world.deployments[&app].iter().find(|d| d.id == id) {
        Some(d) => Json(d).into_response(),
        None => not_found("Deployment"),
    }
}

/// `GET .../instances` with every documented filter.
pub async fn instances(
    State(demo): State<Shared>,
    Path((owner, app)): Path<(String, String)>,
    Query(q): Params,
) -> Response {
    if let Some(r) = app_guard(&demo, &owner, &app) {
        return r;
    }
    let (since, until, limit, desc) = match (
        date_param(&q, "since"),
        date_param(&q, "until"),
        limit_param(&q, 1000),
        desc(&q),
    ) {
        (Ok(s), Ok(u), Ok(l), Ok(d)) => (s, u, l, d),
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => return e,
    };
    let include = all(&q, "includeState");
    let exclude = all(&q, "excludeState");
    for s in include.iter().chain(&exclude) {
        if matches!(InstanceState::from_wire(s), InstanceState::Unknown(_)) {
            return bad(&format!("Invalid state: {s}"));
        }
    }
    let exclude_deleted = match one(&q, "excludeDeleted") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return bad("Invalid excludeDeleted: true or false"),
    };
    let deployment = one(&q, "deploymentId");
    let mut list: Vec<_> = demo.world.instances[&app]
        .iter()
        .filter(|i| deployment.is_none_or(|d| i.deployment_id == d))
        .filter(|i| !(exclude_deleted && i.state == InstanceState::Deleted))
        .filter(|i| include.is_empty() || include.contains(&i.state.as_str()))
        .filter(|i| !exclude.contains(&i.state.as_str()))
        .filter(|i| since.is_none_or(|s| i.creation_date.is_some_and(|c| c >= s)))
        .filter(|i| until.is_none_or(|u| i.creation_date.is_some_and(|c| c < u)))
        .collect();
    list.sort_by_key(|i| i.creation_date);
    if desc {
        list.reverse();
    }
    list.truncate(limit.unwrap_or(usize::MAX));
    Json(list).into_response()
}

/// `GET .../instances/{id}`.
pub async fn instance(
    State(demo): State<Shared>,
    Path((owner, app, id)): Path<(String, String, String)>,
) -> Response {
    if let Some(r) = app_guard(&demo, &owner, &app) {
        return r;
    }
    match demo.world.instances[&app].iter().find(|i| i.id == id) {
        Some(i) => Json(i).into_response(),
        None => not_found("Instance"),
    }
}

/// `GET .../load-balancers/default`.
pub async fn load_balancers(
    State(demo): State<Shared>,
    Path((owner, app)): Path<(String, String)>,
) -> Response {
    if let Some(r) = app_guard(&demo, &owner, &app) {
        return r;
    }
    Json(&demo.world.load_balancers[&app]).into_response()
}

// --- drains ---------------------------------------------------------------------------------

/// Create, enable and disable take a moment upstream; the demo settles them on read.
const SETTLE: time::Duration = time::Duration::milliseconds(1500);

fn settle(d: &mut Drain, now: OffsetDateTime) {
    let old = d.status.date.is_none_or(|at| now - at >= SETTLE);
    if !old {
        return;
    }
    let next = match d.status.status {
        DrainStatus::Created | DrainStatus::Enabling => DrainStatus::Enabled,
        DrainStatus::Disabling => DrainStatus::Disabled,
        _ => return,
    };
    d.execution.status = if next == DrainStatus::Enabled {
        ExecutionStatus::Running
    } else {
        ExecutionStatus::NotRunning
    };
    d.status.status = next;
    d.status.date = Some(now);
}

fn with_drains<T>(
    demo: &Shared,
    owner: &str,
    resource: &str,
    f: impl FnOnce(&mut Vec<Drain>) -> T,
) -> Result<T, Response> {
    if !owns(demo, owner, resource) {
        return Err(not_found("Resource"));
    }
    let mut state = demo.state();
    let list = state.drains.entry(resource.to_owned()).or_default();
    let now = OffsetDateTime::now_utc();
    list.iter_mut().for_each(|d| settle(d, now));
    Ok(f(list))
}

/// `GET .../drains?status&executionStatus&executionStatusNotIn`.
pub async fn list_drains(
    State(demo): State<Shared>,
    Path((owner, resource)): Path<(String, String)>,
    Query(q): Params,
) -> Response {
    let status = all(&q, "status");
    let exec = all(&q, "executionStatus");
    let not_in = all(&q, "executionStatusNotIn");
    with_drains(&demo, &owner, &resource, |list| {
        let picked: Vec<&Drain> = list
            .iter()
            .filter(|d| status.is_empty() || status.contains(&d.status.status.as_str()))
            .filter(|d| exec.is_empty() || exec.contains(&d.execution.status.as_str()))
            .filter(|d| !not_in.contains(&d.execution.status.as_str()))
            .collect();
        Json(picked).into_response()
    })
    .unwrap_or_else(|r| r)
}

fn validate_drain(body: &CreateDrain) -> Result<(), String> {
    if !matches!(body.kind, DrainKind::Log | DrainKind::AccessLog) {
        return Err("kind must be LOG or ACCESSLOG".into());
    }
    let r = &body.recipient;
    if matches!(r.type_, RecipientType::Unknown(_)) {
        return Err(format!("Unknown recipient type {}", r.type_));
    }
    if !r.url.contains("://") {
        return Err("recipient.url must be an absolute URL".into());
    }
    let missing = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    match r.type_ {
        RecipientType::Elasticsearch if missing(&r.index) => {
            Err("recipient.index is required".into())
        }
        RecipientType::NewRelic if missing(&r.api_key) => {
            Err("recipient.apiKey is required".into())
        }
        RecipientType::Betterstack if missing(&r.source_token) => {
            Err("recipient.sourceToken is required".into())
        }
        _ => Ok(()),
    }
}

/// `POST .../drains`: validated, then created in `ENABLING` (it settles shortly after).
pub async fn create_drain(
    State(demo): State<Shared>,
    Path((owner, resource)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let body: CreateDrain = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return bad(&format!("Invalid drain: {e}")),
    };
    if let Err(m) = validate_drain(&body) {
        return bad(&m);
    }
    let now = OffsetDateTime::now_utc();
    let id = format!(
        "drain_{}",
        uuid(&format!("{resource}-{}", now.unix_timestamp_nanos()))
    );
    let d = drain(
        &owner,
        &resource,
        id,
        body.kind,
        body.recipient,
        DrainStatus::Enabling,
        now,
    );
    with_drains(&demo, &owner, &resource, |list| {
        list.push(d.clone());
        (StatusCode::CREATED, Json(d)).into_response()
    })
    .unwrap_or_else(|r| r)
}

/// `GET .../drains/{id}`.
pub async fn get_drain(
    State(demo): State<Shared>,
    Path((owner, resource, id)): Path<(String, String, String)>,
) -> Response {
    with_drains(&demo, &owner, &resource, |list| {
        match list.iter().find(|d| d.id == id) {
            Some(d) => Json(d).into_response(),
            None => not_found("Drain"),
        }
    })
    .unwrap_or_else(|r| r)
}

/// `DELETE .../drains/{id}`.
pub async fn delete_drain(
    State(demo): State<Shared>,
    Path((owner, resource, id)): Path<(String, String, String)>,
) -> Response {
    with_drains(&demo, &owner, &resource, |list| {
        let before = list.len();
        list.retain(|d| d.id != id);
        if list.len() < before {
            StatusCode::NO_CONTENT.into_response()
        } else {
            not_found("Drain")
        }
    })
    .unwrap_or_else(|r| r)
}

fn set_drain(demo: &Shared, owner: &str, resource: &str, id: &str, to: DrainStatus) -> Response {
    with_drains(demo, owner, resource, |list| {
        match list.iter_mut().find(|d| d.id == id) {
            Some(d) => {
                d.status.status = to;
                d.status.date = Some(OffsetDateTime::now_utc());
                StatusCode::NO_CONTENT.into_response()
            }
            None => not_found("Drain"),
        }
    })
    .unwrap_or_else(|r| r)
}

/// `PUT .../drains/{id}/enable`.
pub async fn enable_drain(
    State(demo): State<Shared>,
    Path((owner, resource, id)): Path<(String, String, String)>,
) -> Response {
    set_drain(&demo, &owner, &resource, &id, DrainStatus::Enabling)
}

/// `PUT .../drains/{id}/disable`.
pub async fn disable_drain(
    State(demo): State<Shared>,
    Path((owner, resource, id)): Path<(String, String, String)>,
) -> Response {
    set_drain(&demo, &owner, &resource, &id, DrainStatus::Disabling)
}

/// `GET .../drains/{id}/test-command`: a curl command, as text.
pub async fn drain_test_command(
    State(demo): State<Shared>,
    Path((owner, resource, id)): Path<(String, String, String)>,
) -> Response {
    with_drains(&demo, &owner, &resource, |list| match list.iter().find(|d| d.id == id) {
        Some(d) => {
            let url = d.recipient.url.replace('\'', "%27");
            let cmd = format!(
                "curl -sS -X POST '{url}' -H 'Content-Type: application/json' -d '{{\"message\":\"test from Clever Cloud drain {}\"}}'",
                d.id
            );
            ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], cmd).into_response()
        }
        None => not_found("Drain"),
    })
    .unwrap_or_else(|r| r)
}

/// `PATCH .../drains/{id}/reset-cursor`: backlog emptied; returns the drain.
pub async fn reset_drain_cursor(
    State(demo): State<Shared>,
    Path((owner, resource, id)): Path<(String, String, String)>,
) -> Response {
    with_drains(&demo, &owner, &resource, |list| {
        match list.iter_mut().find(|d| d.id == id) {
            Some(d) => {
                if let Some(b) = d.backlog.as_mut() {
                    b.msg_backlog = Some(0);
                }
                Json(d.clone()).into_response()
            }
            None => not_found("Drain"),
        }
    })
    .unwrap_or_else(|r| r)
}

// --- operators ------------------------------------------------------------------------------

fn operator_kind(provider: &str, id: &str) -> Option<OperatorKind> {
    let kind = OperatorKind::from_segment(provider.strip_prefix("addon-")?)?;
    (OperatorKind::of_real_id(id) == Some(kind)).then_some(kind)
}

fn with_operator<T>(
    demo: &Shared,
    provider: &str,
    id: &str,
    f: impl FnOnce(OperatorKind, &mut Operator) -> T,
) -> Result<T, Response> {
    let Some(kind) = operator_kind(provider, id) else {
        return Err(not_found("Operator"));
    };
    let mut state = demo.state();
    match state.operators.get_mut(id) {
        Some(op) => Ok(f(kind, op)),
        None => Err(not_found("Operator")),
    }
}

/// `GET /v4/addon-providers/addon-{kind}/addons/{id}`.
pub async fn operator(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
) -> Response {
    let garble = demo.knobs.garble_operators;
    with_operator(&demo, &provider, &id, |_, op| {
        if garble {
            Json(vec![op.clone()]).into_response()
        } else {
            Json(op.clone()).into_response()
        }
    })
    .unwrap_or_else(|r| r)
}

/// `POST .../reboot`.
pub async fn operator_reboot(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
) -> Response {
    with_operator(&demo, &provider, &id, |_, _| {
        StatusCode::NO_CONTENT.into_response()
    })
    .unwrap_or_else(|r| r)
}

/// `POST .../rebuild`.
pub async fn operator_rebuild(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
) -> Response {
    operator_reboot(State(demo), Path((provider, id))).await
}

/// `GET .../version/check` (not for Matomo).
pub async fn operator_version_check(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
) -> Response {
    with_operator(&demo, &provider, &id, |kind, op| {
        if !kind.has_versions() {
            return not_found("Version management");
        }
        let latest = op.available_versions.last().cloned().unwrap_or_default();
        Json(serde_json::json!({
            "installed": op.version,
            "latest": latest,
            "available": op.available_versions,
            "needUpdate": latest != op.version,
        }))
        .into_response()
    })
    .unwrap_or_else(|r| r)
}

/// `POST .../version/update` with `{targetVersion}`.
pub async fn operator_version_update(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let Ok(update) = serde_json::from_slice::<VersionUpdate>(&body) else {
        return bad("Invalid body: expected {\"targetVersion\": \"x.y.z\"}");
    };
    with_operator(&demo, &provider, &id, |kind, op| {
        if !kind.has_versions() {
            return not_found("Version management");
        }
        if !op.available_versions.contains(&update.target_version) {
            return bad(&format!(
                "Version {} is not available",
                update.target_version
            ));
        }
        op.version = update.target_version.clone();
        Json(op.clone()).into_response()
    })
    .unwrap_or_else(|r| r)
}

/// `POST .../networkgroup` (202 with the operator).
pub async fn network_group_on(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
) -> Response {
    with_operator(&demo, &provider, &id, |kind, op| {
        if !kind.has_network_group() {
            return not_found("Network group feature");
        }
        let features = op.features.get_or_insert_with(Default::default);
        features.network_group = Some(NetworkGroup {
            id: format!("ng_{}", uuid(&format!("{id}-ng"))),
        });
        (StatusCode::ACCEPTED, Json(op.clone())).into_response()
    })
    .unwrap_or_else(|r| r)
}

/// `DELETE .../networkgroup` (204).
pub async fn network_group_off(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
) -> Response {
    with_operator(&demo, &provider, &id, |kind, op| {
        if !kind.has_network_group() {
            return not_found("Network group feature");
        }
        if let Some(f) = op.features.as_mut() {
            f.network_group = None;
        }
        StatusCode::NO_CONTENT.into_response()
    })
    .unwrap_or_else(|r| r)
}

/// `GET /v4/addon-providers/addon-otoroshi/addons/{id}/config.yaml`.
pub async fn otoroshi_config(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
) -> Response {
    if provider != "addon-otoroshi" {
        return not_found("Configuration");
    }
    with_operator(&demo, &provider, &id, |_, op| {
        let api = op.api.clone().unwrap_or_default();
        let yaml = format!(
            "apiVersion: v1\nkind: OtoroshiCtlConfig\nmetadata: {{}}\ncluster_configs:\n- name: {name}\n  cluster:\n    hostname: {host}\n    port: 443\n    tls: true\n  user:\n    client_id: {user}\n    client_secret: {secret}\ncurrent_context: {name}\n",
            name = op.name,
            host = api.url.unwrap_or_default().trim_start_matches("https://"),
            user = api.user.unwrap_or_default(),
            secret = api.secret.unwrap_or_default(),
        );
        ([(header::CONTENT_TYPE, "application/yaml"), (header::SET_COOKIE, "upstream_session=secret; Path=/")], yaml).into_response()
    })
    .unwrap_or_else(|r| r)
}

// --- pulsar, zones --------------------------------------------------------------------------

/// `GET .../addon-pulsar/addons/{id}/storage-policies`.
pub async fn pulsar_policies(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
) -> Response {
    if provider != "addon-pulsar" {
        return not_found("Storage policies");
    }
    match demo.state().pulsar.get(&id) {
        Some(p) => Json(*p).into_response(),
        None => not_found("Pulsar add-on"),
    }
}

fn merge_policy(
    current: Option<Policy>,
    patch: &serde_json::Value,
) -> Result<Option<Policy>, String> {
    let Some(obj) = patch.as_object() else {
        return if patch.is_null() {
            Ok(None)
        } else {
            Err("a policy must be an object or null".into())
        };
    };
    let mut p = current.unwrap_or_default();
    for (key, value) in obj {
        let v = match value {
            serde_json::Value::Null => None,
            v => Some(
                v.as_i64()
                    .ok_or_else(|| format!("{key} must be an integer or null"))?,
            ),
        };
        match key.as_str() {
            "sizeInBytes" => p.size_in_bytes = v,
            "durationInMinutes" => p.duration_in_minutes = v,
            other => return Err(format!("unknown field {other}")),
        }
    }
    Ok(Some(p))
}

/// `PATCH .../storage-policies`: only the fields sent change.
pub async fn patch_pulsar_policies(
    State(demo): State<Shared>,
    Path((provider, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if provider != "addon-pulsar" {
        return not_found("Storage policies");
    }
    let Ok(serde_json::Value::Object(patch)) = serde_json::from_slice::<serde_json::Value>(&body)
    else {
        return bad("Invalid body: expected a JSON object");
    };
    let mut state = demo.state();
    let Some(current) = state.pulsar.get_mut(&id) else {
        return not_found("Pulsar add-on");
    };
    let mut next: StoragePolicies = *current;
    for (key, value) in &patch {
        let merged = match key.as_str() {
            "retentionPolicies" => {
                merge_policy(next.retention_policies, value).map(|p| next.retention_policies = p)
            }
            "offloadPolicies" => {
                merge_policy(next.offload_policies, value).map(|p| next.offload_policies = p)
            }
            other => Err(format!("unknown field {other}")),
        };
        if let Err(m) = merged {
            return bad(&format!("Invalid policies: {m}"));
        }
    }
    *current = next;
    Json(next).into_response()
}

/// `GET /v4/products/zones?tag&ownerId`: public zones, plus the owner's private ones.
pub async fn zones(State(demo): State<Shared>, Query(q): Params) -> Response {
    let tags = all(&q, "tag");
    let owner = one(&q, "ownerId");
    let list: Vec<_> = demo
        .world
        .zones
        .iter()
        .filter(|(_, private_to)| private_to.is_none() || private_to.as_deref() == owner)
        .filter(|(z, _)| tags.iter().all(|t| z.tags.iter().any(|zt| zt == t)))
        .map(|(z, _)| z)
        .collect();
    Json(list).into_response()
}

/// `GET /v4/products/zones/{name}`.
pub async fn zone(State(demo): State<Shared>, Path(name): Path<String>) -> Response {
    match demo.world.zones.iter().find(|(z, _)| z.name == name) {
        Some((z, _)) => Json(z).into_response(),
        None => not_found("Zone"),
    }
}
