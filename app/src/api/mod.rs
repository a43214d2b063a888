//! Server functions, one file per area: thin (session, token, client, model).

pub mod apps;
pub mod billing;
pub mod drains;
pub mod navigation;
pub mod operators;
pub mod pulsar;
pub mod zones;
