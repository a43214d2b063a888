//! `/orgs/{ownerId}/invoices/{number}`: every field, the address, the HTML invoice in a
//! sandboxed frame, and the PDF.

use crate::api::billing::get_invoice;
use crate::components::badge::Badge;
use crate::components::badge::invoice_tone;
use crate::components::error_view::ErrorView;
use crate::components::layout::ShellResource;
use crate::ids::SegmentId;
use crate::logic::costs::{Breakdown, breakdown};
use crate::logic::{billing, day, money};
use crate::model::billing::Invoice;
use crate::urls;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The invoice page.
#[component]
pub fn InvoicePage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("owner_id").unwrap_or_default(),
            p.get("number").unwrap_or_default(),
        )
    };
    let invoice = Resource::new(key, |(owner, number)| async move {
        SegmentId::parse("owner id", &owner)?;
        SegmentId::parse("invoice number", &number)?;
        get_invoice(owner, number).await
    });
    let shell = use_context::<ShellResource>();
    view! {
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading invoice…"</p> }>
            {move || Suspend::new(async move {
                let (owner, _) = key();
                match invoice.await {
                    Ok(inv) => {
                        // Names from the navigation data; an id it lacks was deleted since.
                        let names = match shell {
                            Some(s) => s.await.ok(),
                            None => None,
                        };
                        let costs = breakdown(&inv, |id| {
                            names.as_ref().and_then(|n| n.resource_name(&owner, id))
                        });
                        view! { <Detail owner inv costs /> }.into_any()
                    }
                    Err(e) => view! { <h1>"Invoice"</h1> <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn text(v: &Option<String>) -> String {
    v.as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or("—")
        .to_owned()
}

#[component]
fn Detail(owner: String, inv: Invoice, costs: Breakdown) -> impl IntoView {
    let base = format!(
        "{}/{}",
        urls::invoices(&owner),
        urls::segment(&inv.invoice_number)
    );
    let pdf = format!("/download{base}.pdf");
    let html = format!("/download{base}.html?inline=1");
    let cur = billing::currency(&inv).to_owned();
    let (ht, tax) = billing::signed(&inv);
    let credit = inv.is_credit_note();
    let kind = if credit { "Credit note" } else { "Invoice" };
    let title = format!("{kind} {}", inv.invoice_number);
    let a = inv.address.clone();
    let pct = |v: Option<f64>| v.map(|v| format!("{v}%")).unwrap_or_else(|| "—".into());
    let fields: Vec<(&str, String)> = vec![
        ("Number", inv.invoice_number.clone()),
        ("Kind", format!("{kind} ({})", inv.kind)),
        ("Status", format!("{} ({})", inv.status.label(), inv.status)),
        ("Issued", day(inv.emission_date)),
        ("Paid", day(inv.pay_date)),
        ("Consumption from", day(inv.consumption_begin_date)),
        ("Consumption to", day(inv.consumption_end_date)),
        ("Currency", cur.clone()),
        ("Excl. tax", money::format(ht, &cur)),
        ("VAT", pct(inv.vat_percent)),
        ("Tax", money::format(tax, &cur)),
        ("Total", money::format(ht + tax, &cur)),
        ("Discount", pct(inv.discount)),
        (
            "Price factor",
            inv.price_factor
                .map(|v| v.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        ("Category", text(&inv.category)),
        ("Origin", text(&inv.origin)),
        ("Payment provider", text(&inv.payment_provider)),
        ("Transaction", text(&inv.transaction_id)),
        ("Customer order", text(&inv.customer_order_id)),
    ];
    let rows = fields
        .into_iter()
        .map(|(k, v)| view! { <tr><th scope="row">{k}</th><td>{v}</td></tr> })
        .collect_view();
    view! {
        <h1 class:credit-note=credit>{title} " " <Badge tone=invoice_tone(&inv.status) label=inv.status.label() raw=inv.status.to_string() /></h1>
        <p class="lead">
            "Issued on " {day(inv.emission_date)} " for a total of "
            <strong>{money::format(ht + tax, &cur)}</strong> " (tax included). "
            <a class="button" href=pdf rel="external" download>"Download PDF"</a>
        </p>
        <div class="detail-grid">
            <div class="table-scroll" role="region" tabindex="0" aria-label="Invoice details"><table class="data fields"><tbody>{rows}</tbody></table></div>
            <address class="card">
                <strong>{text(&a.company)}</strong><br />
                {text(&a.name)}<br />
                {text(&a.address)}<br />
                {text(&a.zipcode)} " " {text(&a.city)} " " {text(&a.country_alpha2)}<br />
                "VAT number: " {text(&a.vat_number)}<br />
                "Cost center: " {text(&a.customer_cost_center)}<br />
                "Purchase order: " {text(&a.customer_purchase_order)}
            </address>
        </div>
        <CostBreakdown costs cur=cur.clone() period=(day(inv.consumption_begin_date), day(inv.consumption_end_date)) />
        <h2>"The invoice as issued"</h2>
        // Scripts in the upstream's HTML never run: the frame is sandboxed and its content is
        // served by us with `Content-Security-Policy: sandbox`.
        <iframe class="invoice-frame" title="Invoice document" sandbox="" src=html referrerpolicy="no-referrer"></iframe>
    }
}

/// The line items by application, and whether they add up to the total excluding tax.
#[component]
fn CostBreakdown(costs: Breakdown, cur: String, period: (String, String)) -> impl IntoView {
    let amount = move |v: f64| money::format(v, &cur);
    let quantity = |q: f64| format!("{}", (q * 1000.0).round() / 1000.0);
    let invoice_period = format!("{} → {}", period.0, period.1);
    if costs.payers.is_empty() {
        return view! {
            <h2 id="costs">"What each application cost"</h2>
            <p class="muted">"This document lists no line items."</p>
        }
        .into_any();
    }
    let groups = costs
        .payers
        .into_iter()
        .map(|p| {
            let uptimes = p
                .uptimes
                .into_iter()
                .map(|r| {
                    let instances = match r.instances {
                        0 => String::new(),
                        1 => "1 instance".to_owned(),
                        n => format!("{n} instances"),
                    };
                    view! {
                        <tr>
                            <td>"Running time, " {r.flavor}</td>
                            <td>{r.zone}</td>
                            <td>{day(r.from)} " → " {day(r.to)}</td>
                            <td class="num">{instances}</td>
                            <td class="num">{amount(r.amount)}</td>
                        </tr>
                    }
                })
                .collect_view();
            let countables = p
                .countables
                .into_iter()
                .map(|r| {
                    view! {
                        <tr>
                            <td>{r.service}</td>
                            <td>"—"</td>
                            <td>{invoice_period.clone()}</td>
                            <td class="num">{quantity(r.quantity)} " " {r.unit}</td>
                            <td class="num">{amount(r.amount)}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <tbody>
                    <tr class="payer">
                        <th scope="rowgroup" colspan="4">{p.payer.label()}</th>
                        <td class="num"><strong>{amount(p.total)}</strong></td>
                    </tr>
                    {uptimes}
                    {countables}
                </tbody>
            }
        })
        .collect_view();
    let check = costs.check;
    let verdict = if check.adds_up() {
        view! {
            <tr class="check ok">
                <td colspan="5">"The lines add up to the total excluding tax."</td>
            </tr>
        }
        .into_any()
    } else {
        view! {
            <tr class="check differs">
                <th scope="row" colspan="4">
                    "Difference" <br />
                    <span class="muted">{check.explanation.clone().unwrap_or_default()}</span>
                </th>
                <td class="num">{amount(check.difference)}</td>
            </tr>
        }
        .into_any()
    };
    view! {
        <h2 id="costs">"What each application cost"</h2>
        <div class="table-scroll" role="region" tabindex="0" aria-label="What each application cost"><table class="data breakdown">
                <thead>
                    <tr>
                        <th scope="col">"Line"</th>
                        <th scope="col">"Zone"</th>
                        <th scope="col">"Period"</th>
                        <th scope="col" class="num">"Quantity"</th>
                        <th scope="col" class="num">"Amount (excl. tax)"</th>
                    </tr>
                </thead>
                {groups}
                <tfoot>
                    <tr class="check">
                        <th scope="row" colspan="4">"Sum of the lines"</th>
                        <td class="num">{amount(check.lines)}</td>
                    </tr>
                    <tr class="check">
                        <th scope="row" colspan="4">"Invoice total excluding tax"</th>
                        <td class="num">{amount(check.total)}</td>
                    </tr>
                    {verdict}
                </tfoot>
        </table></div>
    }
    .into_any()
}
