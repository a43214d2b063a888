//! Invoices of an owner.

use crate::error::AppError;
use crate::logic::billing::InvoiceFilter;
use crate::model::billing::Invoice;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The invoices matching `filter` (upstream filters, then the number search), newest first.
/// JSON input: an all-empty filter has no URL-encoded form.
#[server(prefix = "/api", endpoint = "invoices", input = Json)]
pub async fn list_invoices(owner: String, filter: InvoiceFilter) -> Result<Vec<Invoice>, AppError> {
    use crate::ids::SegmentId;
    use crate::logic::billing::sort_newest_first;
    let owner = SegmentId::parse("owner id", &owner)?;
    let query = filter.upstream_query().map_err(AppError::BadRequest)?;
    let mut list = crate::ssr::authed_call(async |api| api.invoices(&owner, &query).await).await?;
    list.retain(|i| filter.matches(i));
    sort_newest_first(&mut list);
    Ok(list)
}

/// One invoice with every field.
#[server(prefix = "/api", endpoint = "invoice")]
pub async fn get_invoice(owner: String, number: String) -> Result<Invoice, AppError> {
    use crate::ids::SegmentId;
    let owner = SegmentId::parse("owner id", &owner)?;
    let number = SegmentId::parse("invoice number", &number)?;
    crate::ssr::authed_call(async |api| api.invoice(&owner, &number).await)
        .await
        .map_err(|e| match e {
            AppError::NotFound { .. } => AppError::not_found(format!("invoice {number}")),
            other => other,
        })
}

/// What `year` cost per application and month of consumption, from that year's invoice
/// details (fetched a few at a time, kept for the session).
#[server(prefix = "/api", endpoint = "costs")]
pub async fn year_costs(
    owner: String,
    year: i32,
) -> Result<crate::logic::costs::YearCosts, AppError> {
    use crate::ids::SegmentId;
    use crate::ssr::costs::DetailCache;
    let owner = SegmentId::parse("owner id", &owner)?;
    let session = crate::ssr::session::current_session().await?;
    let key = crate::ssr::session::cache_key(&session);
    let cache = use_context::<DetailCache>();
    crate::ssr::authed_call(async |api| {
        crate::ssr::costs::year_costs(&api, cache.as_ref(), &key, &owner, year).await
    })
    .await
}

/// This month's cost so far and its forecast for `owner` (runtime from the instances and the
/// price system, services from the latest closed invoice), with the back-test and the credits.
#[server(prefix = "/api", endpoint = "month_estimate")]
pub async fn month_estimate(
    owner: String,
) -> Result<crate::logic::costs::estimate::MonthEstimate, AppError> {
    use crate::ids::SegmentId;
    use crate::ssr::costs::DetailCache;
    let owner = SegmentId::parse("owner id", &owner)?;
    let session = crate::ssr::session::current_session().await?;
    let key = crate::ssr::session::cache_key(&session);
    let cache = use_context::<DetailCache>();
    let now = time::OffsetDateTime::now_utc();
    crate::ssr::authed_call(async |api| {
        crate::ssr::costs::month_estimate(&api, cache.as_ref(), &key, &owner, now).await
    })
    .await
}
