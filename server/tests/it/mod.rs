mod harness;

mod addons;
mod apps;
mod billing;
mod client;
mod compression;
mod costs;
mod drains;
mod fleet;
mod logs;
mod metrics;
mod oauth;
mod operability;
mod pages;
mod redis;
mod replicas;
mod sessions;
