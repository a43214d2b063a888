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

    /// The summary for the frame's navigation (names and links): this session's from the last
    /// seconds when `cache` holds it, else (or when `fresh`) asked as [`Self::summary`] (once
    /// per request) and kept. `session` is its key ([`cache_key`]); empty, nothing is kept.
    ///
    /// [`cache_key`]: crate::ssr::session::cache_key
    pub async fn navigation_summary(
        &self,
        cache: Option<&NavigationCache>,
        session: &str,
        fresh: bool,
    ) -> Result<Summary, AppError> {
        let Some(cache) = cache.filter(|_| !session.is_empty()) else {
            return self.summary().await;
        };
        let asked = async { self.summary().await.map(std::sync::Arc::new) };
        let kept = if fresh {
            let summary = asked.await?;
            cache
                .0
                .insert(session.to_owned(), std::sync::Arc::clone(&summary))
                .await;
            summary
        } else {
            // Concurrent misses of one session make one call.
            cache
                .0
                .try_get_with(session.to_owned(), asked)
                .await
                .map_err(|e| (*e).clone())?
        };
        Ok(std::sync::Arc::unwrap_or_clone(kept))
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

/// The summary behind each session's navigation, kept some seconds (`DASHBOARD_NAVIGATION_SECS`,
/// 15 by default): the frame of every page asked `/v2/summary` again, one upstream call more
/// per page (for a large account the slowest one of a small page, and a share of the API's
/// rate limit). Names and links in a frame may be that much behind; what a page shows of
/// states (the fleet board) is asked afresh. Keyed by session id: nothing is shared between
/// sessions, and a new sign-in is a new id.
#[derive(Clone)]
pub struct NavigationCache(moka::future::Cache<String, std::sync::Arc<Summary>>);

impl NavigationCache {
    /// A cache keeping each summary for `ttl`, of at most `capacity` sessions' summaries.
    pub fn new(ttl: std::time::Duration, capacity: u64) -> Self {
        Self(
            moka::future::Cache::builder()
                .time_to_live(ttl)
                .max_capacity(capacity)
                .build(),
        )
    }
}
