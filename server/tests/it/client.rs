//! Every upstream client method against the demo, over real HTTP.

use super::harness::Harness;
use app::error::AppError;
use app::ids::SegmentId;
use app::model::drains::{CreateDrain, DrainKind, DrainStatus, Recipient, RecipientType};
use app::model::instances::InstanceState;
use app::model::logs::{EndedBy, LogEvent};
use app::model::operators::{OperatorKind, VersionUpdate};
use app::query::{
    DeploymentQuery, DrainQuery, InstanceQuery, InvoiceQuery, LogQuery, Order, ZoneQuery,
};
use app::ssr::upstream::InvoiceFormat;
use app::ssr::{ApiToken, Timeouts, Upstream};
use demo_upstream as demo;
use futures::StreamExt;
use std::time::Duration;

fn id(s: &str) -> SegmentId {
    SegmentId::parse("id", s).unwrap()
}

async fn setup() -> (Harness, Upstream, ApiToken) {
    let h = Harness::start().await;
    let up = Upstream::new(h.upstream.clone(), Timeouts::default()).unwrap();
    (h, up, ApiToken::new("demo").unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn navigation_calls() {
    let (_h, up, t) = setup().await;
    let api = up.with_token(&t);
    assert_eq!(api.self_user().await.unwrap().name, "Ada Lovelace");
    let owners = api.summary().await.unwrap().owners();
    assert_eq!(owners.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn billing_calls_forward_filters_exactly() {
    let (h, up, t) = setup().await;
    let api = up.with_token(&t);
    let o = id(&demo::acme_id());
    h.upstream_requests().await;
    let q = InvoiceQuery {
        since: app::model::date::parse("2025-01-01T00:00:00Z"),
        until: None,
        limit: Some(3),
    };
    let list = api.invoices(&o, &q).await.unwrap();
    assert_eq!(list.len(), 3);
    let seen = h.upstream_requests().await;
    assert_eq!(
        seen,
        [format!(
            "GET /v4/billing/organisations/{o}/invoices?since=2025-01-01T00%3A00%3A00Z&limit=3"
        )]
    );
    let number = id(&list[0].invoice_number);
    assert_eq!(
        api.invoice(&o, &number).await.unwrap().invoice_number,
        number.as_str()
    );
    let pdf = api
        .invoice_document(&o, &number, InvoiceFormat::Pdf)
        .await
        .unwrap();
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    let html = api
        .invoice_document(&o, &number, InvoiceFormat::Html)
        .await
        .unwrap();
    assert!(html.text().await.unwrap().contains("<h1>Invoice"));
    let missing = api.invoice(&o, &id("NOPE-1")).await.unwrap_err();
    assert_eq!(missing.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orchestration_calls_forward_repeated_filters() {
    let (h, up, t) = setup().await;
    let api = up.with_token(&t);
    let o = id(&demo::acme_id());
    let a = id(&demo::app_id("api-gateway"));
    let deps = api
        .deployments(
            &o,
            &a,
            &DeploymentQuery {
                limit: Some(5),
                order: Some(Order::Desc),
                actions: vec![],
            },
        )
        .await
        .unwrap();
    assert_eq!(deps.len(), 5);
    let d = api.deployment(&o, &a, &id(&deps[0].id)).await.unwrap();
    assert_eq!(d.id, deps[0].id);
    h.upstream_requests().await;
    let q = InstanceQuery {
        include_states: vec!["UP".into(), "READY".into()],
        exclude_states: vec!["DELETED".into()],
        exclude_deleted: Some(true),
        order: Some(Order::Asc),
        ..InstanceQuery::default()
    };
    let inst = api.instances(&o, &a, &q).await.unwrap();
    assert!(!inst.is_empty());
    assert!(
        inst.iter()
            .all(|i| matches!(i.state, InstanceState::Up | InstanceState::Ready))
    );
    assert_eq!(
        h.upstream_requests().await,
        [format!(
            "GET /v4/orchestration/organisations/{o}/applications/{a}/instances?excludeDeleted=true&order=ASC&includeState=UP&includeState=READY&excludeState=DELETED"
        )]
    );
    let lbs = api.default_load_balancers(&o, &a).await.unwrap();
    assert!(lbs[0].dns.cname.is_some() && !lbs[0].dns.a.is_empty());
    let other_owner = id(&demo::globex_id());
    assert_eq!(
        api.deployments(&other_owner, &a, &DeploymentQuery::default())
            .await
            .unwrap_err()
            .status(),
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_stream_ends_with_end_of_stream_at_the_limit() {
    let (_h, up, t) = setup().await;
    let api = up.with_token(&t);
    let o = id(&demo::acme_id());
    let a = id(&demo::app_id("api-gateway"));
    let q = LogQuery {
        since: Some(time::OffsetDateTime::now_utc() - time::Duration::hours(1)),
        limit: Some(5),
        throttle_elements: Some(1000),
        throttle_per_in_milliseconds: Some(10),
        ..LogQuery::default()
    };
    let source = app::ssr::upstream::LogSource::App { owner: o, app: a };
    let resp = api.log_stream(&source, &q, None).await.unwrap();
    let body = tokio::time::timeout(
        Duration::from_secs(10),
        resp.bytes_stream().map(|c| c.unwrap()).collect::<Vec<_>>(),
    )
    .await
    .expect("the stream ends by itself");
    let text = String::from_utf8(body.concat()).unwrap();
    let events: Vec<LogEvent> = text
        .split("\n\n")
        .filter(|b| !b.trim().is_empty())
        .map(|block| {
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .unwrap_or("")
                    .trim()
                    .to_owned()
            };
            LogEvent::from_sse(&field("event:"), &field("data:"))
        })
        .collect();
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, LogEvent::Line(_)))
            .count(),
        5
    );
    assert!(matches!(events.last(), Some(LogEvent::End(e)) if e.ended_by == EndedBy::LimitReached));
    // Resuming after the third line gives the fourth first.
    let ids: Vec<u64> = text
        .lines()
        .filter_map(|l| l.strip_prefix("id:"))
        .map(|v| v.trim().parse().unwrap())
        .collect();
    let resp = api
        .log_stream(
            &source,
            &LogQuery {
                limit: Some(1),
                ..q.clone()
            },
            Some(&ids[2].to_string()),
        )
        .await
        .unwrap();
    let text = resp.text().await.unwrap();
    assert!(
        text.contains(&format!("id: {}", ids[3])) || text.contains(&format!("id:{}", ids[3])),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drain_calls_cover_the_lifecycle() {
    let (_h, up, t) = setup().await;
    let api = up.with_token(&t);
    let o = id(&demo::acme_id());
    let a = id(&demo::app_id("api-gateway"));
    let all = api.drains(&o, &a, &DrainQuery::default()).await.unwrap();
    assert_eq!(all.len(), 8, "one drain of each recipient type");
    let retrying = api
        .drains(
            &o,
            &a,
            &DrainQuery {
                execution_status: vec!["RETRYING".into()],
                ..DrainQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(retrying.len(), 2);
    let created = api
        .create_drain(
            &o,
            &a,
            &CreateDrain {
                kind: DrainKind::Log,
                recipient: Recipient {
                    type_: RecipientType::NewRelic,
                    url: "https://log-api.newrelic.com/log/v1".into(),
                    api_key: Some("NRAK-TEST".into()),
                    ..Recipient::default()
                },
            },
        )
        .await
        .unwrap();
    assert_eq!(created.status.status, DrainStatus::Enabling);
    let did = id(&created.id);
    api.set_drain_enabled(&o, &a, &did, false).await.unwrap();
    assert_eq!(
        api.drain(&o, &a, &did).await.unwrap().status.status,
        DrainStatus::Disabling
    );
    let cmd = api.drain_test_command(&o, &a, &did).await.unwrap();
    assert!(cmd.command.starts_with("curl"));
    api.reset_drain_cursor(&o, &a, &did).await.unwrap();
    api.set_drain_enabled(&o, &a, &did, true).await.unwrap();
    api.delete_drain(&o, &a, &did).await.unwrap();
    assert_eq!(api.drain(&o, &a, &did).await.unwrap_err().status(), 404);
    let invalid = api
        .create_drain(
            &o,
            &a,
            &CreateDrain {
                kind: DrainKind::Log,
                recipient: Recipient {
                    type_: RecipientType::Elasticsearch,
                    url: "https://es/_bulk".into(),
                    ..Recipient::default()
                },
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(invalid, AppError::Upstream { status: 400, ref message, .. } if message.contains("index")),
        "{invalid:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_calls() {
    let (_h, up, t) = setup().await;
    let api = up.with_token(&t);
    let kc = id(&demo::real_id("keycloak", "auth"));
    let op = api.operator(OperatorKind::Keycloak, &kc).await.unwrap();
    assert!(op.initial_credentials.is_some() && op.api.is_none());
    api.reboot_operator(OperatorKind::Keycloak, &kc)
        .await
        .unwrap();
    api.rebuild_operator(OperatorKind::Keycloak, &kc)
        .await
        .unwrap();
    let check = api
        .operator_version_check(OperatorKind::Keycloak, &kc)
        .await
        .unwrap();
    assert!(check.need_update);
    let updated = api
        .update_operator_version(
            OperatorKind::Keycloak,
            &kc,
            &VersionUpdate {
                target_version: check.latest.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.version, check.latest);
    api.set_operator_network_group(OperatorKind::Keycloak, &kc, true)
        .await
        .unwrap();
    assert!(
        api.operator(OperatorKind::Keycloak, &kc)
            .await
            .unwrap()
            .network_group()
            .is_some()
    );
    api.set_operator_network_group(OperatorKind::Keycloak, &kc, false)
        .await
        .unwrap();
    assert!(
        api.operator(OperatorKind::Keycloak, &kc)
            .await
            .unwrap()
            .network_group()
            .is_none()
    );
    let oto = id(&demo::real_id("otoroshi", "gateway"));
    let yaml = api
        .otoroshi_config(&oto)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(yaml.contains("cluster_configs"));
    // A Keycloak id under the Matomo path is not found.
    assert_eq!(
        api.operator(OperatorKind::Matomo, &kc)
            .await
            .unwrap_err()
            .status(),
        404
    );
    let matomo = id(&demo::real_id("matomo", "analytics"));
    assert!(
        api.operator(OperatorKind::Matomo, &matomo)
            .await
            .unwrap()
            .php_version
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zone_and_pulsar_calls() {
    let (_h, up, t) = setup().await;
    let api = up.with_token(&t);
    let public = api.zones(&ZoneQuery::default()).await.unwrap();
    assert!(public.iter().all(|z| !z.is_private()));
    let with_private = api
        .zones(&ZoneQuery {
            tags: vec![],
            owner_id: Some(id(&demo::acme_id())),
        })
        .await
        .unwrap();
    assert!(with_private.iter().any(|z| z.is_private()));
    let tagged = api
        .zones(&ZoneQuery {
            tags: vec!["infra:ovh".into(), "region:ap".into()],
            owner_id: None,
        })
        .await
        .unwrap();
    assert_eq!(tagged.len(), 2);
    assert_eq!(api.zone(&id("par")).await.unwrap().city, "Paris");
    let p = id(&demo::real_id("pulsar", "events"));
    let before = api.pulsar_policies(&p).await.unwrap();
    assert!(before.retention_policies.is_some());
    let after = api
        .patch_pulsar_policies(
            &p,
            &serde_json::json!({"offloadPolicies": {"durationInMinutes": 60}}),
        )
        .await
        .unwrap();
    assert_eq!(
        after.offload_policies.unwrap().duration_in_minutes,
        Some(60)
    );
    assert_eq!(after.retention_policies, before.retention_policies);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_failures_map_to_app_errors() {
    let (h, up, _) = setup().await;
    let bad = ApiToken::new("wrong").unwrap();
    assert_eq!(
        up.with_token(&bad).self_user().await.unwrap_err(),
        AppError::Unauthorized
    );
    let down = Upstream::new("http://127.0.0.1:9".parse().unwrap(), Timeouts::default()).unwrap();
    let t = ApiToken::new("demo").unwrap();
    assert!(matches!(
        down.with_token(&t).self_user().await.unwrap_err(),
        AppError::Unavailable { .. }
    ));
    let mut config = server::config::Config::for_tests();
    config.demo.error_rate = 1.0;
    let failing = Harness::start_with(config).await;
    let up = Upstream::new(failing.upstream.clone(), Timeouts::default()).unwrap();
    match up.with_token(&t).summary().await.unwrap_err() {
        AppError::Unavailable { sozu_id } => assert!(sozu_id.unwrap().starts_with("demo-")),
        other => panic!("unexpected {other:?}"),
    }
    drop(h);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_upstream_times_out_as_unavailable() {
    let mut config = server::config::Config::for_tests();
    config.demo.latency_ms = 1500;
    let h = Harness::start_with(config).await;
    let timeouts = Timeouts {
        request: Duration::from_millis(300),
        ..Timeouts::default()
    };
    let up = Upstream::new(h.upstream.clone(), timeouts).unwrap();
    let t = ApiToken::new("demo").unwrap();
    assert!(matches!(
        up.with_token(&t).self_user().await.unwrap_err(),
        AppError::Unavailable { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_binds_loopback_only() {
    let knobs = demo_upstream::DemoKnobs {
        bind: Some("0.0.0.0:0".parse().unwrap()),
        ..Default::default()
    };
    assert!(demo::spawn(knobs).await.is_err());
}
