//! The middleware every request passes, one concern a file, and the leaves handlers share
//! (the client's address, errors as answers).

pub mod access;
pub mod client_addr;
pub mod error;
pub mod headers;
pub mod limits;
pub mod metrics;
pub mod origin;
pub mod owner_guard;
pub mod page;
pub mod render;
pub mod server_fns;
pub mod session_guard;
pub mod signed_in;
