//! Who the user is and what they can see (`/v2/self`, `/v2/summary`).

use super::{Authed, Call};
use crate::error::AppError;
use crate::model::fleet::CurrentToken;
use crate::model::navigation::{SelfUser, Summary};

impl Authed<'_> {
    /// `GET /v2/self`: who the token belongs to (also validates it at sign-in).
    pub async fn self_user(&self) -> Result<SelfUser, AppError> {
        self.json(Call::get(path!("v2/self"))).await
    }

    /// `GET /v2/summary`: organisations, applications and add-ons. Within a request (where
    /// the server put a [`SummaryOnce`] in the context) it is asked upstream once, however
    /// many parts of the page want it: the frame's navigation and the page's own names.
    pub async fn summary(&self) -> Result<Summary, AppError> {
        let fetch = || self.json(Call::get(path!("v2/summary")));
        match leptos::prelude::use_context::<SummaryOnce>() {
            Some(once) => once.0.get_or_try_init(fetch).await.cloned(),
            None => fetch().await,
        }
    }

    /// `GET /v2/self/tokens/current`: the credentials in use, their expiry among them.
    pub async fn current_token(&self) -> Result<CurrentToken, AppError> {
        self.json(Call::get(path!("v2/self/tokens/current"))).await
    }
}

/// The summary of one request, fetched at most once (a failure is not kept: the next asker
/// tries again). One per request: the server puts a fresh one in each request's context, so
/// nothing is shared between requests, sessions or credentials.
#[derive(Clone, Default)]
pub struct SummaryOnce(std::sync::Arc<tokio::sync::OnceCell<Summary>>);
