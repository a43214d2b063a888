//! Billing (`/v4/billing`): invoices and their documents.

use super::{Accept, Authed, Call};
use crate::error::AppError;
use crate::ids::SegmentId;
use crate::model::billing::{CreditsSummary, Invoice, PriceSystem};
use crate::query::InvoiceQuery;
use reqwest::Response;

/// Document formats of an invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvoiceFormat {
    Pdf,
    Html,
}

impl Authed<'_> {
    /// `GET /v4/billing/organisations/{o}/invoices`.
    pub async fn invoices(
        &self,
        owner: &SegmentId,
        q: &InvoiceQuery,
    ) -> Result<Vec<Invoice>, AppError> {
        let p = path!("v4/billing/organisations/{}/invoices", owner);
        self.list(Call::get(p).query(q.pairs())).await
    }

    /// `GET /v4/billing/organisations/{o}/invoices/{number}`.
    pub async fn invoice(
        &self,
        owner: &SegmentId,
        number: &SegmentId,
    ) -> Result<Invoice, AppError> {
        let p = path!("v4/billing/organisations/{}/invoices/{}", owner, number);
        self.json(Call::get(p)).await
    }

    /// `GET /v4/billing/organisations/{o}/price-system?zone_id=`: the owner's prices in
    /// `zone` (a zone without prices answers 404).
    pub async fn price_system(
        &self,
        owner: &SegmentId,
        zone: &SegmentId,
    ) -> Result<PriceSystem, AppError> {
        let p = path!("v4/billing/organisations/{}/price-system", owner);
        self.json(Call::get(p).query(vec![("zone_id", zone.as_str().to_owned())]))
            .await
    }

    /// `GET /v4/billing/organisations/{o}/credits/summary`.
    pub async fn credits_summary(&self, owner: &SegmentId) -> Result<CreditsSummary, AppError> {
        let p = path!("v4/billing/organisations/{}/credits/summary", owner);
        self.json(Call::get(p)).await
    }

    /// `GET .../invoices/{number}.pdf|.html`, as a response to stream on.
    pub async fn invoice_document(
        &self,
        owner: &SegmentId,
        number: &SegmentId,
        format: InvoiceFormat,
    ) -> Result<Response, AppError> {
        let call = match format {
            InvoiceFormat::Pdf => Call::get(path!(
                "v4/billing/organisations/{}/invoices/{}.pdf",
                owner,
                number
            ))
            .streaming(Accept::Pdf),
            InvoiceFormat::Html => Call::get(path!(
                "v4/billing/organisations/{}/invoices/{}.html",
                owner,
                number
            ))
            .streaming(Accept::Html),
        };
        self.send(call).await
    }
}
