//! The viewer's settings, all from its URL query: the time range, the filter, the services,
//! the deployment and instance, and how lines are shown.

use super::buffer::BUFFER_LINES;
use super::filter::LogFilter;
use crate::logic::filters::clip;
use crate::logic::url_filter::{Field, UrlFilter, many, one};
use leptos_router::params::ParamsMap;
use serde::{Deserialize, Serialize};

/// The time range of the viewer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Range {
    /// The last ten minutes, then follow.
    Live,
    LastHour,
    Last4Hours,
    /// The whole retention (7 days).
    Last7Days,
    /// `since` (and `until` if given) from the URL.
    Custom,
}

impl Range {
    /// Every range, in menu order.
    pub const ALL: [Range; 5] = [
        Range::Live,
        Range::LastHour,
        Range::Last4Hours,
        Range::Last7Days,
        Range::Custom,
    ];

    /// The URL value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::LastHour => "1h",
            Self::Last4Hours => "4h",
            Self::Last7Days => "7d",
            Self::Custom => "custom",
        }
    }

    /// The menu label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Live => "Live",
            Self::LastHour => "Last hour",
            Self::Last4Hours => "Last 4 hours",
            Self::Last7Days => "Last 7 days",
            Self::Custom => "Custom range",
        }
    }
}

/// The viewer's settings, all from its URL query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ViewerSettings {
    pub range: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub filter: Option<String>,
    pub services: Vec<String>,
    pub deployment_id: Option<String>,
    /// A deployment by position or id (`latest`, `previous`, `deployment_…`): its lines, over
    /// its lifetime.
    pub deployment: Option<String>,
    pub instance_id: Option<String>,
    /// Wrap long lines.
    pub wrap: bool,
    /// Times in the browser's zone instead of UTC.
    pub local_time: bool,
}

impl UrlFilter for ViewerSettings {
    fn from_query(q: &ParamsMap) -> Self {
        Self {
            range: one(q, "range"),
            since: one(q, "since"),
            until: one(q, "until"),
            filter: one(q, "filter"),
            services: many(q, "service"),
            deployment_id: one(q, "deploymentId"),
            deployment: one(q, "deployment"),
            instance_id: one(q, "instanceId"),
            wrap: one(q, "wrap").as_deref() == Some("1"),
            local_time: one(q, "tz").as_deref() == Some("local"),
        }
    }

    fn fields(&self) -> Vec<Field<'_>> {
        vec![
            Field::One("range", &self.range),
            Field::One("since", &self.since),
            Field::One("until", &self.until),
            Field::One("filter", &self.filter),
            Field::Many("service", &self.services),
            Field::One("deploymentId", &self.deployment_id),
            Field::One("deployment", &self.deployment),
            Field::One("instanceId", &self.instance_id),
            Field::Flag("wrap", "1", self.wrap),
            Field::Flag("tz", "local", self.local_time),
        ]
    }
}

impl ViewerSettings {
    /// The range asked for (live when missing).
    pub fn range(&self) -> Result<Range, String> {
        match self.range.as_deref().map(str::trim) {
            None | Some("") => Ok(Range::Live),
            Some(r) => Range::ALL
                .into_iter()
                .find(|x| x.as_str() == r)
                .ok_or_else(|| {
                    format!(
                        "Range must be one of live, 1h, 4h, 7d or custom (got \"{}\").",
                        clip(r)
                    )
                }),
        }
    }

    /// The settings with the deployment named by position or id resolved among `deployments`:
    /// its id as the filter and its lifetime as the range (following it while it is the
    /// newest).
    pub fn at_position(
        &self,
        deployments: &[crate::model::deployments::Deployment],
    ) -> Result<Self, String> {
        use super::position::{Position, lifetime};
        use crate::model::date;
        let Some(position) = Position::parse(self.deployment.as_deref()) else {
            return Ok(self.clone());
        };
        let life = lifetime(deployments, &position)?;
        Ok(Self {
            range: Some(Range::Custom.as_str().to_owned()),
            since: Some(date::format(&life.since)),
            until: life.until.map(|t| date::format(&t)),
            deployment_id: Some(life.id),
            ..self.clone()
        })
    }

    /// The relay's parameters at `now`: the range turned into `since`/`until`, a limit for
    /// closed ranges, and throttling fit for a browser. Checked as the relay checks them.
    pub fn stream_filter(&self, now: crate::model::Timestamp) -> Result<LogFilter, String> {
        use crate::model::date;
        let range = self.range()?;
        let ago = |d: time::Duration| Some(date::format(&(now - d)));
        let (since, until) = match range {
            Range::Live => (ago(time::Duration::minutes(10)), None),
            Range::LastHour => (ago(time::Duration::hours(1)), Some(date::format(&now))),
            Range::Last4Hours => (ago(time::Duration::hours(4)), Some(date::format(&now))),
            Range::Last7Days => (ago(time::Duration::days(7)), Some(date::format(&now))),
            Range::Custom => {
                if self.since.as_deref().is_none_or(|s| s.trim().is_empty()) {
                    return Err("A custom range needs a since date.".to_owned());
                }
                (self.since.clone(), self.until.clone())
            }
        };
        let closed = until.is_some();
        let f = LogFilter {
            deployment_id: self.deployment_id.clone(),
            instance_id: self.instance_id.clone(),
            since,
            until,
            fields: vec![],
            services: self.services.clone(),
            filter: self.filter.clone(),
            limit: closed.then(|| BUFFER_LINES.to_string()),
            // As many as the API lets one ask for: the viewer draws once per frame however many
            // arrive, so a closed range loads at the upstream's pace, not at 2,000 per 100 ms.
            throttle_elements: Some("10000".to_owned()),
            throttle_per_in_milliseconds: Some("100".to_owned()),
        };
        f.upstream_query()?;
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_become_since_and_until() {
        use time::macros::datetime;
        let now = datetime!(2026-11-27 12:00 UTC);
        let live = ViewerSettings::default().stream_filter(now).unwrap();
        assert_eq!(live.since.as_deref(), Some("2026-11-27T11:50:00Z"));
        assert_eq!(
            (live.until, live.limit),
            (None, None),
            "live follows, unbounded"
        );
        let hour = ViewerSettings {
            range: Some("1h".into()),
            services: vec!["bas".into()],
            ..ViewerSettings::default()
        }
        .stream_filter(now)
        .unwrap();
        assert_eq!(hour.since.as_deref(), Some("2026-11-27T11:00:00Z"));
        assert_eq!(hour.until.as_deref(), Some("2026-11-27T12:00:00Z"));
        assert_eq!(hour.limit.as_deref(), Some("100000"));
        assert_eq!(hour.services, ["bas"]);
        let week = ViewerSettings {
            range: Some("7d".into()),
            ..ViewerSettings::default()
        };
        assert_eq!(
            week.stream_filter(now).unwrap().since.as_deref(),
            Some("2026-11-20T12:00:00Z")
        );
        let custom = |since: Option<&str>| ViewerSettings {
            range: Some("custom".into()),
            since: since.map(str::to_owned),
            ..ViewerSettings::default()
        };
        assert!(
            custom(None)
                .stream_filter(now)
                .unwrap_err()
                .contains("needs a since")
        );
        assert!(
            custom(Some("noon"))
                .stream_filter(now)
                .unwrap_err()
                .contains("Since must be a date")
        );
        assert!(custom(Some("2026-11-26")).stream_filter(now).is_ok());
        let bad = ViewerSettings {
            range: Some("forever".into()),
            ..ViewerSettings::default()
        };
        assert!(
            bad.stream_filter(now)
                .unwrap_err()
                .contains("Range must be one of")
        );
    }
}
