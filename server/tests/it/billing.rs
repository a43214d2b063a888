//! Invoices through the dashboard: filters, page content, downloads, CSV.

use super::harness::Harness;
use demo_upstream as demo;

async fn signed_in() -> Harness {
    let h = Harness::start().await;
    h.login("demo").await;
    h
}

async fn first_number(h: &Harness, owner: &str) -> String {
    let v = h
        .demo_json(&format!(
            "/v4/billing/organisations/{owner}/invoices?limit=1"
        ))
        .await;
    v[0]["invoice_number"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoice_filters_are_forwarded_exactly() {
    let h = signed_in().await;
    let o = demo::acme_id();
    h.upstream_requests().await;
    let page = h
        .page(
            &format!("/orgs/{o}/invoices?since=2025-01-01&until=2025-06-30&limit=5"),
            200,
        )
        .await;
    assert!(page.contains("Totals"));
    let seen = h.upstream_requests().await;
    assert!(
        seen.contains(&format!(
            "GET /v4/billing/organisations/{o}/invoices?since=2025-01-01T00%3A00%3A00Z&until=2025-06-30T00%3A00%3A00Z&limit=5"
        )),
        "{seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_filters_get_a_message_and_no_upstream_call() {
    let h = signed_in().await;
    let o = demo::acme_id();
    h.upstream_requests().await;
    let page = h
        .page(&format!("/orgs/{o}/invoices?since=yesterday&limit=0"), 400)
        .await;
    assert!(page.contains("Since must be a date"), "{page}");
    assert!(page.contains("Limit must be a whole number"));
    let seen = h.upstream_requests().await;
    assert!(seen.iter().all(|r| !r.contains("/billing/")), "{seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_is_grouped_with_totals_per_currency_and_a_chart() {
    let h = signed_in().await;
    let page = h
        .page(&format!("/orgs/{}/invoices", demo::globex_id()), 200)
        .await;
    for section in [
        "Pending",
        "Awaiting payment validation",
        "Paid and closed",
        "Totals",
    ] {
        assert!(page.contains(section), "missing {section}");
    }
    assert!(
        page.contains(">USD<") && page.contains(">EUR<"),
        "one total per currency"
    );
    assert!(
        page.contains("<svg") && page.contains("Monthly totals"),
        "the chart is server-rendered"
    );
    assert!(page.contains("credit-note"), "credit notes look different");
    assert!(page.contains("Export CSV"));
    assert!(page.contains("Per month, "), "monthly totals table");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_by_number_narrows_the_list() {
    let h = signed_in().await;
    let o = demo::acme_id();
    let n = first_number(&h, &o).await;
    let page = h.page(&format!("/orgs/{o}/invoices?q={n}"), 200).await;
    assert!(page.contains("All 1 documents listed"), "exactly one match");
    let none = h
        .page(&format!("/orgs/{o}/invoices?q=NO-SUCH-NUMBER"), 200)
        .await;
    assert!(none.contains("No invoice matches these filters."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pdf_downloads_stream_with_our_headers_only() {
    let h = signed_in().await;
    let o = demo::acme_id();
    let n = first_number(&h, &o).await;
    let resp = h.get(&format!("/download/orgs/{o}/invoices/{n}.pdf")).await;
    assert_eq!(resp.status().as_u16(), 200);
    let head = resp.headers().clone();
    assert_eq!(head["content-type"], "application/pdf");
    assert_eq!(
        head["content-disposition"],
        format!("attachment; filename=\"invoice-{n}.pdf\"").as_str()
    );
    assert_eq!(head["cache-control"], "no-store");
    assert_eq!(head["x-content-type-options"], "nosniff");
    assert!(
        head.get("set-cookie").is_none(),
        "the upstream's cookie must not pass"
    );
    assert!(head.get("sozu-id").is_none());
    assert!(resp.bytes().await.unwrap().starts_with(b"%PDF-"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_invoice_is_served_sandboxed() {
    let h = signed_in().await;
    let o = demo::acme_id();
    let n = first_number(&h, &o).await;
    let resp = h
        .get(&format!("/download/orgs/{o}/invoices/{n}.html?inline=1"))
        .await;
    assert_eq!(resp.status().as_u16(), 200);
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.starts_with("sandbox"), "{csp}");
    assert_eq!(resp.headers()["x-frame-options"], "SAMEORIGIN");
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    let page = h.page(&format!("/orgs/{o}/invoices/{n}"), 200).await;
    assert!(page.contains("sandbox=\"\""), "the frame is sandboxed too");
    assert!(page.contains(&format!("/download/orgs/{o}/invoices/{n}.pdf")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_invoice_download_is_sandboxed_too() {
    let h = signed_in().await;
    let o = demo::acme_id();
    let n = first_number(&h, &o).await;
    let resp = h
        .get(&format!("/download/orgs/{o}/invoices/{n}.html"))
        .await;
    assert_eq!(resp.status().as_u16(), 200);
    let head = resp.headers();
    assert!(
        head["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let csp = head["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("sandbox"), "{csp}");
    assert_eq!(head["x-frame-options"], "DENY", "framed by nobody");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_invoices_are_404_pages() {
    let h = signed_in().await;
    let o = demo::acme_id();
    let page = h.page(&format!("/orgs/{o}/invoices/NOPE-0001"), 404).await;
    assert!(page.contains("Not found"));
    let resp = h
        .get(&format!("/download/orgs/{o}/invoices/NOPE-0001.pdf"))
        .await;
    assert_eq!(resp.status().as_u16(), 404);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let resp = h
        .get(&format!("/download/orgs/{o}/invoices/bad%20id.pdf"))
        .await;
    assert_eq!(resp.status().as_u16(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_export_has_the_filtered_list() {
    let h = signed_in().await;
    let o = demo::acme_id();
    let resp = h
        .get(&format!("/download/orgs/{o}/invoices.csv?limit=4"))
        .await;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"invoices-orga_")
    );
    let body = resp.text().await.unwrap();
    let lines: Vec<&str> = body.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 5, "header and four rows: {body}");
    assert!(lines[0].starts_with("number,kind,status,group,issued"));
    let bad = h
        .get(&format!("/download/orgs/{o}/invoices.csv?since=nope"))
        .await;
    assert_eq!(bad.status().as_u16(), 400);
    let anonymous = super::harness::browser()
        .get(h.url(&format!("/download/orgs/{o}/invoices.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pdf_padding_knob_makes_large_pdfs() {
    let mut config = server::config::Config::for_tests();
    config.demo.pdf_padding_bytes = 3 * 1024 * 1024;
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    let o = demo::acme_id();
    let n = first_number(&h, &o).await;
    let resp = h.get(&format!("/download/orgs/{o}/invoices/{n}.pdf")).await;
    let body = resp.bytes().await.unwrap();
    assert!(
        body.len() >= 3 * 1024 * 1024 && body.starts_with(b"%PDF-") && body.ends_with(b"%%EOF\n")
    );
}

/// Every invoice of Acme as the demo has it, with line items (the detail call).
async fn acme_details(h: &Harness) -> Vec<serde_json::Value> {
    let o = demo::acme_id();
    let list = h
        .demo_json(&format!("/v4/billing/organisations/{o}/invoices"))
        .await;
    let mut out = Vec::new();
    for inv in list.as_array().unwrap() {
        assert!(inv.get("uptimes").is_none(), "the list has no line items");
        let n = inv["invoice_number"].as_str().unwrap();
        out.push(
            h.demo_json(&format!("/v4/billing/organisations/{o}/invoices/{n}"))
                .await,
        );
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invoice_shows_what_each_application_cost() {
    let h = signed_in().await;
    let o = demo::acme_id();
    let api = demo::app_id("api-gateway");
    let details = acme_details(&h).await;
    let lines = |inv: &serde_json::Value, app: &str| -> f64 {
        let sum = |key: &str| {
            inv[key]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| l["app_id"] == app)
                .map(|l| l["price"].as_f64().unwrap())
                .sum::<f64>()
        };
        sum("uptimes") + sum("countables")
    };
    // The newest invoice: live applications only, and the lines add up.
    let newest = &details[0];
    let n = newest["invoice_number"].as_str().unwrap();
    let page = h.page(&format!("/orgs/{o}/invoices/{n}"), 200).await;
    assert!(page.contains("What each application cost"), "{page}");
    assert!(page.contains("api-gateway"));
    let api_total = app::logic::money::format(lines(newest, &api), "EUR");
    assert!(page.contains(&api_total), "{api_total} not in the page");
    assert!(page.contains("Organisation-wide services"));
    assert!(page.contains("The lines add up to the total excluding tax."));
    assert!(!page.contains("Deleted application"));

    // An invoice older than a year bills applications deleted since, by their id.
    let old = details
        .iter()
        .find(|i| {
            i["uptimes"]
                .as_array()
                .is_some_and(|u| u.len() > 4 && i["discount"] == 0.0)
        })
        .expect("an invoice billing deleted applications");
    let n = old["invoice_number"].as_str().unwrap();
    let page = h.page(&format!("/orgs/{o}/invoices/{n}"), 200).await;
    assert!(page.contains("Deleted application (app_"), "{page}");
    assert!(page.contains("The lines add up to the total excluding tax."));

    // The discounted one says why its lines come to more than its total.
    let discounted = details
        .iter()
        .find(|i| i["discount"] == 10.0)
        .expect("a discounted invoice");
    let n = discounted["invoice_number"].as_str().unwrap();
    let page = h.page(&format!("/orgs/{o}/invoices/{n}"), 200).await;
    assert!(
        page.contains("The invoice applies a discount of 10% to its lines."),
        "{page}"
    );
}

/// The numbers of Acme's documents issued in `year`, from the demo.
async fn acme_numbers_of(h: &Harness, year: i32) -> Vec<String> {
    let o = demo::acme_id();
    let v = h
        .demo_json(&format!(
            "/v4/billing/organisations/{o}/invoices?since={year}-01-01T00:00:00Z&until={}-01-01T00:00:00Z",
            year + 1
        ))
        .await;
    // Issued in the year by their own date (the upstream's `until` is inclusive).
    v.as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["emission_date"]
                .as_str()
                .is_some_and(|d| d.starts_with(&year.to_string()))
        })
        .map(|i| i["invoice_number"].as_str().unwrap().to_owned())
        .collect()
}

/// Opens a ZIP with Python's zipfile: its test result, its entry names, the first bytes of
/// each entry, and the text of index.csv and ERRORS.txt.
pub(super) fn python_unzip(bytes: &[u8]) -> serde_json::Value {
    let dir = std::env::temp_dir().join(format!("zip-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{:x}.zip", bytes.len()));
    std::fs::write(&path, bytes).unwrap();
    let script = r#"
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
out = {"bad": z.testzip(), "names": z.namelist(), "heads": {}, "texts": {}}
for n in z.namelist():
    data = z.read(n)
    out["heads"][n] = data[:5].decode("latin-1")
    if not n.endswith(".pdf"):
        out["texts"][n] = data.decode("utf-8")
print(json.dumps(out))
"#;
    let run = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .expect("python3");
    let _ = std::fs::remove_file(&path);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).unwrap()
}

fn last_full_year() -> i32 {
    time::OffsetDateTime::now_utc().year() - 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_of_pdfs_downloads_as_one_zip() {
    let h = signed_in().await;
    let o = demo::acme_id();
    let year = last_full_year();
    let numbers = acme_numbers_of(&h, year).await;
    assert!(numbers.len() >= 12, "{numbers:?}");
    let page = h
        .page(&format!("/orgs/{o}/invoices?year={year}"), 200)
        .await;
    assert!(
        page.contains(&format!("/download/orgs/{o}/invoices-{year}.zip")),
        "the list links the year's archive"
    );
    let resp = h
        .get(&format!("/download/orgs/{o}/invoices-{year}.zip"))
        .await;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "application/zip");
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("invoices-{o}-{year}.zip"))
    );
    assert!(resp.headers().get("content-encoding").is_none());
    let zip = python_unzip(&resp.bytes().await.unwrap());
    assert!(zip["bad"].is_null(), "{zip}");
    let names: Vec<&str> = zip["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    let pdfs: Vec<&&str> = names.iter().filter(|n| n.ends_with(".pdf")).collect();
    assert_eq!(pdfs.len(), numbers.len(), "{names:?}");
    for n in &numbers {
        assert!(
            pdfs.iter()
                .any(|p| p.contains(n.as_str()) && p.starts_with(&year.to_string())),
            "{n} not in {names:?}"
        );
    }
    for p in &pdfs {
        assert_eq!(zip["heads"][**p], "%PDF-", "{p}");
    }
    let index = zip["texts"]["index.csv"].as_str().unwrap();
    assert_eq!(index.lines().count(), numbers.len() + 1, "{index}");
    assert!(index.starts_with("number,kind,status,issued"));
    assert!(!names.contains(&"ERRORS.txt"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_broken_midway_is_listed_in_errors_and_the_zip_stays_whole() {
    let year = last_full_year();
    let probe = signed_in().await;
    let numbers = acme_numbers_of(&probe, year).await;
    let broken = numbers[3].clone();
    let mut config = server::config::Config::for_tests();
    config.demo.broken_pdf = Some(broken.clone());
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    let o = demo::acme_id();
    let resp = h
        .get(&format!("/download/orgs/{o}/invoices-{year}.zip"))
        .await;
    assert_eq!(resp.status().as_u16(), 200);
    let zip = python_unzip(&resp.bytes().await.unwrap());
    assert!(zip["bad"].is_null(), "{zip}");
    let errors = zip["texts"]["ERRORS.txt"].as_str().expect("ERRORS.txt");
    assert!(errors.contains(&broken), "{errors}");
    assert!(errors.contains("incomplete"), "{errors}");
    let index = zip["texts"]["index.csv"].as_str().unwrap();
    let row = index
        .lines()
        .find(|l| l.starts_with(&broken))
        .expect("its row");
    assert!(row.ends_with("incomplete: see ERRORS.txt"), "{row}");
    // The others are whole.
    let whole = zip["heads"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(n, head)| n.ends_with(".pdf") && *head == "%PDF-")
        .count();
    assert_eq!(whole, numbers.len(), "the broken one keeps its first half");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_year_archive_is_served_there() {
    let h = signed_in().await;
    let o = demo::acme_id();
    for bad in ["invoices-99.zip", "invoices-2025.tar", "whatever"] {
        let resp = h.get(&format!("/download/orgs/{o}/{bad}")).await;
        assert_eq!(resp.status().as_u16(), 404, "{bad}");
    }
    let resp = h.get("/download/orgs/bad%20id/invoices-2025.zip").await;
    assert_eq!(resp.status().as_u16(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_read_as_words_with_the_raw_value_in_a_tooltip() {
    let h = signed_in().await;
    let o = demo::acme_id();
    let page = h.page(&format!("/orgs/{o}/invoices"), 200).await;
    for (words, raw) in [
        ("Payment held", "PAYMENTHELD"),
        ("Won't pay", "WONTPAY"),
        ("Refunded", "REFUNDED"),
    ] {
        let badge = format!("<span title=\"{raw}\" class=\"badge ");
        let at = page
            .find(&badge)
            .unwrap_or_else(|| panic!("no badge for {raw}"));
        let label = &page[at + badge.len()..];
        let label = &label[label.find('>').unwrap() + 1..];
        assert!(
            label.starts_with(words),
            "{raw}: {}",
            &label[..40.min(label.len())]
        );
    }
    assert!(
        !page.contains(">PAYMENTHELD<"),
        "never the raw value as the label"
    );
}
