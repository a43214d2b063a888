//! `GET /download/orgs/{owner}/costs-{year}.csv`: the costs page's table as CSV (the same
//! quoting and formula neutralising as the invoice CSV), from the same session cache.

use crate::downloads::attachment::{DownloadError, csv_attachment, neutralise};
use crate::http::signed_in::SignedIn;
use crate::state::AppState;
use app::ids::SegmentId;
use app::logic::costs::YearCosts;
use axum::response::Response;

/// The CSV of a year's table: one row per application and currency, then each currency's
/// total; amounts as plain numbers with a dot.
pub fn costs_csv(costs: &YearCosts) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut head = vec!["currency".to_owned(), "application".into(), "kind".into()];
    head.extend((1..=12).map(|m| format!("{}-{m:02}", costs.year)));
    head.push("year".into());
    w.write_record(&head)?;
    for c in &costs.currencies {
        let rows = c
            .rows
            .iter()
            .map(|r| (r.label.as_str(), r.kind.as_str(), &r.months, r.total))
            .chain(std::iter::once((
                "Total",
                "total",
                &c.month_totals,
                c.total,
            )));
        for (label, kind, months, total) in rows {
            let mut record = vec![neutralise(&c.currency), neutralise(label), kind.to_owned()];
            record.extend(months.iter().map(|v| format!("{v:.2}")));
            record.push(format!("{total:.2}"));
            w.write_record(&record)?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The route (reached through `downloads::by_name`).
pub async fn costs_download(
    state: AppState,
    SignedIn {
        credentials,
        session,
    }: SignedIn,
    owner: String,
    year: i32,
) -> Result<Response, DownloadError> {
    let owner = SegmentId::parse("owner id", &owner)?;
    let key = session.id().map(|id| id.to_string()).unwrap_or_default();
    let api = state.upstream.with(&credentials);
    let cache = Some(&state.invoice_details);
    let costs = app::ssr::costs::year_costs(&api, cache, &key, &owner, year).await?;
    Ok(csv_attachment(
        costs_csv(&costs),
        &format!("costs-{owner}-{year}.csv"),
    )?)
}
