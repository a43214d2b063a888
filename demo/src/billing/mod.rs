//! Billing (`/v4/billing`): each owner's invoices over the last months (every status, credit
//! notes, two currencies for Globex), as JSON, PDF and HTML.

mod pdf;
pub(crate) mod seed;

use crate::html::escape;
use crate::params::{ApiError, Params, Reply, date_param, limit_param, not_found};
use crate::state::Shared;
use app::model::billing::Invoice;
use app::model::date;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use futures::StreamExt;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/v4/billing/organisations/{owner}/invoices", get(invoices))
        .route(
            "/v4/billing/organisations/{owner}/invoices/{number}",
            get(get_invoice),
        )
        .route(
            "/v4/billing/organisations/{owner}/price-system",
            get(price_system),
        )
        .route(
            "/v4/billing/organisations/{owner}/credits/summary",
            get(credits),
        )
}

/// The currency an owner is billed in now (its newest invoice's).
fn currency_of(demo: &Shared, owner: &str) -> Result<String, ApiError> {
    let list = demo
        .world
        .invoices
        .get(owner)
        .ok_or_else(|| not_found("Organisation"))?;
    Ok(list
        .iter()
        .max_by_key(|i| i.emission_date)
        .map_or_else(|| "EUR".to_owned(), |i| i.currency.clone()))
}

/// `GET .../price-system?zone_id`: the hourly price of each runtime flavor in the zone, in the
/// owner's currency (the GPU flavors are not listed), and one metered service.
async fn price_system(
    State(demo): State<Shared>,
    Path(owner): Path<String>,
    Query(q): Params,
) -> Reply {
    let currency = currency_of(&demo, &owner)?;
    let zone = crate::params::one(&q, "zone_id")
        .unwrap_or("par")
        .to_owned();
    let runtime: Vec<serde_json::Value> = crate::orchestration::seed::PRICED_FLAVORS
        .iter()
        .filter_map(|f| {
            crate::orchestration::seed::hourly_price(&zone, f).map(|price| {
                serde_json::json!({
                    "runtime_policy_id": format!("runtime_{zone}_{f}"),
                    "source": "apps",
                    "flavor": f,
                    "time_unit": "PT1H",
                    "price": price,
                    "slug_id": format!("apps.{f}"),
                })
            })
        })
        .collect();
    if runtime.is_empty() {
        return Err(not_found("Price system"));
    }
    Ok(Json(serde_json::json!({
        "zone_id": zone,
        "currency": currency,
        "runtime": runtime,
        "countable": [{
            "countable_policy_id": "countable_outbound",
            "service": "outbound.traffic",
            "data_unit": "GiB",
            "data_quantity_for_price": {"secability": "SECABLE", "quantity": 1},
            "time_interval_for_price": {"secability": "SECABLE", "interval": "PT1H"},
            "price_plans": [{"plan_id": "plan_1", "max_quantity": 1000, "price": 0.09}]
        }],
    }))
    .into_response())
}

/// `GET .../credits/summary`: prepaid and free credits left, in the owner's currency.
async fn credits(State(demo): State<Shared>, Path(owner): Path<String>) -> Reply {
    let currency = currency_of(&demo, &owner)?;
    let prepaid = crate::ids::pick(&format!("{owner}-credits"), 2_000, 30_000) as f64 / 100.0;
    Ok(Json(serde_json::json!({
        "prepaidCredit": prepaid,
        "freeCredit": 20.0,
        "currency": currency,
    }))
    .into_response())
}

// --- handlers -------------------------------------------------------------------------------

/// `GET .../invoices?since&until&limit`, newest first.
async fn invoices(
    State(demo): State<Shared>,
    Path(owner): Path<String>,
    Query(q): Params,
) -> Reply {
    let list = demo
        .world
        .invoices
        .get(&owner)
        .ok_or_else(|| not_found("Organisation"))?;
    let since = date_param(&q, "since")?;
    let until = date_param(&q, "until")?;
    let limit = limit_param(&q, 10_000)?;
    // As upstream, the list carries no line items (the detail call does).
    let picked: Vec<Invoice> = list
        .iter()
        .filter(|i| {
            let at = i.emission_date;
            since.is_none_or(|s| at.is_some_and(|a| a >= s))
                // As the upstream does, `until` includes the instant itself.
                && until.is_none_or(|u| at.is_some_and(|a| a <= u))
        })
        .take(limit.unwrap_or(usize::MAX))
        .map(|i| Invoice {
            uptimes: Vec::new(),
            countables: Vec::new(),
            ..i.clone()
        })
        .collect();
    Ok(Json(picked).into_response())
}

/// `GET .../invoices/{number}` (JSON), `{number}.pdf` and `{number}.html`.
async fn get_invoice(
    State(demo): State<Shared>,
    Path((owner, number)): Path<(String, String)>,
) -> Reply {
    let (base, format) = match number.rsplit_once('.') {
        Some((b, "pdf")) => (b, "pdf"),
        Some((b, "html")) => (b, "html"),
        _ => (number.as_str(), "json"),
    };
    let inv = demo
        .world
        .invoices
        .get(&owner)
        .and_then(|l| l.iter().find(|i| i.invoice_number == base))
        .ok_or_else(|| not_found("Invoice"))?;
    if format == "json" && demo.knobs.broken_invoice.as_deref() == Some(base) {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Demo upstream: this invoice is broken",
        ));
    }
    Ok(match format {
        "pdf" => {
            let body = pdf::document(
                &format!("Invoice {}", inv.invoice_number),
                &invoice_lines(inv),
                demo.knobs.pdf_padding_bytes,
            );
            let headers = [
                (header::CONTENT_TYPE, "application/pdf"),
                (header::SET_COOKIE, "upstream_session=secret; Path=/"),
            ];
            if demo.knobs.broken_pdf.as_deref() == Some(base) {
                // Half the document, then the connection breaks.
                let half = body.len() / 2;
                let half = bytes::Bytes::from(body).slice(..half);
                // The half leaves with the head; the break comes a moment later.
                let cut = futures::stream::once(async {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    Err::<bytes::Bytes, _>(std::io::Error::other("demo: broken PDF"))
                });
                let body = futures::stream::iter([Ok(half)]).chain(cut);
                return Ok((headers, Body::from_stream(body)).into_response());
            }
            (headers, body).into_response()
        }
        "html" => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            invoice_html(inv),
        )
            .into_response(),
        _ => Json(inv).into_response(),
    })
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

fn invoice_html(inv: &Invoice) -> String {
    let rows: String = invoice_lines(inv)
        .iter()
        .map(|l| format!("<p>{}</p>", escape(l)))
        .collect();
    // The script is there on purpose: the dashboard must show this page with scripts disabled.
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Invoice {n}</title></head>\
         <body><h1>Invoice {n}</h1>{rows}\
         <script>document.body.setAttribute('data-script-ran','yes');document.title='script ran';</script>\
         </body></html>",
        n = escape(&inv.invoice_number)
    )
}
