//! The seeded pulsar of the demo world.

use app::model::pulsar::{Policy, StoragePolicies};

pub(crate) fn seed_policies(name: &str) -> StoragePolicies {
    if name == "events" {
        StoragePolicies {
            retention_policies: Some(Policy {
                size_in_bytes: Some(10 * 1024 * 1024 * 1024),
                duration_in_minutes: Some(7 * 24 * 60),
            }),
            offload_policies: Some(Policy {
                size_in_bytes: Some(-1),
                duration_in_minutes: Some(24 * 60),
            }),
        }
    } else {
        StoragePolicies::default()
    }
}
