//! Deployment control through the dashboard, against the demo's state machine: each action
//! makes exactly its documented upstream call once confirmed, none without; the portal guard
//! refuses before any call; a followed deployment reaches its end; members and authors.

use super::harness::{Harness, location};
use demo_upstream as demo;
use server::config::Config;
use std::time::{Duration, Instant};

/// The demo's api-gateway: (owner, application).
fn gateway() -> (String, String) {
    (demo::acme_id(), demo::app_id("api-gateway"))
}

/// The calls that change something (not GET), of those the demo saw since the last look.
async fn writes(h: &Harness) -> Vec<String> {
    h.upstream_requests()
        .await
        .into_iter()
        .filter(|s| !s.starts_with("GET "))
        .collect()
}

/// A configuration whose demo deployments work for `secs` seconds.
fn deploying_for(secs: u32) -> Config {
    let mut c = Config::for_tests();
    c.demo.deploy_secs = secs;
    c
}

/// A redirect's path (it may name this server in full).
fn path_of(location: &str) -> String {
    match location.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]).to_owned(),
        None => location.to_owned(),
    }
}

/// The deployment id a redirect points at, if it is a deployment page.
fn deployment_of(location: &str) -> Option<String> {
    let rest = location.split("/deployments/").nth(1)?;
    Some(rest.split(['#', '?']).next()?.to_owned())
}

/// The first succeeded deployment's full commit on the demo.
async fn succeeded_commit(h: &Harness, owner: &str, app: &str) -> String {
    let list = h
        .demo_json(&format!(
            "/v4/orchestration/organisations/{owner}/applications/{app}/deployments"
        ))
        .await;
    list.as_array()
        .expect("deployments")
        .iter()
        .find(|d| d["state"] == "SUCCEEDED")
        .and_then(|d| d["version"]["commitId"].as_str())
        .expect("a succeeded deployment")
        .to_owned()
}

/// Breaks something in the demo on purpose (`POST /demo/break`).
async fn demo_break(h: &Harness, what: serde_json::Value) {
    reqwest::Client::new()
        .post(h.upstream.join("/demo/break").expect("url"))
        .json(&what)
        .send()
        .await
        .expect("break");
}

/// Waits until the demo says deployment `id` of `app` is in `state`, within `within`.
async fn wait_state(h: &Harness, owner: &str, app: &str, id: &str, state: &str, within: Duration) {
    let started = Instant::now();
    loop {
        let d = h
            .demo_json(&format!(
                "/v4/orchestration/organisations/{owner}/applications/{app}/deployments/{id}"
            ))
            .await;
        if d["state"] == state {
            return;
        }
        assert!(
            started.elapsed() < within,
            "deployment {id} still {} after {within:?}",
            d["state"]
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_action_makes_exactly_its_documented_call_once_confirmed() {
    let h = Harness::start_with(deploying_for(30)).await;
    h.login("demo").await;
    let (o, a) = gateway();
    let base = format!("/v2/organisations/{o}/applications/{a}");
    let commit = succeeded_commit(&h, &o, &a).await;
    h.upstream_requests().await;

    // Restart, rebuild and redeploy: a POST each, then the browser goes to the deployment.
    for (action, extra, query) in [
        ("restart", None, String::new()),
        ("rebuild", None, "?useCache=no".to_owned()),
        (
            "redeploy",
            Some(("commit", commit.as_str())),
            format!("?commit={commit}"),
        ),
    ] {
        let mut form = vec![
            ("owner", o.as_str()),
            ("app", a.as_str()),
            ("action", action),
            ("confirmed", "yes"),
        ];
        form.extend(extra);
        let resp = h
            .post_form("app_control", &format!("/orgs/{o}/apps/{a}"), &form)
            .await;
        assert!(
            resp.status().is_redirection(),
            "{action}: {}",
            resp.status()
        );
        let to = path_of(location(&resp));
        let id = deployment_of(&to).unwrap_or_else(|| panic!("{action}: went to {to}"));
        assert!(
            to.starts_with(&format!("/orgs/{o}/apps/{a}/deployments/")),
            "{to}"
        );
        assert_eq!(
            writes(&h).await,
            [format!("POST {base}/instances{query}")],
            "{action}"
        );
        // The deployment's page says what was done, once.
        let page = h.navigate(&to, 200).await;
        assert!(
            page.contains(&format!("Deployment {id} started")),
            "{action}"
        );
        assert!(
            page.contains("data-running=\"\""),
            "{action}: followed while in progress"
        );
    }

    // Cancel the deployment in progress (the last redeploy's).
    let list = h
        .demo_json(&format!(
            "/v4/orchestration/organisations/{o}/applications/{a}/deployments?order=DESC&limit=1"
        ))
        .await;
    let running = list[0]["id"].as_str().expect("id").to_owned();
    h.upstream_requests().await;
    let (status, body) = h
        .call(
            "app_control",
            &[
                ("owner", &o),
                ("app", &a),
                ("action", "cancel"),
                ("deployment", &running),
                ("confirmed", "yes"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        writes(&h).await,
        [format!("DELETE {base}/deployments/{running}/instances")]
    );
    wait_state(&h, &o, &a, &running, "CANCELLED", Duration::from_secs(5)).await;

    // Stop: refused without the typed name, and with another name; done with it.
    for confirm in [None, Some("api"), Some("API-GATEWAY")] {
        let mut form = vec![
            ("owner", o.as_str()),
            ("app", a.as_str()),
            ("action", "stop"),
        ];
        form.extend(confirm.map(|c| ("confirm", c)));
        form.push(("confirmed", "yes"));
        let (status, body) = h.call("app_control", &form).await;
        assert_eq!(status, 400, "{confirm:?}: {body}");
        assert!(body.contains("api-gateway"), "{body}");
    }
    assert!(
        writes(&h).await.is_empty(),
        "nothing stopped without the name"
    );
    let (status, body) = h
        .call(
            "app_control",
            &[
                ("owner", &o),
                ("app", &a),
                ("action", "stop"),
                ("confirm", "api-gateway"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(writes(&h).await, [format!("DELETE {base}/instances")]);

    // Every action is in the activity feed, with who and the commit.
    let feed = h
        .page(&format!("/orgs/{o}/activity?kind=dashboard"), 200)
        .await;
    for event in [
        "app.restart",
        "app.rebuild_without_cache",
        "app.redeploy",
        "deployment.cancel",
        "app.stop",
    ] {
        assert!(feed.contains(event), "{event} audited");
    }
    assert!(feed.contains(&format!("commit {}", &commit[..10])));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_done_without_confirmation_or_with_bad_input() {
    let h = Harness::start().await;
    h.login("demo").await;
    let (o, a) = gateway();
    h.upstream_requests().await;
    let bad: [&[(&str, &str)]; 7] = [
        // Not confirmed.
        &[("owner", &o), ("app", &a), ("action", "restart")],
        &[
            ("owner", &o),
            ("app", &a),
            ("action", "rebuild"),
            ("confirmed", "on"),
        ],
        // Malformed ids and commits.
        &[
            ("owner", &o),
            ("app", "../x"),
            ("action", "restart"),
            ("confirmed", "yes"),
        ],
        &[
            ("owner", &o),
            ("app", &a),
            ("action", "redeploy"),
            ("commit", "abc1234"),
            ("confirmed", "yes"),
        ],
        &[
            ("owner", &o),
            ("app", &a),
            ("action", "redeploy"),
            ("commit", "../../evil"),
            ("confirmed", "yes"),
        ],
        &[
            ("owner", &o),
            ("app", &a),
            ("action", "cancel"),
            ("deployment", "a/b"),
            ("confirmed", "yes"),
        ],
        // An action that is not one.
        &[
            ("owner", &o),
            ("app", &a),
            ("action", "explode"),
            ("confirmed", "yes"),
        ],
    ];
    for form in bad {
        let (status, body) = h.call("app_control", form).await;
        assert_eq!(status, 400, "{form:?}: {body}");
    }
    assert!(writes(&h).await.is_empty());

    // A form from another site is refused before the function runs.
    let resp = h
        .http
        .post(h.url("/api/app_control"))
        .header("origin", "https://evil.example")
        .form(&[
            ("owner", o.as_str()),
            ("app", a.as_str()),
            ("action", "restart"),
            ("confirmed", "yes"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 403);
    assert!(writes(&h).await.is_empty());

    // A refused form post comes back to its page with the reason.
    let from = format!("/orgs/{o}/apps/{a}");
    let resp = h
        .post_form(
            "app_control",
            &from,
            &[("owner", &o), ("app", &a), ("action", "restart")],
        )
        .await;
    assert!(resp.status().is_redirection());
    let back = path_of(location(&resp));
    assert!(back.starts_with(&from), "{back}");
    let page = h.navigate(&back, 200).await;
    assert!(page.contains("tick the box"), "the reason is shown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_and_the_user_list_refuse_with_403_before_any_call() {
    let (o, a) = gateway();
    let form = [
        ("owner", o.as_str()),
        ("app", a.as_str()),
        ("action", "restart"),
        ("confirmed", "yes"),
    ];
    let mut read_only = Config::for_tests();
    read_only.read_only = true;
    let mut listed = Config::for_tests();
    listed.actions_allowed_users = "someone@else.example, user_nobody".into();
    for (config, says) in [(read_only, "read-only"), (listed, "listed users")] {
        let h = Harness::start_with(config).await;
        h.login("demo").await;
        h.upstream_requests().await;
        let (status, body) = h.call("app_control", &form).await;
        assert_eq!(status, 403, "{body}");
        assert!(body.contains(says), "{body}");
        // Other actions too (a drain).
        let (status, _) = h
            .call(
                "drain_action",
                &[
                    ("owner", &o),
                    ("resource", &a),
                    ("drain", "drain_x"),
                    ("action", "delete"),
                ],
            )
            .await;
        assert_eq!(status, 403);
        assert!(writes(&h).await.is_empty(), "no upstream call");
        // The pages show no action form, and say why.
        let page = h.page(&format!("/orgs/{o}/apps/{a}"), 200).await;
        assert!(!page.contains("name=\"action\""), "no action form");
        assert!(page.contains(says));
        let page = h
            .page(&format!("/orgs/{o}/apps/{a}/deployments"), 200)
            .await;
        assert!(!page.contains("Redeploy this commit"));
        let page = h
            .page(&format!("/orgs/{o}/resources/{a}/drains"), 200)
            .await;
        assert!(!page.contains("data-busy=\"Creating…\""), "no create form");
        assert!(!page.contains("Delete the drain"), "no drain action");
        assert!(page.contains(says));
        // Nor the add-ons' (an operator's reboot, version and network group; Pulsar policies).
        for addon in [
            format!(
                "/orgs/{o}/operators/keycloak/{}",
                demo::real_id("keycloak", "auth")
            ),
            format!(
                "/orgs/{o}/operators/otoroshi/{}",
                demo::real_id("otoroshi", "gateway")
            ),
            format!("/orgs/{o}/pulsar/{}", demo::real_id("pulsar", "events")),
        ] {
            let page = h.page(&addon, 200).await;
            assert!(
                !page.contains("action=\"/api/"),
                "no action form on {addon}"
            );
            assert!(page.contains(says), "{addon} says why");
        }
    }

    // A listed user may act (by e-mail, in any case).
    let mut listed = Config::for_tests();
    listed.actions_allowed_users = "ADA@example.com".into();
    let h = Harness::start_with(listed).await;
    h.login("demo").await;
    let (status, body) = h.call("app_control", &form).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_followed_restart_reaches_its_end_and_a_failing_one_says_where() {
    let h = Harness::start_with(deploying_for(2)).await;
    h.login("demo").await;
    let (o, a) = gateway();
    let form = [
        ("owner", o.as_str()),
        ("app", a.as_str()),
        ("action", "restart"),
        ("confirmed", "yes"),
    ];
    let resp = h
        .post_form("app_control", &format!("/orgs/{o}/apps/{a}"), &form)
        .await;
    let page_path = path_of(location(&resp))
        .split('#')
        .next()
        .unwrap_or_default()
        .to_owned();
    let id = deployment_of(&page_path).expect("a deployment");
    let first = h.page(&page_path, 200).await;
    assert!(first.contains("In progress"), "starts in progress");
    wait_state(&h, &o, &a, &id, "SUCCEEDED", Duration::from_secs(10)).await;
    let done = h.page(&page_path, 200).await;
    assert!(done.contains("Succeeded in"), "ends with its result");
    assert!(!done.contains("data-running=\"\""), "no longer followed");
    assert!(done.contains("2 instance(s) up"));

    // Told to fail, the next restart fails and says so.
    demo_break(&h, serde_json::json!({"what": "deploy_fails", "app": a})).await;
    let (status, body) = h.call("app_control", &form).await;
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    let id = v["deployment"].as_str().expect("deployment").to_owned();
    wait_state(&h, &o, &a, &id, "FAILED", Duration::from_secs(10)).await;
    let failed = h
        .page(&format!("/orgs/{o}/apps/{a}/deployments/{id}"), 200)
        .await;
    assert!(failed.contains("Failed after"));
    assert!(failed.contains("Failed in the step"), "names the step");
    assert!(failed.contains("failure-logs"), "links the logs around it");
    // And shows its last lines (the demo's lines of that deployment's instances).
    let lines = failed
        .split("class=\"failure-lines\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .expect("the lines around the failure");
    assert!(lines.lines().count() >= 2, "{lines}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_and_author_names() {
    let h = Harness::start().await;
    h.login("demo").await;
    let (o, a) = gateway();
    let page = h.page(&format!("/orgs/{o}/members"), 200).await;
    for who in [
        "Ada Lovelace",
        "Grace Hopper",
        "Ken Thompson",
        "Manager",
        "Accounting",
    ] {
        assert!(page.contains(who), "{who}");
    }
    // Grace, Edsger and Ken sign in without a second factor.
    assert!(
        page.contains("3 of 6 members"),
        "the count without two-factor"
    );
    assert_eq!(page.matches("data-two-factor=\"off\"").count(), 3);
    // A personal space has none; an id that is not one is refused.
    let mine = h
        .page(&format!("/orgs/{}/members", demo::user_id()), 200)
        .await;
    assert!(mine.contains("No members to show"));
    h.page("/orgs/..%2Fx/members", 400).await;

    // The timeline names authors the members know and keeps the others' ids.
    let timeline = h
        .page(&format!("/orgs/{o}/apps/{a}/deployments?limit=1000"), 200)
        .await;
    assert!(timeline.contains("Alan Turing"));
    assert!(
        timeline.contains("<code title=\"user_"),
        "an author the members do not know keeps the id"
    );

    // Deployments listed with their authors' ids only: the board names them from the members.
    demo_break(&h, serde_json::json!({"what": "anonymous_authors"})).await;
    h.upstream_requests().await;
    let board = h.page("/", 200).await;
    let calls = h.upstream_requests().await;
    assert!(
        calls
            .iter()
            .any(|c| c.ends_with(&format!("/v2/organisations/{o}/members"))),
        "{calls:#?}"
    );
    let named = [
        "Ada Lovelace",
        "Alan Turing",
        "Edsger Dijkstra",
        "Ken Thompson",
    ]
    .iter()
    .filter(|n| board.contains(&format!(" by {n}")))
    .count();
    assert!(named > 0, "authors named from the members");
}
