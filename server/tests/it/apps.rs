//! The application overview through the dashboard.

use super::harness::Harness;
use server::demo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overview_shows_dns_latest_deployment_and_instances() {
    let h = Harness::start().await;
    h.login("demo").await;
    let (o, a) = (demo::acme_id(), demo::app_id("api-gateway"));
    h.upstream_requests().await;
    let page = h.page(&format!("/orgs/{o}/apps/{a}"), 200).await;
    assert!(page.contains("domain.par.clever-cloud.com."), "CNAME");
    assert!(page.contains("91.208.207.214"), "A records");
    assert!(page.contains("IN CNAME"), "what to put in a DNS zone");
    assert!(page.contains("Latest deployment") && page.contains("badge"));
    assert!(page.contains(">UP<"), "instances counted by state");
    for sub in ["/deployments", "/instances", "/logs"] {
        assert!(
            page.contains(&format!("href=\"/orgs/{o}/apps/{a}{sub}\"")),
            "link {sub}"
        );
    }
    let seen = h.upstream_requests().await;
    for part in [
        "/load-balancers/default",
        "/deployments?limit=1&order=DESC",
        "/instances?excludeDeleted=true",
    ] {
        assert!(
            seen.iter().any(|r| r.contains(part)),
            "{part} not fetched: {seen:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overview_calls_run_concurrently() {
    let mut config = server::config::Config::for_tests();
    config.demo.latency_ms = 500;
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    let (o, a) = (demo::acme_id(), demo::app_id("api-gateway"));
    let started = std::time::Instant::now();
    h.page(&format!("/orgs/{o}/apps/{a}"), 200).await;
    let took = started.elapsed();
    // Four upstream calls (summary, load balancers, deployments, instances) of 300 ms each:
    // one after another would take 1.2 s; concurrently a little over 300 ms.
    assert!(
        took < std::time::Duration::from_millis(900),
        "took {took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_of_another_owner_is_not_found() {
    let h = Harness::start().await;
    h.login("demo").await;
    let page = h
        .page(
            &format!(
                "/orgs/{}/apps/{}",
                demo::globex_id(),
                demo::app_id("api-gateway")
            ),
            404,
        )
        .await;
    assert!(page.contains("Not found"));
}
