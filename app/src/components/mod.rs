//! Reusable views.

pub mod badge;
pub mod bar_chart;
pub mod error_view;
pub mod layout;
