//! Alerts: rules from the operator's file (`DASHBOARD_ALERTS_FILE`) and made on `/alerts`,
//! evaluated in the server every `DASHBOARD_ALERT_INTERVAL_SECS` with the watch credential
//! (`DASHBOARD_WATCH_TOKEN`, never a user's session), incidents opened and resolved once per
//! rule and subject, and notifications delivered to the rules' channels (`deliver.rs`).
//!
//! State lives in `store.rs`: the local database alone, Redis with several replicas, where
//! one replica at a time (the lease's holder) evaluates. Budget rules wait for the cost
//! estimate (listed as inactive, with why).

mod deliver;
mod patterns;
mod store;

use crate::config::Config;
use app::ids::SegmentId;
use app::logic::alerts::{
    AlertsFile, ChannelKind, ChannelSpec, Facts, Finding, RuleKind, RuleSpec, Step, Track,
    evaluate, step,
};
use app::logic::costs::estimate::MonthEstimate;
use app::model::alerts::{AlertsView, ChannelRow, Incident, RuleRow};
use app::model::date;
use app::model::navigation::Owner;
use app::ssr::alerts::{AlertChange, AlertsBackend, Changed, Done, Fut};
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

/// `POST /alerts/test`: "Send a test" to one channel the user can see; back to `/alerts`,
/// which says whether it was sent (the delivery log then says how it went).
pub async fn send_test(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    signed_in: crate::http::signed_in::SignedIn,
    axum::Form(form): axum::Form<TestForm>,
) -> axum::response::Redirect {
    let visible: Vec<String> = match state.upstream.with(&signed_in.credentials).summary().await {
        Ok(s) => s
            .owners()
            .into_iter()
            .map(|o| o.id)
            .filter(|o| state.allow.org_filter().allows(o))
            .collect(),
        Err(_) => Vec::new(),
    };
    // A word the page turns into its sentence: the address never carries text to show.
    let outcome = state
        .alerts
        .send_test(form.channel.trim(), &visible)
        .await
        .err()
        .unwrap_or("sent");
    axum::response::Redirect::to(&format!("/alerts?tested={outcome}#deliveries"))
}

/// `GET /alerts/open.json`: the open incidents the user can see, `{"open": n}` (the bell,
/// kept live while JavaScript runs).
pub async fn open_count(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    signed_in: crate::http::signed_in::SignedIn,
) -> Result<axum::Json<serde_json::Value>, crate::http::error::JsonError> {
    let summary = state
        .upstream
        .with(&signed_in.credentials)
        .summary()
        .await?;
    let visible: Vec<String> = summary
        .owners()
        .into_iter()
        .map(|o| o.id)
        .filter(|o| state.allow.org_filter().allows(o))
        .collect();
    let open = state.alerts.open_count(&visible).await;
    Ok(axum::Json(serde_json::json!({ "open": open })))
}

/// A channel ready to deliver: its declaration and its secret (from the file or its file,
/// or sealed in the store), and for e-mail the operator's SMTP server.
#[derive(Clone)]
pub(crate) struct Channel {
    pub spec: ChannelSpec,
    pub secret: Option<Vec<u8>>,
    pub inactive: Option<String>,
    pub smtp: Option<Arc<deliver::Smtp>>,
    /// Who made it on the page (none: from the file).
    pub by: Option<String>,
}

/// A rule, whether it runs (`None`) or why not, and who made it on the page (none: the file).
#[derive(Clone)]
struct Rule {
    spec: RuleSpec,
    inactive: Option<String>,
    by: Option<String>,
}

/// What the last cycle saw (kept in the shared store too, so every replica's page says it).
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
struct Status {
    watched: Vec<(String, String)>,
    #[serde(with = "app::model::date")]
    watch_expires: Option<time::OffsetDateTime>,
    #[serde(with = "app::model::date")]
    last_cycle: Option<time::OffsetDateTime>,
    /// Rules that could not run in the last cycle, and why (an organisation out of sight).
    blocked: HashMap<String, String>,
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
    /// The rules and channels of the operator's file (checked once, at start).
    file_rules: Vec<(RuleSpec, Option<String>)>,
    file_channels: Vec<Channel>,
    smtp: Option<Arc<deliver::Smtp>>,
    store: Option<AlertStore>,
    /// Why nothing is evaluated, when so.
    off: Option<String>,
    interval: Duration,
    allowed_hosts: Vec<String>,
    /// Links in notifications start here.
    public_url: String,
    status: Mutex<Status>,
    /// When each channel was last sent a test (per replica).
    tested: Mutex<HashMap<String, std::time::Instant>>,
    /// Per application, since when its drains have been seen retrying.
    retrying: Mutex<BTreeMap<String, time::OffsetDateTime>>,
    /// The log pattern rules' streams.
    patterns: patterns::Patterns,
    /// The open incidents as last read (every evaluation period, and after each evaluation):
    /// what the bell and the fleet board show, so a page load costs the store nothing.
    open: Mutex<Vec<Incident>>,
    /// Each organisation's cost estimate (budget rules), reused for `ESTIMATE_FOR`.
    estimates: Mutex<HashMap<String, (std::time::Instant, MonthEstimate)>>,
}

/// How long an organisation's estimate is reused by the budget rules (it moves by the hour).
const ESTIMATE_FOR: Duration = Duration::from_secs(300);

/// The key of a rule and subject among the tracks.
fn track_key(rule: &str, f: &Finding) -> String {
    format!("{rule}\u{1f}{}:{}", f.subject.kind, f.subject.id)
}

/// The key of a log pattern rule's streams: its name and pattern, so a rule made again with
/// another pattern gets new streams.
fn pattern_key(rule: &RuleSpec) -> String {
    format!(
        "{}\u{1f}{}",
        rule.name,
        rule.pattern.as_deref().unwrap_or("")
    )
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

/// A channel as declared, checked: what keeps it from running is said in `inactive`.
fn make_channel(
    spec: &ChannelSpec,
    secret: Result<Option<Vec<u8>>, String>,
    smtp: &Option<Arc<deliver::Smtp>>,
    allowed_hosts: &[String],
    by: Option<String>,
) -> Channel {
    let mut inactive = None;
    let secret = match secret {
        Ok(s) => s,
        Err(e) => {
            inactive = Some(e);
            None
        }
    };
    match spec.kind {
        ChannelKind::Email => {
            if smtp.is_none() {
                inactive = inactive.or(Some(
                    "no SMTP server is configured (DASHBOARD_SMTP_HOST, DASHBOARD_SMTP_FROM)"
                        .to_owned(),
                ));
            }
            if spec.to.is_empty() || spec.to.len() > 50 {
                inactive = inactive.or(Some("it needs 1 to 50 addresses in to".to_owned()));
            } else if spec
                .to
                .iter()
                .any(|a| a.parse::<lettre::message::Mailbox>().is_err())
            {
                inactive = inactive.or(Some(
                    "one of its addresses is not an e-mail address".to_owned(),
                ));
            }
        }
        ChannelKind::Webhook | ChannelKind::Slack => match spec.url.as_deref() {
            None => inactive = inactive.or(Some("it has no url".to_owned())),
            Some(u) => {
                if let Err(e) = app::ssr::alerts::precheck(u, allowed_hosts) {
                    inactive = inactive.or(Some(e));
                }
            }
        },
    }
    if spec.kind == ChannelKind::Webhook && secret.is_none() {
        inactive = inactive.or(Some("a webhook needs a secret to sign with".to_owned()));
    }
    Channel {
        spec: spec.clone(),
        secret,
        inactive,
        smtp: (spec.kind == ChannelKind::Email)
            .then(|| smtp.clone())
            .flatten(),
        by,
    }
}

/// Why `rule` cannot run with `channels`, if it cannot: its own problem, a channel not
/// declared, or one that belongs to another organisation.
fn rule_problem(rule: &RuleSpec, channels: &[Channel]) -> Option<String> {
    rule.problem().or_else(|| {
        rule.channels.iter().find_map(
            |name| match channels.iter().find(|c| &c.spec.name == name) {
                None => Some(format!("it names a channel that is not declared ({name})")),
                Some(c)
                    if c.spec
                        .organisation
                        .as_ref()
                        .is_some_and(|o| o != &rule.organisation) =>
                {
                    Some(format!(
                        "its channel {name} belongs to another organisation"
                    ))
                }
                Some(_) => None,
            },
        )
    })
}

impl Alerts {
    /// The alerts as configured. Never fails: what cannot run is said on `/alerts` (and in
    /// the log), and the rest runs. `store` is where state lives (none: it could not be
    /// opened, and nothing runs).
    pub fn build(
        config: &Config,
        upstream: Upstream,
        demo: bool,
        store: Result<AlertStore, String>,
    ) -> Self {
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
        let file_channels: Vec<Channel> = spec
            .channel
            .iter()
            .map(|c| {
                let secret = if seen.insert(c.name.clone()) {
                    read_secret(&c.secret, &c.secret_file)
                } else {
                    Err("another channel has the same name".to_owned())
                };
                make_channel(c, secret, &smtp, &allowed_hosts, None)
            })
            .collect();
        let file_rules: Vec<(RuleSpec, Option<String>)> = spec
            .rule
            .iter()
            .map(|r| (r.clone(), rule_problem(r, &file_channels)))
            .collect();
        let (store, store_problem) = match store {
            Ok(s) => (Some(s), None),
            Err(e) => {
                tracing::error!(error = %e, "alerts cannot keep their state: none runs");
                (None, Some(e))
            }
        };
        let off = if let Some(e) = file_problem {
            Some(format!("The alerts file cannot be read: {e}."))
        } else if watch.is_none() {
            Some(
                "No watch credential: set DASHBOARD_WATCH_TOKEN (or DASHBOARD_WATCH_TOKEN_FILE) to an API token of an account that can read the organisations to watch.".to_owned(),
            )
        } else {
            store_problem.map(|e| format!("Alerts cannot keep their state ({e}), so none runs."))
        };
        Self {
            inner: Arc::new(Inner {
                upstream,
                watch,
                file: config.alerts_file.as_ref().map(|p| p.display().to_string()),
                file_rules,
                file_channels,
                smtp,
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
                tested: Mutex::new(HashMap::new()),
                retrying: Mutex::new(BTreeMap::new()),
                patterns: patterns::Patterns::default(),
                estimates: Mutex::new(HashMap::new()),
                open: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Every rule and channel: the file's, then those made on the page (read from the store,
    /// so every replica has the same).
    async fn all(&self) -> (Vec<Rule>, Vec<Channel>) {
        let inner = &self.inner;
        let mut channels = inner.file_channels.clone();
        let mut page_rules = Vec::new();
        if let Some(store) = &inner.store {
            match store.channels().await {
                Ok(list) => channels.extend(list.into_iter().map(|c| {
                    let secret = Ok(c.spec.secret.as_ref().map(|s| s.as_bytes().to_vec()));
                    make_channel(
                        &c.spec,
                        secret,
                        &inner.smtp,
                        &inner.allowed_hosts,
                        Some(c.by),
                    )
                })),
                Err(e) => tracing::error!(error = %e, "alerts: the page's channels cannot be read"),
            }
            match store.rules().await {
                Ok(list) => page_rules = list,
                Err(e) => tracing::error!(error = %e, "alerts: the page's rules cannot be read"),
            }
        }
        let mut rules: Vec<Rule> = inner
            .file_rules
            .iter()
            .map(|(spec, why)| Rule {
                spec: spec.clone(),
                inactive: why.clone(),
                by: None,
            })
            .collect();
        rules.extend(page_rules.into_iter().map(|r| Rule {
            inactive: rule_problem(&r.spec, &channels),
            spec: r.spec,
            by: Some(r.by),
        }));
        (rules, channels)
    }

    /// Starts evaluating every interval, while this replica holds the lease (alone, always);
    /// at a graceful stop (`draining`) the lease is given up so another replica takes over
    /// at once.
    pub fn spawn(&self, draining: Arc<std::sync::atomic::AtomicBool>) {
        if let Some(off) = &self.inner.off {
            if !self.inner.file_rules.is_empty() {
                tracing::warn!(reason = %off, "alerts: rules declared but not evaluated");
            }
            return;
        }
        let Some(store) = self.inner.store.clone() else {
            return;
        };
        let this = self.clone();
        // The lease outlives two periods: a holder that dies is replaced within three.
        let life = (self.inner.interval * 2).max(Duration::from_secs(1));
        tokio::spawn(async move {
            // The first evaluation one period after the start (a server starting does not
            // add its calls to the start's).
            let period = this.inner.interval;
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut leading = false;
            loop {
                tick.tick().await;
                if draining.load(std::sync::atomic::Ordering::SeqCst) {
                    if leading {
                        store.resign().await;
                        tracing::info!("alerts: stopping; the lease is given up");
                    }
                    this.inner.patterns.retain(|_| false);
                    return;
                }
                let lead = match store.lead(life).await {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::warn!(error = %e, "alerts: the lease cannot be checked; nothing evaluated this cycle");
                        false
                    }
                };
                if lead != leading {
                    if lead {
                        tracing::info!("alerts: this replica evaluates the rules now");
                    } else {
                        tracing::info!("alerts: another replica evaluates the rules");
                        this.inner.patterns.retain(|_| false);
                    }
                    leading = lead;
                }
                if lead {
                    this.cycle(&store).await;
                }
                this.refresh_open(&store).await;
            }
        });
    }

    /// Reads the open incidents again for the bell and the board.
    async fn refresh_open(&self, store: &AlertStore) {
        match store.incidents().await {
            Ok(list) => {
                let open: Vec<Incident> = list
                    .into_iter()
                    .filter(|i| i.resolved_at.is_none())
                    .collect();
                *self.inner.open.lock().unwrap_or_else(|p| p.into_inner()) = open;
            }
            Err(e) => tracing::warn!(error = %e, "alerts: the open incidents could not be read"),
        }
    }

    /// The open incidents as last read.
    fn open_now(&self) -> Vec<Incident> {
        self.inner
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn status(&self) -> std::sync::MutexGuard<'_, Status> {
        self.inner.status.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What the last cycle saw: this replica's, or with a shared store the evaluator's.
    async fn last_status(&self) -> Status {
        if let Some(store) = &self.inner.store
            && let Ok(Some(json)) = store.status().await
            && let Ok(s) = serde_json::from_str::<Status>(&json)
        {
            return s;
        }
        self.status().clone()
    }

    /// One evaluation of every rule.
    async fn cycle(&self, store: &AlertStore) {
        let Some(watch) = &self.inner.watch else {
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
        let (rules, channels) = self.all().await;
        let active: Vec<&RuleSpec> = rules
            .iter()
            .filter(|r| r.inactive.is_none())
            .map(|r| &r.spec)
            .collect();
        // Streams of rules no longer active end.
        let wanted: std::collections::HashSet<String> = active
            .iter()
            .filter(|r| r.kind == Some(RuleKind::LogPattern))
            .map(|r| pattern_key(r))
            .collect();
        self.inner
            .patterns
            .retain(|(rule, _)| wanted.contains(rule));
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
        let status = {
            let mut status = self.status();
            status.watched = owners
                .iter()
                .map(|o| (o.id.clone(), o.name.clone()))
                .collect();
            status.watch_expires = expires;
            status.last_cycle = Some(now);
            status.blocked = blocked;
            status.clone()
        };
        if let Ok(json) = serde_json::to_string(&status) {
            let _ = store.set_status(&json).await;
        }
        let tracks: HashMap<String, Track> = match store.tracks().await {
            Ok(t) => t.into_iter().collect(),
            Err(e) => {
                tracing::error!(error = %e, "alerts: state unreadable; nothing evaluated this cycle");
                return;
            }
        };
        let incidents: HashMap<String, Incident> = match store.incidents().await {
            Ok(list) => list.into_iter().map(|i| (i.id.clone(), i)).collect(),
            Err(e) => {
                tracing::error!(error = %e, "alerts: incidents unreadable; nothing evaluated this cycle");
                return;
            }
        };
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
                    notify.push((rule.channels.clone(), i.clone(), state));
                    changed_incidents.push(i);
                }
            }
        }
        // Incidents of rules that are gone (removed on the page, or from the file) resolve
        // too: nothing stays open with nobody to close it.
        let live: std::collections::HashSet<&str> =
            rules.iter().map(|r| r.spec.name.as_str()).collect();
        for (key, track) in &tracks {
            let rule = key.split('\u{1f}').next().unwrap_or_default();
            if live.contains(rule) {
                continue;
            }
            changed_tracks.push((key.clone(), None));
            if let Track::Open { incident, .. } = track
                && let Some(mut i) = incidents.get(incident).cloned()
                && i.resolved_at.is_none()
            {
                i.resolved_at = Some(now);
                i.timeline.push((
                    date::format(&now),
                    "Resolved: its rule was removed.".to_owned(),
                ));
                changed_incidents.push(i);
            }
        }
        // State first: a notification is sent only for what is recorded, and only by the
        // replica that still holds the lease.
        match store.save(&changed_tracks, &changed_incidents).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(
                    "alerts: the lease was lost during the cycle; its outcome is dropped (the new evaluator decides)"
                );
                return;
            }
            Err(e) => {
                tracing::error!(error = %e, "alerts: state not saved; notifications held back");
                return;
            }
        }
        for (_, i, state) in &notify {
            tracing::info!(rule = %i.rule, incident = %i.id, state, "alerts: incident {state}");
        }
        tracing::info!(
            rules = active.len(),
            organisations = facts.len(),
            changed = changed_incidents.len(),
            ms = started.elapsed().as_secs_f64() * 1000.0,
            "alerts: cycle done"
        );
        for (names, incident, state) in notify {
            for name in names {
                let Some(channel) = channels
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
            owner_name: owner.name.clone(),
            ..Facts::default()
        };
        let needs = |k: RuleKind| rules.iter().filter(move |r| r.kind == Some(k));
        let board_kinds = rules.iter().any(|r| {
            !matches!(
                r.kind,
                Some(RuleKind::TokenExpiry | RuleKind::Budget) | None
            )
        });
        if board_kinds {
            let gate = Arc::new(app::ssr::fan_out::Gate::new(8));
            match app::api::fleet::board_with(api, owner, &gate).await {
                Ok(b) => {
                    // Since when each application's drains retry, as seen cycle to cycle.
                    let mut since = self
                        .inner
                        .retrying
                        .lock()
                        .unwrap_or_else(|p| p.into_inner());
                    for row in &b.apps {
                        if row.drains.is_some_and(|d| d.retrying > 0) {
                            since.entry(row.id.clone()).or_insert(now);
                        } else {
                            since.remove(&row.id);
                        }
                    }
                    f.retrying_since = b
                        .apps
                        .iter()
                        .filter_map(|r| since.get(&r.id).map(|t| (r.id.clone(), *t)))
                        .collect();
                    f.board = Some(b);
                }
                Err(e) => {
                    tracing::warn!(error = %e, owner = %owner.id, "alerts: the organisation's board could not be read")
                }
            }
        }
        let Ok(owner_id) = SegmentId::parse("owner id", &owner.id) else {
            return f;
        };
        if needs(RuleKind::Budget).next().is_some() {
            f.estimate = self.estimate(api, &owner_id, now).await;
        }
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
                let key = pattern_key(r);
                let started = self.inner.patterns.ensure(
                    (&self.inner.upstream, watch),
                    &key,
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
                    self.inner.patterns.count(&key, &a.id, window),
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

    /// The organisation's estimate for budget rules: the one read within `ESTIMATE_FOR`, else
    /// a new one (none when it cannot be read: the budget rules wait).
    async fn estimate(
        &self,
        api: &app::ssr::upstream::Authed<'_>,
        owner: &SegmentId,
        now: time::OffsetDateTime,
    ) -> Option<MonthEstimate> {
        let fresh = {
            let cached = self
                .inner
                .estimates
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            cached
                .get(owner.as_str())
                .filter(|(at, e)| {
                    at.elapsed() < ESTIMATE_FOR && e.month_number == u8::from(now.month())
                })
                .map(|(_, e)| e.clone())
        };
        if fresh.is_some() {
            return fresh;
        }
        match app::ssr::costs::month_estimate(api, None, "", owner, now).await {
            Ok(e) => {
                let mut cached = self
                    .inner
                    .estimates
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                cached.insert(
                    owner.as_str().to_owned(),
                    (std::time::Instant::now(), e.clone()),
                );
                Some(e)
            }
            Err(e) => {
                tracing::warn!(error = %e, owner = %owner, "alerts: the cost estimate could not be read; budget rules wait");
                None
            }
        }
    }

    /// What `/alerts` shows a user who can see the organisations `visible`.
    pub async fn view(&self, visible: &[String]) -> AlertsView {
        let status = self.last_status().await;
        let sees = |org: &str| visible.iter().any(|v| v == org);
        let (mut open, mut resolved) = (Vec::new(), Vec::new());
        let mut deliveries = Vec::new();
        if let Some(store) = &self.inner.store {
            for i in store.incidents().await.unwrap_or_default() {
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
                .await
                .unwrap_or_default()
                .into_iter()
                .filter(|d| ids.contains(&d.incident) || d.state == "test")
                .take(50)
                .collect();
        }
        let (rules, channels) = self.all().await;
        // The status read above, not a second time from the store.
        let watched = self.watched_in(&status).await;
        // Organisations by name where the watch credential knows it (else the id).
        let named = |id: &str| {
            watched
                .iter()
                .find(|(w, _)| w == id)
                .map_or_else(|| id.to_owned(), |(_, name)| name.clone())
        };
        let can_edit = self.inner.off.is_none() && self.inner.store.is_some();
        AlertsView {
            off: self.inner.off.clone(),
            watched: status.watched,
            watch_expires: status.watch_expires,
            last_cycle: status.last_cycle,
            file: self.inner.file.clone(),
            rules: rules
                .iter()
                .filter(|r| sees(&r.spec.organisation))
                .map(|r| RuleRow {
                    name: r.spec.name.clone(),
                    kind: r.spec.kind.map(RuleKind::as_str).unwrap_or("?").to_owned(),
                    organisation: named(&r.spec.organisation),
                    severity: r.spec.severity,
                    applications: r.spec.applications.clone(),
                    channels: r.spec.channels.clone(),
                    inactive: r
                        .inactive
                        .clone()
                        .or_else(|| status.blocked.get(&r.spec.name).cloned()),
                    by: r.by.clone(),
                    organisation_id: r.spec.organisation.clone(),
                    amount: r.spec.amount,
                    currency: r.spec.currency.clone(),
                    thresholds: r.spec.thresholds.clone().unwrap_or_else(|| {
                        if r.spec.kind == Some(RuleKind::Budget) {
                            app::logic::alerts::BUDGET_THRESHOLDS.to_vec()
                        } else {
                            Vec::new()
                        }
                    }),
                })
                .collect(),
            channels: channels
                .iter()
                .filter(|c| c.spec.organisation.as_deref().is_none_or(sees))
                .map(|c| ChannelRow {
                    name: c.spec.name.clone(),
                    kind: c.spec.kind.as_str().to_owned(),
                    inactive: c.inactive.clone(),
                    organisation: c.spec.organisation.as_deref().map(named),
                    by: c.by.clone(),
                })
                .collect(),
            open,
            resolved,
            deliveries,
            editable: if can_edit {
                watched.iter().filter(|(id, _)| sees(id)).cloned().collect()
            } else {
                Vec::new()
            },
            can_edit,
        }
    }

    /// The organisations the watch credential sees: as the last cycle saw them, else asked.
    async fn watched(&self) -> Vec<(String, String)> {
        let status = self.last_status().await;
        self.watched_in(&status).await
    }

    /// The organisations the watch credential sees, by `status` when a cycle ran.
    async fn watched_in(&self, status: &Status) -> Vec<(String, String)> {
        if status.last_cycle.is_some() {
            return status.watched.clone();
        }
        let Some(watch) = &self.inner.watch else {
            return Vec::new();
        };
        match self.inner.upstream.with(watch).summary().await {
            Ok(s) => s.owners().into_iter().map(|o| (o.id, o.name)).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Sends a test notification to the channel `name` ("Send a test" on `/alerts`) when the
    /// user sees it, at most one per channel every 10 s; what happened is in the delivery
    /// log. `Err` says why not.
    pub async fn send_test(&self, name: &str, visible: &[String]) -> Result<(), &'static str> {
        let Some(store) = &self.inner.store else {
            return Err("off");
        };
        let (_, channels) = self.all().await;
        let channel = channels
            .into_iter()
            .find(|c| {
                c.spec.name == name
                    && c.spec
                        .organisation
                        .as_ref()
                        .is_none_or(|o| visible.contains(o))
            })
            .ok_or("unknown")?;
        if channel.inactive.is_some() {
            return Err("inactive");
        }
        {
            let mut tested = self.inner.tested.lock().unwrap_or_else(|p| p.into_inner());
            let now = std::time::Instant::now();
            if tested
                .get(name)
                .is_some_and(|t| now.duration_since(*t) < Duration::from_secs(10))
            {
                return Err("throttled");
            }
            tested.retain(|_, t| now.duration_since(*t) < Duration::from_secs(10));
            tested.insert(name.to_owned(), now);
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
            channel,
            incident,
            "test",
            self.inner.public_url.clone(),
            self.inner.allowed_hosts.clone(),
            store.clone(),
        );
        Ok(())
    }

    /// Open incidents in the organisations `visible` (the bell), as last read.
    pub async fn open_count(&self, visible: &[String]) -> usize {
        self.open_now()
            .iter()
            .filter(|i| visible.contains(&i.organisation))
            .count()
    }

    /// Makes or removes a rule or channel on the page, for a user who sees `visible`.
    async fn change(&self, change: AlertChange, by: String, visible: Vec<String>) -> Changed {
        let field = |f: &str, m: String| Err(vec![(f.to_owned(), m)]);
        let Some(store) = self
            .inner
            .store
            .as_ref()
            .filter(|_| self.inner.off.is_none())
        else {
            return field(
                "name",
                "Alerts do not run on this server, so nothing can be made or removed.".to_owned(),
            );
        };
        let (rules, channels) = self.all().await;
        let unavailable = |e: String| {
            tracing::error!(error = %e, "alerts: a change could not be kept");
            vec![(
                "name".to_owned(),
                "The alerts store is unavailable; nothing was changed. Try again in a moment."
                    .to_owned(),
            )]
        };
        match change {
            AlertChange::AddRule(spec) => {
                // Both the user's session and the watch credential must see the organisation
                // (said alike for an organisation that does not exist).
                let watched = self.watched().await;
                if !visible.contains(&spec.organisation)
                    || !watched.iter().any(|(id, _)| id == &spec.organisation)
                {
                    return field(
                        "organisation",
                        "Rules can be made only for an organisation both you and the watch credential can see.".to_owned(),
                    );
                }
                if rules.iter().any(|r| r.spec.name == spec.name) {
                    return field(
                        "name",
                        "A rule of that name exists: choose another.".to_owned(),
                    );
                }
                if let Some(why) = rule_problem(&spec, &channels) {
                    return field("channel", format!("This rule could not run: {why}."));
                }
                let rule = store::PageRule {
                    spec: spec.clone(),
                    by,
                };
                match store.add_rule(&rule).await.map_err(unavailable)? {
                    store::Added::Yes => Ok(Done {
                        sentence: format!(
                            "Rule \"{}\" made: it is checked from the next evaluation.",
                            spec.name
                        ),
                        organisation: spec.organisation,
                        resource: format!("alert rule {}", spec.name),
                    }),
                    store::Added::Exists => field(
                        "name",
                        "A rule of that name exists: choose another.".to_owned(),
                    ),
                    store::Added::Full => field(
                        "name",
                        format!(
                            "There are already {} rules made on this page: remove one first.",
                            store::MAX_RULES
                        ),
                    ),
                }
            }
            AlertChange::RemoveRule(name) => {
                let Some(rule) = rules
                    .iter()
                    .find(|r| r.spec.name == name && visible.contains(&r.spec.organisation))
                else {
                    return field("name", "There is no such rule.".to_owned());
                };
                if rule.by.is_none() {
                    return field(
                        "name",
                        "This rule comes from the operator's file: change the file to remove it."
                            .to_owned(),
                    );
                }
                store.remove_rule(&name).await.map_err(unavailable)?;
                Ok(Done {
                    sentence: format!(
                        "Rule \"{name}\" removed; its open incidents resolve at the next evaluation."
                    ),
                    organisation: rule.spec.organisation.clone(),
                    resource: format!("alert rule {name}"),
                })
            }
            AlertChange::AddChannel(spec) => {
                let org = spec.organisation.clone().unwrap_or_default();
                let watched = self.watched().await;
                if !visible.contains(&org) || !watched.iter().any(|(id, _)| id == &org) {
                    return field(
                        "organisation",
                        "Channels can be made only for an organisation both you and the watch credential can see.".to_owned(),
                    );
                }
                if channels.iter().any(|c| c.spec.name == spec.name) {
                    return field(
                        "name",
                        "A channel of that name exists: choose another.".to_owned(),
                    );
                }
                let secret = Ok(spec.secret.as_ref().map(|s| s.as_bytes().to_vec()));
                let made = make_channel(
                    &spec,
                    secret,
                    &self.inner.smtp,
                    &self.inner.allowed_hosts,
                    None,
                );
                if let Some(why) = made.inactive {
                    let f = match spec.kind {
                        ChannelKind::Email if self.inner.smtp.is_some() => "to",
                        ChannelKind::Email => "kind",
                        _ => "url",
                    };
                    return field(f, format!("This channel could not deliver: {why}"));
                }
                let channel = store::PageChannel {
                    spec: spec.clone(),
                    by,
                };
                match store.add_channel(&channel).await.map_err(unavailable)? {
                    store::Added::Yes => Ok(Done {
                        sentence: format!(
                            "Channel \"{}\" made. Its URL and secret are sealed and never shown again.",
                            spec.name
                        ),
                        organisation: org,
                        resource: format!("alert channel {}", spec.name),
                    }),
                    store::Added::Exists => field(
                        "name",
                        "A channel of that name exists: choose another.".to_owned(),
                    ),
                    store::Added::Full => field(
                        "name",
                        format!(
                            "There are already {} channels made on this page: remove one first.",
                            store::MAX_CHANNELS
                        ),
                    ),
                }
            }
            AlertChange::RemoveChannel(name) => {
                let Some(channel) = channels.iter().find(|c| {
                    c.spec.name == name
                        && c.spec
                            .organisation
                            .as_ref()
                            .is_none_or(|o| visible.contains(o))
                }) else {
                    return field("name", "There is no such channel.".to_owned());
                };
                let (Some(_), Some(org)) = (&channel.by, &channel.spec.organisation) else {
                    return field(
                        "name",
                        "This channel comes from the operator's file: change the file to remove it."
                            .to_owned(),
                    );
                };
                let users: Vec<&str> = rules
                    .iter()
                    .filter(|r| r.spec.channels.contains(&name))
                    .map(|r| r.spec.name.as_str())
                    .collect();
                if !users.is_empty() {
                    return field(
                        "name",
                        format!(
                            "Rules use this channel ({}): remove them or their use first.",
                            users.join(", ")
                        ),
                    );
                }
                store.remove_channel(&name).await.map_err(unavailable)?;
                Ok(Done {
                    sentence: format!("Channel \"{name}\" removed."),
                    organisation: org.clone(),
                    resource: format!("alert channel {name}"),
                })
            }
        }
    }
}

impl AlertsBackend for Alerts {
    fn view(&self, visible: Vec<String>) -> Fut<AlertsView> {
        let this = self.clone();
        Box::pin(async move { Alerts::view(&this, &visible).await })
    }

    fn open_count(&self, visible: Vec<String>) -> Fut<usize> {
        let this = self.clone();
        Box::pin(async move { Alerts::open_count(&this, &visible).await })
    }

    fn open_of_kind(&self, visible: Vec<String>, kind: &'static str) -> Fut<Vec<Incident>> {
        let this = self.clone();
        Box::pin(async move {
            this.open_now()
                .into_iter()
                .filter(|i| i.kind == kind && visible.contains(&i.organisation))
                .collect()
        })
    }

    fn change(&self, change: AlertChange, by: String, visible: Vec<String>) -> Fut<Changed> {
        let this = self.clone();
        Box::pin(async move { Alerts::change(&this, change, by, visible).await })
    }
}
