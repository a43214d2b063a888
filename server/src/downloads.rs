//! `/download/...`: invoice PDF and HTML streamed from the upstream (never buffered whole),
//! and the CSV export of the invoice list. Only our own headers go out; the upstream's
//! (`Set-Cookie` among them) stay behind.

use crate::AppState;
use app::error::AppError;
use app::ids::SegmentId;
use app::logic::billing::{self, InvoiceFilter};
use app::model::billing::Invoice;
use app::ssr::session::credentials_of;
use app::ssr::upstream::InvoiceFormat;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;

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
    let css = app::assets::stylesheet();
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Download failed</title>\
         <link rel=\"stylesheet\" href=\"{css}\"></head><body><main class=\"narrow\">\
         <h1>Download failed</h1><p>{}</p>{sozu}<p><a href=\"/\">Back to the dashboard</a></p>\
         </main></body></html>",
        escape(&e.to_string())
    );
    let mut resp = (status, Html(page)).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// A download: `body` as an attachment named `name` (made safe), never cached, never sniffed.
pub fn attachment(body: Body, content_type: &'static str, name: &str) -> Response {
    let mut resp = Response::new(body);
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let name = safe_file_name(name);
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /download/orgs/{owner}/{file}`: a year's archive of PDFs (`invoices-{year}.zip`) or
/// costs table (`costs-{year}.csv`).
pub async fn by_name(
    State(state): State<AppState>,
    session: Session,
    Path((owner, file)): Path<(String, String)>,
) -> Response {
    if let Some(year) = crate::costs::year_of(&file) {
        return crate::costs::costs_download(state, session, owner, year).await;
    }
    crate::archive::invoices_zip(State(state), session, Path((owner, file))).await
}

/// Query of the HTML document: `inline=1` shows it in the invoice page's frame.
#[derive(Deserialize, Default)]
pub struct DocQuery {
    inline: Option<String>,
}

/// `GET /download/orgs/{owner}/invoices/{number}.pdf|.html`.
pub async fn invoice_document(
    State(state): State<AppState>,
    session: Session,
    Path((owner, file)): Path<(String, String)>,
    Query(q): Query<DocQuery>,
) -> Response {
    let (number, format) = match file.rsplit_once('.') {
        Some((n, "pdf")) => (n, InvoiceFormat::Pdf),
        Some((n, "html")) => (n, InvoiceFormat::Html),
        _ => {
            return failure(&AppError::not_found(
                "such a document (ask for .pdf or .html)",
            ));
        }
    };
    let ids = SegmentId::parse("owner id", &owner)
        .and_then(|o| Ok((o, SegmentId::parse("invoice number", number)?)));
    let (owner, number) = match ids {
        Ok(v) => v,
        Err(e) => return failure(&e),
    };
    let Some(credentials) = credentials_of(&session).await else {
        return failure(&AppError::Unauthorized);
    };
    let upstream = match state
        .upstream
        .with(&credentials)
        .invoice_document(&owner, &number, format)
        .await
    {
        Ok(r) => r,
        Err(AppError::NotFound { .. }) => {
            return failure(&AppError::not_found(format!("invoice {number}")));
        }
        Err(e) => return failure(&e),
    };
    let inline = q.inline.as_deref() == Some("1") && format == InvoiceFormat::Html;
    let (content_type, ext) = match format {
        InvoiceFormat::Pdf => ("application/pdf", "pdf"),
        InvoiceFormat::Html => ("text/html; charset=utf-8", "html"),
    };
    let name = safe_file_name(&format!("invoice-{number}.{ext}"));
    let disposition = if inline { "inline" } else { "attachment" };
    let mut resp = Response::new(Body::from_stream(upstream.bytes_stream()));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if inline {
        // Shown in our own frame only, with every script and form of the document disabled.
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
            ),
        );
        h.insert(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        );
    }
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

/// The CSV of `list` (RFC 4180 quoting by the csv crate; text cells neutralised; amounts are
/// ours, plain numbers with a dot, credit notes negative).
pub fn invoices_csv(list: &[Invoice]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record([
        "number",
        "kind",
        "status",
        "group",
        "issued",
        "paid",
        "currency",
        "excl_tax",
        "tax",
        "total",
        "payment_provider",
        "transaction_id",
    ])?;
    for inv in list {
        let (ht, tax) = billing::signed(inv);
        let kind = if inv.is_credit_note() {
            "CREDITNOTE"
        } else {
            "INVOICE"
        };
        w.write_record([
            neutralise(&inv.invoice_number),
            kind.to_owned(),
            neutralise(inv.status.as_str()),
            billing::Group::of(&inv.status).title().to_owned(),
            app::logic::day(inv.emission_date),
            app::logic::day(inv.pay_date),
            neutralise(billing::currency(inv)),
            format!("{ht:.2}"),
            format!("{tax:.2}"),
            format!("{:.2}", ht + tax),
            neutralise(inv.payment_provider.as_deref().unwrap_or("")),
            neutralise(inv.transaction_id.as_deref().unwrap_or("")),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// `GET /download/orgs/{owner}/invoices.csv?since&until&limit&q`: the filtered list.
pub async fn invoices_csv_download(
    State(state): State<AppState>,
    session: Session,
    Path(owner): Path<String>,
    Query(filter): Query<InvoiceFilter>,
) -> Response {
    let owner = match SegmentId::parse("owner id", &owner) {
        Ok(o) => o,
        Err(e) => return failure(&e),
    };
    let query = match filter.upstream_query() {
        Ok(q) => q,
        Err(m) => return failure(&AppError::BadRequest(m)),
    };
    let Some(credentials) = credentials_of(&session).await else {
        return failure(&AppError::Unauthorized);
    };
    let mut list = match state
        .upstream
        .with(&credentials)
        .invoices(&owner, &query)
        .await
    {
        Ok(l) => l,
        Err(e) => return failure(&e),
    };
    list.retain(|i| filter.matches(i));
    billing::sort_newest_first(&mut list);
    let body = match invoices_csv(&list) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "CSV export failed");
            return failure(&AppError::Unavailable { sozu_id: None });
        }
    };
    attachment(
        Body::from(body),
        "text/csv; charset=utf-8",
        &format!("invoices-{owner}.csv"),
    )
}

/// `GET /download/orgs/{owner}/operators/otoroshi/{id}/config.yaml`: Otoroshi's
/// otoroshictl configuration, streamed as an attachment. The add-on must be an Otoroshi of
/// this owner.
pub async fn otoroshi_config(
    State(state): State<AppState>,
    session: Session,
    Path((owner, id)): Path<(String, String)>,
) -> Response {
    use app::model::operators::OperatorKind;
    let owner = match SegmentId::parse("owner id", &owner) {
        Ok(o) => o,
        Err(e) => return failure(&e),
    };
    let id = match app::logic::operators::check_id(OperatorKind::Otoroshi, &id) {
        Ok(()) => match SegmentId::parse("add-on id", &id) {
            Ok(i) => i,
            Err(e) => return failure(&e),
        },
        Err(true) => return failure(&AppError::BadRequest("Invalid add-on id.".into())),
        Err(false) => return failure(&AppError::not_found(format!("Otoroshi add-on {id}"))),
    };
    let Some(credentials) = credentials_of(&session).await else {
        return failure(&AppError::Unauthorized);
    };
    let api = state.upstream.with(&credentials);
    match api.operator(OperatorKind::Otoroshi, &id).await {
        Ok(op) if op.owner_id == owner.as_str() => {}
        Ok(_) | Err(AppError::NotFound { .. }) => {
            return failure(&AppError::not_found(format!("Otoroshi add-on {id}")));
        }
        Err(e) => return failure(&e),
    }
    let upstream = match api.otoroshi_config(&id).await {
        Ok(r) => r,
        Err(e) => return failure(&e),
    };
    attachment(
        Body::from_stream(upstream.bytes_stream()),
        "application/yaml; charset=utf-8",
        &format!("otoroshi-{id}-config.yaml"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::billing::{Amount, InvoiceKind, InvoiceStatus};

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

    #[test]
    fn csv_quotes_per_rfc_4180_and_credit_notes_are_negative() {
        let inv = |n: &str, kind: &str, ht: f64| Invoice {
            invoice_number: n.into(),
            kind: InvoiceKind::from_wire(kind),
            status: InvoiceStatus::Paid,
            currency: "EUR".into(),
            total_tax_excluded: Amount {
                amount: ht,
                ..Amount::default()
            },
            total_tax: Amount {
                amount: ht / 5.0,
                ..Amount::default()
            },
            payment_provider: Some("ACME, \"Inc\"".into()),
            transaction_id: Some("=HYPERLINK(\"http://evil\")".into()),
            ..Invoice::default()
        };
        let out = String::from_utf8(
            invoices_csv(&[inv("N1", "INVOICE", 10.0), inv("N2", "CREDITNOTE", 5.0)]).unwrap(),
        )
        .unwrap();
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert!(lines[0].starts_with("number,kind,status"));
        assert!(lines[1].contains("\"ACME, \"\"Inc\"\"\""), "{}", lines[1]);
        assert!(
            lines[1].contains("\"'=HYPERLINK(\"\"http://evil\"\")\""),
            "{}",
            lines[1]
        );
        assert!(lines[1].contains(",10.00,2.00,12.00,"), "{}", lines[1]);
        assert!(lines[2].contains(",-5.00,-1.00,-6.00,"), "{}", lines[2]);
        assert_eq!(lines.len(), 4, "header, two rows, and the final CRLF");
    }
}
