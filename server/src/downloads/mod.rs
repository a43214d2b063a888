//! `/download/...`: the routes' dispatch by file name. Invoice PDF and HTML streamed from the upstream (never buffered whole),
//! and the CSV export of the invoice list. Only our own headers go out; the upstream's
//! (`Set-Cookie` among them) stay behind.

mod activity;
mod archive;
pub mod attachment;
mod costs;
mod invoices;
mod logs;
mod otoroshi;

pub use invoices::{invoice_document, invoices_csv_download};
pub use logs::{addon_file, app_file};
pub use otoroshi::otoroshi_config;

use crate::downloads::attachment::DownloadError;
use crate::http::signed_in::SignedIn;
use crate::state::AppState;
use app::error::AppError;
use axum::extract::{Path, State};
use axum::response::Response;

/// `GET /download/orgs/{owner}/{file}`: a year's archive of PDFs (`invoices-{year}.zip`) or
/// costs table (`costs-{year}.csv`), or the organisation's activity (`activity.csv`).
pub async fn by_name(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((owner, file)): Path<(String, String)>,
) -> Result<Response, DownloadError> {
    if file == "activity.csv" {
        return activity::activity_csv(state, signed_in, owner).await;
    }
    if let Some((year, month)) = estimate_file(&file) {
        return costs::estimate_download(state, signed_in, owner, year, month).await;
    }
    match year_file(&file) {
        Some((YearFile::Invoices, year)) => {
            archive::invoices_zip(state, signed_in, owner, year).await
        }
        Some((YearFile::Costs, year)) => costs::costs_download(state, signed_in, owner, year).await,
        None => Err(AppError::not_found("such a download"))?,
    }
}

/// The files a year has.
#[derive(Debug, PartialEq)]
enum YearFile {
    /// `invoices-{year}.zip`: the year's PDFs.
    Invoices,
    /// `costs-{year}.csv`: the year's costs per application and month.
    Costs,
}

/// The file and its year, when the name is one of a year's files and the year is a four-digit
/// one the dashboard shows (`logic::costs::YEARS`).
fn year_file(name: &str) -> Option<(YearFile, i32)> {
    let (kind, year) = if let Some(rest) = name.strip_prefix("invoices-") {
        (YearFile::Invoices, rest.strip_suffix(".zip")?)
    } else {
        (
            YearFile::Costs,
            name.strip_prefix("costs-")?.strip_suffix(".csv")?,
        )
    };
    let y: i32 = year.parse().ok()?;
    (year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && app::logic::costs::YEARS.contains(&y))
    .then_some((kind, y))
}

/// The year and month of `costs-{year}-{month}-estimate.csv` (four digits, then two).
fn estimate_file(name: &str) -> Option<(i32, u8)> {
    let rest = name.strip_prefix("costs-")?.strip_suffix("-estimate.csv")?;
    let (y, m) = rest.split_once('-')?;
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(y, 4) || !digits(m, 2) {
        return None;
    }
    let (y, m): (i32, u8) = (y.parse().ok()?, m.parse().ok()?);
    ((1..=12).contains(&m) && app::logic::costs::YEARS.contains(&y)).then_some((y, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_estimate_is_named_by_its_year_and_two_digit_month() {
        assert_eq!(
            estimate_file("costs-2026-12-estimate.csv"),
            Some((2026, 12))
        );
        assert_eq!(estimate_file("costs-2026-01-estimate.csv"), Some((2026, 1)));
        for bad in [
            "costs-2026-1-estimate.csv",
            "costs-2026-13-estimate.csv",
            "costs-2026-00-estimate.csv",
            "costs-26-12-estimate.csv",
            "costs-2026-12.csv",
            "costs-2026-+1-estimate.csv",
        ] {
            assert_eq!(estimate_file(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_a_four_digit_year_is_asked() {
        assert_eq!(
            year_file("invoices-2025.zip"),
            Some((YearFile::Invoices, 2025))
        );
        assert_eq!(year_file("costs-2025.csv"), Some((YearFile::Costs, 2025)));
        for bad in [
            "invoices-25.zip",
            "invoices-02025.zip",
            "invoices-1999.zip",
            "invoices-2025.tar",
            "invoices-.zip",
            "x-2025.zip",
            "invoices-+202.zip",
            "costs-1999.csv",
            "costs-+202.csv",
            "costs-2025.zip",
        ] {
            assert_eq!(year_file(bad), None, "{bad}");
        }
    }
}
