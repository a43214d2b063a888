//! Pulsar storage policies (`/v4/addon-providers/addon-pulsar/addons/{id}/storage-policies`).

use serde::{Deserialize, Serialize};

/// One policy. `None` means "not set"; a negative value means "no limit".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Policy {
    pub size_in_bytes: Option<i64>,
    pub duration_in_minutes: Option<i64>,
}

/// Retention and offload of a Pulsar add-on. Both fields `null`: infinite retention,
/// offload disabled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StoragePolicies {
    pub retention_policies: Option<Policy>,
    pub offload_policies: Option<Policy>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_policies_with_nulls_and_negatives() {
        let p: StoragePolicies = serde_json::from_str(
            r#"{"retentionPolicies":{"sizeInBytes":-1,"durationInMinutes":10080},
                "offloadPolicies":{"sizeInBytes":null,"durationInMinutes":null}}"#,
        )
        .unwrap();
        let r = p.retention_policies.unwrap();
        assert_eq!(r.size_in_bytes, Some(-1));
        assert_eq!(r.duration_in_minutes, Some(10080));
        assert_eq!(p.offload_policies, Some(Policy::default()));
        let empty: StoragePolicies = serde_json::from_str("{}").unwrap();
        assert_eq!(empty.retention_policies, None);
    }
}
