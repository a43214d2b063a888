//! `GET /download/orgs/{owner}/invoices-{year}.zip`: a year of invoice PDFs in one ZIP,
//! streamed as it is written. Each PDF goes from the upstream into the archive chunk by chunk
//! (never a whole PDF in memory), stored as is (PDFs are compressed already), named by number
//! and date; an `index.csv` lists every document. A PDF the upstream refuses, or whose
//! transfer breaks midway, is listed in a last `ERRORS.txt`, and the archive still ends well
//! formed (an interrupted entry keeps what arrived, and the list says so).

use crate::downloads::attachment::{DownloadError, attachment, neutralise, safe_file_name};
use crate::http::signed_in::SignedIn;
use crate::state::AppState;
use app::ids::SegmentId;
use app::logic::billing;
use app::model::billing::Invoice;
use app::query::InvoiceQuery;
use app::ssr::upstream::InvoiceFormat;
use app::ssr::{Credentials, Upstream};
use async_zip::tokio::write::ZipFileWriter;
use async_zip::{Compression, ZipDateTimeBuilder, ZipEntryBuilder};
use axum::body::Body;
use axum::response::Response;
use futures::StreamExt;
use futures_lite::io::AsyncWriteExt;
use tokio::io::DuplexStream;

/// Bytes buffered between the archive writer and the response: the most the server holds of
/// an archive at once, with the chunk being copied.
const PIPE_BYTES: usize = 256 * 1024;

/// Size of the chunks read from the pipe into the response (the reader's default, 4 KiB,
/// costs a third of the throughput in per-chunk overhead).
const CHUNK_BYTES: usize = 64 * 1024;

/// What happened to one document of the archive.
enum Outcome {
    Written,
    /// Nothing of it was written: why.
    Missing(String),
    /// Cut midway: what was written stays, incomplete.
    Incomplete(String),
}

/// One document of the archive.
struct Entry {
    invoice: Invoice,
    file: String,
    outcome: Outcome,
}

/// The route.
pub async fn invoices_zip(
    state: AppState,
    SignedIn { credentials, .. }: SignedIn,
    owner: String,
    year: i32,
) -> Result<Response, DownloadError> {
    let owner = SegmentId::parse("owner id", &owner)?;
    let start = |y: i32| {
        time::Date::from_calendar_date(y, time::Month::January, 1)
            .ok()
            .map(|d| d.midnight().assume_utc())
    };
    let query = InvoiceQuery {
        since: start(year),
        until: start(year + 1),
        limit: None,
    };
    // The list comes first: a refusal is still an HTTP status the browser shows.
    let mut list = state
        .upstream
        .with(&credentials)
        .invoices(&owner, &query)
        .await?;
    // A year holds the invoices emitted in it, by their own date: an upstream whose `until`
    // is inclusive also lists one emitted at the next year's first instant.
    list.retain(|i| {
        i.emission_date.is_some_and(|t| {
            query.since.is_none_or(|s| t >= s) && query.until.is_none_or(|u| t < u)
        })
    });
    billing::sort_newest_first(&mut list);
    list.reverse();
    let (writer, reader) = tokio::io::duplex(PIPE_BYTES);
    let upstream = state.upstream.clone();
    let owner_id = owner.clone();
    tokio::spawn(async move {
        let count = list.len();
        match write_archive(&upstream, &credentials, &owner_id, list, writer).await {
            Ok(failed) => {
                tracing::info!(year, count, failed, "invoice archive sent");
            }
            // The browser went away, or the pipe broke: nothing more to do.
            Err(e) => tracing::info!(year, error = %e, "invoice archive stopped"),
        }
    });
    let chunks = tokio_util::io::ReaderStream::with_capacity(reader, CHUNK_BYTES);
    Ok(attachment(
        Body::from_stream(chunks),
        "application/zip",
        &format!("invoices-{owner}-{year}.zip"),
    ))
}

/// The file name of an invoice's PDF in the archive: number and issue date.
fn pdf_name(inv: &Invoice) -> String {
    let kind = if inv.is_credit_note() {
        "credit-note"
    } else {
        "invoice"
    };
    safe_file_name(&format!(
        "{}_{kind}_{}.pdf",
        app::logic::day(inv.emission_date),
        inv.invoice_number
    ))
}

fn entry_builder(name: String, inv: Option<&Invoice>) -> ZipEntryBuilder {
    let builder = ZipEntryBuilder::new(name.into(), Compression::Stored);
    let Some(at) = inv.and_then(|i| i.emission_date) else {
        return builder;
    };
    let date = ZipDateTimeBuilder::new()
        .year(at.year())
        .month(u32::from(u8::from(at.month())))
        .day(u32::from(at.day()))
        .hour(u32::from(at.hour()))
        .minute(u32::from(at.minute()))
        .second(u32::from(at.second()))
        .build();
    builder.last_modification_date(date)
}

/// Writes the archive into `pipe`; the number of documents that failed, or why writing
/// stopped (the reader is gone).
async fn write_archive(
    upstream: &Upstream,
    credentials: &Credentials,
    owner: &SegmentId,
    list: Vec<Invoice>,
    pipe: DuplexStream,
) -> Result<usize, async_zip::error::ZipError> {
    let api = upstream.with(credentials);
    let mut zip = ZipFileWriter::with_tokio(pipe);
    let mut entries = Vec::with_capacity(list.len());
    // The next document is asked while the current one is copied (its head only: the body
    // waits in the connection until read), so the upstream prepares it meanwhile.
    let api = &api;
    let mut documents = futures::stream::iter(list)
        .map(|invoice| async move {
            let asked = match SegmentId::parse("invoice number", &invoice.invoice_number) {
                Ok(number) => api
                    .invoice_document(owner, &number, InvoiceFormat::Pdf)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            (invoice, asked)
        })
        .buffered(2);
    while let Some((invoice, asked)) = documents.next().await {
        let file = pdf_name(&invoice);
        let outcome = match asked {
            Err(e) => Outcome::Missing(e),
            Ok(resp) => {
                let mut w = zip
                    .write_entry_stream(entry_builder(file.clone(), Some(&invoice)))
                    .await?;
                let mut body = resp.bytes_stream();
                let mut written = 0usize;
                let mut outcome = Outcome::Written;
                while let Some(chunk) = body.next().await {
                    match chunk {
                        Ok(c) => {
                            w.write_all(&c).await?;
                            written += c.len();
                        }
                        Err(_) => {
                            outcome = Outcome::Incomplete(format!(
                                "the transfer from the Clever Cloud API broke after {written} bytes"
                            ));
                            break;
                        }
                    }
                }
                w.close().await?;
                outcome
            }
        };
        entries.push(Entry {
            invoice,
            file,
            outcome,
        });
    }
    let index = index_csv(&entries).unwrap_or_default();
    zip.write_entry_whole(entry_builder("index.csv".into(), None), &index)
        .await?;
    let errors = errors_txt(&entries);
    let failed = entries
        .iter()
        .filter(|e| !matches!(e.outcome, Outcome::Written))
        .count();
    if let Some(text) = errors {
        zip.write_entry_whole(entry_builder("ERRORS.txt".into(), None), text.as_bytes())
            .await?;
    }
    // Dropping the pipe's end tells the response the archive is over.
    drop(zip.close().await?);
    Ok(failed)
}

/// `index.csv`: one row per document, with its file in the archive (or why it is missing).
fn index_csv(entries: &[Entry]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record([
        "number", "kind", "status", "issued", "currency", "excl_tax", "tax", "total", "file",
        "note",
    ])?;
    for e in entries {
        let inv = &e.invoice;
        let (ht, tax) = billing::signed(inv);
        let kind = if inv.is_credit_note() {
            "CREDITNOTE"
        } else {
            "INVOICE"
        };
        let (file, note) = match &e.outcome {
            Outcome::Written => (e.file.as_str(), ""),
            Outcome::Missing(_) => ("", "missing: see ERRORS.txt"),
            Outcome::Incomplete(_) => (e.file.as_str(), "incomplete: see ERRORS.txt"),
        };
        w.write_record([
            neutralise(&inv.invoice_number),
            kind.to_owned(),
            neutralise(inv.status.as_str()),
            app::logic::day(inv.emission_date),
            neutralise(billing::currency(inv)),
            format!("{ht:.2}"),
            format!("{tax:.2}"),
            format!("{:.2}", ht + tax),
            neutralise(file),
            note.to_owned(),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// `ERRORS.txt`, when a document is missing or incomplete.
fn errors_txt(entries: &[Entry]) -> Option<String> {
    let lines: Vec<String> = entries
        .iter()
        .filter_map(|e| match &e.outcome {
            Outcome::Written => None,
            Outcome::Missing(why) => Some(format!("{}: missing, {why}", e.invoice.invoice_number)),
            Outcome::Incomplete(why) => Some(format!(
                "{}: {} is incomplete, {why}",
                e.invoice.invoice_number, e.file
            )),
        })
        .collect();
    (!lines.is_empty()).then(|| {
        format!(
            "Some documents could not be downloaded whole. Download them again one by one \
             from the invoice pages.\r\n\r\n{}\r\n",
            lines.join("\r\n")
        )
    })
}
