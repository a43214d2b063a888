//! Invoice details for the costs page and its CSV: fetched a bounded number at a time, and
//! kept per session (a closed invoice never changes), so switching years or exporting does
//! not fetch them again.

use super::upstream::Authed;
use crate::error::AppError;
use crate::ids::SegmentId;
use crate::logic::billing::Group;
use crate::logic::costs::Gap;
use crate::model::billing::Invoice;
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;

/// Most invoice details asked of the upstream at once.
pub const CONCURRENT_DETAILS: usize = 6;

/// Details of closed invoices, by session, owner and number. A new sign-in is a new session
/// id: nothing is shared across sessions, and entries go when the session would (idle).
#[derive(Clone)]
pub struct DetailCache(moka::future::Cache<(String, String, String), Arc<Invoice>>);

impl DetailCache {
    /// A cache whose entries live as long as an idle session does; at most `capacity`.
    pub fn new(idle: Duration, capacity: u64) -> Self {
        Self(
            moka::future::Cache::builder()
                .time_to_idle(idle)
                .max_capacity(capacity)
                .build(),
        )
    }
}

/// The details of `list`, in order, `CONCURRENT_DETAILS` at a time, from the cache when
/// there; one that fails is a gap with its number, never the whole answer.
pub async fn details(
    api: &Authed<'_>,
    cache: Option<&DetailCache>,
    session: &str,
    owner: &SegmentId,
    list: Vec<Invoice>,
) -> (Vec<Invoice>, Vec<Gap>) {
    let fetched: Vec<Result<Arc<Invoice>, Gap>> = futures::stream::iter(list)
        .map(|inv| async move {
            let gap = |e: AppError| Gap {
                number: inv.invoice_number.clone(),
                message: e.to_string(),
            };
            let key = (
                session.to_owned(),
                owner.as_str().to_owned(),
                inv.invoice_number.clone(),
            );
            if let Some(hit) = match cache {
                Some(c) => c.0.get(&key).await,
                None => None,
            } {
                return Ok(hit);
            }
            let number = SegmentId::parse("invoice number", &inv.invoice_number).map_err(gap)?;
            let detail = Arc::new(api.invoice(owner, &number).await.map_err(gap)?);
            // Only a closed invoice is final.
            if let Some(c) = cache.filter(|_| Group::of(&detail.status) == Group::Closed) {
                c.0.insert(key, Arc::clone(&detail)).await;
            }
            Ok(detail)
        })
        .buffered(CONCURRENT_DETAILS)
        .collect()
        .await;
    let mut docs = Vec::new();
    let mut gaps = Vec::new();
    for f in fetched {
        match f {
            Ok(d) => docs.push(Arc::unwrap_or_clone(d)),
            Err(g) => gaps.push(g),
        }
    }
    (docs, gaps)
}

pub use crate::logic::costs::YEARS;

/// What `year` cost `owner`, from the details of the invoices issued from January of `year`
/// to January of the next (December's consumption is billed in January), named from the
/// navigation data.
pub async fn year_costs(
    api: &Authed<'_>,
    cache: Option<&DetailCache>,
    session: &str,
    owner: &SegmentId,
    year: i32,
) -> Result<crate::logic::costs::YearCosts, AppError> {
    use crate::query::InvoiceQuery;
    use std::collections::HashMap;
    if !YEARS.contains(&year) {
        return Err(AppError::BadRequest(format!(
            "Invalid year: expected {} to {}.",
            YEARS.start(),
            YEARS.end()
        )));
    }
    let month_start = |y: i32, m: time::Month| {
        time::Date::from_calendar_date(y, m, 1)
            .ok()
            .map(|d| d.midnight().assume_utc())
    };
    let q = InvoiceQuery {
        since: month_start(year, time::Month::January),
        until: month_start(year + 1, time::Month::February),
        limit: None,
    };
    let (list, summary) = futures::join!(api.invoices(owner, &q), api.summary());
    let (list, summary) = (list?, summary?);
    let mut names: HashMap<String, String> = HashMap::new();
    for o in summary
        .owners()
        .into_iter()
        .filter(|o| o.id == owner.as_str())
    {
        for a in o.applications {
            names.insert(a.id, a.name);
        }
        for a in o.addons {
            names.insert(a.real_id, a.name.clone());
            names.insert(a.id, a.name);
        }
    }
    let (docs, gaps) = details(api, cache, session, owner, list).await;
    Ok(crate::logic::costs::year_costs(year, &docs, gaps, |id| {
        names.get(id).cloned()
    }))
}
