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
async fn a_stalled_body_cannot_hold_the_server() {
    let mut config = Config::for_tests();
    config.max_connections = 8;
    config.body_timeout_secs = 1.0;
    let h = Harness::start_with(config).await;
    // Every connection the server takes, each a sign-in whose body stops after a few bytes.
    let mut stalled = Vec::new();
    for _ in 0..8 {
        let mut s = TcpStream::connect(addr(&h)).await.expect("connect");
        s.write_all(
            b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 4000\r\n\r\ntoken=abc",
        )
        .await
        .expect("half a request");
        stalled.push(s);
    }
    let started = Instant::now();
    let live = tokio::time::timeout(Duration::from_secs(6), h.http.get(h.url("/livez")).send())
        .await
        .expect("answered, not starved")
        .expect("livez");
    assert_eq!(live.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    h.page("/login", 200).await;
    // A body over the sign-in form's size is refused without being read.
    let mut big = TcpStream::connect(addr(&h)).await.expect("connect");
    big.write_all(
        b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
          Content-Length: 100000\r\n\r\ntoken=abc",
    )
    .await
    .expect("write");
    let mut answer = vec![0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(3), big.read(&mut answer))
        .await
        .expect("answered at once")
        .expect("read");
    let head = String::from_utf8_lossy(&answer[..n]).into_owned();
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_cannot_take_every_connection() {
    let mut config = Config::for_tests();
    config.max_connections_per_client = 4;
    let h = Harness::start_with(config).await;
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(TcpStream::connect(addr(&h)).await.expect("connect"));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut fifth = TcpStream::connect(addr(&h)).await.expect("connect");
    let _ = fifth
        .write_all(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(2), fifth.read(&mut buf))
        .await
        .expect("closed at once, not left waiting");
    assert!(matches!(read, Ok(0) | Err(_)), "closed: {read:?}");
    drop(idle);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(h.get("/livez").await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_idle_sockets_do_not_stop_a_page() {
    // Every socket comes from the test's one address: no per-client cap here (its own test).
    let mut config = Config::for_tests();
    config.max_connections_per_client = 2000;
    let h = Harness::start_with(config).await;
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
        // The demo, unless an upstream is given.
        let demo = if env.iter().any(|(k, _)| *k == "CC_API_URL") {
            "0"
        } else {
            "1"
        };
        // Its own data directory (one process opens a database file), never the source tree.
        let data = std::env::temp_dir()
            .join("ccd-tests")
            .join(format!("process-{}-{port}", std::process::id()));
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .env("DASHBOARD_LISTEN", format!("127.0.0.1:{port}"))
            .env("DASHBOARD_PLAIN_HTTP", "1")
            .env("DASHBOARD_DEMO", demo)
            .env("DASHBOARD_DATA_DIR", &data)
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

/// The server binary run with `env` (and nothing of the test's own dashboard settings) until
/// it exits by itself: its exit status and what it said on its error stream.
fn run_to_exit(env: &[(&str, &str)]) -> (std::process::ExitStatus, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env_remove("DASHBOARD_DEMO")
        .env_remove("CC_API_URL")
        .env("DASHBOARD_LISTEN", format!("127.0.0.1:{}", free_port()))
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server binary");
    // A server that starts instead of refusing is stopped, and the test says so.
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("the server started instead of refusing ({env:?})");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut said = String::new();
    if let Some(mut err) = child.stderr.take() {
        use std::io::Read;
        let _ = err.read_to_string(&mut said);
    }
    (status, said)
}

#[test]
fn a_server_with_neither_an_upstream_nor_the_demo_refuses_to_start() {
    let (status, said) = run_to_exit(&[]);
    assert!(!status.success(), "{status}");
    assert!(
        said.contains("CC_API_URL") && said.contains("DASHBOARD_DEMO"),
        "{said}"
    );
    let (status, said) = run_to_exit(&[
        ("CC_API_URL", "https://api.example.invalid"),
        ("DASHBOARD_DEMO", "1"),
    ]);
    assert!(!status.success(), "{status}");
    assert!(said.contains("choose one"), "{said}");
}

#[test]
fn a_plain_http_upstream_off_loopback_is_refused_unless_allowed() {
    let (status, said) = run_to_exit(&[("CC_API_URL", "http://api.example.invalid")]);
    assert!(!status.success(), "{status}");
    assert!(said.contains("DASHBOARD_ALLOW_PLAIN_UPSTREAM"), "{said}");
    let config = |args: &[&str]| {
        let mut all = vec!["server"];
        all.extend_from_slice(args);
        <Config as clap::Parser>::try_parse_from(all).expect("config")
    };
    let url = |u: &str| reqwest::Url::parse(u).expect("url");
    let (strict, allowed) = (config(&[]), config(&["--allow-plain-upstream"]));
    for (c, u, ok) in [
        (&strict, "https://api.example.invalid", true),
        (&strict, "http://127.0.0.1:9", true),
        (&strict, "http://[::1]:9", true),
        (&strict, "http://localhost:9", true),
        (&strict, "http://10.1.2.3", false),
        (&strict, "ftp://api.example.invalid", false),
        (&allowed, "http://10.1.2.3", true),
    ] {
        assert_eq!(c.check_upstream("CC_API_URL", &url(u)).is_ok(), ok, "{u}");
    }
    // "Sign in with Clever Cloud" over plain HTTP is refused alike.
    let (status, said) = run_to_exit(&[
        ("DASHBOARD_DEMO", "0"),
        ("CC_API_URL", "https://api.example.invalid"),
        ("CC_OAUTH_API_URL", "http://oauth.example.invalid"),
        ("CC_OAUTH_CONSUMER_KEY", "k"),
        ("CC_OAUTH_CONSUMER_SECRET", "s"),
        ("DASHBOARD_PUBLIC_URL", "https://dash.example.invalid"),
    ]);
    assert!(!status.success(), "{status}");
    assert!(said.contains("CC_OAUTH_API_URL"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_in_a_server_function_body_are_capped_before_going_upstream() {
    let h = Harness::start().await;
    h.login("demo").await;
    h.upstream_requests().await;
    let many: Vec<String> = (0..33).map(|i| format!("v{i}")).collect();
    let (o, a) = (demo::acme_id(), demo::app_id("api-gateway"));
    let calls = [
        (
            "/api/zones",
            serde_json::json!({ "filter": { "tags": many, "owner_id": null } }),
            "tag",
        ),
        (
            "/api/drains",
            serde_json::json!({ "owner": o, "resource": a,
                "filter": { "status": many, "execution_status": [] } }),
            "status",
        ),
        (
            "/api/instances",
            serde_json::json!({ "owner": o, "app": a,
                "filter": { "include_states": many, "exclude_states": [] } }),
            "includeState",
        ),
    ];
    for (path, body, field) in calls {
        let resp = h
            .http
            .post(h.url(path))
            .json(&body)
            .send()
            .await
            .expect("call");
        assert_eq!(resp.status(), 400, "{path}");
        let text = resp.text().await.unwrap_or_default();
        assert!(text.contains(field), "{path}: {text}");
        assert!(text.contains("at most 32"), "{path}: {text}");
    }
    assert!(
        h.upstream_requests().await.is_empty(),
        "nothing went upstream"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organisation_outside_the_allow_list_does_not_exist_here() {
    let mut config = Config::for_tests();
    config.allowed_orgs = demo::acme_id();
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    h.upstream_requests().await;
    let (acme, globex) = (demo::acme_id(), demo::globex_id());
    let shop = demo::app_id("shop");
    for path in [
        format!("/orgs/{globex}/invoices"),
        format!("/orgs/{globex}/apps/{shop}"),
        format!("/stream/orgs/{globex}/apps/{shop}/logs"),
        format!("/download/orgs/{globex}/invoices.csv"),
        format!("/download/orgs/{globex}/invoices-2025.zip"),
        format!("/zones?ownerId={globex}"),
    ] {
        assert_eq!(h.get(&path).await.status(), 404, "{path}");
    }
    let json = h
        .http
        .post(h.url("/api/invoices"))
        .json(&serde_json::json!({ "owner": globex, "filter": {} }))
        .send()
        .await
        .expect("server function");
    assert_eq!(json.status(), 404);
    let form = h
        .http
        .post(h.url("/api/costs"))
        .form(&[("owner", globex.as_str()), ("year", "2025")])
        .send()
        .await
        .expect("server function");
    assert_eq!(form.status(), 404);
    let seen = h.upstream_requests().await;
    assert!(
        seen.iter()
            .all(|r| !r.contains(&globex) && !r.contains(&shop)),
        "nothing about it went upstream: {seen:?}"
    );
    // The allowed one works as before.
    assert_eq!(h.get(&format!("/orgs/{acme}/invoices")).await.status(), 200);
    let ok = h
        .http
        .post(h.url("/api/costs"))
        .form(&[("owner", acme.as_str()), ("year", "2025")])
        .send()
        .await
        .expect("server function");
    assert_eq!(ok.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_readiness_probes_share_one_check() {
    let mut config = Config::for_tests();
    config.demo.latency_ms = 300;
    let h = Harness::start_with(config).await;
    // Past any verdict the start-up left, and with nothing seen upstream yet.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    h.upstream_requests().await;
    let probes = (0..10).map(|_| h.http.get(h.url("/readyz")).send());
    for answer in futures::future::join_all(probes).await {
        assert_eq!(answer.expect("probe").status(), 200);
    }
    let seen = h.upstream_requests().await;
    assert_eq!(seen.len(), 1, "one check for ten probes: {seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_throttled_sign_in_page_is_the_real_one_and_keeps_where_to_go() {
    let mut config = Config::for_tests();
    config.signin_burst = 1;
    let h = Harness::start_with(config).await;
    let deep = format!("/orgs/{}/invoices", demo::acme_id());
    let attempt = || {
        h.http
            .post(h.url("/login"))
            .form(&[("token", "wrong-token"), ("next", deep.as_str())])
            .send()
    };
    assert_eq!(attempt().await.expect("post").status(), 303);
    let resp = attempt().await.expect("post");
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().contains_key("retry-after"));
    let page = resp.text().await.unwrap_or_default();
    assert!(page.contains("Too many sign-in attempts"), "{page}");
    assert!(
        page.contains("Try again in "),
        "the wait in seconds: {page}"
    );
    assert!(
        page.contains(&format!("name=\"next\" value=\"{deep}\"")),
        "the page to return to is kept: {page}"
    );
    assert!(
        page.contains("Sign in with Clever Cloud"),
        "every way in is offered: {page}"
    );
    // "Sign in with Clever Cloud" is throttled alike (a budget of its own), and keeps where to
    // go too.
    let start = format!("/login/oauth?next={}", app::urls::segment(&deep));
    let first = h.http.get(h.url(&start)).send().await.expect("oauth");
    assert_eq!(
        first.status(),
        303,
        "its own budget, untouched by the token form"
    );
    let resp = h.http.get(h.url(&start)).send().await.expect("oauth");
    assert_eq!(resp.status(), 429);
    let page = resp.text().await.unwrap_or_default();
    assert!(
        page.contains(&format!("name=\"next\" value=\"{deep}\"")),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_from_a_form_cannot_forge_a_log_line() {
    let mut server = Process::start_with(&[], Stdio::piped());
    server.ready().await;
    let http = browser();
    http.post(format!("{}/login", server.base))
        .form(&[("token", "demo")])
        .send()
        .await
        .expect("login");
    let forged = "x\nINFO audit: forged sign-in\r\u{1b}[2J\u{1b}]0;title\u{7}";
    let resp = http
        .post(format!("{}/api/drain_action", server.base))
        .form(&[
            ("owner", demo::acme_id().as_str()),
            ("resource", demo::app_id("api-gateway").as_str()),
            ("drain", "drain_1"),
            ("action", forged),
        ])
        .send()
        .await
        .expect("action");
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap_or_default();
    assert!(body.contains("Unknown drain action"), "{body}");
    assert!(
        !body.contains("\\n") && !body.contains("\\u001b"),
        "the message carries no control character: {body}"
    );
    let log = server.stop_and_read_log();
    assert!(log.contains("drain.unknown_action"), "{log}");
    for line in log.lines() {
        assert!(
            !line.starts_with("INFO audit: forged"),
            "forged line: {line}"
        );
        assert!(
            !line.contains('\r') && !line.contains('\u{1b}') && !line.contains('\u{7}'),
            "a raw control character: {line:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_ipv6_network_cannot_lock_everybody_out() {
    let mut config = Config::for_tests();
    config.trusted_proxies = "127.0.0.0/8".into();
    config.signin_burst = 2;
    config.signin_total_burst = 6;
    let h = Harness::start_with(config).await;
    let attempt = |client: String| {
        h.http
            .post(h.url("/login"))
            .header("x-forwarded-for", client)
            .form(&[("token", "wrong-token")])
            .send()
    };
    // One /64 spreading its attempts over many addresses is one client.
    let mut statuses = Vec::new();
    for i in 1..=40 {
        statuses.push(
            attempt(format!("2001:db8:1:2::{i:x}"))
                .await
                .expect("post")
                .status(),
        );
    }
    assert_eq!(
        statuses.iter().filter(|s| s.as_u16() == 303).count(),
        2,
        "{statuses:?}"
    );
    // The total is untouched by its refusals: others still sign in.
    for client in ["198.51.100.1", "198.51.100.2", "2001:db8:9::1"] {
        assert_eq!(
            attempt(client.into()).await.expect("post").status(),
            303,
            "{client}"
        );
    }
    // An <img> on another site pointing at /login/oauth spends no token-form budget.
    for _ in 0..10 {
        h.http
            .get(h.url("/login/oauth"))
            .header("x-forwarded-for", "198.51.100.77")
            .send()
            .await
            .expect("oauth start");
    }
    assert_eq!(
        attempt("198.51.100.77".into())
            .await
            .expect("post")
            .status(),
        303
    );
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
    // Sign-in reads /v2/self, which is small; every page's navigation reads the padded summary.
    assert_eq!(h.login("demo").await.status(), 303);
    let started = Instant::now();
    let page = h.page("/sessions", 502).await;
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
async fn the_metrics_listener_cuts_a_silent_client_at_the_header_deadline() {
    let port = free_port();
    let metrics = format!("127.0.0.1:{port}");
    let server = Process::start(&[
        ("DASHBOARD_METRICS_LISTEN", metrics.as_str()),
        ("DASHBOARD_HEADER_TIMEOUT_SECS", "1"),
    ]);
    server.ready().await;
    let mut silent = TcpStream::connect(&metrics).await.expect("connect");
    silent
        .write_all(b"GET /metrics HTTP/1.1\r\n")
        .await
        .expect("half a request");
    let started = Instant::now();
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), silent.read_to_end(&mut rest)).await;
    assert!(read.is_ok(), "closed, not left open");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
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
