//! One file per page.

pub mod access_logs;
pub mod activity;
pub mod alerts;
pub mod app;
pub mod costs;
mod costs_month;
pub mod deployment;
pub mod deployments;
pub mod drains;
pub mod home;
pub mod instances;
pub mod invoice;
pub mod invoices;
pub mod login;
pub mod logs;
mod logs_viewer;
pub mod members;
pub mod metrics;
pub mod not_found;
pub mod operator;
pub mod pulsar;
pub mod sessions;
pub mod zones;
