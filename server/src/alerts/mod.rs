//! Alerts: rules from the operator's file (`DASHBOARD_ALERTS_FILE`) evaluated in the server
//! every `DASHBOARD_ALERT_INTERVAL_SECS` with the watch credential (`DASHBOARD_WATCH_TOKEN`,
//! never a user's session), incidents opened and resolved once per rule and subject (kept in
//! the embedded database, `store.rs`), and notifications delivered to the rules' channels
//! (`deliver.rs`).
//!
//! Not built yet (said on `/alerts` and in the README): one evaluator among several replicas
//! (with a shared session store, nothing is evaluated), e-mail channels, log pattern and
//! budget rules, rules made in the page.

mod deliver;
mod patterns;
mod store;

use crate::config::Config;
use app::ids::SegmentId;
use app::logic::alerts::{
    AlertsFile, ChannelKind, ChannelSpec, Facts, Finding, RuleKind, RuleSpec, Step, Track,
    evaluate, step,
};
use app::model::alerts::{AlertsView, ChannelRow, Incident, RuleRow};
use app::model::date;
use app::model::navigation::Owner;
use app::ssr::upstream::ApiToken;
use app::ssr::{Credentials, Upstream};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
pub use store::AlertStore;

/// The form of "Send a test".
#[derive(serde::Deserialize)]
pub struct TestForm {
    channel: String,
}

/// `POST /alerts/test`: "Send a test" to one channel; back to `/alerts`, which says whether it
/// was sent (the delivery log then says how it went).
pub async fn send_test(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    _signed_in: crate::http::signed_in::SignedIn,
    axum::Form(form): axum::Form<TestForm>,
) -> axum::response::Redirect {
    // A word the page turns into its sentence: the address never carries text to show.
    let outcome = state
        .alerts
        .send_test(form.channel.trim())
        .err()
        .unwrap_or("sent");
    axum::response::Redirect::to(&format!("/alerts?tested={outcome}#deliveries"))
}

/// A channel ready to deliver: its declaration and its secret (from the file or its file),
/// and for e-mail the operator's SMTP server.
#[derive(Clone)]
pub(crate) struct Channel {
    pub spec: ChannelSpec,
    pub secret: Option<Vec<u8>>,
    pub inactive: Option<String>,
    pub smtp: Option<Arc<deliver::Smtp>>,
}

/// What the last cycle saw.
#[derive(Clone, Default)]
struct Status {
    watched: Vec<(String, String)>,
    watch_expires: Option<time::OffsetDateTime>,
    last_cycle: Option<time::OffsetDateTime>,
    /// Rules that could not run in the last cycle, and why (an organisation out of sight).
    blocked: HashMap<String, String>,
    /// When each channel was last sent a test.
    tested: HashMap<String, std::time::Instant>,
}

/// The alerts of this server.
#[derive(Clone)]
pub struct Alerts {
    inner: Arc<Inner>,
}

struct Inner {
    upstream: Upstream,
    watch: Option<Credentials>,
    file: Option<String>,
    rules: Vec<(RuleSpec, Option<String>)>,
    channels: Vec<Channel>,
    store: Option<AlertStore>,
    /// Why nothing is evaluated, when so.
    off: Option<String>,
    interval: Duration,
    allowed_hosts: Vec<String>,
    /// Links in notifications start here.
    public_url: String,
    status: Mutex<Status>,
    /// The log pattern rules' streams.
    patterns: patterns::Patterns,
}

/// The key of a rule and subject among the tracks.
fn track_key(rule: &str, f: &Finding) -> String {
    format!("{rule}\u{1f}{}:{}", f.subject.kind, f.subject.id)
}

fn read_secret(value: &Option<String>, file: &Option<String>) -> Result<Option<Vec<u8>>, String> {
    match (value, file) {
        (Some(v), _) => Ok(Some(v.as_bytes().to_vec())),
        (None, Some(path)) => std::fs::read_to_string(path)
            .map(|s| Some(s.trim().as_bytes().to_vec()))
            .map_err(|e| format!("its secret file cannot be read ({})", e.kind())),
        (None, None) => Ok(None),
    }
}

impl Alerts {
    /// The alerts as configured. Never fails: what cannot run is said on `/alerts` (and in
    /// the log), and the rest runs.
    pub fn build(config: &Config, upstream: Upstream, demo: bool, shared_store: bool) -> Self {
        let watch = config
            .watch_token()
            .or_else(|| demo.then(|| "demo".to_owned()))
            .and_then(|t| ApiToken::new(&t))
            .map(Credentials::Token);
        let (spec, file_problem) = match &config.alerts_file {
            None => (AlertsFile::default(), None),
            Some(path) => match std::fs::read_to_string(path)
                .map_err(|e| format!("{}: {}", path.display(), e.kind()))
                .and_then(|text| {
                    toml::from_str::<AlertsFile>(&text)
                        .map_err(|e| format!("{}: {}", path.display(), e.message()))
                }) {
                Ok(f) => (f, None),
                Err(e) => (AlertsFile::default(), Some(e)),
            },
        };
        if let Some(e) = &file_problem {
            tracing::error!(error = %e, "the alerts file cannot be read: no rule runs");
        }
        let allowed_hosts: Vec<String> = config
            .alert_allowed_hosts
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        let smtp = match deliver::Smtp::from_config(config, &allowed_hosts) {
            Ok(s) => s.map(Arc::new),
            Err(e) => {
                tracing::error!(error = %e, "alerts: the SMTP settings are refused; e-mail channels do not run");
                None
            }
        };
        let mut seen = std::collections::HashSet::new();
        let channels: Vec<Channel> = spec
            .channel
            .iter()
            .map(|c| {
                let mut inactive = None;
                if !seen.insert(c.name.clone()) {
                    inactive = Some("another channel has the same name".to_owned());
                }
                let secret = match read_secret(&c.secret, &c.secret_file) {
                    Ok(s) => s,
                    Err(e) => {
                        inactive = inactive.or(Some(e));
                        None
                    }
                };
                match c.kind {
                    ChannelKind::Email => {
                        if smtp.is_none() {
                            inactive = inactive.or(Some(
                                "no SMTP server is configured (DASHBOARD_SMTP_HOST, DASHBOARD_SMTP_FROM)"
                                    .to_owned(),
                            ));
                        }
                        if c.to.is_empty() || c.to.len() > 50 {
                            inactive = inactive.or(Some("it needs 1 to 50 addresses in to".to_owned()));
                        } else if c.to.iter().any(|a| a.parse::<lettre::message::Mailbox>().is_err()) {
                            inactive = inactive.or(Some("one of its addresses is not an e-mail address".to_owned()));
                        }
                    }
                    ChannelKind::Webhook | ChannelKind::Slack if c.url.is_none() => {
                        inactive = inactive.or(Some("it has no url".to_owned()))
                    }
                    ChannelKind::Webhook | ChannelKind::Slack => {
                        if let Some(Err(e)) = c
                            .url
                            .as_deref()
                            .map(|u| app::ssr::alerts::precheck(u, &allowed_hosts))
                        {
                            inactive = inactive.or(Some(e));
                        }
                    }
                }
                if c.kind == ChannelKind::Webhook && secret.is_none() {
                    inactive =
                        inactive.or(Some("a webhook needs a secret to sign with".to_owned()));
                }
                Channel {
                    spec: c.clone(),
                    secret,
                    inactive,
                    smtp: (c.kind == ChannelKind::Email).then(|| smtp.clone()).flatten(),
                }
            })
            .collect();
        let rules: Vec<(RuleSpec, Option<String>)> = spec
            .rule
            .iter()
            .map(|r| {
                let missing = r
                    .channels
                    .iter()
                    .find(|name| !channels.iter().any(|c| &c.spec.name == *name));
                let why = r.problem().or_else(|| {
                    missing.map(|m| format!("it names a channel that is not declared ({m})"))
                });
                (r.clone(), why)
            })
            .collect();
        let off = if let Some(e) = file_problem {
            Some(format!("The alerts file cannot be read: {e}."))
        } else if watch.is_none() {
            Some(
                "No watch credential: set DASHBOARD_WATCH_TOKEN (or DASHBOARD_WATCH_TOKEN_FILE) to an API token of an account that can read the organisations to watch.".to_owned(),
            )
        } else if shared_store {
            Some("Alerts are not evaluated with a shared session store yet (several replicas need one evaluator with a lease, still to be built).".to_owned())
        } else {
            None
        };
        // The database is opened only when there is something to evaluate (a server without
        // rules leaves no file behind).
        let store = if off.is_none() && !rules.is_empty() {
            match AlertStore::open(&config.data_dir) {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::error!(error = %e, "alerts cannot keep their state: none runs");
                    None
                }
            }
        } else {
            None
        };
        let off = off.or_else(|| {
            (store.is_none() && !rules.is_empty()).then(|| {
                format!(
                    "The alerts database in {} cannot be opened.",
                    config.data_dir.display()
                )
            })
        });
        Self {
            inner: Arc::new(Inner {
                upstream,
                watch,
                file: config.alerts_file.as_ref().map(|p| p.display().to_string()),
                rules,
                channels,
                store,
                off,
                interval: Duration::from_secs_f64(config.alert_interval_secs.max(0.2)),
                allowed_hosts,
                public_url: config
                    .public_url
                    .as_ref()
                    .map(|u| u.as_str().trim_end_matches('/').to_owned())
                    .unwrap_or_default(),
                status: Mutex::new(Status::default()),
                patterns: patterns::Patterns::default(),
            }),
        }
    }

    /// Starts evaluating every interval (nothing when alerts are off or have no rule).
    pub fn spawn(&self) {
        if let Some(off) = &self.inner.off {
            if !self.inner.rules.is_empty() {
                tracing::warn!(reason = %off, "alerts: rules declared but not evaluated");
            }
            return;
        }
        if self.inner.rules.is_empty() {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(this.inner.interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                this.cycle().await;
            }
        });
    }

    fn status(&self) -> std::sync::MutexGuard<'_, Status> {
        self.inner.status.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One evaluation of every rule.
    async fn cycle(&self) {
        let (Some(watch), Some(store)) = (&self.inner.watch, &self.inner.store) else {
            return;
        };
        let started = std::time::Instant::now();
        let api = self.inner.upstream.with(watch);
        let now = time::OffsetDateTime::now_utc();
        let owners = match api.summary().await {
            Ok(s) => s.owners(),
            Err(e) => {
                tracing::warn!(error = %e, "alerts: the watch credential's organisations could not be read; nothing evaluated this cycle");
                return;
            }
        };
        let expires = api
            .current_token()
            .await
            .ok()
            .and_then(|t| t.expiration_date);
        let active: Vec<&RuleSpec> = self
            .inner
            .rules
            .iter()
            .filter(|(_, why)| why.is_none())
            .map(|(r, _)| r)
            .collect();
        let mut blocked = HashMap::new();
        let mut facts: BTreeMap<String, (Owner, Facts)> = BTreeMap::new();
        for rule in &active {
            if facts.contains_key(&rule.organisation) {
                continue;
            }
            let Some(owner) = owners.iter().find(|o| o.id == rule.organisation) else {
                // Said in the log (once per cycle) and on the page to whoever can see the
                // organisation: a user who cannot does not learn of it.
                tracing::warn!(rule = %rule.name, "alerts: the watch credential cannot see the rule's organisation; the rule does not run");
                blocked.insert(
                    rule.name.clone(),
                    format!(
                        "the watch credential cannot see the organisation {}",
                        rule.organisation
                    ),
                );
                continue;
            };
            let rules: Vec<&RuleSpec> = active
                .iter()
                .copied()
                .filter(|r| r.organisation == owner.id)
                .collect();
            let f = self.facts(&api, owner, &rules, expires, now).await;
            facts.insert(owner.id.clone(), (owner.clone(), f));
        }
        {
            let mut status = self.status();
            status.watched = owners
                .iter()
                .map(|o| (o.id.clone(), o.name.clone()))
                .collect();
            status.watch_expires = expires;
            status.last_cycle = Some(now);
            status.blocked = blocked;
        }
        let tracks: HashMap<String, Track> = match store.tracks() {
            Ok(t) => t.into_iter().collect(),
            Err(e) => {
                tracing::error!(error = %e, "alerts: state unreadable; nothing evaluated this cycle");
                return;
            }
        };
        let incidents: HashMap<String, Incident> = store
            .incidents()
            .unwrap_or_default()
            .into_iter()
            .map(|i| (i.id.clone(), i))
            .collect();
        let mut changed_tracks = Vec::new();
        let mut changed_incidents = Vec::new();
        let mut notify = Vec::new();
        for rule in &active {
            let Some((owner, f)) = facts.get(&rule.organisation) else {
                continue;
            };
            let found: BTreeMap<String, Finding> = evaluate(rule, f, now)
                .into_iter()
                .map(|f| (track_key(&rule.name, &f), f))
                .collect();
            let prefix = format!("{}\u{1f}", rule.name);
            // The subjects found now, and those tracked that were not.
            let mut keys: Vec<String> = found.keys().cloned().collect();
            keys.extend(
                tracks
                    .keys()
                    .filter(|k| k.starts_with(&prefix) && !found.contains_key(*k))
                    .cloned(),
            );
            for key in keys {
                let finding = found.get(&key);
                let remind = rule
                    .remind_minutes
                    .map(|m| time::Duration::minutes(i64::from(m.max(1))));
                let (next, what) = step(
                    tracks.get(&key),
                    finding.is_some(),
                    rule.hold(),
                    remind,
                    now,
                    || uuid::Uuid::new_v4().to_string(),
                );
                if next.as_ref() != tracks.get(&key) {
                    changed_tracks.push((key.clone(), next.clone()));
                }
                let at = date::format(&now);
                let incident = match (&what, finding, tracks.get(&key), &next) {
                    (Step::Open, Some(f), _, Some(Track::Open { incident, .. })) => {
                        Some(Incident {
                            id: incident.clone(),
                            rule: rule.name.clone(),
                            kind: rule
                                .kind
                                .map(RuleKind::as_str)
                                .unwrap_or_default()
                                .to_owned(),
                            severity: rule.severity,
                            organisation: owner.id.clone(),
                            organisation_name: owner.name.clone(),
                            subject: f.subject.clone(),
                            summary: f.summary.clone(),
                            href: f.href.clone(),
                            opened_at: Some(now),
                            resolved_at: None,
                            timeline: vec![(at, format!("Opened: {}", f.summary))],
                        })
                    }
                    (Step::Resolve, _, Some(Track::Open { incident, .. }), _) => {
                        incidents.get(incident).cloned().map(|mut i| {
                            i.resolved_at = Some(now);
                            i.timeline
                                .push((at, "Resolved: the condition ended.".to_owned()));
                            i
                        })
                    }
                    (Step::Remind, Some(f), Some(Track::Open { incident, .. }), _) => {
                        incidents.get(incident).cloned().map(|mut i| {
                            i.summary = f.summary.clone();
                            i.timeline.push((at, format!("Reminder: {}", f.summary)));
                            i
                        })
                    }
                    _ => None,
                };
                if let Some(i) = incident {
                    let state = match what {
                        Step::Open => "open",
                        Step::Resolve => "resolved",
                        _ => "reminder",
                    };
                    tracing::info!(rule = %rule.name, incident = %i.id, state, "alerts: incident {state}");
                    notify.push((rule.channels.clone(), i.clone(), state));
                    changed_incidents.push(i);
                }
            }
        }
        // State first: a notification is sent only for what is recorded.
        if let Err(e) = store.save(&changed_tracks, &changed_incidents) {
            tracing::error!(error = %e, "alerts: state not saved; notifications held back");
            return;
        }
        tracing::info!(
            rules = active.len(),
            organisations = facts.len(),
            changed = changed_incidents.len(),
            ms = started.elapsed().as_secs_f64() * 1000.0,
            "alerts: cycle done"
        );
        for (channels, incident, state) in notify {
            for name in channels {
                let Some(channel) = self
                    .inner
                    .channels
                    .iter()
                    .find(|c| c.spec.name == name && c.inactive.is_none())
                else {
                    continue;
                };
                deliver::spawn(
                    channel.clone(),
                    incident.clone(),
                    state,
                    self.inner.public_url.clone(),
                    self.inner.allowed_hosts.clone(),
                    store.clone(),
                );
            }
        }
    }

    /// What the rules of one organisation need to know of it: the board's rows (one read
    /// shared by every rule), the 5xx share and the CPU and memory of the applications the
    /// traffic rules cover (one call per endpoint and application).
    async fn facts(
        &self,
        api: &app::ssr::upstream::Authed<'_>,
        owner: &Owner,
        rules: &[&RuleSpec],
        expires: Option<time::OffsetDateTime>,
        now: time::OffsetDateTime,
    ) -> Facts {
        let mut f = Facts {
            token_expires: expires,
            ..Facts::default()
        };
        let needs = |k: RuleKind| rules.iter().filter(move |r| r.kind == Some(k));
        let board_kinds = rules
            .iter()
            .any(|r| !matches!(r.kind, Some(RuleKind::TokenExpiry) | None));
        if board_kinds {
            let gate = Arc::new(app::ssr::fan_out::Gate::new(8));
            match app::api::fleet::board_with(api, owner, &gate).await {
                Ok(b) => f.board = Some(b),
                Err(e) => {
                    tracing::warn!(error = %e, owner = %owner.id, "alerts: the organisation's board could not be read")
                }
            }
        }
        let Ok(owner_id) = SegmentId::parse("owner id", &owner.id) else {
            return f;
        };
        let covered = |kind: RuleKind| -> Vec<String> {
            let mut ids: Vec<String> = Vec::new();
            for r in needs(kind) {
                for a in &owner.applications {
                    if (r.applications.is_empty() || r.applications.contains(&a.id))
                        && !ids.contains(&a.id)
                    {
                        ids.push(a.id.clone());
                    }
                }
            }
            ids
        };
        for r in needs(RuleKind::LogPattern) {
            let (Some(pattern), Some(count), Some(minutes)) = (&r.pattern, r.count, r.minutes)
            else {
                continue;
            };
            for a in owner
                .applications
                .iter()
                .filter(|a| r.applications.is_empty() || r.applications.contains(&a.id))
            {
                let Ok(app) = SegmentId::parse("application id", &a.id) else {
                    continue;
                };
                let Some(watch) = &self.inner.watch else {
                    continue;
                };
                let started = self.inner.patterns.ensure(
                    (&self.inner.upstream, watch),
                    &r.name,
                    &owner_id,
                    &app,
                    pattern,
                    count as usize + 1,
                );
                if !started {
                    tracing::warn!(rule = %r.name, "alerts: too many log pattern streams ({}); this one does not run", patterns::MAX_WATCHERS);
                    continue;
                }
                let window = Duration::from_secs(u64::from(minutes) * 60);
                f.matches.insert(
                    (r.name.clone(), a.id.clone()),
                    self.inner.patterns.count(&r.name, &a.id, window),
                );
            }
        }
        let hour_ago = now - time::Duration::hours(1);
        for app_id in covered(RuleKind::Http5xx) {
            let Ok(app) = SegmentId::parse("application id", &app_id) else {
                continue;
            };
            if let Ok(buckets) = api.status_codes(&owner_id, Some(&app), hour_ago, now).await {
                let (mut all, mut bad) = (0u64, 0u64);
                for b in &buckets {
                    for s in &b.statuses {
                        all += s.count;
                        if (500..600).contains(&s.code) {
                            bad += s.count;
                        }
                    }
                }
                if all > 0 {
                    f.errors
                        .insert(app_id.clone(), (bad as f64 * 100.0 / all as f64, bad));
                }
            }
        }
        let mut resources = covered(RuleKind::CpuHigh);
        for a in covered(RuleKind::MemHigh) {
            if !resources.contains(&a) {
                resources.push(a);
            }
        }
        for app_id in resources {
            let Ok(app) = SegmentId::parse("application id", &app_id) else {
                continue;
            };
            let range = app::logic::stats::Range::Day;
            let from = now - range.window();
            if let Ok(series) = api.metrics(&owner_id, &app, range, now).await {
                for s in series {
                    let maxima: Vec<f64> =
                        app::logic::stats::buckets(&s.data, from, time::Duration::hours(1), 24)
                            .into_iter()
                            .filter_map(|b| b.max)
                            .collect();
                    match s.name.as_str() {
                        "cpu" => {
                            f.cpu.insert(app_id.clone(), maxima);
                        }
                        "mem" => {
                            f.mem.insert(app_id.clone(), maxima);
                        }
                        _ => {}
                    }
                }
            }
        }
        f
    }

    /// What `/alerts` shows a user who can see the organisations `visible`.
    pub fn view(&self, visible: &[String]) -> AlertsView {
        let status = self.status().clone();
        let sees = |org: &str| visible.iter().any(|v| v == org);
        let (mut open, mut resolved) = (Vec::new(), Vec::new());
        let mut deliveries = Vec::new();
        if let Some(store) = &self.inner.store {
            for i in store.incidents().unwrap_or_default() {
                if !sees(&i.organisation) {
                    continue;
                }
                if i.resolved_at.is_some() {
                    if resolved.len() < 50 {
                        resolved.push(i);
                    }
                } else {
                    open.push(i);
                }
            }
            let ids: std::collections::HashSet<String> = open
                .iter()
                .chain(resolved.iter())
                .map(|i| i.id.clone())
                .collect();
            deliveries = store
                .deliveries(500)
                .unwrap_or_default()
                .into_iter()
                .filter(|d| ids.contains(&d.incident) || d.state == "test")
                .take(50)
                .collect();
        }
        AlertsView {
            off: self.inner.off.clone(),
            watched: status.watched,
            watch_expires: status.watch_expires,
            last_cycle: status.last_cycle,
            file: self.inner.file.clone(),
            rules: self
                .inner
                .rules
                .iter()
                .filter(|(r, _)| sees(&r.organisation))
                .map(|(r, why)| RuleRow {
                    name: r.name.clone(),
                    kind: r.kind.map(RuleKind::as_str).unwrap_or("?").to_owned(),
                    organisation: r.organisation.clone(),
                    severity: r.severity,
                    applications: r.applications.clone(),
                    channels: r.channels.clone(),
                    inactive: why.clone().or_else(|| status.blocked.get(&r.name).cloned()),
                })
                .collect(),
            channels: self
                .inner
                .channels
                .iter()
                .map(|c| ChannelRow {
                    name: c.spec.name.clone(),
                    kind: c.spec.kind.as_str().to_owned(),
                    inactive: c.inactive.clone(),
                })
                .collect(),
            open,
            resolved,
            deliveries,
        }
    }

    /// Sends a test notification to the channel `name` ("Send a test" on `/alerts`), at most
    /// one per channel every 10 s; what happened is in the delivery log. `Err` says why not.
    pub fn send_test(&self, name: &str) -> Result<(), &'static str> {
        let Some(store) = &self.inner.store else {
            return Err("off");
        };
        let channel = self
            .inner
            .channels
            .iter()
            .find(|c| c.spec.name == name)
            .ok_or("unknown")?;
        if channel.inactive.is_some() {
            return Err("inactive");
        }
        {
            let mut status = self.status();
            let now = std::time::Instant::now();
            if status
                .tested
                .get(name)
                .is_some_and(|t| now.duration_since(*t) < Duration::from_secs(10))
            {
                return Err("throttled");
            }
            status.tested.insert(name.to_owned(), now);
        }
        let now = time::OffsetDateTime::now_utc();
        let incident = Incident {
            id: format!("test-{}", uuid::Uuid::new_v4()),
            rule: "Send a test".to_owned(),
            kind: "test".to_owned(),
            severity: app::logic::alerts::AlertSeverity::Info,
            organisation: String::new(),
            organisation_name: "this dashboard".to_owned(),
            subject: app::logic::alerts::Subject {
                kind: "test".to_owned(),
                id: "test".to_owned(),
                name: name.to_owned(),
            },
            summary: "A test notification, sent from the alerts page.".to_owned(),
            href: "/alerts".to_owned(),
            opened_at: Some(now),
            resolved_at: None,
            timeline: Vec::new(),
        };
        tracing::info!(channel = %name, "alerts: a test notification asked");
        deliver::spawn(
            channel.clone(),
            incident,
            "test",
            self.inner.public_url.clone(),
            self.inner.allowed_hosts.clone(),
            store.clone(),
        );
        Ok(())
    }

    /// Open incidents in the organisations `visible` (the bell).
    pub fn open_count(&self, visible: &[String]) -> usize {
        self.inner.store.as_ref().map_or(0, |s| {
            s.incidents()
                .unwrap_or_default()
                .iter()
                .filter(|i| i.resolved_at.is_none() && visible.contains(&i.organisation))
                .count()
        })
    }
}
