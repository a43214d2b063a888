//! Pure logic behind the pages, one file per area, unit-tested beside the code.

pub mod ansi;
pub mod apps;
pub mod billing;
pub mod costs;
pub mod drains;
pub mod filters;
pub mod geo;
pub mod labels;
pub mod logs;
pub mod money;
pub mod operators;
pub mod place;
pub mod pulsar;
pub mod redirect;
pub mod timeline;
pub mod url_filter;

use crate::model::Timestamp;

/// A day as people read it in tables (`2024-03-01`), or a dash.
pub fn day(t: Option<Timestamp>) -> String {
    t.map(|t| {
        let d = t.date();
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    })
    .unwrap_or_else(|| "—".to_owned())
}

/// An id shortened for tables: its prefix and 8 characters (`deployment_55b86136…`); the
/// full id goes in a `title` and on the item's own page.
pub fn short_id(id: &str) -> String {
    let keep = id.find('_').map_or(0, |p| p + 1) + 8;
    if id.chars().count() <= keep + 1 {
        id.to_owned()
    } else {
        id.chars().take(keep).chain(['…']).collect()
    }
}

/// Short English month names, January first.
pub const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_shortened_after_their_prefix() {
        assert_eq!(
            super::short_id("deployment_55b86136-b329-42fb"),
            "deployment_55b86136…"
        );
        assert_eq!(super::short_id("i-123"), "i-123");
        assert_eq!(super::short_id("0123456789abcdef"), "01234567…");
    }
}
