//! Pure logic behind the pages, one file per area, unit-tested beside the code.

pub mod access;
pub mod activity;
pub mod alerts;
pub mod ansi;
pub mod apps;
pub mod billing;
pub mod control;
pub mod costs;
pub mod drain_secrets;
pub mod drains;
pub mod filters;
pub mod fleet;
pub mod geo;
pub mod logs;
pub mod money;
pub mod operators;
pub mod place;
pub mod pulsar;
pub mod redirect;
pub mod sessions;
pub mod stats;
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

/// How far `t` is from `now`, as people say it: "just now", "15 min ago", "in 5 min",
/// "3 h ago", "2 days ago".
pub fn ago(t: Timestamp, now: Timestamp) -> String {
    let secs = (now - t).whole_seconds();
    let (n, past) = (secs.unsigned_abs(), secs >= 0);
    let amount = match n {
        0..=44 => return "just now".to_owned(),
        45..=3_569 => format!("{} min", n.div_ceil(60).max(1)),
        3_570..=86_399 => format!("{} h", (n + 1_800) / 3_600),
        _ => match (n + 43_200) / 86_400 {
            1 => "1 day".to_owned(),
            d => format!("{d} days"),
        },
    };
    if past {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

/// Short English month names, January first.
pub const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_said_relative_to_now() {
        let now = time::macros::datetime!(2026-12-01 16:17 UTC);
        let at = |s: i64| now - time::Duration::seconds(s);
        assert_eq!(super::ago(at(10), now), "just now");
        assert_eq!(super::ago(at(19 * 60), now), "19 min ago");
        assert_eq!(super::ago(at(-5 * 60), now), "in 5 min");
        assert_eq!(super::ago(at(3 * 3600 + 60), now), "3 h ago");
        assert_eq!(super::ago(at(86_400), now), "1 day ago");
        assert_eq!(super::ago(at(5 * 86_400), now), "5 days ago");
    }

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
