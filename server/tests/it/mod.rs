mod harness;

mod addons;
mod apps;
mod billing;
mod client;
mod drains;
mod logs;
mod operability;
mod pages;
mod redis;
mod replicas;
mod sessions;
