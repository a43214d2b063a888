mod harness;

mod client;
mod pages;
mod sessions;
