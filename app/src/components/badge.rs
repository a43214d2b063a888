//! State badges: the same colour means the same state on every page, always with a label.
//! Every state of every kind gets its colour here, in one palette.

use crate::model::billing::InvoiceStatus;
use crate::model::deployments::DeploymentState;
use crate::model::drains::{DrainStatus, ExecutionStatus};
use crate::model::instances::InstanceState;
use crate::model::navigation::ApplicationState;
use leptos::prelude::*;

/// The colour families of states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Succeeded,
    Failed,
    InProgress,
    Queued,
    Cancelled,
    Unknown,
}

impl Tone {
    /// The colour's name, for CSS classes of charts (`fill-ok`, `fill-failed`…).
    pub fn key(self) -> &'static str {
        match self {
            Self::Succeeded => "ok",
            Self::Failed => "failed",
            Self::InProgress => "progress",
            Self::Queued => "queued",
            Self::Cancelled => "cancelled",
            Self::Unknown => "unknown",
        }
    }

    /// The CSS class.
    pub fn class(self) -> &'static str {
        match self {
            Self::Succeeded => "badge ok",
            Self::Failed => "badge failed",
            Self::InProgress => "badge progress",
            Self::Queued => "badge queued",
            Self::Cancelled => "badge cancelled",
            Self::Unknown => "badge unknown",
        }
    }
}

/// A state badge with its label; `raw`, the upstream's own value, goes in its tooltip.
#[component]
pub fn Badge(
    tone: Tone,
    #[prop(into)] label: String,
    #[prop(optional, into)] raw: Option<String>,
) -> impl IntoView {
    view! { <span class=tone.class() title=raw>{label}</span> }
}

/// The colour of a deployment or step state.
pub fn deployment_tone(state: &DeploymentState) -> Tone {
    match state {
        DeploymentState::Succeeded => Tone::Succeeded,
        DeploymentState::Failed => Tone::Failed,
        DeploymentState::WorkInProgress | DeploymentState::TaskInProgress => Tone::InProgress,
        DeploymentState::Queued => Tone::Queued,
        DeploymentState::Cancelled => Tone::Cancelled,
        DeploymentState::Unknown(_) => Tone::Unknown,
    }
}

/// The badge of an instance state.
pub fn instance_tone(state: &InstanceState) -> Tone {
    match state {
        InstanceState::Up | InstanceState::Ready => Tone::Succeeded,
        InstanceState::Booting
        | InstanceState::Starting
        | InstanceState::Deploying
        | InstanceState::Building
        | InstanceState::MigrationInProgress
        | InstanceState::TaskInProgress => Tone::InProgress,
        InstanceState::Stopping => Tone::Queued,
        InstanceState::Deleted => Tone::Cancelled,
        InstanceState::Ghost => Tone::Failed,
        InstanceState::Unknown(_) => Tone::Unknown,
    }
}

/// The badge of a drain's state.
pub fn drain_tone(s: &DrainStatus) -> Tone {
    match s {
        DrainStatus::Enabled => Tone::Succeeded,
        DrainStatus::Created | DrainStatus::Enabling | DrainStatus::Disabling => Tone::InProgress,
        DrainStatus::Disabled => Tone::Cancelled,
        DrainStatus::Deleted => Tone::Failed,
        DrainStatus::Unknown(_) => Tone::Unknown,
    }
}

/// The badge of a drain's forwarding.
pub fn execution_tone(s: &ExecutionStatus) -> Tone {
    match s {
        ExecutionStatus::Running => Tone::Succeeded,
        ExecutionStatus::Retrying => Tone::Failed,
        ExecutionStatus::NotRunning => Tone::Cancelled,
        ExecutionStatus::Unknown(_) => Tone::Unknown,
    }
}

/// The badge of an invoice status.
pub fn invoice_tone(status: &InvoiceStatus) -> Tone {
    match status {
        InvoiceStatus::Paid => Tone::Succeeded,
        InvoiceStatus::Pending | InvoiceStatus::PaymentHeld => Tone::Queued,
        InvoiceStatus::Processing => Tone::InProgress,
        InvoiceStatus::WontPay => Tone::Failed,
        InvoiceStatus::Canceled | InvoiceStatus::Refunded => Tone::Cancelled,
        InvoiceStatus::Unknown(_) => Tone::Unknown,
    }
}

/// The badge of an application's desired state.
pub fn app_state_badge(state: &ApplicationState) -> (Tone, &'static str) {
    match state {
        ApplicationState::ShouldBeUp => (Tone::Succeeded, "running"),
        ApplicationState::WantsToBeUp => (Tone::InProgress, "starting"),
        ApplicationState::ShouldBeDown => (Tone::Cancelled, "stopped"),
        ApplicationState::Moderated => (Tone::Failed, "moderated"),
        ApplicationState::DefaultOfPayment => (Tone::Failed, "blocked: payment due"),
        ApplicationState::Unknown(_) => (Tone::Unknown, "unknown"),
    }
}
