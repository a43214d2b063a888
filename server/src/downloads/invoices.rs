//! One invoice's PDF or HTML, streamed from the upstream, and the invoice list as CSV.

use crate::downloads::attachment::{DownloadError, csv_attachment, document, neutralise};
use crate::http::signed_in::SignedIn;
use crate::state::AppState;
use app::error::AppError;
use app::ids::SegmentId;
use app::logic::billing::{self, InvoiceFilter};
use app::model::billing::Invoice;
use app::ssr::upstream::InvoiceFormat;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde::Deserialize;

/// Query of the HTML document: `inline=1` shows it in the invoice page's frame.
#[derive(Deserialize, Default)]
pub struct DocQuery {
    inline: Option<String>,
}

/// `GET /download/orgs/{owner}/invoices/{number}.pdf|.html`.
pub async fn invoice_document(
    State(state): State<AppState>,
    SignedIn { credentials, .. }: SignedIn,
    Path((owner, file)): Path<(String, String)>,
    Query(q): Query<DocQuery>,
) -> Result<Response, DownloadError> {
    let (number, format) = match file.rsplit_once('.') {
        Some((n, "pdf")) => (n, InvoiceFormat::Pdf),
        Some((n, "html")) => (n, InvoiceFormat::Html),
        _ => Err(AppError::not_found(
            "such a document (ask for .pdf or .html)",
        ))?,
    };
    let owner = SegmentId::parse("owner id", &owner)?;
    let number = SegmentId::parse("invoice number", number)?;
    let upstream = state
        .upstream
        .with(&credentials)
        .invoice_document(&owner, &number, format)
        .await
        .map_err(|e| match e {
            AppError::NotFound { .. } => AppError::not_found(format!("invoice {number}")),
            e => e,
        })?;
    let inline = q.inline.as_deref() == Some("1") && format == InvoiceFormat::Html;
    let (content_type, ext) = match format {
        InvoiceFormat::Pdf => ("application/pdf", "pdf"),
        InvoiceFormat::Html => ("text/html; charset=utf-8", "html"),
    };
    let mut resp = document(
        Body::from_stream(upstream.bytes_stream()),
        content_type,
        &format!("invoice-{number}.{ext}"),
        inline,
    );
    let h = resp.headers_mut();
    if format == InvoiceFormat::Html {
        // The upstream's document, opened in our frame or straight from the download: every
        // script and form of it disabled either way.
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(app::csp::SANDBOXED_DOCUMENT),
        );
    }
    if inline {
        // Shown in our own frame only.
        h.insert(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        );
    }
    Ok(resp)
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
    SignedIn { credentials, .. }: SignedIn,
    Path(owner): Path<String>,
    Query(filter): Query<InvoiceFilter>,
) -> Result<Response, DownloadError> {
    let owner = SegmentId::parse("owner id", &owner)?;
    let query = filter.upstream_query().map_err(AppError::BadRequest)?;
    let mut list = state
        .upstream
        .with(&credentials)
        .invoices(&owner, &query)
        .await?;
    list.retain(|i| filter.matches(i));
    billing::sort_newest_first(&mut list);
    Ok(csv_attachment(
        invoices_csv(&list),
        &format!("invoices-{owner}.csv"),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::billing::{Amount, InvoiceKind, InvoiceStatus};

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
