//! The log relay: order, resumption, reconnection, disconnection, caps, end of stream.

use super::harness::Harness;
use demo_upstream as demo;
use eventsource_stream::{Event, Eventsource};
use futures::{Stream, StreamExt};
use server::config::Config;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn logs_path(query: &str) -> String {
    format!(
        "/stream/orgs/{}/apps/{}/logs{query}",
        demo::acme_id(),
        demo::app_id("api-gateway")
    )
}

/// Ten minutes ago, as the `since` of a replay.
fn ten_minutes_ago() -> String {
    let t = time::OffsetDateTime::now_utc() - time::Duration::minutes(10);
    app::model::date::format(&t)
}

async fn open(h: &Harness, query: &str) -> impl Stream<Item = Event> + Unpin {
    let resp = h.get(&logs_path(query)).await;
    assert_eq!(resp.status(), 200, "{:?}", resp.text().await);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap_or_default(),
        "text/event-stream"
    );
    Box::pin(
        resp.bytes_stream()
            .eventsource()
            .map(|e| e.expect("well-formed event stream")),
    )
}

/// Reads until `END_OF_STREAM` (included) or the end, with a deadline.
async fn read_all(mut s: impl Stream<Item = Event> + Unpin) -> Vec<Event> {
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

fn log_ids(events: &[Event]) -> Vec<u64> {
    events
        .iter()
        .filter(|e| e.event == "APPLICATION_LOG")
        .map(|e| e.id.parse().expect("numeric id"))
        .collect()
}

fn consecutive(ids: &[u64]) -> bool {
    ids.windows(2).all(|w| w[1] == w[0] + 1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_arrive_in_order_and_end_of_stream_ends_the_stream() {
    let h = Harness::start().await;
    h.login("demo").await;
    let since = ten_minutes_ago();
    let events = read_all(open(&h, &format!("?since={since}&service=all&limit=30")).await).await;
    let ids = log_ids(&events);
    assert_eq!(ids.len(), 30);
    assert!(consecutive(&ids), "{ids:?}");
    let last = events.last().expect("events");
    assert_eq!(last.event, "END_OF_STREAM");
    assert!(last.data.contains("LIMIT_REACHED"));
    assert!(
        !events.iter().any(|e| e.event == "HEARTBEAT"),
        "heartbeats stay upstream"
    );
    let line: serde_json::Value =
        serde_json::from_str(&events[0].data).expect("log line JSON passed on");
    assert!(line["message"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batching_viewer_gets_the_same_lines_in_a_few_events() {
    let h = Harness::start().await;
    h.login("demo").await;
    let since = ten_minutes_ago();
    let one_by_one =
        read_all(open(&h, &format!("?since={since}&service=all&limit=500")).await).await;
    let batched =
        read_all(open(&h, &format!("?since={since}&service=all&limit=500&batch=1")).await).await;
    let singles: Vec<&str> = one_by_one
        .iter()
        .filter(|e| e.event == "APPLICATION_LOG")
        .map(|e| e.data.as_str())
        .collect();
    let batches: Vec<&Event> = batched
        .iter()
        .filter(|e| e.event == "APPLICATION_LOGS")
        .collect();
    assert!(
        !batched.iter().any(|e| e.event == "APPLICATION_LOG"),
        "no single lines once batching"
    );
    let lines: Vec<&str> = batches.iter().flat_map(|e| e.data.split('\n')).collect();
    assert_eq!(singles.len(), 500);
    assert_eq!(lines, singles, "the same lines, in the same order");
    assert!(
        batches.len() * 5 < lines.len(),
        "{} events for {} lines",
        batches.len(),
        lines.len()
    );
    // Each batch carries the id of its last line: a resumed stream goes on after it.
    let last_single = one_by_one
        .iter()
        .rfind(|e| e.event == "APPLICATION_LOG")
        .map(|e| e.id.clone());
    assert_eq!(batches.last().map(|e| e.id.clone()), last_single);
    assert!(batched.last().is_some_and(|e| e.event == "END_OF_STREAM"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn until_reached_is_passed_on() {
    let h = Harness::start().await;
    h.login("demo").await;
    let now = time::OffsetDateTime::now_utc();
    let since = app::model::date::format(&(now - time::Duration::minutes(3)));
    let until =
        app::model::date::format(&(now - time::Duration::minutes(3) + time::Duration::seconds(5)));
    let events =
        read_all(open(&h, &format!("?since={since}&until={until}&service=all")).await).await;
    assert_eq!(log_ids(&events).len(), 20, "4 lines a second for 5 s");
    assert!(
        events
            .last()
            .is_some_and(|e| e.data.contains("UNTIL_REACHED"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_parameter_is_forwarded_after_checking() {
    let h = Harness::start().await;
    h.login("demo").await;
    h.upstream_requests().await;
    let q = "?deploymentId=deployment_x&instanceId=i-1&since=2026-11-01&until=2026-11-02\
             &field=message&field=date&service=bas&service=cron&filter=timeout&limit=5\
             &throttleElements=100&throttlePerInMilliseconds=300";
    let events = read_all(open(&h, q).await).await;
    assert!(events.last().is_some_and(|e| e.event == "END_OF_STREAM"));
    let seen = h.upstream_requests().await;
    let want = "deploymentId=deployment_x&instanceId=i-1&since=2026-11-01T00%3A00%3A00Z\
                &until=2026-11-02T00%3A00%3A00Z&field=message&field=date&filter=timeout&limit=5\
                &service=bas&service=cron&throttleElements=100&throttlePerInMilliseconds=300";
    assert!(
        seen.iter().any(|r| r.ends_with(want)),
        "{want} not in {seen:?}"
    );

    let bad = h
        .get(&logs_path("?since=yesterday&field=password&limit=0"))
        .await;
    assert_eq!(bad.status(), 400);
    let body = bad.text().await.unwrap_or_default();
    assert!(
        body.contains("Since must be a date") && body.contains("Field must be one of"),
        "{body}"
    );
    let seen = h.upstream_requests().await;
    assert!(!seen.iter().any(|r| r.contains("/logs")), "{seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_event_id_resumes_without_loss_or_duplicate() {
    let h = Harness::start().await;
    h.login("demo").await;
    let since = ten_minutes_ago();
    let q = format!("?since={since}&service=all&limit=10");
    let first = log_ids(&read_all(open(&h, &q).await).await);
    let resumed = h
        .http
        .get(h.url(&logs_path(&q)))
        .header("Last-Event-ID", first[4].to_string())
        .send()
        .await
        .expect("resume");
    let events = read_all(Box::pin(
        resumed
            .bytes_stream()
            .eventsource()
            .map(|e| e.expect("event")),
    ))
    .await;
    let again = log_ids(&events);
    assert_eq!(
        again[0],
        first[4] + 1,
        "resumes right after the last id seen"
    );
    assert!(consecutive(&again));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_cut_mid_stream_loses_and_repeats_nothing() {
    let mut config = Config::for_tests();
    config.demo.drop_stream_after = Some(7);
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    let since = ten_minutes_ago();
    let events = read_all(open(&h, &format!("?since={since}&service=all&limit=40")).await).await;
    let ids = log_ids(&events);
    assert_eq!(ids.len(), 40, "{ids:?}");
    assert!(consecutive(&ids), "no gap and no duplicate: {ids:?}");
    let reconnects = events
        .iter()
        .filter(|e| e.event == "relay" && e.data.contains("reconnecting"))
        .count();
    assert!(reconnects >= 5, "the browser is told: {reconnects}");
    assert!(
        events
            .last()
            .is_some_and(|e| e.data.contains("LIMIT_REACHED"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_going_away_drops_the_upstream_within_a_second() {
    let h = Harness::start().await;
    h.login("demo").await;
    let mut live = open(&h, "?service=all").await;
    let first = tokio::time::timeout(Duration::from_secs(5), live.next()).await;
    assert!(matches!(first, Ok(Some(_))));
    assert_eq!(h.demo_streams().await, 1);
    drop(live);
    let gone = tokio::time::Instant::now();
    while h.demo_streams().await > 0 {
        assert!(
            gone.elapsed() < Duration::from_secs(1),
            "upstream still open"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_are_capped_per_user_across_sessions() {
    let mut config = Config::for_tests();
    config.max_streams_per_user = 2;
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    let a = open(&h, "?service=all").await;
    // The same user signed in again in another browser: the cap is the user's, not the
    // session's, so signing in again gives no more streams.
    let other = h.browser();
    other.login("demo").await;
    let b = open(&other, "?service=all").await;
    for who in [&h, &other] {
        let third = who.get(&logs_path("?service=all")).await;
        assert_eq!(third.status(), 429);
        assert!(
            third
                .text()
                .await
                .unwrap_or_default()
                .contains("At most 2 log streams")
        );
    }
    drop((a, b));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let again = other.get(&logs_path("?service=all")).await;
    assert_eq!(again.status(), 200, "closed streams give their place back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_are_capped_in_total() {
    let mut config = Config::for_tests();
    config.max_streams_per_user = 10;
    config.max_streams = 2;
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    let (_a, _b) = (
        open(&h, "?service=all").await,
        open(&h, "?service=all").await,
    );
    let third = h.get(&logs_path("?service=all")).await;
    assert_eq!(third.status(), 429, "the server-wide cap");
    assert!(
        third
            .text()
            .await
            .unwrap_or_default()
            .contains("Too many log streams")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_ends_the_sessions_streams_and_needs_a_session() {
    let h = Harness::start().await;
    let anonymous = h.get(&logs_path("")).await;
    assert_eq!(anonymous.status(), 401);
    h.login("demo").await;
    let live = open(&h, "?service=all").await;
    let out = h.http.post(h.url("/logout")).send().await.expect("logout");
    assert_eq!(out.status(), 303);
    let events = read_all(live).await;
    assert!(
        events.last().is_some_and(|e| e.data.contains("SIGNED_OUT")),
        "{:?}",
        events.last()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_upstream_is_reconnected() {
    let mut config = Config::for_tests();
    // The demo heartbeats every 2 s; a filter that matches nothing leaves only heartbeats.
    config.stream_silence_ms = 300;
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    let mut s = open(&h, "?filter=no-line-says-this").await;
    let e = tokio::time::timeout(Duration::from_secs(5), s.next())
        .await
        .expect("an event in time")
        .expect("event");
    assert_eq!(e.event, "relay");
    assert!(
        e.data.contains("reconnecting") && e.data.contains("silent"),
        "{}",
        e.data
    );
}

/// A long replay at full speed comes through whole and in order, and its lines share chunks:
/// the relay's batching and gathering of bursts neither loses, repeats nor stalls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fast_burst_comes_through_whole_in_few_chunks() {
    let h = Harness::start().await;
    h.login("demo").await;
    let since =
        app::model::date::format(&(time::OffsetDateTime::now_utc() - time::Duration::days(7)));
    let resp = h
        .get(&logs_path(&format!(
            "?since={since}&service=all&limit=20000&throttleElements=10000&throttlePerInMilliseconds=1"
        )))
        .await;
    assert_eq!(resp.status(), 200);
    // Chunks as the client reads them, and their bytes.
    let (chunks, bytes) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let started = std::time::Instant::now();
    let events = read_all(Box::pin(
        resp.bytes_stream()
            .inspect(|c| {
                chunks.fetch_add(1, Ordering::Relaxed);
                bytes.fetch_add(c.as_ref().map_or(0, |c| c.len()), Ordering::Relaxed);
            })
            .eventsource()
            .map(|e| e.expect("well-formed event stream")),
    ))
    .await;
    let ids = log_ids(&events);
    assert_eq!(ids.len(), 20000);
    assert!(consecutive(&ids));
    assert_eq!(
        events.last().map(|e| e.event.as_str()),
        Some("END_OF_STREAM")
    );
    // At most one chunk per 2 ms gathering window, or per 32 KiB (which the client may read
    // in several parts): a write per line would be 20,000.
    let elapsed_ms = started.elapsed().as_millis() as usize;
    let (chunks, bytes) = (chunks.into_inner(), bytes.into_inner());
    let bound = elapsed_ms + bytes / 8192 + 10;
    assert!(
        chunks <= bound,
        "{chunks} chunks for 20,000 lines ({bytes} bytes in {elapsed_ms} ms, bound {bound}): \
         a burst should not be a write per line"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_gives_up_after_the_configured_tries_and_says_so() {
    let mut config = Config::for_tests();
    config.demo.streams_down = true;
    config.stream_max_retries = 2;
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    let events = read_all(open(&h, "?service=all").await).await;
    let reconnecting = events
        .iter()
        .filter(|e| e.event == "relay" && e.data.contains("reconnecting"))
        .count();
    assert_eq!(reconnecting, 1, "{events:?}");
    let last = events.last().expect("events");
    assert_eq!(last.event, "relay");
    assert!(last.data.contains("\"state\":\"error\""), "{}", last.data);
    assert!(last.data.contains("after 2 tries"), "{}", last.data);
}
