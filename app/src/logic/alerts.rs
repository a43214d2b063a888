//! Alerts: the rules (as the operator's TOML file declares them), what each rule finds in an
//! organisation's facts (the fleet board's rows, its traffic and the watch credential's
//! expiry), and incidents: one per rule and subject, opened when its condition starts,
//! resolved when it ends, damped against flapping.

use crate::model::Timestamp;
use crate::model::deployments::DeploymentState;
use crate::model::fleet::OwnerBoard;
use crate::model::navigation::ApplicationState;
use crate::urls;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a rule watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    DeploymentFailed,
    DeploymentStuck,
    AppDown,
    AppModerated,
    DrainBroken,
    OperatorUpdate,
    #[serde(rename = "http_5xx")]
    Http5xx,
    CpuHigh,
    MemHigh,
    LogPattern,
    TokenExpiry,
    Budget,
}

impl RuleKind {
    /// The name in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DeploymentFailed => "deployment_failed",
            Self::DeploymentStuck => "deployment_stuck",
            Self::AppDown => "app_down",
            Self::AppModerated => "app_moderated",
            Self::DrainBroken => "drain_broken",
            Self::OperatorUpdate => "operator_update",
            Self::Http5xx => "http_5xx",
            Self::CpuHigh => "cpu_high",
            Self::MemHigh => "mem_high",
            Self::LogPattern => "log_pattern",
            Self::TokenExpiry => "token_expiry",
            Self::Budget => "budget",
        }
    }
}

/// How bad an incident is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertSeverity {
    Critical,
    #[default]
    Warning,
    Info,
}

impl AlertSeverity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

/// A rule as declared.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub name: String,
    pub organisation: String,
    pub kind: Option<RuleKind>,
    #[serde(default)]
    pub applications: Vec<String>,
    #[serde(default)]
    pub channels: Vec<String>,
    #[serde(default)]
    pub severity: AlertSeverity,
    pub minutes: Option<u32>,
    pub percent: Option<f64>,
    pub pattern: Option<String>,
    pub count: Option<u32>,
    pub days: Option<u32>,
    pub amount: Option<f64>,
    pub currency: Option<String>,
    pub thresholds: Option<Vec<u32>>,
    /// Reminders while it stays open, every this many minutes (none: no reminder).
    pub remind_minutes: Option<u32>,
    /// Evaluations a condition must hold before an incident opens (default 1); it must then
    /// be clear for one evaluation more before it resolves.
    pub hold: Option<u32>,
}

/// A channel as declared.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelSpec {
    pub name: String,
    pub kind: ChannelKind,
    pub url: Option<String>,
    pub secret: Option<String>,
    pub secret_file: Option<String>,
    #[serde(default)]
    pub to: Vec<String>,
    /// The organisation whose rules may use it (none: every rule; a channel made on the page
    /// always has one).
    pub organisation: Option<String>,
}

/// Where a channel delivers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    #[default]
    Webhook,
    Slack,
    Email,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Slack => "slack",
            Self::Email => "email",
        }
    }
}

/// The alerts file (`DASHBOARD_ALERTS_FILE`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsFile {
    #[serde(default)]
    pub channel: Vec<ChannelSpec>,
    #[serde(default)]
    pub rule: Vec<RuleSpec>,
}

/// The form that makes a rule on the page, as the browser posts it (every field text).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleForm {
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub severity: String,
    /// One channel's name (empty: the bell and the page only).
    #[serde(default)]
    pub channel: String,
    /// Application ids, separated by commas or spaces (empty: every application).
    #[serde(default)]
    pub applications: String,
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub percent: String,
    #[serde(default)]
    pub pattern: String,
    #[serde(default)]
    pub count: String,
    #[serde(default)]
    pub days: String,
    #[serde(default)]
    pub remind_minutes: String,
    /// A budget's monthly amount, currency and thresholds (percent, separated by commas).
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub thresholds: String,
}

/// The form that makes a channel on the page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChannelForm {
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub secret: String,
    /// E-mail addresses, separated by commas, spaces or lines.
    #[serde(default)]
    pub to: String,
}

/// Most characters in a rule's or a channel's name.
pub const MAX_NAME: usize = 80;

/// A name's problem, if any: 1 to 80 characters, no control character.
pub fn name_problem(name: &str) -> Option<String> {
    let n = name.chars().count();
    if name.trim().is_empty() {
        Some("Give it a name.".to_owned())
    } else if n > MAX_NAME || name.chars().any(char::is_control) {
        Some(format!(
            "A name has at most {MAX_NAME} characters, none of them a control character."
        ))
    } else {
        None
    }
}

/// A list typed in one field: the items separated by commas, spaces or lines.
fn items(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl RuleForm {
    /// The rule it asks for, or a message per field in error. What only the server knows
    /// (the organisation seen, the channel's existence, a name taken) is checked there.
    pub fn parse(&self) -> Result<RuleSpec, Vec<(String, String)>> {
        let mut errors: Vec<(String, String)> = Vec::new();
        let mut bad = |field: &str, msg: String| errors.push((field.to_owned(), msg));
        let name = self.name.trim().to_owned();
        if let Some(p) = name_problem(&name) {
            bad("name", p);
        }
        let kind = serde_json::from_value::<RuleKind>(serde_json::Value::String(
            self.kind.trim().to_owned(),
        ))
        .ok();
        if kind.is_none() {
            bad("kind", "Choose what the rule watches.".to_owned());
        }
        let severity = match self.severity.trim() {
            "" | "warning" => AlertSeverity::Warning,
            "critical" => AlertSeverity::Critical,
            "info" => AlertSeverity::Info,
            _ => {
                bad("severity", "Choose critical, warning or info.".to_owned());
                AlertSeverity::Warning
            }
        };
        let applications = items(&self.applications);
        if applications.len() > 50 {
            bad("applications", "At most 50 applications.".to_owned());
        } else if let Some(a) = applications
            .iter()
            .find(|a| crate::ids::SegmentId::parse("application id", a).is_err())
        {
            bad(
                "applications",
                format!(
                    "\"{}\" is not an application id.",
                    crate::logic::filters::clip(a)
                ),
            );
        }
        let mut whole = |field: &str, text: &str, max: u32| -> Option<u32> {
            let t = text.trim();
            if t.is_empty() {
                return None;
            }
            match t.parse::<u32>() {
                Ok(n) if (1..=max).contains(&n) => Some(n),
                _ => {
                    bad(field, format!("A whole number from 1 to {max}."));
                    None
                }
            }
        };
        let minutes = whole("minutes", &self.minutes, 10_080);
        let count = whole("count", &self.count, 1_000_000);
        let days = whole("days", &self.days, 365);
        let remind_minutes = whole("remind_minutes", &self.remind_minutes, 10_080);
        let percent = match self.percent.trim() {
            "" => None,
            t => match t.trim_end_matches('%').trim().parse::<f64>() {
                Ok(p) if (0.0..=100.0).contains(&p) => Some(p),
                _ => {
                    bad("percent", "A number from 0 to 100.".to_owned());
                    None
                }
            },
        };
        let amount = match self.amount.trim() {
            "" => None,
            t => match t.replace(',', ".").parse::<f64>() {
                Ok(a) if a > 0.0 && a.is_finite() && a < 1e12 => Some(a),
                _ => {
                    bad("amount", "An amount above 0.".to_owned());
                    None
                }
            },
        };
        let currency = Some(self.currency.trim().to_ascii_uppercase()).filter(|c| !c.is_empty());
        let thresholds = match self.thresholds.trim() {
            "" => None,
            t => {
                let parsed: Result<Vec<u32>, _> = t
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|p| !p.is_empty())
                    .map(|p| p.trim_end_matches('%').parse::<u32>())
                    .collect();
                match parsed {
                    Ok(mut v)
                        if !v.is_empty()
                            && v.len() <= 10
                            && v.iter().all(|p| (1..=1000).contains(p)) =>
                    {
                        v.sort_unstable();
                        v.dedup();
                        Some(v)
                    }
                    _ => {
                        bad(
                            "thresholds",
                            "Up to 10 percentages from 1 to 1000, separated by commas.".to_owned(),
                        );
                        None
                    }
                }
            }
        };
        let pattern = Some(self.pattern.trim().to_owned()).filter(|p| !p.is_empty());
        let channel = self.channel.trim();
        let spec = RuleSpec {
            name,
            organisation: self.organisation.trim().to_owned(),
            kind,
            applications,
            channels: if channel.is_empty() {
                Vec::new()
            } else {
                vec![channel.to_owned()]
            },
            severity,
            minutes,
            percent,
            pattern,
            count,
            days,
            remind_minutes,
            amount,
            currency,
            thresholds,
            ..RuleSpec::default()
        };
        if errors.is_empty()
            && let Some(why) = spec.problem()
        {
            // The kind's own needs, said beside the kind.
            errors.push(("kind".to_owned(), format!("{}.", capitalised(&why))));
        }
        if errors.is_empty() {
            Ok(spec)
        } else {
            Err(errors)
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

impl ChannelForm {
    /// The channel it asks for, or a message per field in error (the URL's safety and the
    /// SMTP server are checked on the server).
    pub fn parse(&self) -> Result<ChannelSpec, Vec<(String, String)>> {
        let mut errors: Vec<(String, String)> = Vec::new();
        let name = self.name.trim().to_owned();
        if let Some(p) = name_problem(&name) {
            errors.push(("name".to_owned(), p));
        }
        let kind = match self.kind.trim() {
            "webhook" => Some(ChannelKind::Webhook),
            "slack" => Some(ChannelKind::Slack),
            "email" => Some(ChannelKind::Email),
            _ => None,
        };
        let url = Some(self.url.trim().to_owned()).filter(|u| !u.is_empty());
        let secret = Some(self.secret.trim().to_owned()).filter(|s| !s.is_empty());
        let to = items(&self.to);
        match kind {
            None => errors.push((
                "kind".to_owned(),
                "Choose webhook, slack or email.".to_owned(),
            )),
            Some(ChannelKind::Webhook | ChannelKind::Slack) if url.is_none() => {
                errors.push(("url".to_owned(), "Give the URL to post to.".to_owned()))
            }
            Some(ChannelKind::Email) if to.is_empty() || to.len() > 50 => {
                errors.push(("to".to_owned(), "Give 1 to 50 e-mail addresses.".to_owned()))
            }
            _ => {}
        }
        if kind == Some(ChannelKind::Webhook)
            && secret.as_ref().is_none_or(|s| s.chars().count() < 16)
        {
            errors.push((
                "secret".to_owned(),
                "A webhook needs a signing secret of at least 16 characters.".to_owned(),
            ));
        }
        if secret.as_ref().is_some_and(|s| s.len() > 512)
            || url.as_ref().is_some_and(|u| u.len() > 2048)
        {
            errors.push((
                "url".to_owned(),
                "The URL or the secret is too long.".to_owned(),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let kind = kind.unwrap_or_default();
        Ok(ChannelSpec {
            name,
            kind,
            url: url.filter(|_| kind != ChannelKind::Email),
            secret: secret.filter(|_| kind == ChannelKind::Webhook),
            secret_file: None,
            to: if kind == ChannelKind::Email {
                to
            } else {
                Vec::new()
            },
            organisation: Some(self.organisation.trim().to_owned()),
        })
    }
}

/// A declared rule or channel that cannot run, and why (listed as inactive; never contacted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inactive {
    pub what: String,
    pub why: String,
}

impl RuleSpec {
    /// What keeps this rule from running, if anything (channels are checked by the caller).
    pub fn problem(&self) -> Option<String> {
        let Some(kind) = self.kind else {
            return Some("it has no kind".to_owned());
        };
        if self.name.trim().is_empty() {
            return Some("it has no name".to_owned());
        }
        if crate::ids::SegmentId::parse("organisation", &self.organisation).is_err() {
            return Some(format!(
                "its organisation \"{}\" is not an id",
                crate::logic::filters::clip(&self.organisation)
            ));
        }
        let needs =
            |what: &str, ok: bool| (!ok).then(|| format!("a {} rule needs {what}", kind.as_str()));
        match kind {
            RuleKind::Http5xx | RuleKind::CpuHigh | RuleKind::MemHigh => needs(
                "percent (0 to 100)",
                self.percent.is_some_and(|p| (0.0..=100.0).contains(&p)),
            ),
            RuleKind::TokenExpiry => needs("days", self.days.is_some()),
            RuleKind::Budget => needs(
                "an amount above 0, a currency (3 letters) and thresholds from 1 to 1000 %",
                self.amount.is_some_and(|a| a > 0.0 && a.is_finite())
                    && self.currency.as_deref().is_some_and(|c| {
                        c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase())
                    })
                    && self.thresholds.as_ref().is_none_or(|t| {
                        !t.is_empty() && t.len() <= 10 && t.iter().all(|p| (1..=1000).contains(p))
                    }),
            ),
            RuleKind::LogPattern => needs(
                "a pattern (1 to 200 characters, no control character), count and minutes",
                self.pattern.as_deref().is_some_and(|p| {
                    !p.trim().is_empty()
                        && p.chars().count() <= 200
                        && !p.chars().any(char::is_control)
                }) && self.count.is_some()
                    && self.minutes.is_some_and(|m| (1..=1440).contains(&m)),
            ),
            _ => None,
        }
    }

    /// How many evaluations a condition must hold before it opens.
    pub fn hold(&self) -> u32 {
        self.hold.unwrap_or(1).clamp(1, 60)
    }

    fn covers(&self, app_id: &str) -> bool {
        self.applications.is_empty() || self.applications.iter().any(|a| a == app_id)
    }
}

/// What an incident is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Subject {
    /// `application`, `drain`, `addon`, `token`.
    pub kind: String,
    pub id: String,
    pub name: String,
}

/// A rule's condition holding for one subject now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub subject: Subject,
    /// One sentence.
    pub summary: String,
    /// Where the dashboard explains it.
    pub href: String,
}

/// What an evaluation knows of one organisation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub board: Option<OwnerBoard>,
    /// Per application: the share of 5xx answers over the last hour (percent) and the count.
    pub errors: BTreeMap<String, (f64, u64)>,
    /// Per application: the CPU and memory hourly maxima, oldest first (percent).
    pub cpu: BTreeMap<String, Vec<f64>>,
    pub mem: BTreeMap<String, Vec<f64>>,
    /// When the watch credential expires, when known.
    #[serde(with = "crate::model::date")]
    pub token_expires: Option<Timestamp>,
    /// Per log pattern rule and application: the lines that matched in the rule's window.
    pub matches: BTreeMap<(String, String), u64>,
    /// Per application: since when some of its drains have been retrying (as far as the
    /// evaluator has seen).
    pub retrying_since: BTreeMap<String, Timestamp>,
    /// This month's cost estimate of the organisation (budget rules).
    pub estimate: Option<crate::logic::costs::estimate::MonthEstimate>,
    /// The organisation's name.
    pub owner_name: String,
}

/// A budget's thresholds when its rule names none (percent).
pub const BUDGET_THRESHOLDS: [u32; 4] = [50, 75, 90, 100];

/// What a budget rule covers this month: spent so far and forecast for the month's end, in
/// the estimate's currency (the whole organisation: after the invoice's price factor and
/// discount, services included; some applications: their runtime, adjusted alike).
pub fn budget_figures(
    rule: &RuleSpec,
    e: &crate::logic::costs::estimate::MonthEstimate,
) -> (f64, f64) {
    if rule.applications.is_empty() {
        return (e.total.0, e.total.1);
    }
    let adjust = |x: f64| x * e.price_factor * (1.0 - e.discount / 100.0);
    let (so_far, low) = e
        .apps
        .iter()
        .filter(|a| rule.covers(&a.id))
        .fold((0.0, 0.0), |(s, l), a| (s + a.so_far, l + a.low));
    (adjust(so_far), adjust(low))
}

/// The thresholds a budget's figures reached: one finding per threshold, on what was spent
/// or (when spending has not reached it yet) on the forecast, named by the month so each
/// opens once a month.
fn budget_findings(rule: &RuleSpec, facts: &Facts, out: &mut Vec<Finding>) {
    let (Some(e), Some(amount), Some(currency)) = (&facts.estimate, rule.amount, &rule.currency)
    else {
        return;
    };
    if &e.currency != currency || amount <= 0.0 {
        return;
    }
    let (spent, forecast) = budget_figures(rule, e);
    let owner = &rule.organisation;
    let scope = if rule.applications.is_empty() {
        board_name(facts, owner)
    } else {
        let names: Vec<String> = e
            .apps
            .iter()
            .filter(|a| rule.covers(&a.id))
            .map(|a| a.name.clone())
            .collect();
        if names.is_empty() {
            rule.applications.join(", ")
        } else {
            names.join(", ")
        }
    };
    let money = |x: f64| crate::logic::money::format(x, currency);
    let month = format!("{}-{:02}", e.year, e.month_number);
    let thresholds = rule
        .thresholds
        .clone()
        .unwrap_or_else(|| BUDGET_THRESHOLDS.to_vec());
    for t in thresholds {
        let line = amount * f64::from(t) / 100.0;
        let (what, summary) = if spent >= line {
            (
                "spent",
                format!(
                    "{scope} has spent {} in {}, {:.0} % of its {} budget (the {t} % threshold).",
                    money(spent),
                    e.month,
                    spent / amount * 100.0,
                    money(amount)
                ),
            )
        } else if forecast >= line {
            (
                "forecast",
                format!(
                    "{scope} is forecast to spend {} in {}, {:.0} % of its {} budget (the {t} % threshold).",
                    money(forecast),
                    e.month,
                    forecast / amount * 100.0,
                    money(amount)
                ),
            )
        } else {
            continue;
        };
        out.push(finding(
            "budget",
            &format!("{}:{month}:{what}:{t}", rule.name),
            &format!("{t} % of {} ({what})", money(amount)),
            summary,
            crate::urls::costs(owner),
        ));
    }
}

/// The organisation's name (else its id).
fn board_name(facts: &Facts, owner: &str) -> String {
    if !facts.owner_name.is_empty() {
        return facts.owner_name.clone();
    }
    facts
        .board
        .as_ref()
        .map_or_else(|| owner.to_owned(), |b| b.name.clone())
}

fn finding(kind: &str, id: &str, name: &str, summary: String, href: String) -> Finding {
    Finding {
        subject: Subject {
            kind: kind.to_owned(),
            id: id.to_owned(),
            name: name.to_owned(),
        },
        summary,
        href,
    }
}

/// "api: 1 log drain disabled, 2 retrying."
fn drains_said(name: &str, h: crate::model::fleet::DrainHealth) -> String {
    use crate::logic::fleet::plural;
    let parts: Vec<String> = [
        (h.disabled > 0)
            .then(|| format!("{} disabled", plural(h.disabled, "log drain", "log drains"))),
        (h.retrying > 0)
            .then(|| format!("{} retrying", plural(h.retrying, "log drain", "log drains"))),
    ]
    .into_iter()
    .flatten()
    .collect();
    format!("{name}: {}.", parts.join(", "))
}

/// The subjects for which `rule`'s condition holds now.
pub fn evaluate(rule: &RuleSpec, facts: &Facts, now: Timestamp) -> Vec<Finding> {
    let Some(kind) = rule.kind else {
        return Vec::new();
    };
    let owner = rule.organisation.as_str();
    let mut out = Vec::new();
    if kind == RuleKind::TokenExpiry {
        if let (Some(at), Some(days)) = (facts.token_expires, rule.days) {
            let left = (at - now).whole_days();
            if left < i64::from(days) {
                let summary = if at <= now {
                    "The watch credential has expired: alerts cannot see anything.".to_owned()
                } else {
                    format!(
                        "The watch credential expires on {} ({left} days left).",
                        crate::logic::day(Some(at))
                    )
                };
                out.push(finding(
                    "token",
                    "watch",
                    "watch credential",
                    summary,
                    "/alerts".to_owned(),
                ));
            }
        }
        return out;
    }
    if kind == RuleKind::Budget {
        budget_findings(rule, facts, &mut out);
        return out;
    }
    let Some(board) = &facts.board else {
        return out;
    };
    for app in board.apps.iter().filter(|a| rule.covers(&a.id)) {
        let overview = urls::app(owner, &app.id, "");
        let deployment = |id: &str| format!("{overview}/deployments/{}", urls::segment(id));
        let name = &app.name;
        let ended = app
            .latest
            .as_ref()
            .filter(|l| l.state.is_final())
            .or(app.last_ended.as_ref());
        let f =
            |summary: String, href: String| finding("application", &app.id, name, summary, href);
        match kind {
            RuleKind::DeploymentFailed => {
                if let Some(l) = ended.filter(|l| {
                    matches!(
                        l.state,
                        DeploymentState::Failed | DeploymentState::Cancelled
                    )
                }) {
                    let how = if l.state == DeploymentState::Failed {
                        "failed"
                    } else {
                        "was cancelled"
                    };
                    out.push(f(
                        format!("The latest deployment of {name} {how}."),
                        deployment(&l.id),
                    ));
                }
            }
            RuleKind::DeploymentStuck => {
                let limit = i64::from(rule.minutes.unwrap_or(20));
                if let Some(l) = app.latest.as_ref().filter(|l| !l.state.is_final())
                    && let Some(at) = l.at
                    && (now - at).whole_minutes() > limit
                {
                    out.push(f(
                        format!(
                            "A deployment of {name} has been in progress for {} min.",
                            (now - at).whole_minutes()
                        ),
                        deployment(&l.id),
                    ));
                }
            }
            RuleKind::AppDown => {
                let wants = matches!(
                    app.state,
                    ApplicationState::ShouldBeUp | ApplicationState::WantsToBeUp
                );
                match (wants, app.up, app.min) {
                    (true, Some(0), _) => out.push(f(
                        format!("{name} should be up, but no instance is up."),
                        urls::app(owner, &app.id, "/instances"),
                    )),
                    (true, Some(up), Some(min)) if up < min => out.push(f(
                        format!("{name} has {up} instances up of at least {min}."),
                        urls::app(owner, &app.id, "/instances"),
                    )),
                    _ => {}
                }
            }
            RuleKind::AppModerated => match app.state {
                ApplicationState::Moderated => out.push(f(
                    format!("{name} is moderated by Clever Cloud."),
                    overview.clone(),
                )),
                ApplicationState::DefaultOfPayment => out.push(f(
                    format!("{name} is stopped for an unpaid invoice."),
                    urls::invoices(owner),
                )),
                _ => {}
            },
            RuleKind::DrainBroken => {
                // Disabled drains count at once; retrying ones once they have been for the
                // rule's minutes (when it has some).
                let long_enough = |app_id: &str| match rule.minutes {
                    None => true,
                    Some(m) => facts
                        .retrying_since
                        .get(app_id)
                        .is_some_and(|since| now - *since >= time::Duration::minutes(i64::from(m))),
                };
                if let Some(h) = app
                    .drains
                    .filter(|h| h.disabled > 0 || (h.retrying > 0 && long_enough(&app.id)))
                {
                    out.push(finding(
                        "drain",
                        &app.id,
                        name,
                        drains_said(name, h),
                        urls::drains(owner, &app.id),
                    ));
                }
            }
            RuleKind::Http5xx => {
                if let (Some((share, count)), Some(limit)) =
                    (facts.errors.get(&app.id), rule.percent)
                    && *share > limit
                {
                    out.push(f(
                        format!(
                            "{name}: {share:.1} % of the last hour's requests answered 5xx ({count}), above {limit} %."
                        ),
                        urls::app(owner, &app.id, "/metrics"),
                    ));
                }
            }
            RuleKind::LogPattern => {
                let seen = facts
                    .matches
                    .get(&(rule.name.clone(), app.id.clone()))
                    .copied()
                    .unwrap_or(0);
                if let (Some(count), Some(minutes)) = (rule.count, rule.minutes)
                    && seen > u64::from(count)
                {
                    out.push(f(
                        format!(
                            "{name}: {seen} log lines matched \"{}\" in the last {minutes} min (more than {count}).",
                            rule.pattern.as_deref().unwrap_or_default()
                        ),
                        urls::app(owner, &app.id, "/logs"),
                    ));
                }
            }
            RuleKind::CpuHigh | RuleKind::MemHigh => {
                let (series, what) = if kind == RuleKind::CpuHigh {
                    (&facts.cpu, "CPU")
                } else {
                    (&facts.mem, "memory")
                };
                let buckets = rule.count.unwrap_or(3).max(1) as usize;
                if let (Some(values), Some(limit)) = (series.get(&app.id), rule.percent)
                    && values.len() >= buckets
                    && values[values.len() - buckets..].iter().all(|v| *v > limit)
                {
                    out.push(f(
                        format!("{name}: {what} above {limit} % for the last {buckets} hours."),
                        urls::app(owner, &app.id, "/metrics"),
                    ));
                }
            }
            _ => {}
        }
    }
    if rule.applications.is_empty() {
        for addon in &board.addons {
            match kind {
                RuleKind::OperatorUpdate => {
                    if let Some((installed, Some(latest))) = &addon.version {
                        out.push(finding(
                            "addon",
                            &addon.real_id,
                            &addon.name,
                            format!(
                                "{} can be updated from {installed} to {latest}.",
                                addon.name
                            ),
                            addon.href.clone(),
                        ));
                    }
                }
                RuleKind::DrainBroken => {
                    if let Some(h) = addon.drains.filter(|h| h.disabled + h.retrying > 0) {
                        out.push(finding(
                            "drain",
                            &addon.real_id,
                            &addon.name,
                            drains_said(&addon.name, h),
                            urls::drains(owner, &addon.real_id),
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Where one rule and subject stand between evaluations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Track {
    /// Held for this many evaluations in a row, not yet open.
    Pending { held: u32 },
    /// Open; `clear` evaluations in a row found it gone.
    Open {
        incident: String,
        #[serde(with = "crate::model::date")]
        opened: Option<Timestamp>,
        #[serde(with = "crate::model::date")]
        reminded: Option<Timestamp>,
        clear: u32,
    },
}

/// What an evaluation step decides for one rule and subject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Nothing,
    Open,
    Remind,
    Resolve,
}

/// One evaluation of a rule and subject: `holds` says whether the condition holds now. An
/// incident opens after `hold` evaluations in a row, and resolves after `hold + 1` clear ones
/// (a condition that flaps stays one incident); a reminder goes every `remind` while open.
pub fn step(
    track: Option<&Track>,
    holds: bool,
    hold: u32,
    remind: Option<time::Duration>,
    now: Timestamp,
    new_id: impl FnOnce() -> String,
) -> (Option<Track>, Step) {
    match (track, holds) {
        (None, false) => (None, Step::Nothing),
        (None, true) | (Some(Track::Pending { .. }), true) => {
            let held = match track {
                Some(Track::Pending { held }) => held + 1,
                _ => 1,
            };
            if held >= hold {
                (
                    Some(Track::Open {
                        incident: new_id(),
                        opened: Some(now),
                        reminded: None,
                        clear: 0,
                    }),
                    Step::Open,
                )
            } else {
                (Some(Track::Pending { held }), Step::Nothing)
            }
        }
        (Some(Track::Pending { .. }), false) => (None, Step::Nothing),
        (
            Some(Track::Open {
                incident,
                opened,
                reminded,
                ..
            }),
            true,
        ) => {
            let last = reminded.or(*opened);
            let due = remind.is_some_and(|every| last.is_none_or(|t| now - t >= every));
            let reminded = if due { Some(now) } else { *reminded };
            (
                Some(Track::Open {
                    incident: incident.clone(),
                    opened: *opened,
                    reminded,
                    clear: 0,
                }),
                if due { Step::Remind } else { Step::Nothing },
            )
        }
        (
            Some(Track::Open {
                incident,
                opened,
                reminded,
                clear,
            }),
            false,
        ) => {
            let clear = clear + 1;
            if clear > hold {
                (None, Step::Resolve)
            } else {
                (
                    Some(Track::Open {
                        incident: incident.clone(),
                        opened: *opened,
                        reminded: *reminded,
                        clear,
                    }),
                    Step::Nothing,
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fleet::{AddonRow, AppRow, DrainHealth, Latest};
    use time::macros::datetime;

    fn app(id: &str, state: ApplicationState, up: u32, min: u32) -> AppRow {
        AppRow {
            id: id.into(),
            name: format!("name-{id}"),
            state,
            up: Some(up),
            min: Some(min),
            flavor: None,
            zone: None,
            latest: None,
            last_ended: None,
            drains: None,
        }
    }

    fn rule(kind: RuleKind) -> RuleSpec {
        RuleSpec {
            name: kind.as_str().into(),
            organisation: "orga_1".into(),
            kind: Some(kind),
            ..RuleSpec::default()
        }
    }

    #[test]
    fn every_evaluated_kind_finds_its_condition_and_only_it() {
        let now = datetime!(2026-12-02 12:00 UTC);
        let failed = Latest {
            id: "d1".into(),
            state: DeploymentState::Failed,
            at: Some(now - time::Duration::hours(1)),
            author: None,
            commit: None,
        };
        let running = Latest {
            id: "d2".into(),
            state: DeploymentState::WorkInProgress,
            at: Some(now - time::Duration::minutes(45)),
            ..failed.clone()
        };
        let mut down = app("app_down", ApplicationState::ShouldBeUp, 0, 1);
        down.latest = Some(failed.clone());
        let mut stuck = app("app_stuck", ApplicationState::ShouldBeUp, 2, 1);
        stuck.latest = Some(running);
        stuck.drains = Some(DrainHealth {
            total: 2,
            disabled: 1,
            retrying: 0,
        });
        let moderated = app("app_mod", ApplicationState::Moderated, 0, 1);
        let fine = app("app_fine", ApplicationState::ShouldBeUp, 2, 2);
        let board = OwnerBoard {
            id: "orga_1".into(),
            name: "Org".into(),
            personal: false,
            apps: vec![down, stuck, moderated, fine],
            addons: vec![AddonRow {
                name: "auth".into(),
                real_id: "keycloak_1".into(),
                kind: "Keycloak".into(),
                href: "/x".into(),
                version: Some(("1".into(), Some("2".into()))),
                drains: None,
            }],
            attention: vec![],
            gaps: vec![],
            fetched: None,
            requests: None,
        };
        let mut facts = Facts {
            board: Some(board),
            token_expires: Some(now + time::Duration::days(5)),
            ..Facts::default()
        };
        facts.errors.insert("app_fine".into(), (12.5, 40));
        facts
            .cpu
            .insert("app_fine".into(), vec![10.0, 95.0, 96.0, 97.0]);
        facts.mem.insert("app_fine".into(), vec![95.0, 20.0, 96.0]);
        let ids = |r: &RuleSpec| -> Vec<String> {
            evaluate(r, &facts, now)
                .into_iter()
                .map(|f| f.subject.id)
                .collect()
        };
        assert_eq!(ids(&rule(RuleKind::DeploymentFailed)), ["app_down"]);
        assert_eq!(ids(&rule(RuleKind::DeploymentStuck)), ["app_stuck"]);
        assert_eq!(
            ids(&RuleSpec {
                minutes: Some(60),
                ..rule(RuleKind::DeploymentStuck)
            }),
            Vec::<String>::new(),
            "45 min is under an hour"
        );
        assert_eq!(ids(&rule(RuleKind::AppDown)), ["app_down"]);
        assert_eq!(ids(&rule(RuleKind::AppModerated)), ["app_mod"]);
        assert_eq!(ids(&rule(RuleKind::DrainBroken)), ["app_stuck"]);
        assert_eq!(ids(&rule(RuleKind::OperatorUpdate)), ["keycloak_1"]);
        let pct = |k, p| RuleSpec {
            percent: Some(p),
            ..rule(k)
        };
        assert_eq!(ids(&pct(RuleKind::Http5xx, 10.0)), ["app_fine"]);
        assert!(ids(&pct(RuleKind::Http5xx, 20.0)).is_empty());
        assert_eq!(
            ids(&pct(RuleKind::CpuHigh, 90.0)),
            ["app_fine"],
            "3 buckets in a row"
        );
        assert!(
            ids(&pct(RuleKind::MemHigh, 90.0)).is_empty(),
            "not in a row"
        );
        let days = |d| RuleSpec {
            days: Some(d),
            ..rule(RuleKind::TokenExpiry)
        };
        assert_eq!(ids(&days(7)), ["watch"]);
        let pattern = RuleSpec {
            pattern: Some("timeout".into()),
            count: Some(5),
            minutes: Some(10),
            ..rule(RuleKind::LogPattern)
        };
        assert_eq!(pattern.problem(), None);
        assert!(ids(&pattern).is_empty(), "nothing counted");
        let mut counted = facts.clone();
        counted
            .matches
            .insert(("log_pattern".into(), "app_fine".into()), 6);
        counted
            .matches
            .insert(("log_pattern".into(), "app_down".into()), 5);
        let found: Vec<String> = evaluate(&pattern, &counted, now)
            .into_iter()
            .map(|f| f.subject.id)
            .collect();
        assert_eq!(found, ["app_fine"], "more than count, not as many");
        assert!(
            RuleSpec {
                count: None,
                ..pattern.clone()
            }
            .problem()
            .is_some_and(|p| p.contains("needs a pattern"))
        );
        assert!(ids(&days(3)).is_empty());
        // Narrowed to applications: only those, and no add-on.
        let narrow = RuleSpec {
            applications: vec!["app_mod".into()],
            ..rule(RuleKind::AppDown)
        };
        assert!(ids(&narrow).is_empty());
        let narrow_update = RuleSpec {
            applications: vec!["app_down".into()],
            ..rule(RuleKind::OperatorUpdate)
        };
        assert!(ids(&narrow_update).is_empty());
    }

    #[test]
    fn retrying_drains_count_once_retrying_longer_than_the_rules_minutes() {
        let now = datetime!(2026-12-02 12:00 UTC);
        let mut retrying = app("app_r", ApplicationState::ShouldBeUp, 1, 1);
        retrying.drains = Some(DrainHealth {
            total: 1,
            disabled: 0,
            retrying: 1,
        });
        let mut disabled = app("app_d", ApplicationState::ShouldBeUp, 1, 1);
        disabled.drains = Some(DrainHealth {
            total: 1,
            disabled: 1,
            retrying: 0,
        });
        let mut facts = Facts {
            board: Some(OwnerBoard {
                id: "orga_1".into(),
                name: "Org".into(),
                personal: false,
                apps: vec![retrying, disabled],
                addons: vec![],
                attention: vec![],
                gaps: vec![],
                fetched: None,
                requests: None,
            }),
            ..Facts::default()
        };
        let rule = RuleSpec {
            minutes: Some(10),
            ..rule(RuleKind::DrainBroken)
        };
        let ids = |f: &Facts| -> Vec<String> {
            evaluate(&rule, f, now)
                .into_iter()
                .map(|f| f.subject.id)
                .collect()
        };
        assert_eq!(ids(&facts), ["app_d"], "retrying since an unknown time");
        facts
            .retrying_since
            .insert("app_r".into(), now - time::Duration::minutes(5));
        assert_eq!(ids(&facts), ["app_d"], "5 minutes is not 10");
        facts
            .retrying_since
            .insert("app_r".into(), now - time::Duration::minutes(11));
        assert_eq!(ids(&facts), ["app_r", "app_d"]);
    }

    #[test]
    fn a_budget_finds_each_threshold_once_a_month_on_spent_or_forecast() {
        use crate::logic::costs::estimate::{AppEstimate, MonthEstimate};
        let now = datetime!(2026-12-15 12:00 UTC);
        let e = MonthEstimate {
            month: "December 2026".into(),
            year: 2026,
            month_number: 12,
            currency: "EUR".into(),
            apps: vec![AppEstimate {
                id: "app_1".into(),
                name: "api".into(),
                so_far: 40.0,
                low: 60.0,
                high: 80.0,
                sentence: String::new(),
            }],
            price_factor: 1.0,
            discount: 0.0,
            total: (60.0, 95.0, 120.0),
            ..MonthEstimate::default()
        };
        let facts = Facts {
            estimate: Some(e),
            owner_name: "Acme".into(),
            ..Facts::default()
        };
        let budget = RuleSpec {
            amount: Some(100.0),
            currency: Some("EUR".into()),
            ..rule(RuleKind::Budget)
        };
        assert_eq!(budget.problem(), None);
        let ids: Vec<String> = evaluate(&budget, &facts, now)
            .into_iter()
            .map(|f| f.subject.id)
            .collect();
        assert_eq!(
            ids,
            [
                "budget:2026-12:spent:50",
                "budget:2026-12:forecast:75",
                "budget:2026-12:forecast:90"
            ]
        );
        // Narrowed to an application: its runtime only.
        let narrow = RuleSpec {
            applications: vec!["app_1".into()],
            thresholds: Some(vec![40, 60]),
            ..budget.clone()
        };
        let found = evaluate(&narrow, &facts, now);
        assert_eq!(found.len(), 2);
        assert!(
            found[0].summary.starts_with("api has spent 40.00"),
            "{}",
            found[0].summary
        );
        // Another currency is not compared; a budget without an amount does not run.
        let dollars = RuleSpec {
            currency: Some("USD".into()),
            ..budget.clone()
        };
        assert!(evaluate(&dollars, &facts, now).is_empty());
        assert!(
            RuleSpec {
                amount: None,
                ..budget
            }
            .problem()
            .is_some()
        );
    }

    #[test]
    fn the_forms_give_rules_and_channels_or_a_message_per_field() {
        let form = RuleForm {
            organisation: "orga_1".into(),
            name: "api slow".into(),
            kind: "http_5xx".into(),
            severity: "critical".into(),
            channel: "ops".into(),
            applications: "app_1, app_2".into(),
            percent: "5 %".into(),
            ..RuleForm::default()
        };
        let spec = form.parse().expect("a rule");
        assert_eq!(spec.kind, Some(RuleKind::Http5xx));
        assert_eq!(spec.percent, Some(5.0));
        assert_eq!(spec.applications, ["app_1", "app_2"]);
        assert_eq!(spec.channels, ["ops"]);
        assert_eq!(spec.severity, AlertSeverity::Critical);
        let fields = |f: RuleForm| -> Vec<String> {
            f.parse()
                .expect_err("refused")
                .into_iter()
                .map(|(k, _)| k)
                .collect()
        };
        assert_eq!(
            fields(RuleForm {
                name: String::new(),
                kind: "nonsense".into(),
                percent: "150".into(),
                minutes: "-3".into(),
                applications: "../../x".into(),
                ..form.clone()
            }),
            ["name", "kind", "applications", "minutes", "percent"]
        );
        assert_eq!(
            fields(RuleForm {
                percent: String::new(),
                ..form.clone()
            }),
            ["kind"],
            "its kind needs a percent"
        );
        let channel = ChannelForm {
            organisation: "orga_1".into(),
            name: "ops".into(),
            kind: "webhook".into(),
            url: "https://hooks.example.com/x".into(),
            secret: "0123456789abcdef".into(),
            to: "ignored@example.com".into(),
        };
        let spec = channel.parse().expect("a channel");
        assert!(spec.to.is_empty(), "addresses are for e-mail only");
        assert_eq!(spec.organisation.as_deref(), Some("orga_1"));
        let refused = ChannelForm {
            secret: "short".into(),
            url: String::new(),
            ..channel.clone()
        }
        .parse()
        .expect_err("refused");
        assert_eq!(refused.len(), 2);
        let email = ChannelForm {
            kind: "email".into(),
            to: "a@example.com\nb@example.com".into(),
            url: String::new(),
            secret: String::new(),
            ..channel
        }
        .parse()
        .expect("an e-mail channel");
        assert_eq!(email.to, ["a@example.com", "b@example.com"]);
        assert_eq!(email.url, None);
    }

    #[test]
    fn incidents_open_once_remind_when_asked_and_resolve_after_a_damped_clear() {
        let t0 = datetime!(2026-12-02 12:00 UTC);
        let at = |m: i64| t0 + time::Duration::minutes(m);
        let mut n = 0;
        let mut id = || {
            n += 1;
            format!("inc-{n}")
        };
        // hold = 2: two evaluations in a row before it opens.
        let (t, s) = step(None, true, 2, None, at(0), &mut id);
        assert_eq!(
            (t.clone(), s),
            (Some(Track::Pending { held: 1 }), Step::Nothing)
        );
        let (t, s) = step(t.as_ref(), false, 2, None, at(1), &mut id);
        assert_eq!(
            (t.clone(), s),
            (None, Step::Nothing),
            "a blip opens nothing"
        );
        let (t, _) = step(None, true, 2, None, at(2), &mut id);
        let (t, s) = step(t.as_ref(), true, 2, None, at(3), &mut id);
        assert_eq!(s, Step::Open);
        // Flapping: clear twice, holds again, stays the same incident.
        let (t, s) = step(t.as_ref(), false, 2, None, at(4), &mut id);
        assert_eq!(s, Step::Nothing);
        let (t, s) = step(t.as_ref(), false, 2, None, at(5), &mut id);
        assert_eq!(s, Step::Nothing);
        let (t, s) = step(t.as_ref(), true, 2, None, at(6), &mut id);
        assert_eq!(s, Step::Nothing);
        assert!(matches!(&t, Some(Track::Open { incident, clear: 0, .. }) if incident == "inc-1"));
        // Resolves after hold + 1 = 3 clear evaluations.
        let (t, _) = step(t.as_ref(), false, 2, None, at(7), &mut id);
        let (t, _) = step(t.as_ref(), false, 2, None, at(8), &mut id);
        let (t, s) = step(t.as_ref(), false, 2, None, at(9), &mut id);
        assert_eq!((t, s), (None, Step::Resolve));
        // Reminders every 30 minutes while open, only when asked.
        let every = Some(time::Duration::minutes(30));
        let (t, s) = step(None, true, 1, every, at(0), &mut id);
        assert_eq!(s, Step::Open);
        let (t, s) = step(t.as_ref(), true, 1, every, at(20), &mut id);
        assert_eq!(s, Step::Nothing);
        let (t, s) = step(t.as_ref(), true, 1, every, at(31), &mut id);
        assert_eq!(s, Step::Remind);
        let (_, s) = step(t.as_ref(), true, 1, every, at(40), &mut id);
        assert_eq!(s, Step::Nothing, "the next one 30 min after the last");
    }

    #[test]
    fn the_file_is_read_and_each_rule_says_what_keeps_it_from_running() {
        let text = r#"
            [[channel]]
            name = "ops"
            kind = "webhook"
            url = "https://hooks.example.com/cc"
            secret = "s3cret"

            [[rule]]
            name = "api down"
            organisation = "orga_1"
            kind = "app_down"
            applications = ["app_1"]
            channels = ["ops"]
            severity = "critical"

            [[rule]]
            name = "errors"
            organisation = "orga_1"
            kind = "http_5xx"
            channels = ["ops"]

            [[rule]]
            name = "pattern"
            organisation = "orga_1"
            kind = "log_pattern"
            pattern = "panic"
        "#;
        let file: AlertsFile = toml::from_str(text).expect("parses");
        assert_eq!(file.channel[0].kind, ChannelKind::Webhook);
        assert_eq!(file.rule[0].severity, AlertSeverity::Critical);
        assert_eq!(file.rule[0].problem(), None);
        assert!(file.rule[1].problem().unwrap().contains("needs percent"));
        assert!(file.rule[2].problem().unwrap().contains("needs a pattern"));
        assert!(
            toml::from_str::<AlertsFile>(
                "[[rule]]\nname = \"x\"\norganisation = \"o\"\nkind = \"nope\""
            )
            .is_err()
        );
        assert!(
            toml::from_str::<AlertsFile>(
                "[[rule]]\nname = \"x\"\norganisation = \"o\"\ncolour = 1"
            )
            .is_err()
        );
    }
}
