//! Billing (`/v4/billing`): each owner's invoices over the last months (every status, credit
//! notes, two currencies for Globex), as JSON, PDF and HTML.

use super::ids::{pick, sha, uuid};
use super::params::{Params, Reply, date_param, limit_param, not_found};
use super::world::OwnerSeed;
use super::{Shared, pdf};
use app::model::billing::{Address, Amount, Invoice, InvoiceKind, InvoiceStatus};
use app::model::date;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
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
    let picked: Vec<&Invoice> = list
        .iter()
        .filter(|i| {
            let at = i.emission_date;
            since.is_none_or(|s| at.is_some_and(|a| a >= s))
                && until.is_none_or(|u| at.is_some_and(|a| a < u))
        })
        .take(limit.unwrap_or(usize::MAX))
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
    Ok(match format {
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

pub(super) fn seed_invoices(seed: &OwnerSeed, now: OffsetDateTime) -> Vec<Invoice> {
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
        if back % 9 == 4 {
            seq += 1;
            out.push(invoice(InvoiceParts {
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

struct InvoiceParts<'a> {
    number: String,
    owner: &'a str,
    address: &'a Address,
    emitted: OffsetDateTime,
    status: InvoiceStatus,
    currency: &'a str,
    ht: f64,
    credit: bool,
    now: OffsetDateTime,
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
    let begin = month_start(p.emitted - Duration::days(20), 0);
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
        discount: Some(0.0),
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
        consumption_end_date: Some(p.emitted - Duration::days(1)),
    }
}
