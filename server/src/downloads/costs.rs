//! `GET /download/orgs/{owner}/costs-{year}.csv`: the costs page's table as CSV (the same
//! quoting and formula neutralising as the invoice CSV), from the same session cache; and
//! `costs-{year}-{month}-estimate.csv`, this month's estimate one row per instance.

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
    let key = app::ssr::session::cache_key(&session);
    let api = state.upstream.with(&credentials);
    let cache = Some(&state.invoice_details);
    let costs = app::ssr::costs::year_costs(&api, cache, &key, &owner, year).await?;
    Ok(csv_attachment(
        costs_csv(&costs),
        &format!("costs-{owner}-{year}.csv"),
    )?)
}

/// The estimate's rows: `application_id,application,instance_id,flavor,zone,hours,
/// hourly_price,amount,currency`, `amount` = `hours` × `hourly_price` (list price); an
/// instance without a price has both empty, never 0.
pub fn estimate_csv(e: &app::logic::costs::estimate::MonthEstimate) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record([
        "application_id",
        "application",
        "instance_id",
        "flavor",
        "zone",
        "hours",
        "hourly_price",
        "amount",
        "currency",
    ])?;
    for r in &e.rows {
        w.write_record([
            neutralise(&r.application_id),
            neutralise(&r.application),
            neutralise(&r.instance_id),
            neutralise(&r.flavor),
            neutralise(&r.zone),
            format!("{:.2}", r.hours),
            r.hourly_price.map(|p| p.to_string()).unwrap_or_default(),
            r.amount.map(|a| format!("{a:.4}")).unwrap_or_default(),
            neutralise(&e.currency),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The route of this month's estimate (reached through `downloads::by_name`): only the
/// current UTC month can be estimated.
pub async fn estimate_download(
    state: AppState,
    SignedIn {
        credentials,
        session,
    }: SignedIn,
    owner: String,
    year: i32,
    month: u8,
) -> Result<Response, DownloadError> {
    let owner = SegmentId::parse("owner id", &owner)?;
    let now = time::OffsetDateTime::now_utc();
    if (year, month) != (now.year(), u8::from(now.month())) {
        return Err(app::error::AppError::BadRequest(format!(
            "Only this month can be estimated: costs-{}-{:02}-estimate.csv. A past month is on its invoice.",
            now.year(),
            u8::from(now.month())
        )))?;
    }
    let key = app::ssr::session::cache_key(&session);
    let api = state.upstream.with(&credentials);
    let e = app::ssr::costs::month_estimate(&api, Some(&state.invoice_details), &key, &owner, now)
        .await?;
    Ok(csv_attachment(
        estimate_csv(&e),
        &format!("costs-{owner}-{year}-{month:02}-estimate.csv"),
    )?)
}
