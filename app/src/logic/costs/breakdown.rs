//! What each application cost on one invoice: its line items grouped by application (then by
//! instance flavor and zone for running time, by service for metered services), and a check
//! that the lines add up to the invoice's total excluding tax.

use crate::model::Timestamp;
use crate::model::billing::{Countable, Invoice, Uptime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who a group of lines is for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Payer {
    /// An application or add-on the navigation data names.
    Known { id: String, name: String },
    /// An id the navigation data does not have any more: deleted since.
    Deleted { id: String },
    /// Lines with no application: the owner's own services.
    Owner,
}

impl Payer {
    /// How the page names it.
    pub fn label(&self) -> String {
        match self {
            Self::Known { name, .. } => name.clone(),
            Self::Deleted { id } => format!("Deleted application ({})", crate::logic::short_id(id)),
            Self::Owner => "Organisation-wide services".to_owned(),
        }
    }

    pub(super) fn of(app_id: Option<&str>, name_of: &impl Fn(&str) -> Option<String>) -> Self {
        match app_id.filter(|id| !id.is_empty()) {
            None => Self::Owner,
            Some(id) => match name_of(id) {
                Some(name) => Self::Known {
                    id: id.to_owned(),
                    name,
                },
                None => Self::Deleted { id: id.to_owned() },
            },
        }
    }
}

/// Running time of one flavor in one zone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UptimeRow {
    pub flavor: String,
    pub zone: String,
    /// Distinct instances.
    pub instances: usize,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub amount: f64,
}

/// One metered service.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CountableRow {
    pub service: String,
    pub quantity: f64,
    pub unit: String,
    pub amount: f64,
}

/// The lines of one payer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PayerLines {
    pub payer: Payer,
    pub total: f64,
    pub uptimes: Vec<UptimeRow>,
    pub countables: Vec<CountableRow>,
}

/// Whether the lines add up to the invoice's total excluding tax.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub lines: f64,
    pub total: f64,
    /// `total - lines`.
    pub difference: f64,
    /// Why they differ, when they do.
    pub explanation: Option<String>,
}

impl Check {
    /// Whether the lines match the total to the cent.
    pub fn adds_up(&self) -> bool {
        self.difference.abs() < 0.005
    }
}

/// An invoice's lines by payer, the largest first (the owner's own services last).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    pub payers: Vec<PayerLines>,
    pub check: Check,
}

fn text(v: &Option<String>) -> String {
    v.as_deref()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or("—")
        .to_owned()
}

fn earliest(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn latest(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Adds one uptime line to the rows of its payer, by (flavor, zone). A line without details
/// stands as one row under its category.
fn add_uptime(rows: &mut BTreeMap<(String, String), (UptimeRow, Vec<String>)>, u: &Uptime) {
    if u.details.is_empty() {
        let flavor = text(&u.sub_category.clone().or_else(|| u.category.clone()));
        let (row, _) = rows
            .entry((flavor.clone(), "—".to_owned()))
            .or_insert_with(|| {
                let row = UptimeRow {
                    flavor,
                    zone: "—".to_owned(),
                    ..UptimeRow::default()
                };
                (row, Vec::new())
            });
        row.amount += u.price;
        return;
    }
    for d in &u.details {
        let key = (text(&d.flavor_name), text(&d.zone_id));
        let (row, seen) = rows.entry(key.clone()).or_insert_with(|| {
            let row = UptimeRow {
                flavor: key.0.clone(),
                zone: key.1.clone(),
                ..UptimeRow::default()
            };
            (row, Vec::new())
        });
        row.amount += d.price;
        row.from = earliest(row.from, d.consumption_start);
        row.to = latest(row.to, d.consumption_end);
        if let Some(id) = d.instance_id.as_ref().filter(|id| !seen.contains(id)) {
            seen.push(id.clone());
            row.instances += 1;
        }
    }
}

fn add_countable(rows: &mut BTreeMap<(String, String), CountableRow>, c: &Countable) {
    let key = (text(&c.service), text(&c.unit_name));
    let row = rows.entry(key.clone()).or_insert_with(|| CountableRow {
        service: key.0.clone(),
        unit: key.1.clone(),
        ..CountableRow::default()
    });
    row.quantity += c.quantity;
    row.amount += c.price;
}

/// The amount an uptime line counts for: its details' sum when it has details, else its price.
pub(super) fn uptime_amount(u: &Uptime) -> f64 {
    if u.details.is_empty() {
        u.price
    } else {
        u.details.iter().map(|d| d.price).sum()
    }
}

/// Groups `inv`'s lines by payer; `name_of` names an application or add-on id from the
/// navigation data (`None`: deleted since).
pub fn breakdown(inv: &Invoice, name_of: impl Fn(&str) -> Option<String>) -> Breakdown {
    type Rows = (
        BTreeMap<(String, String), (UptimeRow, Vec<String>)>,
        BTreeMap<(String, String), CountableRow>,
    );
    let mut by_payer: BTreeMap<Payer, Rows> = BTreeMap::new();
    for u in &inv.uptimes {
        let payer = Payer::of(u.app_id.as_deref(), &name_of);
        add_uptime(&mut by_payer.entry(payer).or_default().0, u);
    }
    for c in &inv.countables {
        let payer = Payer::of(c.app_id.as_deref(), &name_of);
        add_countable(&mut by_payer.entry(payer).or_default().1, c);
    }
    let mut payers: Vec<PayerLines> = by_payer
        .into_iter()
        .map(|(payer, (uptimes, countables))| {
            let uptimes: Vec<UptimeRow> = uptimes.into_values().map(|(row, _)| row).collect();
            let countables: Vec<CountableRow> = countables.into_values().collect();
            let total = uptimes.iter().map(|r| r.amount).sum::<f64>()
                + countables.iter().map(|r| r.amount).sum::<f64>();
            PayerLines {
                payer,
                total,
                uptimes,
                countables,
            }
        })
        .collect();
    payers.sort_by(|a, b| {
        (a.payer == Payer::Owner)
            .cmp(&(b.payer == Payer::Owner))
            .then(b.total.total_cmp(&a.total))
            .then_with(|| a.payer.cmp(&b.payer))
    });
    let lines = inv.uptimes.iter().map(uptime_amount).sum::<f64>()
        + inv.countables.iter().map(|c| c.price).sum::<f64>();
    Breakdown {
        payers,
        check: check(inv, lines),
    }
}

/// The check row: the lines against the total excluding tax, and what explains a difference.
fn check(inv: &Invoice, lines: f64) -> Check {
    let total = inv.total_tax_excluded.amount;
    let difference = total - lines;
    let mut c = Check {
        lines,
        total,
        difference,
        explanation: None,
    };
    if c.adds_up() {
        return c;
    }
    let factor = inv.price_factor.filter(|f| *f > 0.0).unwrap_or(1.0);
    let discount = inv.discount.unwrap_or(0.0);
    let expected = lines * factor * (1.0 - discount / 100.0);
    let mut why = Vec::new();
    if discount != 0.0 {
        why.push(format!("a discount of {discount}%"));
    }
    if factor != 1.0 {
        why.push(format!("a price factor of {factor}"));
    }
    c.explanation = Some(if !why.is_empty() && (expected - total).abs() < 0.01 {
        format!("The invoice applies {} to its lines.", why.join(" and "))
    } else if !why.is_empty() {
        format!(
            "The invoice applies {}, which does not account for all of it: credits, rounding \
             or lines the API does not list.",
            why.join(" and ")
        )
    } else {
        "Not explained by the invoice's fields: credits, rounding or lines the API does not \
         list."
            .to_owned()
    });
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::billing::{Amount, UptimeDetail};
    use time::macros::datetime;

    fn detail(instance: &str, flavor: &str, zone: &str, price: f64) -> UptimeDetail {
        UptimeDetail {
            instance_id: Some(instance.into()),
            flavor_name: Some(flavor.into()),
            zone_id: Some(zone.into()),
            price,
            consumption_start: Some(datetime!(2024-01-01 00:00 UTC)),
            consumption_end: Some(datetime!(2024-02-01 00:00 UTC)),
            ..UptimeDetail::default()
        }
    }

    fn invoice(total: f64) -> Invoice {
        Invoice {
            invoice_number: "CC-1".into(),
            currency: "EUR".into(),
            total_tax_excluded: Amount {
                amount: total,
                ..Amount::default()
            },
            uptimes: vec![
                Uptime {
                    app_id: Some("app_api".into()),
                    price: 30.0,
                    details: vec![
                        detail("i1", "S", "par", 10.0),
                        detail("i2", "S", "par", 10.0),
                        detail("i3", "M", "rbx", 10.0),
                    ],
                    ..Uptime::default()
                },
                Uptime {
                    app_id: Some("app_gone".into()),
                    price: 5.0,
                    category: Some("RUNTIME".into()),
                    ..Uptime::default()
                },
            ],
            countables: vec![
                Countable {
                    app_id: Some("app_api".into()),
                    service: Some("fs-bucket".into()),
                    unit_name: Some("GiB".into()),
                    quantity: 12.0,
                    price: 1.5,
                    ..Countable::default()
                },
                Countable {
                    app_id: Some("app_api".into()),
                    service: Some("fs-bucket".into()),
                    unit_name: Some("GiB".into()),
                    quantity: 8.0,
                    price: 1.0,
                    ..Countable::default()
                },
                Countable {
                    service: Some("support".into()),
                    quantity: 1.0,
                    price: 2.5,
                    ..Countable::default()
                },
            ],
            ..Invoice::default()
        }
    }

    fn names(id: &str) -> Option<String> {
        (id == "app_api").then(|| "api-gateway".to_owned())
    }

    #[test]
    fn lines_are_grouped_by_application_then_flavor_zone_and_service() {
        let b = breakdown(&invoice(40.0), names);
        let labels: Vec<String> = b.payers.iter().map(|p| p.payer.label()).collect();
        assert_eq!(
            labels,
            [
                "api-gateway",
                "Deleted application (app_gone)",
                "Organisation-wide services"
            ]
        );
        let api = &b.payers[0];
        assert_eq!(api.total, 32.5);
        assert_eq!(api.uptimes.len(), 2);
        let s_par = &api.uptimes[1];
        assert_eq!((s_par.flavor.as_str(), s_par.zone.as_str()), ("S", "par"));
        assert_eq!((s_par.instances, s_par.amount), (2, 20.0));
        assert_eq!(s_par.from, Some(datetime!(2024-01-01 00:00 UTC)));
        assert_eq!(api.countables.len(), 1, "one row per service and unit");
        assert_eq!(api.countables[0].quantity, 20.0);
        assert_eq!(api.countables[0].amount, 2.5);
        let gone = &b.payers[1];
        assert_eq!(gone.uptimes[0].flavor, "RUNTIME", "a line without details");
        assert_eq!(gone.total, 5.0);
    }

    #[test]
    fn the_check_row_adds_up_or_explains_the_difference() {
        let b = breakdown(&invoice(40.0), names);
        assert!(b.check.adds_up(), "{:?}", b.check);
        assert_eq!(b.check.lines, 40.0);
        assert!(b.check.explanation.is_none());

        let mut discounted = invoice(36.0);
        discounted.discount = Some(10.0);
        let c = breakdown(&discounted, names).check;
        assert!(!c.adds_up());
        assert_eq!(c.difference, -4.0);
        assert_eq!(
            c.explanation.as_deref(),
            Some("The invoice applies a discount of 10% to its lines.")
        );

        let c = breakdown(&invoice(39.0), names).check;
        assert!(
            c.explanation
                .is_some_and(|e| e.starts_with("Not explained"))
        );
    }

    #[test]
    fn an_invoice_without_lines_has_no_payers() {
        let inv = Invoice {
            total_tax_excluded: Amount {
                amount: 12.0,
                ..Amount::default()
            },
            ..Invoice::default()
        };
        let b = breakdown(&inv, names);
        assert!(b.payers.is_empty());
        assert_eq!(b.check.lines, 0.0);
        assert!(!b.check.adds_up());
    }
}
