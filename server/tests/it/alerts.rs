//! Alerts against the demo, with a webhook receiver the test starts: a rule opens exactly one
//! incident and sends one signed notification, then one resolve; a failing receiver gets
//! retries; what the file declares that cannot run is listed as inactive; the page shows a user only the organisations they can see, never a URL or a
//! secret.

use super::harness::{Harness, free_port};
use demo_upstream as demo;
use server::config::Config;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A webhook receiver on loopback: every request's headers and body; the first `fail`
/// requests are answered 500.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>>,
}

impl Receiver {
    async fn start(fail: usize) -> (Self, u16) {
        let r = Self::default();
        let got = r.got.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                let got = got.clone();
                async move {
                    let mut g = got.lock().expect("lock");
                    g.push((headers, body));
                    if g.len() <= fail {
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        axum::http::StatusCode::NO_CONTENT
                    }
                }
            }),
        );
        let port = free_port();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (r, port)
    }

    fn bodies(&self) -> Vec<serde_json::Value> {
        self.got
            .lock()
            .expect("lock")
            .iter()
            .map(|(_, b)| serde_json::from_str(b).expect("json body"))
            .collect()
    }

    async fn wait_for(&self, n: usize) -> Vec<serde_json::Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while self.got.lock().expect("lock").len() < n && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.bodies()
    }
}

fn config(dir: &std::path::Path, port: u16, flaky_port: u16) -> Config {
    let acme = demo::acme_id();
    let web = demo::app_id("web-frontend");
    let file = dir.join("alerts.toml");
    std::fs::write(
        &file,
        format!(
            r#"
[[channel]]
name = "ops"
kind = "webhook"
url = "http://127.0.0.1:{port}/hook"
secret = "s3cret-signing-key"

[[channel]]
name = "flaky"
kind = "webhook"
url = "http://127.0.0.1:{flaky_port}/hook"
secret = "other"

[[channel]]
name = "metadata"
kind = "webhook"
url = "https://169.254.169.254/latest"
secret = "x"

[[rule]]
name = "web drains"
organisation = "{acme}"
kind = "drain_broken"
applications = ["{web}"]
channels = ["ops", "flaky"]

[[rule]]
name = "not ours"
organisation = "orga_00000000-0000-0000-0000-000000000000"
kind = "app_down"
channels = ["ops"]

[[rule]]
name = "needs a percent"
organisation = "{acme}"
kind = "http_5xx"
"#
        ),
    )
    .expect("write the alerts file");
    let mut c = Config::for_tests();
    c.alerts_file = Some(file);
    c.alert_interval_secs = 0.3;
    c.alert_allowed_hosts = "127.0.0.1".into();
    c.data_dir = dir.join("data");
    c
}

async fn drain_action(h: &Harness, drain: &str, action: &str) {
    let url = h
        .upstream
        .join(&format!(
            "/v4/drains/organisations/{}/resources/{}/drains/{drain}/{action}",
            demo::acme_id(),
            demo::app_id("web-frontend")
        ))
        .expect("url");
    let resp = reqwest::Client::new()
        .put(url)
        .bearer_auth("demo")
        .send()
        .await
        .expect("demo answers");
    assert!(resp.status().is_success(), "{action}: {}", resp.status());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_drain_opens_one_incident_notifies_once_and_resolves_once() {
    let dir = std::env::temp_dir().join(format!("alerts-it-{}", free_port()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let (ops, port) = Receiver::start(0).await;
    let (flaky, flaky_port) = Receiver::start(2).await;
    let h = Harness::start_with(config(&dir, port, flaky_port)).await;
    h.login("demo").await;
    // Nothing is broken yet: no notification after a few cycles.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(ops.bodies().is_empty(), "{:?}", ops.bodies());

    // A drain of web-frontend, then disabled.
    let created: serde_json::Value = reqwest::Client::new()
        .post(
            h.upstream
                .join(&format!(
                    "/v4/drains/organisations/{}/resources/{}/drains",
                    demo::acme_id(),
                    demo::app_id("web-frontend")
                ))
                .expect("url"),
        )
        .bearer_auth("demo")
        .json(&serde_json::json!({"kind": "LOG", "recipient": {"type": "RAW_HTTP", "url": "https://logs.example.com/in"}}))
        .send()
        .await
        .expect("created")
        .json()
        .await
        .expect("json");
    let drain = created["id"].as_str().expect("id").to_owned();
    drain_action(&h, &drain, "disable").await;
    let got = ops.wait_for(1).await;
    assert_eq!(got.len(), 1, "one notification: {got:?}");
    let open = &got[0];
    assert_eq!(open["state"], "open");
    assert_eq!(open["rule"], "web drains");
    assert_eq!(open["kind"], "drain_broken");
    assert_eq!(open["subject"]["kind"], "drain");
    assert_eq!(open["organisation"]["name"], "Acme Corp");
    assert!(
        open["url"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/drains")
    );
    // Signed over "<t>.<body>" with the channel's secret, and the delivery id in a header.
    let (headers, body) = ops.got.lock().expect("lock")[0].clone();
    let sig = headers["x-dashboard-signature"].to_str().expect("ascii");
    let t: i64 = sig
        .strip_prefix("t=")
        .and_then(|r| r.split(',').next())
        .and_then(|t| t.parse().ok())
        .expect("t=");
    assert_eq!(
        sig,
        app::ssr::alerts::signature(b"s3cret-signing-key", t, body.as_bytes())
    );
    assert!((time::OffsetDateTime::now_utc().unix_timestamp() - t).abs() < 30);
    assert_eq!(
        headers["x-dashboard-delivery"].to_str().expect("ascii"),
        open["delivery"]
    );
    // The flaky receiver: refused twice, delivered on the third attempt, same delivery id.
    let flaky_got = flaky.wait_for(3).await;
    assert_eq!(flaky_got.len(), 3);
    let ids: Vec<&str> = flaky
        .got
        .lock()
        .expect("lock")
        .iter()
        .map(|(h, _)| {
            h["x-dashboard-delivery"]
                .to_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .leak()
        .iter()
        .map(String::as_str)
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] == w[1]),
        "one delivery id on every retry"
    );

    // The drain works again: one resolve, for the same incident.
    drain_action(&h, &drain, "enable").await;
    let got = ops.wait_for(2).await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1]["state"], "resolved");
    assert_eq!(got[1]["incident"], open["incident"]);
    assert!(got[1]["resolved_at"].is_string());
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(ops.bodies().len(), 2, "nothing more");

    // The page: the incident, the rules with why some do not run, never a URL or a secret.
    let page = h.page("/alerts", 200).await;
    for part in [
        "web drains",
        "Resolved: the condition ended.",
        "a http_5xx rule needs percent",
        "private, loopback or link-local",
        "failed: answered 500; retrying in 2 s",
        "delivered (204)",
    ] {
        assert!(page.contains(part), "{part} missing");
    }
    // A rule of an organisation this user cannot see is not shown to them.
    assert!(!page.contains("not ours"));
    for secret in [
        "s3cret-signing-key",
        "169.254.169.254",
        &format!("127.0.0.1:{port}"),
    ] {
        assert!(!page.contains(secret), "{secret} shown");
    }
    // A second server on the same data directory is refused the database (its lock), and
    // says so on its page rather than evaluating twice. (That the state survives a restart
    // is `alerts::store::tests::what_is_saved_is_there_after_reopening`: this process holds
    // the first server's database until it ends.)
    let second = Harness::start_with(config(&dir, port, flaky_port)).await;
    second.login("demo").await;
    let page = second.page("/alerts", 200).await;
    assert!(
        page.contains("cannot keep their state"),
        "the second server says why nothing runs"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

async fn demo_break(h: &Harness, body: serde_json::Value) {
    let resp = reqwest::Client::new()
        .post(h.upstream.join("/demo/break").expect("url"))
        .json(&body)
        .send()
        .await
        .expect("demo answers");
    assert_eq!(resp.status(), 204, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_kind_opens_one_incident_when_the_demo_breaks_and_resolves_when_repaired() {
    let dir = std::env::temp_dir().join(format!("alerts-kinds-{}", free_port()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let (ops, port) = Receiver::start(0).await;
    let acme = demo::acme_id();
    let web = demo::app_id("api-gateway");
    // Its latest deployment succeeded (api-gateway's failed already).
    let cron = demo::app_id("legacy-cron");
    let file = dir.join("alerts.toml");
    std::fs::write(
        &file,
        format!(
            r#"
[[channel]]
name = "ops"
kind = "webhook"
url = "http://127.0.0.1:{port}/hook"
secret = "k"

[[rule]]
name = "down"
organisation = "{acme}"
kind = "app_down"
applications = ["{web}"]
channels = ["ops"]

[[rule]]
name = "errors"
organisation = "{acme}"
kind = "http_5xx"
percent = 40
applications = ["{web}"]
channels = ["ops"]

[[rule]]
name = "cpu"
organisation = "{acme}"
kind = "cpu_high"
percent = 90
count = 3
applications = ["{web}"]
channels = ["ops"]

[[rule]]
name = "token"
organisation = "{acme}"
kind = "token_expiry"
days = 7
channels = ["ops"]

[[rule]]
name = "memory"
organisation = "{acme}"
kind = "mem_high"
percent = 90
count = 3
applications = ["{web}"]
channels = ["ops"]

[[rule]]
name = "failed"
organisation = "{acme}"
kind = "deployment_failed"
applications = ["{cron}"]
channels = ["ops"]
"#
        ),
    )
    .expect("write");
    let mut c = Config::for_tests();
    c.alerts_file = Some(file);
    c.alert_interval_secs = 0.3;
    c.alert_allowed_hosts = "127.0.0.1".into();
    c.data_dir = dir.join("data");
    let h = Harness::start_with(c).await;
    h.login("demo").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(
        ops.bodies().is_empty(),
        "nothing is broken yet: {:?}",
        ops.bodies()
    );
    assert!(
        h.page("/alerts", 200)
            .await
            .contains("Alerts: no open incident")
    );
    for what in ["app_down", "http_5xx", "cpu", "mem"] {
        demo_break(&h, serde_json::json!({"what": what, "app": web})).await;
    }
    demo_break(
        &h,
        serde_json::json!({"what": "deployment_failed", "app": cron}),
    )
    .await;
    demo_break(&h, serde_json::json!({"what": "token_expiry", "days": 3})).await;
    let got = ops.wait_for(6).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let got_all = ops.bodies();
    assert_eq!(got_all.len(), 6, "one each, no more: {got:?}");
    let mut rules: Vec<&str> = got_all
        .iter()
        .map(|b| b["rule"].as_str().unwrap_or_default())
        .collect();
    rules.sort();
    assert_eq!(
        rules,
        ["cpu", "down", "errors", "failed", "memory", "token"]
    );
    assert!(got_all.iter().all(|b| b["state"] == "open"));
    // The bell in the top bar of every page counts them.
    let page = h.page("/zones", 200).await;
    assert!(page.contains("Alerts: 6 open incidents"), "the bell");
    let token = got_all
        .iter()
        .find(|b| b["rule"] == "token")
        .expect("token");
    assert_eq!(token["subject"]["kind"], "token");
    // Repaired: one resolve each.
    let resp = reqwest::Client::new()
        .delete(h.upstream.join("/demo/break").expect("url"))
        .send()
        .await
        .expect("repaired");
    assert_eq!(resp.status(), 204);
    ops.wait_for(12).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let all = ops.bodies();
    assert_eq!(all.len(), 12, "{all:?}");
    let resolved: Vec<&serde_json::Value> =
        all.iter().filter(|b| b["state"] == "resolved").collect();
    assert_eq!(resolved.len(), 6);
    for r in resolved {
        let opened = all
            .iter()
            .find(|b| b["state"] == "open" && b["rule"] == r["rule"])
            .expect("its opening");
        assert_eq!(opened["incident"], r["incident"], "the same incident");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_a_test_reaches_the_channel_once_and_is_throttled() {
    let dir = std::env::temp_dir().join(format!("alerts-test-{}", free_port()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let (ops, port) = Receiver::start(0).await;
    let (flaky, flaky_port) = Receiver::start(0).await;
    let h = Harness::start_with(config(&dir, port, flaky_port)).await;
    h.login("demo").await;
    let send = |channel: &'static str| {
        h.http
            .post(h.url("/alerts/test"))
            .header("referer", h.url("/alerts").as_str())
            .form(&[("channel", channel)])
            .send()
    };
    let resp = send("ops").await.expect("posted");
    assert_eq!(resp.status(), 303);
    assert!(super::harness::location(&resp).contains("tested=sent"));
    let got = ops.wait_for(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["state"], "test");
    // Again at once: refused, and said.
    let again = send("ops").await.expect("posted");
    assert!(super::harness::location(&again).contains("tested=throttled"));
    // A channel that does not run is never contacted.
    let off = send("metadata").await.expect("posted");
    assert!(super::harness::location(&off).contains("tested=inactive"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(ops.bodies().len(), 1);
    assert!(flaky.bodies().is_empty());
    let page = h.page("/alerts?tested=sent", 200).await;
    assert!(page.contains("The test notification is on its way"));
    assert!(page.contains("Send a test"));
    let page = h.page("/alerts?tested=%3Cb%3Eyour+token+leaked", 200).await;
    assert!(
        !page.contains("your token leaked"),
        "the address carries no text to show"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A minimal SMTP sink on loopback: it takes every message (the DATA section) and keeps it.
async fn smtp_sink() -> (Arc<Mutex<Vec<String>>>, u16) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let got = Arc::new(Mutex::new(Vec::new()));
    let port = free_port();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind");
    let kept = got.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ready\r\n").await;
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            kept.lock().expect("lock").push(std::mem::take(body));
                            data = None;
                            let _ = write.write_all(b"250 kept\r\n").await;
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go on\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    let _ = write.write_all(answer).await;
                }
            });
        }
    });
    (got, port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_channel_sends_one_message_over_smtp_per_notification() {
    let dir = std::env::temp_dir().join(format!("alerts-mail-{}", free_port()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let (mails, smtp_port) = smtp_sink().await;
    let acme = demo::acme_id();
    let gateway = demo::app_id("api-gateway");
    let file = dir.join("alerts.toml");
    std::fs::write(
        &file,
        format!(
            r#"
[[channel]]
name = "oncall"
kind = "email"
to = ["oncall@example.com", "Ops <ops@example.com>"]

[[channel]]
name = "bad address"
kind = "email"
to = ["not an address"]

[[rule]]
name = "gateway down"
organisation = "{acme}"
kind = "app_down"
applications = ["{gateway}"]
channels = ["oncall"]
severity = "critical"
"#
        ),
    )
    .expect("write");
    let mut c = Config::for_tests();
    c.alerts_file = Some(file);
    c.alert_interval_secs = 0.3;
    c.alert_allowed_hosts = "127.0.0.1".into();
    c.data_dir = dir.join("data");
    c.smtp_host = Some("127.0.0.1".into());
    c.smtp_port = smtp_port;
    c.smtp_tls = "none".into();
    c.smtp_from = Some("Dashboard <alerts@example.com>".into());
    let h = Harness::start_with(c).await;
    h.login("demo").await;
    demo_break(&h, serde_json::json!({"what": "app_down", "app": gateway})).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while mails.lock().expect("lock").is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let got = mails.lock().expect("lock").clone();
    assert_eq!(got.len(), 1, "one message for both recipients: {got:?}");
    let mail = &got[0];
    assert!(
        mail.contains("Subject: [critical] Open: gateway down"),
        "{mail}"
    );
    assert!(
        mail.contains("api-gateway should be up, but no instance is up."),
        "{mail}"
    );
    assert!(mail.contains("oncall@example.com") && mail.contains("ops@example.com"));
    let page = h.page("/alerts", 200).await;
    assert!(page.contains("one of its addresses is not an e-mail address"));
    assert!(
        page.contains("delivered (250)"),
        "the SMTP answer in the log"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_pattern_seen_more_than_count_times_in_the_window_opens_one_incident() {
    let dir = std::env::temp_dir().join(format!("alerts-pattern-{}", free_port()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let (ops, port) = Receiver::start(0).await;
    let acme = demo::acme_id();
    let gateway = demo::app_id("api-gateway");
    let file = dir.join("alerts.toml");
    std::fs::write(
        &file,
        format!(
            r#"
[[channel]]
name = "ops"
kind = "webhook"
url = "http://127.0.0.1:{port}/hook"
secret = "k"

[[rule]]
name = "timeouts"
organisation = "{acme}"
kind = "log_pattern"
pattern = "upstream timeout"
count = 1
minutes = 5
applications = ["{gateway}"]
channels = ["ops"]
"#
        ),
    )
    .expect("write");
    let mut c = Config::for_tests();
    c.alerts_file = Some(file);
    c.alert_interval_secs = 0.3;
    c.alert_allowed_hosts = "127.0.0.1".into();
    c.data_dir = dir.join("data");
    let _h = Harness::start_with(c).await;
    // The demo writes an "upstream timeout" error line now and then (4 % of its lines, and
    // bursts): the second one in the window opens the incident.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    while ops.bodies().is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let got = ops.bodies();
    assert_eq!(
        got.len(),
        1,
        "one incident, however many lines match: {got:?}"
    );
    assert_eq!(got[0]["kind"], "log_pattern");
    assert_eq!(got[0]["subject"]["name"], "api-gateway");
    let summary = got[0]["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("matched \"upstream timeout\" in the last 5 min"),
        "{summary}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_and_channels_made_on_the_page_run_are_checked_and_audited() {
    let (hook, port) = Receiver::start(0).await;
    let mut c = Config::for_tests();
    c.alert_interval_secs = 0.3;
    c.alert_allowed_hosts = "127.0.0.1".into();
    let h = Harness::start_with(c).await;
    h.login("demo").await;
    let acme = demo::acme_id();
    let gateway = demo::app_id("api-gateway");
    let hook_url = format!("http://127.0.0.1:{port}/hook");
    let answer = |body: &str| -> serde_json::Value { serde_json::from_str(body).expect("json") };
    let errors_of = |v: &serde_json::Value| -> Vec<String> {
        v["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e[0].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    // Refused, each with its field: the metadata address, plain http to a host not listed,
    // an organisation the user cannot see, a short secret.
    for (form, field) in [
        (
            vec![
                ("url", "https://169.254.169.254/latest"),
                ("secret", "0123456789abcdef"),
            ],
            "url",
        ),
        (
            vec![
                ("url", "http://hooks.example.com/x"),
                ("secret", "0123456789abcdef"),
            ],
            "url",
        ),
        (
            vec![("url", hook_url.as_str()), ("secret", "short")],
            "secret",
        ),
    ] {
        let mut f = vec![
            ("organisation", acme.as_str()),
            ("name", "page hook"),
            ("kind", "webhook"),
        ];
        f.extend(form);
        let (status, body) = h.call("alert_channel_create", &f).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(errors_of(&answer(&body)), [field], "{body}");
    }
    let (_, body) = h
        .call(
            "alert_channel_create",
            &[
                ("organisation", "orga_00000000-0000-0000-0000-000000000000"),
                ("name", "elsewhere"),
                ("kind", "webhook"),
                ("url", &hook_url),
                ("secret", "0123456789abcdef"),
            ],
        )
        .await;
    assert_eq!(errors_of(&answer(&body)), ["organisation"], "{body}");

    // Made: a channel and a rule that uses it.
    let (_, body) = h
        .call(
            "alert_channel_create",
            &[
                ("organisation", &acme),
                ("name", "page hook"),
                ("kind", "webhook"),
                ("url", &hook_url),
                ("secret", "page-signing-secret"),
            ],
        )
        .await;
    assert!(answer(&body)["done"].is_string(), "{body}");
    assert!(!body.contains("page-signing-secret") && !body.contains(&hook_url));
    let rule = |org: &str, name: &str| {
        vec![
            ("organisation", org.to_owned()),
            ("name", name.to_owned()),
            ("kind", "app_down".to_owned()),
            ("severity", "critical".to_owned()),
            ("channel", "page hook".to_owned()),
            ("applications", gateway.clone()),
        ]
    };
    let owned = |v: Vec<(&'static str, String)>| v;
    let call = |v: Vec<(&'static str, String)>| {
        let h = &h;
        async move {
            let f: Vec<(&str, &str)> = v.iter().map(|(k, v)| (*k, v.as_str())).collect();
            h.call("alert_rule_create", &f).await.1
        }
    };
    let body = call(owned(rule(
        "orga_00000000-0000-0000-0000-000000000000",
        "not mine",
    )))
    .await;
    assert_eq!(errors_of(&answer(&body)), ["organisation"], "{body}");
    let mut bad = rule(&acme, "bad");
    bad[2].1 = "http_5xx".into();
    let body = call(bad).await;
    assert_eq!(
        errors_of(&answer(&body)),
        ["kind"],
        "needs a percent: {body}"
    );
    let body = call(rule(&acme, "gateway down (page)")).await;
    assert!(answer(&body)["done"].is_string(), "{body}");
    let body = call(rule(&acme, "gateway down (page)")).await;
    assert_eq!(errors_of(&answer(&body)), ["name"], "taken: {body}");

    // It runs: the break opens one incident, notified once to the page's channel, signed
    // with its secret.
    demo_break(&h, serde_json::json!({"what": "app_down", "app": gateway})).await;
    let got = hook.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(hook.bodies().len(), 1, "{got:?}");
    assert_eq!(got[0]["rule"], "gateway down (page)");
    let (headers, raw) = hook.got.lock().expect("lock")[0].clone();
    let sig = headers["x-dashboard-signature"].to_str().expect("ascii");
    let t: i64 = sig
        .strip_prefix("t=")
        .and_then(|r| r.split(',').next())
        .and_then(|t| t.parse().ok())
        .expect("t=");
    assert_eq!(
        sig,
        app::ssr::alerts::signature(b"page-signing-secret", t, raw.as_bytes())
    );
    assert_eq!(h.open_alerts().await, 1);

    // The page lists both as made here, never the URL or the secret; the bell counts it.
    let page = h.page("/alerts", 200).await;
    assert!(page.contains("gateway down (page)") && page.contains("Remove the rule"));
    assert!(page.contains("Alerts: 1 open incident"));
    assert!(!page.contains("page-signing-secret") && !page.contains(&format!("{port}/hook")));

    // A channel in use cannot go; the rule can, and its incident resolves.
    let (_, body) = h
        .call("alert_channel_delete", &[("name", "page hook")])
        .await;
    assert!(
        answer(&body)["errors"][0][1]
            .as_str()
            .unwrap_or_default()
            .contains("gateway down (page)"),
        "{body}"
    );
    let (_, body) = h
        .call("alert_rule_delete", &[("name", "gateway down (page)")])
        .await;
    assert!(answer(&body)["done"].is_string(), "{body}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while h.open_alerts().await > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(h.open_alerts().await, 0, "resolved with its rule");
    let page = h.page("/alerts", 200).await;
    assert!(page.contains("Resolved: its rule was removed."));
    let (_, body) = h
        .call("alert_channel_delete", &[("name", "page hook")])
        .await;
    assert!(answer(&body)["done"].is_string(), "{body}");

    // Every change is in the organisation's activity, with who made it.
    let activity = h.page(&app::urls::activity(&acme), 200).await;
    for action in [
        "alert_channel.create",
        "alert_rule.create",
        "alert_rule.delete",
        "alert_channel.delete",
    ] {
        assert!(activity.contains(action), "{action} audited");
    }
    demo_break_off(&h).await;
}

async fn demo_break_off(h: &Harness) {
    let resp = reqwest::Client::new()
        .delete(h.upstream.join("/demo/break").expect("url"))
        .send()
        .await
        .expect("demo answers");
    assert_eq!(resp.status(), 204);
}

/// A replica: the server binary, its log in a file; killed (SIGKILL) when dropped.
struct Replica {
    child: std::process::Child,
    log: std::path::PathBuf,
}

impl Replica {
    fn start(env: &[(&str, String)], log: std::path::PathBuf) -> Self {
        let out = std::fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .env_remove("DASHBOARD_DEMO")
            .env("DASHBOARD_LISTEN", format!("127.0.0.1:{}", free_port()))
            .env("DASHBOARD_PLAIN_HTTP", "1")
            .env("RUST_LOG", "info")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("server binary");
        Self { child, log }
    }

    fn said(&self, what: &str) -> bool {
        std::fs::read_to_string(&self.log).is_ok_and(|l| l.contains(what))
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill();
    }
}

const LEADS: &str = "alerts: this replica evaluates the rules now";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_one_redis_notify_once_and_the_survivor_takes_over_without_duplicate() {
    let redis = super::redis::RedisServer::start();
    let (hook, port) = Receiver::start(0).await;
    let dir = std::env::temp_dir().join(format!("alerts-replicas-{}", free_port()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let acme = demo::acme_id();
    let gateway = demo::app_id("api-gateway");
    let file = dir.join("alerts.toml");
    std::fs::write(
        &file,
        format!(
            r#"
[[channel]]
name = "ops"
kind = "webhook"
url = "http://127.0.0.1:{port}/hook"
secret = "replica-secret"

[[rule]]
name = "gateway down"
organisation = "{acme}"
kind = "app_down"
applications = ["{gateway}"]
channels = ["ops"]
"#
        ),
    )
    .expect("write");
    // One demo upstream both replicas read, as they would share Clever Cloud's API.
    let upstream = demo::spawn(Config::for_tests().demo.clone())
        .await
        .expect("demo");
    let upstream_url = format!("http://{upstream}");
    let interval = 0.5;
    let env = |name: &str| {
        vec![
            ("CC_API_URL", upstream_url.clone()),
            ("DASHBOARD_WATCH_TOKEN", "demo".to_owned()),
            ("DASHBOARD_SESSION_STORE", redis.url()),
            (
                "DASHBOARD_SECRET_KEY",
                "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".to_owned(),
            ),
            ("DASHBOARD_ALERTS_FILE", file.display().to_string()),
            ("DASHBOARD_ALERT_INTERVAL_SECS", interval.to_string()),
            ("DASHBOARD_ALERT_ALLOWED_HOSTS", "127.0.0.1".to_owned()),
            (
                "DASHBOARD_DATA_DIR",
                dir.join(format!("data-{name}")).display().to_string(),
            ),
        ]
    };
    let mut replicas = [
        Replica::start(&env("a"), dir.join("a.log")),
        Replica::start(&env("b"), dir.join("b.log")),
    ];
    let wait = |what: &'static str, within: Duration| {
        let deadline = std::time::Instant::now() + within;
        move |done: &dyn Fn() -> bool| {
            while !done() {
                assert!(std::time::Instant::now() < deadline, "{what}");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    };
    wait("a replica leads", Duration::from_secs(30))(&|| replicas.iter().any(|r| r.said(LEADS)));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let leaders: Vec<usize> = (0..2).filter(|i| replicas[*i].said(LEADS)).collect();
    assert_eq!(leaders.len(), 1, "exactly one evaluates");
    let (leader, survivor) = (leaders[0], 1 - leaders[0]);

    // Broken: one notification, though two replicas run.
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{upstream_url}/demo/break"))
        .json(&serde_json::json!({"what": "app_down", "app": gateway}))
        .send()
        .await
        .expect("demo");
    assert_eq!(resp.status(), 204);
    let got = hook.wait_for(1).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(hook.bodies().len(), 1, "one notification: {got:?}");
    let incident = got[0]["incident"].clone();

    // The evaluator dies (SIGKILL: no goodbye); the other takes over within the lease, and
    // sends nothing again for the incident already notified.
    replicas[leader].kill();
    let killed = std::time::Instant::now();
    wait("the survivor takes over", Duration::from_secs(10))(&|| replicas[survivor].said(LEADS));
    let took = killed.elapsed();
    assert!(
        took <= Duration::from_secs_f64(3.0 * interval) + Duration::from_millis(500),
        "taken over in {took:?}, more than 3 × {interval} s"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(hook.bodies().len(), 1, "no duplicate after the takeover");

    // Repaired: the survivor sends the one resolve.
    let resp = http
        .delete(format!("{upstream_url}/demo/break"))
        .send()
        .await
        .expect("demo");
    assert_eq!(resp.status(), 204);
    let got = hook.wait_for(2).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let got = if got.len() == 2 { hook.bodies() } else { got };
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1]["state"], "resolved");
    assert_eq!(got[1]["incident"], incident, "the same incident resolves");
    eprintln!("takeover after a SIGKILL: {took:?}");
    drop(replicas);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The demo's standing conditions (a deployment in progress for long, an application in
/// default of payment, operators with an update) each open one incident per subject, once,
/// however many evaluations follow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standing_conditions_open_one_incident_per_subject_once() {
    let (ops, port) = Receiver::start(0).await;
    let dir = std::env::temp_dir().join(format!("alerts-standing-{}", free_port()));
    std::fs::create_dir_all(&dir).expect("dir");
    let acme = demo::acme_id();
    let globex = demo::globex_id();
    let file = dir.join("alerts.toml");
    std::fs::write(
        &file,
        format!(
            r#"
[[channel]]
name = "ops"
kind = "webhook"
url = "http://127.0.0.1:{port}/hook"
secret = "k"

[[rule]]
name = "stuck"
organisation = "{acme}"
kind = "deployment_stuck"
minutes = 5
channels = ["ops"]

[[rule]]
name = "unpaid"
organisation = "{globex}"
kind = "app_moderated"
channels = ["ops"]

[[rule]]
name = "updates"
organisation = "{acme}"
kind = "operator_update"
channels = ["ops"]
"#
        ),
    )
    .expect("write");
    let mut c = Config::for_tests();
    c.alerts_file = Some(file);
    c.alert_interval_secs = 0.3;
    c.alert_allowed_hosts = "127.0.0.1".into();
    let h = Harness::start_with(c).await;
    h.login("demo").await;
    ops.wait_for(3).await;
    // Several more evaluations: nothing more.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let got = ops.bodies();
    let subjects = |rule: &str| -> Vec<String> {
        let mut s: Vec<String> = got
            .iter()
            .filter(|b| b["rule"] == rule)
            .map(|b| b["subject"]["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        s.sort();
        s
    };
    for rule in ["stuck", "unpaid", "updates"] {
        let s = subjects(rule);
        assert!(!s.is_empty(), "{rule} found nothing: {got:?}");
        let mut unique = s.clone();
        unique.dedup();
        assert_eq!(s, unique, "{rule}: one notification per subject");
    }
    assert!(got.iter().all(|b| b["state"] == "open"));
    assert_eq!(subjects("stuck"), [demo::app_id("billing-worker")]);
    let _ = std::fs::remove_dir_all(&dir);
}
