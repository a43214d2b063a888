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

/// What a restart answers: the deployment it started (read leniently: an answer without it
/// still means the restart was accepted).
#[derive(serde::Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Started {
    deployment_id: Option<String>,
}

/// The most of a deployment-control answer read (it is a few bytes).
const CONTROL_ANSWER_MAX: usize = 16 * 1024;

impl Authed<'_> {
    /// `POST /v2/organisations/{o}/applications/{a}/instances[?commit=<sha>][&useCache=no]`:
    /// restarts the application (that commit when given; without the build cache when
    /// `no_cache`); the id of the deployment it started, when the answer says it.
    pub async fn restart_app(
        &self,
        owner: &SegmentId,
        app: &SegmentId,
        commit: Option<&str>,
        no_cache: bool,
    ) -> Result<Option<String>, AppError> {
        let p = path!("v2/organisations/{}/applications/{}/instances", owner, app);
        let mut query = Vec::new();
        if let Some(c) = commit {
            query.push(("commit", c.to_owned()));
        }
        if no_cache {
            query.push(("useCache", "no".to_owned()));
        }
        let resp = self
            .send(Call::new(reqwest::Method::POST, p).query(query))
            .await?;
        let body = super::errors::read_capped(resp, CONTROL_ANSWER_MAX)
            .await
            .unwrap_or_default();
        let started: Started = serde_json::from_slice(&body).unwrap_or_default();
        Ok(started
            .deployment_id
            .filter(|id| crate::ids::SegmentId::parse("deployment id", id).is_ok()))
    }

    /// `DELETE /v2/organisations/{o}/applications/{a}/instances`: stops the application.
    pub async fn stop_app(&self, owner: &SegmentId, app: &SegmentId) -> Result<(), AppError> {
        let p = path!("v2/organisations/{}/applications/{}/instances", owner, app);
        self.no_content(Call::new(reqwest::Method::DELETE, p)).await
    }

    /// `DELETE /v2/organisations/{o}/applications/{a}/deployments/{d}/instances`: cancels a
    /// deployment in progress.
    pub async fn cancel_deployment(
        &self,
        owner: &SegmentId,
        app: &SegmentId,
        deployment: &SegmentId,
    ) -> Result<(), AppError> {
        let p = path!(
            "v2/organisations/{}/applications/{}/deployments/{}/instances",
            owner,
            app,
            deployment
        );
        self.no_content(Call::new(reqwest::Method::DELETE, p)).await
    }

    /// `GET /v2/organisations/{o}/members` (404, as for a personal space: none).
    pub async fn members(
        &self,
        owner: &SegmentId,
    ) -> Result<Vec<crate::model::members::Member>, AppError> {
        let p = path!("v2/organisations/{}/members", owner);
        match self.list(Call::get(p)).await {
            Err(AppError::NotFound { .. }) => Ok(Vec::new()),
            other => other,
        }
    }
}
