//! Log drains through the dashboard: every endpoint against the demo, secrets masked.

use super::harness::Harness;
use demo_upstream as demo;

fn page_path(query: &str) -> String {
    format!(
        "/orgs/{}/resources/{}/drains{query}",
        demo::acme_id(),
        demo::app_id("api-gateway")
    )
}

fn first_drain_of(page: &str, kind: &str) -> String {
    let at = page
        .find(&format!("<strong>{kind}<!></strong>"))
        .expect("drain shown");
    let rest = &page[at..];
    let id = rest.split("<code class=\"muted\">").nth(1).expect("id");
    id.split('<').next().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drains_show_their_health_and_never_a_secret_in_full() {
    let h = Harness::start().await;
    h.login("demo").await;
    let page = h.page(&page_path(""), 200).await;
    for kind in [
        "DATADOG",
        "ELASTICSEARCH",
        "NEWRELIC",
        "OVH_TCP",
        "RAW_HTTP",
        "SYSLOG_TCP",
        "SYSLOG_UDP",
        "BETTERSTACK",
    ] {
        assert!(
            page.contains(&format!("<strong>{kind}<!></strong>")),
            "{kind}"
        );
    }
    for secret in [
        "es-demo-password",
        "NRAK-DEMO0123456789ABCDEF",
        "ovh-demo-token-1234",
        "raw-demo-password",
        "bs-demo-source-token-5678",
        "dd-api-key=demo",
    ] {
        assert!(!page.contains(secret), "{secret} shown");
    }
    assert!(page.contains("pending messages") && page.contains("msg/s") && page.contains("KiB/s"));
    assert!(page.contains("Retry attempts") && page.contains("Last error"));
    assert!(
        page.contains("class=\"drain attention\""),
        "retrying drains stand out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_filters_are_forwarded() {
    let h = Harness::start().await;
    h.login("demo").await;
    h.upstream_requests().await;
    let page = h
        .page(
            &page_path("?status=DISABLED&executionStatus=NOT_RUNNING"),
            200,
        )
        .await;
    let seen = h.upstream_requests().await;
    assert!(
        seen.iter()
            .any(|r| r.ends_with("/drains?status=DISABLED&executionStatus=NOT_RUNNING")),
        "{seen:?}"
    );
    assert!(page.contains("<strong>SYSLOG_UDP<!></strong>"));
    assert!(!page.contains("<strong>DATADOG<!></strong>"));
    let bad = h.page(&page_path("?status=BROKEN"), 400).await;
    assert!(bad.contains("Unknown drain status: BROKEN"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_checks_fields_then_creates_and_settles() {
    let h = Harness::start().await;
    h.login("demo").await;
    let (o, r) = (demo::acme_id(), demo::app_id("api-gateway"));
    h.upstream_requests().await;
    let (status, body) = h
        .call(
            "drain_create",
            &[
                ("owner", &o),
                ("resource", &r),
                ("recipient_type", "NEWRELIC"),
                ("url", "ftp://x"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("api_key") && body.contains("URL must start with"),
        "{body}"
    );
    assert!(
        !h.upstream_requests()
            .await
            .iter()
            .any(|r| r.starts_with("POST")),
        "an invalid form never reaches the upstream"
    );
    let (status, body) = h
        .call(
            "drain_create",
            &[
                ("owner", &o),
                ("resource", &r),
                ("recipient_type", "ELASTICSEARCH"),
                ("kind", "ACCESSLOG"),
                ("url", "https://es.example.org/_bulk"),
                ("index", "web"),
                ("password", "very-secret-password"),
                ("tls_verification", "TRUSTFUL"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("ENABLING") && !body.contains("very-secret-password"),
        "{body}"
    );
    let seen = h.upstream_requests().await;
    assert!(
        seen.iter()
            .any(|r| r.starts_with("POST") && r.ends_with("/drains")),
        "{seen:?}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    let page = h.page(&page_path("?status=ENABLED"), 200).await;
    assert!(page.contains("es.example.org"), "settled to ENABLED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_form_comes_back_filled_with_its_first_bad_field_focused() {
    let h = Harness::start().await;
    h.login("demo").await;
    let (o, r) = (demo::acme_id(), demo::app_id("api-gateway"));
    let from = page_path("?new=RAW_HTTP");
    let resp = h
        .post_form(
            "drain_create",
            &from,
            &[
                ("owner", &o),
                ("resource", &r),
                ("recipient_type", "RAW_HTTP"),
                ("kind", "LOG"),
                ("url", "ftp://nowhere.example"),
                ("username", "kept-user"),
                ("password", "never-sent-back"),
            ],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 302);
    // No fragment: it would cancel the page's `autofocus` on the field to correct.
    let back = super::harness::location(&resp).to_owned();
    assert!(!back.contains('#'), "{back}");
    let page = h.navigate(&from, 200).await;
    assert!(page.contains("The drain was not created"), "the summary");
    let url_input = page
        .split("<input")
        .find(|i| i.contains(r#"id="new-url""#))
        .expect("url field");
    assert!(url_input.contains("autofocus"), "{url_input}");
    assert!(url_input.contains(r#"aria-invalid="true""#), "{url_input}");
    assert!(url_input.contains("ftp://nowhere.example"), "value kept");
    assert!(
        page.contains(r#"id="new-url-error""#),
        "message beside the field"
    );
    assert!(page.contains("kept-user"), "other values kept");
    assert!(!page.contains("never-sent-back"), "a secret is typed again");

    // Created: back to #outcome, the notice of the result.
    let resp = h
        .post_form(
            "drain_create",
            &from,
            &[
                ("owner", &o),
                ("resource", &r),
                ("recipient_type", "RAW_HTTP"),
                ("kind", "LOG"),
                ("url", "https://fine.example/in"),
            ],
        )
        .await;
    let back = super::harness::location(&resp).to_owned();
    assert!(back.ends_with("#outcome"), "{back}");
    let page = h.navigate(&from, 200).await;
    assert_eq!(page.matches(r#"id="outcome""#).count(), 1, "one notice");
    assert!(page.contains("created; it is being enabled"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_action_reaches_the_upstream() {
    let h = Harness::start().await;
    h.login("demo").await;
    let (o, r) = (demo::acme_id(), demo::app_id("api-gateway"));
    let page = h.page(&page_path(""), 200).await;
    let id = first_drain_of(&page, "RAW_HTTP");
    h.upstream_requests().await;
    for (action, method, suffix, says) in [
        ("disable", "PUT", "/disable", "being disabled"),
        ("enable", "PUT", "/enable", "being enabled"),
        ("reset", "PATCH", "/reset-cursor", "latest position"),
        ("delete", "DELETE", "", "deleted"),
    ] {
        let (status, body) = h
            .call(
                "drain_action",
                &[
                    ("owner", &o),
                    ("resource", &r),
                    ("drain", &id),
                    ("action", action),
                ],
            )
            .await;
        assert_eq!(status, 200, "{action}: {body}");
        assert!(body.contains(says), "{body}");
        let seen = h.upstream_requests().await;
        let want = format!("{method} ");
        assert!(
            seen.iter()
                .any(|s| s.starts_with(&want) && s.ends_with(&format!("/drains/{id}{suffix}"))),
            "{action}: {seen:?}"
        );
    }
    let (status, _) = h
        .call(
            "drain_action",
            &[
                ("owner", &o),
                ("resource", &r),
                ("drain", "../x"),
                ("action", "delete"),
            ],
        )
        .await;
    assert_eq!(status, 400, "a malformed id is refused before any call");
    let after = h.page(&page_path(""), 200).await;
    assert!(!after.contains(&id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_command_has_placeholders_for_secrets() {
    let h = Harness::start().await;
    h.login("demo").await;
    let page = h.page(&page_path(""), 200).await;
    let id = first_drain_of(&page, "RAW_HTTP");
    let shown = h.page(&page_path(&format!("?test={id}")), 200).await;
    assert!(shown.contains("curl"), "test command shown");
    assert!(!shown.contains("raw-demo-password"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_test_command_shows_a_secret_the_list_masks() {
    let h = Harness::start().await;
    h.login("demo").await;
    let (o, a) = (demo::acme_id(), demo::app_id("api-gateway"));
    // The drains as the upstream holds them, secrets in clear.
    let raw = h
        .demo_json(&format!(
            "/v4/drains/organisations/{o}/resources/{a}/drains"
        ))
        .await;
    let drains = raw.as_array().expect("a list").clone();
    assert!(drains.len() >= 8, "every kind is seeded");
    for d in drains {
        let id = d["id"].as_str().expect("id");
        let kind = d["recipient"]["type"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let r = &d["recipient"];
        let mut secrets: Vec<String> = ["password", "apiKey", "token", "sourceToken"]
            .iter()
            .filter_map(|k| r[*k].as_str().map(str::to_owned))
            .collect();
        let url = r["url"].as_str().unwrap_or_default();
        secrets.extend(
            url.split_once('?')
                .map(|(_, q)| {
                    q.split('&')
                        .filter_map(|kv| kv.split_once('='))
                        .map(|(_, v)| v.to_owned())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        );
        if let Some(sd) = r["rfc5424StructuredDataParameters"].as_str() {
            secrets.push(
                sd.split_once('=')
                    .map_or(sd, |(_, v)| v)
                    .trim_matches('"')
                    .to_owned(),
            );
        }
        let upstream = reqwest::Client::new()
            .get(
                h.upstream
                    .join(&format!(
                        "/v4/drains/organisations/{o}/resources/{a}/drains/{id}/test-command"
                    ))
                    .expect("url"),
            )
            .bearer_auth("demo")
            .send()
            .await
            .expect("command")
            .text()
            .await
            .unwrap_or_default();
        let resp = h
            .http
            .post(h.url("/api/drain_test"))
            .form(&[
                ("owner", o.as_str()),
                ("resource", a.as_str()),
                ("drain", id),
            ])
            .send()
            .await
            .expect("test command");
        assert_eq!(resp.status(), 200, "{kind}");
        let shown = resp.text().await.unwrap_or_default();
        for s in secrets.iter().filter(|s| s.len() >= 4) {
            // (Elasticsearch's password travels in base64, checked below.)
            assert!(
                upstream.contains(s.as_str()) || upstream.contains("Basic "),
                "the demo's {kind} command carries {s}"
            );
            assert!(!shown.contains(s.as_str()), "{kind} shows {s}: {shown}");
        }
        assert!(
            shown.contains('<') || secrets.is_empty(),
            "{kind}: placeholders: {shown}"
        );
        // Basic authentication's base64 of elastic:es-demo-password.
        assert!(
            !shown.contains("ZWxhc3RpYzplcy1kZW1vLXBhc3N3b3Jk"),
            "{kind}: {shown}"
        );
    }
}
