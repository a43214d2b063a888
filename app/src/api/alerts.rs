//! Alerts as a user sees them: the incidents, rules and deliveries of the organisations their
//! own session can see (the evaluation itself runs in the server with the watch credential),
//! and the rules and channels they make or remove on the page (audited).

use crate::error::AppError;
use crate::logic::alerts::{ChannelForm, RuleForm};
use crate::model::alerts::AlertsView;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The organisations the session sees (and the server allows).
#[cfg(feature = "ssr")]
async fn visible() -> Result<Vec<String>, AppError> {
    let owners = crate::ssr::authed_call(async |api| api.summary().await)
        .await?
        .owners();
    let allowed = use_context::<crate::ssr::AllowedOrgs>().unwrap_or_default();
    Ok(owners
        .into_iter()
        .map(|o| o.id)
        .filter(|o| allowed.allows(o))
        .collect())
}

#[cfg(feature = "ssr")]
fn source() -> Result<crate::ssr::alerts::AlertsSource, AppError> {
    use_context::<crate::ssr::alerts::AlertsSource>().ok_or(AppError::Unavailable { sozu_id: None })
}

/// The alerts page's data.
#[server(prefix = "/api", endpoint = "alerts")]
pub async fn load_alerts() -> Result<AlertsView, AppError> {
    let visible = visible().await?;
    Ok(source()?.0.view(visible).await)
}

/// What a change on the alerts page gave: a sentence, or a message per field in error with
/// the values to fill the form with again (never a URL or a secret).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertChangeResult {
    pub done: Option<String>,
    pub errors: Vec<(String, String)>,
    pub kept: Vec<(String, String)>,
}

/// Makes or removes a rule or channel, audited in its organisation's activity; a form the
/// browser's fields already refuse (`Err`) comes back with its messages and what was typed.
#[cfg(feature = "ssr")]
async fn change(
    change: Result<crate::ssr::alerts::AlertChange, Vec<(String, String)>>,
    action: &'static str,
    kept: Vec<(String, String)>,
) -> Result<AlertChangeResult, AppError> {
    let change = match change {
        Ok(c) => c,
        Err(errors) => {
            return Ok(AlertChangeResult {
                done: None,
                errors,
                kept,
            });
        }
    };
    let user = crate::ssr::session::current_user().await?;
    let by = [&user.name, &user.email, &user.id]
        .into_iter()
        .find(|v| !v.is_empty())
        .cloned()
        .unwrap_or_else(|| "someone".to_owned());
    let visible = visible().await?;
    match source()?.0.change(change, by, visible).await {
        Ok(done) => {
            let result = crate::ssr::session::audited(
                action,
                &done.organisation,
                &done.resource,
                Ok(done.sentence),
            )
            .await?;
            Ok(AlertChangeResult {
                done: Some(result),
                ..AlertChangeResult::default()
            })
        }
        Err(errors) => Ok(AlertChangeResult {
            done: None,
            errors,
            kept,
        }),
    }
}

/// Makes a rule from the page's form.
#[server(prefix = "/api", endpoint = "alert_rule_create")]
pub async fn create_alert_rule(
    #[server(flatten)] form: RuleForm,
) -> Result<AlertChangeResult, AppError> {
    let kept = vec![
        ("organisation".into(), form.organisation.clone()),
        ("name".into(), form.name.clone()),
        ("kind".into(), form.kind.clone()),
        ("severity".into(), form.severity.clone()),
        ("channel".into(), form.channel.clone()),
        ("applications".into(), form.applications.clone()),
        ("minutes".into(), form.minutes.clone()),
        ("percent".into(), form.percent.clone()),
        ("pattern".into(), form.pattern.clone()),
        ("count".into(), form.count.clone()),
        ("days".into(), form.days.clone()),
        ("remind_minutes".into(), form.remind_minutes.clone()),
        ("amount".into(), form.amount.clone()),
        ("currency".into(), form.currency.clone()),
        ("thresholds".into(), form.thresholds.clone()),
    ];
    use crate::ssr::alerts::AlertChange;
    change(
        form.parse().map(AlertChange::AddRule),
        "alert_rule.create",
        kept,
    )
    .await
}

/// Removes a rule made on the page.
#[server(prefix = "/api", endpoint = "alert_rule_delete")]
pub async fn delete_alert_rule(name: String) -> Result<AlertChangeResult, AppError> {
    change(
        Ok(crate::ssr::alerts::AlertChange::RemoveRule(name)),
        "alert_rule.delete",
        Vec::new(),
    )
    .await
}

/// Makes a channel from the page's form; its URL and secret are never shown again.
#[server(prefix = "/api", endpoint = "alert_channel_create")]
pub async fn create_alert_channel(
    #[server(flatten)] form: ChannelForm,
) -> Result<AlertChangeResult, AppError> {
    // The URL and the secret are not kept for a second try: typed again.
    let kept = vec![
        ("organisation".into(), form.organisation.clone()),
        ("name".into(), form.name.clone()),
        ("kind".into(), form.kind.clone()),
        ("to".into(), form.to.clone()),
    ];
    use crate::ssr::alerts::AlertChange;
    change(
        form.parse().map(AlertChange::AddChannel),
        "alert_channel.create",
        kept,
    )
    .await
}

/// Removes a channel made on the page (refused while a rule uses it).
#[server(prefix = "/api", endpoint = "alert_channel_delete")]
pub async fn delete_alert_channel(name: String) -> Result<AlertChangeResult, AppError> {
    change(
        Ok(crate::ssr::alerts::AlertChange::RemoveChannel(name)),
        "alert_channel.delete",
        Vec::new(),
    )
    .await
}

/// An organisation's budgets (alert rules of kind `budget`) and whether the user may set one
/// here (alerts run, and both their session and the watch credential see the organisation).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Budgets {
    pub rules: Vec<crate::model::alerts::RuleRow>,
    pub can_set: bool,
    /// Why a budget cannot be set here, when so.
    pub why_not: Option<String>,
    /// The channels a budget of this organisation may notify.
    pub channels: Vec<String>,
}

/// The budgets of `owner`.
#[server(prefix = "/api", endpoint = "budgets")]
pub async fn load_budgets(owner: String) -> Result<Budgets, AppError> {
    let owner = crate::ids::SegmentId::parse("owner id", &owner)?;
    let visible = visible().await?;
    if !visible.iter().any(|o| o == owner.as_str()) {
        return Err(AppError::not_found(format!("organisation {owner}")));
    }
    let view = source()?.0.view(vec![owner.as_str().to_owned()]).await;
    let can_set = view.can_edit && view.editable.iter().any(|(id, _)| id == owner.as_str());
    let why_not = if can_set {
        None
    } else if let Some(off) = view.off.clone() {
        Some(off)
    } else {
        Some("The server's watch credential cannot see this organisation, so its budgets cannot be watched.".to_owned())
    };
    let channels = view
        .channels
        .iter()
        .filter(|c| c.inactive.is_none())
        .map(|c| c.name.clone())
        .collect();
    Ok(Budgets {
        channels,
        rules: view
            .rules
            .into_iter()
            .filter(|r| r.kind == "budget" && r.organisation_id == owner.as_str())
            .collect(),
        can_set,
        why_not,
    })
}
