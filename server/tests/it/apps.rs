//! The application overview through the dashboard.

use super::harness::Harness;
use demo_upstream as demo;

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
    assert!(page.contains(">Up<"), "instances counted by state");
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
    // Four upstream calls (summary, load balancers, deployments, instances) of 500 ms each:
    // one after another would take 2 s; concurrently a little over 500 ms.
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

fn app_path(app: &str, sub: &str) -> String {
    format!("/orgs/{}/apps/{}{sub}", demo::acme_id(), demo::app_id(app))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deployments_page_draws_the_timeline_and_the_table() {
    let h = Harness::start().await;
    h.login("demo").await;
    h.upstream_requests().await;
    let page = h.page(&app_path("api-gateway", "/deployments"), 200).await;
    let seen = h.upstream_requests().await;
    assert!(
        seen.iter()
            .any(|r| r.ends_with("/deployments?limit=50&order=DESC")),
        "newest 50 by default: {seen:?}"
    );
    assert!(page.contains("class=\"strip\"") && page.contains("class=\"rows\""));
    for tone in ["ok", "failed", "cancelled"] {
        assert!(
            page.contains(&format!("class=\"mark fill-{tone}\"")),
            "no {tone} mark on the strip"
        );
        assert!(
            page.contains(&format!("class=\"cap fill-{tone}\"")),
            "no {tone} bar"
        );
    }
    assert!(
        page.contains("data-step=\"QUEUED\"") && page.contains("data-step=\"WORK_IN_PROGRESS\"")
    );
    assert!(
        page.contains("ROLLBACK"),
        "an unknown action shows with its raw name"
    );
    for col in [
        "Cause",
        "Source",
        "Author",
        "Commit",
        "Dedicated build",
        "Duration",
    ] {
        assert!(
            page.contains(&format!("<th>{col}</th>")) || page.contains(&format!(">{col}</th>")),
            "column {col}"
        );
    }
    assert!(
        page.contains("<title>Deployments · api-gateway"),
        "the tab names the application"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deployments_limit_and_order_are_forwarded_or_refused() {
    let h = Harness::start().await;
    h.login("demo").await;
    h.upstream_requests().await;
    let page = h
        .page(
            &app_path("billing-worker", "/deployments?limit=3&order=ASC"),
            200,
        )
        .await;
    let seen = h.upstream_requests().await;
    assert!(
        seen.iter()
            .any(|r| r.ends_with("/deployments?limit=3&order=ASC")),
        "{seen:?}"
    );
    assert_eq!(page.matches("class=\"row\"").count(), 3);
    let page = h
        .page(
            &app_path("billing-worker", "/deployments?limit=0&order=up"),
            400,
        )
        .await;
    assert!(page.contains("Limit must be a whole number from 1 to 1000"));
    assert!(page.contains("Order must be ASC or DESC"));
    let seen = h.upstream_requests().await;
    assert!(
        !seen.iter().any(|r| r.contains("/deployments")),
        "a bad filter never reaches the upstream: {seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_deployment_reads_running_not_failed() {
    let h = Harness::start().await;
    h.login("demo").await;
    let page = h
        .page(&app_path("billing-worker", "/deployments?limit=1"), 200)
        .await;
    assert!(page.contains("WORK_IN_PROGRESS"));
    assert!(page.contains("so far"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deployment_page_shows_steps_origin_instances_and_logs_link() {
    let h = Harness::start().await;
    h.login("demo").await;
    let list = h
        .page(&app_path("api-gateway", "/deployments?limit=1"), 200)
        .await;
    let id = list
        .split("/deployments/deployment_")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(|r| format!("deployment_{r}"))
        .expect("a deployment id in the table");
    h.upstream_requests().await;
    let page = h
        .page(&app_path("api-gateway", &format!("/deployments/{id}")), 200)
        .await;
    let seen = h.upstream_requests().await;
    assert!(
        seen.iter()
            .any(|r| r.ends_with(&format!("/deployments/{id}")))
    );
    assert!(
        seen.iter()
            .any(|r| r.ends_with(&format!("/instances?deploymentId={id}&order=ASC"))),
        "instances filtered by deployment: {seen:?}"
    );
    assert!(page.contains("Time spent") && page.contains("Origin"));
    assert!(
        page.contains("Instances of this deployment")
            && page.contains("<table class=\"data instances\"")
    );
    assert!(
        page.contains(&format!("/logs?deploymentId={id}\"")),
        "logs link"
    );

    let missing = h
        .page(
            &app_path("api-gateway", "/deployments/deployment_nope"),
            404,
        )
        .await;
    assert!(missing.contains("deployment deployment_nope"));
    h.upstream_requests().await;
    h.page(&app_path("api-gateway", "/deployments/bad%20id"), 400)
        .await;
    let seen = h.upstream_requests().await;
    assert!(
        !seen.iter().any(|r| r.contains("/deployments/")),
        "{seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_instance_filter_is_forwarded_exactly() {
    let h = Harness::start().await;
    h.login("demo").await;
    h.upstream_requests().await;
    let page = h
        .page(
            &app_path(
                "api-gateway",
                "/instances?deploymentId=deployment_x&limit=20&excludeDeleted=true\
                 &since=2020-01-01&until=2030-01-01&order=desc\
                 &includeState=UP&includeState=ready&excludeState=GHOST&excludeState=DELETED",
            ),
            200,
        )
        .await;
    let seen = h.upstream_requests().await;
    let want = "/instances?deploymentId=deployment_x&limit=20&excludeDeleted=true\
                &since=2020-01-01T00%3A00%3A00Z&until=2030-01-01T00%3A00%3A00Z&order=DESC\
                &includeState=UP&includeState=READY&excludeState=GHOST&excludeState=DELETED";
    assert!(
        seen.iter().any(|r| r.ends_with(want)),
        "{want} not in {seen:?}"
    );
    assert!(page.contains("No instance matches these filters."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_states_filter_the_rows() {
    let h = Harness::start().await;
    h.login("demo").await;
    let all = h.page(&app_path("api-gateway", "/instances"), 200).await;
    assert!(all.contains("data-state=\"DELETED\"") && all.contains("data-state=\"UP\""));
    let up = h
        .page(&app_path("api-gateway", "/instances?includeState=UP"), 200)
        .await;
    let rows = up.matches("<tr data-state=").count();
    assert!(rows > 0);
    assert_eq!(
        rows,
        up.matches("<tr data-state=\"UP\"").count(),
        "only UP rows"
    );
    assert!(up.contains("value=\"UP\" checked"), "the box stays checked");

    h.upstream_requests().await;
    let bad = h
        .page(
            &app_path("api-gateway", "/instances?includeState=RUNNING&since=soon"),
            400,
        )
        .await;
    assert!(
        bad.contains(
            "Include state must be instance states such as UP or BOOTING (got \"RUNNING\")"
        ),
        "{bad}"
    );
    assert!(bad.contains("Since must be a date"));
    let seen = h.upstream_requests().await;
    assert!(!seen.iter().any(|r| r.contains("/instances")), "{seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_link_to_github_with_a_comparison_when_the_repository_is_there() {
    let h = Harness::start().await;
    h.login("demo").await;
    let page = h.page(&app_path("api-gateway", "/deployments"), 200).await;
    assert!(page.contains("href=\"https://github.com/acme-corp/api-gateway/commit/"));
    assert!(page.contains("href=\"https://github.com/acme-corp/api-gateway/compare/"));
    assert!(page.contains("rel=\"external noopener noreferrer\""));
    // Not on GitHub: the short id, and no link out.
    let page = h.page(&app_path("legacy-cron", "/deployments"), 200).await;
    assert!(!page.contains("github.com"));
}
