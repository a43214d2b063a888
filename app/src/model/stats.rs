//! `/v4/stats`: metrics series, requests by status code, where requests come from.

use super::Timestamp;
use super::date;
use serde::{Deserialize, Deserializer, Serialize};

/// A number as the API sends it: a number or a numeric string; anything else is a gap.
fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|v| v.is_finite()))
}

/// Microseconds since the epoch, as the stats API dates its points.
fn micros<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    Ok(Option::<serde_json::Value>::deserialize(d)?
        .and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
        .and_then(|us| Timestamp::from_unix_timestamp_nanos(i128::from(us) * 1000).ok()))
}

/// One point of a series.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Point {
    #[serde(deserialize_with = "micros")]
    pub timestamp: Option<Timestamp>,
    #[serde(deserialize_with = "number")]
    pub value: Option<f64>,
}

/// A named series (`cpu`, `mem`, `load1`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Series {
    pub name: String,
    pub data: Vec<Point>,
}

/// Requests of one status code in a bucket.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusCount {
    pub code: u16,
    pub count: u64,
}

/// One hour of requests by status code, dated by its end.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusBucket {
    #[serde(with = "date")]
    pub date: Option<Timestamp>,
    pub statuses: Vec<StatusCount>,
}

/// Requests from one place.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Location {
    pub lat: f64,
    pub long: f64,
    pub city: Option<String>,
    pub access_count: u64,
}
