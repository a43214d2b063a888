//! Billing (`/v4/billing`): each owner's invoices over the last months (every status, credit
//! notes, two currencies for Globex), as JSON, PDF and HTML.

use super::ids::{pick, sha, uuid};
use super::params::{ApiError, Params, Reply, date_param, limit_param, not_found};
use super::world::{OwnerSeed, app_id};
use super::{Shared, pdf};
use app::model::billing::{Address, Amount, Invoice, InvoiceKind, InvoiceStatus};
use app::model::date;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use futures::StreamExt;
use time::{Date, Duration, Month, OffsetDateTime};

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/v4/billing/organisations/{owner}/invoices", get(invoices))
        .route(
            "/v4/billing/organisations/{owner}/invoices/{number}",
            get(get_invoice),
        )
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
                && until.is_none_or(|u| at.is_some_and(|a| a < u))
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

// --- seeds ----------------------------------------------------------------------------------

fn month_start(now: OffsetDateTime, back: i32) -> OffsetDateTime {
    let total = now.year() * 12 + i32::from(u8::from(now.month())) - 1 - back;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = Month::try_from(month0 as u8 + 1).unwrap_or(Month::January);
    Date::from_calendar_date(year, month, 1)
        .unwrap_or(now.date())
        .midnight()
        .assume_utc()
}

fn amount(currency: &str, value: f64) -> Amount {
    let sign = if value < 0.0 { "-" } else { "" };
    let abs = value.abs();
    let formatted = format!("{sign}{abs:.2}");
    let display = match currency {
        "EUR" => format!("{formatted} €"),
        "USD" => format!("{sign}${abs:.2}"),
        other => format!("{formatted} {other}"),
    };
    Amount {
        currency: currency.to_owned(),
        amount: (value * 100.0).round() / 100.0,
        amount_formatted: formatted,
        default_display: display,
    }
}

/// `extra` more invoices a month than the one each owner gets (benchmarks of a year's archive).
pub(super) fn seed_invoices(seed: &OwnerSeed, now: OffsetDateTime, extra: usize) -> Vec<Invoice> {
    let prefix: String = seed
        .name
        .chars()
        .filter(char::is_ascii_alphabetic)
        .take(3)
        .collect::<String>()
        .to_uppercase();
    let address = Address {
        address_id: Some(format!("address_{}", uuid(seed.name))),
        owner_id: Some(seed.id.clone()),
        name: Some("Accounts payable".into()),
        company: Some(seed.name.to_owned()),
        address: Some("3 rue de l'Allier".into()),
        city: Some("Nantes".into()),
        zipcode: Some("44000".into()),
        country_alpha2: Some("FR".into()),
        vat_number: Some(format!(
            "FR{:011}",
            pick(seed.name, 10_000_000_000, 99_999_999_999)
        )),
        vat_percent: Some(20.0),
        customer_cost_center: Some("CC-42".into()),
        customer_purchase_order: Some(format!("PO-{}", pick(seed.name, 1000, 9999))),
    };
    // The owner's applications, and two deleted since (billed in the older invoices).
    let mut apps: Vec<String> = seed.apps.iter().map(|a| app_id(a.name)).collect();
    apps.push(format!("app_{}", uuid(&format!("{}-retired-1", seed.id))));
    apps.push(format!("app_{}", uuid(&format!("{}-retired-2", seed.id))));
    let mut out = Vec::new();
    let mut seq = 0;
    for back in (0..38).rev() {
        let emitted = month_start(now, back) + Duration::days(1) + Duration::hours(6);
        if emitted > now {
            continue;
        }
        seq += 1;
        let key = format!("{}-{back}", seed.id);
        let currency = seed.currencies[(back as usize / 7) % seed.currencies.len()];
        let status = match back {
            0 => InvoiceStatus::Pending,
            1 => InvoiceStatus::Processing,
            2 => InvoiceStatus::PaymentHeld,
            5 => InvoiceStatus::WontPay,
            7 => InvoiceStatus::Canceled,
            11 => InvoiceStatus::Refunded,
            _ => InvoiceStatus::Paid,
        };
        let ht = pick(&key, 4_000, 95_000) as f64 / 100.0;
        out.push(invoice(InvoiceParts {
            apps: &apps,
            // One invoice of each owner carries a discount its lines do not show.
            discount: if back == 3 { 10.0 } else { 0.0 },
            number: format!("{prefix}{}-{seq:04}", emitted.year()),
            owner: &seed.id,
            address: &address,
            emitted,
            status,
            currency,
            ht,
            credit: false,
            now,
        }));
        for k in 1..=extra {
            seq += 1;
            out.push(invoice(InvoiceParts {
                apps: &apps,
                discount: 0.0,
                number: format!("{prefix}{}-{seq:04}", emitted.year()),
                owner: &seed.id,
                address: &address,
                emitted: emitted + Duration::hours(k as i64),
                status: InvoiceStatus::Paid,
                currency,
                ht: ht / (k + 1) as f64,
                credit: false,
                now,
            }));
        }
        if back % 9 == 4 {
            seq += 1;
            out.push(invoice(InvoiceParts {
                apps: &[],
                discount: 0.0,
                number: format!("{prefix}{}-{seq:04}", emitted.year()),
                owner: &seed.id,
                address: &address,
                emitted: emitted + Duration::days(12),
                status: InvoiceStatus::Paid,
                currency,
                ht: ht / 4.0,
                credit: true,
                now,
            }));
        }
    }
    out.reverse();
    out
}

pub(super) struct InvoiceParts<'a> {
    /// The applications billed (the last ones may be deleted ones).
    pub apps: &'a [String],
    /// A discount in percent (the lines then add up to more than the total).
    pub discount: f64,
    pub number: String,
    pub owner: &'a str,
    pub address: &'a Address,
    pub emitted: OffsetDateTime,
    pub status: InvoiceStatus,
    pub currency: &'a str,
    pub ht: f64,
    pub credit: bool,
    pub now: OffsetDateTime,
}

fn invoice(p: InvoiceParts<'_>) -> Invoice {
    let paid = matches!(p.status, InvoiceStatus::Paid | InvoiceStatus::Refunded);
    let pay_date =
        (paid && p.emitted + Duration::days(3) <= p.now).then(|| p.emitted + Duration::days(3));
    let kind = if p.credit {
        InvoiceKind::CreditNote
    } else {
        InvoiceKind::Invoice
    };
    // Each document bills the month before its own, whole.
    let begin = month_start(p.emitted - Duration::days(20), 0);
    let end = month_start(p.emitted, 0);
    // The lines add up to the total before the discount.
    let lines_cents = (p.ht * 100.0 / (1.0 - p.discount / 100.0)).round() as i64;
    let (uptimes, countables) = super::invoice_lines::line_items(&p, lines_cents, begin, end);
    Invoice {
        invoice_number: p.number.clone(),
        kind: kind.clone(),
        type_: Some(kind),
        owner_id: p.owner.to_owned(),
        address: p.address.clone(),
        emission_date: Some(p.emitted),
        pay_date,
        status: p.status,
        currency: p.currency.to_owned(),
        price_factor: Some(1.0),
        discount: Some(p.discount),
        vat_percent: Some(20.0),
        total_tax_excluded: amount(p.currency, p.ht),
        total_tax: amount(p.currency, p.ht * 0.2),
        category: Some("CLOUD".into()),
        payment_provider: Some(
            if p.currency == "USD" {
                "PAYPAL"
            } else {
                "STRIPE"
            }
            .into(),
        ),
        transaction_id: paid.then(|| format!("txn_{}", &sha(&p.number)[..16])),
        customer_order_id: None,
        origin: Some(if p.credit { "manual" } else { "automatic" }.into()),
        consumption_begin_date: Some(begin),
        consumption_end_date: Some(end),
        uptimes,
        countables,
    }
}
