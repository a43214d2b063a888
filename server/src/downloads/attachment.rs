//! The leaves every download shares: a safe file name, the attachment headers, CSV cells that
//! a spreadsheet will not run, and the page shown when a download fails.

use crate::http::page::{Page, escape};
use app::error::AppError;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A file name safe in `Content-Disposition`: letters, digits, `-`, `_`, `.`; at most 100.
pub fn safe_file_name(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let trimmed = cleaned.trim_start_matches('.');
    if trimmed.is_empty() {
        "download".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// A download that failed, answered as the "download failed" page; handlers return
/// `Result<Response, DownloadError>` and use `?`.
#[derive(Debug)]
pub struct DownloadError(pub AppError);

impl From<AppError> for DownloadError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for DownloadError {
    fn into_response(self) -> Response {
        failure(&self.0)
    }
}

/// A short HTML page for a failed download (the browser shows it instead of a file).
pub fn failure(e: &AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_GATEWAY);
    let sozu = e
        .sozu_id()
        .map(|s| {
            format!(
                "<p>Support reference (Sozu-Id): <code>{}</code></p>",
                escape(s)
            )
        })
        .unwrap_or_default();
    Page {
        title: "Download failed",
        frame: "narrow",
        head: String::new(),
        main: format!(
            "<h1>Download failed</h1><p>{}</p>{sozu}<p><a href=\"/\">Back to the dashboard</a></p>",
            escape(&e.to_string())
        ),
    }
    .answer(status)
}

/// A download: `body` as an attachment named `name` (made safe), never cached, never sniffed.
pub fn attachment(body: Body, content_type: &'static str, name: &str) -> Response {
    document(body, content_type, name, false)
}

/// A CSV file named `name`, or the failure page when it could not be written (logged).
pub fn csv_attachment(body: Result<Vec<u8>, csv::Error>, name: &str) -> Result<Response, AppError> {
    let body = body.map_err(|e| {
        tracing::error!(error = %e, "CSV export failed");
        AppError::Unavailable { sozu_id: None }
    })?;
    Ok(attachment(
        Body::from(body),
        "text/csv; charset=utf-8",
        name,
    ))
}

/// A document: `body` shown in place when `inline` (our own frame), else saved as a file;
/// named `name` (made safe), never cached, never sniffed.
pub fn document(body: Body, content_type: &'static str, name: &str, inline: bool) -> Response {
    let mut resp = Response::new(body);
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let name = safe_file_name(name);
    let disposition = if inline { "inline" } else { "attachment" };
    if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// Neutralises a text cell against spreadsheet formula injection (OWASP): a cell starting
/// with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_sanitised() {
        assert_eq!(
            safe_file_name("invoice-ACM2024-0001.pdf"),
            "invoice-ACM2024-0001.pdf"
        );
        assert_eq!(safe_file_name("a\"b\r\nc;d/../e.pdf"), "a_b__c_d_.._e.pdf");
        assert_eq!(safe_file_name("..."), "download");
        assert_eq!(safe_file_name("é.pdf"), "_.pdf");
        assert_eq!(safe_file_name(&"x".repeat(300)).len(), 100);
    }

    #[test]
    fn formula_cells_are_neutralised() {
        for bad in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralise(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(neutralise("ACM-1"), "ACM-1");
        assert_eq!(neutralise(""), "");
    }
}
