//! An application's access logs over a closed range, read on the server: the lines that match
//! the filters (the first [`TABLE_ROWS`]) and the aggregates over them, so the page works
//! without JavaScript.

use crate::error::AppError;
use crate::logic::access::Summary;
use crate::model::access::AccessLine;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Lines of the range read at most for one page (a larger range is counted up to here; its
/// download has every line).
pub const RANGE_LINES: u64 = 50_000;
/// Matching lines listed in the table.
pub const TABLE_ROWS: usize = 500;

/// What a range held.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessRange {
    /// The range read, as `since`/`until` (ISO 8601).
    pub since: String,
    pub until: String,
    /// Lines read, and whether that is all the range had (else the cap or the time limit
    /// stopped the reading).
    pub read: u64,
    pub complete: bool,
    /// The first matching lines.
    pub rows: Vec<AccessLine>,
    pub summary: Summary,
}

/// The range and filters of `query` (the page's URL query) read from the upstream.
#[server(prefix = "/api", endpoint = "access_range")]
pub async fn load_access_range(
    owner: String,
    app: String,
    query: String,
) -> Result<AccessRange, AppError> {
    ssr::read_range(owner, app, query).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::ids::SegmentId;
    use crate::logic::access::{AccessSettings, Aggregates};
    use crate::logic::url_filter::{UrlFilter, parse_query};
    use crate::model::logs::event;
    use crate::query::DeploymentQuery;
    use crate::ssr::upstream::LogSource;
    use futures::StreamExt;
    use std::time::Duration;

    /// The longest a page waits for a range.
    const READ_FOR: Duration = Duration::from_secs(20);
    /// Upstream connections tried for one range (a cut is read again from the last line).
    const TRIES: u32 = 3;

    pub(super) async fn read_range(
        owner: String,
        app: String,
        query: String,
    ) -> Result<AccessRange, AppError> {
        let owner = SegmentId::parse("owner id", &owner)?;
        let app = SegmentId::parse("application id", &app)?;
        let settings = AccessSettings::from_query(&parse_query(&query));
        if let Some(m) = settings.too_many() {
            return Err(AppError::BadRequest(m));
        }
        let access = settings.filter.check().map_err(AppError::BadRequest)?;
        crate::ssr::authed_call(async |api| {
            let deployments = if settings.deployment.is_some() {
                let q = DeploymentQuery {
                    limit: Some(20),
                    ..DeploymentQuery::default()
                };
                api.deployments(&owner, &app, &q).await?
            } else {
                Vec::new()
            };
            let now = time::OffsetDateTime::now_utc();
            let mut f = settings
                .stream_filter(&deployments, now)
                .map_err(AppError::BadRequest)?;
            if f.until.is_none() {
                f.until = Some(crate::model::date::format(&now));
            }
            f.throttle_elements = Some("10000".into());
            f.throttle_per_in_milliseconds = Some("100".into());
            let q = f.upstream_query().map_err(AppError::BadRequest)?;
            let source = LogSource::Access { owner, app };
            let mut aggregates = Aggregates::default();
            let mut rows = Vec::new();
            let (mut read, mut complete, mut last_id, mut tries) = (0u64, false, None, 0);
            let deadline = tokio::time::Instant::now() + READ_FOR;
            'reading: while tries < TRIES && read < RANGE_LINES {
                tries += 1;
                let mut events = match api.log_events(&source, &q, last_id.as_deref()).await {
                    Ok(e) => e,
                    Err(e) if e.is_retryable() && tries < TRIES => continue,
                    Err(e) => return Err(e),
                };
                loop {
                    let next = tokio::time::timeout_at(deadline, events.next()).await;
                    let Ok(Some(Ok(ev))) = next else {
                        if next.is_err() {
                            break 'reading;
                        }
                        // Cut or broken: read again from the last line.
                        continue 'reading;
                    };
                    match &*ev.event {
                        event::END_OF_STREAM => {
                            complete = true;
                            break 'reading;
                        }
                        event::ACCESS_LOG => {
                            read += 1;
                            if !ev.id.is_empty() {
                                last_id =
                                    Some(crate::logic::logs::clean_field(&ev.id).into_owned());
                            }
                            if let Some(line) = AccessLine::parse(&ev.data)
                                && access.matches(&line)
                            {
                                aggregates.add(&line);
                                if rows.len() < TABLE_ROWS {
                                    rows.push(line);
                                }
                            }
                            if read >= RANGE_LINES {
                                break 'reading;
                            }
                        }
                        _ => {}
                    }
                }
            }
            if read == 0 && !complete {
                return Err(AppError::Unavailable { sozu_id: None });
            }
            Ok(AccessRange {
                since: f.since.unwrap_or_default(),
                until: f.until.unwrap_or_default(),
                read,
                complete,
                rows,
                summary: aggregates.summary(),
            })
        })
        .await
    }
}
