//! Operators (`/v4/addon-providers/addon-{kind}`): Keycloak, Matomo, Metabase, Otoroshi.

use super::{Accept, Authed, Call};
use crate::error::AppError;
use crate::ids::SegmentId;
use crate::model::operators::{Operator, OperatorKind, VersionCheck, VersionUpdate};
use reqwest::{Method, Response};

/// The provider segment of an operator kind.
fn provider(kind: OperatorKind) -> &'static str {
    match kind {
        OperatorKind::Keycloak => "addon-keycloak",
        OperatorKind::Matomo => "addon-matomo",
        OperatorKind::Metabase => "addon-metabase",
        OperatorKind::Otoroshi => "addon-otoroshi",
    }
}

impl Authed<'_> {
    /// `GET /v4/addon-providers/addon-{kind}/addons/{id}`.
    pub async fn operator(&self, kind: OperatorKind, id: &SegmentId) -> Result<Operator, AppError> {
        let p = path!("v4/addon-providers/{}/addons/{}", provider(kind), id);
        self.json(Call::get(p)).await
    }

    /// `POST .../reboot` (204).
    pub async fn reboot_operator(
        &self,
        kind: OperatorKind,
        id: &SegmentId,
    ) -> Result<(), AppError> {
        let p = path!("v4/addon-providers/{}/addons/{}/reboot", provider(kind), id);
        self.no_content(Call::new(Method::POST, p)).await
    }

    /// `POST .../rebuild` (204).
    pub async fn rebuild_operator(
        &self,
        kind: OperatorKind,
        id: &SegmentId,
    ) -> Result<(), AppError> {
        let p = path!(
            "v4/addon-providers/{}/addons/{}/rebuild",
            provider(kind),
            id
        );
        self.no_content(Call::new(Method::POST, p)).await
    }

    /// `GET .../version/check`.
    pub async fn operator_version_check(
        &self,
        kind: OperatorKind,
        id: &SegmentId,
    ) -> Result<VersionCheck, AppError> {
        let p = path!(
            "v4/addon-providers/{}/addons/{}/version/check",
            provider(kind),
            id
        );
        self.json(Call::get(p)).await
    }

    /// `POST .../version/update`: returns the operator.
    pub async fn update_operator_version(
        &self,
        kind: OperatorKind,
        id: &SegmentId,
        body: &VersionUpdate,
    ) -> Result<Operator, AppError> {
        let p = path!(
            "v4/addon-providers/{}/addons/{}/version/update",
            provider(kind),
            id
        );
        self.json(Call::new(Method::POST, p).json(body)).await
    }

    /// `POST .../networkgroup` (202, returns the operator) or `DELETE` (204).
    pub async fn set_operator_network_group(
        &self,
        kind: OperatorKind,
        id: &SegmentId,
        on: bool,
    ) -> Result<(), AppError> {
        let p = path!(
            "v4/addon-providers/{}/addons/{}/networkgroup",
            provider(kind),
            id
        );
        let method = if on { Method::POST } else { Method::DELETE };
        self.no_content(Call::new(method, p)).await
    }

    /// `GET /v4/addon-providers/addon-otoroshi/addons/{id}/config.yaml`, to stream on.
    pub async fn otoroshi_config(&self, id: &SegmentId) -> Result<Response, AppError> {
        let p = path!(
            "v4/addon-providers/addon-otoroshi/addons/{}/config.yaml",
            id
        );
        self.send(Call::get(p).streaming(Accept::Yaml)).await
    }
}
