//! Alerts as a user sees them: the incidents, rules and deliveries of the organisations their
//! own session can see (the evaluation itself runs in the server with the watch credential).

use crate::error::AppError;
use crate::model::alerts::AlertsView;
use leptos::prelude::*;

/// The alerts page's data.
#[server(prefix = "/api", endpoint = "alerts")]
pub async fn load_alerts() -> Result<AlertsView, AppError> {
    let visible: Vec<String> = crate::ssr::authed_call(async |api| api.summary().await)
        .await?
        .owners()
        .into_iter()
        .map(|o| o.id)
        .collect();
    let allowed = use_context::<crate::ssr::AllowedOrgs>().unwrap_or_default();
    let visible: Vec<String> = visible.into_iter().filter(|o| allowed.allows(o)).collect();
    let source = use_context::<crate::ssr::alerts::AlertsSource>()
        .ok_or(AppError::Unavailable { sozu_id: None })?;
    Ok((source.view)(visible).await)
}
