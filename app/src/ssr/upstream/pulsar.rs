//! Pulsar storage policies (`/v4/addon-providers/addon-pulsar`).

use super::errors::parse_json;
use super::{Authed, Call};
use crate::error::AppError;
use crate::ids::SegmentId;
use crate::model::pulsar::StoragePolicies;
use reqwest::Method;

impl Authed<'_> {
    /// `GET /v4/addon-providers/addon-pulsar/addons/{id}/storage-policies`.
    pub async fn pulsar_policies(&self, id: &SegmentId) -> Result<StoragePolicies, AppError> {
        let p = path!(
            "v4/addon-providers/addon-pulsar/addons/{}/storage-policies",
            id
        );
        self.json(Call::get(p)).await
    }

    /// `PATCH .../storage-policies` with only what changed.
    pub async fn patch_pulsar_policies(
        &self,
        id: &SegmentId,
        body: &serde_json::Value,
    ) -> Result<StoragePolicies, AppError> {
        let p = path!(
            "v4/addon-providers/addon-pulsar/addons/{}/storage-policies",
            id
        );
        let template = p.template();
        let resp = self.send(Call::new(Method::PATCH, p).json(body)).await?;
        // The answer's shape is not settled upstream; read the policies back when it differs.
        match parse_json::<StoragePolicies>(resp, &template).await {
            Ok(p) if p.retention_policies.is_some() || p.offload_policies.is_some() => Ok(p),
            _ => self.pulsar_policies(id).await,
        }
    }
}
