//! Reusable views.

pub mod badge;
pub mod bar_chart;
pub mod copy_button;
pub mod error_view;
pub mod event_source;
pub mod layout;
pub mod timeline;
