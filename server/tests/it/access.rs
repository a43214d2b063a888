//! Access logs and add-on logs through the relay (the access filters applied before the
//! browser, resumption after a cut), and the log downloads (exactly the upstream's lines, in
//! order, in each format).

use super::harness::Harness;
use demo_upstream as demo;
use eventsource_stream::{Event, Eventsource};
use futures::{Stream, StreamExt};
use server::config::Config;
use std::time::Duration;

fn acme() -> String {
    demo::acme_id()
}

fn gateway() -> String {
    demo::app_id("api-gateway")
}

fn iso(t: time::OffsetDateTime) -> String {
    app::model::date::format(&t)
}

/// A closed range of the last `minutes`, ending a minute ago (so it is the same range for
/// every reader).
fn range(minutes: i64) -> (String, String) {
    let until = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
    (iso(until - time::Duration::minutes(minutes)), iso(until))
}

async fn events(resp: reqwest::Response) -> Vec<Event> {
    assert_eq!(resp.status(), 200);
    let mut s: std::pin::Pin<Box<dyn Stream<Item = Event> + Send>> = Box::pin(
        resp.bytes_stream()
            .eventsource()
            .map(|e| e.expect("well-formed event stream")),
    );
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while let Ok(Some(e)) = tokio::time::timeout_at(deadline, s.next()).await {
        let end = e.event == "END_OF_STREAM";
        out.push(e);
        if end {
            break;
        }
    }
    out
}

/// The stream read from the demo upstream directly (the reference).
async fn direct(h: &Harness, path: &str, query: &str) -> Vec<Event> {
    let resp = reqwest::Client::new()
        .get(h.upstream.join(&format!("{path}{query}")).expect("url"))
        .bearer_auth("demo")
        .send()
        .await
        .expect("demo answers");
    events(resp).await
}

fn lines<'a>(events: &'a [Event], name: &str) -> Vec<&'a Event> {
    events.iter().filter(|e| e.event == name).collect()
}

fn access_upstream() -> String {
    format!(
        "/v4/accesslogs/organisations/{}/applications/{}/accesslogs",
        acme(),
        gateway()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_filters_leave_out_non_matching_lines_before_the_browser() {
    let h = Harness::start().await;
    h.login("demo").await;
    let (since, until) = range(10);
    let base =
        format!("?since={since}&until={until}&throttleElements=10000&throttlePerInMilliseconds=10");
    let all = direct(&h, &access_upstream(), &base).await;
    let all = lines(&all, "ACCESS_LOG");
    assert!(all.len() > 2000, "10 minutes at 4 a second: {}", all.len());
    let wanted = |e: &&&Event| {
        let l = app::model::access::AccessLine::parse(&e.data).expect("http line");
        l.status() >= 500 && l.method() == "GET"
    };
    let expected: Vec<&str> = all.iter().filter(wanted).map(|e| e.id.as_str()).collect();
    assert!(!expected.is_empty(), "the demo has a 5xx burst");
    let path = format!(
        "/stream/orgs/{}/apps/{}/access-logs{base}&status=5xx&method=get",
        acme(),
        gateway()
    );
    let got = events(h.get(&path).await).await;
    let got_lines = lines(&got, "ACCESS_LOG");
    let ids: Vec<&str> = got_lines.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, expected, "only the matching lines, in order");
    assert!(got.last().is_some_and(|e| e.data.contains("UNTIL_REACHED")));
    // Batched, as the viewer asks: the same lines, a `data` line each.
    let batched = events(h.get(&format!("{path}&batch=1")).await).await;
    let in_batches: Vec<String> = lines(&batched, "ACCESS_LOGS")
        .iter()
        .flat_map(|e| e.data.split('\n').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    assert_eq!(in_batches.len(), expected.len());
    // A bad filter is a clear 400 before anything goes upstream.
    let bad = h
        .get(&format!(
            "/stream/orgs/{}/apps/{}/access-logs?status=6xx&minDuration=soon",
            acme(),
            gateway()
        ))
        .await;
    assert_eq!(bad.status(), 400);
    let text = bad.text().await.unwrap_or_default();
    assert!(
        text.contains("Status must be one of") && text.contains("Minimum duration"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_logs_resume_after_an_upstream_cut_without_a_gap() {
    let mut config = Config::for_tests();
    config.demo.drop_stream_after = Some(7);
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    let (since, _) = range(10);
    let got = events(
        h.get(&format!(
            "/stream/orgs/{}/apps/{}/access-logs?since={since}&limit=40",
            acme(),
            gateway()
        ))
        .await,
    )
    .await;
    let ids: Vec<u64> = lines(&got, "ACCESS_LOG")
        .iter()
        .map(|e| e.id.parse().expect("numeric id"))
        .collect();
    assert_eq!(ids.len(), 40, "{ids:?}");
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "{ids:?}");
    assert!(
        got.iter()
            .any(|e| e.event == "relay" && e.data.contains("reconnecting"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addon_logs_are_relayed_by_real_id() {
    let h = Harness::start().await;
    h.login("demo").await;
    let db = demo::real_id("postgresql", "main-db");
    let (since, _) = range(5);
    let got = events(
        h.get(&format!(
            "/stream/orgs/{}/addons/{db}/logs?since={since}&limit=20&batch=1",
            acme()
        ))
        .await,
    )
    .await;
    let data: Vec<String> = lines(&got, "APPLICATION_LOGS")
        .iter()
        .flat_map(|e| e.data.split('\n').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    assert_eq!(data.len(), 20);
    let first: app::model::logs::LogLine = serde_json::from_str(&data[0]).expect("a log line");
    assert_eq!(first.resource_id.as_deref(), Some(db.as_str()));
    // An application id is not an add-on's real id; a path segment is checked first.
    let wrong = h
        .get(&format!(
            "/stream/orgs/{}/addons/{}/logs",
            acme(),
            gateway()
        ))
        .await;
    assert_eq!(wrong.status(), 404);
    let hostile = h
        .get(&format!("/stream/orgs/{}/addons/..%2Fx/logs", acme()))
        .await;
    assert_eq!(hostile.status(), 400);
}

async fn download(h: &Harness, path: &str) -> (u16, String, String) {
    let resp = h.get(path).await;
    let status = resp.status().as_u16();
    let kind = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, resp.text().await.expect("the whole body"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_has_exactly_the_upstreams_lines_in_order() {
    let h = Harness::start().await;
    h.login("demo").await;
    let (since, until) = range(5);
    let q = format!("?since={since}&until={until}&service=all");
    let runtime = format!(
        "/v4/logs/organisations/{}/applications/{}/logs",
        acme(),
        gateway()
    );
    let reference = direct(
        &h,
        &runtime,
        &format!("{q}&throttleElements=10000&throttlePerInMilliseconds=10"),
    )
    .await;
    let reference: Vec<&str> = lines(&reference, "APPLICATION_LOG")
        .iter()
        .map(|e| e.data.as_str())
        .collect();
    assert!(reference.len() > 1000, "{}", reference.len());
    let app_path = format!("/download/orgs/{}/apps/{}", acme(), gateway());
    let (status, kind, ndjson) = download(&h, &format!("{app_path}/logs.ndjson{q}")).await;
    assert_eq!((status, kind.as_str()), (200, "application/x-ndjson"));
    assert_eq!(
        ndjson.lines().collect::<Vec<_>>(),
        reference,
        "each data, unchanged, in order"
    );
    let (_, _, text) = download(&h, &format!("{app_path}/logs.txt{q}")).await;
    assert_eq!(text.lines().count(), reference.len());
    assert!(!text.contains('\u{1b}'), "no colour codes in text");
    // The line cap.
    let (_, _, capped) = download(&h, &format!("{app_path}/logs.ndjson{q}&limit=25")).await;
    assert_eq!(capped.lines().collect::<Vec<_>>(), reference[..25]);

    // Access logs: NDJSON with a filter, and Combined Log Format.
    let access = direct(
        &h,
        &access_upstream(),
        &format!(
            "?since={since}&until={until}&throttleElements=10000&throttlePerInMilliseconds=10"
        ),
    )
    .await;
    let access = lines(&access, "ACCESS_LOG");
    let not_found: Vec<&str> = access
        .iter()
        .filter(|e| e.data.contains("\"statusCode\":404"))
        .map(|e| e.data.as_str())
        .collect();
    assert!(!not_found.is_empty());
    let (_, _, filtered) = download(
        &h,
        &format!("{app_path}/access-logs.ndjson?since={since}&until={until}&status=4xx&path=&minDuration=0"),
    )
    .await;
    let filtered: Vec<&str> = filtered.lines().collect();
    assert!(not_found.iter().all(|l| filtered.contains(l)));
    assert!(
        filtered.iter().all(|l| l.contains("\"statusCode\":4")),
        "only 4xx"
    );
    let (status, kind, log) = download(
        &h,
        &format!("{app_path}/access-logs.log?since={since}&until={until}"),
    )
    .await;
    assert_eq!((status, kind.as_str()), (200, "text/plain; charset=utf-8"));
    let log: Vec<&str> = log.lines().collect();
    assert_eq!(log.len(), access.len(), "one line per http access");
    let first = app::model::access::AccessLine::parse(&access[0].data).expect("http");
    assert_eq!(log[0], app::logic::access::clf(&first).expect("clf"));
    assert!(
        log.iter()
            .all(|l| l.ends_with(" \"-\" \"-\"") && l.contains(" HTTP/1.1\" ")),
        "Combined Log Format"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_survives_an_upstream_cut_and_refuses_bad_ranges() {
    let mut config = Config::for_tests();
    config.demo.drop_stream_after = Some(300);
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    let (since, until) = range(3);
    let app_path = format!("/download/orgs/{}/apps/{}", acme(), gateway());
    let (status, _, ndjson) = download(
        &h,
        &format!("{app_path}/logs.ndjson?since={since}&until={until}&service=all"),
    )
    .await;
    assert_eq!(status, 200);
    let ids: Vec<u64> = ndjson
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json")["id"]
                .as_str()
                .expect("id")
                .parse()
                .expect("numeric")
        })
        .collect();
    // Three minutes at one line every 250 ms, read over several connections.
    assert!((719..=721).contains(&ids.len()), "{}", ids.len());
    assert!(
        ids.windows(2).all(|w| w[1] == w[0] + 1),
        "no gap, no repeat"
    );

    for (query, message) in [
        ("", "needs a since date"),
        ("?since=tomorrowish", "Since must be a date"),
        (
            &format!("?since={until}&until={since}") as &str,
            "Since must be before until",
        ),
    ] {
        let (status, kind, page) = download(&h, &format!("{app_path}/logs.txt{query}")).await;
        assert_eq!(status, 400, "{query}");
        assert!(kind.starts_with("text/html"));
        assert!(
            page.contains("Download failed") && page.contains(message),
            "{query}: {page}"
        );
    }
    let (status, _, _) = download(&h, &format!("{app_path}/logs.exe?since={since}")).await;
    assert_eq!(status, 404);
    let (status, _, page) = download(
        &h,
        &format!("{app_path}/access-logs.log?since={since}&method=G%20T"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(page.contains("Method must be a word"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_access_logs_page_shows_a_range_and_its_figures_without_javascript() {
    let h = Harness::start().await;
    h.login("demo").await;
    let (since, until) = range(20);
    let reference = direct(
        &h,
        &access_upstream(),
        &format!(
            "?since={since}&until={until}&throttleElements=10000&throttlePerInMilliseconds=10"
        ),
    )
    .await;
    let errors: Vec<app::model::access::AccessLine> = lines(&reference, "ACCESS_LOG")
        .iter()
        .filter_map(|e| app::model::access::AccessLine::parse(&e.data))
        .filter(|l| l.status() >= 500)
        .collect();
    assert!(!errors.is_empty());
    let page = h
        .page(
            &format!(
                "/orgs/{}/apps/{}/access-logs?range=custom&since={since}&until={until}&status=5xx",
                acme(),
                gateway()
            ),
            200,
        )
        .await;
    assert!(page.contains("<title>Access logs · api-gateway"), "title");
    assert!(
        page.contains(&format!("{} match the filters", errors.len())),
        "the count of matching lines: {}",
        errors.len()
    );
    for part in [
        "Top paths",
        "Top client IPs",
        "Top countries",
        "Slowest requests",
        ">p95<",
        ">p99<",
    ] {
        assert!(page.contains(part), "{part}");
    }
    assert!(
        page.contains("status-5xx") && !page.contains("<td class=\"status-2xx\""),
        "only 5xx rows"
    );
    // The slowest 5xx request is the first of its table.
    let slowest = errors
        .iter()
        .map(app::model::access::AccessLine::duration_ms)
        .fold(0.0, f64::max);
    assert!(page.contains(&app::logic::access::duration_text(slowest)));
    // The downloads carry the range and the filter.
    assert!(page.contains("/access-logs.log?since="), "download link");
    assert!(
        page.contains("status=5xx\" download"),
        "filter in the download link"
    );
    // Bad input is said, nothing else breaks.
    let bad = h
        .page(
            &format!(
                "/orgs/{}/apps/{}/access-logs?range=custom&since=soon&status=9xx",
                acme(),
                gateway()
            ),
            200,
        )
        .await;
    assert!(bad.contains("Status must be one of"), "status message");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_by_position_sets_the_range_to_its_lifetime() {
    let h = Harness::start().await;
    h.login("demo").await;
    let deployments = h
        .demo_json(&format!(
            "/v4/orchestration/organisations/{}/applications/{}/deployments?limit=20",
            acme(),
            gateway()
        ))
        .await;
    let mut started: Vec<(String, String)> = deployments
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|d| {
            let start = d["startDate"].as_str()?;
            Some((start.to_owned(), d["id"].as_str()?.to_owned()))
        })
        .collect();
    started.sort();
    let (latest_start, latest) = started.last().cloned().expect("a deployment");
    let (previous_start, previous) = started[started.len() - 2].clone();
    let logs = |position: &str| {
        format!(
            "/orgs/{}/apps/{}/logs?deployment={position}",
            acme(),
            gateway()
        )
    };
    // As the page writes a query value: letters and digits kept, the rest percent-encoded.
    let enc = |v: &str| -> String {
        v.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    let at = |iso: &str| {
        enc(&app::model::date::format(
            &app::model::date::parse(iso).expect("a date"),
        ))
    };
    let (latest, previous) = (enc(&latest), enc(&previous));
    let page = h.page(&logs("latest"), 200).await;
    assert!(
        page.contains(&format!("deploymentId={latest}")),
        "latest resolved: {}",
        page.split("/stream/")
            .nth(1)
            .unwrap_or(&page[..page.len().min(3000)])
    );
    assert!(
        page.contains(&format!("since={}", at(&latest_start))),
        "from its start"
    );
    let page = h.page(&logs("previous"), 200).await;
    assert!(
        page.contains(&format!("deploymentId={previous}")),
        "previous resolved"
    );
    assert!(page.contains(&format!("since={}", at(&previous_start))));
    assert!(
        page.contains(&format!("until={}", at(&latest_start))),
        "until the next began"
    );
    assert!(
        page.contains("<option value=\"previous\" selected"),
        "the choice is kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_addons_logs_page_streams_by_real_id_and_links_its_downloads() {
    let h = Harness::start().await;
    h.login("demo").await;
    let db = demo::real_id("postgresql", "main-db");
    let page = h
        .page(&format!("/orgs/{}/addons/{db}/logs", acme()), 200)
        .await;
    assert!(page.contains(&format!("/stream/orgs/{}/addons/{db}/logs?since=", acme())));
    assert!(page.contains(&format!(
        "/download/orgs/{}/addons/{db}/logs.ndjson?since=",
        acme()
    )));
    let drains = h
        .page(&format!("/orgs/{}/resources/{db}/drains", acme()), 200)
        .await;
    assert!(
        drains.contains(&format!("href=\"/orgs/{}/addons/{db}/logs\"", acme())),
        "linked from its page"
    );
    let (status, _, file) = download(
        &h,
        &format!(
            "/download/orgs/{}/addons/{db}/logs.txt?since={}&limit=10",
            acme(),
            range(5).0
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(file.lines().count(), 10);
    assert!(file.contains("LOG:  ") || file.contains("ERROR:  ") || file.contains("WARNING:  "));
}
