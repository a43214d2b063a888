//! Server functions, one file per area: thin (session, token, client, model).

pub mod billing;
pub mod navigation;
