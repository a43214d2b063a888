//! "This month" on the costs page: the month so far and its forecast per application and in
//! total, what could not be priced, the estimate checked against last month's invoice, the
//! credits' runway, the budgets as bars (and a form to set one), and the estimate's CSV.
//! Server HTML: it renders the same without JavaScript.

use crate::api::alerts::{
    AlertChangeResult, Budgets, CreateAlertRule, DeleteAlertRule, load_budgets,
};
use crate::api::billing::month_estimate;
use crate::components::error_view::{ActionError, ErrorView};
use crate::components::notice::Outcome;
use crate::hooks::use_server_action;
use crate::logic::alerts::budget_figures;
use crate::logic::costs::estimate::MonthEstimate;
use crate::logic::money;
use crate::model::alerts::RuleRow;
use crate::urls;
use leptos::prelude::*;

/// The section, read after the page's head (its own suspense).
#[component]
pub fn ThisMonth(owner: String) -> impl IntoView {
    let o = owner.clone();
    let estimate = Resource::new(move || o.clone(), month_estimate);
    let o = owner.clone();
    let budgets = Resource::new(move || o.clone(), load_budgets);
    let add = use_server_action::<CreateAlertRule>();
    let remove = use_server_action::<DeleteAlertRule>();
    view! {
        <section class="this-month" aria-labelledby="this-month-title">
            <h2 id="this-month-title">"This month"</h2>
            <Suspense fallback=|| view! { <p class="muted" role="status">"Estimating this month from the instances and the price system…"</p> }>
                {move || {
                    let owner = owner.clone();
                    Suspend::new(async move {
                        match (estimate.await, budgets.await) {
                            (Ok(e), b) => view! { <Month owner=owner e=e budgets=b.unwrap_or_default() add=add remove=remove /> }.into_any(),
                            (Err(e), _) => view! { <ErrorView error=e /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn Month(
    owner: String,
    e: MonthEstimate,
    budgets: Budgets,
    add: ServerAction<CreateAlertRule>,
    remove: ServerAction<DeleteAlertRule>,
) -> impl IntoView {
    let cur = e.currency.clone();
    let m = move |x: f64| money::format(x, &cur);
    let as_of = e
        .as_of
        .map(|t| format!("{:02}:{:02} UTC", t.hour(), t.minute()))
        .unwrap_or_default();
    let adjusted = if (e.price_factor - 1.0).abs() > 1e-9 || e.discount.abs() > 1e-9 {
        format!(
            " The totals apply the latest invoice's price factor ({}) and discount ({} %).",
            e.price_factor, e.discount
        )
    } else {
        String::new()
    };
    let lead = format!(
        "{}, as of {as_of}: each instance's hours this month (deleted and build instances included) at the hourly price of its flavor in its zone, from the organisation's price system; the forecast carries what runs now to the month's end (low) or every autoscaling application at its maximum (high).{adjusted}",
        e.month
    );
    let (so_far, low, high) = e.total;
    let range = if (high - low).abs() < 0.005 {
        m(low)
    } else {
        format!("{} to {}", m(low), m(high))
    };
    let credits = e.credits.clone().map(|c| {
        let class = if c.short { "notice warning" } else { "muted" };
        view! { <p class=class role=c.short.then_some("alert")>{c.sentence}</p> }
    });
    let backtest = e.backtest.clone().map(|b| {
        let rows = b
            .apps
            .iter()
            .map(|(name, est, inv, err)| {
                view! {
                    <tr><th scope="row">{name.clone()}</th><td class="num">{m(*est)}</td><td class="num">{m(*inv)}</td><td class="num">{format!("{err:+.1} %")}</td></tr>
                }
            })
            .collect_view();
        view! {
            <details class="backtest">
                <summary>{format!(
                    "Last month ({}) the estimate was within {:.1} % of invoice {} ({} estimated, {} invoiced for running time).",
                    b.month, b.error_pct, b.invoice, m(b.estimated), m(b.invoiced)
                )}</summary>
                <div class="table-scroll" role="region" tabindex="0" aria-label="The estimate against last month's invoice"><table class="data">
                    <thead><tr><th scope="col">"Application"</th><th scope="col" class="num">"Estimated"</th><th scope="col" class="num">"Invoiced"</th><th scope="col" class="num">"Error"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
            </details>
        }
    });
    let rows = e
        .apps
        .iter()
        .map(|a| {
            view! {
                <tr>
                    <th scope="row">{a.name.clone()}</th>
                    <td class="num">{m(a.so_far)}</td>
                    <td class="num">{m(a.low)}</td>
                    <td class="num">{m(a.high)}</td>
                    <td class="how">{a.sentence.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let services = e.services.clone().map(|s| {
        view! {
            <tr class="estimated">
                <th scope="row">"Services (estimated)"</th>
                <td class="num">{m(s.so_far)}</td>
                <td class="num">{m(s.month)}</td>
                <td class="num">{m(s.month)}</td>
                <td class="how">{s.basis}</td>
            </tr>
        }
    });
    let (r0, r1, r2) = e.runtime;
    let unpriced = (!e.unpriced.is_empty()).then(|| {
        let items = e
            .unpriced
            .iter()
            .map(|u| view! { <li>{u.clone()}</li> })
            .collect_view();
        view! {
            <div class="notice warning" role="note" aria-label="Not priced">
                <p>"Not counted in these figures (never as zero):"</p>
                <ul>{items}</ul>
            </div>
        }
    });
    let csv = urls::estimate_csv(&owner, e.year, e.month_number);
    let bars = budget_bars(&e, &budgets.rules, remove);
    let form = budget_form(&owner, &e, &budgets, add);
    view! {
        <p class="lead">{lead}</p>
        <dl class="month-figures">
            <div><dt>"So far"</dt><dd>{m(so_far)}</dd></div>
            <div><dt>"Forecast for the month"</dt><dd>{range}</dd></div>
        </dl>
        {credits}
        {backtest}
        {bars}
        <div class="table-scroll" role="region" tabindex="0" aria-label="This month by application"><table class="data month-table">
            <caption>{format!("{} by application, list prices in {}", e.month, e.currency)}</caption>
            <thead><tr>
                <th scope="col">"Application"</th><th scope="col" class="num">"So far"</th>
                <th scope="col" class="num">"Forecast (low)"</th><th scope="col" class="num">"Forecast (high)"</th>
                <th scope="col">"How"</th>
            </tr></thead>
            <tbody>{rows}{services}</tbody>
            <tfoot><tr>
                <th scope="row">"Total at list price"</th><td class="num">{m(r0 + e.services.as_ref().map_or(0.0, |s| s.so_far))}</td>
                <td class="num">{m(r1 + e.services.as_ref().map_or(0.0, |s| s.month))}</td>
                <td class="num">{m(r2 + e.services.as_ref().map_or(0.0, |s| s.month))}</td><td></td>
            </tr></tfoot>
        </table></div>
        {unpriced}
        <p><a class="button secondary" rel="external" download href=csv>"Export this month's estimate (CSV)"</a></p>
        {form}
    }
}

/// Each budget as two bars against its amount: spent, and the forecast.
fn budget_bars(
    e: &MonthEstimate,
    rules: &[RuleRow],
    remove: ServerAction<DeleteAlertRule>,
) -> Option<AnyView> {
    let last: Option<Result<AlertChangeResult, crate::error::AppError>> =
        remove.value().get_untracked();
    let outcome = last.map(|r| match r {
        Ok(AlertChangeResult { done: Some(d), .. }) => view! { <Outcome>{d}</Outcome> }.into_any(),
        Ok(r) => view! { <Outcome refused=true>{r.errors.first().map(|(_, m)| m.clone()).unwrap_or_default()}</Outcome> }.into_any(),
        Err(err) => view! { <ActionError error=err /> }.into_any(),
    });
    let items = rules
        .iter()
        .map(|r| {
            let spec = crate::logic::alerts::RuleSpec {
                organisation: r.organisation_id.clone(),
                applications: r.applications.clone(),
                ..Default::default()
            };
            let amount = r.amount.unwrap_or_default();
            let currency = r.currency.clone().unwrap_or_default();
            let fmt = |x: f64| money::format(x, &currency);
            let body = if currency != e.currency {
                view! { <p class="muted">{format!("In {currency}, the estimate in {}: not compared.", e.currency)}</p> }.into_any()
            } else {
                let (spent, forecast) = budget_figures(&spec, e);
                let pct = |x: f64| if amount > 0.0 { x / amount * 100.0 } else { 0.0 };
                // Drawn in SVG (attributes, not inline styles: the page's CSP allows none).
                let width = |x: f64| format!("{:.2}", pct(x).clamp(0.0, 100.0));
                let over = forecast > amount;
                let marks = r
                    .thresholds
                    .iter()
                    .filter(|t| **t <= 100)
                    .map(|t| view! { <line class="budget-mark" x1=t.to_string() x2=t.to_string() y1="0" y2="10" /> })
                    .collect_view();
                view! {
                    <svg class="budget-bars" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                        <rect class="budget-track" x="0" y="0" width="100" height="10" />
                        <rect class="budget-forecast" class:over=over x="0" y="0" width=width(forecast) height="10" />
                        <rect class="budget-spent" class:over={spent > amount} x="0" y="2.5" width=width(spent) height="5" />
                        {marks}
                    </svg>
                    <p>{format!(
                        "Spent {} ({:.0} %), forecast {} ({:.0} %) of {}. Thresholds: {}.",
                        fmt(spent), pct(spent), fmt(forecast), pct(forecast), fmt(amount),
                        r.thresholds.iter().map(|t| format!("{t} %")).collect::<Vec<_>>().join(", ")
                    )}</p>
                }
                .into_any()
            };
            let scope = if r.applications.is_empty() {
                "The whole organisation".to_owned()
            } else {
                e.apps
                    .iter()
                    .filter(|a| r.applications.contains(&a.id))
                    .map(|a| a.name.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let made = r.by.clone().map_or_else(|| "from the alerts file".to_owned(), |by| format!("set by {by}"));
            let name = r.name.clone();
            let removable = r.by.is_some().then(move || {
                let label = format!("Remove the budget {name}");
                view! {
                    <ActionForm action=remove attr:class="inline">
                        <input type="hidden" name="name" value=name />
                        <button type="submit" class="secondary" aria-label=label>"Remove"</button>
                    </ActionForm>
                }
            });
            view! {
                <li class="budget">
                    <div class="budget-head"><p><strong>{r.name.clone()}</strong>{format!(" · {scope} · {made}")}</p>{removable}</div>
                    {body}
                </li>
            }
        })
        .collect_view();
    // The outcome of a removal shows even when it removed the last budget.
    if rules.is_empty() {
        return outcome;
    }
    Some(
        view! {
            <h3>"Budgets"</h3>
            {outcome}
            <ul class="budgets">{items}</ul>
        }
        .into_any(),
    )
}

/// The form that sets a budget (an alert rule of kind `budget`, so crossing a threshold
/// notifies through the alerts).
fn budget_form(
    owner: &str,
    e: &MonthEstimate,
    budgets: &Budgets,
    add: ServerAction<CreateAlertRule>,
) -> AnyView {
    if !budgets.can_set {
        return budgets
            .why_not
            .clone()
            .map(|w| view! { <p class="muted">{format!("Budgets: {w}")}</p> }.into_any())
            .unwrap_or_else(|| ().into_any());
    }
    let last = add.value().get_untracked();
    let outcome = last.clone().map(|r| match r {
        Ok(AlertChangeResult { done: Some(d), .. }) => view! { <Outcome>{d}</Outcome> }.into_any(),
        Ok(r) => {
            let items = r
                .errors
                .iter()
                .map(|(_, m)| view! { <li>{m.clone()}</li> })
                .collect_view();
            view! { <Outcome refused=true><p>"The budget was not set:"</p><ul>{items}</ul></Outcome> }.into_any()
        }
        Err(err) => view! { <ActionError error=err /> }.into_any(),
    });
    let refused = last
        .and_then(Result::ok)
        .is_some_and(|r| !r.errors.is_empty());
    let apps =
        std::iter::once(view! { <option value="">"The whole organisation"</option> }.into_any())
            .chain(
                e.apps.iter().map(|a| {
                    view! { <option value=a.id.clone()>{a.name.clone()}</option> }.into_any()
                }),
            )
            .collect_view();
    let (owner, currency) = (owner.to_owned(), e.currency.clone());
    let amount_label = format!("Amount a month ({currency})");
    let channels = std::iter::once(
        view! { <option value="">"None: the alerts page and the bell only"</option> }.into_any(),
    )
    .chain(
        budgets
            .channels
            .iter()
            .map(|c| view! { <option value=c.clone()>{c.clone()}</option> }.into_any()),
    )
    .collect_view();
    view! {
        {outcome}
        <details class="alert-new" open=refused>
            <summary>"Set a budget"</summary>
            <p class="hint">"Reaching a threshold, spent or forecast, opens an incident on the alerts page once a month, and notifies the channel chosen there."</p>
            <ActionForm action=add attr:class="filters" attr:aria-label="Set a budget">
                <input type="hidden" name="organisation" value=owner />
                <input type="hidden" name="kind" value="budget" />
                <input type="hidden" name="currency" value=currency />
                <label>"Name"<input type="text" name="name" value="Monthly budget" autocomplete="off" /></label>
                <label>{amount_label}<input type="text" name="amount" inputmode="decimal" autocomplete="off" /></label>
                <label>"For"<select name="applications">{apps}</select></label>
                <label>"Thresholds (%)"<input type="text" name="thresholds" value="50, 75, 90, 100" autocomplete="off" /></label>
                <label>"Notify"<select name="channel">{channels}</select></label>
                <div class="actions"><button type="submit">"Set the budget"</button></div>
            </ActionForm>
        </details>
    }
    .into_any()
}
