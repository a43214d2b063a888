//! The seeded billing of the demo world.

use crate::cast::{OwnerSeed, app_id};
use crate::ids::{pick, sha, uuid};
use app::model::billing::{Address, Amount, Invoice, InvoiceKind, InvoiceStatus};
use time::{Date, Duration, Month, OffsetDateTime};

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
pub(crate) fn seed_invoices(seed: &OwnerSeed, now: OffsetDateTime, extra: usize) -> Vec<Invoice> {
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

pub(crate) struct InvoiceParts<'a> {
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
    let (uptimes, countables) = crate::billing::line_items::line_items(&p, lines_cents, begin, end);
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
