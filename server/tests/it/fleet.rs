//! The fleet board (`/`): every attention rule on the demo's world with its link, the bound
//! on upstream calls, and an organisation that cannot be read shown as a gap.

use super::harness::Harness;
use demo_upstream as demo;
use server::config::Config;

/// The `<section id="attention">` of a page, up to its end.
fn attention_of(page: &str) -> &str {
    let start = page
        .find("<section id=\"attention\"")
        .expect("the attention section");
    let rest = &page[start..];
    &rest[..rest.find("</section>").expect("its end")]
}

/// Every list item of the attention section: its link and its text (markers removed).
fn entries(section: &str) -> Vec<(String, String)> {
    section
        .split("<li")
        .skip(1)
        .map(|li| {
            let href = li
                .split("href=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .expect("a link in every entry")
                .replace("&amp;", "&");
            let mut text = String::new();
            // The chunk starts inside the `<li` tag.
            let mut in_tag = true;
            for c in li[..li.find("</li>").unwrap_or(li.len())].chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            (href, text.replace("&#x27;", "'").replace("&amp;", "&"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_attention_rule_appears_with_its_link_most_severe_first() {
    let h = Harness::start().await;
    h.login("demo").await;
    let home = h.page("/", 200).await;
    let found = entries(attention_of(&home));
    let (me, acme, globex, hostile) = (
        demo::user_id(),
        demo::acme_id(),
        demo::globex_id(),
        demo::hostile_id(),
    );
    let app = |owner: &str, name: &str, sub: &str| {
        format!("/orgs/{owner}/apps/{}{sub}", demo::app_id(name))
    };
    let expected: Vec<(String, &str)> = vec![
        (
            app(&me, "portfolio", "/instances"),
            "Critical portfolio should be up, but no instance is up.",
        ),
        (
            app(&hostile, "\"><img src=x onerror=alert(1)>", ""),
            "is moderated by Clever Cloud",
        ),
        (
            format!("/orgs/{globex}/invoices"),
            "Critical search is stopped for an unpaid invoice.",
        ),
        (
            app(&me, "portfolio", "/deployments/"),
            "Warning The latest deployment of portfolio failed",
        ),
        (
            app(&acme, "web-frontend", "/instances"),
            "Warning web-frontend has 2 instances up of at least 4.",
        ),
        (
            app(&acme, "billing-worker", "/deployments/"),
            "Warning A deployment of billing-worker has been in progress for 47 min.",
        ),
        (
            format!(
                "/orgs/{acme}/resources/{}/drains",
                demo::app_id("api-gateway")
            ),
            "Warning api-gateway: 1 log drain is disabled",
        ),
        (
            format!(
                "/orgs/{acme}/resources/{}/drains",
                demo::real_id("postgresql", "main-db")
            ),
            "Warning main-db: 1 log drain is disabled",
        ),
        (
            format!(
                "/orgs/{acme}/resources/{}/drains",
                demo::real_id("postgresql", "main-db")
            ),
            "Notice main-db: 1 log drain is retrying",
        ),
        (
            format!(
                "/orgs/{acme}/operators/keycloak/{}",
                demo::real_id("keycloak", "auth")
            ),
            "Notice auth (Keycloak) can be updated from",
        ),
        (
            "/login".to_owned(),
            "Notice Your sign-in credentials expire on",
        ),
    ];
    for (href, text) in &expected {
        assert!(
            found
                .iter()
                .any(|(h, t)| h.starts_with(href.as_str()) && t.contains(text)),
            "no entry {text:?} linking {href}: {found:#?}"
        );
    }
    // Most severe first.
    let rank = |t: &str| {
        ["Critical", "Warning", "Notice"]
            .iter()
            .position(|s| t.starts_with(s))
    };
    let ranks: Vec<_> = found
        .iter()
        .map(|(_, t)| rank(t).expect("a severity"))
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{found:#?}");
    // Healthy ones are not there, and the markup from upstream names stays text.
    assert!(
        !found.iter().any(|(_, t)| t.contains("legacy-cron")),
        "{found:#?}"
    );
    assert!(!home.contains("<img src=x"));
    // The user menu says when the token ends.
    assert!(
        home.contains("Signed in with an API token · until 20"),
        "token expiry in the menu"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_shows_every_owner_and_filters_to_what_needs_attention() {
    let h = Harness::start().await;
    h.login("demo").await;
    let home = h.page("/", 200).await;
    for name in [
        "Personal space",
        "Acme Corp",
        "Globex Corporation",
        "legacy-cron",
        "api-gateway",
    ] {
        assert!(home.contains(name), "{name}");
    }
    // The row of a healthy application: instances up of the minimum, its latest deployment
    // with its author and commit.
    assert!(home.contains("2 / 2"), "api-gateway's instances");
    assert!(home.contains("by Ada Lovelace"), "the author");
    // Each organisation's requests of the day, drawn and said.
    let words = "requests in the last 24 hours, ";
    assert_eq!(home.matches(words).count(), 4, "one sparkline per owner");
    assert!(home.contains("% answered with a 5xx error"));
    let only = h.page("/?attention=1", 200).await;
    assert!(only.contains("checked"), "the filter stays ticked");
    let main = &only[only.find("<main").expect("main")..];
    let tables = &main[..main.find("<section id=\"attention\"").expect("attention")];
    assert!(
        !tables.contains(">legacy-cron<"),
        "a stopped application needs nothing"
    );
    assert!(tables.contains(">web-frontend<") && tables.contains(">main-db<"));
    assert!(tables.contains(">auth<"), "an operator with an update");
    assert!(!tables.contains(">analytics<"), "Matomo: nothing to say");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_stays_within_its_upstream_call_bound() {
    let h = Harness::start().await;
    h.login("demo").await;
    let summary = h.demo_json("/v2/summary").await;
    let owners = 1 + summary["organisations"].as_array().map_or(0, Vec::len);
    let count = |key: &str| {
        summary["user"][key].as_array().map_or(0, Vec::len)
            + summary["organisations"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|o| o[key].as_array().map_or(0, Vec::len))
                .sum::<usize>()
    };
    let (apps, addons) = (count("applications"), count("addons"));
    h.upstream_requests().await;
    h.page("/", 200).await;
    let calls = h.upstream_requests().await;
    let bound = 2 + 2 * owners + 3 * apps + 2 * addons;
    assert!(
        calls.len() <= bound,
        "{} calls, bound {bound}: {calls:#?}",
        calls.len()
    );
    // One organisation-wide deployments call per owner, never one per application.
    let deployments = calls.iter().filter(|c| c.contains("/deployments")).count();
    assert_eq!(deployments, owners, "{calls:#?}");
    assert!(
        calls
            .iter()
            .all(|c| !c.contains("/v4/orchestration/") || c.contains("excludeDeleted=true"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organisation_that_cannot_be_read_is_a_named_gap_and_the_others_render() {
    let mut config = Config::for_tests();
    config.demo.broken_owner = Some(demo::globex_id());
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    let home = h.page("/", 200).await;
    let globex = &home[home
        .find(&format!("data-owner=\"{}\"", demo::globex_id()))
        .expect("globex section")..];
    let globex = &globex[..globex.find("</section>").expect("its end")];
    assert!(globex.contains("could not be read"), "{globex}");
    assert!(!globex.contains("<table"), "no table that looks healthy");
    assert!(home.contains(">api-gateway<"), "Acme still renders");
    let attention = attention_of(&home);
    assert!(
        attention.contains("Globex Corporation could not be read"),
        "{attention}"
    );
}

/// Disables then enables a drain of api-gateway through the dashboard: two audit events.
async fn two_actions(h: &Harness) -> String {
    let (o, a) = (demo::acme_id(), demo::app_id("api-gateway"));
    let drains = h
        .demo_json(&format!(
            "/v4/drains/organisations/{o}/resources/{a}/drains"
        ))
        .await;
    let drain = drains[0]["id"].as_str().expect("a drain").to_owned();
    for action in ["disable", "enable"] {
        let (status, body) = h
            .call(
                "drain_action",
                &[
                    ("owner", &o),
                    ("resource", &a),
                    ("drain", &drain),
                    ("action", action),
                ],
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    drain
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_activity_merges_deployments_and_dashboard_actions_with_filters() {
    let h = Harness::start().await;
    h.login("demo").await;
    let acme = demo::acme_id();
    let path = format!("/orgs/{acme}/activity");
    let home = h.page("/", 200).await;
    assert!(
        home.contains(&format!("href=\"{path}\"")),
        "linked from the board"
    );
    let drain = two_actions(&h).await;
    h.upstream_requests().await;
    let page = h.page(&path, 200).await;
    // Three upstream calls: the summary (the navigation's, which also gives the page its
    // names: asked once per request), members (authors' names) and the organisation's
    // deployments.
    let calls = h.upstream_requests().await;
    assert_eq!(calls.len(), 3, "{calls:#?}");
    assert_eq!(
        calls.iter().filter(|c| c.ends_with("/v2/summary")).count(),
        1,
        "{calls:#?}"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.ends_with(&format!("/v2/organisations/{acme}/members")))
    );
    assert!(
        page.contains("drain.enable") && page.contains("drain.disable"),
        "the actions"
    );
    assert!(
        page.contains(&format!("api-gateway (drains/{drain})")),
        "named by their application"
    );
    assert!(page.contains("This dashboard") && page.contains("Deployment"));
    assert!(page.contains("Ada Lovelace"), "the actor");
    // Newest first: the enable came after the disable.
    assert!(page.find("drain.enable") < page.find("drain.disable"));
    let count = |p: &str| p.matches("<tr data-source=").count();
    let all = count(&page);
    let only_dashboard = h.page(&format!("{path}?kind=dashboard"), 200).await;
    assert_eq!(count(&only_dashboard), 2);
    let web = demo::app_id("web-frontend");
    let one_app = h.page(&format!("{path}?app={web}"), 200).await;
    assert!(count(&one_app) > 0 && count(&one_app) < all);
    assert!(!one_app.contains("drain.enable"));
    let failed = h.page(&format!("{path}?state=FAILED"), 200).await;
    assert!(count(&failed) > 0 && count(&failed) < all);
    let none = h
        .page(&format!("{path}?since=2000-01-01&until=2000-01-02"), 200)
        .await;
    assert!(none.contains("Nothing happened that matches these filters."));
    let bad = h
        .page(&format!("{path}?since=yesterday&state=BROKEN"), 400)
        .await;
    assert!(
        bad.contains("Since must be a date like 2024-01-31"),
        "{bad}"
    );
    assert!(bad.contains("State must be one of"), "{bad}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_activity_csv_has_every_deployment_and_action() {
    let h = Harness::start().await;
    h.login("demo").await;
    two_actions(&h).await;
    let acme = demo::acme_id();
    let resp = h.get(&format!("/download/orgs/{acme}/activity.csv")).await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let csv = resp.text().await.expect("csv");
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("time,actor,event,target,state,source"));
    let rows: Vec<&str> = lines.collect();
    let deployments = h
        .demo_json(&format!("/v2/organisations/{acme}/deployments?limit=50"))
        .await;
    let upstream: usize = deployments
        .as_object()
        .expect("a map")
        .values()
        .map(|l| l.as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(
        rows.len(),
        upstream + 2,
        "every deployment and both actions"
    );
    assert_eq!(rows.iter().filter(|r| r.ends_with(",dashboard")).count(), 2);
    assert!(
        rows.iter().all(|r| r.starts_with("20")),
        "ISO 8601 times first"
    );
    assert!(rows.iter().any(|r| r.contains(",FAILED,deployment")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_actions_are_kept_sealed_in_the_shared_store_for_every_replica() {
    let redis = super::redis::RedisServer::start();
    let portal = || {
        let mut c = Config::for_tests();
        c.session_store = Some(redis.url().parse().expect("url"));
        c.secret_key = Some(
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
                .parse()
                .expect("key"),
        );
        c
    };
    let a = Harness::start_with(portal()).await;
    a.login("demo").await;
    two_actions(&a).await;
    let b = a.replica(portal()).await;
    let page = b
        .page(
            &format!("/orgs/{}/activity?kind=dashboard", demo::acme_id()),
            200,
        )
        .await;
    assert_eq!(
        page.matches("<tr data-source=").count(),
        2,
        "read from the other replica"
    );
    let keys = String::from_utf8(redis.cli(&["KEYS", "ccd:audit:*"])).expect("keys");
    let key = keys.lines().next().expect("the trail");
    let dump = redis.cli(&["LRANGE", key, "0", "-1"]);
    let seen = |n: &str| dump.windows(n.len()).any(|w| w == n.as_bytes());
    assert!(
        !seen("drain.enable") && !seen("Ada Lovelace"),
        "sealed at rest"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_makes_at_most_eight_calls_at_once_for_a_session() {
    let mut config = Config::for_tests();
    config.demo.latency_ms = 60;
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    let url = h.upstream.join("/demo/concurrency").expect("url");
    let http = reqwest::Client::new();
    http.delete(url.clone()).send().await.expect("reset");
    // Two tabs of the same session at once share the bound.
    let (a, b) = futures::join!(h.page("/", 200), h.page("/", 200));
    assert!(a.contains("Needs attention") && b.contains("Needs attention"));
    let peak: serde_json::Value = http
        .get(url)
        .send()
        .await
        .expect("peak")
        .json()
        .await
        .expect("json");
    let peak = peak["api"].as_u64().expect("api peak");
    // Eight for the boards, and each tab's navigation summary before its board starts.
    assert!(peak <= 8 + 2, "{peak} calls at once");
    assert!(peak >= 4, "the calls do run concurrently: {peak}");
}
