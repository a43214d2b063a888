//! Login, sessions, logout, CSRF refusal and security headers.

use super::harness::{Harness, browser, location};
use demo_upstream as demo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_with_a_good_token_starts_a_session() {
    let h = Harness::start().await;
    let resp = h.login("demo").await;
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), "/");
    let cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    let home = h.page("/", 200).await;
    assert!(home.contains("Acme Corp"));
    assert!(home.contains("Ada Lovelace"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_cookies_unless_plain_http_is_configured() {
    let config =
        <server::config::Config as clap::Parser>::try_parse_from(["server", "--demo"]).unwrap();
    let h = Harness::start_with(config).await;
    let resp = h.login("demo").await;
    let cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_token_reshows_the_form_with_no_session() {
    let h = Harness::start().await;
    let resp = h.login("not-a-real-token").await;
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), "/login?error=invalid");
    let resp = h.get("/").await;
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), "/login");
    let page = h.page("/login?error=invalid", 200).await;
    assert!(page.contains("This token was refused"));
    let resp = h.login("   ").await;
    assert_eq!(location(&resp), "/login?error=empty");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_upstream_says_so_at_login() {
    let config = <server::config::Config as clap::Parser>::try_parse_from([
        "server",
        "--plain-http",
        "--api-url",
        "http://127.0.0.1:9",
    ])
    .unwrap();
    let h = Harness::start_with(config).await;
    let resp = h.login("demo").await;
    assert_eq!(location(&resp), "/login?error=unavailable");
    let ready = h.get("/readyz").await;
    assert_eq!(ready.status().as_u16(), 503);
    assert!(
        ready
            .text()
            .await
            .unwrap_or_default()
            .contains("upstream unreachable")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_and_server_functions_require_a_session() {
    let h = Harness::start().await;
    let resp = h.get("/").await;
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), "/login");
    for path in ["/orgs/orga_x/invoices", "/zones", "/no/such/page"] {
        let resp = h.get(path).await;
        assert_eq!(resp.status().as_u16(), 303, "{path}");
        let next = serde_urlencoded::to_string([("next", path)]).unwrap();
        assert_eq!(location(&resp), format!("/login?{next}"), "{path}");
    }
    let resp = h.http.post(h.url("/api/shell")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let login = h.page("/login", 200).await;
    assert!(login.contains("name=\"token\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_deletes_the_session() {
    let h = Harness::start().await;
    h.login("demo").await;
    h.page("/", 200).await;
    let resp = h.http.post(h.url("/logout")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), "/login?reason=logged_out");
    let resp = h.get("/").await;
    assert_eq!(resp.status().as_u16(), 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stolen_cookie_is_useless_after_logout() {
    let h = Harness::start().await;
    let resp = h.login("demo").await;
    let cookie = resp.headers().get("set-cookie").unwrap().to_str().unwrap();
    let pair = cookie.split(';').next().unwrap().to_owned();
    h.http.post(h.url("/logout")).send().await.unwrap();
    let replay = browser()
        .get(h.url("/"))
        .header("cookie", pair)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status().as_u16(), 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_origin_of_another_scheme_is_refused_without_a_public_url() {
    let mut config = server::config::Config::for_tests();
    config.trusted_proxies = "127.0.0.0/8".into();
    let h = Harness::start_with(config).await;
    let host = h.base.authority().to_owned();
    let post = |origin: String, proto: &'static str| {
        h.http
            .post(h.url("/login"))
            .header("origin", origin)
            .header("x-forwarded-proto", proto)
            .form(&[("token", "demo")])
            .send()
    };
    // Served over plain HTTP: a page of https://the-same-host is another origin.
    let other = post(format!("https://{host}"), "http").await.expect("post");
    assert_eq!(other.status().as_u16(), 403);
    let same = post(format!("http://{host}"), "http").await.expect("post");
    assert_eq!(same.status().as_u16(), 303);
    // Behind a trusted proxy that terminates TLS, https is the page's own scheme.
    let behind = post(format!("https://{host}"), "https")
        .await
        .expect("post");
    assert_eq!(behind.status().as_u16(), 303);
    let plain = post(format!("http://{host}"), "https").await.expect("post");
    assert_eq!(plain.status().as_u16(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_origin_posts_are_refused() {
    let h = Harness::start().await;
    let evil = h
        .http
        .post(h.url("/login"))
        .header("origin", "http://evil.example")
        .form(&[("token", "demo")])
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status().as_u16(), 403);
    let cross = h
        .http
        .post(h.url("/logout"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status().as_u16(), 403);
    let same = h
        .http
        .post(h.url("/login"))
        .header("origin", h.base.as_str().trim_end_matches('/'))
        .form(&[("token", "demo")])
        .send()
        .await
        .unwrap();
    assert_eq!(same.status().as_u16(), 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_refreshes_do_not_keep_a_session_alive() {
    let mut config = server::config::Config::for_tests();
    config.session_idle_minutes = 2.0 / 60.0;
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    // An open tab refreshing on a timer, for longer than the idle timeout.
    for _ in 0..6 {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let _ = h
            .http
            .get(h.url("/"))
            .header("x-dashboard-background", "1")
            .send()
            .await
            .expect("refresh");
    }
    let resp = h.get("/").await;
    assert_eq!(resp.status().as_u16(), 303, "idle: signed out");
    assert_eq!(location(&resp), "/login");
    // A person's requests do keep it alive.
    h.login("demo").await;
    for _ in 0..6 {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(h.get("/").await.status().as_u16(), 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_keeps_other_sites_out() {
    let h = Harness::start().await;
    let signed_out = h.get("/api/shell").await;
    h.login("demo").await;
    let o = demo::acme_id();
    let answers = [
        h.get("/login").await,
        h.get("/").await,
        h.get("/livez").await,
        h.get("/nowhere").await,
        h.get(&format!("/download/orgs/{o}/invoices/NOPE.pdf"))
            .await,
        signed_out,
    ];
    for resp in answers {
        let head = resp.headers();
        let url = resp.url().to_string();
        assert_eq!(head["cross-origin-opener-policy"], "same-origin", "{url}");
        assert_eq!(head["cross-origin-resource-policy"], "same-origin", "{url}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_security_headers_and_a_nonce_csp() {
    let h = Harness::start().await;
    h.login("demo").await;
    for path in ["/login", "/"] {
        let resp = h.get(path).await;
        let head = resp.headers().clone();
        let csp = head
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(head.get("x-content-type-options").unwrap(), "nosniff");
        assert_eq!(head.get("referrer-policy").unwrap(), "same-origin");
        assert_eq!(head.get("cache-control").unwrap(), "no-store");
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|r| r.split('\'').next())
            .unwrap()
            .to_owned();
        let body = resp.text().await.unwrap();
        let scripts = body.matches("<script").count();
        let nonced = body.matches(&format!("nonce=\"{nonce}\"")).count();
        assert!(
            scripts > 0 && nonced == scripts,
            "{path}: {nonced} of {scripts} scripts carry the nonce"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_never_leaves_the_server() {
    let h = Harness::start().await;
    let token = h.issue_token().await;
    let resp = h.login(&token).await;
    let mut seen = format!("{:?}", resp.headers());
    for path in [
        "/",
        "/login",
        "/orgs/x/invoices",
        "/zones",
        "/nope",
        "/orgs/bad%20id/invoices",
    ] {
        let resp = h.get(path).await;
        seen.push_str(&format!("{:?}", resp.headers()));
        seen.push_str(&resp.text().await.unwrap());
    }
    let resp = h.http.post(h.url("/api/shell")).send().await.unwrap();
    seen.push_str(&format!("{:?}", resp.headers()));
    seen.push_str(&resp.text().await.unwrap());
    assert!(seen.contains("Acme Corp"), "the pages were really served");
    assert!(!seen.contains(&token), "the token leaked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn response_headers_never_cross_between_concurrent_requests() {
    let site = std::env::temp_dir().join(format!("dash-site-{}", std::process::id()));
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("pkg/dashboard.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(site.join("favicon.svg"), b"<svg/>").unwrap();
    let h = Harness::start_full(server::config::Config::for_tests(), site.to_str().unwrap()).await;
    h.login("demo").await;
    let mut tasks = Vec::new();
    for i in 0..60 {
        let (client, base) = (h.http.clone(), h.base.clone());
        let path = if i % 2 == 0 {
            "/"
        } else {
            "/pkg/dashboard.wasm"
        };
        tasks.push(tokio::spawn(async move {
            let resp = client.get(base.join(path).unwrap()).send().await.unwrap();
            let csp = resp.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .to_owned();
            (path, csp, resp.text().await.unwrap())
        }));
    }
    for t in tasks {
        let (path, csp, body) = t.await.unwrap();
        if path == "/" {
            let nonce = csp
                .split("'nonce-")
                .nth(1)
                .and_then(|r| r.split('\'').next())
                .expect("page CSP has a nonce");
            assert!(
                body.contains(&format!("nonce=\"{nonce}\"")),
                "a page carries its own nonce"
            );
        } else {
            assert!(
                !csp.contains("nonce"),
                "a static file took a page's headers: {csp}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(site);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deep_link_survives_signing_in_and_only_to_this_site() {
    let h = Harness::start().await;
    let deep = format!("/orgs/{}/invoices?year=2025", demo_upstream::acme_id());
    let resp = h.get(&deep).await;
    let to_login = location(&resp).to_owned();
    let next = serde_urlencoded::to_string([("next", deep.as_str())]).unwrap();
    assert_eq!(to_login, format!("/login?{next}"));
    let page = h.page(&to_login, 200).await;
    let hidden = format!("name=\"next\" value=\"{}\"", deep.replace('&', "&amp;"));
    assert!(page.contains(&hidden), "{page}");
    assert!(page.contains("Sign in"));

    let post = |token: &'static str, next: String| {
        let h = h.browser();
        async move {
            h.http
                .post(h.url("/login"))
                .form(&[("token", token), ("next", next.as_str())])
                .send()
                .await
                .unwrap()
        }
    };
    let resp = post("demo", deep.clone()).await;
    assert_eq!(location(&resp), deep, "back to the deep link");
    for evil in [
        "https://evil.example",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let resp = post("demo", evil.to_owned()).await;
        assert_eq!(location(&resp), "/", "{evil}");
    }
    // A refused token keeps where to go.
    let resp = post("wrong-token", "/zones".to_owned()).await;
    assert_eq!(location(&resp), "/login?next=%2Fzones&error=invalid");
}

/// Signs out with `scope` (`others`, `all`) from `h`'s browser; the answer's `Location`.
async fn sign_out_scope(h: &Harness, scope: &str) -> String {
    let resp = h
        .http
        .post(h.url("/logout"))
        .form(&[("scope", scope)])
        .send()
        .await
        .expect("logout");
    assert_eq!(resp.status().as_u16(), 303, "scope={scope}");
    location(&resp).to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn your_sessions_lists_them_and_signs_out_everywhere_else_then_everywhere() {
    let h = Harness::start().await;
    let laptop = h.browser();
    let phone = h.browser();
    for (who, agent) in [
        (
            &h,
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        ),
        (
            &laptop,
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/131.0 Safari/537.36",
        ),
        (&phone, "curl/8.5.0"),
    ] {
        let resp = who
            .http
            .post(who.url("/login"))
            .header("user-agent", agent)
            .form(&[("token", "demo")])
            .send()
            .await
            .expect("login");
        assert_eq!(resp.status().as_u16(), 303);
    }
    assert!(
        h.page("/", 200).await.contains("href=\"/sessions\""),
        "linked from the user menu"
    );
    let page = h.page("/sessions", 200).await;
    assert!(
        page.contains("This browser and 2 other sessions are signed in."),
        "{page}"
    );
    assert_eq!(
        page.matches("class=\"badge ok\">This browser").count(),
        1,
        "{page}"
    );
    for shown in [
        "Firefox on Linux",
        "Chrome on macOS",
        "curl",
        "API token",
        "127.0.0.1",
    ] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
    assert!(!page.contains("demo\""), "no credential on the page");

    assert_eq!(sign_out_scope(&h, "others").await, "/sessions?ended=2");
    let page = h.page("/sessions?ended=2", 200).await;
    assert!(page.contains("Signed out 2 other sessions."), "{page}");
    assert!(page.contains("Only this browser is signed in."), "{page}");
    for ended in [&laptop, &phone] {
        assert_eq!(location(&ended.get("/").await), "/login");
    }
    // Nothing left to end: said so.
    assert_eq!(sign_out_scope(&h, "others").await, "/sessions?ended=0");

    // Everywhere: this browser too.
    assert_eq!(laptop.login("demo").await.status(), 303);
    assert_eq!(sign_out_scope(&h, "all").await, "/login?reason=logged_out");
    assert_eq!(location(&h.get("/").await), "/login");
    assert_eq!(location(&laptop.get("/").await), "/login");
    assert_eq!(
        location(&h.get("/sessions").await),
        "/login?next=%2Fsessions"
    );
    // Signed out, "everywhere else" has no one to act for.
    assert_eq!(sign_out_scope(&h, "others").await, "/login");
}
