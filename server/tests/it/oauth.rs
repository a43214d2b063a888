//! "Sign in with Clever Cloud" against the demo as the OAuth provider, over real HTTP: the
//! handshake, signed calls to the OAuth base, every refusal, a callback on another replica,
//! revocation at sign-out, rights, and no secret in any answer or log line.

use super::harness::{Harness, browser, free_port, location, session_cookie};
use super::operability::Process;
use super::redis::RedisServer;
use demo_upstream as demo;
use demo_upstream::DemoKnobs;
use reqwest::{Client, Url};
use server::config::Config;
use std::process::Stdio;
use std::time::Duration;

/// The value of query parameter `name` of `url`.
fn param_of(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The state cookie the handshake sets.
const STATE: &str = "cc_oauth_state";

/// Leaves for the provider: the authorize page's URL, and the state cookie as set.
async fn leave(h: &Harness) -> (Url, String) {
    let resp = h.get("/login/oauth").await;
    assert_eq!(resp.status().as_u16(), 303, "GET /login/oauth");
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(STATE))
        .expect("state cookie")
        .to_owned();
    assert!(
        cookie.contains("SameSite=Lax") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    (Url::parse(location(&resp)).expect("authorize URL"), cookie)
}

/// Answers the demo's authorize page as the user would; the callback URL it sends back to.
async fn decide(h: &Harness, authorize: &Url, decision: &str) -> Url {
    let page = h
        .http
        .get(authorize.clone())
        .send()
        .await
        .expect("authorize page");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("Allow Clever Cloud dashboard to access your account?"));
    assert!(
        html.contains("<code>access_organisations</code>"),
        "the rights are listed"
    );
    let token = param_of(authorize, "oauth_token").expect("request token");
    let resp = h
        .http
        .post(authorize.join("/v2/oauth/authorize").expect("url"))
        .form(&[("oauth_token", token.as_str()), ("decision", decision)])
        .send()
        .await
        .expect("decision");
    assert_eq!(resp.status().as_u16(), 303);
    Url::parse(location(&resp)).expect("callback URL")
}

/// The whole handshake in `h`'s browser; asserts it ends signed in.
async fn sign_in(h: &Harness) {
    let (authorize, _) = leave(h).await;
    let back = decide(h, &authorize, "allow").await;
    assert_eq!(back.path(), "/oauth/callback");
    assert_eq!(
        back.origin(),
        h.base.origin(),
        "the callback is the public URL"
    );
    let resp = h.http.get(back).send().await.expect("callback");
    assert_eq!(resp.status().as_u16(), 200);
    let page = resp.text().await.expect("page");
    assert!(
        page.contains("http-equiv=\"refresh\" content=\"0; url=/\""),
        "{page}"
    );
}

/// Where a refused callback sends the browser.
async fn refused(h: &Harness, callback: Url, cookie: Option<&str>) -> String {
    let mut req = browser().get(callback);
    if let Some(c) = cookie {
        req = req.header("cookie", c.split(';').next().unwrap_or_default());
    }
    let resp = req.send().await.expect("callback");
    assert_eq!(resp.status().as_u16(), 303);
    let to = location(&resp).to_owned();
    let session = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| c.starts_with("cc_dashboard_session=") && !c.contains("Max-Age=0"));
    assert!(!session, "a refused callback leaves no session");
    let _ = h;
    to
}

/// The id of the first drain of api-gateway, asked of the demo directly.
async fn a_drain(upstream: &Url) -> String {
    let path = format!(
        "/v4/drains/organisations/{}/resources/{}/drains",
        demo::acme_id(),
        demo::app_id("api-gateway")
    );
    let v: serde_json::Value = Client::new()
        .get(upstream.join(&path).expect("url"))
        .bearer_auth("demo")
        .send()
        .await
        .expect("drains")
        .json()
        .await
        .expect("json");
    v[0]["id"].as_str().expect("drain id").to_owned()
}

/// Resets a drain's cursor (a PATCH upstream) through the server function.
async fn reset_drain(h: &Harness) -> (u16, String) {
    let drain = a_drain(&h.upstream).await;
    h.call(
        "drain_action",
        &[
            ("owner", demo::acme_id().as_str()),
            ("resource", demo::app_id("api-gateway").as_str()),
            ("drain", drain.as_str()),
            ("action", "reset"),
        ],
    )
    .await
}

async fn demo_get(base: &Url, path: &str) -> serde_json::Value {
    Client::new()
        .get(base.join(path).expect("url"))
        .send()
        .await
        .expect("demo")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn signing_in_with_clever_cloud_reaches_the_pages_and_signs_out_revoking_the_token() {
    let h = Harness::start().await;
    let login = h.page("/login", 200).await;
    assert!(login.contains("Sign in with Clever Cloud"));
    assert!(login.find("Sign in with Clever Cloud") < login.find("API token"));
    sign_in(&h).await;
    let home = h.page("/", 200).await;
    assert!(home.contains("Acme Corp"), "signed in");
    assert!(home.contains("Signed in with Clever Cloud · until "));
    // Every call was signed and verified by the demo (which refuses any other): the pages
    // show data, and the demo saw no bearer token.
    let seen = h.upstream_requests().await;
    assert!(seen.iter().any(|r| r == "GET /v2/summary"), "{seen:?}");
    let invoices = h
        .page(&format!("/orgs/{}/invoices", demo::acme_id()), 200)
        .await;
    assert!(invoices.contains("Invoices"));
    // Downloads go the same way: an invoice PDF through the dashboard.
    let number: serde_json::Value = Client::new()
        .get(
            h.upstream
                .join(&format!(
                    "/v4/billing/organisations/{}/invoices?limit=1",
                    demo::acme_id()
                ))
                .expect("url"),
        )
        .bearer_auth("demo")
        .send()
        .await
        .expect("invoices")
        .json()
        .await
        .expect("json");
    let number = number[0]["invoice_number"].as_str().expect("number");
    let pdf = h
        .get(&format!(
            "/download/orgs/{}/invoices/{number}.pdf",
            demo::acme_id()
        ))
        .await;
    assert_eq!(pdf.status().as_u16(), 200);
    assert!(pdf.bytes().await.expect("pdf").starts_with(b"%PDF"));
    // A mutation, sent as a PATCH (which the API bridge of token sessions does not list).
    let (status, body) = reset_drain(&h).await;
    assert_eq!(status, 200, "{body}");
    // And a log stream.
    let stream = h
        .get(&format!(
            "/stream/orgs/{}/apps/{}/logs?limit=3&service=all",
            demo::acme_id(),
            demo::app_id("api-gateway")
        ))
        .await;
    assert_eq!(stream.status().as_u16(), 200);
    let body = stream.text().await.expect("stream");
    assert_eq!(body.matches("event: APPLICATION_LOG").count(), 3, "{body}");
    assert_eq!(
        demo_get(&h.upstream, "/demo/oauth")
            .await
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    let out = h.http.post(h.url("/logout")).send().await.expect("logout");
    assert_eq!(location(&out), "/login?reason=logged_out");
    let seen = h.upstream_requests().await;
    assert!(
        seen.iter()
            .any(|r| r.starts_with("DELETE /v2/self/tokens/at_")),
        "{seen:?}"
    );
    assert_eq!(
        demo_get(&h.upstream, "/demo/oauth")
            .await
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    assert_eq!(location(&h.get("/").await), "/login");
}

#[tokio::test]
async fn oauth_sessions_call_the_oauth_base_and_token_sessions_the_token_base() {
    let token_base = demo::spawn(DemoKnobs::default()).await.expect("demo");
    let oauth_base = demo::spawn(DemoKnobs::default()).await.expect("demo");
    let token_base = Url::parse(&format!("http://{token_base}")).expect("url");
    let oauth_base = Url::parse(&format!("http://{oauth_base}")).expect("url");
    let mut config = Config::for_tests();
    config.api_url = Some(token_base.clone());
    config.demo_mode = false;
    config.oauth_api_url = oauth_base.clone();
    config.oauth_consumer_key = Some(demo::oauth_provider::CONSUMER_KEY.into());
    config.oauth_consumer_secret = Some(
        demo::oauth_provider::CONSUMER_SECRET
            .parse()
            .expect("secret"),
    );
    let h = Harness::start_with(config).await;
    let forget = |base: &Url| {
        let url = base.join("/demo/requests").expect("url");
        async move { Client::new().delete(url).send().await.expect("forget") }
    };
    let seen = |base: &Url| {
        let base = base.clone();
        async move {
            let v = demo_get(&base, "/demo/requests").await;
            serde_json::from_value::<Vec<String>>(v).expect("requests")
        }
    };

    sign_in(&h).await;
    forget(&token_base).await;
    forget(&oauth_base).await;
    h.page("/", 200).await;
    assert!(
        seen(&oauth_base)
            .await
            .contains(&"GET /v2/summary".to_owned())
    );
    assert!(
        seen(&token_base).await.is_empty(),
        "no call of an OAuth session to the token base"
    );

    let other = h.browser();
    assert_eq!(location(&other.login("demo").await), "/");
    forget(&oauth_base).await;
    other.page("/", 200).await;
    assert!(
        seen(&token_base)
            .await
            .contains(&"GET /v2/summary".to_owned())
    );
    assert!(
        seen(&oauth_base).await.is_empty(),
        "no call of a token session to the OAuth base"
    );
}

#[tokio::test]
async fn every_bad_callback_is_refused_with_a_message_and_no_session() {
    let mut config = Config::for_tests();
    config.oauth_handshake_secs = 2.0;
    let h = Harness::start_with(config).await;

    // Denied at the authorize page.
    let (authorize, cookie) = leave(&h).await;
    let back = decide(&h, &authorize, "deny").await;
    assert!(
        back.query()
            .unwrap_or_default()
            .contains("oauth_problem=user_refused")
    );
    assert_eq!(
        refused(&h, back, Some(&cookie)).await,
        "/login?error=oauth_denied"
    );

    // No state cookie, or the state cookie of another handshake.
    let (authorize, _) = leave(&h).await;
    let back = decide(&h, &authorize, "allow").await;
    assert_eq!(
        refused(&h, back.clone(), None).await,
        "/login?error=oauth_state"
    );
    let other = h.browser();
    let (_, foreign) = leave(&other).await;
    assert_eq!(
        refused(&h, back.clone(), Some(&foreign)).await,
        "/login?error=oauth_state"
    );

    // An unknown request token; a missing verifier.
    let (_, cookie) = leave(&h).await;
    let mut unknown = h.url("/oauth/callback");
    unknown.set_query(Some("oauth_token=rt_unknown&oauth_verifier=x"));
    assert_eq!(
        refused(&h, unknown, Some(&cookie)).await,
        "/login?error=oauth_state"
    );
    let (authorize, cookie) = leave(&h).await;
    let back = decide(&h, &authorize, "allow").await;
    let mut bare = back.clone();
    let token: String = param_of(&back, "oauth_token").expect("token");
    bare.set_query(Some(&format!("oauth_token={token}")));
    assert_eq!(
        refused(&h, bare, Some(&cookie)).await,
        "/login?error=oauth_incomplete"
    );

    // Replayed: a callback that succeeded once does not work twice.
    let (authorize, cookie) = leave(&h).await;
    let back = decide(&h, &authorize, "allow").await;
    let once = browser()
        .get(back.clone())
        .header("cookie", cookie.split(';').next().unwrap_or_default())
        .send()
        .await
        .expect("callback");
    assert_eq!(once.status().as_u16(), 200);
    assert_eq!(
        refused(&h, back, Some(&cookie)).await,
        "/login?error=oauth_expired"
    );

    // Expired: back after the handshake's time (two seconds here).
    let (authorize, cookie) = leave(&h).await;
    let back = decide(&h, &authorize, "allow").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        refused(&h, back, Some(&cookie)).await,
        "/login?error=oauth_expired"
    );

    // The messages are the login page's own.
    for code in [
        "oauth_denied",
        "oauth_state",
        "oauth_incomplete",
        "oauth_expired",
    ] {
        let page = browser()
            .get(h.url(&format!("/login?error={code}")))
            .send()
            .await
            .expect("login")
            .text()
            .await
            .expect("page");
        assert!(page.contains("role=\"alert\""), "{code}");
    }
}

#[tokio::test]
async fn the_callback_may_land_on_another_replica_sharing_the_store() {
    let redis = RedisServer::start();
    let portal = || {
        let mut config = Config::for_tests();
        config.session_store = Some(redis.url().parse().expect("url"));
        config.secret_key = Some(
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
                .parse()
                .expect("key"),
        );
        config
    };
    let a = Harness::start_with(portal()).await;
    let b = a.replica(portal()).await;
    let (authorize, _) = leave(&a).await;
    let mut back = decide(&a, &authorize, "allow").await;
    // The load balancer sends the callback to B.
    back.set_port(b.base.port()).expect("port");
    let resp = b.http.get(back).send().await.expect("callback on B");
    assert_eq!(resp.status().as_u16(), 200);
    assert!(a.page("/", 200).await.contains("Acme Corp"));
    assert!(b.page("/", 200).await.contains("Acme Corp"));
    // The request token was kept sealed, under a keyed name: no token in Redis.
    let dump = redis.cli(&["--no-raw", "KEYS", "*"]);
    assert!(!String::from_utf8_lossy(&dump).contains("rt_"));
}

#[tokio::test]
async fn a_refusal_for_a_missing_right_names_the_right() {
    let mut config = Config::for_tests();
    config.demo.oauth_rights = ["access_organisations", "access_personal_information"]
        .map(String::from)
        .to_vec();
    let h = Harness::start_with(config).await;
    sign_in(&h).await;
    let page = h
        .page(&format!("/orgs/{}/invoices", demo::acme_id()), 403)
        .await;
    assert!(
        page.contains("access_organisations_bills"),
        "the right is named"
    );
    assert!(page.contains("Right not granted"));
    let (status, body) = reset_drain(&h).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("manage_organisations_applications"), "{body}");
    // What the right allows still works.
    assert!(h.page("/", 200).await.contains("Acme Corp"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_a_page_an_answer_or_a_log_line() {
    let demo_port = free_port();
    let demo_listen = format!("127.0.0.1:{demo_port}");
    let mut server = Process::start_with(
        &[("RUST_LOG", "debug"), ("DEMO_LISTEN", demo_listen.as_str())],
        Stdio::piped(),
    );
    server.ready().await;
    let upstream = Url::parse(&format!("http://{demo_listen}")).expect("url");
    let h = Harness {
        base: Url::parse(&server.base).expect("url"),
        upstream: upstream.clone(),
        http: browser(),
    };
    let mut answers = String::new();
    let (authorize, cookie) = leave(&h).await;
    answers.push_str(&cookie);
    let back = decide(&h, &authorize, "allow").await;
    let resp = h.http.get(back).send().await.expect("callback");
    answers.push_str(&format!("{:?}", resp.headers()));
    answers.push_str(&resp.text().await.expect("page"));
    for path in [
        "/",
        "/zones",
        &format!("/orgs/{}/invoices", demo::acme_id()),
    ] {
        let resp = h.get(path).await;
        answers.push_str(&format!("{:?}", resp.headers()));
        answers.push_str(&resp.text().await.expect("page"));
    }
    let issued = demo_get(&upstream, "/demo/oauth").await;
    let issued = issued.as_array().expect("list").clone();
    assert_eq!(issued.len(), 1);
    let _ = h.http.post(h.url("/logout")).send().await.expect("logout");
    let log = server.stop_and_read_log();
    assert!(log.contains("signed in"), "the log was captured");
    let secrets = [
        issued[0]["token"].as_str().expect("token"),
        issued[0]["secret"].as_str().expect("secret"),
        demo::oauth_provider::CONSUMER_SECRET,
    ];
    for secret in secrets {
        assert!(!answers.contains(secret), "an answer holds a secret");
        assert!(!log.contains(secret), "the log holds a secret");
    }
}

#[tokio::test]
async fn the_demo_provider_verifies_every_signature() {
    use app::ssr::oauth1::{Consumer, Signing};
    use app::ssr::{OAuthProvider, Timeouts, Upstream};
    let base = Url::parse(&format!(
        "http://{}",
        demo::spawn(DemoKnobs::default()).await.expect("demo")
    ))
    .expect("url");
    let consumer = Consumer {
        key: demo::oauth_provider::CONSUMER_KEY.into(),
        secret: demo::oauth_provider::CONSUMER_SECRET.into(),
    };
    let provider = |consumer: Consumer| {
        Upstream::with_provider(
            base.clone(),
            Some(OAuthProvider {
                base: base.clone(),
                consumer,
            }),
            Timeouts::default(),
        )
        .expect("client")
    };
    let up = provider(consumer.clone());
    // A handshake step signed with the wrong consumer secret is refused.
    let wrong = provider(Consumer {
        key: consumer.key.clone(),
        secret: "not the secret".into(),
    });
    assert!(
        wrong
            .oauth_request_token("http://127.0.0.1:1/oauth/callback")
            .await
            .is_err()
    );
    // The handshake, step by step.
    let request = up
        .oauth_request_token("http://127.0.0.1:1/oauth/callback")
        .await
        .expect("request token");
    let h = Harness {
        base: Url::parse("http://127.0.0.1:1").expect("url"),
        upstream: base.clone(),
        http: browser(),
    };
    let back = decide(
        &h,
        &up.oauth_authorize_url(&request.token).expect("url"),
        "allow",
    )
    .await;
    let verifier = param_of(&back, "oauth_verifier").expect("verifier");
    assert!(
        up.oauth_access_token(&request, "wrong verifier")
            .await
            .is_err(),
        "a wrong verifier is refused (and uses the request token up)"
    );
    let request = up
        .oauth_request_token("http://127.0.0.1:1/oauth/callback")
        .await
        .expect("request token");
    let back = decide(
        &h,
        &up.oauth_authorize_url(&request.token).expect("url"),
        "allow",
    )
    .await;
    let verifier_ok = param_of(&back, "oauth_verifier").expect("verifier");
    assert_ne!(verifier, verifier_ok);
    let access = up
        .oauth_access_token(&request, &verifier_ok)
        .await
        .expect("access token");
    assert!(
        access.expires.is_some(),
        "access tokens have an expiry date"
    );
    assert!(
        up.oauth_access_token(&request, &verifier_ok).await.is_err(),
        "a request token is exchanged once"
    );

    let url = base.join("/v2/self").expect("url");
    let call = |header: String| {
        let url = url.clone();
        async move {
            Client::new()
                .get(url)
                .header("authorization", header)
                .send()
                .await
                .expect("call")
                .status()
                .as_u16()
        }
    };
    let signed = Signing::new(&consumer, Some(&access.pair)).header("GET", &url, &[]);
    assert_eq!(call(signed.clone()).await, 200);
    assert_eq!(call(signed).await, 401, "a replayed nonce");
    let other_key = Consumer {
        key: "someone-else".into(),
        secret: consumer.secret.clone(),
    };
    assert_eq!(
        call(Signing::new(&other_key, Some(&access.pair)).header("GET", &url, &[])).await,
        401,
        "an unknown consumer"
    );
    let wrong_secret = Consumer {
        key: consumer.key.clone(),
        secret: "guess".into(),
    };
    assert_eq!(
        call(Signing::new(&wrong_secret, Some(&access.pair)).header("GET", &url, &[])).await,
        401,
        "a wrong signature"
    );
    let mut stale = Signing::new(&consumer, Some(&access.pair));
    stale.timestamp -= 3600;
    assert_eq!(
        call(stale.header("GET", &url, &[])).await,
        401,
        "a stale timestamp"
    );
    let other_url = base.join("/v2/summary").expect("url");
    assert_eq!(
        call(Signing::new(&consumer, Some(&access.pair)).header("GET", &other_url, &[])).await,
        401,
        "a signature made for another URL"
    );
    // Revoked: the token no longer works.
    let credentials = app::ssr::Credentials::OAuth(access.pair.clone());
    up.with(&credentials).revoke().await.expect("revoke");
    assert_eq!(
        call(Signing::new(&consumer, Some(&access.pair)).header("GET", &url, &[])).await,
        401,
        "a revoked token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_that_fails_still_signs_out() {
    // The provider as a process of its own, to be stopped before the sign-out.
    let demo_listen = format!("127.0.0.1:{}", free_port());
    let mut provider = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DEMO_ONLY", "1")
        .env("DEMO_LISTEN", &demo_listen)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo");
    let demo_url = format!("http://{demo_listen}");
    let listen = format!("127.0.0.1:{}", free_port());
    let public = format!("http://{listen}");
    let mut server = Process::start_with(
        &[
            ("DASHBOARD_LISTEN", listen.as_str()),
            ("DASHBOARD_PUBLIC_URL", public.as_str()),
            ("CC_API_URL", demo_url.as_str()),
            ("CC_OAUTH_API_URL", demo_url.as_str()),
            ("CC_OAUTH_CONSUMER_KEY", demo::oauth_provider::CONSUMER_KEY),
            (
                "CC_OAUTH_CONSUMER_SECRET",
                demo::oauth_provider::CONSUMER_SECRET,
            ),
        ],
        Stdio::piped(),
    );
    server.ready().await;
    let h = Harness {
        base: Url::parse(&server.base).expect("url"),
        upstream: Url::parse(&demo_url).expect("url"),
        http: browser(),
    };
    sign_in(&h).await;
    assert!(h.page("/", 200).await.contains("Acme Corp"));
    let _ = provider.kill();
    let _ = provider.wait();
    let out = h.http.post(h.url("/logout")).send().await.expect("logout");
    assert_eq!(location(&out), "/login?reason=logged_out");
    assert_eq!(
        location(&h.get("/").await),
        "/login",
        "signed out all the same"
    );
    let log = server.stop_and_read_log();
    assert!(
        log.contains("OAuth token could not be revoked; signing out anyway"),
        "the failure is logged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_with_clever_cloud_ends_the_browsers_previous_session() {
    let h = Harness::start().await;
    let resp = h.login("demo").await;
    let old = format!("cc_dashboard_session={}", session_cookie(&resp));
    let replay = || async {
        browser()
            .get(h.url("/"))
            .header("cookie", old.as_str())
            .send()
            .await
            .expect("replay")
            .status()
            .as_u16()
    };
    assert_eq!(replay().await, 200, "the token session works");
    sign_in(&h).await;
    assert_eq!(
        h.get("/").await.status().as_u16(),
        200,
        "the new session works"
    );
    assert_eq!(replay().await, 303, "the previous one ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_with_clever_cloud_returns_to_the_deep_link() {
    let h = Harness::start().await;
    let deep = format!("/orgs/{}/invoices?year=2025", demo::acme_id());
    let login = h.page(&security_login_for(&deep), 200).await;
    let href = format!("/login/oauth?next={}", app::urls::segment(&deep));
    assert!(login.contains(&href.replace('&', "&amp;")), "{login}");
    let resp = h.get(&href).await;
    assert_eq!(resp.status().as_u16(), 303);
    let authorize = Url::parse(location(&resp)).expect("authorize URL");
    let back = decide(&h, &authorize, "allow").await;
    let page = h
        .http
        .get(back)
        .send()
        .await
        .expect("callback")
        .text()
        .await
        .expect("page");
    let to = deep.replace('&', "&amp;");
    assert!(
        page.contains(&format!("http-equiv=\"refresh\" content=\"0; url={to}\"")),
        "{page}"
    );
    // Another site is never the way back.
    let resp = h.get("/login/oauth?next=https%3A%2F%2Fevil.example").await;
    let authorize = Url::parse(location(&resp)).expect("authorize URL");
    let back = decide(&h, &authorize, "allow").await;
    let page = h.http.get(back).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("content=\"0; url=/\""), "{page}");
}

/// The sign-in page a signed-out visit of `path` is sent to.
fn security_login_for(path: &str) -> String {
    server::login_then(Some(path))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_everywhere_else_revokes_the_other_sessions_oauth_tokens() {
    let h = Harness::start().await;
    let other = h.browser();
    sign_in(&h).await;
    sign_in(&other).await;
    let tokens = || async {
        demo_get(&h.upstream, "/demo/oauth")
            .await
            .as_array()
            .map(Vec::len)
    };
    assert_eq!(tokens().await, Some(2));
    let page = h.page("/sessions", 200).await;
    assert!(page.contains("Clever Cloud"), "{page}");
    assert!(
        page.contains("This browser and 1 other session are signed in."),
        "{page}"
    );
    let resp = h
        .http
        .post(h.url("/logout"))
        .form(&[("scope", "others")])
        .send()
        .await
        .expect("logout");
    assert_eq!(location(&resp), "/sessions?ended=1");
    // The other browser's token is revoked upstream, this one's still works.
    assert_eq!(tokens().await, Some(1));
    assert_eq!(location(&other.get("/").await), "/login");
    assert!(h.page("/", 200).await.contains("Acme Corp"));
}
