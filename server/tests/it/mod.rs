mod harness;

mod apps;
mod billing;
mod client;
mod pages;
mod sessions;
