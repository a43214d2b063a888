//! Orchestration (`/v4/orchestration`: deployments, instances) and the load balancers
//! (`/v4/load-balancers`) of an application.

use super::{Authed, Call};
use crate::error::AppError;
use crate::ids::SegmentId;
use crate::model::deployments::Deployment;
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
}
