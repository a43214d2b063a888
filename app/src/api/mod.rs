//! Server functions, one file per area: thin (session, token, client, model).

pub mod navigation;
