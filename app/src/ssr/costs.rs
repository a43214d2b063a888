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
    let (mut list, summary) = (list?, summary?);
    // By the invoice's own date, whatever the upstream's range included (its `until` is
    // inclusive): an invoice emitted at the first instant of the next February is not this
    // year's.
    list.retain(|i| {
        i.emission_date
            .is_some_and(|t| q.since.is_none_or(|s| t >= s) && q.until.is_none_or(|u| t < u))
    });
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

/// Most upstream calls of one estimate at once.
pub const CONCURRENT_ESTIMATE_CALLS: usize = 8;

/// Most instance records read per application (the upstream's own limit).
const INSTANCES_PER_APP: u32 = 1000;

/// This month's estimate for `owner` as of `now`: its applications (details and instances
/// since the month before, `CONCURRENT_ESTIMATE_CALLS` calls at a time), the price system of
/// each zone they run in, the latest closed invoice (its services, price factor, discount, and
/// the back-test) and the credits. What could not be read is said among what is not priced.
pub async fn month_estimate(
    api: &Authed<'_>,
    cache: Option<&DetailCache>,
    session: &str,
    owner: &SegmentId,
    now: time::OffsetDateTime,
) -> Result<crate::logic::costs::estimate::MonthEstimate, AppError> {
    use crate::logic::costs::estimate::{AppInput, Inputs, Prices, estimate, month_bounds};
    use crate::query::{InstanceQuery, InvoiceQuery, Order};
    let (start, _) = month_bounds(now);
    let (previous, _) = month_bounds(start - time::Duration::days(1));
    let recent = InvoiceQuery {
        since: Some(previous - time::Duration::days(62)),
        until: None,
        limit: None,
    };
    let (summary, invoices, credits) = futures::join!(
        api.summary(),
        api.invoices(owner, &recent),
        api.credits_summary(owner)
    );
    let summary = summary?;
    let Some(o) = summary
        .owners()
        .into_iter()
        .find(|o| o.id == owner.as_str())
    else {
        return Err(AppError::not_found(format!("organisation {owner}")));
    };
    let mut gaps: Vec<String> = Vec::new();
    // The latest closed month's invoice: the newest invoice (not a credit note) whose
    // consumption ended by this month's start.
    let latest = match invoices {
        Ok(mut list) => {
            list.retain(|i| {
                !i.is_credit_note() && i.consumption_end_date.is_some_and(|e| e <= start)
            });
            list.sort_by_key(|i| std::cmp::Reverse(i.emission_date));
            list.truncate(1);
            let (mut docs, failed) = details(api, cache, session, owner, list).await;
            gaps.extend(failed.into_iter().map(|g| {
                format!(
                    "Services: invoice {} could not be read ({}).",
                    g.number, g.message
                )
            }));
            docs.pop()
        }
        Err(e) => {
            gaps.push(format!("Services: the invoices could not be read ({e})."));
            None
        }
    };
    let since = latest
        .as_ref()
        .and_then(|i| i.consumption_begin_date)
        .map_or(previous, |b| b.min(previous));
    let q = InstanceQuery {
        since: Some(since),
        limit: Some(INSTANCES_PER_APP),
        order: Some(Order::Asc),
        ..InstanceQuery::default()
    };
    let q = &q;
    let reads = o.applications.clone().into_iter().map(|a| async move {
        let id = SegmentId::parse("application id", &a.id)
            .map_err(|e| format!("{}: {e}; it is not counted.", a.name))?;
        let (details, instances) =
            futures::join!(api.application(owner, &id), api.instances(owner, &id, q));
        let instances = instances.map_err(|e| {
            format!(
                "{}: its instances could not be read ({e}); it is not counted.",
                a.name
            )
        })?;
        let details = details.ok();
        let zone = details.as_ref().and_then(|d| d.zone.clone());
        let max = details.as_ref().and_then(|d| {
            let s = &d.instance;
            let flavor = s
                .max_flavor
                .as_ref()
                .or(s.min_flavor.as_ref())?
                .name
                .clone();
            (s.max_instances > 0).then_some((s.max_instances, flavor))
        });
        Ok::<_, String>(AppInput {
            id: a.id.clone(),
            name: a.name.clone(),
            zone: zone.unwrap_or_else(|| "par".to_owned()),
            max,
            truncated: instances.len() >= INSTANCES_PER_APP as usize,
            instances,
        })
    });
    let read: Vec<Result<AppInput, String>> = futures::stream::iter(reads)
        .buffer_unordered(CONCURRENT_ESTIMATE_CALLS)
        .collect()
        .await;
    let mut apps = Vec::new();
    for r in read {
        match r {
            Ok(a) => apps.push(a),
            Err(m) => gaps.push(m),
        }
    }
    apps.sort_by(|a, b| a.name.cmp(&b.name));
    let mut zones: Vec<String> = apps.iter().map(|a| a.zone.clone()).collect();
    zones.sort();
    zones.dedup();
    let systems = futures::stream::iter(zones.into_iter().map(|z| async move {
        let id = SegmentId::parse("zone", &z).map_err(|e| (z.clone(), e))?;
        api.price_system(owner, &id).await.map_err(|e| (z, e))
    }))
    .buffer_unordered(CONCURRENT_ESTIMATE_CALLS)
    .collect::<Vec<_>>()
    .await;
    let mut found = Vec::new();
    for s in systems {
        match s {
            Ok(s) => found.push(s),
            Err((z, e)) => gaps.push(format!("Zone {z}: no price system could be read ({e}).")),
        }
    }
    found.sort_by(|a, b| a.zone_id.cmp(&b.zone_id));
    let prices = Prices::from_systems(&found);
    let mut e = estimate(&Inputs {
        now,
        apps: &apps,
        prices: &prices,
        invoice: latest.as_ref(),
        credits: credits.as_ref().ok(),
    });
    e.unpriced.extend(gaps);
    Ok(e)
}
