//! The line items of the demo's invoice details: running time of each application's instances
//! (flavor, zone, period) and a metered service each, plus the owner's support plan, adding up
//! to the invoice's total to the cent (or to more, by its discount). Applications deleted since
//! are billed in invoices older than a year.

use crate::billing::seed::InvoiceParts;
use crate::ids::{pick, uuid};
use app::model::billing::{Countable, Uptime, UptimeDetail};
use time::{Duration, OffsetDateTime};

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

/// Line items adding up to `cents`: running time of one to three instances per application,
/// a metered service for some, and the owner's support plan. Invoices older than a year bill
/// applications deleted since (the last two of `apps`).
pub(crate) fn line_items(
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
        let (service, unit) = SERVICES[pick(&key, 0, SERVICES.len() as u64) as usize];
        countables.push(Countable {
            item_id: Some(uuid(&format!("{key}-countable"))),
            price: money(parts[2 * i + 1]),
            app_id: Some((*app).clone()),
            owner_id: Some(p.owner.to_owned()),
            service: Some(service.into()),
            unit_name: Some(unit.into()),
            zone_id: Some("par".into()),
            quantity: pick(&key, 1, 400) as f64 / 4.0,
            ..Countable::default()
        });
    }
    countables.push(Countable {
        item_id: Some(uuid(&format!("{}-support", p.number))),
        price: money(parts[parts.len() - 1]),
        owner_id: Some(p.owner.to_owned()),
        service: Some("support.standard".into()),
        unit_name: Some("month".into()),
        quantity: 1.0,
        ..Countable::default()
    });
    (uptimes, countables)
}

#[cfg(test)]
mod tests {
    use crate::world::World;
    use time::macros::datetime;

    #[test]
    fn invoice_lines_add_up_to_the_totals_but_for_a_discount() {
        let (w, _) = World::build(datetime!(2026-11-27 04:00 UTC), 0);
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
        assert!(deleted_billed);
    }
}
