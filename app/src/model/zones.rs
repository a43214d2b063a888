//! Zones (`/v4/products/zones`).

use super::nullable;
use serde::{Deserialize, Serialize};

/// A place where applications and add-ons can run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Zone {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(deserialize_with = "nullable")]
    pub country: String,
    #[serde(deserialize_with = "nullable")]
    pub country_code: String,
    #[serde(deserialize_with = "nullable")]
    pub city: String,
    pub display_name: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    #[serde(rename = "outboundIPs", deserialize_with = "nullable")]
    pub outbound_ips: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub tags: Vec<String>,
}

impl Zone {
    /// Whether the zone is private to some owners (`scope:private`).
    pub fn is_private(&self) -> bool {
        self.tags.iter().any(|t| t == "scope:private")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_zone() {
        let json = r#"{"id":"z1","name":"par","country":"France","countryCode":"FR","city":"Paris",
          "displayName":"Paris","lat":48.87,"lon":2.33,"outboundIPs":["1.2.3.0/24"],
          "tags":["infra:clever-cloud","region:eu"]}"#;
        let z: Zone = serde_json::from_str(json).unwrap();
        assert_eq!(z.outbound_ips, vec!["1.2.3.0/24".to_owned()]);
        assert!(!z.is_private());
        let p: Zone = serde_json::from_str(r#"{"tags":["scope:private"],"lat":null}"#).unwrap();
        assert!(p.is_private());
        assert_eq!(p.lat, None);
    }
}
