//! What a year cost, per currency, by month of consumption: each line's amount split over the
//! calendar months it spans, credit notes netted, what lines do not explain in an adjustments
//! row.

use super::breakdown::{Payer, uptime_amount};
use crate::model::Timestamp;
use crate::model::billing::Invoice;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
        let currency = crate::logic::billing::currency(inv).to_owned();
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
    use crate::model::billing::{Amount, Countable};
    use time::macros::datetime;

    fn names(id: &str) -> Option<String> {
        (id == "app_api").then(|| "api-gateway".to_owned())
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
