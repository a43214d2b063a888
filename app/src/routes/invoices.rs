//! `/orgs/{ownerId}/invoices`: filters in the URL, groups, totals per currency, a monthly chart,
//! search by number and CSV export.

use crate::api::billing::list_invoices;
use crate::components::badge::Badge;
use crate::components::badge::invoice_tone;
use crate::components::bar_chart::{Bar, BarChart};
use crate::components::error_view::ErrorView;
use crate::error::AppError;
use crate::hooks::use_url_filter;
use crate::ids::SegmentId;
use crate::logic::billing::{self, Group, InvoiceFilter};
use crate::logic::money::{self, PerCurrency, Sums};
use crate::logic::url_filter::UrlFilter;
use crate::logic::{MONTHS, day};
use crate::model::billing::Invoice;
use crate::urls;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The invoices page.
#[component]
pub fn InvoicesPage() -> impl IntoView {
    let params = use_params_map();
    let _query = use_query_map();
    let owner = Memo::new(move |_| params.read().get("owner_id").unwrap_or_default());
    let filter = use_url_filter::<InvoiceFilter>();
    let invoices = Resource::new(
        move || (owner.get(), filter.get()),
        |(owner, filter)| async move {
            // Bad input never reaches the server, let alone the upstream.
            SegmentId::parse("owner id", &owner)?;
            filter.upstream_query().map_err(AppError::BadRequest)?;
            list_invoices(owner, filter).await
        },
    );
    let field = move |get: fn(&InvoiceFilter) -> &Option<String>| {
        move || get(&filter.read()).clone().unwrap_or_default()
    };
    view! {
        <h1>"Invoices"</h1>
        <form method="get" class="filters" aria-label="Filter invoices">
            <label>"Since" <input type="date" name="since" value=field(|f| &f.since) /></label>
            <label>"Until" <input type="date" name="until" value=field(|f| &f.until) /></label>
            <label>"Limit" <input type="number" name="limit" min="1" max="10000" inputmode="numeric" value=field(|f| &f.limit) /></label>
            <label>"Number" <input type="search" name="q" placeholder="e.g. ACM2024" value=field(|f| &f.q) /></label>
            <button type="submit">"Apply"</button>
            <a href=move || urls::invoices(&owner.get())>"Reset"</a>
            <a
                class="button secondary"
                rel="external"
                download
                href=move || format!("/download{}.csv{}", urls::invoices(&owner.get()), filter.read().to_query())
            >
                "Export CSV"
            </a>
        </form>
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading invoices…"</p> }>
            {move || Suspend::new(async move {
                match invoices.await {
                    Ok(list) => view! { <Report owner=owner.get_untracked() filter=filter.get_untracked() list /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Report(owner: String, filter: InvoiceFilter, list: Vec<Invoice>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="empty">"No invoice matches these filters."</p> }.into_any();
    }
    let all_years = billing::years(&list);
    let totals = billing::totals(&list);
    let mut groups = billing::grouped(&list);
    let closed = groups.remove(&Group::Closed).unwrap_or_default();
    let closed_years = billing::years(&closed);
    let year = filter
        .year()
        .filter(|y| all_years.contains(y))
        .or_else(|| all_years.first().copied());
    let closed_in_year: Vec<Invoice> = closed
        .into_iter()
        .filter(|i| year.is_none() || billing::year(i) == year)
        .collect();
    let year_links = (closed_years.len() > 1).then(|| {
        let links = closed_years
            .clone()
            .into_iter()
            .map(|y| {
                let href = format!(
                    "{}{}",
                    urls::invoices(&owner),
                    InvoiceFilter { year: Some(y.to_string()), ..filter.clone() }.to_query()
                );
                let current = Some(y) == year;
                view! {
                    <a href=href aria-current=current.then_some("true") class=if current { "year current" } else { "year" }>
                        {y.to_string()}
                    </a>
                }
            })
            .collect_view();
        // A filter, not a navigation: the chosen year is "current" among the pills, and the
        // page's place stays the sidebar's and the breadcrumb's.
        view! { <div class="years" role="group" aria-label="Year">{links}</div> }
    });
    let charts = year.map(|y| {
        let months: Vec<&PerCurrency> = (1..=12u8)
            .map(|m| totals.by_month.get(&(y, m)))
            .map(|p| p.unwrap_or(&EMPTY))
            .collect();
        let currencies: Vec<String> = totals
            .by_year
            .get(&y)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        currencies
            .into_iter()
            .map(|cur| {
                let bars = months
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let v = billing::sum_of(p, &cur).total();
                        Bar {
                            label: MONTHS[i].to_owned(),
                            value: v,
                            text: money::format(v, &cur),
                        }
                    })
                    .collect();
                let caption =
                    format!("Monthly totals {y} in {cur}, tax included, credit notes deducted");
                view! { <BarChart caption bars /> }
            })
            .collect_view()
    });
    let pending = groups.remove(&Group::Pending).unwrap_or_default();
    let processing = groups
        .remove(&Group::AwaitingValidation)
        .unwrap_or_default();
    let other = groups.remove(&Group::Other).unwrap_or_default();
    let year_totals = year
        .and_then(|y| totals.by_year.get(&y).cloned())
        .unwrap_or_default();
    let monthly = year.map(|y| {
        let rows = (1..=12u8)
            .filter_map(|m| totals.by_month.get(&(y, m)).map(|p| (m, p.clone())))
            .flat_map(|(m, per)| per.into_iter().map(move |(cur, s)| (m, cur, s)))
            .map(|(m, cur, s)| {
                view! {
                    <tr>
                        <th scope="row">{MONTHS[usize::from(m) - 1]}</th>
                        <td>{cur.clone()}</td>
                        {sums_cells(&cur, s)}
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-scroll" role="region" tabindex="0" aria-label="Per month"><table class="data totals-table monthly">
                <caption>{format!("Per month, {y}")}</caption>
                <thead>
                    <tr>
                        <th>"Month"</th><th>"Currency"</th><th class="num">"Documents"</th>
                        <th class="num">"Excl. tax"</th><th class="num">"Tax"</th><th class="num">"Total"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table></div>
        }
        .into_any()
    });
    let totals_section = view! {
        <section class="totals">
            <h2>"Totals"</h2>
            <TotalsTable title=format!("All {} documents listed (cancelled ones not counted)", list.len()) sums=totals.all.clone() />
            {year.map(|y| view! {
                <TotalsTable title=format!("Year {y}") sums=year_totals.clone() />
                <p class="actions">
                    <a class="button secondary" href=format!("/orgs/{}/costs?year={y}", urls::segment(&owner))>
                        {format!("What each application cost in {y}")}
                    </a>
                    " "
                    <a class="button secondary" rel="external" download href=format!("/download{}-{y}.zip", urls::invoices(&owner))>
                        {format!("Download the PDFs of {y} (ZIP)")}
                    </a>
                </p>
            })}
            {charts}
            {monthly}
        </section>
    }
    .into_any();
    let closed_section = view! {
        <section>
            <h2>{Group::Closed.title()} {year.map(|y| format!(" in {y}"))}</h2>
            {year_links}
            <InvoiceTable owner=owner.clone() label=Group::Closed.title() list=closed_in_year empty="No paid or closed invoice this year." />
        </section>
    }
    .into_any();
    view! {
        {totals_section}
        <section>
            <h2>{Group::Pending.title()}</h2>
            <InvoiceTable owner=owner.clone() label=Group::Pending.title() list=pending empty="Nothing to pay." />
        </section>
        {(!processing.is_empty()).then(|| view! {
            <section>
                <h2>{Group::AwaitingValidation.title()}</h2>
                <InvoiceTable owner=owner.clone() label=Group::AwaitingValidation.title() list=processing empty="" />
            </section>
        })}
        {closed_section}
        {(!other.is_empty()).then(|| view! {
            <section>
                <h2>{Group::Other.title()}</h2>
                <InvoiceTable owner=owner.clone() label=Group::Other.title() list=other empty="" />
            </section>
        })}
    }
    .into_any()
}

static EMPTY: PerCurrency = PerCurrency::new();

/// The count and amount cells of one currency's sums (totals and per-month tables).
fn sums_cells(cur: &str, s: Sums) -> impl IntoView + use<> {
    view! {
        <td class="num">{s.count}</td>
        <td class="num">{money::format(s.tax_excluded, cur)}</td>
        <td class="num">{money::format(s.tax, cur)}</td>
        <td class="num strong">{money::format(s.total(), cur)}</td>
    }
}

#[component]
fn TotalsTable(title: String, sums: PerCurrency) -> impl IntoView {
    let rows = sums
        .into_iter()
        .map(|(cur, s)| {
            view! {
                <tr>
                    <th scope="row">{cur.clone()}</th>
                    {sums_cells(&cur, s)}
                </tr>
            }
        })
        .collect_view();
    let label = title.clone();
    view! {
        <div class="table-scroll" role="region" tabindex="0" aria-label=label><table class="data totals-table">
            <caption>{title}</caption>
            <thead>
                <tr>
                    <th>"Currency"</th><th class="num">"Documents"</th><th class="num">"Excl. tax"</th>
                    <th class="num">"Tax"</th><th class="num">"Total"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
}

#[component]
/// One group's invoices; `label` names its scroll box (one per group, so each is told apart).
fn InvoiceTable(
    owner: String,
    list: Vec<Invoice>,
    empty: &'static str,
    label: &'static str,
) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="empty">{empty}</p> }.into_any();
    }
    let rows = list
        .into_iter()
        .map(|inv| {
            let credit = inv.is_credit_note();
            let (ht, tax) = billing::signed(&inv);
            let cur = billing::currency(&inv).to_owned();
            let detail = format!(
                "{}/{}",
                urls::invoices(&owner),
                urls::segment(&inv.invoice_number)
            );
            let pdf = format!("/download{detail}.pdf");
            let tone = invoice_tone(&inv.status);
            view! {
                <tr class:credit-note=credit>
                    <td><a href=detail>{inv.invoice_number.clone()}</a></td>
                    <td>{if credit { "Credit note" } else { "Invoice" }}</td>
                    <td><Badge tone label=inv.status.label() raw=inv.status.to_string() /></td>
                    <td>{day(inv.emission_date)}</td>
                    <td>{day(inv.pay_date)}</td>
                    <td class="num">{money::format(ht, &cur)}</td>
                    <td class="num">{money::format(tax, &cur)}</td>
                    <td class="num strong">{money::format(ht + tax, &cur)}</td>
                    <td><a href=pdf rel="external" download>"PDF"</a></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" role="region" tabindex="0" aria-label=format!("{label} invoices")><table class="data invoices">
            <thead>
                <tr>
                    <th>"Number"</th><th>"Kind"</th><th>"Status"</th><th>"Issued"</th><th>"Paid"</th>
                    <th class="num">"Excl. tax"</th><th class="num">"Tax"</th><th class="num">"Total"</th>
                    <th>"Download"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
    .into_any()
}
