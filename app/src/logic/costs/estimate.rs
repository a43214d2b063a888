//! This month's cost before its invoice: what each application's instances cost so far (their
//! hours in this UTC month × the hourly price of their flavor in the application's zone), a
//! forecast for the month's end (low: what runs now carried on; high: autoscaling applications
//! at their maximum), services pro rata from the latest closed invoice, the invoice's price
//! factor and discount, credits and their runway, and the estimator checked against that
//! invoice (the back-test). Pure: the server reads the inputs, this computes.

use crate::logic::money;
use crate::model::Timestamp;
use crate::model::billing::{CreditsSummary, Invoice, PriceSystem};
use crate::model::instances::{Instance, InstanceState};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use time::{Date, Duration, Month, OffsetDateTime};

/// The first instant of the UTC month of `t`, and of the month after.
pub fn month_bounds(t: OffsetDateTime) -> (OffsetDateTime, OffsetDateTime) {
    let t = t.to_offset(time::UtcOffset::UTC);
    let start = Date::from_calendar_date(t.year(), t.month(), 1)
        .unwrap_or(t.date())
        .midnight()
        .assume_utc();
    let (y, m) = match t.month() {
        Month::December => (t.year() + 1, Month::January),
        m => (t.year(), m.next()),
    };
    let end = Date::from_calendar_date(y, m, 1)
        .map(|d| d.midnight().assume_utc())
        .unwrap_or(start + Duration::days(31));
    (start, end)
}

/// Hours an instance alive from `created` to `deleted` (none: still) ran within [`from`, `to`)
/// as of `now`, to two decimals (what the CSV shows and every amount is computed from).
pub fn hours_within(
    created: Timestamp,
    deleted: Option<Timestamp>,
    from: Timestamp,
    to: Timestamp,
    now: Timestamp,
) -> f64 {
    let start = created.max(from);
    let end = deleted.unwrap_or(now).min(to).min(now);
    if end <= start {
        return 0.0;
    }
    ((end - start).as_seconds_f64() / 36.0).round() / 100.0
}

/// Hourly prices by zone and flavor, in one currency.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prices {
    pub currency: String,
    by: HashMap<(String, String), f64>,
}

impl Prices {
    /// From the price systems of the zones read (those in another currency than the first are
    /// left out: one currency per estimate).
    pub fn from_systems(systems: &[PriceSystem]) -> Self {
        let currency = systems
            .first()
            .map(|s| s.currency.clone())
            .unwrap_or_default();
        let mut by = HashMap::new();
        for s in systems.iter().filter(|s| s.currency == currency) {
            for r in &s.runtime {
                // Prices per hour; another time unit is not guessed at.
                if r.time_unit.as_deref().is_none_or(|u| u == "PT1H") && r.price >= 0.0 {
                    by.insert((s.zone_id.clone(), r.flavor.clone()), r.price);
                }
            }
        }
        Self { currency, by }
    }

    /// The hourly price of `flavor` in `zone`.
    pub fn hourly(&self, zone: &str, flavor: &str) -> Option<f64> {
        self.by.get(&(zone.to_owned(), flavor.to_owned())).copied()
    }
}

/// One application as the estimator needs it.
#[derive(Clone, Debug, Default)]
pub struct AppInput {
    pub id: String,
    pub name: String,
    pub zone: String,
    /// Its most instances and largest flavor, when it may scale beyond what runs now.
    pub max: Option<(u32, String)>,
    /// Its instances alive since the start of the month before this one.
    pub instances: Vec<Instance>,
    /// Whether the list hit its bound (more instances than read).
    pub truncated: bool,
}

/// One instance's row of this month's estimate (the CSV's row).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EstimateRow {
    pub application_id: String,
    pub application: String,
    pub instance_id: String,
    pub flavor: String,
    pub zone: String,
    pub hours: f64,
    /// `None`: the price system has no price for it (listed among what is not priced).
    pub hourly_price: Option<f64>,
    pub amount: Option<f64>,
}

/// One application's figures, at list price.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppEstimate {
    pub id: String,
    pub name: String,
    pub so_far: f64,
    pub low: f64,
    pub high: f64,
    /// How it was computed, in one sentence.
    pub sentence: String,
}

/// The services (add-ons, metered services, support), from the latest closed invoice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServicesEstimate {
    pub so_far: f64,
    pub month: f64,
    pub basis: String,
}

/// The estimator run on the latest closed month, beside its invoice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BackTest {
    pub month: String,
    pub invoice: String,
    /// Per application: name, estimated, invoiced, error in percent of the invoiced.
    pub apps: Vec<(String, f64, f64, f64)>,
    pub estimated: f64,
    pub invoiced: f64,
    /// |estimated − invoiced| in percent of the invoiced.
    pub error_pct: f64,
}

/// The credits and how long they last at the forecast rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreditsView {
    pub prepaid: f64,
    pub free: f64,
    pub currency: String,
    /// The day they run out at the forecast rate (`None`: nothing is spent).
    pub until: Option<Date>,
    /// They run out before this month ends.
    pub short: bool,
    pub sentence: String,
}

/// This month's estimate of one organisation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MonthEstimate {
    /// "December 2026".
    pub month: String,
    pub year: i32,
    pub month_number: u8,
    pub currency: String,
    #[serde(with = "crate::model::date")]
    pub as_of: Option<Timestamp>,
    pub apps: Vec<AppEstimate>,
    pub services: Option<ServicesEstimate>,
    /// Runtime at list price: so far, and the forecast's range.
    pub runtime: (f64, f64, f64),
    pub price_factor: f64,
    pub discount: f64,
    /// Everything, after the price factor and the discount: so far, low, high.
    pub total: (f64, f64, f64),
    /// What the estimate could not price, each in a sentence (never counted as zero).
    pub unpriced: Vec<String>,
    pub rows: Vec<EstimateRow>,
    pub backtest: Option<BackTest>,
    pub credits: Option<CreditsView>,
}

/// Everything the estimate is computed from.
pub struct Inputs<'a> {
    pub now: Timestamp,
    pub apps: &'a [AppInput],
    pub prices: &'a Prices,
    /// The latest closed invoice (with its lines), if any.
    pub invoice: Option<&'a Invoice>,
    pub credits: Option<&'a CreditsSummary>,
}

/// Whether an instance runs now and will go on: a run instance serving or about to (one
/// stopping, a ghost the scheduler is removing, a build, are not carried to the month's end).
fn running(i: &Instance) -> bool {
    i.deletion_date.is_none()
        && !i.is_build_vm
        && matches!(
            i.state,
            InstanceState::Up
                | InstanceState::Ready
                | InstanceState::Booting
                | InstanceState::Starting
                | InstanceState::Deploying
                | InstanceState::MigrationInProgress
                | InstanceState::TaskInProgress
        )
}

/// "December 2026".
fn month_name(t: Timestamp) -> String {
    format!("{} {}", t.month(), t.year())
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// "412.5 h" or "3 h".
fn hours_said(h: f64) -> String {
    if (h - h.round()).abs() < 0.05 {
        format!("{h:.0} h")
    } else {
        format!("{h:.1} h")
    }
}

/// The estimate as of `inputs.now`.
pub fn estimate(inputs: &Inputs<'_>) -> MonthEstimate {
    let now = inputs.now;
    let (start, end) = month_bounds(now);
    let currency = inputs.prices.currency.clone();
    let said = |x: f64| money::format(x, &currency);
    let remaining = ((end - now).as_seconds_f64() / 3600.0).max(0.0);
    let mut rows = Vec::new();
    let mut apps = Vec::new();
    let mut unpriced = Vec::new();
    for app in inputs.apps {
        if app.truncated {
            unpriced.push(format!(
                "{}: more instances than could be read; the estimate counts the {} read.",
                app.name,
                app.instances.len()
            ));
        }
        let mut so_far = 0.0;
        let mut carried = 0.0;
        // Per flavor: instances, hours, amount (for the sentence).
        let mut by_flavor: BTreeMap<String, (usize, f64, f64)> = BTreeMap::new();
        let mut running_now = 0u32;
        for i in &app.instances {
            let Some(created) = i.creation_date else {
                continue;
            };
            let hours = hours_within(created, i.deletion_date, start, end, now);
            let alive_now = running(i);
            if hours <= 0.0 && !alive_now {
                continue;
            }
            let price = inputs.prices.hourly(&app.zone, &i.flavor);
            let amount = price.map(|p| round4(hours * p));
            match price {
                Some(p) => {
                    so_far += amount.unwrap_or_default();
                    if alive_now {
                        carried += p * remaining;
                    }
                    let e = by_flavor.entry(i.flavor.clone()).or_default();
                    e.0 += 1;
                    e.1 += hours;
                    e.2 += amount.unwrap_or_default();
                }
                None => unpriced.push(format!(
                    "{}: instance {} ({}, {} in {}) has no price in the price system; its {} are not counted.",
                    app.name,
                    i.name,
                    i.id,
                    i.flavor,
                    app.zone,
                    hours_said(hours)
                )),
            }
            if alive_now {
                running_now += 1;
            }
            rows.push(EstimateRow {
                application_id: app.id.clone(),
                application: app.name.clone(),
                instance_id: i.id.clone(),
                flavor: i.flavor.clone(),
                zone: app.zone.clone(),
                hours,
                hourly_price: price,
                amount,
            });
        }
        let low = so_far + carried;
        // At its most: its largest flavor, as many instances as it may have, from now on.
        let high = match &app.max {
            Some((n, flavor)) if running_now > 0 => match inputs.prices.hourly(&app.zone, flavor) {
                Some(p) => (so_far + f64::from(*n) * p * remaining).max(low),
                None => low,
            },
            _ => low,
        };
        if rows.iter().all(|r| r.application_id != app.id) {
            continue;
        }
        let parts: Vec<String> = by_flavor
            .iter()
            .map(|(f, (n, h, _))| format!("{n} × {f} for {}", hours_said(*h)))
            .collect();
        let mut sentence = format!(
            "{}: {} = {} so far",
            app.name,
            if parts.is_empty() {
                "nothing priced".to_owned()
            } else {
                parts.join(", ")
            },
            said(so_far)
        );
        if running_now > 0 {
            sentence.push_str(&format!(
                "; {running_now} running now, {} by the month's end",
                said(low)
            ));
            if high > low + 0.005
                && let Some((n, f)) = &app.max
            {
                sentence.push_str(&format!(" (up to {} at {n} × {f})", said(high)));
            }
        }
        sentence.push('.');
        apps.push(AppEstimate {
            id: app.id.clone(),
            name: app.name.clone(),
            so_far,
            low,
            high,
            sentence,
        });
    }
    apps.sort_by(|a, b| b.low.total_cmp(&a.low).then_with(|| a.name.cmp(&b.name)));
    let runtime = (
        apps.iter().map(|a| a.so_far).sum::<f64>(),
        apps.iter().map(|a| a.low).sum::<f64>(),
        apps.iter().map(|a| a.high).sum::<f64>(),
    );
    let elapsed = ((now - start).as_seconds_f64() / (end - start).as_seconds_f64()).clamp(0.0, 1.0);
    let invoice = inputs.invoice;
    let services = invoice.and_then(|inv| {
        let month: f64 = inv.countables.iter().map(|c| c.price).sum();
        if month <= 0.0 {
            return None;
        }
        if inv.currency != currency && !currency.is_empty() {
            unpriced.push(format!(
                "Services: the latest invoice ({}) is in {}, the prices in {}; they are left out.",
                inv.invoice_number, inv.currency, currency
            ));
            return None;
        }
        Some(ServicesEstimate {
            so_far: month * elapsed,
            month,
            basis: format!(
                "Add-ons, metered services and support: as on invoice {} ({} a month), pro rata.",
                inv.invoice_number,
                said(month)
            ),
        })
    });
    let price_factor = invoice.and_then(|i| i.price_factor).unwrap_or(1.0);
    let discount = invoice.and_then(|i| i.discount).unwrap_or(0.0);
    let adjust = |x: f64| x * price_factor * (1.0 - discount / 100.0);
    let (s_so_far, s_month) = services
        .as_ref()
        .map_or((0.0, 0.0), |s| (s.so_far, s.month));
    let total = (
        adjust(runtime.0 + s_so_far),
        adjust(runtime.1 + s_month),
        adjust(runtime.2 + s_month),
    );
    let backtest = invoice.and_then(|inv| backtest(inv, inputs.apps, inputs.prices));
    let credits = inputs
        .credits
        .map(|c| credits_view(c, total.1, (start, now, end)));
    MonthEstimate {
        month: month_name(now),
        year: now.year(),
        month_number: u8::from(now.month()),
        currency,
        as_of: Some(now),
        apps,
        services,
        runtime,
        price_factor,
        discount,
        total,
        unpriced,
        rows,
        backtest,
        credits,
    }
}

/// The estimator run on `invoice`'s month as if on its last day, beside its runtime lines.
pub fn backtest(invoice: &Invoice, apps: &[AppInput], prices: &Prices) -> Option<BackTest> {
    let from = invoice.consumption_begin_date?;
    let to = invoice.consumption_end_date?;
    let mut invoiced: BTreeMap<String, f64> = BTreeMap::new();
    for u in &invoice.uptimes {
        if let Some(a) = &u.app_id {
            *invoiced.entry(a.clone()).or_default() += u.price;
        }
    }
    if invoiced.is_empty() {
        return None;
    }
    let mut rows = Vec::new();
    let (mut est_total, mut inv_total) = (0.0, 0.0);
    for app in apps {
        let Some(inv) = invoiced.get(&app.id).copied() else {
            continue;
        };
        let est: f64 = app
            .instances
            .iter()
            .filter_map(|i| {
                let created = i.creation_date?;
                let hours = hours_within(created, i.deletion_date, from, to, to);
                prices.hourly(&app.zone, &i.flavor).map(|p| hours * p)
            })
            .sum();
        let err = if inv.abs() > f64::EPSILON {
            (est - inv) / inv * 100.0
        } else {
            0.0
        };
        est_total += est;
        inv_total += inv;
        rows.push((app.name.clone(), est, inv, err));
    }
    if rows.is_empty() || inv_total <= 0.0 {
        return None;
    }
    Some(BackTest {
        month: month_name(from),
        invoice: invoice.invoice_number.clone(),
        apps: rows,
        estimated: est_total,
        invoiced: inv_total,
        error_pct: (est_total - inv_total).abs() / inv_total * 100.0,
    })
}

/// Credits against `month_cost` (the forecast for this month, spent evenly): the day they
/// run out, counting from the month's start (this month's invoice takes them first).
pub fn credits_view(
    c: &CreditsSummary,
    month_cost: f64,
    (start, now, end): (Timestamp, Timestamp, Timestamp),
) -> CreditsView {
    let total = c.prepaid_credit.max(0.0) + c.free_credit.max(0.0);
    let days_in_month = (end - start).as_seconds_f64() / 86_400.0;
    let daily = month_cost / days_in_month.max(1.0);
    let said = |x: f64| money::format(x, &c.currency);
    let (until, short, sentence) = if daily <= 0.0 {
        (
            None,
            false,
            format!(
                "{} of credits; nothing is spent at this month's rate.",
                said(total)
            ),
        )
    } else {
        let days = total / daily;
        // Far runways are said as far (a credit of years is not a date worth computing).
        let at = start + Duration::seconds((days.min(36_500.0) * 86_400.0) as i64);
        let short = at < end;
        let day = at.date();
        let text = if at <= now {
            format!(
                "{} of credits: this month's cost so far ({} a day) already exceeds them; this month's invoice will not be covered.",
                said(total),
                said(daily)
            )
        } else {
            format!(
                "{} of credits: at this rate ({} a day) they last until {} {} {}{}",
                said(total),
                said(daily),
                day.day(),
                day.month(),
                day.year(),
                if short {
                    ", before this month ends: this month's invoice will not be covered."
                } else {
                    "."
                }
            )
        };
        (Some(day), short, text)
    };
    CreditsView {
        prepaid: c.prepaid_credit,
        free: c.free_credit,
        currency: c.currency.clone(),
        until,
        short,
        sentence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::billing::{Countable, RuntimePrice, Uptime};
    use time::macros::datetime;

    fn instance(
        id: &str,
        flavor: &str,
        created: Timestamp,
        deleted: Option<Timestamp>,
    ) -> Instance {
        Instance {
            id: id.into(),
            name: id.into(),
            flavor: flavor.into(),
            state: if deleted.is_some() {
                InstanceState::Deleted
            } else {
                InstanceState::Up
            },
            creation_date: Some(created),
            deletion_date: deleted,
            ..Instance::default()
        }
    }

    fn prices() -> Prices {
        Prices::from_systems(&[
            PriceSystem {
                zone_id: "par".into(),
                currency: "EUR".into(),
                runtime: vec![
                    RuntimePrice {
                        flavor: "M".into(),
                        price: 0.1,
                        time_unit: Some("PT1H".into()),
                        ..RuntimePrice::default()
                    },
                    RuntimePrice {
                        flavor: "XL".into(),
                        price: 0.4,
                        ..RuntimePrice::default()
                    },
                ],
            },
            PriceSystem {
                zone_id: "rbx".into(),
                currency: "EUR".into(),
                runtime: vec![RuntimePrice {
                    flavor: "M".into(),
                    price: 0.12,
                    ..RuntimePrice::default()
                }],
            },
        ])
    }

    #[test]
    fn months_and_hours_are_utc_and_clipped_to_the_month() {
        let (s, e) = month_bounds(datetime!(2026-12-31 23:30 -02:00));
        assert_eq!(
            s,
            datetime!(2027-01-01 00:00 UTC),
            "late on the 31st west of UTC is January"
        );
        assert_eq!(e, datetime!(2027-02-01 00:00 UTC));
        let (s, e) = month_bounds(datetime!(2026-02-10 12:00 UTC));
        assert_eq!((e - s).whole_days(), 28);
        let now = datetime!(2026-12-02 12:00 UTC);
        let (s, e) = month_bounds(now);
        // Started last month, still running: from the 1st at midnight to now.
        assert_eq!(
            hours_within(datetime!(2026-11-20 00:00 UTC), None, s, e, now),
            36.0
        );
        // Started and stopped this month.
        assert_eq!(
            hours_within(
                datetime!(2026-12-01 03:00 UTC),
                Some(datetime!(2026-12-01 05:15 UTC)),
                s,
                e,
                now
            ),
            2.25
        );
        // Gone before the month.
        assert_eq!(
            hours_within(
                datetime!(2026-11-01 00:00 UTC),
                Some(datetime!(2026-11-30 00:00 UTC)),
                s,
                e,
                now
            ),
            0.0
        );
        // Across the boundary into next month: only this month's part.
        assert_eq!(
            hours_within(
                datetime!(2026-11-30 22:00 UTC),
                Some(datetime!(2026-12-01 01:00 UTC)),
                datetime!(2026-11-01 00:00 UTC),
                datetime!(2026-12-01 00:00 UTC),
                now
            ),
            2.0
        );
    }

    #[test]
    fn prices_are_looked_up_by_zone_and_flavor() {
        let p = prices();
        assert_eq!(p.hourly("par", "M"), Some(0.1));
        assert_eq!(p.hourly("rbx", "M"), Some(0.12));
        assert_eq!(p.hourly("rbx", "XL"), None);
        assert_eq!(p.hourly("sgp", "M"), None);
    }

    #[test]
    fn the_month_so_far_the_range_the_unpriced_and_the_credits() {
        let now = datetime!(2026-12-11 00:00 UTC);
        let apps = vec![
            AppInput {
                id: "app_a".into(),
                name: "api".into(),
                zone: "par".into(),
                // It may scale to 4 × XL.
                max: Some((4, "XL".into())),
                instances: vec![
                    instance("i1", "M", datetime!(2026-11-20 00:00 UTC), None),
                    instance("i2", "M", datetime!(2026-12-01 00:00 UTC), None),
                    instance(
                        "gpu",
                        "GPU",
                        datetime!(2026-12-05 00:00 UTC),
                        Some(datetime!(2026-12-05 02:00 UTC)),
                    ),
                ],
                truncated: false,
            },
            AppInput {
                id: "app_b".into(),
                name: "worker".into(),
                zone: "rbx".into(),
                max: None,
                instances: vec![instance(
                    "i3",
                    "M",
                    datetime!(2026-12-01 00:00 UTC),
                    Some(datetime!(2026-12-03 00:00 UTC)),
                )],
                truncated: false,
            },
        ];
        let p = prices();
        let invoice = Invoice {
            invoice_number: "INV-11".into(),
            currency: "EUR".into(),
            price_factor: Some(1.0),
            discount: Some(10.0),
            consumption_begin_date: Some(datetime!(2026-11-01 00:00 UTC)),
            consumption_end_date: Some(datetime!(2026-12-01 00:00 UTC)),
            uptimes: vec![Uptime {
                app_id: Some("app_a".into()),
                // i1 from the 20th: 11 days × 24 h × 0.1.
                price: 26.0,
                ..Uptime::default()
            }],
            countables: vec![Countable {
                price: 31.0,
                ..Countable::default()
            }],
            ..Invoice::default()
        };
        let credits = CreditsSummary {
            prepaid_credit: 100.0,
            free_credit: 20.0,
            currency: "EUR".into(),
        };
        let e = estimate(&Inputs {
            now,
            apps: &apps,
            prices: &p,
            invoice: Some(&invoice),
            credits: Some(&credits),
        });
        // api: 2 × M for 240 h each so far = 48; both carried 21 days = 2 × 504 h × 0.1.
        let api = &e.apps[0];
        assert_eq!(api.name, "api");
        assert!((api.so_far - 48.0).abs() < 1e-9, "{}", api.so_far);
        assert!((api.low - (48.0 + 100.8)).abs() < 1e-9, "{}", api.low);
        assert!(
            (api.high - (48.0 + 4.0 * 0.4 * 504.0)).abs() < 1e-9,
            "{}",
            api.high
        );
        assert!(
            api.sentence.starts_with("api: 2 × M for 480 h = 48.00"),
            "{}",
            api.sentence
        );
        // worker: 48 h at the rbx price, nothing running.
        let worker = &e.apps[1];
        assert!((worker.so_far - 5.76).abs() < 1e-9);
        assert_eq!(worker.low, worker.so_far);
        assert_eq!(worker.high, worker.so_far);
        // The GPU instance is listed, never zero, and its CSV row has no price.
        assert_eq!(e.unpriced.len(), 1);
        assert!(e.unpriced[0].contains("GPU") && e.unpriced[0].contains("2 h"));
        let gpu = e.rows.iter().find(|r| r.instance_id == "gpu").expect("row");
        assert_eq!((gpu.hourly_price, gpu.amount), (None, None));
        // Services: 31 a month, a third of the month gone (10 of 31 days).
        let s = e.services.as_ref().expect("services");
        assert!((s.so_far - 31.0 * 10.0 / 31.0).abs() < 1e-9);
        // The invoice's discount on everything.
        assert!(
            (e.total.0 - (48.0 + 5.76 + 10.0) * 0.9).abs() < 1e-9,
            "{:?}",
            e.total
        );
        // The back-test: i1 ran all November's last 11 days = 26.4 against 26.0 invoiced.
        let b = e.backtest.as_ref().expect("back-test");
        assert_eq!(b.apps.len(), 1);
        assert!((b.estimated - 26.4).abs() < 1e-9);
        assert!((b.error_pct - 26.4_f64.mul_add(100.0, -2600.0) / 26.0).abs() < 1e-9);
        // Credits: 120 against the low forecast.
        let c = e.credits.as_ref().expect("credits");
        let daily = e.total.1 / 31.0;
        let days = 120.0 / daily;
        assert_eq!(
            c.until,
            Some(
                (datetime!(2026-12-01 00:00 UTC) + Duration::seconds((days * 86_400.0) as i64))
                    .date()
            )
        );
        assert_eq!(c.short, days < 31.0);
        // The rows add up: every amount is its hours × its price, and they make the runtime.
        let mut sum = 0.0;
        for r in &e.rows {
            if let (Some(p), Some(a)) = (r.hourly_price, r.amount) {
                assert!((r.hours * p - a).abs() < 1e-4, "{r:?}");
                sum += a;
            }
        }
        assert!((sum - e.runtime.0).abs() < 1e-3);
    }

    #[test]
    fn credits_that_run_out_this_month_are_said() {
        let start = datetime!(2026-12-01 00:00 UTC);
        let end = datetime!(2027-01-01 00:00 UTC);
        let c = CreditsSummary {
            prepaid_credit: 31.0,
            free_credit: 0.0,
            currency: "EUR".into(),
        };
        let v = credits_view(&c, 62.0, (start, start, end));
        assert_eq!(v.until, Some(time::macros::date!(2026 - 12 - 16)));
        assert!(v.short && v.sentence.contains("before this month ends"));
        let v = credits_view(&c, 15.5, (start, start, end));
        assert_eq!(v.until, Some(time::macros::date!(2027 - 02 - 01)));
        assert!(!v.short);
        assert!(credits_view(&c, 0.0, (start, start, end)).until.is_none());
        let late = credits_view(&c, 62.0, (start, datetime!(2026-12-20 00:00 UTC), end));
        assert!(late.short && late.sentence.contains("already exceeds"));
    }
}
