//! Who is signed in, and what they can reach.

use crate::error::AppError;
use crate::model::navigation::Owner;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What every page's frame shows: the user, the owners for navigation, the demo banner.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShellData {
    pub user_name: String,
    pub user_email: String,
    pub demo: bool,
    pub owners: Vec<Owner>,
    /// How the user signed in: "Clever Cloud" or "an API token".
    pub signed_in_with: String,
    /// When the credentials stop working upstream (RFC 3339), when known.
    pub expires: Option<String>,
    /// Open alert incidents in the organisations shown (the bell).
    pub open_alerts: usize,
}

impl ShellData {
    /// One owner of the navigation data.
    pub fn owner(&self, id: &str) -> Option<&Owner> {
        self.owners.iter().find(|o| o.id == id)
    }

    /// The name of an application, from the navigation data.
    pub fn app_name(&self, owner: &str, app: &str) -> Option<String> {
        self.owner(owner)?.app(app).map(|a| a.name.clone())
    }

    /// The name of a resource that can have drains: an application, or an add-on by its
    /// real id (`postgresql_…`) or its `addon_…` id.
    pub fn resource_name(&self, owner: &str, resource: &str) -> Option<String> {
        self.owner(owner)?.resource_name(resource)
    }
}

/// Loads the frame of every page: the navigation from `/v2/summary`, kept per session for a
/// few seconds (`NavigationCache`) unless `fresh` (the fleet board, which lists what it gives).
#[server(prefix = "/api", endpoint = "shell")]
pub async fn load_shell(#[server(default)] fresh: bool) -> Result<ShellData, AppError> {
    use crate::ssr::upstream::NavigationCache;
    use crate::ssr::{AllowedOrgs, DemoMode, session};
    let current = session::current_session().await?;
    let user = session::current_user_of(&current)
        .await
        .ok_or(AppError::Unauthorized)?;
    let key = session::cache_key(&current);
    let cache = use_context::<NavigationCache>();
    let demo = use_context::<DemoMode>().is_some_and(|d| d.0);
    let allowed = use_context::<AllowedOrgs>().unwrap_or_default();
    let owners: Vec<Owner> =
        session::authed_call(async |api| api.navigation_summary(cache.as_ref(), &key, fresh).await)
            .await?
            .owners()
            .into_iter()
            .filter(|o| allowed.allows(&o.id))
            .collect();
    let open_alerts = match use_context::<crate::ssr::alerts::AlertsSource>() {
        Some(source) => {
            source
                .0
                .open_count(owners.iter().map(|o| o.id.clone()).collect())
                .await
        }
        None => 0,
    };
    Ok(ShellData {
        user_name: user.name,
        user_email: user.email,
        demo,
        owners,
        signed_in_with: match user.via {
            session::SignedInWith::CleverCloud => "Clever Cloud",
            session::SignedInWith::ApiToken => "an API token",
        }
        .to_owned(),
        expires: user
            .expires
            .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
            .map(|t| crate::model::date::format(&t)),
        open_alerts,
    })
}

/// The ways to sign in this server offers (public: the login page asks before anyone has
/// signed in).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOptions {
    /// "Sign in with Clever Cloud" (an OAuth consumer is configured).
    pub clever_cloud: bool,
}

/// `GET /api/sign_in_ways`.
#[server(prefix = "/api", endpoint = "sign_in_ways")]
pub async fn sign_in_ways() -> Result<SignInOptions, AppError> {
    let upstream = use_context::<crate::ssr::Upstream>();
    Ok(SignInOptions {
        clever_cloud: upstream.is_some_and(|u| u.oauth_offered()),
    })
}
