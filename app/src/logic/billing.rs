//! Invoices as an accountant reads them: grouped by status, credit notes negative, totals per
//! year and month and per currency, filters from the URL.

use super::filters::{Checker, clip};
use super::money::{PerCurrency, Sums};
use super::url_filter::{Field, UrlFilter, one};
use crate::model::billing::{Invoice, InvoiceStatus};
use crate::query::InvoiceQuery;
use leptos_router::params::ParamsMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where an invoice is listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Group {
    /// To be paid: PENDING, PAYMENTHELD, WONTPAY.
    Pending,
    /// Payment being validated: PROCESSING.
    AwaitingValidation,
    /// Done: PAID, CANCELED, REFUNDED.
    Closed,
    /// A status this dashboard does not know; listed with its raw name.
    Other,
}

impl Group {
    /// The group of a status.
    pub fn of(status: &InvoiceStatus) -> Self {
        match status {
            InvoiceStatus::Pending | InvoiceStatus::PaymentHeld | InvoiceStatus::WontPay => {
                Self::Pending
            }
            InvoiceStatus::Processing => Self::AwaitingValidation,
            InvoiceStatus::Paid | InvoiceStatus::Canceled | InvoiceStatus::Refunded => Self::Closed,
            InvoiceStatus::Unknown(_) => Self::Other,
        }
    }

    /// Section title.
    pub fn title(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::AwaitingValidation => "Awaiting payment validation",
            Self::Closed => "Paid and closed",
            Self::Other => "Other statuses",
        }
    }
}

/// Amounts of a document, signed: a credit note counts negative whatever sign it was sent with.
pub fn signed(inv: &Invoice) -> (f64, f64) {
    let (ht, tax) = (inv.total_tax_excluded.amount, inv.total_tax.amount);
    if inv.is_credit_note() {
        (-ht.abs(), -tax.abs())
    } else {
        (ht, tax)
    }
}

/// The currency of a document (the invoice's, else its amount's).
pub fn currency(inv: &Invoice) -> &str {
    if inv.currency.is_empty() {
        &inv.total_tax_excluded.currency
    } else {
        &inv.currency
    }
}

/// Year of emission (`None` without a date).
pub fn year(inv: &Invoice) -> Option<i32> {
    inv.emission_date.map(|d| d.year())
}

/// Newest first; undated last; then by number, for a stable order.
pub fn sort_newest_first(list: &mut [Invoice]) {
    list.sort_by(|a, b| {
        b.emission_date
            .cmp(&a.emission_date)
            .then_with(|| b.invoice_number.cmp(&a.invoice_number))
    });
}

/// Totals of a list of documents.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub all: PerCurrency,
    pub by_year: BTreeMap<i32, PerCurrency>,
    /// Key: (year, month 1..=12).
    pub by_month: BTreeMap<(i32, u8), PerCurrency>,
}

/// Sums every document; credit notes negative, one sum per currency. Cancelled invoices are
/// left out: they are not owed.
pub fn totals<'a>(list: impl IntoIterator<Item = &'a Invoice>) -> Totals {
    let mut t = Totals::default();
    for inv in list {
        if inv.status == InvoiceStatus::Canceled {
            continue;
        }
        let (ht, tax) = signed(inv);
        let cur = currency(inv).to_owned();
        t.all.entry(cur.clone()).or_default().add(ht, tax);
        if let Some(d) = inv.emission_date {
            t.by_year
                .entry(d.year())
                .or_default()
                .entry(cur.clone())
                .or_default()
                .add(ht, tax);
            t.by_month
                .entry((d.year(), u8::from(d.month())))
                .or_default()
                .entry(cur)
                .or_default()
                .add(ht, tax);
        }
    }
    t
}

/// The filters of the invoices page, as found in its URL query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InvoiceFilter {
    pub since: Option<String>,
    pub until: Option<String>,
    pub limit: Option<String>,
    /// Year shown in "paid and closed".
    pub year: Option<String>,
    /// Search by invoice number.
    pub q: Option<String>,
}

/// Largest `limit` accepted.
pub const MAX_LIMIT: u32 = 10_000;

impl InvoiceFilter {
    /// Checks the filters; the upstream query, or a message naming each bad field.
    pub fn upstream_query(&self) -> Result<InvoiceQuery, String> {
        let mut c = Checker::default();
        let since = c.date("Since", &self.since);
        let until = c.date("Until", &self.until);
        let limit = c.limit("Limit", &self.limit, MAX_LIMIT);
        c.range(since, until);
        if let Some(y) = self
            .year
            .as_deref()
            .map(str::trim)
            .filter(|y| !y.is_empty())
            && !y.parse::<i32>().is_ok_and(|y| (2000..=2200).contains(&y))
        {
            c.fail(format!(
                "Year must be a year like 2024 (got \"{}\")",
                clip(y)
            ));
        }
        c.finish(InvoiceQuery {
            since,
            until,
            limit,
        })
    }

    /// The selected year, if valid.
    pub fn year(&self) -> Option<i32> {
        self.year.as_deref().and_then(|y| y.trim().parse().ok())
    }

    /// Whether `inv` matches the number search (case-insensitive substring).
    pub fn matches(&self, inv: &Invoice) -> bool {
        match self.q.as_deref().map(str::trim) {
            None | Some("") => true,
            Some(q) => inv
                .invoice_number
                .to_lowercase()
                .contains(&q.to_lowercase()),
        }
    }
}

impl UrlFilter for InvoiceFilter {
    fn from_query(q: &ParamsMap) -> Self {
        Self {
            since: one(q, "since"),
            until: one(q, "until"),
            limit: one(q, "limit"),
            year: one(q, "year"),
            q: one(q, "q"),
        }
    }

    fn fields(&self) -> Vec<Field<'_>> {
        vec![
            Field::One("since", &self.since),
            Field::One("until", &self.until),
            Field::One("limit", &self.limit),
            Field::One("year", &self.year),
            Field::One("q", &self.q),
        ]
    }
}

/// Invoices split into their groups, each newest first.
pub fn grouped(list: &[Invoice]) -> BTreeMap<Group, Vec<Invoice>> {
    let mut out: BTreeMap<Group, Vec<Invoice>> = BTreeMap::new();
    for inv in list {
        out.entry(Group::of(&inv.status))
            .or_default()
            .push(inv.clone());
    }
    for l in out.values_mut() {
        sort_newest_first(l);
    }
    out
}

/// Years present among `list`, newest first.
pub fn years(list: &[Invoice]) -> Vec<i32> {
    let mut ys: Vec<i32> = list.iter().filter_map(year).collect();
    ys.sort_unstable_by(|a, b| b.cmp(a));
    ys.dedup();
    ys
}

/// Sums per currency (helper for views).
pub fn sum_of(per: &PerCurrency, currency: &str) -> Sums {
    per.get(currency).copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::billing::{Amount, InvoiceKind};
    use crate::model::date;

    fn inv(n: &str, status: &str, date: &str, cur: &str, ht: f64, kind: &str) -> Invoice {
        Invoice {
            invoice_number: n.into(),
            status: InvoiceStatus::from_wire(status),
            kind: InvoiceKind::from_wire(kind),
            emission_date: date::parse(date),
            currency: cur.into(),
            total_tax_excluded: Amount {
                amount: ht,
                currency: cur.into(),
                ..Amount::default()
            },
            total_tax: Amount {
                amount: ht / 5.0,
                currency: cur.into(),
                ..Amount::default()
            },
            ..Invoice::default()
        }
    }

    #[test]
    fn groups_follow_the_console() {
        for (s, g) in [
            ("PENDING", Group::Pending),
            ("PAYMENTHELD", Group::Pending),
            ("WONTPAY", Group::Pending),
            ("PROCESSING", Group::AwaitingValidation),
            ("PAID", Group::Closed),
            ("CANCELED", Group::Closed),
            ("REFUNDED", Group::Closed),
            ("DISPUTED", Group::Other),
        ] {
            assert_eq!(Group::of(&InvoiceStatus::from_wire(s)), g, "{s}");
        }
    }

    #[test]
    fn lists_invoices_grouped_newest_first() {
        let list = vec![
            inv("A1", "PAID", "2023-01-01", "EUR", 10.0, "INVOICE"),
            inv("A3", "PAID", "2024-03-01", "EUR", 10.0, "INVOICE"),
            inv("A2", "PENDING", "2024-02-01", "EUR", 10.0, "INVOICE"),
            inv("X", "DISPUTED", "2024-02-01", "EUR", 10.0, "INVOICE"),
        ];
        let g = grouped(&list);
        let closed: Vec<_> = g[&Group::Closed]
            .iter()
            .map(|i| i.invoice_number.as_str())
            .collect();
        assert_eq!(closed, ["A3", "A1"]);
        assert_eq!(g[&Group::Other][0].status.as_str(), "DISPUTED");
        assert!(!g.contains_key(&Group::AwaitingValidation));
        assert_eq!(years(&list), [2024, 2023]);
    }

    #[test]
    fn credit_notes_count_negative_whatever_their_sign() {
        let a = inv("C1", "PAID", "2024-01-01", "EUR", 50.0, "CREDITNOTE");
        let b = inv("C2", "PAID", "2024-01-01", "EUR", -50.0, "CREDITNOTE");
        assert_eq!(signed(&a), (-50.0, -10.0));
        assert_eq!(signed(&b), (-50.0, -10.0));
        let c = inv("I1", "PAID", "2024-01-01", "EUR", 50.0, "INVOICE");
        assert_eq!(signed(&c), (50.0, 10.0));
    }

    #[test]
    fn totals_are_per_currency_year_and_month() {
        let list = vec![
            inv("1", "PAID", "2024-01-05", "EUR", 100.0, "INVOICE"),
            inv("2", "PAID", "2024-01-20", "USD", 40.0, "INVOICE"),
            inv("3", "PAID", "2024-02-05", "EUR", 50.0, "INVOICE"),
            inv("4", "PAID", "2024-02-10", "EUR", 20.0, "CREDITNOTE"),
            inv("5", "CANCELED", "2024-02-11", "EUR", 999.0, "INVOICE"),
            inv("6", "PENDING", "2023-12-01", "EUR", 10.0, "INVOICE"),
        ];
        let t = totals(&list);
        assert_eq!(t.all.len(), 2, "EUR and USD never added together");
        let eur = t.all["EUR"];
        assert_eq!(eur.tax_excluded, 140.0);
        assert_eq!(eur.tax, 28.0);
        assert_eq!(eur.total(), 168.0);
        assert_eq!(t.all["USD"].tax_excluded, 40.0);
        assert_eq!(t.by_year[&2024]["EUR"].tax_excluded, 130.0);
        assert_eq!(t.by_year[&2023]["EUR"].tax_excluded, 10.0);
        assert_eq!(t.by_month[&(2024, 2)]["EUR"].tax_excluded, 30.0);
        assert_eq!(t.by_month[&(2024, 2)]["EUR"].count, 2);
        assert!(!t.by_month[&(2024, 1)].is_empty());
    }

    #[test]
    fn filters_are_validated_with_a_message_per_field() {
        let ok = InvoiceFilter {
            since: Some("2024-01-01".into()),
            until: Some("2024-12-31T23:59:59Z".into()),
            limit: Some("50".into()),
            ..InvoiceFilter::default()
        };
        let q = ok.upstream_query().unwrap();
        assert_eq!(q.limit, Some(50));
        assert!(q.since.is_some() && q.until.is_some());
        let bad = InvoiceFilter {
            since: Some("yesterday".into()),
            limit: Some("0".into()),
            year: Some("20x4".into()),
            ..InvoiceFilter::default()
        };
        let msg = bad.upstream_query().unwrap_err();
        assert!(msg.contains("Since must be a date"), "{msg}");
        assert!(msg.contains("Limit must be a whole number"), "{msg}");
        assert!(msg.contains("Year must be a year"), "{msg}");
        let reversed = InvoiceFilter {
            since: Some("2024-02-01".into()),
            until: Some("2024-01-01".into()),
            ..InvoiceFilter::default()
        };
        assert!(reversed.upstream_query().unwrap_err().contains("before"));
        let empty = InvoiceFilter {
            since: Some("".into()),
            ..InvoiceFilter::default()
        };
        assert_eq!(empty.upstream_query().unwrap(), InvoiceQuery::default());
    }

    #[test]
    fn search_and_links_keep_the_filters() {
        let f = InvoiceFilter {
            q: Some("acm2024".into()),
            year: Some("2024".into()),
            ..InvoiceFilter::default()
        };
        assert!(f.matches(&inv(
            "ACM2024-0001",
            "PAID",
            "2024-01-01",
            "EUR",
            1.0,
            "INVOICE"
        )));
        assert!(!f.matches(&inv(
            "GLO2024-0001",
            "PAID",
            "2024-01-01",
            "EUR",
            1.0,
            "INVOICE"
        )));
        assert_eq!(f.to_query(), "?year=2024&q=acm2024");
        assert_eq!(InvoiceFilter::default().to_query(), "");
    }
}
