//! Serde types of every upstream payload, one file per API area.
//!
//! Tolerant by design: missing or `null` fields take a default, unknown enum values are kept as
//! `Unknown(raw)` and shown as-is, and dates that do not parse become `None`.

#[macro_use]
mod wire;
pub mod access;
pub mod activity;
pub mod alerts;
pub mod billing;
pub mod deployments;
pub mod drains;
pub mod fleet;
pub mod instances;
pub mod labels;
pub mod load_balancers;
pub mod logs;
pub mod members;
pub mod navigation;
pub mod operators;
pub mod pulsar;
pub mod sessions;
pub mod stats;
pub mod zones;

#[cfg(feature = "ssr")]
pub use wire::lenient_raw_items;
pub use wire::{Timestamp, date, lenient_items, lenient_list, nullable};
