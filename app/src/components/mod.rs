//! Reusable views. The islands (the only parts whose code reaches the browser) are
//! `auto_refresh`, `copy_button`, `hydration`, `submit_once`, `zone_highlight` and the log viewer
//! (`routes/logs.rs`); everything else renders on the server only.

pub mod auto_refresh;
pub mod badge;
pub mod bar_chart;
pub mod control;
pub mod copy_button;
#[cfg(feature = "hydrate")]
pub mod dom;
pub mod error_view;
pub mod event_source;
pub mod heading;
pub mod hydration;
pub mod instance_table;
pub mod layout;
pub mod notice;
pub mod order_select;
pub mod submit_once;
pub mod timeline;
pub mod zone_highlight;
