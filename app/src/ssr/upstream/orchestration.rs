//! Orchestration (`/v4/orchestration`: deployments, instances) and the load balancers
//! (`/v4/load-balancers`) of an application.

use super::{Authed, Call};
use crate::error::AppError;
use crate::ids::SegmentId;
use crate::model::deployments::Deployment;
use crate::model::fleet::{V2Application, V2Deployment};
use crate::model::instances::Instance;
use crate::model::load_balancers::LoadBalancer;
use crate::query::{DeploymentQuery, InstanceQuery};

impl Authed<'_> {
    /// `GET /v4/orchestration/organisations/{o}/applications/{a}/deployments`.
    pub async fn deployments(
        &self,
        owner: &SegmentId,
        app: &SegmentId,
        q: &DeploymentQuery,
    ) -> Result<Vec<Deployment>, AppError> {
        let p = path!(
            "v4/orchestration/organisations/{}/applications/{}/deployments",
            owner,
            app
        );
        self.list(Call::get(p).query(q.pairs())).await
    }

    /// `GET .../deployments/{id}`.
    pub async fn deployment(
        &self,
        owner: &SegmentId,
        app: &SegmentId,
        id: &SegmentId,
    ) -> Result<Deployment, AppError> {
        let p = path!(
            "v4/orchestration/organisations/{}/applications/{}/deployments/{}",
            owner,
            app,
            id
        );
        self.json(Call::get(p)).await
    }

    /// `GET /v4/orchestration/organisations/{o}/applications/{a}/instances`.
    pub async fn instances(
        &self,
        owner: &SegmentId,
        app: &SegmentId,
        q: &InstanceQuery,
    ) -> Result<Vec<Instance>, AppError> {
        let p = path!(
            "v4/orchestration/organisations/{}/applications/{}/instances",
            owner,
            app
        );
        self.list(Call::get(p).query(q.pairs())).await
    }

    /// `GET /v4/load-balancers/organisations/{o}/applications/{a}/load-balancers/default`.
    pub async fn default_load_balancers(
        &self,
        owner: &SegmentId,
        app: &SegmentId,
    ) -> Result<Vec<LoadBalancer>, AppError> {
        let p = path!(
            "v4/load-balancers/organisations/{}/applications/{}/load-balancers/default",
            owner,
            app
        );
        self.list(Call::get(p)).await
    }

    /// `GET /v2/organisations/{o}/deployments?limit=`: each application's latest deployments,
    /// by application id (404 means none).
    pub async fn owner_deployments(
        &self,
        owner: &SegmentId,
        limit: u32,
    ) -> Result<std::collections::HashMap<String, Vec<V2Deployment>>, AppError> {
        let p = path!("v2/organisations/{}/deployments", owner);
        match self
            .json(Call::get(p).query(vec![("limit", limit.to_string())]))
            .await
        {
            Err(AppError::NotFound { .. }) => Ok(Default::default()),
            other => other,
        }
    }

    /// `GET /v2/organisations/{o}/applications/{a}`: state, scaling bounds, zone.
    pub async fn application(
        &self,
        owner: &SegmentId,
        app: &SegmentId,
    ) -> Result<V2Application, AppError> {
        let p = path!("v2/organisations/{}/applications/{}", owner, app);
        self.json(Call::get(p)).await
    }
}
