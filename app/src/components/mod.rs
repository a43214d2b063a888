//! Reusable views.

pub mod badge;
pub mod error_view;
pub mod layout;
