//! Stats (`/v4/stats`): an application's or add-on's CPU, memory and load over time, the
//! requests per hour by status code, and where the requests come from. Generated on request,
//! deterministic from the resource and the hour: daily shapes, api-gateway's CPU spike, a
//! burst of 5xx.

mod seed;

use crate::params::{ApiError, Params, Reply, all, bad, date_param, not_found, one};
use crate::state::Shared;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use time::{Duration, OffsetDateTime};

pub(crate) fn routes() -> Router<Shared> {
    let org = "/v4/stats/organisations/{owner}";
    Router::new()
        .route(&format!("{org}/resources/{{id}}/metrics"), get(metrics))
        .route(&format!("{org}/http-status-codes"), get(status_codes))
        .route(&format!("{org}/requests"), get(requests))
}

/// An ISO 8601 duration of whole minutes, hours or days (`PT5M`, `PT1H`, `P1D`, `P7D`).
fn duration(raw: &str) -> Option<Duration> {
    if let Some(d) = raw.strip_prefix('P').and_then(|r| r.strip_suffix('D')) {
        return d
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=31).contains(n))
            .map(Duration::days);
    }
    let t = raw.strip_prefix("PT")?;
    if let Some(h) = t.strip_suffix('H') {
        return h
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=744).contains(n))
            .map(Duration::hours);
    }
    let m = t.strip_suffix('M')?;
    m.parse::<i64>()
        .ok()
        .filter(|n| (1..=1440).contains(n))
        .map(Duration::minutes)
}

/// Whether `owner` has the application or add-on `id`.
fn check(demo: &Shared, owner: &str, id: &str) -> Result<(), ApiError> {
    if crate::params::owns(demo, owner, id) {
        Ok(())
    } else {
        Err(not_found("Resource"))
    }
}

/// `GET …/resources/{id}/metrics?only=&interval=&span=&end=`.
async fn metrics(
    State(demo): State<Shared>,
    Path((owner, id)): Path<(String, String)>,
    Query(q): Params,
) -> Reply {
    check(&demo, &owner, &id)?;
    let interval =
        duration(one(&q, "interval").unwrap_or("P1D")).ok_or_else(|| bad("Invalid interval"))?;
    let span = duration(one(&q, "span").unwrap_or("PT1H")).ok_or_else(|| bad("Invalid span"))?;
    if span > interval || interval.whole_seconds() / span.whole_seconds() > 5000 {
        return Err(bad("Too many points: widen the span"));
    }
    let end = date_param(&q, "end")?.unwrap_or_else(OffsetDateTime::now_utc);
    let names: Vec<&str> = match all(&q, "only") {
        v if v.is_empty() => vec!["cpu", "mem", "load1"],
        v => v,
    };
    let breaks = demo.breaks();
    let (hot, heavy) = (breaks.hot.contains(&id), breaks.heavy.contains(&id));
    let series: Vec<serde_json::Value> = names
        .into_iter()
        .filter(|n| matches!(*n, "cpu" | "mem" | "load1"))
        .map(|name| {
            let mut data = seed::series(&id, name, end - interval, end, span);
            let pinned = match name {
                "cpu" if hot => Some(97.0),
                "mem" if heavy => Some(96.0),
                _ => None,
            };
            if let Some(v) = pinned {
                for point in &mut data {
                    point["value"] = serde_json::json!(v);
                }
            }
            serde_json::json!({ "name": name, "data": data })
        })
        .collect();
    Ok(Json(series).into_response())
}

/// The window of `from`/`to` (default: the last 24 whole hours).
fn window(q: &[(String, String)]) -> Result<(OffsetDateTime, OffsetDateTime), ApiError> {
    let now = OffsetDateTime::now_utc();
    let hour = now
        .replace_minute(0)
        .and_then(|t| t.replace_second(0))
        .and_then(|t| t.replace_nanosecond(0))
        .unwrap_or(now);
    let to = date_param(q, "to")?.unwrap_or(hour);
    let from = date_param(q, "from")?.unwrap_or(to - Duration::hours(24));
    if from >= to || to - from > Duration::days(31) {
        return Err(bad("Invalid from/to"));
    }
    Ok((from, to))
}

/// What a traffic call asks: the applications (the one named by `applicationId`, which the
/// owner must have, else all of the owner's) and the window.
fn asked(
    demo: &Shared,
    owner: &str,
    q: &[(String, String)],
) -> Result<(Vec<String>, OffsetDateTime, OffsetDateTime), ApiError> {
    let apps = crate::navigation::apps_of(demo, owner).ok_or_else(|| not_found("Organisation"))?;
    let ids = match one(q, "applicationId") {
        Some(a) => {
            check(demo, owner, a)?;
            vec![a.to_owned()]
        }
        None => apps.iter().map(|a| a.id.clone()).collect(),
    };
    let (from, to) = window(q)?;
    Ok((ids, from, to))
}

/// `GET …/http-status-codes?applicationId=&from=&to=`: hourly, each bucket dated by its end.
async fn status_codes(
    State(demo): State<Shared>,
    Path(owner): Path<String>,
    Query(q): Params,
) -> Reply {
    let (ids, from, to) = asked(&demo, &owner, &q)?;
    let failing = demo.breaks().errors;
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut buckets = seed::status_codes(&ids, from, to);
    if ids.iter().any(|id| failing.contains(*id)) {
        // As many 503 answers as all the others together: half the requests fail.
        for b in &mut buckets {
            let total: u64 = b["statuses"]
                .as_array()
                .map(|s| s.iter().filter_map(|c| c["count"].as_u64()).sum())
                .unwrap_or(0);
            if let Some(list) = b["statuses"].as_array_mut() {
                list.push(serde_json::json!({"code": 503, "count": total.max(1)}));
            }
        }
    }
    Ok(Json(buckets).into_response())
}

/// `GET …/requests?applicationId=&from=&to=`: where requests came from.
async fn requests(
    State(demo): State<Shared>,
    Path(owner): Path<String>,
    Query(q): Params,
) -> Reply {
    asked(&demo, &owner, &q)?;
    let key = one(&q, "applicationId").map_or_else(|| owner.clone(), str::to_owned);
    Ok(Json(seed::locations(&key)).into_response())
}
