//! Server functions, one file per area: thin (session, token, client, model).

pub mod access;
pub mod activity;
pub mod alerts;
pub mod apps;
pub mod billing;
pub mod control;
pub mod drains;
pub mod fleet;
pub mod metrics;
pub mod navigation;
pub mod operators;
pub mod pulsar;
pub mod sessions;
pub mod zones;

/// What the server reads of a server function's answer to a posted form: the refused fields
/// (`errors`, a list in every form's answer: `drains::CreateResult`, `pulsar::SaveResult`…),
/// so a refused form comes back without the `#outcome` fragment and its first bad field keeps
/// the focus.
#[cfg(feature = "ssr")]
#[derive(serde::Deserialize, Default)]
pub struct FormAnswer {
    #[serde(default)]
    errors: Vec<serde::de::IgnoredAny>,
}

#[cfg(feature = "ssr")]
impl FormAnswer {
    /// Whether the answer `body` (JSON) refused a field; anything else is not a refusal.
    pub fn refused(body: &str) -> bool {
        serde_json::from_str::<Self>(body).is_ok_and(|a| !a.errors.is_empty())
    }
}
