//! The costs page and its CSV: figures against the demo's invoices, the bound on concurrent
//! detail requests, the session cache, and an unreadable invoice shown as a gap.

use super::harness::Harness;
use demo_upstream as demo;
use server::config::Config;

fn last_full_year() -> i32 {
    time::OffsetDateTime::now_utc().year() - 1
}

/// The documents the costs of `year` are read from, from the demo: (number, status, signed
/// total excluding tax, year of consumption).
async fn documents(h: &Harness, year: i32) -> Vec<(String, String, f64, i32)> {
    let o = demo::acme_id();
    let list = h.demo_json(
        &format!(
            "/v4/billing/organisations/{o}/invoices?since={year}-01-01T00:00:00Z&until={}-02-01T00:00:00Z",
            year + 1
        ),
    )
    .await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let ht = i["total_tax_excluded"]["amount"].as_f64().unwrap();
            let credit = i["kind"] == "CREDITNOTE";
            let begin = i["consumption_begin_date"].as_str().unwrap();
            (
                i["invoice_number"].as_str().unwrap().to_owned(),
                i["status"].as_str().unwrap().to_owned(),
                if credit { -ht.abs() } else { ht },
                begin[..4].parse().unwrap(),
            )
        })
        .collect()
}

async fn details_asked(h: &Harness) -> usize {
    h.upstream_requests()
        .await
        .iter()
        .filter(|r| {
            r.starts_with("GET /v4/billing/organisations/")
                && r.split('/').count() == 7
                && !r.contains('?')
                && !r.ends_with(".pdf")
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_costs_of_a_year_match_the_demo_invoices() {
    let mut config = Config::for_tests();
    // Slow enough answers for requests to overlap: the bound shows.
    config.demo.latency_ms = 40;
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    let o = demo::acme_id();
    let year = last_full_year();
    let docs = documents(&h, year).await;
    assert!(docs.len() > 12, "January of the next year is read too");
    let expected: f64 = docs.iter().filter(|d| d.3 == year).map(|d| d.2).sum();
    let _ = h.upstream_requests().await;
    reqwest::Client::new()
        .delete(h.upstream.join("/demo/concurrency").unwrap())
        .send()
        .await
        .unwrap();

    let page = h.page(&format!("/orgs/{o}/costs?year={year}"), 200).await;
    assert!(
        page.contains(&format!("What each application cost in <!-->{year}"))
            || page.contains(&format!("What each application cost in {year}")),
        "{page}"
    );
    assert!(page.contains("api-gateway"));
    assert!(
        page.contains("Deleted application (app_"),
        "retired applications are billed in {year}"
    );
    assert!(page.contains("<svg"), "the chart");
    assert!(page.contains("class=\"series-0\""));
    let total = app::logic::money::format(expected, "EUR");
    assert!(page.contains(&total), "{total} not in the page");
    assert!(!page.contains("could not be read"));
    assert_eq!(details_asked(&h).await, docs.len(), "each detail once");
    let peak = h.demo_json("/demo/concurrency").await["invoiceDetails"]
        .as_u64()
        .unwrap();
    assert!(
        (2..=6).contains(&peak),
        "at most 6 at once, and some at once: {peak}"
    );

    // The details of closed invoices are kept for the session: the CSV asks only the others.
    let open = docs
        .iter()
        .filter(|d| !["PAID", "CANCELED", "REFUNDED"].contains(&d.1.as_str()))
        .count();
    let resp = h.get(&format!("/download/orgs/{o}/costs-{year}.csv")).await;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = resp.text().await.unwrap();
    assert_eq!(details_asked(&h).await, open);
    let head = csv.lines().next().unwrap();
    assert!(
        head.starts_with(&format!("currency,application,kind,{year}-01,")),
        "{head}"
    );
    let total_row = csv
        .lines()
        .find(|l| l.starts_with("EUR,Total,total,"))
        .expect("the total row");
    let year_total: f64 = total_row.rsplit(',').next().unwrap().parse().unwrap();
    assert!(
        (year_total - expected).abs() < 0.01,
        "{year_total} against {expected}"
    );

    // Another year is another table.
    let before = h
        .page(&format!("/orgs/{o}/costs?year={}", year - 1), 200)
        .await;
    assert!(!before.contains(&total));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_invoice_is_a_gap_never_a_failed_page() {
    let year = last_full_year();
    let probe = Harness::start().await;
    let docs = documents(&probe, year).await;
    let broken = docs[4].0.clone();
    let mut config = Config::for_tests();
    config.demo.broken_invoice = Some(broken.clone());
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    let o = demo::acme_id();
    let page = h.page(&format!("/orgs/{o}/costs?year={year}"), 200).await;
    assert!(page.contains("could not be read"), "{page}");
    assert!(page.contains(&broken));
    assert!(page.contains("api-gateway"), "the others are there");
    let bad = h.page(&format!("/orgs/{o}/costs?year=1800"), 400).await;
    assert!(bad.contains("Invalid year"), "{bad}");
    for bad in ["abc", "2147483647", "-1"] {
        let page = h.page(&format!("/orgs/{o}/costs?year={bad}"), 400).await;
        assert!(
            page.contains("Invalid year: expected 2000 to 2100."),
            "{bad}"
        );
    }
}
