//! `GET /download/orgs/{owner}/activity.csv`: the organisation's whole activity feed,
//! unfiltered: one row per deployment the upstream returned and per audit event kept.

use crate::downloads::attachment::{DownloadError, csv_attachment, neutralise};
use crate::http::signed_in::SignedIn;
use crate::state::AppState;
use app::ids::SegmentId;
use app::logic::activity::{CSV_HEADER, csv_cells};
use app::model::activity::ActivityRow;
use axum::response::Response;

/// The CSV of `rows` (RFC 4180 quoting by the csv crate, every cell neutralised).
pub fn activity_csv_bytes(rows: &[ActivityRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(CSV_HEADER)?;
    for row in rows {
        w.write_record(csv_cells(row).iter().map(|c| neutralise(c)))?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

pub(super) async fn activity_csv(
    state: AppState,
    SignedIn { credentials, .. }: SignedIn,
    owner: String,
) -> Result<Response, DownloadError> {
    let owner = SegmentId::parse("owner id", &owner)?;
    let api = state.upstream.with(&credentials);
    let store = state.store.clone();
    let events = async {
        match store.audit_of(owner.as_str()).await {
            Ok(e) => Some(e),
            Err(e) => {
                tracing::warn!(error = %e, "audit trail not read for the activity CSV");
                None
            }
        }
    };
    let (rows, _, _) = app::api::activity::ssr::rows_with(&api, &owner, events).await?;
    Ok(csv_attachment(
        activity_csv_bytes(&rows),
        &format!("activity-{owner}.csv"),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::activity::Source;

    #[test]
    fn cells_are_neutralised_and_quoted() {
        let row = ActivityRow {
            at: None,
            actor: "=HYPERLINK(\"http://x\")".into(),
            event: "drain.create".into(),
            target: "api, \"v2\"".into(),
            app_id: None,
            state: "SUCCEEDED".into(),
            source: Source::Dashboard,
            href: None,
        };
        let csv = String::from_utf8(activity_csv_bytes(&[row]).expect("csv")).expect("utf-8");
        assert_eq!(
            csv,
            "time,actor,event,target,state,source\r\n,\"'=HYPERLINK(\"\"http://x\"\")\",drain.create,\"api, \"\"v2\"\"\",SUCCEEDED,dashboard\r\n"
        );
    }
}
