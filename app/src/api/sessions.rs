//! "Your sessions": every signed-in session of the user, on every replica.

use crate::error::AppError;
use crate::model::sessions::SessionSummary;
use leptos::prelude::*;

/// The user's signed-in sessions, this browser's first, then the most recently active.
#[server(prefix = "/api", endpoint = "sessions")]
pub async fn list_sessions() -> Result<Vec<SessionSummary>, AppError> {
    use crate::ssr::session::{SessionDirectory, current_session, current_user_of, summary_of};
    let session = current_session().await?;
    let user = current_user_of(&session)
        .await
        .ok_or(AppError::Unauthorized)?;
    let directory =
        use_context::<SessionDirectory>().ok_or(AppError::Unavailable { sozu_id: None })?;
    let current = session.id();
    let stored = (directory.0)(user.id).await?;
    let summaries = stored
        .iter()
        .filter_map(|s| summary_of(s, Some(s.id) == current))
        .collect();
    Ok(crate::logic::sessions::in_order(summaries))
}
