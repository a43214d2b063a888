//! Products (`/v4/products`): the zones.

use super::{Authed, Call};
use crate::error::AppError;
use crate::ids::SegmentId;
use crate::model::zones::Zone;
use crate::query::ZoneQuery;

impl Authed<'_> {
    /// `GET /v4/products/zones`.
    pub async fn zones(&self, q: &ZoneQuery) -> Result<Vec<Zone>, AppError> {
        self.list(Call::get(path!("v4/products/zones")).query(q.pairs()))
            .await
    }

    /// `GET /v4/products/zones/{name}`.
    pub async fn zone(&self, name: &SegmentId) -> Result<Zone, AppError> {
        self.json(Call::get(path!("v4/products/zones/{}", name)))
            .await
    }
}
