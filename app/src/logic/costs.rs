//! What each application cost: an invoice's line items grouped by application (then by
//! instance flavor and zone for running time, by service for metered services), a check that
//! the lines add up to the invoice's total excluding tax, and the split of a line over the
//! calendar months it spans.

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
            Self::Deleted { id } => format!("Deleted application ({})", super::short_id(id)),
            Self::Owner => "Organisation-wide services".to_owned(),
        }
    }

    fn of(app_id: Option<&str>, name_of: &impl Fn(&str) -> Option<String>) -> Self {
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
fn uptime_amount(u: &Uptime) -> f64 {
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

/// First and last years a costs table (or a year's archive) may be asked for.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A calendar month, `(year, month 1–12)`.
pub type Month = (i32, u8);

/// Splits `amount`, consumed from `from` to `to`, over the calendar months it spans, in
/// proportion to the time in each (UTC). Without a usable period, it all goes to `fallback`.
pub fn split_by_month(
    from: Option<Timestamp>,
    to: Option<Timestamp>,
    amount: f64,
    fallback: Month,
) -> Vec<(Month, f64)> {
    let (Some(from), Some(to)) = (from, to) else {
        return vec![(fallback, amount)];
    };
    if to <= from {
        return vec![(month_of(from), amount)];
    }
    let span = (to - from).as_seconds_f64();
    let mut out = Vec::new();
    let mut at = from;
    while at < to {
        let next = next_month_start(at).min(to);
        let share = (next - at).as_seconds_f64() / span;
        out.push((month_of(at), amount * share));
        at = next;
    }
    out
}

fn month_of(t: Timestamp) -> Month {
    let t = t.to_offset(time::UtcOffset::UTC);
    (t.year(), u8::from(t.month()))
}

fn next_month_start(t: Timestamp) -> Timestamp {
    let t = t.to_offset(time::UtcOffset::UTC);
    let (y, m) = if t.month() == time::Month::December {
        (t.year() + 1, time::Month::January)
    } else {
        (t.year(), t.month().next())
    };
    time::Date::from_calendar_date(y, m, 1)
        .map(|d| d.midnight().assume_utc())
        // Past the calendar's end: nothing after it to split into.
        .unwrap_or(time::PrimitiveDateTime::MAX.assume_utc())
}

/// One row of a year's table: a payer's cost per month of consumption.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostRow {
    pub label: String,
    /// What the row stands for, for styling: `app`, `deleted`, `owner` or `adjustment`.
    pub kind: String,
    /// January to December.
    pub months: [f64; 12],
    pub total: f64,
}

/// A year's costs in one currency.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CurrencyCosts {
    pub currency: String,
    /// The largest first; adjustments (discounts, credit notes) last.
    pub rows: Vec<CostRow>,
    pub month_totals: [f64; 12],
    pub total: f64,
}

/// An invoice whose details could not be read: a gap in the table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    pub number: String,
    pub message: String,
}

/// What a year cost, per currency, by month of consumption.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct YearCosts {
    pub year: i32,
    /// Documents read (invoices and credit notes).
    pub documents: usize,
    pub currencies: Vec<CurrencyCosts>,
    pub gaps: Vec<Gap>,
}

/// The row key of a payer.
fn row_of(payer: &Payer) -> (String, &'static str) {
    let kind = match payer {
        Payer::Known { .. } => "app",
        Payer::Deleted { .. } => "deleted",
        Payer::Owner => "owner",
    };
    (payer.label(), kind)
}

/// Label of the row netting discounts, price factors and credit notes without lines.
pub const ADJUSTMENTS: &str = "Discounts, credit notes and adjustments";

/// Builds a year's table from detailed documents (invoices issued from January of `year` to
/// January of the next, so December's consumption is in): each line's amount goes to the
/// months it was consumed in (split by time), a credit note's lines count negative, and what
/// lines do not explain (a discount, a credit note without lines) goes to an adjustments row
/// in the month consumed. Amounts consumed outside `year` are left to that year's table.
pub fn year_costs(
    year: i32,
    documents: &[Invoice],
    gaps: Vec<Gap>,
    name_of: impl Fn(&str) -> Option<String>,
) -> YearCosts {
    // currency -> (label, kind) -> months
    let mut table: BTreeMap<String, BTreeMap<(String, &'static str), [f64; 12]>> = BTreeMap::new();
    let mut add = |currency: &str, row: (String, &'static str), month: Month, amount: f64| {
        if month.0 != year || !(1..=12).contains(&month.1) {
            return;
        }
        let months = table
            .entry(currency.to_owned())
            .or_default()
            .entry(row)
            .or_insert([0.0; 12]);
        months[usize::from(month.1 - 1)] += amount;
    };
    for inv in documents {
        let currency = super::billing::currency(inv).to_owned();
        let sign = if inv.is_credit_note() { -1.0 } else { 1.0 };
        let begin = inv.consumption_begin_date.or(inv.emission_date);
        let fallback = begin.map(month_of).unwrap_or((year, 1));
        for u in &inv.uptimes {
            let row = row_of(&Payer::of(u.app_id.as_deref(), &name_of));
            if u.details.is_empty() {
                for (m, a) in split_by_month(begin, inv.consumption_end_date, u.price, fallback) {
                    add(&currency, row.clone(), m, sign * a);
                }
            }
            for d in &u.details {
                let (from, to) = (
                    d.consumption_start.or(begin),
                    d.consumption_end.or(inv.consumption_end_date),
                );
                for (m, a) in split_by_month(from, to, d.price, fallback) {
                    add(&currency, row.clone(), m, sign * a);
                }
            }
        }
        for c in &inv.countables {
            let row = row_of(&Payer::of(c.app_id.as_deref(), &name_of));
            for (m, a) in split_by_month(begin, inv.consumption_end_date, c.price, fallback) {
                add(&currency, row.clone(), m, sign * a);
            }
        }
        // What the lines do not account for: a discount, or a document without lines.
        let lines = inv.uptimes.iter().map(uptime_amount).sum::<f64>()
            + inv.countables.iter().map(|c| c.price).sum::<f64>();
        let rest = inv.total_tax_excluded.amount.abs() - lines;
        if rest.abs() >= 0.005 {
            let row = (ADJUSTMENTS.to_owned(), "adjustment");
            for (m, a) in split_by_month(begin, inv.consumption_end_date, rest, fallback) {
                add(&currency, row.clone(), m, sign * a);
            }
        }
    }
    let currencies = table
        .into_iter()
        .map(|(currency, rows)| {
            let mut rows: Vec<CostRow> = rows
                .into_iter()
                .map(|((label, kind), months)| CostRow {
                    total: months.iter().sum(),
                    label,
                    kind: kind.to_owned(),
                    months,
                })
                .collect();
            rows.sort_by(|a, b| {
                let last = |r: &CostRow| (r.kind == "adjustment", r.kind == "owner");
                last(a)
                    .cmp(&last(b))
                    .then(b.total.total_cmp(&a.total))
                    .then_with(|| a.label.cmp(&b.label))
            });
            let mut month_totals = [0.0; 12];
            for r in &rows {
                for (t, m) in month_totals.iter_mut().zip(r.months) {
                    *t += m;
                }
            }
            CurrencyCosts {
                currency,
                total: month_totals.iter().sum(),
                rows,
                month_totals,
            }
        })
        .collect();
    YearCosts {
        year,
        documents: documents.len() + gaps.len(),
        currencies,
        gaps,
    }
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

    fn monthly(number: &str, month: u8, currency: &str, app: &str, price: f64) -> Invoice {
        let start = time::Date::from_calendar_date(2024, time::Month::try_from(month).unwrap(), 1)
            .unwrap()
            .midnight()
            .assume_utc();
        let end = start + time::Duration::days(28);
        Invoice {
            invoice_number: number.into(),
            currency: currency.into(),
            total_tax_excluded: Amount {
                amount: price,
                ..Amount::default()
            },
            consumption_begin_date: Some(start),
            consumption_end_date: Some(end),
            emission_date: Some(end + time::Duration::days(4)),
            countables: vec![Countable {
                app_id: Some(app.into()),
                service: Some("x".into()),
                price,
                ..Countable::default()
            }],
            ..Invoice::default()
        }
    }

    #[test]
    fn a_year_sums_per_currency_and_month_and_nets_credit_notes() {
        let mut credit = monthly("CN-1", 3, "EUR", "app_api", 4.0);
        credit.kind = crate::model::billing::InvoiceKind::CreditNote;
        credit.countables.clear();
        let mut discounted = monthly("D-1", 4, "EUR", "app_api", 9.0);
        discounted.countables[0].price = 10.0;
        discounted.discount = Some(10.0);
        let docs = vec![
            monthly("E-1", 2, "EUR", "app_api", 10.0),
            monthly("E-2", 3, "EUR", "app_gone", 5.0),
            monthly("U-1", 3, "USD", "app_api", 7.0),
            credit,
            discounted,
            // Consumed in the year before: left to that year's table.
            Invoice {
                consumption_begin_date: Some(datetime!(2023-12-01 00:00 UTC)),
                consumption_end_date: Some(datetime!(2023-12-29 00:00 UTC)),
                ..monthly("E-0", 1, "EUR", "app_api", 99.0)
            },
        ];
        let gaps = vec![Gap {
            number: "E-9".into(),
            message: "unavailable".into(),
        }];
        let y = year_costs(2024, &docs, gaps, names);
        assert_eq!(y.documents, 7);
        assert_eq!(y.currencies.len(), 2);
        let eur = &y.currencies[0];
        assert_eq!(eur.currency, "EUR");
        let labels: Vec<&str> = eur.rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(
            labels,
            ["api-gateway", "Deleted application (app_gone)", ADJUSTMENTS]
        );
        let api = &eur.rows[0];
        assert_eq!(api.months[1], 10.0, "February");
        assert_eq!(api.months[3], 10.0, "April, before the discount");
        assert_eq!(api.total, 20.0);
        let adj = &eur.rows[2];
        assert_eq!(adj.months[2], -4.0, "the credit note, netted in March");
        assert!((adj.months[3] + 1.0).abs() < 1e-9, "the discount in April");
        assert!(
            (eur.total - (10.0 + 5.0 - 4.0 + 9.0)).abs() < 1e-9,
            "{}",
            eur.total
        );
        assert_eq!(eur.month_totals[2], 1.0);
        assert_eq!(y.currencies[1].total, 7.0, "USD apart");
        assert_eq!(y.gaps[0].number, "E-9");
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

    #[test]
    fn a_line_spanning_two_months_is_split_by_time() {
        let split = split_by_month(
            Some(datetime!(2024-01-21 00:00 UTC)),
            Some(datetime!(2024-02-11 00:00 UTC)),
            21.0,
            (2024, 2),
        );
        assert_eq!(split.len(), 2);
        assert_eq!(split[0].0, (2024, 1));
        assert!((split[0].1 - 11.0).abs() < 1e-9, "{split:?}");
        assert_eq!(split[1].0, (2024, 2));
        assert!((split[1].1 - 10.0).abs() < 1e-9, "{split:?}");
        // Across a year end, and without a period.
        let split = split_by_month(
            Some(datetime!(2023-12-31 12:00 UTC)),
            Some(datetime!(2024-01-01 12:00 UTC)),
            2.0,
            (2024, 1),
        );
        assert_eq!(split, vec![((2023, 12), 1.0), ((2024, 1), 1.0)]);
        assert_eq!(
            split_by_month(None, None, 3.0, (2024, 5)),
            vec![((2024, 5), 3.0)]
        );
    }
}
