//! `/orgs/{ownerId}/costs?year=…`: what each application cost per month of a year, from the
//! line items of that year's invoices: a stacked bar chart drawn on the server (with its data
//! in the table below it), the table per currency with totals per row and column, and its CSV.
//! The page streams in order: the heading and what is being read leave first, the table when
//! every invoice detail is in (a few at a time); one unreadable invoice is a gap, named.

use crate::api::billing::year_costs;
use crate::components::error_view::ErrorView;
use crate::error::AppError;
use crate::logic::costs::{CostRow, CurrencyCosts, YEARS, YearCosts};
use crate::logic::{MONTHS, money};
use crate::urls;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Years offered by the year switch: this one and the four before.
const YEARS_SHOWN: i32 = 5;

/// Series drawn in the chart: the largest rows, then one for the rest.
const SERIES: usize = 6;

/// The costs page.
#[component]
pub fn CostsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let this_year = time::OffsetDateTime::now_utc().year();
    let owner = move || params.read().get("owner_id").unwrap_or_default();
    // No year: this one. A year that is not one (`abc`, `1800`) gets a message.
    let year = move || match query.read().get("year") {
        None => Some(this_year),
        Some(y) => y.parse::<i32>().ok().filter(|y| YEARS.contains(y)),
    };
    let costs = Resource::new(
        move || (owner(), year()),
        |(owner, year)| async move {
            match year {
                Some(year) => year_costs(owner, year).await,
                None => Err(AppError::BadRequest(format!(
                    "Invalid year: expected {} to {}.",
                    YEARS.start(),
                    YEARS.end()
                ))),
            }
        },
    );
    let base = move || format!("/orgs/{}/costs", urls::segment(&owner()));
    let switch = move || {
        (0..YEARS_SHOWN)
            .map(|back| this_year - back)
            .map(|y| {
                let current = Some(y) == year();
                view! {
                    <a
                        href=format!("{}?year={y}", base())
                        class=if current { "year current" } else { "year" }
                        aria-current=current.then_some("true")
                    >
                        {y}
                    </a>
                }
            })
            .collect_view()
    };
    // Pages load whole (plain links): the year is read once.
    let y = year();
    let heading = match y {
        Some(y) => format!("What each application cost in {y}"),
        None => "What each application cost".to_owned(),
    };
    let lead = y.map(|y| {
        view! {
            <p class="lead" role="status">
                {format!(
                    "By month of consumption, from the line items of the invoices issued from \
                     January {y} to January {}, read a few at a time.",
                    y + 1
                )}
            </p>
        }
    });
    view! {
        // Streamed in order, the head leaves before the frame's breadcrumb (which also sets
        // the title) is ready: this page says its title at once.
        <Title text=y.map_or_else(|| "Costs".to_owned(), |y| format!("Costs {y}")) />
        <h1>{heading}</h1>
        {(y == Some(this_year)).then(|| view! { <super::costs_month::ThisMonth owner=owner() /> })}
        <h2 class="year-heading">{y.map_or_else(|| "The year".to_owned(), |y| format!("{y}, from the invoices"))}</h2>
        <div class="years" role="group" aria-label="Year">{switch}</div>
        {lead}
        <Suspense fallback=|| view! { <p class="muted" role="status">"Reading the invoices…"</p> }>
            {move || Suspend::new(async move {
                match costs.await {
                    Ok(c) => view! { <Costs owner=owner() costs=c /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Costs(owner: String, costs: YearCosts) -> impl IntoView {
    let year = costs.year;
    let csv = format!("/download/orgs/{}/costs-{year}.csv", urls::segment(&owner));
    let gaps = (!costs.gaps.is_empty()).then(|| {
        let items = costs
            .gaps
            .iter()
            .map(
                |g| view! { <li><strong>{g.number.clone()}</strong> ": " {g.message.clone()}</li> },
            )
            .collect_view();
        view! {
            <div class="notice warning" role="alert">
                <p>"These invoices could not be read; their amounts are missing below:"</p>
                <ul>{items}</ul>
            </div>
        }
    });
    let body = if costs.currencies.is_empty() {
        view! { <p class="empty">"No invoice was issued for this year."</p> }.into_any()
    } else {
        costs
            .currencies
            .into_iter()
            .map(|c| view! { <CurrencyTable year costs=c /> })
            .collect_view()
            .into_any()
    };
    view! {
        <p>
            {format!("{} documents read. ", costs.documents)}
            <a class="button secondary" rel="external" download href=csv>"Export CSV"</a>
        </p>
        {gaps}
        {body}
    }
}

/// The chart and the table of one currency.
#[component]
fn CurrencyTable(year: i32, costs: CurrencyCosts) -> impl IntoView {
    // Plain amounts in the cells (the caption names the currency): a year fits the width.
    let fmt = |v: f64| money::format(v, "");
    let head = MONTHS
        .iter()
        .map(|m| view! { <th scope="col" class="num">{*m}</th> })
        .collect_view();
    let rows = costs
        .rows
        .iter()
        .map(|r| {
            let cells = r
                .months
                .iter()
                .map(|v| view! { <td class="num">{fmt(*v)}</td> })
                .collect_view();
            view! {
                <tr class=format!("cost-row kind-{}", r.kind)>
                    <th scope="row">{r.label.clone()}</th>
                    {cells}
                    <td class="num"><strong>{fmt(r.total)}</strong></td>
                </tr>
            }
        })
        .collect_view();
    let totals = costs
        .month_totals
        .iter()
        .map(|v| view! { <td class="num">{fmt(*v)}</td> })
        .collect_view();
    let caption = format!(
        "Cost per application and month of {year} in {}, excluding tax",
        costs.currency
    );
    let year_total = money::format(costs.total, &costs.currency);
    view! {
        <section class="costs">
            <h2>{costs.currency.clone()}</h2>
            <StackedChart caption=caption.clone() rows=costs.rows.clone() currency=costs.currency.clone() />
            <div class="table-scroll" role="region" tabindex="0" aria-label="Costs by application"><table class="data costs-table">
                <caption>{caption}</caption>
                <thead>
                    <tr><th scope="col">"Application"</th>{head}<th scope="col" class="num">"Year"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
                <tfoot>
                    <tr>
                        <th scope="row">"Total"</th>
                        {totals}
                        <td class="num"><strong>{year_total}</strong></td>
                    </tr>
                </tfoot>
            </table></div>
        </section>
    }
}

const W: f64 = 720.0;
const H: f64 = 240.0;
const PAD_L: f64 = 8.0;
const PAD_B: f64 = 22.0;

/// The series of the chart: the largest application rows, the rest merged (adjustments are
/// in the table only: they may be negative).
fn series(rows: &[CostRow]) -> Vec<(String, [f64; 12])> {
    let mut apps: Vec<&CostRow> = rows.iter().filter(|r| r.kind != "adjustment").collect();
    apps.sort_by(|a, b| b.total.total_cmp(&a.total));
    let mut out: Vec<(String, [f64; 12])> = apps
        .iter()
        .take(SERIES)
        .map(|r| (r.label.clone(), r.months.map(|v| v.max(0.0))))
        .collect();
    if apps.len() > SERIES {
        let mut rest = [0.0; 12];
        for r in &apps[SERIES..] {
            for (t, v) in rest.iter_mut().zip(r.months) {
                *t += v.max(0.0);
            }
        }
        out.push(("Other applications".to_owned(), rest));
    }
    out
}

/// A stacked bar chart drawn on the server: one bar per month, one colour per series, each
/// part titled with its name and amount.
#[component]
fn StackedChart(caption: String, rows: Vec<CostRow>, currency: String) -> impl IntoView {
    let series = series(&rows);
    let peak = (0..12)
        .map(|m| series.iter().map(|(_, v)| v[m]).sum::<f64>())
        .fold(0.0f64, f64::max)
        .max(0.01);
    let slot = (W - PAD_L * 2.0) / 12.0;
    let scale = (H - PAD_B - 8.0) / peak;
    let mut parts = Vec::new();
    for m in 0..12 {
        let mut top = H - PAD_B;
        for (i, (label, values)) in series.iter().enumerate() {
            let h = values[m] * scale;
            if h <= 0.0 {
                continue;
            }
            top -= h;
            let tip = format!(
                "{label}, {}: {}",
                MONTHS[m],
                money::format(values[m], &currency)
            );
            parts.push(view! {
                <rect
                    class=format!("series-{i}")
                    x=format!("{:.1}", PAD_L + slot * m as f64 + slot * 0.15)
                    y=format!("{top:.1}")
                    width=format!("{:.1}", slot * 0.7)
                    height=format!("{h:.1}")
                >
                    <title>{tip}</title>
                </rect>
            });
        }
    }
    let labels = MONTHS
        .iter()
        .enumerate()
        .map(|(m, name)| {
            let x = PAD_L + slot * m as f64 + slot / 2.0;
            view! { <text class="bar-label" x=format!("{x:.1}") y=format!("{:.1}", H - 6.0) text-anchor="middle">{*name}</text> }
        })
        .collect_view();
    let legend = series
        .iter()
        .enumerate()
        .map(|(i, (label, _))| {
            view! {
                <li>
                    <svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect class=format!("series-{i}") width="10" height="10" /></svg>
                    {label.clone()}
                </li>
            }
        })
        .collect_view();
    view! {
        <figure class="chart stacked">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=caption.clone() preserveAspectRatio="none">
                <line class="axis" x1="0" x2=format!("{W}") y1=format!("{:.1}", H - PAD_B) y2=format!("{:.1}", H - PAD_B) />
                {parts}
                {labels}
            </svg>
            <figcaption>{caption} ". The figures are in the table below."</figcaption>
            <ul class="legend">{legend}</ul>
        </figure>
    }
}
