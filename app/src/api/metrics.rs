//! An application's metrics: CPU, memory and load, requests by status class, where requests
//! come from.

use crate::error::AppError;
use crate::logic::stats::{Bucket, ClassCounts, Peak, Range};
use crate::model::Timestamp;
use crate::model::stats::Location;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One metric's chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricChart {
    /// `cpu`, `mem`, `load1`.
    pub key: String,
    pub buckets: Vec<Bucket>,
    pub peak: Option<Peak>,
}

/// The metrics page's data; each part fails on its own, so the rest still shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricsView {
    pub range: Range,
    /// An application (with requests and places); else an add-on (resources only).
    pub app: bool,
    #[serde(with = "crate::model::date")]
    pub from: Option<Timestamp>,
    #[serde(with = "crate::model::date")]
    pub to: Option<Timestamp>,
    /// The metrics the upstream answered.
    pub metrics: Result<Vec<MetricChart>, AppError>,
    /// Those it did not (named gaps).
    pub missing: Vec<String>,
    pub requests: Result<Vec<ClassCounts>, AppError>,
    pub locations: Result<Vec<Location>, AppError>,
}

/// The three calls of the metrics page, concurrently: the metrics series, the requests by
/// status code, and where they come from.
#[server(prefix = "/api", endpoint = "app_metrics")]
pub async fn load_metrics(
    owner: String,
    app: String,
    range: String,
) -> Result<MetricsView, AppError> {
    load(owner, app, range, true).await
}

/// An add-on's metrics (by its real id): CPU, memory and load, one call.
#[server(prefix = "/api", endpoint = "addon_metrics")]
pub async fn load_addon_metrics(
    owner: String,
    addon: String,
    range: String,
) -> Result<MetricsView, AppError> {
    load(owner, addon, range, false).await
}

/// The metrics of an application (`is_app`: with its requests and their places) or an add-on.
#[cfg(feature = "ssr")]
async fn load(
    owner: String,
    app: String,
    range: String,
    is_app: bool,
) -> Result<MetricsView, AppError> {
    use crate::ids::SegmentId;
    use crate::logic::stats::{buckets, by_class, peak};
    let owner = SegmentId::parse("owner id", &owner)?;
    let what = if is_app {
        "application id"
    } else {
        "add-on id"
    };
    let app = SegmentId::parse(what, &app)?;
    let range = Range::parse(Some(&range))
        .ok_or_else(|| AppError::BadRequest("Range must be 24h or 7d.".into()))?;
    let now = time::OffsetDateTime::now_utc();
    // Whole buckets: the window ends at the start of the next one.
    let width = range.bucket().whole_seconds();
    let to = time::OffsetDateTime::from_unix_timestamp((now.unix_timestamp() / width + 1) * width)
        .unwrap_or(now);
    let from = to - range.window();
    crate::ssr::authed_call(async |api| {
        let requests = async {
            if is_app {
                futures::join!(
                    api.status_codes(&owner, Some(&app), from, to),
                    api.request_locations(&owner, Some(&app), from, to)
                )
            } else {
                (Ok(Vec::new()), Ok(Vec::new()))
            }
        };
        let (series, (codes, places)) =
            futures::join!(api.metrics(&owner, &app, range, to), requests);
        for e in [
            series.as_ref().err(),
            codes.as_ref().err(),
            places.as_ref().err(),
        ]
        .into_iter()
        .flatten()
        {
            if *e == AppError::Unauthorized {
                return Err(AppError::Unauthorized);
            }
        }
        if let Err(AppError::NotFound { .. }) = series {
            return Err(AppError::not_found(format!(
                "{} {app}",
                what.trim_end_matches(" id")
            )));
        }
        let count = (range.window().whole_seconds() / width) as usize;
        let mut missing = Vec::new();
        let metrics = series.map(|all| {
            ["cpu", "mem", "load1"]
                .iter()
                .filter_map(|key| {
                    let s = all.iter().find(|s| s.name == *key);
                    if s.is_none() {
                        missing.push((*key).to_owned());
                    }
                    s.map(|s| MetricChart {
                        key: (*key).to_owned(),
                        buckets: buckets(&s.data, from, range.bucket(), count),
                        peak: peak(&s.data, from),
                    })
                })
                .collect()
        });
        Ok(MetricsView {
            range,
            app: is_app,
            from: Some(from),
            to: Some(to),
            metrics,
            missing,
            requests: codes.map(|c| by_class(&c)),
            locations: places,
        })
    })
    .await
}
