//! Serving under pressure and stopping gracefully: slow and idle sockets, the connection cap,
//! probes, and SIGTERM with log streams open (a real server process).

use super::harness::{Harness, browser, free_port};
use demo_upstream as demo;
use eventsource_stream::{Event, Eventsource};
use futures::StreamExt;
use server::config::Config;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn addr(h: &Harness) -> String {
    h.base.authority().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_client_is_cut_at_the_header_deadline_while_others_are_served() {
    let mut config = Config::for_tests();
    config.header_timeout_secs = 1.0;
    let h = Harness::start_with(config).await;
    let mut slow = TcpStream::connect(addr(&h)).await.expect("connect");
    let started = Instant::now();
    let request = b"GET /login HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let cut = tokio::spawn(async move {
        let mut buf = [0u8; 256];
        for byte in request.iter().cycle() {
            // One byte every 100 ms: far slower than any real client.
            if slow.write_all(&[*byte]).await.is_err() {
                break;
            }
            match tokio::time::timeout(Duration::from_millis(100), slow.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(_)) | Err(_) => {}
            }
            if started.elapsed() > Duration::from_secs(10) {
                break;
            }
        }
        started.elapsed()
    });
    for _ in 0..5 {
        h.page("/login", 200).await;
    }
    let after = cut.await.expect("slow client task");
    assert!(
        after >= Duration::from_millis(900) && after < Duration::from_secs(3),
        "cut after {after:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_idle_sockets_do_not_stop_a_page() {
    let h = Harness::start().await;
    let mut idle = Vec::new();
    for _ in 0..1000 {
        idle.push(TcpStream::connect(addr(&h)).await.expect("connect"));
    }
    let started = Instant::now();
    h.page("/login", 200).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    drop(idle);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_connection_cap_new_connections_wait_until_idle_ones_are_closed() {
    let mut config = Config::for_tests();
    config.max_connections = 5;
    config.header_timeout_secs = 1.0;
    let h = Harness::start_with(config).await;
    let mut idle = Vec::new();
    for _ in 0..5 {
        idle.push(TcpStream::connect(addr(&h)).await.expect("connect"));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    h.page("/login", 200).await;
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(700) && waited < Duration::from_secs(4),
        "served after {waited:?}: it waited for the idle ones to be cut"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_answer_without_a_session() {
    let h = Harness::start().await;
    for path in ["/livez", "/healthz", "/readyz"] {
        assert_eq!(h.get(path).await.status(), 200, "{path}");
    }
}

/// A field of the request's span (its id, the client) among a JSON log line's spans.
fn span_field(line: &serde_json::Value, field: &str) -> String {
    line["spans"]
        .as_array()
        .and_then(|spans| spans.iter().find_map(|s| s[field].as_str()))
        .unwrap_or_default()
        .to_owned()
}

/// The server binary, started as an orchestrator would.
pub(super) struct Process {
    child: std::process::Child,
    pub(super) base: String,
}

impl Process {
    pub(super) fn start(env: &[(&str, &str)]) -> Self {
        Self::start_with(env, Stdio::null())
    }

    pub(super) fn start_with(env: &[(&str, &str)], output: Stdio) -> Self {
        // The listen address given, or a free port.
        let port = env
            .iter()
            .find(|(k, _)| *k == "DASHBOARD_LISTEN")
            .and_then(|(_, v)| v.rsplit(':').next()?.parse().ok())
            .unwrap_or_else(free_port);
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .env("DASHBOARD_LISTEN", format!("127.0.0.1:{port}"))
            .env("DASHBOARD_PLAIN_HTTP", "1")
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdout(output)
            .stderr(Stdio::null())
            .spawn()
            .expect("server binary");
        Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    pub(super) async fn ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let answer = reqwest::get(format!("{}/readyz", self.base)).await;
            if answer.is_ok_and(|r| r.status() == 200) {
                return;
            }
            assert!(Instant::now() < deadline, "the server did not get ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills it and returns what it wrote to its standard output (started with it piped).
    pub(super) fn stop_and_read_log(&mut self) -> String {
        let _ = self.child.kill();
        let mut log = String::new();
        if let Some(mut out) = self.child.stdout.take() {
            use std::io::Read;
            let _ = out.read_to_string(&mut log);
        }
        log
    }

    fn terminate(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success());
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_streams_with_a_restarting_event_and_exits_in_time() {
    let mut server = Process::start(&[
        ("DASHBOARD_SHUTDOWN_GRACE_SECS", "1"),
        ("DASHBOARD_SHUTDOWN_DEADLINE_SECS", "6"),
        ("DASHBOARD_MAX_STREAMS_PER_USER", "100"),
    ]);
    server.ready().await;
    let http = browser();
    let login = http
        .post(format!("{}/login", server.base))
        .form(&[("token", "demo")])
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 303);
    let path = format!(
        "{}/stream/orgs/{}/apps/{}/logs?service=all",
        server.base,
        demo::acme_id(),
        demo::app_id("api-gateway")
    );
    let mut streams = Vec::new();
    for _ in 0..50 {
        let resp = http.get(&path).send().await.expect("stream");
        assert_eq!(resp.status(), 200);
        let mut events = Box::pin(resp.bytes_stream().eventsource());
        // Wait for the first line, so the stream is really open.
        loop {
            let e = tokio::time::timeout(Duration::from_secs(10), events.next())
                .await
                .expect("a line in time")
                .expect("open")
                .expect("event");
            if e.event == "APPLICATION_LOG" {
                break;
            }
        }
        streams.push(events);
    }
    let term = Instant::now();
    server.terminate();
    // Not ready at once (the signal reaches the process asynchronously: within moments),
    // while still serving.
    loop {
        let ready = reqwest::get(format!("{}/readyz", server.base))
            .await
            .expect("readyz");
        if ready.status() == 503 {
            break;
        }
        assert!(
            term.elapsed() < Duration::from_millis(500),
            "still ready after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Every stream ends with the restarting event, after the grace.
    let lasts = futures::future::join_all(streams.into_iter().map(|mut s| async move {
        let mut last: Option<Event> = None;
        while let Ok(Some(Ok(e))) = tokio::time::timeout(Duration::from_secs(8), s.next()).await {
            last = Some(e);
        }
        (last, term.elapsed())
    }))
    .await;
    for (last, at) in &lasts {
        let last = last.as_ref().expect("events");
        assert_eq!(last.event, "relay", "{last:?}");
        assert!(last.data.contains("restarting"), "{last:?}");
        assert!(
            *at >= Duration::from_millis(900),
            "ended before the grace: {at:?}"
        );
    }
    // And the process exits 0 within the deadline.
    let exited = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(term.elapsed() < Duration::from_secs(7), "still running");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exited.success(), "{exited:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_addresses_and_repeated_query_keys_are_refused_before_any_session_read() {
    let h = Harness::start().await;
    let long = h.get(&format!("/zones?q={}", "a".repeat(9000))).await;
    assert_eq!(long.status(), 414);
    let many = h.get(&format!("/zones?{}", "tag=eu&".repeat(40))).await;
    assert_eq!(many.status(), 400);
    assert!(many.text().await.unwrap_or_default().contains("\"tag\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_eleventh_sign_in_in_a_minute_gets_429_without_an_upstream_call() {
    let h = Harness::start().await;
    h.upstream_requests().await;
    for i in 0..10 {
        // A spoofed X-Forwarded-For from an untrusted peer changes nothing.
        let resp = h
            .http
            .post(h.url("/login"))
            .header("x-forwarded-for", format!("203.0.113.{i}"))
            .form(&[("token", "wrong-token")])
            .send()
            .await
            .expect("login");
        assert_eq!(resp.status(), 303, "attempt {i}");
    }
    assert_eq!(h.upstream_requests().await.len(), 10);
    let resp = h
        .http
        .post(h.url("/login"))
        .header("x-forwarded-for", "203.0.113.99")
        .form(&[("token", "demo")])
        .send()
        .await
        .expect("login");
    assert_eq!(resp.status(), 429);
    let wait: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap_or_default()
        .parse()
        .expect("seconds");
    assert!((1..=6).contains(&wait), "{wait}");
    let page = resp.text().await.unwrap_or_default();
    assert!(page.contains("Too many sign-in attempts"), "{page}");
    assert!(page.contains("name=\"token\""), "the form is shown again");
    assert!(
        h.upstream_requests().await.is_empty(),
        "nothing went upstream"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let mut config = Config::for_tests();
    config.trusted_proxies = "127.0.0.0/8".into();
    config.signin_burst = 2;
    let h = Harness::start_with(config).await;
    let attempt = |client: &'static str| {
        h.http
            .post(h.url("/login"))
            .header("x-forwarded-for", client)
            .form(&[("token", "wrong-token")])
            .send()
    };
    for _ in 0..2 {
        assert_eq!(attempt("198.51.100.1").await.expect("post").status(), 303);
    }
    assert_eq!(attempt("198.51.100.1").await.expect("post").status(), 429);
    assert_eq!(attempt("198.51.100.2").await.expect("post").status(), 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_operator_payload_leaves_no_secret_in_the_log() {
    let mut server = Process::start_with(&[("DEMO_GARBLE_OPERATORS", "1")], Stdio::piped());
    server.ready().await;
    let http = browser();
    let token = "demo";
    http.post(format!("{}/login", server.base))
        .form(&[("token", token)])
        .send()
        .await
        .expect("login");
    let (o, kc) = (demo::acme_id(), demo::real_id("keycloak", "auth"));
    let page = http
        .get(format!("{}/orgs/{o}/operators/keycloak/{kc}", server.base))
        .send()
        .await
        .expect("page");
    assert_eq!(
        page.status(),
        502,
        "an unreadable answer is an upstream error"
    );
    let body = page.text().await.unwrap_or_default();
    let log = server.stop_and_read_log();
    assert!(log.contains("upstream JSON unreadable"), "{log}");
    assert!(
        log.contains("/v4/addon-providers/addon-keycloak/addons/{}"),
        "{log}"
    );
    for secret in ["pw-", "initialCredentials", "password", "Bearer"] {
        assert!(!log.contains(secret), "{secret} in the log: {log}");
    }
    assert!(!body.contains("pw-"), "a secret in the page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mib_upstream_answer_is_refused_with_a_clear_error() {
    let mut config = Config::for_tests();
    config.demo.summary_padding_bytes = 50 << 20;
    let h = Harness::start_with(config).await;
    // Sign-in reads /v2/self, which is small; the home page reads the padded summary.
    assert_eq!(h.login("demo").await.status(), 303);
    let started = Instant::now();
    let page = h.page("/", 502).await;
    assert!(page.contains("more than 16 MiB"), "{page}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_request_ids_one_access_line_per_request_and_audit_events() {
    let mut server = Process::start_with(&[("DASHBOARD_LOG_FORMAT", "json")], Stdio::piped());
    server.ready().await;
    let http = browser();
    let kept = http
        .get(format!("{}/login?token=should-not-be-logged", server.base))
        .header("x-request-id", "proxy-id-123")
        .send()
        .await
        .expect("login page");
    assert_eq!(kept.headers()["x-request-id"], "proxy-id-123");
    let made = http
        .get(format!("{}/livez", server.base))
        .header("x-request-id", "not a sane id <>")
        .send()
        .await
        .expect("livez");
    let made = made.headers()["x-request-id"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(made.len(), 16, "{made}");
    let refused = http
        .post(format!("{}/login", server.base))
        .form(&[("token", "wrong-token")])
        .send()
        .await
        .expect("login");
    assert_eq!(refused.status(), 303);
    http.post(format!("{}/login", server.base))
        .form(&[("token", "demo")])
        .send()
        .await
        .expect("login");
    http.post(format!("{}/logout", server.base))
        .send()
        .await
        .expect("logout");
    let log = server.stop_and_read_log();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let request_id = |l: &serde_json::Value| span_field(l, "request_id");
    let access: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["target"] == "access" && l["fields"]["route"] != "/readyz")
        .collect();
    assert_eq!(access.len(), 5, "one access line per request: {log}");
    let first = access[0];
    assert_eq!(request_id(first), "proxy-id-123");
    assert_eq!(first["fields"]["route"], "/login");
    assert_eq!(first["fields"]["status"], 200);
    assert!(first["fields"]["ms"].is_number());
    assert_eq!(request_id(access[1]), made);
    assert!(
        !log.contains("should-not-be-logged"),
        "a query value was logged"
    );
    let audit: Vec<&serde_json::Value> = lines.iter().filter(|l| l["target"] == "audit").collect();
    let outcomes: Vec<(String, String)> = audit
        .iter()
        .map(|l| {
            (
                l["fields"]["action"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                l["fields"]["outcome"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("sign-in".to_owned(), "invalid".to_owned()),
            ("sign-in".to_owned(), "ok".to_owned()),
            ("sign-out".to_owned(), "ok".to_owned())
        ]
    );
    let signed_in = audit[1];
    assert_eq!(signed_in["fields"]["user_id"], demo::user_id());
    assert_eq!(signed_in["fields"]["client"], "127.0.0.1");
    assert!(
        signed_in["fields"]["email"]
            .as_str()
            .is_some_and(|e| e.contains('@'))
    );
    assert_eq!(
        request_id(signed_in),
        request_id(access[3]),
        "the sign-in's own request"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_served_on_their_own_address() {
    let port = free_port();
    let metrics = format!("127.0.0.1:{port}");
    let server = Process::start(&[("DASHBOARD_METRICS_LISTEN", metrics.as_str())]);
    server.ready().await;
    let http = browser();
    http.post(format!("{}/login", server.base))
        .form(&[("token", "wrong")])
        .send()
        .await
        .expect("login");
    http.post(format!("{}/login", server.base))
        .form(&[("token", "demo")])
        .send()
        .await
        .expect("login");
    http.get(format!("{}/", server.base))
        .send()
        .await
        .expect("home");
    let path = format!(
        "{}/stream/orgs/{}/apps/{}/logs?service=all",
        server.base,
        demo::acme_id(),
        demo::app_id("api-gateway")
    );
    let _stream = http.get(&path).send().await.expect("stream");
    assert_eq!(
        http.get(format!("{}/metrics", server.base))
            .send()
            .await
            .expect("not here")
            .status(),
        404,
        "no metrics on the public address"
    );
    let text = reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    for series in [
        "dashboard_http_requests_total{route=\"/login\",status=\"303\"}",
        "dashboard_http_request_duration_seconds_bucket{route=\"/readyz\"",
        "dashboard_upstream_requests_total{endpoint=\"GET /v2/self\",status=\"200\"}",
        "dashboard_upstream_requests_total{endpoint=\"GET /v2/self\",status=\"401\"}",
        "dashboard_upstream_request_duration_seconds_bucket{endpoint=\"GET /v2/summary\"",
        "dashboard_log_streams_open 1",
        "dashboard_sign_in_attempts_total{outcome=\"ok\"} 1",
        "dashboard_sign_in_attempts_total{outcome=\"invalid\"} 1",
        "dashboard_signed_in_total 1",
    ] {
        assert!(text.contains(series), "{series} missing from:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutating_action_writes_one_audit_line_and_no_token() {
    let mut server = Process::start_with(&[("DASHBOARD_LOG_FORMAT", "json")], Stdio::piped());
    server.ready().await;
    let http = browser();
    http.post(format!("{}/login", server.base))
        .form(&[("token", "demo")])
        .send()
        .await
        .expect("login");
    let (o, kc) = (demo::acme_id(), demo::real_id("keycloak", "auth"));
    let call = |endpoint: &str, form: Vec<(&'static str, String)>| {
        http.post(format!("{}/api/{endpoint}", server.base))
            .header("accept", "application/json")
            .form(&form)
            .send()
    };
    let rebooted = call(
        "operator_action",
        vec![
            ("owner", o.clone()),
            ("kind", "keycloak".into()),
            ("id", kc.clone()),
            ("action", "reboot".into()),
        ],
    )
    .await
    .expect("reboot");
    assert_eq!(rebooted.status(), 200);
    let missing = call(
        "drain_action",
        vec![
            ("owner", o.clone()),
            ("resource", demo::app_id("api-gateway")),
            ("drain", "drain_nope".into()),
            ("action", "disable".into()),
        ],
    )
    .await
    .expect("disable");
    assert_eq!(missing.status(), 404);
    let log = server.stop_and_read_log();
    let audit: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| l["target"] == "audit" && l["fields"]["message"] == "action")
        .collect();
    assert_eq!(audit.len(), 2, "one line per action: {log}");
    let span = span_field;
    let reboot = &audit[0]["fields"];
    assert_eq!(reboot["action"], "operator.reboot");
    assert_eq!(reboot["outcome"], "ok");
    assert_eq!(reboot["owner"], o.as_str());
    assert_eq!(reboot["resource"], kc.as_str());
    assert_eq!(reboot["user_id"], demo::user_id());
    assert!(reboot["email"].as_str().is_some_and(|e| e.contains('@')));
    assert_eq!(span(&audit[0], "client"), "127.0.0.1");
    assert_eq!(span(&audit[0], "request_id").len(), 16);
    let failed = &audit[1]["fields"];
    assert_eq!(failed["action"], "drain.disable");
    assert_eq!(failed["outcome"], "failed");
    assert_eq!(failed["status"], 404);
    assert!(failed["sozu_id"].is_null() || failed["sozu_id"].is_string());
    assert!(!log.contains("Bearer"), "a token in the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_public_url_sets_the_cookie_prefix_hsts_and_the_origin_checked() {
    let mut config = Config::for_tests();
    config.public_url = Some("https://dash.example".parse().expect("url"));
    let h = Harness::start_with(config).await;
    let post = |origin: &'static str| {
        h.http
            .post(h.url("/login"))
            .header("origin", origin)
            .form(&[("token", "demo")])
            .send()
    };
    let other_scheme = post("http://dash.example").await.expect("post");
    assert_eq!(other_scheme.status(), 403, "the scheme counts");
    let resp = post("https://dash.example").await.expect("post");
    assert_eq!(resp.status(), 303);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap_or_default();
    assert!(
        cookie.starts_with("__Host-cc_dashboard_session="),
        "{cookie}"
    );
    assert!(
        cookie.contains("Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert_eq!(
        resp.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let plain = Harness::start().await;
    let resp = plain.get("/login").await;
    assert!(resp.headers().get("strict-transport-security").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_lists_refuse_other_users_and_narrow_the_navigation() {
    let mut config = Config::for_tests();
    config.allowed_users = "someone@else.example".into();
    let h = Harness::start_with(config).await;
    let resp = h.login("demo").await;
    assert_eq!(super::harness::location(&resp), "/login?error=not_allowed");
    assert_eq!(super::harness::location(&h.get("/").await), "/login");
    let page = h.page("/login?error=not_allowed", 200).await;
    assert!(page.contains("not allowed on this dashboard"), "{page}");

    let mut config = Config::for_tests();
    config.allowed_orgs = demo::acme_id();
    let h = Harness::start_with(config).await;
    assert_eq!(super::harness::location(&h.login("demo").await), "/");
    let home = h.page("/", 200).await;
    assert!(home.contains(&demo::acme_id()), "the allowed organisation");
    assert!(!home.contains(&demo::globex_id()), "another organisation");
}
