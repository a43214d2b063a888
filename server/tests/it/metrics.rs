//! The metrics page against the demo's stats: figures from its data, both ranges, the tables,
//! the map, a bad range, and the calls it makes.

use super::harness::Harness;
use demo_upstream as demo;

fn path(app: &str, query: &str) -> String {
    format!(
        "/orgs/{}/apps/{}/metrics{query}",
        demo::acme_id(),
        demo::app_id(app)
    )
}

/// The text of the page with Leptos's markers taken out.
fn text(page: &str) -> String {
    page.replace("<!>", "").replace("<!-- -->", "")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_page_says_peaks_errors_and_places_from_the_demo() {
    let h = Harness::start().await;
    h.login("demo").await;
    h.upstream_requests().await;
    let page = text(&h.page(&path("api-gateway", ""), 200).await);
    // Three calls besides the navigation: metrics, status codes, locations.
    let calls = h.upstream_requests().await;
    assert_eq!(
        calls.iter().filter(|c| c.contains("/v4/stats/")).count(),
        3,
        "{calls:#?}"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.contains("span=PT5M") && c.contains("interval=P1D"))
    );
    // api-gateway spikes at 14:00 UTC every day: the mean alone would hide it.
    let at = page.find("CPU peaked at ").expect("the CPU sentence");
    let figure: f64 = page[at + 14..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .expect("a number");
    assert!((88.0..=92.0).contains(&figure), "{figure}");
    // Points every 5 minutes: the peak is one of the hour's.
    assert!(
        page[at..].starts_with(&format!("CPU peaked at {figure:.1} % at 14:")),
        "{}",
        &page[at..at + 80]
    );
    assert!(page[at..].contains("; 95 % of the time it was at or below"));
    assert!(page.contains("Memory peaked at"));
    assert!(page.contains("Load (1 min) peaked at"));
    // The 5xx burst is the hour to 09:00.
    assert!(
        page.contains("answered with a 5xx error. The most 5xx answers"),
        "{page}"
    );
    assert!(page.contains("came in the hour to 09:00."));
    // Each chart has its table, without script; the map has one spot per place.
    assert_eq!(page.matches("<summary>Show as table</summary>").count(), 5);
    assert_eq!(page.matches("class=\"heat\"").count(), 9);
    assert!(page.contains("most from Paris"));
    assert!(
        page.contains("aria-current=\"page\">Metrics<"),
        "the tab is current"
    );
    assert!(
        !page.contains("<script src=\"http"),
        "nothing loaded from elsewhere"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seven_days_in_six_hour_buckets_and_a_bad_range_is_refused() {
    let h = Harness::start().await;
    h.login("demo").await;
    h.upstream_requests().await;
    let page = text(&h.page(&path("web-frontend", "?range=7d"), 200).await);
    let calls = h.upstream_requests().await;
    assert!(
        calls
            .iter()
            .any(|c| c.contains("span=PT1H") && c.contains("interval=P7D")),
        "{calls:#?}"
    );
    let week = page.find(">Last 7 days<").expect("the range switch");
    assert!(
        page[..week]
            .rsplit("<a ")
            .next()
            .unwrap()
            .contains("aria-current=\"true\"")
    );
    // 28 buckets of six hours in the CPU table.
    let cpu = &page[page
        .find("aria-label=\"CPU by bucket\"")
        .expect("cpu table")..];
    let cpu = &cpu[..cpu.find("</table>").expect("end")];
    assert_eq!(cpu.matches("<tr>").count(), 29, "a header and 28 buckets");
    let bad = h.page(&path("web-frontend", "?range=1y"), 400).await;
    assert!(bad.contains("Range must be 24h or 7d"), "{bad}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_add_on_has_its_resources_linked_from_its_pages() {
    let h = Harness::start().await;
    h.login("demo").await;
    let acme = demo::acme_id();
    let keycloak = demo::real_id("keycloak", "auth");
    let metrics = format!("/orgs/{acme}/addons/{keycloak}/metrics");
    let operator = h
        .page(&format!("/orgs/{acme}/operators/keycloak/{keycloak}"), 200)
        .await;
    assert!(
        operator.contains(&format!("href=\"{metrics}\"")),
        "linked from its page"
    );
    let pulsar = demo::real_id("pulsar", "events");
    let policies = h.page(&format!("/orgs/{acme}/pulsar/{pulsar}"), 200).await;
    assert!(policies.contains(&format!("href=\"/orgs/{acme}/addons/{pulsar}/metrics\"")));
    h.upstream_requests().await;
    let page = text(&h.page(&metrics, 200).await);
    let calls = h.upstream_requests().await;
    assert_eq!(
        calls.iter().filter(|c| c.contains("/v4/stats/")).count(),
        1,
        "{calls:#?}"
    );
    assert!(page.contains("CPU peaked at") && page.contains("Memory peaked at"));
    assert!(
        !page.contains("Where requests come from"),
        "no requests for an add-on"
    );
    assert!(
        page.contains("Metrics · <span class=\"app-name\">auth"),
        "named by the navigation"
    );
    // An add-on of another owner's is not found.
    let other = format!("/orgs/{}/addons/{keycloak}/metrics", demo::globex_id());
    h.page(&other, 404).await;
}
