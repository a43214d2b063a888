//! Load balancers (`/v4/load-balancers/.../load-balancers/default`).

use super::nullable;
use serde::{Deserialize, Serialize};

/// DNS records to point a custom domain at.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dns {
    pub cname: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub a: Vec<String>,
}

/// One load balancer, per zone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LoadBalancer {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    pub zone_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub dns: Dns,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_reference_load_balancers() {
        let json = r#"[{"id":"lb_1","name":"par","zoneId":"z1",
            "dns":{"cname":"domain.par.clever-cloud.com.","a":["1.2.3.4","5.6.7.8"]}}]"#;
        let lbs: Vec<LoadBalancer> = serde_json::from_str(json).unwrap();
        assert_eq!(lbs[0].dns.a.len(), 2);
        assert_eq!(
            lbs[0].dns.cname.as_deref(),
            Some("domain.par.clever-cloud.com.")
        );
    }
}
