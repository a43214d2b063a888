//! Log drains (`/v4/drains`) of an application or add-on.

use super::errors::garbage;
use super::{Authed, Call};
use crate::error::AppError;
use crate::ids::SegmentId;
use crate::model::drains::{CreateDrain, Drain, TestCommand};
use crate::query::DrainQuery;
use reqwest::Method;

impl Authed<'_> {
    /// `GET /v4/drains/organisations/{o}/resources/{r}/drains` (404 means none).
    pub async fn drains(
        &self,
        owner: &SegmentId,
        resource: &SegmentId,
        q: &DrainQuery,
    ) -> Result<Vec<Drain>, AppError> {
        let p = path!(
            "v4/drains/organisations/{}/resources/{}/drains",
            owner,
            resource
        );
        match self.list(Call::get(p).query(q.pairs())).await {
            Err(AppError::NotFound { .. }) => Ok(Vec::new()),
            other => other,
        }
    }

    /// `GET .../drains/{id}`.
    pub async fn drain(
        &self,
        owner: &SegmentId,
        resource: &SegmentId,
        id: &SegmentId,
    ) -> Result<Drain, AppError> {
        let p = path!(
            "v4/drains/organisations/{}/resources/{}/drains/{}",
            owner,
            resource,
            id
        );
        self.json(Call::get(p)).await
    }

    /// `POST .../drains`.
    pub async fn create_drain(
        &self,
        owner: &SegmentId,
        resource: &SegmentId,
        body: &CreateDrain,
    ) -> Result<Drain, AppError> {
        let p = path!(
            "v4/drains/organisations/{}/resources/{}/drains",
            owner,
            resource
        );
        self.json(Call::new(Method::POST, p).json(body)).await
    }

    /// `DELETE .../drains/{id}`.
    pub async fn delete_drain(
        &self,
        owner: &SegmentId,
        resource: &SegmentId,
        id: &SegmentId,
    ) -> Result<(), AppError> {
        let p = path!(
            "v4/drains/organisations/{}/resources/{}/drains/{}",
            owner,
            resource,
            id
        );
        self.no_content(Call::new(Method::DELETE, p)).await
    }

    /// `PUT .../drains/{id}/enable` or `/disable`.
    pub async fn set_drain_enabled(
        &self,
        owner: &SegmentId,
        resource: &SegmentId,
        id: &SegmentId,
        enabled: bool,
    ) -> Result<(), AppError> {
        let p = if enabled {
            path!(
                "v4/drains/organisations/{}/resources/{}/drains/{}/enable",
                owner,
                resource,
                id
            )
        } else {
            path!(
                "v4/drains/organisations/{}/resources/{}/drains/{}/disable",
                owner,
                resource,
                id
            )
        };
        self.no_content(Call::new(Method::PUT, p)).await
    }

    /// `GET .../drains/{id}/test-command`: a curl command, as text or JSON.
    pub async fn drain_test_command(
        &self,
        owner: &SegmentId,
        resource: &SegmentId,
        id: &SegmentId,
    ) -> Result<TestCommand, AppError> {
        let p = path!(
            "v4/drains/organisations/{}/resources/{}/drains/{}/test-command",
            owner,
            resource,
            id
        );
        let resp = self.send(Call::get(p)).await?;
        // A command is a line: 64 KiB is far more than one, and all that is read.
        let bytes = super::errors::read_capped(resp, TEST_COMMAND_BYTES)
            .await
            .map_err(|_| garbage("test command"))?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let command = match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::String(s)) => s,
            Ok(serde_json::Value::Object(o)) => o
                .get("command")
                .and_then(|c| c.as_str())
                .map(str::to_owned)
                .unwrap_or_default(),
            _ => text,
        };
        Ok(TestCommand { command })
    }

    /// `PATCH .../drains/{id}/reset-cursor`.
    pub async fn reset_drain_cursor(
        &self,
        owner: &SegmentId,
        resource: &SegmentId,
        id: &SegmentId,
    ) -> Result<(), AppError> {
        let p = path!(
            "v4/drains/organisations/{}/resources/{}/drains/{}/reset-cursor",
            owner,
            resource,
            id
        );
        self.no_content(Call::new(Method::PATCH, p)).await
    }
}

/// The most of a drain's test command read.
const TEST_COMMAND_BYTES: usize = 64 * 1024;
