//! Pages through the real server: home, navigation, escaping, errors, id validation.

use super::harness::Harness;
use demo_upstream as demo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_lists_owners_personal_first_with_links() {
    let h = Harness::start().await;
    h.login("demo").await;
    let home = h.page("/", 200).await;
    let personal = home.find("Personal space").expect("personal space");
    let acme = home.find("Acme Corp").expect("acme");
    let globex = home.find("Globex Corporation").expect("globex");
    assert!(
        personal < acme && acme < globex,
        "personal first, then by name"
    );
    let acme_id = demo::acme_id();
    let app = demo::app_id("api-gateway");
    for link in [
        format!("/orgs/{acme_id}/invoices"),
        format!("/orgs/{acme_id}/apps/{app}"),
        format!("/orgs/{acme_id}/apps/{app}/deployments"),
        format!("/orgs/{acme_id}/apps/{app}/instances"),
        format!("/orgs/{acme_id}/apps/{app}/logs"),
        format!("/orgs/{acme_id}/resources/{app}/drains"),
        format!(
            "/orgs/{acme_id}/operators/keycloak/{}",
            demo::real_id("keycloak", "auth")
        ),
        format!(
            "/orgs/{acme_id}/operators/otoroshi/{}",
            demo::real_id("otoroshi", "gateway")
        ),
        format!(
            "/orgs/{acme_id}/pulsar/{}",
            demo::real_id("pulsar", "events")
        ),
        "/zones".to_owned(),
    ] {
        assert!(
            home.contains(&format!("href=\"{link}\"")),
            "missing link {link}"
        );
    }
    assert!(home.contains("Demo data"), "demo banner");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_supplied_names_are_escaped() {
    let h = Harness::start().await;
    h.login("demo").await;
    let home = h.page("/", 200).await;
    assert!(!home.contains("<script>alert"), "raw markup from upstream");
    assert!(!home.contains("<img src=x"), "raw markup from upstream");
    assert!(
        home.contains("&lt;script&gt;alert"),
        "the name is shown as text"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_of_the_url_scheme_exists() {
    let h = Harness::start().await;
    h.login("demo").await;
    let o = demo::acme_id();
    let a = demo::app_id("api-gateway");
    for path in [
        format!("/orgs/{o}/invoices"),
        format!("/orgs/{o}/apps/{a}/deployments"),
        format!("/orgs/{o}/apps/{a}/instances"),
        format!("/orgs/{o}/apps/{a}/logs"),
        format!("/orgs/{o}/resources/{a}/drains"),
        "/zones".to_owned(),
        "/zones/par".to_owned(),
    ] {
        h.page(&path, 200).await;
    }
    // The route exists: the 404 names the deployment the upstream does not know.
    let page = h
        .page(&format!("/orgs/{o}/apps/{a}/deployments/deployment_1"), 404)
        .await;
    assert!(page.contains("deployment deployment_1"));
    for path in [
        format!("/orgs/{o}/operators/keycloak/keycloak_1"),
        format!("/orgs/{o}/pulsar/pulsar_1"),
    ] {
        h.page(&path, 404).await;
    }
    h.page("/no/such/page", 404).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_ids_get_a_clear_400_and_no_upstream_call() {
    let h = Harness::start().await;
    h.login("demo").await;
    h.upstream_requests().await;
    let page = h.page("/orgs/bad%20id/invoices", 400).await;
    assert!(page.contains("Invalid owner id"), "{page}");
    let page = h
        .page(
            &format!("/orgs/{}/apps/..%2F..%2Fv2%2Fself", demo::acme_id()),
            400,
        )
        .await;
    assert!(page.contains("Invalid application id"));
    let seen = h.upstream_requests().await;
    assert!(
        seen.iter().all(|r| r == "GET /v2/summary"),
        "only the navigation was fetched: {seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_failure_shows_an_error_page_with_retry() {
    let mut config = server::config::Config::for_tests();
    // Every second demo request fails: login's /v2/self passes, the next /v2/summary fails.
    config.demo.error_rate = 0.5;
    // Each load asks the navigation afresh (kept, the second load would not ask it).
    config.navigation_secs = 0.0;
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    // A page of the shell (the fleet board streams: its status leaves before its data, so it
    // shows the same error box with a 200). Every second call fails: within two loads, the
    // navigation's is one.
    let mut failed = None;
    for _ in 0..2 {
        let resp = h.get("/sessions").await;
        if resp.status().as_u16() == 502 {
            failed = Some(resp.text().await.expect("page"));
            break;
        }
    }
    let page = failed.expect("a 502 within two loads");
    assert!(page.contains("Upstream unavailable"), "{page}");
    assert!(page.contains("Retry"));
    assert!(
        page.contains("demo-0000000"),
        "the Sozu-Id is shown for support"
    );
    assert!(
        !page.contains("injected failure"),
        "raw upstream text stays in the log"
    );
    let again = h.page("/sessions", 200).await;
    assert!(again.contains("Acme Corp"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shell_server_function_answers_json() {
    let h = Harness::start().await;
    h.login("demo").await;
    let resp = h
        .http
        .post(h.url("/api/shell"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["user_name"], "Ada Lovelace");
    assert_eq!(v["demo"], true);
    assert_eq!(v["owners"][0]["personal"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_navigation_is_kept_seconds_per_session_and_the_board_asks_afresh() {
    let summaries = |calls: Vec<String>| calls.iter().filter(|c| *c == "GET /v2/summary").count();
    let h = Harness::start().await;
    h.login("demo").await;
    h.upstream_requests().await;
    let first = h.page("/sessions", 200).await;
    assert_eq!(summaries(h.upstream_requests().await), 1, "asked once");
    let again = h.page("/sessions", 200).await;
    assert_eq!(summaries(h.upstream_requests().await), 0, "kept");
    assert!(first.contains("Acme Corp") && again.contains("Acme Corp"));
    // The fleet board shows the states the summary gives: asked afresh, and kept again.
    h.page("/", 200).await;
    assert_eq!(summaries(h.upstream_requests().await), 1, "the board asks");
    h.page("/sessions", 200).await;
    assert_eq!(summaries(h.upstream_requests().await), 0);
    // Another session (even of the same token) never takes this one's.
    let other = h.browser();
    other.login("demo").await;
    h.upstream_requests().await;
    other.page("/sessions", 200).await;
    assert_eq!(summaries(h.upstream_requests().await), 1, "its own");

    // Set to 0: every page asks.
    let mut config = server::config::Config::for_tests();
    config.navigation_secs = 0.0;
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    h.upstream_requests().await;
    for _ in 0..2 {
        h.page("/sessions", 200).await;
        assert_eq!(summaries(h.upstream_requests().await), 1);
    }

    // Kept no longer than set.
    let mut config = server::config::Config::for_tests();
    config.navigation_secs = 0.2;
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    h.page("/sessions", 200).await;
    h.upstream_requests().await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    h.page("/sessions", 200).await;
    assert_eq!(summaries(h.upstream_requests().await), 1, "asked again");
}
