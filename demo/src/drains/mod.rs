//! Log drains (`/v4/drains`): each resource's drains (every recipient type, status and
//! execution state among Acme's first application's), created, enabled, disabled and deleted
//! in memory; a change settles a moment later, as upstream.

pub(crate) mod seed;

use seed::drain;

use crate::ids::uuid;
use crate::params::{ApiError, Params, Reply, all, bad, not_found, owns};
use crate::state::Shared;
use app::model::drains::{
    CreateDrain, Drain, DrainKind, DrainStatus, ExecutionStatus, RecipientType,
};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, patch, put};
use axum::{Json, Router};
use time::{Duration, OffsetDateTime};

pub(crate) fn routes() -> Router<Shared> {
    let drains = "/v4/drains/organisations/{owner}/resources/{resource}/drains";
    Router::new()
        .route(drains, get(list_drains).post(create_drain))
        .route(
            &format!("{drains}/{{id}}"),
            get(get_drain).delete(delete_drain),
        )
        .route(&format!("{drains}/{{id}}/enable"), put(enable_drain))
        .route(&format!("{drains}/{{id}}/disable"), put(disable_drain))
        .route(
            &format!("{drains}/{{id}}/test-command"),
            get(drain_test_command),
        )
        .route(
            &format!("{drains}/{{id}}/reset-cursor"),
            patch(reset_drain_cursor),
        )
}

// --- handlers -------------------------------------------------------------------------------

/// Create, enable and disable take a moment upstream; the demo settles them on read.
const SETTLE: Duration = Duration::milliseconds(1500);

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

/// Runs `f` on the resource's drains (settled first), if the owner has the resource.
fn with_drains(
    demo: &Shared,
    owner: &str,
    resource: &str,
    f: impl FnOnce(&mut Vec<Drain>) -> Reply,
) -> Reply {
    if !owns(demo, owner, resource) {
        return Err(not_found("Resource"));
    }
    let mut state = demo.state();
    let list = state.drains.entry(resource.to_owned()).or_default();
    let now = OffsetDateTime::now_utc();
    list.iter_mut().for_each(|d| settle(d, now));
    f(list)
}

/// The drain `id` of a list.
fn find<'a>(list: &'a mut [Drain], id: &str) -> Result<&'a mut Drain, ApiError> {
    list.iter_mut()
        .find(|d| d.id == id)
        .ok_or_else(|| not_found("Drain"))
}

/// `GET .../drains?status&executionStatus&executionStatusNotIn`.
async fn list_drains(
    State(demo): State<Shared>,
    Path((owner, resource)): Path<(String, String)>,
    Query(q): Params,
) -> Reply {
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
        Ok(Json(picked).into_response())
    })
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
async fn create_drain(
    State(demo): State<Shared>,
    Path((owner, resource)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    let body: CreateDrain =
        serde_json::from_slice(&body).map_err(|e| bad(&format!("Invalid drain: {e}")))?;
    validate_drain(&body).map_err(|m| bad(&m))?;
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
        Ok((StatusCode::CREATED, Json(d)).into_response())
    })
}

/// `GET .../drains/{id}`.
async fn get_drain(
    State(demo): State<Shared>,
    Path((owner, resource, id)): Path<(String, String, String)>,
) -> Reply {
    with_drains(&demo, &owner, &resource, |list| {
        Ok(Json(find(list, &id)?).into_response())
    })
}

/// `DELETE .../drains/{id}`.
async fn delete_drain(
    State(demo): State<Shared>,
    Path((owner, resource, id)): Path<(String, String, String)>,
) -> Reply {
    with_drains(&demo, &owner, &resource, |list| {
        find(list, &id)?;
        list.retain(|d| d.id != id);
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

fn set_drain(demo: &Shared, owner: &str, resource: &str, id: &str, to: DrainStatus) -> Reply {
    with_drains(demo, owner, resource, |list| {
        let d = find(list, id)?;
        d.status.status = to;
        d.status.date = Some(OffsetDateTime::now_utc());
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

/// `PUT .../drains/{id}/enable`.
async fn enable_drain(
    State(demo): State<Shared>,
    Path((owner, resource, id)): Path<(String, String, String)>,
) -> Reply {
    set_drain(&demo, &owner, &resource, &id, DrainStatus::Enabling)
}

/// `PUT .../drains/{id}/disable`.
async fn disable_drain(
    State(demo): State<Shared>,
    Path((owner, resource, id)): Path<(String, String, String)>,
) -> Reply {
    set_drain(&demo, &owner, &resource, &id, DrainStatus::Disabling)
}

/// `GET .../drains/{id}/test-command`: a command line, as text, carrying the drain's secrets
/// the ways such commands do (in the URL, in headers, in base64 for basic authentication, in
/// structured data), so the dashboard's masking is tried on each.
async fn drain_test_command(
    State(demo): State<Shared>,
    Path((owner, resource, id)): Path<(String, String, String)>,
) -> Reply {
    with_drains(&demo, &owner, &resource, |list| {
        let d = find(list, &id)?;
        let cmd = test_command(d);
        Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], cmd).into_response())
    })
}

fn test_command(d: &Drain) -> String {
    use base64::Engine as _;
    let r = &d.recipient;
    let url = r.url.replace('\'', "%27");
    let body = format!("{{\"message\":\"test from Clever Cloud drain {}\"}}", d.id);
    let secret = |s: &Option<String>| s.clone().unwrap_or_default();
    let host = url.split_once("://").map_or(url.as_str(), |(_, rest)| {
        rest.split(['/', '?']).next().unwrap_or(rest)
    });
    let line = |sd: &str| {
        format!(
            "<14>1 - drain-test - - - {sd} test from Clever Cloud drain {}",
            d.id
        )
    };
    match r.type_ {
        RecipientType::Elasticsearch => {
            let basic = base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                secret(&r.username),
                secret(&r.password)
            ));
            format!(
                "curl -sS -X POST '{url}' -H 'Authorization: Basic {basic}' -H 'Content-Type: application/json' -d '{body}'"
            )
        }
        RecipientType::NewRelic => format!(
            "curl -sS -X POST '{url}' -H 'Api-Key: {}' -H 'Content-Type: application/json' -d '{body}'",
            secret(&r.api_key)
        ),
        RecipientType::RawHttp => format!(
            "curl -sS -u '{}:{}' -X POST '{url}' -d '{body}'",
            secret(&r.username),
            secret(&r.password)
        ),
        RecipientType::Betterstack => format!(
            "curl -sS -X POST '{url}' -H 'Authorization: Bearer {}' -d '{body}'",
            secret(&r.source_token)
        ),
        RecipientType::OvhTcp => format!(
            "echo '{}' | openssl s_client -quiet -connect {host}",
            line(&format!("[X-OVH-TOKEN=\"{}\"]", secret(&r.token)))
        ),
        RecipientType::SyslogTcp | RecipientType::SyslogUdp => {
            let sd = r
                .rfc5424_structured_data_parameters
                .as_deref()
                .map_or("-".to_owned(), |p| format!("[{p}]"));
            let udp = if r.type_ == RecipientType::SyslogUdp {
                "-u "
            } else {
                ""
            };
            format!("echo '{}' | nc {udp}{}", line(&sd), host.replace(':', " "))
        }
        _ => format!("curl -sS -X POST '{url}' -H 'Content-Type: application/json' -d '{body}'"),
    }
}

/// `PATCH .../drains/{id}/reset-cursor`: backlog emptied; returns the drain.
async fn reset_drain_cursor(
    State(demo): State<Shared>,
    Path((owner, resource, id)): Path<(String, String, String)>,
) -> Reply {
    with_drains(&demo, &owner, &resource, |list| {
        let d = find(list, &id)?;
        if let Some(b) = d.backlog.as_mut() {
            b.msg_backlog = Some(0);
        }
        Ok(Json(d.clone()).into_response())
    })
}
