//! The demo's stats, computed from the resource and the time: the same hour always gives the
//! same figures.

use crate::ids::pick;
use time::{Duration, OffsetDateTime};

/// A resource's `name` series (`cpu`, `mem` in percent, `load1`) from `from` to `to`, one point
/// per `span`, each dated at its start in microseconds; every third value as a string, as the
/// API sometimes sends them.
pub(super) fn series(
    id: &str,
    name: &str,
    from: OffsetDateTime,
    to: OffsetDateTime,
    span: Duration,
) -> Vec<serde_json::Value> {
    let step = span.whole_seconds().max(60);
    let start = from.unix_timestamp() / step * step;
    let base = pick(id, 8, 35) as f64;
    (0..)
        .map(|i| start + i * step)
        .take_while(|t| *t < to.unix_timestamp())
        .map(|t| {
            let hour = (t / 3600 % 24) as f64;
            // Busy by day, quiet by night (UTC), with a little noise per point.
            let day = (std::f64::consts::PI * (hour - 4.0) / 12.0).sin().max(0.0);
            let noise = pick(&format!("{id}{name}{t}"), 0, 1000) as f64 / 1000.0;
            let cpu = (base * (0.3 + day) + 6.0 * noise).min(100.0);
            // api-gateway spikes every day at 14:00 UTC.
            let cpu =
                if id.ends_with(&crate::cast::app_id("api-gateway")[4..]) && t / 3600 % 24 == 14 {
                    88.0 + 4.0 * noise
                } else {
                    cpu
                };
            let value = match name {
                "cpu" => cpu,
                "mem" => (35.0 + base / 2.0 + 10.0 * day + 3.0 * noise).min(100.0),
                _ => cpu / 30.0,
            };
            let value = (value * 10.0).round() / 10.0;
            let value = if t / step % 3 == 0 {
                serde_json::Value::String(value.to_string())
            } else {
                serde_json::json!(value)
            };
            serde_json::json!({ "timestamp": t * 1_000_000, "value": value })
        })
        .collect()
}

/// Requests per hour by status code for the applications `ids`, each bucket dated by its end;
/// a burst of 5xx at 09:00 UTC.
pub(super) fn status_codes(
    ids: &[&str],
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    let mut end = from + Duration::hours(1);
    while end <= to {
        let t = end.unix_timestamp();
        let hour = (t / 3600 % 24) as f64;
        let day = (std::f64::consts::PI * (hour - 4.0) / 12.0).sin().max(0.05);
        let mut counts = [
            (200u16, 0u64),
            (301, 0),
            (304, 0),
            (404, 0),
            (500, 0),
            (503, 0),
        ];
        for id in ids {
            let volume = pick(id, 200, 2000) as f64 * day;
            let n = |share: f64, salt: &str| {
                (volume * share) as u64 + pick(&format!("{id}{t}{salt}"), 0, 5)
            };
            counts[0].1 += n(0.86, "2");
            counts[1].1 += n(0.03, "31");
            counts[2].1 += n(0.05, "34");
            counts[3].1 += n(0.04, "4");
            let burst = t / 3600 % 24 == 9;
            counts[4].1 += if burst { n(0.2, "5") } else { n(0.003, "5") };
            counts[5].1 += if burst { n(0.08, "53") } else { 0 };
        }
        out.push(serde_json::json!({
            "date": app::model::date::format(&end),
            "statuses": counts.iter().map(|(code, count)| serde_json::json!({"code": code, "count": count})).collect::<Vec<_>>(),
        }));
        end += Duration::hours(1);
    }
    out
}

/// Where requests came from: a few cities, the counts drawn from `key`.
pub(super) fn locations(key: &str) -> Vec<serde_json::Value> {
    [
        ("Paris", 48.85, 2.35, 40),
        ("Nantes", 47.22, -1.55, 12),
        ("Berlin", 52.52, 13.40, 14),
        ("London", 51.51, -0.13, 9),
        ("New York", 40.71, -74.01, 11),
        ("Montréal", 45.50, -73.57, 5),
        ("São Paulo", -23.55, -46.63, 3),
        ("Singapore", 1.35, 103.82, 4),
        ("Sydney", -33.87, 151.21, 2),
    ]
    .iter()
    .map(|(city, lat, long, weight)| {
        serde_json::json!({
            "lat": lat,
            "long": long,
            "city": city,
            "accessCount": weight * pick(&format!("{key}{city}"), 50, 150),
        })
    })
    .collect()
}
