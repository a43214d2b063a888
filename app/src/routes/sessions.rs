//! `/sessions`: "Your sessions", every browser and script signed in as this user, on every
//! replica, with "Sign out everywhere else" and "Sign out everywhere" (plain forms to
//! `/logout`, which work without JavaScript).

use crate::api::sessions::list_sessions;
use crate::components::error_view::ErrorView;
use crate::logic::ago;
use crate::model::Timestamp;
use crate::model::sessions::SessionSummary;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The sessions page.
#[component]
pub fn SessionsPage() -> impl IntoView {
    let sessions = Resource::new(|| (), |_| list_sessions());
    // Set by `/logout` after "Sign out everywhere else": a count, nothing else read.
    let ended = use_query_map()
        .read_untracked()
        .get("ended")
        .and_then(|n| n.parse::<u32>().ok());
    let done = ended.map(|n| {
        let text = match n {
            0 => "No other session was signed in.".to_owned(),
            1 => "Signed out 1 other session.".to_owned(),
            n => format!("Signed out {n} other sessions."),
        };
        view! { <p class="notice info" role="status">{text}</p> }
    });
    view! {
        <h1>"Your sessions"</h1>
        <p class="lead">
            "Every browser and script signed in to this dashboard as you, on every server that serves it. "
            "One you do not recognise? Sign out everywhere else, then revoke the token it used in the Clever Cloud console."
        </p>
        {done}
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading sessions…"</p> }>
            {move || Suspend::new(async move {
                match sessions.await {
                    Ok(list) => view! { <SessionTable sessions=list /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
        <div class="actions sessions-actions">
            <form method="post" action="/logout">
                <input type="hidden" name="scope" value="others" />
                <button type="submit">"Sign out everywhere else"</button>
            </form>
            <form method="post" action="/logout">
                <input type="hidden" name="scope" value="all" />
                <button type="submit" class="danger">"Sign out everywhere"</button>
            </form>
        </div>
    }
}

/// A moment as the table shows it: `2026-12-02 01:53 UTC` and how long ago.
fn moment(ms: i64, now: Timestamp) -> (String, String) {
    let t = Timestamp::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let (d, c) = (t.date(), t.time());
    (
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            d.year(),
            u8::from(d.month()),
            d.day(),
            c.hour(),
            c.minute()
        ),
        ago(t, now),
    )
}

#[component]
fn SessionTable(sessions: Vec<SessionSummary>) -> impl IntoView {
    let now = Timestamp::now_utc();
    let others = sessions.iter().filter(|s| !s.current).count();
    let rows = sessions
        .into_iter()
        .map(|s| {
            let (started, started_ago) = moment(s.since, now);
            let (seen, seen_ago) = moment(s.seen, now);
            let this = s
                .current
                .then(|| view! { <span class="badge ok">"This browser"</span> });
            view! {
                <tr class:current=s.current>
                    <td>{s.device.unwrap_or_else(|| "Unknown browser".to_owned())} " " {this}</td>
                    <td>{s.via}</td>
                    <td class="mono">{s.address.unwrap_or_else(|| "—".to_owned())}</td>
                    <td><time title=started.clone()>{started_ago}</time></td>
                    <td><time title=seen.clone()>{seen_ago}</time></td>
                </tr>
            }
        })
        .collect_view();
    let summary = match others {
        0 => "Only this browser is signed in.".to_owned(),
        1 => "This browser and 1 other session are signed in.".to_owned(),
        n => format!("This browser and {n} other sessions are signed in."),
    };
    view! {
        <p role="status">{summary}</p>
        <div class="table-scroll" role="region" tabindex="0" aria-label="Signed-in sessions">
            <table class="data sessions">
                <thead>
                    <tr>
                        <th scope="col">"Browser"</th>
                        <th scope="col">"Signed in with"</th>
                        <th scope="col">"From address"</th>
                        <th scope="col">"Started"</th>
                        <th scope="col">"Last active"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
