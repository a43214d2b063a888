//! The dashboard server, by concern: `state` (what handlers reach, built from `config`),
//! `router` (the route table and the layer order), `serve` (bind, the connections' limits,
//! the graceful stop), `probes`; `http/` (the middleware: access log, client address, session
//! guard, origin check, headers, limits, server-function answers, metrics), `signin/` (token,
//! Clever Cloud OAuth, allow-lists, throttle), `sessions/` (stores and sealing), `relay/` (log
//! streams), `downloads/` (documents, archives, CSVs, log ranges), `alerts/` (rules, incidents,
//! notifications). The demo upstream is the
//! `demo-upstream` crate.

// Release builds keep full view types (no erase_components), and the pages' types are
// computed here too: as deep as in the app crate.
#![recursion_limit = "256"]

mod alerts;
pub mod config;
mod data;
mod downloads;
mod http;
pub mod logging;
mod map;
mod probes;
mod relay;
mod router;
pub mod serve;
mod sessions;
mod signin;
mod state;

pub use http::session_guard::login_then;
pub use router::router;
pub use serve::{serve, upstream_base};
pub use sessions::Store as SessionStore;
