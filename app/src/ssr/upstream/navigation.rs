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

    /// `GET /v2/summary`: organisations, applications and add-ons.
    pub async fn summary(&self) -> Result<Summary, AppError> {
        self.json(Call::get(path!("v2/summary"))).await
    }

    /// `GET /v2/self/tokens/current`: the credentials in use, their expiry among them.
    pub async fn current_token(&self) -> Result<CurrentToken, AppError> {
        self.json(Call::get(path!("v2/self/tokens/current"))).await
    }
}
