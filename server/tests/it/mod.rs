mod harness;

mod billing;
mod client;
mod pages;
mod sessions;
