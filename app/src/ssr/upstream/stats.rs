//! Stats (`/v4/stats`): an application's or add-on's metrics, requests by status code, and
//! where requests come from.

use super::{Authed, Call};
use crate::error::AppError;
use crate::ids::SegmentId;
use crate::logic::stats::Range;
use crate::model::Timestamp;
use crate::model::date;
use crate::model::stats::{Location, Series, StatusBucket};

/// `applicationId`, when there is one, and the window.
fn window(app: Option<&SegmentId>, from: Timestamp, to: Timestamp) -> Vec<(&'static str, String)> {
    let mut q: Vec<(&'static str, String)> = app
        .map(|a| ("applicationId", a.to_string()))
        .into_iter()
        .collect();
    q.push(("from", date::format(&from)));
    q.push(("to", date::format(&to)));
    q
}

impl Authed<'_> {
    /// `GET /v4/stats/organisations/{o}/resources/{id}/metrics`: CPU, memory and load over
    /// `range` up to `end`, one point per `range.span()` (404: no such resource here).
    pub async fn metrics(
        &self,
        owner: &SegmentId,
        resource: &SegmentId,
        range: Range,
        end: Timestamp,
    ) -> Result<Vec<Series>, AppError> {
        let p = path!(
            "v4/stats/organisations/{}/resources/{}/metrics",
            owner,
            resource
        );
        let q = vec![
            ("only", "cpu".to_owned()),
            ("only", "mem".to_owned()),
            ("only", "load1".to_owned()),
            ("interval", range.interval().to_owned()),
            ("span", range.span().0.to_owned()),
            ("end", date::format(&end)),
        ];
        self.list(Call::get(p).query(q)).await
    }

    /// `GET /v4/stats/organisations/{o}/http-status-codes`: hourly, the owner's or one
    /// application's.
    pub async fn status_codes(
        &self,
        owner: &SegmentId,
        app: Option<&SegmentId>,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<StatusBucket>, AppError> {
        let p = path!("v4/stats/organisations/{}/http-status-codes", owner);
        match self.list(Call::get(p).query(window(app, from, to))).await {
            Err(AppError::NotFound { .. }) => Ok(Vec::new()),
            other => other,
        }
    }

    /// `GET /v4/stats/organisations/{o}/requests`: where requests came from.
    pub async fn request_locations(
        &self,
        owner: &SegmentId,
        app: Option<&SegmentId>,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Location>, AppError> {
        let p = path!("v4/stats/organisations/{}/requests", owner);
        match self.list(Call::get(p).query(window(app, from, to))).await {
            Err(AppError::NotFound { .. }) => Ok(Vec::new()),
            other => other,
        }
    }
}
