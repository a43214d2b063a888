//! State badges: the same colour means the same state on every page, always with a label.

use leptos::prelude::*;

/// The colour families of states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Succeeded,
    Failed,
    InProgress,
    Queued,
    Cancelled,
    Unknown,
}

impl Tone {
    /// The colour's name, for CSS classes of charts (`fill-ok`, `fill-failed`…).
    pub fn key(self) -> &'static str {
        match self {
            Self::Succeeded => "ok",
            Self::Failed => "failed",
            Self::InProgress => "progress",
            Self::Queued => "queued",
            Self::Cancelled => "cancelled",
            Self::Unknown => "unknown",
        }
    }

    /// The CSS class.
    pub fn class(self) -> &'static str {
        match self {
            Self::Succeeded => "badge ok",
            Self::Failed => "badge failed",
            Self::InProgress => "badge progress",
            Self::Queued => "badge queued",
            Self::Cancelled => "badge cancelled",
            Self::Unknown => "badge unknown",
        }
    }
}

/// A state badge with its label.
#[component]
pub fn Badge(tone: Tone, #[prop(into)] label: String) -> impl IntoView {
    view! { <span class=tone.class()>{label}</span> }
}
