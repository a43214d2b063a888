//! The metrics page's arithmetic: points into buckets with their mean and maximum, the
//! window's p95 and peak, requests by status class with the error rate.

use crate::model::Timestamp;
use crate::model::stats::{Point, StatusBucket};
use serde::{Deserialize, Serialize};
use time::Duration;

/// The page's range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Range {
    /// The last 24 hours, in hourly buckets (points every 5 minutes).
    #[default]
    Day,
    /// The last 7 days, in 6-hour buckets (points every hour).
    Week,
}

impl Range {
    /// From the address (`24h`, `7d`); `None` for anything else.
    pub fn parse(raw: Option<&str>) -> Option<Self> {
        match raw.map(str::trim) {
            None | Some("") | Some("24h") => Some(Self::Day),
            Some("7d") => Some(Self::Week),
            _ => None,
        }
    }

    /// As the address writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "24h",
            Self::Week => "7d",
        }
    }

    /// The whole window.
    pub fn window(self) -> Duration {
        match self {
            Self::Day => Duration::days(1),
            Self::Week => Duration::days(7),
        }
    }

    /// One point of the upstream's series (ISO 8601 `span`), and the same as a duration.
    pub fn span(self) -> (&'static str, Duration) {
        match self {
            Self::Day => ("PT5M", Duration::minutes(5)),
            Self::Week => ("PT1H", Duration::hours(1)),
        }
    }

    /// The upstream's `interval`.
    pub fn interval(self) -> &'static str {
        match self {
            Self::Day => "P1D",
            Self::Week => "P7D",
        }
    }

    /// One drawn bucket.
    pub fn bucket(self) -> Duration {
        match self {
            Self::Day => Duration::hours(1),
            Self::Week => Duration::hours(6),
        }
    }
}

/// One drawn bucket: its start, and the mean and maximum of its points (`None`: no point).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    #[serde(with = "crate::model::date")]
    pub start: Option<Timestamp>,
    pub mean: Option<f64>,
    pub max: Option<f64>,
}

/// The points from `from` for `count` buckets of `width`, each with its mean and maximum;
/// points without a date or a value are gaps, points outside the window are left out.
pub fn buckets(points: &[Point], from: Timestamp, width: Duration, count: usize) -> Vec<Bucket> {
    let mut sums = vec![(0.0f64, 0u32, f64::NEG_INFINITY); count];
    for p in points {
        let (Some(t), Some(v)) = (p.timestamp, p.value) else {
            continue;
        };
        if t < from {
            continue;
        }
        let i = ((t - from).whole_seconds() / width.whole_seconds().max(1)) as usize;
        if let Some(s) = sums.get_mut(i) {
            s.0 += v;
            s.1 += 1;
            s.2 = s.2.max(v);
        }
    }
    sums.into_iter()
        .enumerate()
        .map(|(i, (sum, n, max))| Bucket {
            start: Some(from + width * i as i32),
            mean: (n > 0).then(|| sum / f64::from(n)),
            max: (n > 0).then_some(max),
        })
        .collect()
}

/// The `p`-th percentile (0 to 100) by nearest rank; `None` for no value.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v: Vec<f64> = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
    v.get(rank.min(v.len()) - 1).copied()
}

/// A window's figures: its p95 and its peak with when it was.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Peak {
    pub p95: f64,
    pub peak: f64,
    #[serde(with = "crate::model::date")]
    pub at: Option<Timestamp>,
}

/// The p95 and the peak of the points in `[from, ..)` (none without a value).
pub fn peak(points: &[Point], from: Timestamp) -> Option<Peak> {
    let kept: Vec<(Timestamp, f64)> = points
        .iter()
        .filter_map(|p| Some((p.timestamp?, p.value?)))
        .filter(|(t, _)| *t >= from)
        .collect();
    let values: Vec<f64> = kept.iter().map(|(_, v)| *v).collect();
    let p95 = percentile(&values, 95.0)?;
    let (at, peak) =
        kept.iter()
            .copied()
            .fold(None::<(Timestamp, f64)>, |best, (t, v)| match best {
                Some((_, b)) if b >= v => best,
                _ => Some((t, v)),
            })?;
    Some(Peak {
        p95,
        peak,
        at: Some(at),
    })
}

/// One hour of requests by status class.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClassCounts {
    #[serde(with = "crate::model::date")]
    pub end: Option<Timestamp>,
    pub c2: u64,
    pub c3: u64,
    pub c4: u64,
    pub c5: u64,
    /// Codes outside 200–599 (the platform's own below 100, 1xx).
    pub other: u64,
}

impl ClassCounts {
    /// Every request of the hour.
    pub fn total(&self) -> u64 {
        self.c2 + self.c3 + self.c4 + self.c5 + self.other
    }
}

/// Each hour's requests by class, in time order.
pub fn by_class(buckets: &[StatusBucket]) -> Vec<ClassCounts> {
    let mut out: Vec<ClassCounts> = buckets
        .iter()
        .map(|b| {
            let mut c = ClassCounts {
                end: b.date,
                ..ClassCounts::default()
            };
            for s in &b.statuses {
                match s.code {
                    200..=299 => c.c2 += s.count,
                    300..=399 => c.c3 += s.count,
                    400..=499 => c.c4 += s.count,
                    500..=599 => c.c5 += s.count,
                    _ => c.other += s.count,
                }
            }
            c
        })
        .collect();
    out.sort_by_key(|c| c.end);
    out
}

/// The share of 5xx answers among all, in percent; `None` without requests.
pub fn error_rate(hours: &[ClassCounts]) -> Option<f64> {
    let total: u64 = hours.iter().map(ClassCounts::total).sum();
    let errors: u64 = hours.iter().map(|h| h.c5).sum();
    (total > 0).then(|| errors as f64 * 100.0 / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::stats::{Series, StatusCount};
    use time::macros::datetime;

    fn series(json: &str) -> Vec<Point> {
        serde_json::from_str::<Vec<Series>>(json).expect("series")[0]
            .data
            .clone()
    }

    #[test]
    fn points_read_numbers_and_numeric_strings_and_keep_gaps() {
        let p = series(
            r#"[{"name":"cpu","data":[{"timestamp":1764633600000000,"value":"12.5"},
            {"timestamp":1764633900000000,"value":40},{"timestamp":1764634200000000,"value":"n/a"},
            {"timestamp":null,"value":3}]}]"#,
        );
        assert_eq!(p[0].value, Some(12.5));
        assert_eq!(p[0].timestamp, Some(datetime!(2025-12-02 00:00 UTC)));
        assert_eq!(p[1].value, Some(40.0));
        assert_eq!(p[2].value, None, "not a number: a gap");
        assert_eq!(p[3].timestamp, None);
    }

    #[test]
    fn buckets_have_mean_and_max_and_gaps_stay_gaps() {
        let from = datetime!(2026-12-01 00:00 UTC);
        let pt = |min: i64, v: Option<f64>| Point {
            timestamp: Some(from + Duration::minutes(min)),
            value: v,
        };
        let points = vec![
            pt(0, Some(2.0)),
            pt(5, Some(4.0)),
            pt(55, Some(90.0)),
            pt(130, None),
            pt(-5, Some(100.0)),
            pt(600, Some(100.0)),
        ];
        let b = buckets(&points, from, Duration::hours(1), 3);
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].mean, Some(32.0));
        assert_eq!(b[0].max, Some(90.0), "the mean alone would hide the spike");
        assert_eq!((b[1].mean, b[1].max), (None, None));
        assert_eq!(
            (b[2].mean, b[2].max),
            (None, None),
            "a value-less point is a gap"
        );
        assert_eq!(b[2].start, Some(from + Duration::hours(2)));
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 95.0), Some(95.0));
        assert_eq!(percentile(&v, 50.0), Some(50.0));
        assert_eq!(percentile(&[7.0], 95.0), Some(7.0));
        assert_eq!(percentile(&[], 95.0), None);
        let from = datetime!(2026-12-01 00:00 UTC);
        let points: Vec<Point> = [3.0, 92.0, 5.0]
            .iter()
            .enumerate()
            .map(|(i, v)| Point {
                timestamp: Some(from + Duration::hours(i as i64 * 7)),
                value: Some(*v),
            })
            .collect();
        let p = peak(&points, from).expect("figures");
        assert_eq!((p.peak, p.at), (92.0, Some(from + Duration::hours(7))));
        assert_eq!(p.p95, 92.0);
    }

    #[test]
    fn requests_by_class_with_the_error_rate() {
        let b = |h: i64, codes: &[(u16, u64)]| StatusBucket {
            date: Some(datetime!(2026-12-01 00:00 UTC) + Duration::hours(h)),
            statuses: codes
                .iter()
                .map(|(code, count)| StatusCount {
                    code: *code,
                    count: *count,
                })
                .collect(),
        };
        let hours = by_class(&[
            b(2, &[(200, 90), (503, 10)]),
            b(1, &[(200, 50), (404, 30), (301, 15), (42, 5)]),
        ]);
        assert_eq!(hours[0].c4, 30, "in time order");
        assert_eq!(hours[0].other, 5);
        assert_eq!(hours[1].c5, 10);
        assert_eq!(error_rate(&hours), Some(5.0));
        assert_eq!(error_rate(&[]), None);
    }
}
