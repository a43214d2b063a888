//! Zones, operator panels and Pulsar policies through the dashboard, against the demo.

use super::harness::Harness;
use demo_upstream as demo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zones_map_and_table_with_filters() {
    let h = Harness::start().await;
    h.login("demo").await;
    let land = h.get("/map/land.svg").await;
    assert_eq!(land.status(), 200);
    assert_eq!(land.headers()["content-type"], "image/svg+xml");
    let svg = land.text().await.unwrap_or_default();
    assert!(svg.matches('M').count() > 100, "coastline rings drawn");
    h.upstream_requests().await;
    let page = h.page("/zones", 200).await;
    let markers = page.matches("class=\"marker public\"").count();
    assert!(markers >= 6, "{markers} markers");
    assert!(
        !page.contains("marker private"),
        "no private zone without an owner"
    );
    // Countries by their code, not by emoji flags (which need a font many systems lack).
    assert!(page.contains(r#"class="cc">FR<"#), "France shown as FR");
    assert!(!page.contains("🇫🇷") && page.contains("infra:clever-cloud"));
    let page = h
        .page(
            &format!("/zones?ownerId={}&tag=region:eu", demo::acme_id()),
            200,
        )
        .await;
    let seen = h.upstream_requests().await;
    assert!(
        seen.iter().any(|r| r.ends_with(&format!(
            "/zones?tag=region%3Aeu&ownerId={}",
            demo::acme_id()
        ))),
        "{seen:?}"
    );
    assert!(
        page.contains("marker private"),
        "the owner's private zone shows"
    );
    let bad = h.page("/zones?tag=%3Cx%3E", 400).await;
    assert!(bad.contains("Tag must look like region:eu"));
    let one = h.page("/zones/par", 200).await;
    assert_eq!(one.matches("class=\"marker ").count(), 1);
    h.page("/zones/nowhere", 404).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_panels_show_their_kinds_fields_only() {
    let h = Harness::start().await;
    h.login("demo").await;
    let o = demo::acme_id();
    let kc = demo::real_id("keycloak", "auth");
    let page = h
        .page(&format!("/orgs/{o}/operators/keycloak/{kc}"), 200)
        .await;
    assert!(page.contains("Java version") && page.contains("Initial credentials"));
    assert!(page.contains("Network group") && page.contains("Installed"));
    assert!(!page.contains("PHP version") && !page.contains("Admin API"));
    assert!(page.contains("/logs\""), "the entrypoint's logs");
    let mt = demo::real_id("matomo", "analytics");
    let page = h
        .page(&format!("/orgs/{o}/operators/matomo/{mt}"), 200)
        .await;
    assert!(page.contains("PHP version"));
    assert!(
        !page.contains("Java version")
            && !page.contains("Network group")
            && !page.contains("Installed")
    );
    let oto = demo::real_id("otoroshi", "gateway");
    let page = h
        .page(&format!("/orgs/{o}/operators/otoroshi/{oto}"), 200)
        .await;
    assert!(page.contains("Admin API") && page.contains("OpenAPI") && page.contains("config.yaml"));
    // A matomo id under the keycloak path: 404 and no upstream call; a malformed id: 400.
    h.upstream_requests().await;
    h.page(&format!("/orgs/{o}/operators/keycloak/{mt}"), 404)
        .await;
    h.page(&format!("/orgs/{o}/operators/keycloak/bad%20id"), 400)
        .await;
    h.page(&format!("/orgs/{o}/operators/nosuchkind/{kc}"), 404)
        .await;
    let seen = h.upstream_requests().await;
    assert!(
        !seen.iter().any(|r| r.contains("addon-providers")),
        "{seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_masked_until_revealed() {
    let h = Harness::start().await;
    h.login("demo").await;
    let o = demo::acme_id();
    let kc = demo::real_id("keycloak", "auth");
    let (status, body) = h
        .call(
            "operator",
            &[("owner", &o), ("kind", "keycloak"), ("id", &kc)],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let masked = v["operator"]["initialCredentials"]["password"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(masked.starts_with("••••••"), "{masked}");
    let (status, secret) = h
        .call(
            "operator_secret",
            &[
                ("owner", &o),
                ("kind", "keycloak"),
                ("id", &kc),
                ("which", "credentials"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(!secret.contains('•') && secret.len() > 8, "{secret}");
    let page = h
        .page(
            &format!("/orgs/{o}/operators/keycloak/{kc}?reveal=credentials"),
            200,
        )
        .await;
    assert!(
        page.contains(secret.trim_matches('"')),
        "revealed on the page"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_is_revealed_to_a_recent_sign_in_only() {
    let mut config = server::config::Config::for_tests();
    config.reveal_within_minutes = 1.5 / 60.0;
    let h = Harness::start_with(config).await;
    h.login("demo").await;
    let o = demo::acme_id();
    let kc = demo::real_id("keycloak", "auth");
    let args = [
        ("owner", o.as_str()),
        ("kind", "keycloak"),
        ("id", kc.as_str()),
        ("which", "credentials"),
    ];
    let ask = || h.call("operator_secret", &args);
    assert_eq!(ask().await.0, 200, "just signed in");
    tokio::time::sleep(std::time::Duration::from_millis(1800)).await;
    let (status, answer) = ask().await;
    assert_eq!(status, 400);
    assert!(answer.contains("Sign in again"), "{answer}");
    let path = format!("/orgs/{o}/operators/keycloak/{kc}?reveal=credentials");
    let resp = h.get(&path).await;
    assert_eq!(resp.status().as_u16(), 303);
    let to = super::harness::location(&resp).to_owned();
    assert!(
        to.starts_with("/login?next=") && to.ends_with("reason=reauth"),
        "{to}"
    );
    assert!(
        to.contains("reveal%3Dcredentials"),
        "back to the secret: {to}"
    );
    // Without the secret the page is still there; after a new sign-in the secret is too.
    h.page(&format!("/orgs/{o}/operators/keycloak/{kc}"), 200)
        .await;
    h.login("demo").await;
    assert_eq!(ask().await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operator_action_reaches_the_upstream() {
    let h = Harness::start().await;
    h.login("demo").await;
    let o = demo::acme_id();
    let kc = demo::real_id("keycloak", "auth");
    let page = h
        .page(&format!("/orgs/{o}/operators/keycloak/{kc}"), 200)
        .await;
    let latest = page
        .split("latest <strong>")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("latest version")
        .to_owned();
    h.upstream_requests().await;
    for (action, version, method, suffix) in [
        ("reboot", "", "POST", "/reboot"),
        ("rebuild", "", "POST", "/rebuild"),
        ("update", latest.as_str(), "POST", "/version/update"),
        ("network_off", "", "DELETE", "/networkgroup"),
        ("network_on", "", "POST", "/networkgroup"),
    ] {
        let (status, body) = h
            .call(
                "operator_action",
                &[
                    ("owner", &o),
                    ("kind", "keycloak"),
                    ("id", &kc),
                    ("action", action),
                    ("version", version),
                ],
            )
            .await;
        assert_eq!(status, 200, "{action}: {body}");
        let seen = h.upstream_requests().await;
        assert!(
            seen.iter()
                .any(|r| r.starts_with(method) && r.ends_with(suffix)),
            "{action}: {seen:?}"
        );
    }
    let (status, body) = h
        .call(
            "operator_action",
            &[
                ("owner", &o),
                ("kind", "keycloak"),
                ("id", &kc),
                ("action", "update"),
                ("version", "0.0.0-nope"),
            ],
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let mt = demo::real_id("matomo", "analytics");
    let (status, _) = h
        .call(
            "operator_action",
            &[
                ("owner", &o),
                ("kind", "matomo"),
                ("id", &mt),
                ("action", "network_on"),
            ],
        )
        .await;
    assert_eq!(status, 400, "matomo has no network group");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn otoroshi_config_is_a_streamed_attachment() {
    let h = Harness::start().await;
    h.login("demo").await;
    let o = demo::acme_id();
    let oto = demo::real_id("otoroshi", "gateway");
    let resp = h
        .get(&format!(
            "/download/orgs/{o}/operators/otoroshi/{oto}/config.yaml"
        ))
        .await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("application/yaml")
    );
    assert_eq!(
        resp.headers()["content-disposition"],
        format!("attachment; filename=\"otoroshi-{oto}-config.yaml\"").as_str()
    );
    assert!(resp.headers().get("set-cookie").is_none());
    let kc = demo::real_id("keycloak", "auth");
    let wrong = h
        .get(&format!(
            "/download/orgs/{o}/operators/otoroshi/{kc}/config.yaml"
        ))
        .await;
    assert_eq!(wrong.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_pulsar_field_is_marked_kept_and_focused() {
    let h = Harness::start().await;
    h.login("demo").await;
    let (o, p) = (demo::acme_id(), demo::real_id("pulsar", "events"));
    let page = format!("/orgs/{o}/pulsar/{p}");
    // Every policy not set, but a retention time that is not a number.
    let mut fields: Vec<(String, String)> =
        vec![("owner".into(), o.clone()), ("id".into(), p.clone())];
    for prefix in [
        "retention_size",
        "retention_duration",
        "offload_size",
        "offload_duration",
    ] {
        let bad = prefix == "retention_duration";
        let unit = if prefix.ends_with("size") {
            "GiB"
        } else {
            "days"
        };
        fields.push((
            format!("{prefix}_mode"),
            if bad { "value" } else { "unset" }.into(),
        ));
        fields.push((
            format!("{prefix}_amount"),
            if bad { "12x" } else { "" }.into(),
        ));
        fields.push((format!("{prefix}_unit"), unit.into()));
    }
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let resp = h.post_form("pulsar_save", &page, &form).await;
    assert_eq!(resp.status().as_u16(), 302);
    assert!(!super::harness::location(&resp).contains('#'));
    let shown = h.navigate(&page, 200).await;
    let amount = shown
        .split("<input")
        .find(|i| i.contains(r#"name="retention_duration_amount""#))
        .expect("the field");
    assert!(
        amount.contains("autofocus") && amount.contains(r#"aria-invalid="true""#),
        "{amount}"
    );
    assert!(
        amount.contains(r#"value="12x""#),
        "what was typed is kept: {amount}"
    );
    assert!(
        shown.contains(r#"id="retention_duration-error""#),
        "its message beside it"
    );
    assert!(shown.contains("Nothing was saved"), "and in the summary");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pulsar_policies_are_patched_with_only_what_changed() {
    let h = Harness::start().await;
    h.login("demo").await;
    let o = demo::acme_id();
    let p = demo::real_id("pulsar", "events");
    let page = h.page(&format!("/orgs/{o}/pulsar/{p}"), 200).await;
    assert!(page.contains("Current policies") && page.contains("Retention"));
    let (_, current) = h.call("pulsar", &[("owner", &o), ("id", &p)]).await;
    let cur: app::model::pulsar::StoragePolicies =
        serde_json::from_str(&current).expect("policies");
    let shown = |v: Option<i64>, units: &[(&str, i64)]| app::logic::pulsar::show(v, units);
    use app::logic::pulsar::{DURATION_UNITS, SIZE_UNITS};
    let r = cur.retention_policies.unwrap_or_default();
    let off = cur.offload_policies.unwrap_or_default();
    let (rs, rd, os, od) = (
        shown(r.size_in_bytes, &SIZE_UNITS),
        shown(r.duration_in_minutes, &DURATION_UNITS),
        shown(off.size_in_bytes, &SIZE_UNITS),
        shown(off.duration_in_minutes, &DURATION_UNITS),
    );
    h.upstream_requests().await;
    // Change only the retention time, to 3 days.
    let (status, body) = h
        .call(
            "pulsar_save",
            &[
                ("owner", &o),
                ("id", &p),
                ("retention_size_mode", &rs.mode),
                ("retention_size_amount", &rs.amount),
                ("retention_size_unit", &rs.unit),
                ("retention_duration_mode", "value"),
                ("retention_duration_amount", "3"),
                ("retention_duration_unit", "days"),
                ("offload_size_mode", &os.mode),
                ("offload_size_amount", &os.amount),
                ("offload_size_unit", &os.unit),
                ("offload_duration_mode", &od.mode),
                ("offload_duration_amount", &od.amount),
                ("offload_duration_unit", &od.unit),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    assert_eq!(
        v["sent"].as_str(),
        Some(r#"{"retentionPolicies":{"durationInMinutes":4320}}"#),
        "{body}"
    );
    assert_eq!(v["saved"]["retentionPolicies"]["durationInMinutes"], 4320);
    let seen = h.upstream_requests().await;
    assert_eq!(seen.iter().filter(|r| r.starts_with("PATCH")).count(), 1);
    let _ = rd;
    // Bad values: a message each, nothing sent.
    let (_, body) = h
        .call(
            "pulsar_save",
            &[
                ("owner", &o),
                ("id", &p),
                ("retention_size_mode", "value"),
                ("retention_size_amount", "-4"),
                ("retention_size_unit", "GiB"),
                ("retention_duration_mode", "value"),
                ("retention_duration_amount", "x"),
                ("retention_duration_unit", "days"),
                ("offload_size_mode", "unset"),
                ("offload_size_amount", ""),
                ("offload_size_unit", "GiB"),
                ("offload_duration_mode", "unlimited"),
                ("offload_duration_amount", ""),
                ("offload_duration_unit", "days"),
            ],
        )
        .await;
    assert!(
        body.contains("Retention size must be a number")
            && body.contains("Retention time must be a number"),
        "{body}"
    );
    assert!(
        !h.upstream_requests()
            .await
            .iter()
            .any(|r| r.starts_with("PATCH"))
    );
    h.page(&format!("/orgs/{o}/pulsar/keycloak_1"), 404).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_posted_without_script_shows_its_outcome_once_on_its_page() {
    let h = Harness::start().await;
    h.login("demo").await;
    let o = demo::acme_id();
    let kc = demo::real_id("keycloak", "auth");
    let page = format!("/orgs/{o}/operators/keycloak/{kc}");
    let form = |action: &'static str, version: &'static str| {
        [
            ("owner", o.clone()),
            ("kind", "keycloak".to_owned()),
            ("id", kc.clone()),
            ("action", action.to_owned()),
            ("version", version.to_owned()),
        ]
    };
    let fields = |f: &[(&'static str, String); 5]| {
        f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
    };
    let post = async |f: &[(&'static str, String); 5]| {
        let f = fields(f);
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        h.post_form("operator_action", &page, &pairs).await
    };

    // Done: back to the page, which says so beside the action, once.
    let resp = post(&form("reboot", "")).await;
    assert_eq!(resp.status().as_u16(), 302);
    let back = super::harness::location(&resp).to_owned();
    assert!(back.contains(&page) && !back.contains("__err"), "{back}");
    // The reloaded page scrolls to the notice of the result.
    assert!(back.ends_with("#outcome"), "{back}");
    assert_eq!(
        resp.text().await.expect("body"),
        "",
        "the answer rides in the session"
    );
    let shown = h.navigate(&page, 200).await;
    assert!(
        shown.contains("auth is restarting."),
        "the outcome is shown"
    );
    assert_eq!(
        shown.matches(r#"id="outcome""#).count(),
        1,
        "one notice to scroll to"
    );
    let again = h.navigate(&page, 200).await;
    assert!(!again.contains("is restarting."), "shown once only");

    // Failed: back to the page, the error in the session (not in the address: a link could
    // imitate that); the page shows its message, once.
    let resp = post(&form("update", "0.0.0-nope")).await;
    assert_eq!(resp.status().as_u16(), 302);
    let back = super::harness::location(&resp).to_owned();
    assert!(
        !back.contains("__err") && back.ends_with("#outcome"),
        "{back}"
    );
    let path = back
        .split_once("://")
        .and_then(|(_, r)| r.find('/').map(|i| r[i..].to_owned()))
        .expect("path");
    let shown = h.navigate(&path, 200).await;
    assert!(
        shown.contains("0.0.0-nope"),
        "the error is shown on the page"
    );
    assert_eq!(shown.matches(r#"id="outcome""#).count(), 1, "{shown}");
    let again = h.navigate(&path, 200).await;
    assert!(!again.contains("0.0.0-nope"), "shown once only");
    // A link carrying an error of the sender's choosing shows nothing of it.
    let lie = {
        use base64::Engine as _;
        let e = app::error::AppError::BadRequest("Call +1 555 0100 to unlock your account".into());
        base64::engine::general_purpose::URL_SAFE.encode(serde_json::to_string(&e).expect("json"))
    };
    let plain = path.split('#').next().unwrap_or(&path).to_owned();
    let sep = if plain.contains('?') { '&' } else { '?' };
    let forged = h
        .navigate(
            &format!("{plain}{sep}__path=/api/operator_action&__err={lie}"),
            200,
        )
        .await;
    assert!(!forged.contains("unlock your account"), "{forged}");

    // A script's call is answered with JSON and leaves nothing for the next page.
    let (status, body) = h
        .call(
            "operator_action",
            &[
                ("owner", &o),
                ("kind", "keycloak"),
                ("id", &kc),
                ("action", "reboot"),
                ("version", ""),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(!h.navigate(&page, 200).await.contains("is restarting."));
    // Its status comes from the error, also when the arguments cannot be read at all.
    let (status, body) = h
        .call("operator_action", &[("owner", &o), ("kind", "keycloak")])
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("BadRequest"), "{body}");
}
