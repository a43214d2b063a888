mod harness;

mod apps;
mod billing;
mod client;
mod logs;
mod pages;
mod sessions;
