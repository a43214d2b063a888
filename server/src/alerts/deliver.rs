//! Delivering one notification to one channel, on its own task (evaluation never waits):
//! the URL checked before every attempt (a user's URL is hostile until checked; the address
//! checked is the one connected to), no redirects, short timeouts, the answer never read past
//! a few bytes nor shown; retried with backoff (2, 4, 8, 16 s), each attempt logged and kept.
//!
//! The generic webhook posts the incident as JSON, signed: `X-Dashboard-Signature:
//! t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, with `X-Dashboard-Delivery`
//! the same on every attempt of one delivery. Slack-compatible hooks get `{"text": …}`.

use super::Channel;
use super::store::AlertStore;
use app::logic::alerts::ChannelKind;
use app::model::alerts::{Delivery, Incident};
use app::model::date;
use std::time::Duration;

/// The operator's SMTP server for e-mail channels.
pub(crate) struct Smtp {
    host: String,
    port: u16,
    /// `starttls`, `tls` or `none`.
    tls: String,
    credentials: Option<(String, String)>,
    from: lettre::message::Mailbox,
}

impl Smtp {
    /// The settings, when an SMTP server is configured; why they are refused otherwise.
    pub(crate) fn from_config(
        config: &crate::config::Config,
        allowed: &[String],
    ) -> Result<Option<Self>, String> {
        let Some(host) = config
            .smtp_host
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
        else {
            return Ok(None);
        };
        let from = config
            .smtp_from
            .as_deref()
            .ok_or("DASHBOARD_SMTP_FROM is not set")?
            .parse::<lettre::message::Mailbox>()
            .map_err(|_| "DASHBOARD_SMTP_FROM is not an e-mail address".to_owned())?;
        let tls = config.smtp_tls.trim().to_ascii_lowercase();
        match tls.as_str() {
            "starttls" | "tls" => {}
            "none" if allowed.iter().any(|a| a.eq_ignore_ascii_case(host)) => {}
            "none" => {
                return Err(format!(
                    "DASHBOARD_SMTP_TLS=none is refused for {host}: list it in DASHBOARD_ALERT_ALLOWED_HOSTS (a local relay) or use starttls"
                ));
            }
            other => {
                return Err(format!(
                    "DASHBOARD_SMTP_TLS must be starttls, tls or none (got {other})"
                ));
            }
        }
        let credentials = match (&config.smtp_user, &config.smtp_password) {
            (Some(u), Some(p)) => Some((u.clone(), p.expose().to_owned())),
            _ => None,
        };
        Ok(Some(Self {
            host: host.to_owned(),
            port: config.smtp_port,
            tls,
            credentials,
            from,
        }))
    }

    /// Sends one message to `to`.
    async fn send(&self, to: &[String], subject: &str, body: String) -> Result<u16, String> {
        use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
        let mut message = lettre::Message::builder()
            .from(self.from.clone())
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN);
        for a in to {
            let mailbox = a
                .parse::<lettre::message::Mailbox>()
                .map_err(|_| "an address is not an e-mail address".to_owned())?;
            message = message.to(mailbox);
        }
        let message = message
            .body(body)
            .map_err(|_| "the message could not be written".to_owned())?;
        let builder = match self.tls.as_str() {
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&self.host),
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&self.host),
            _ => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &self.host,
            )),
        }
        .map_err(|_| "the SMTP server's TLS settings are refused".to_owned())?;
        let mut builder = builder
            .port(self.port)
            .timeout(Some(Duration::from_secs(10)));
        if let Some((user, password)) = &self.credentials {
            builder =
                builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
                    user.clone(),
                    password.clone(),
                ));
        }
        let response = builder.build().send(message).await.map_err(|e| {
            if e.is_permanent() {
                "the SMTP server refused the message".to_owned()
            } else if e.is_transient() {
                "the SMTP server asked to try later".to_owned()
            } else {
                "the SMTP server could not be reached".to_owned()
            }
        })?;
        Ok(u16::from(response.code()))
    }
}

/// An e-mail's subject and body.
fn email(i: &Incident, state: &str, base: &str) -> (String, String) {
    let head = match state {
        "resolved" => "Resolved".to_owned(),
        "reminder" => "Still open".to_owned(),
        "test" => "Test".to_owned(),
        _ => "Open".to_owned(),
    };
    let subject = format!(
        "[{}] {head}: {} · {}",
        i.severity.as_str(),
        i.rule,
        i.subject.name
    );
    let body = format!(
        "{head}: {}\n\nRule: {} ({})\nOrganisation: {}\nSubject: {} {}\nOpened: {}\nResolved: {}\n\n{base}{}\n",
        i.summary,
        i.rule,
        i.kind,
        i.organisation_name,
        i.subject.kind,
        i.subject.name,
        i.opened_at.map(|t| date::format(&t)).unwrap_or_default(),
        i.resolved_at
            .map(|t| date::format(&t))
            .unwrap_or_else(|| "-".to_owned()),
        i.href
    );
    (subject, body)
}

/// Attempts of one delivery.
const ATTEMPTS: u32 = 5;
/// The longest one attempt may take.
const TIMEOUT: Duration = Duration::from_secs(5);

/// The generic webhook's body.
pub(crate) fn webhook_body(delivery: &str, i: &Incident, state: &str, base: &str) -> String {
    serde_json::json!({
        "delivery": delivery,
        "incident": i.id,
        "state": match state {
            "resolved" | "test" => state,
            _ => "open",
        },
        "reminder": state == "reminder",
        "rule": i.rule,
        "kind": i.kind,
        "severity": i.severity.as_str(),
        "organisation": { "id": i.organisation, "name": i.organisation_name },
        "subject": { "kind": i.subject.kind, "id": i.subject.id, "name": i.subject.name },
        "summary": i.summary,
        "opened_at": i.opened_at.map(|t| date::format(&t)),
        "resolved_at": i.resolved_at.map(|t| date::format(&t)),
        "url": format!("{base}{}", i.href),
    })
    .to_string()
}

/// A Slack-compatible message.
fn slack_body(i: &Incident, state: &str, base: &str) -> String {
    let head = match state {
        "resolved" => "Resolved".to_owned(),
        "reminder" => format!("Still open ({})", i.severity.as_str()),
        _ => format!("Open ({})", i.severity.as_str()),
    };
    serde_json::json!({
        "text": format!("{head}: {} · {}: {} {base}{}", i.organisation_name, i.rule, i.summary, i.href),
    })
    .to_string()
}

/// Starts delivering `incident` in `state` to `channel`.
pub(crate) fn spawn(
    channel: Channel,
    incident: Incident,
    state: &'static str,
    base: String,
    allowed: Vec<String>,
    store: AlertStore,
) {
    tokio::spawn(async move {
        let id = uuid::Uuid::new_v4().to_string();
        for attempt in 1..=ATTEMPTS {
            let outcome = once(&channel, &incident, state, &base, &allowed, &id).await;
            let done = outcome.is_ok();
            let text = match &outcome {
                Ok(code) => format!("delivered ({code})"),
                Err(e) if attempt < ATTEMPTS => {
                    format!("failed: {e}; retrying in {} s", backoff(attempt).as_secs())
                }
                Err(e) => format!("failed: {e}; gave up after {ATTEMPTS} attempts"),
            };
            if done {
                tracing::info!(channel = %channel.spec.name, incident = %incident.id, delivery = %id, attempt, "alerts: {text}");
            } else {
                tracing::warn!(channel = %channel.spec.name, incident = %incident.id, delivery = %id, attempt, "alerts: {text}");
            }
            let record = Delivery {
                id: id.clone(),
                incident: incident.id.clone(),
                channel: channel.spec.name.clone(),
                state: state.to_owned(),
                attempt,
                outcome: text,
                at: Some(time::OffsetDateTime::now_utc()),
            };
            if let Err(e) = store.log_delivery(&record).await {
                tracing::error!(error = %e, "alerts: a delivery attempt could not be logged");
            }
            if done {
                return;
            }
            if attempt < ATTEMPTS {
                tokio::time::sleep(backoff(attempt)).await;
            }
        }
    });
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(2u64.saturating_pow(attempt.min(5)))
}

/// One attempt: the status code on a 2xx, else why not (never the answer's body).
async fn once(
    channel: &Channel,
    incident: &Incident,
    state: &str,
    base: &str,
    allowed: &[String],
    id: &str,
) -> Result<u16, String> {
    if channel.spec.kind == ChannelKind::Email {
        let smtp = channel
            .smtp
            .as_ref()
            .ok_or("no SMTP server is configured")?;
        let (subject, body) = email(incident, state, base);
        return smtp.send(&channel.spec.to, &subject, body).await;
    }
    let raw = channel.spec.url.as_deref().ok_or("no url")?;
    let (url, addrs) = app::ssr::alerts::check_webhook_url(raw, allowed).await?;
    let host = url.host_str().unwrap_or_default().to_owned();
    // The address checked is the one connected to (a second resolution could differ).
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(3))
        .resolve_to_addrs(&host, &addrs)
        .build()
        .map_err(|_| "the HTTP client could not be built".to_owned())?;
    let (body, kind) = match channel.spec.kind {
        ChannelKind::Slack => (slack_body(incident, state, base), "slack"),
        _ => (webhook_body(id, incident, state, base), "webhook"),
    };
    let mut req = client
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", "clever-dashboard-alerts");
    if kind == "webhook" {
        let t = time::OffsetDateTime::now_utc().unix_timestamp();
        let secret = channel.secret.as_deref().unwrap_or_default();
        req = req.header("x-dashboard-delivery", id).header(
            "x-dashboard-signature",
            app::ssr::alerts::signature(secret, t, body.as_bytes()),
        );
    }
    let resp = req.body(body).send().await.map_err(|e| {
        if e.is_timeout() {
            "no answer in time".to_owned()
        } else if e.is_connect() {
            "could not connect".to_owned()
        } else {
            "the request failed".to_owned()
        }
    })?;
    let code = resp.status().as_u16();
    // The answer is not read: a receiver's body is never shown, and it is dropped unread.
    drop(resp);
    if (200..300).contains(&code) {
        Ok(code)
    } else if (300..400).contains(&code) {
        Err(format!("answered {code}, a redirect (not followed)"))
    } else {
        Err(format!("answered {code}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::logic::alerts::{AlertSeverity, Subject};

    #[test]
    fn the_webhook_body_names_the_incident_and_links_the_dashboard() {
        let i = Incident {
            id: "inc".into(),
            rule: "api down".into(),
            kind: "app_down".into(),
            severity: AlertSeverity::Critical,
            organisation: "orga_1".into(),
            organisation_name: "Acme".into(),
            subject: Subject {
                kind: "application".into(),
                id: "app_1".into(),
                name: "api".into(),
            },
            summary: "api should be up, but no instance is up.".into(),
            href: "/orgs/orga_1/apps/app_1/instances".into(),
            opened_at: None,
            resolved_at: None,
            timeline: vec![],
        };
        let v: serde_json::Value =
            serde_json::from_str(&webhook_body("d-1", &i, "open", "https://dash.example.com"))
                .expect("json");
        assert_eq!(v["delivery"], "d-1");
        assert_eq!(v["state"], "open");
        assert_eq!(v["severity"], "critical");
        assert_eq!(v["organisation"]["name"], "Acme");
        assert_eq!(v["subject"]["kind"], "application");
        assert_eq!(
            v["url"],
            "https://dash.example.com/orgs/orga_1/apps/app_1/instances"
        );
        assert!(v["resolved_at"].is_null());
        let s = slack_body(&i, "resolved", "");
        assert!(s.contains("Resolved: Acme · api down"), "{s}");
        assert_eq!(
            backoff(1),
            Duration::from_secs(2),
            "the first retry within 10 s"
        );
    }
}
