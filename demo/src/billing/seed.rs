//! The demo's seeded invoices: one a month per owner and currency (credit notes, every
//! status, one discounted), each with line items: running time of each application's
//! instances (flavor, zone, period) and a metered service each, plus the owner's support plan,
//! adding up to the invoice's total to the cent (or to more, by its discount). Applications
//! deleted since are billed in invoices older than a year.

use crate::cast::{OwnerSeed, app_id};
use crate::ids::{pick, sha, uuid};
use app::model::billing::{
    Address, Amount, Countable, Invoice, InvoiceKind, InvoiceStatus, Uptime, UptimeDetail,
};
use app::model::instances::Instance;
use std::collections::HashMap;
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
/// A month the `instances` ran in is billed from them: each instance's hours in the month at
/// the hourly price of its flavor in its application's zone, so an estimate from the same
/// instances and the price system agrees with the invoice.
pub(crate) fn seed_invoices(
    seed: &OwnerSeed,
    now: OffsetDateTime,
    extra: usize,
    instances: &HashMap<String, Vec<Instance>>,
) -> Vec<Invoice> {
    let zones: Vec<(String, &'static str)> = seed
        .apps
        .iter()
        .map(|a| {
            (
                app_id(&a.name),
                crate::orchestration::seed::zone_of(&a.name),
            )
        })
        .collect();
    let prefix: String = seed
        .name
        .chars()
        .filter(char::is_ascii_alphabetic)
        .take(3)
        .collect::<String>()
        .to_uppercase();
    let address = Address {
        address_id: Some(format!("address_{}", uuid(&seed.name))),
        owner_id: Some(seed.id.clone()),
        name: Some("Accounts payable".into()),
        company: Some(seed.name.to_owned()),
        address: Some("3 rue de l'Allier".into()),
        city: Some("Nantes".into()),
        zipcode: Some("44000".into()),
        country_alpha2: Some("FR".into()),
        vat_number: Some(format!(
            "FR{:011}",
            pick(&seed.name, 10_000_000_000, 99_999_999_999)
        )),
        vat_percent: Some(20.0),
        customer_cost_center: Some("CC-42".into()),
        customer_purchase_order: Some(format!("PO-{}", pick(&seed.name, 1000, 9999))),
    };
    // The owner's applications, and two deleted since (billed in the older invoices).
    let mut apps: Vec<String> = seed.apps.iter().map(|a| app_id(&a.name)).collect();
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
            instances,
            zones: &zones,
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
                instances,
                zones: &zones,
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
                instances,
                zones: &zones,
            }));
        }
    }
    // A credit note emitted at the very first instant of this year: it belongs to this year
    // only, though an upstream whose `until` is inclusive lists it with the last one too.
    let new_year = Date::from_calendar_date(now.year(), Month::January, 1)
        .map(|d| d.midnight().assume_utc())
        .unwrap_or(now);
    if new_year < now {
        seq += 1;
        out.push(invoice(InvoiceParts {
            apps: &[],
            discount: 0.0,
            number: format!("{prefix}{}-{seq:04}", new_year.year()),
            owner: &seed.id,
            address: &address,
            emitted: new_year,
            status: InvoiceStatus::Paid,
            currency: seed.currencies[0],
            ht: 12.5,
            credit: true,
            now,
            instances,
            zones: &zones,
        }));
    }
    out.sort_by_key(|i| std::cmp::Reverse(i.emission_date));
    out
}

struct InvoiceParts<'a> {
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
    /// Every application's instances, and each live application's zone.
    pub instances: &'a HashMap<String, Vec<Instance>>,
    pub zones: &'a [(String, &'static str)],
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
    let (ht, uptimes, countables) = match derived_lines(&p, begin, end) {
        Some((uptimes, countables)) => {
            let cents: i64 = uptimes
                .iter()
                .map(|u| (u.price * 100.0).round() as i64)
                .chain(countables.iter().map(|c| (c.price * 100.0).round() as i64))
                .sum();
            let ht = (cents as f64 * (1.0 - p.discount / 100.0)).round() / 100.0;
            (ht, uptimes, countables)
        }
        None => {
            let lines_cents = (p.ht * 100.0 / (1.0 - p.discount / 100.0)).round() as i64;
            let (uptimes, countables) = line_items(&p, lines_cents, begin, end);
            (p.ht, uptimes, countables)
        }
    };
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
        total_tax_excluded: amount(p.currency, ht),
        total_tax: amount(p.currency, ht * 0.2),
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

// --- line items -----------------------------------------------------------------------------

/// Splits `cents` into one part per weight, in proportion and exactly (the last takes what
/// rounding left).
fn split_cents(cents: i64, weights: &[u64]) -> Vec<i64> {
    let sum = weights.iter().sum::<u64>().max(1) as i64;
    let mut parts: Vec<i64> = weights.iter().map(|w| cents * *w as i64 / sum).collect();
    let given: i64 = parts.iter().sum();
    if let Some(last) = parts.last_mut() {
        *last += cents - given;
    }
    parts
}

const FLAVORS: [&str; 5] = ["nano", "XS", "S", "M", "L"];
const ZONES: [&str; 4] = ["par", "rbx", "mtl", "sgp"];
const SERVICES: [(&str, &str); 3] = [
    ("cellar.storage", "GiB"),
    ("outbound.traffic", "GiB"),
    ("fs-bucket.storage", "GiB"),
];

/// The lines of a month the instances ran in (`None`: none did): per application, one
/// detail per instance with its hours in [`begin`, `end`) at its hourly price (to the cent);
/// then a metered service for some applications and the owner's support plan.
fn derived_lines(
    p: &InvoiceParts<'_>,
    begin: OffsetDateTime,
    end: OffsetDateTime,
) -> Option<(Vec<Uptime>, Vec<Countable>)> {
    if p.credit || p.zones.is_empty() {
        return None;
    }
    let mut uptimes = Vec::new();
    for (app, zone) in p.zones {
        let key = format!("{}-{app}", p.number);
        let mut details = Vec::new();
        for i in p.instances.get(app).map(Vec::as_slice).unwrap_or_default() {
            let Some(created) = i.creation_date else {
                continue;
            };
            let (from, to) = (
                created.max(begin),
                i.deletion_date.unwrap_or(p.now).min(end),
            );
            if to <= from {
                continue;
            }
            let Some(hourly) = crate::orchestration::seed::hourly_price(zone, &i.flavor) else {
                continue;
            };
            let hours = (to - from).as_seconds_f64() / 3600.0;
            details.push(UptimeDetail {
                instance_id: Some(i.id.clone()),
                flavor_name: Some(i.flavor.clone()),
                zone_id: Some((*zone).to_owned()),
                runtime_policy_id: Some(format!("runtime_{zone}_{}", i.flavor)),
                price: (hours * hourly * 100.0).round() / 100.0,
                consumption_start: Some(from),
                consumption_end: Some(to),
            });
        }
        if details.is_empty() {
            continue;
        }
        let cents: i64 = details
            .iter()
            .map(|d| (d.price * 100.0).round() as i64)
            .sum();
        uptimes.push(Uptime {
            item_id: Some(uuid(&format!("{key}-uptime"))),
            price: cents as f64 / 100.0,
            app_id: Some(app.clone()),
            owner_id: Some(p.owner.to_owned()),
            category: Some("RUNTIME".into()),
            sub_category: Some("APPLICATION".into()),
            details,
        });
    }
    // Only a month the instances cover whole is billed from them (the older ones keep their
    // seeded lines).
    let covered = p.zones.iter().any(|(app, _)| {
        p.instances
            .get(app)
            .and_then(|l| l.iter().filter_map(|i| i.creation_date).min())
            .is_some_and(|first| first <= begin)
    });
    if uptimes.is_empty() || !covered {
        return None;
    }
    let mut countables = Vec::new();
    for (app, _) in p.zones.iter().step_by(2) {
        let key = format!("{}-{app}", p.number);
        countables.push(service_line(
            p,
            app,
            &key,
            pick(&key, 150, 2400) as f64 / 100.0,
        ));
    }
    countables.push(support_line(p, 29.0));
    Some((uptimes, countables))
}

/// A metered service of `app` billed `price` (the service picked by `key`).
fn service_line(p: &InvoiceParts<'_>, app: &str, key: &str, price: f64) -> Countable {
    let (service, unit) = SERVICES[pick(key, 0, SERVICES.len() as u64) as usize];
    Countable {
        item_id: Some(uuid(&format!("{key}-countable"))),
        price,
        app_id: Some(app.to_owned()),
        owner_id: Some(p.owner.to_owned()),
        service: Some(service.into()),
        unit_name: Some(unit.into()),
        zone_id: Some("par".into()),
        quantity: pick(key, 1, 400) as f64 / 4.0,
        ..Countable::default()
    }
}

/// The owner's support plan for the month, billed `price`.
fn support_line(p: &InvoiceParts<'_>, price: f64) -> Countable {
    Countable {
        item_id: Some(uuid(&format!("{}-support", p.number))),
        price,
        owner_id: Some(p.owner.to_owned()),
        service: Some("support.standard".into()),
        unit_name: Some("month".into()),
        quantity: 1.0,
        ..Countable::default()
    }
}

/// Line items adding up to `cents`: running time of one to three instances per application,
/// a metered service for some, and the owner's support plan. Invoices older than a year bill
/// applications deleted since (the last two of `apps`).
fn line_items(
    p: &InvoiceParts<'_>,
    cents: i64,
    begin: OffsetDateTime,
    end: OffsetDateTime,
) -> (Vec<Uptime>, Vec<Countable>) {
    if p.apps.is_empty() || cents <= 0 {
        return (Vec::new(), Vec::new());
    }
    let old = p.now - p.emitted > Duration::days(365);
    let live = p.apps.len().saturating_sub(2);
    let apps: Vec<&String> = if old {
        p.apps.iter().collect()
    } else {
        p.apps[..live.max(1)].iter().collect()
    };
    // Per application: its running time and one metered service; then support.
    let mut weights: Vec<u64> = Vec::new();
    for app in &apps {
        let key = format!("{}-{app}", p.number);
        weights.push(pick(&key, 40, 100));
        weights.push(pick(&key, 2, 12));
    }
    weights.push(3);
    let parts = split_cents(cents, &weights);
    let money = |c: i64| c as f64 / 100.0;
    let mut uptimes = Vec::new();
    let mut countables = Vec::new();
    for (i, app) in apps.iter().enumerate() {
        let key = format!("{}-{app}", p.number);
        let instances = pick(&key, 1, 4) as usize;
        let detail_cents = split_cents(parts[2 * i], &vec![1; instances]);
        let flavor = FLAVORS[pick(app, 0, FLAVORS.len() as u64) as usize];
        let details = detail_cents
            .iter()
            .enumerate()
            .map(|(n, c)| {
                // The first instance ran all period; the others started later.
                let start = begin + Duration::days(n as i64 * 6);
                let scaled = n + 1 == instances && instances > 2;
                UptimeDetail {
                    instance_id: Some(format!("{}-{n}", uuid(&format!("{key}-instance")))),
                    flavor_name: Some(if scaled { "XL" } else { flavor }.into()),
                    zone_id: Some(ZONES[pick(&key, 0, 2) as usize + usize::from(scaled)].into()),
                    runtime_policy_id: None,
                    price: money(*c),
                    consumption_start: Some(start.min(end)),
                    consumption_end: Some(end),
                }
            })
            .collect();
        uptimes.push(Uptime {
            item_id: Some(uuid(&format!("{key}-uptime"))),
            price: money(parts[2 * i]),
            app_id: Some((*app).clone()),
            owner_id: Some(p.owner.to_owned()),
            category: Some("RUNTIME".into()),
            sub_category: Some("APPLICATION".into()),
            details,
        });
        countables.push(service_line(p, app, &key, money(parts[2 * i + 1])));
    }
    countables.push(support_line(p, money(parts[parts.len() - 1])));
    (uptimes, countables)
}

#[cfg(test)]
mod tests {
    use crate::world::World;
    use time::macros::datetime;

    #[test]
    fn invoice_lines_add_up_to_the_totals_but_for_a_discount() {
        let (w, _) = World::build(datetime!(2026-11-27 04:00 UTC), 0, (0, 0));
        let mut derived = 0;
        let mut discounted = 0;
        let mut deleted_billed = false;
        for inv in w.invoices.values().flatten() {
            if inv.is_credit_note() {
                assert!(inv.uptimes.is_empty() && inv.countables.is_empty());
                continue;
            }
            let cents: i64 = inv
                .uptimes
                .iter()
                .flat_map(|u| &u.details)
                .map(|d| (d.price * 100.0).round() as i64)
                .chain(
                    inv.countables
                        .iter()
                        .map(|c| (c.price * 100.0).round() as i64),
                )
                .sum();
            let uptime_cents: i64 = inv
                .uptimes
                .iter()
                .map(|u| (u.price * 100.0).round() as i64)
                .sum();
            let detail_cents: i64 = inv
                .uptimes
                .iter()
                .flat_map(|u| &u.details)
                .map(|d| (d.price * 100.0).round() as i64)
                .sum();
            assert_eq!(uptime_cents, detail_cents, "{}", inv.invoice_number);
            let total = (inv.total_tax_excluded.amount * 100.0).round() as i64;
            derived += usize::from(
                inv.uptimes
                    .iter()
                    .flat_map(|u| &u.details)
                    .any(|d| d.runtime_policy_id.is_some()),
            );
            if inv.discount == Some(10.0) {
                discounted += 1;
                assert!(cents > total, "{}", inv.invoice_number);
            } else {
                assert_eq!(cents, total, "{}", inv.invoice_number);
            }
            deleted_billed |= inv.uptimes.iter().any(|u| {
                u.app_id
                    .as_deref()
                    .is_some_and(|a| !w.owner_of.contains_key(a))
            });
        }
        assert_eq!(discounted, 4, "one per owner");
        assert!(
            derived >= 4,
            "the latest months are billed from the instances"
        );
        assert!(deleted_billed);
    }
}
