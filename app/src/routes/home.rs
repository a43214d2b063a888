//! `/`: the fleet board. First "Needs attention" across every owner the user sees, most severe
//! first, each entry a sentence linking the page that explains it; then one section per owner
//! (the personal space first) with its applications and add-ons and how each is.
//!
//! Streamed in order, no script needed: each owner's section leaves as soon as its calls are
//! in (they all start at once), and "Needs attention", which needs them all, comes last in the
//! document and is shown first by the stylesheet (`.board` is a flex column, `#attention`
//! ordered before it). `?attention=1` keeps only what needs attention. While JavaScript runs,
//! the board refreshes itself every 30 s (`AutoRefresh`).

use crate::components::auto_refresh::{AutoRefresh, RefreshWhen};
use crate::components::badge::{Badge, Tone, app_state_badge, deployment_tone};
use crate::components::error_view::ErrorView;
use crate::components::layout::ShellResource;
use crate::error::AppError;
use crate::logic::fleet::{addon_attention, app_attention, ordered, token_attention};
use crate::logic::{ago, short_id};
use crate::model::Timestamp;
use crate::model::fleet::{AddonRow, AppRow, Attention, DrainHealth, OwnerBoard, Severity};
use crate::model::navigation::Owner;
use crate::urls;
use futures::FutureExt;
use futures::future::Shared;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// How often the board refreshes itself while JavaScript runs.
const REFRESH_MS: u32 = 30_000;

type Pending = futures::future::BoxFuture<'static, Result<OwnerBoard, AppError>>;

/// One owner's board (from the navigation data the frame read), its calls started now (every owner's at once, whatever order the page
/// then waits for them in), its answer shared by its section and "Needs attention".
fn started(owner: Owner, rank: u32) -> Shared<Pending> {
    #[cfg(feature = "ssr")]
    {
        let (tx, rx) = futures::channel::oneshot::channel();
        leptos::task::spawn(async move {
            let _ = tx.send(crate::api::fleet::board_for(owner, rank).await);
        });
        async move {
            rx.await
                .unwrap_or(Err(AppError::Unavailable { sozu_id: None }))
        }
        .boxed()
        .shared()
    }
    // The board is server HTML (no island): the browser never renders it.
    #[cfg(not(feature = "ssr"))]
    {
        let _ = (owner, rank);
        futures::future::ready(Err(AppError::Unavailable { sozu_id: None }))
            .boxed()
            .shared()
    }
}

/// The boards started for this page, by owner: the page may be rendered more than once while
/// it streams, its calls are made once.
type Started = StoredValue<std::collections::HashMap<String, Shared<Pending>>>;

/// The home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let shell = expect_context::<ShellResource>();
    let boards: Started = StoredValue::new(Default::default());
    let only_attention = use_query_map()
        .read_untracked()
        .get("attention")
        .is_some_and(|v| v == "1");
    view! {
        // Streamed in order, the head leaves before the frame's breadcrumb (which also sets
        // the title) is ready: this page says its title at once.
        <Title text="Organisations" />
        <h1>"Organisations"</h1>
        <form method="get" class="filters board-filter" aria-label="Filter the board">
            <label class="check">
                <input type="checkbox" name="attention" value="1" checked=only_attention />
                "Only what needs attention"
            </label>
            <div class="actions"><button type="submit">"Apply"</button><a href="/">"Show everything"</a></div>
        </form>
        <AutoRefresh region="board".to_owned() every_ms=REFRESH_MS when=RefreshWhen::Always />
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading organisations…"</p> }>
            {move || Suspend::new(async move {
                match shell.await {
                    Ok(d) if d.owners.is_empty() => {
                        view! { <p>"This account has no organisation yet."</p> }.into_any()
                    }
                    Ok(d) => {
                        let expires = d.expires.as_deref().and_then(crate::model::date::parse);
                        view! { <Board owners=d.owners expires only_attention boards /> }.into_any()
                    }
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Board(
    owners: Vec<Owner>,
    expires: Option<Timestamp>,
    only_attention: bool,
    boards: Started,
) -> impl IntoView {
    // Each owner's calls wait their turn by its rank on the page: the first shows first.
    let boards: Vec<(Owner, Shared<Pending>)> = owners
        .into_iter()
        .zip(0u32..)
        .map(|(o, rank)| {
            let pending = boards
                .try_update_value(|m| {
                    m.entry(o.id.clone())
                        .or_insert_with(|| started(o.clone(), rank))
                        .clone()
                })
                .unwrap_or_else(|| started(o.clone(), rank));
            (o, pending)
        })
        .collect();
    let all: Vec<(String, Shared<Pending>)> = boards
        .iter()
        .map(|(o, p)| (o.name.clone(), p.clone()))
        .collect();
    let sections = boards
        .into_iter()
        .map(|(owner, pending)| {
            let name = owner.name.clone();
            let fallback = format!("Reading {name}…");
            view! {
                <Suspense fallback=move || view! { <p class="muted" role="status">{fallback.clone()}</p> }>
                    {
                        let (owner, pending) = (owner.clone(), pending.clone());
                        Suspend::new(async move {
                            view! { <OwnerSection owner board=pending.await only_attention /> }
                        })
                    }
                </Suspense>
            }
        })
        .collect_view();
    view! {
        <div class="board" id="board">
            {sections}
            <section id="attention" aria-labelledby="attention-title">
                <h2 id="attention-title">"Needs attention"</h2>
                <Suspense fallback=|| view! { <p class="muted" role="status">"Checking every organisation…"</p> }>
                    {
                        let all = all.clone();
                        Suspend::new(async move {
                            let mut entries = Vec::new();
                            let mut gaps = Vec::new();
                            let now = Timestamp::now_utc();
                            entries.extend(token_attention(expires, now));
                            for (name, pending) in all {
                                match pending.await {
                                    Ok(b) => {
                                        entries.extend(b.attention);
                                        if !b.gaps.is_empty() {
                                            gaps.push(format!("{name}: {} could not be read", crate::logic::fleet::plural(b.gaps.len() as u64, "part", "parts")));
                                        }
                                    }
                                    Err(e) => gaps.push(format!("{name} could not be read ({e})")),
                                }
                            }
                            view! { <AttentionList entries=ordered(entries) gaps /> }
                        })
                    }
                </Suspense>
            </section>
        </div>
    }
}

#[component]
fn AttentionList(entries: Vec<Attention>, gaps: Vec<String>) -> impl IntoView {
    let unknown = (!gaps.is_empty()).then(|| {
        let text = format!("Not checked: {}.", gaps.join("; "));
        view! { <p class="notice warning">{text}</p> }
    });
    if entries.is_empty() {
        let text = if gaps.is_empty() {
            "Nothing needs attention."
        } else {
            "Nothing needs attention in what could be read."
        };
        return view! { <p class="all-clear" role="status">{text}</p> {unknown} }.into_any();
    }
    let items = entries
        .into_iter()
        .map(|e| {
            let (class, word) = match e.severity {
                Severity::Critical => ("attention critical", "Critical"),
                Severity::Warning => ("attention warning", "Warning"),
                Severity::Notice => ("attention notice", "Notice"),
            };
            view! {
                <li class=class data-severity=word>
                    <span class="severity">{word}</span>
                    " "
                    <a href=e.href>{e.text}</a>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="attention-list">{items}</ul> {unknown} }.into_any()
}

#[component]
fn OwnerSection(
    owner: Owner,
    board: Result<OwnerBoard, AppError>,
    only_attention: bool,
) -> impl IntoView {
    let id = owner.id.clone();
    let members = (!owner.personal).then(|| view! { <a href=urls::members(&id)>"Members"</a> });
    let kind = if owner.personal {
        "your own applications and add-ons"
    } else {
        "Organisation"
    };
    let body = match board {
        Err(AppError::Unauthorized) => {
            view! { <ErrorView error=AppError::Unauthorized /> }.into_any()
        }
        Err(e) => {
            let text = format!(
                "{} could not be read: {}. Its applications are not shown; reload to try again.",
                owner.name,
                e.to_string().trim_end_matches('.')
            );
            view! { <p class="notice error gap" role="alert">{text}</p> }.into_any()
        }
        Ok(b) => view! { <OwnerTables board=b only_attention /> }.into_any(),
    };
    view! {
        <section class="owner-card" id=owner.id.clone() data-owner=owner.id.clone()>
            <header>
                <h2>{owner.name}</h2>
                <span class="muted">{kind}</span>
                <a href=urls::activity(&id)>"Activity"</a>
                <a href=urls::invoices(&id)>"Invoices"</a>
                {members}
            </header>
            {body}
        </section>
    }
}

#[component]
fn OwnerTables(board: OwnerBoard, only_attention: bool) -> impl IntoView {
    let now = board.fetched.unwrap_or(Timestamp::UNIX_EPOCH);
    let owner = board.id.clone();
    let name = board.name.clone();
    let read = format!(
        "Read {:02}:{:02}:{:02} UTC",
        now.hour(),
        now.minute(),
        now.second()
    );
    let gaps = (!board.gaps.is_empty()).then(|| {
        let items = board
            .gaps
            .iter()
            .map(|g| view! { <li>{g.clone()}</li> })
            .collect_view();
        view! {
            <div class="notice warning gap" role="note">
                <p>"Some of it could not be read, so it is not shown as healthy:"</p>
                <ul>{items}</ul>
            </div>
        }
    });
    // Each row with whether it needs attention (the rules run once per row), then the filter.
    let apps: Vec<(AppRow, bool)> = board
        .apps
        .into_iter()
        .map(|a| {
            let flagged = !app_attention(&owner, &a, now).is_empty();
            (a, flagged)
        })
        .filter(|(_, flagged)| !only_attention || *flagged)
        .collect();
    let addons: Vec<(AddonRow, bool)> = board
        .addons
        .into_iter()
        .map(|a| {
            let flagged = !addon_attention(&owner, &a).is_empty();
            (a, flagged)
        })
        .filter(|(_, flagged)| !only_attention || *flagged)
        .collect();
    let none = |what: &str| {
        if only_attention {
            format!("No {what} here needs attention.")
        } else {
            format!("No {what} in this space.")
        }
    };
    let (no_apps, no_addons) = (
        apps.is_empty().then(|| none("application")),
        addons.is_empty().then(|| none("add-on")),
    );
    let app_rows = apps
        .into_iter()
        .map(|(a, flagged)| view! { <AppLine owner=owner.clone() app=a now flagged /> })
        .collect_view();
    let addon_rows = addons
        .into_iter()
        .map(|(a, flagged)| view! { <AddonLine owner=owner.clone() addon=a flagged /> })
        .collect_view();
    let sparkline = board
        .requests
        .clone()
        .map(|hours| view! { <Sparkline hours /> });
    view! {
        <p class="muted board-read">{read} {sparkline}</p>
        {gaps}
        <h3>"Applications"</h3>
        {no_apps.clone().map(|t| view! { <p class="muted">{t}</p> })}
        <div class="table-scroll" role="region" tabindex="0" aria-label=format!("Applications of {name}") hidden=no_apps.is_some()><table class="data board-apps">
            <thead><tr>
                <th scope="col">"Name"</th>
                <th scope="col">"State"</th>
                <th scope="col">"Instances up"</th>
                <th scope="col">"Flavor · zone"</th>
                <th scope="col">"Latest deployment"</th>
                <th scope="col">"Log drains"</th>
            </tr></thead>
            <tbody>{app_rows}</tbody>
        </table></div>
        <h3>"Add-ons"</h3>
        {no_addons.clone().map(|t| view! { <p class="muted">{t}</p> })}
        <div class="table-scroll" role="region" tabindex="0" aria-label=format!("Add-ons of {name}") hidden=no_addons.is_some()><table class="data board-addons">
            <thead><tr>
                <th scope="col">"Name"</th>
                <th scope="col">"Kind"</th>
                <th scope="col">"Version"</th>
                <th scope="col">"Log drains"</th>
            </tr></thead>
            <tbody>{addon_rows}</tbody>
        </table></div>
    }
}

/// What a resource's drains say in a cell.
fn drains_text(h: Option<DrainHealth>) -> (String, Tone) {
    match h {
        None => ("not read".to_owned(), Tone::Unknown),
        Some(h) if h.total == 0 => ("none".to_owned(), Tone::Unknown),
        Some(h) if h.disabled > 0 => (format!("{} disabled", h.disabled), Tone::Failed),
        Some(h) if h.retrying > 0 => (format!("{} retrying", h.retrying), Tone::Failed),
        Some(h) => (format!("{} forwarding", h.total), Tone::Succeeded),
    }
}

#[component]
fn AppLine(owner: String, app: AppRow, now: Timestamp, flagged: bool) -> impl IntoView {
    let (tone, label) = app_state_badge(&app.state);
    let title = format!("{label} ({})", app.state);
    let instances = match (app.up, app.min) {
        (Some(up), Some(min)) => format!("{up} / {min}"),
        (Some(up), None) => up.to_string(),
        (None, _) => "not read".to_owned(),
    };
    let placement = match (&app.flavor, &app.zone) {
        (Some(f), Some(z)) => format!("{f} · {z}"),
        (Some(f), None) => f.clone(),
        (None, Some(z)) => z.clone(),
        (None, None) => "—".to_owned(),
    };
    let latest = app.latest.clone().map(|l| {
        let tone = deployment_tone(&l.state);
        let label = l.state.label();
        let age = l.at.map(|t| ago(t, now)).unwrap_or_default();
        let by = l.author.map(|a| format!(" by {a}")).unwrap_or_default();
        let commit = l.commit.as_deref().map(|c| c.chars().take(7).collect::<String>());
        let href = format!("{}/deployments/{}", urls::app(&owner, &app.id, ""), urls::segment(&l.id));
        view! {
            <a href=href title=short_id(&l.id)><Badge tone label raw=l.state.as_str().to_owned() /></a>
            " " {age} {by}
            {commit.map(|c| view! { " " <code>{c}</code> })}
        }
    });
    let (drains, drain_tone) = drains_text(app.drains);
    let flag = flagged.then_some("true");
    view! {
        <tr data-attention=flag>
            <td>
                <a href=urls::app(&owner, &app.id, "")>{app.name.clone()}</a>
                " "
                <span class="row-links small">
                    <a href=urls::app(&owner, &app.id, "/deployments")>"Deployments"</a>
                    " · "
                    <a href=urls::app(&owner, &app.id, "/logs")>"Logs"</a>
                </span>
            </td>
            <td title=title><Badge tone label /></td>
            <td><a href=urls::app(&owner, &app.id, "/instances")>{instances}</a></td>
            <td>{placement}</td>
            <td>{latest.map(|l| l.into_any()).unwrap_or_else(|| view! { <a href=urls::app(&owner, &app.id, "/deployments")>"none"</a> }.into_any())}</td>
            <td><a href=urls::drains(&owner, &app.id)><Badge tone=drain_tone label=drains /></a></td>
        </tr>
    }
}

#[component]
fn AddonLine(owner: String, addon: AddonRow, flagged: bool) -> impl IntoView {
    let version = match &addon.version {
        Some((installed, Some(latest))) => {
            view! { <Badge tone=Tone::Queued label=format!("{installed} → {latest} available") /> }
                .into_any()
        }
        Some((installed, None)) => {
            view! { <span>{format!("{installed}, up to date")}</span> }.into_any()
        }
        None => view! { <span class="muted">"—"</span> }.into_any(),
    };
    let (drains, drain_tone) = drains_text(addon.drains);
    let flag = flagged.then_some("true");
    view! {
        <tr data-attention=flag>
            <td><a href=addon.href.clone()>{addon.name.clone()}</a></td>
            <td>{addon.kind.clone()}</td>
            <td>{version}</td>
            <td><a href=urls::drains(&owner, &addon.real_id)><Badge tone=drain_tone label=drains /></a></td>
        </tr>
    }
}

/// An organisation's requests of the last 24 hours, hour by hour, 5xx in red, and in words.
#[component]
fn Sparkline(hours: Vec<(u64, u64)>) -> impl IntoView {
    let total: u64 = hours.iter().map(|h| h.0).sum();
    let errors: u64 = hours.iter().map(|h| h.1).sum();
    if total == 0 {
        return view! { <span class="spark-words">" · No request in the last 24 hours."</span> }
            .into_any();
    }
    let most = hours.iter().map(|h| h.0).max().unwrap_or(1).max(1) as f64;
    let (w, h) = (96.0, 18.0);
    let step = w / hours.len().max(1) as f64;
    let bars = hours
        .iter()
        .enumerate()
        .map(|(i, (all, bad))| {
            let x = format!("{:.1}", i as f64 * step);
            let width = format!("{:.1}", (step - 0.6).max(0.4));
            let all_h = h * *all as f64 / most;
            let bad_h = h * *bad as f64 / most;
            view! {
                <rect class="spark-all" x=x.clone() y=format!("{:.1}", h - all_h) width=width.clone() height=format!("{:.1}", all_h.max(0.3)) />
                <rect class="spark-bad" x=x y=format!("{:.1}", h - bad_h) width=width height=format!("{:.1}", bad_h) />
            }
        })
        .collect_view();
    let rate = errors as f64 * 100.0 / total as f64;
    let words =
        format!("{total} requests in the last 24 hours, {rate:.1} % answered with a 5xx error");
    view! {
        " · "
        <svg class="sparkline" viewBox=format!("0 0 {w} {h}") width="96" height="18" role="img" aria-label=words.clone()>{bars}</svg>
        <span class="spark-words">{format!(" {total} requests in 24 h, {rate:.1} % 5xx")}</span>
    }
    .into_any()
}
