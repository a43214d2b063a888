//! Money: amounts formatted for their currency, and sums that never mix currencies.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Formats `value` in `currency` (ISO 4217 code) for people: grouped thousands, two decimals,
/// the currency's sign where we know it.
pub fn format(value: f64, currency: &str) -> String {
    let sign = if value < 0.0 { "-" } else { "" };
    let cents = (value.abs() * 100.0).round() as u64;
    let (units, rest) = (cents / 100, cents % 100);
    let digits = units.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let number = format!("{grouped}.{rest:02}");
    match currency {
        "EUR" => format!("{sign}{number} €"),
        "USD" => format!("{sign}${number}"),
        "GBP" => format!("{sign}£{number}"),
        "" => format!("{sign}{number}"),
        other => format!("{sign}{number} {other}"),
    }
}

/// Tax excluded, tax and total, summed for one currency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sums {
    pub tax_excluded: f64,
    pub tax: f64,
    pub count: u32,
}

impl Sums {
    /// Tax included.
    pub fn total(&self) -> f64 {
        self.tax_excluded + self.tax
    }

    /// Adds one document's amounts.
    pub fn add(&mut self, tax_excluded: f64, tax: f64) {
        self.tax_excluded += tax_excluded;
        self.tax += tax;
        self.count += 1;
    }
}

/// One `Sums` per currency: amounts of different currencies are never added together.
pub type PerCurrency = BTreeMap<String, Sums>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_for_the_currency() {
        assert_eq!(format(1234.5, "EUR"), "1,234.50 €");
        assert_eq!(format(-12.0, "USD"), "-$12.00");
        assert_eq!(format(1_000_000.0, "CHF"), "1,000,000.00 CHF");
        assert_eq!(format(0.005, "EUR"), "0.01 €");
        assert_eq!(format(999.999, "GBP"), "£1,000.00");
    }

    #[test]
    fn sums_total_is_tax_included() {
        let mut s = Sums::default();
        s.add(100.0, 20.0);
        s.add(-25.0, -5.0);
        assert_eq!(s.total(), 90.0);
        assert_eq!(s.count, 2);
    }
}
