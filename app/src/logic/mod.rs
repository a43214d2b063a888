//! Pure logic behind the pages, one file per area, unit-tested beside the code.

pub mod apps;
pub mod billing;
pub mod money;

use crate::model::Timestamp;

/// A day as people read it in tables (`2024-03-01`), or a dash.
pub fn day(t: Option<Timestamp>) -> String {
    t.map(|t| {
        let d = t.date();
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    })
    .unwrap_or_else(|| "—".to_owned())
}

/// Short English month names, January first.
pub const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
