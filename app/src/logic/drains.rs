//! Log drains: the create form per recipient type and health figures in human units (their
//! secrets are masked in `drain_secrets`).
//!
//! (Over 400 lines by its tests: one per recipient type's rules, beside the rules.)

use crate::model::drains::{CreateDrain, DrainKind, Recipient, RecipientType, TlsVerification};
use serde::{Deserialize, Serialize};

/// One field of the create form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// The form field's name.
    pub name: &'static str,
    pub label: &'static str,
    pub required: bool,
    /// Never shown back in full.
    pub secret: bool,
    pub hint: &'static str,
}

const fn f(
    name: &'static str,
    label: &'static str,
    required: bool,
    secret: bool,
    hint: &'static str,
) -> Field {
    Field {
        name,
        label,
        required,
        secret,
        hint,
    }
}

const URL: Field = f("url", "URL", true, false, "");
const USERNAME: Field = f("username", "Username", false, false, "");
const PASSWORD: Field = f("password", "Password", false, true, "");
const SD: Field = f(
    "structured_data",
    "RFC 5424 structured data",
    false,
    false,
    "e.g. X-OVH-TOKEN=\"…\"",
);

/// The fields of a recipient type, required and optional per the API reference. The
/// Elasticsearch TLS mode is a choice, offered apart.
pub fn fields_of(t: &RecipientType) -> Vec<Field> {
    match t {
        RecipientType::Datadog => vec![f(
            "url",
            "URL",
            true,
            false,
            "the intake URL with its API key",
        )],
        RecipientType::Elasticsearch => vec![
            f("url", "URL", true, false, "must end in /_bulk"),
            f("index", "Index", true, false, ""),
            USERNAME,
            PASSWORD,
        ],
        RecipientType::NewRelic => vec![URL, f("api_key", "API key", true, true, "")],
        RecipientType::OvhTcp => vec![URL, f("token", "Token", false, true, ""), SD],
        RecipientType::RawHttp => vec![URL, USERNAME, PASSWORD],
        RecipientType::SyslogTcp | RecipientType::SyslogUdp => vec![URL, SD],
        RecipientType::Betterstack => {
            vec![URL, f("source_token", "Source token", true, true, "")]
        }
        RecipientType::Unknown(_) => vec![URL],
    }
}

/// The create form as posted (every field optional until checked).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DrainForm {
    pub kind: Option<String>,
    pub recipient_type: Option<String>,
    pub url: Option<String>,
    pub index: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub tls_verification: Option<String>,
    pub api_key: Option<String>,
    pub token: Option<String>,
    pub structured_data: Option<String>,
    pub source_token: Option<String>,
}

fn given(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

impl DrainForm {
    fn value(&self, name: &str) -> Option<String> {
        given(match name {
            "url" => &self.url,
            "index" => &self.index,
            "username" => &self.username,
            "password" => &self.password,
            "api_key" => &self.api_key,
            "token" => &self.token,
            "structured_data" => &self.structured_data,
            "source_token" => &self.source_token,
            _ => &None,
        })
    }

    /// What the form is filled with again after a refusal: the values given, secrets left out
    /// (they are typed again, never sent back to the page).
    pub fn kept(&self) -> Vec<(String, String)> {
        let t = RecipientType::from_wire(self.recipient_type.as_deref().unwrap_or_default());
        let mut kept: Vec<(String, String)> = fields_of(&t)
            .into_iter()
            .filter(|f| !f.secret)
            .filter_map(|f| self.value(f.name).map(|v| (f.name.to_owned(), v)))
            .collect();
        for (name, v) in [
            ("kind", &self.kind),
            ("tls_verification", &self.tls_verification),
        ] {
            if let Some(v) = given(v) {
                kept.push((name.to_owned(), v));
            }
        }
        kept
    }

    /// The body to post, or a message per bad field (`(field name, message)`). Only the
    /// fields of the chosen type are sent.
    pub fn validate(&self) -> Result<CreateDrain, Vec<(String, String)>> {
        let mut errors: Vec<(String, String)> = Vec::new();
        let kind = match self.kind.as_deref().unwrap_or("LOG") {
            "LOG" => DrainKind::Log,
            "ACCESSLOG" => DrainKind::AccessLog,
            other => {
                errors.push((
                    "kind".into(),
                    format!("Kind must be LOG or ACCESSLOG (got \"{other}\")."),
                ));
                DrainKind::Log
            }
        };
        let t = RecipientType::from_wire(self.recipient_type.as_deref().unwrap_or_default());
        if let RecipientType::Unknown(raw) = &t {
            errors.push((
                "recipient_type".into(),
                format!("Choose a recipient type (got \"{raw}\")."),
            ));
            return Err(errors);
        }
        for field in fields_of(&t) {
            let v = self.value(field.name);
            if field.required && v.is_none() {
                errors.push((field.name.into(), format!("{} is required.", field.label)));
            }
            if let Some(v) = &v
                && (v.len() > 2048 || v.chars().any(char::is_control))
            {
                errors.push((
                    field.name.into(),
                    format!("{} is too long or has control characters.", field.label),
                ));
            }
        }
        let url = self.value("url").unwrap_or_default();
        let schemes: &[&str] = match t {
            RecipientType::OvhTcp | RecipientType::SyslogTcp => &["tcp://", "tls://"],
            RecipientType::SyslogUdp => &["udp://"],
            _ => &["https://", "http://"],
        };
        if !url.is_empty() {
            if !schemes.iter().any(|s| url.starts_with(s)) {
                errors.push((
                    "url".into(),
                    format!("URL must start with {}.", schemes.join(" or ")),
                ));
            } else if url
                .split("://")
                .nth(1)
                .is_none_or(|rest| rest.is_empty() || rest.starts_with('/'))
            {
                errors.push(("url".into(), "URL must name a host.".into()));
            }
            if t == RecipientType::Elasticsearch && !url.trim_end_matches('/').ends_with("/_bulk") {
                errors.push((
                    "url".into(),
                    "An Elasticsearch URL must end in /_bulk.".into(),
                ));
            }
        }
        let tls = match (
            t == RecipientType::Elasticsearch,
            self.tls_verification.as_deref(),
        ) {
            (true, None | Some("") | Some("DEFAULT")) => Some(TlsVerification::Default),
            (true, Some("TRUSTFUL")) => Some(TlsVerification::Trustful),
            (true, Some(other)) => {
                errors.push((
                    "tls_verification".into(),
                    format!("TLS verification must be DEFAULT or TRUSTFUL (got \"{other}\")."),
                ));
                None
            }
            (false, _) => None,
        };
        if !errors.is_empty() {
            // In the form's order (kind, then the type's fields), each field's messages
            // together: the summary reads top to bottom and the first one is focused.
            let order: Vec<&str> = std::iter::once("kind")
                .chain(fields_of(&t).iter().map(|f| f.name))
                .collect();
            errors.sort_by_key(|(k, _)| order.iter().position(|n| n == k).unwrap_or(order.len()));
            return Err(errors);
        }
        let keep = |name: &str| {
            fields_of(&t)
                .iter()
                .any(|f| f.name == name)
                .then(|| self.value(name))
                .flatten()
        };
        Ok(CreateDrain {
            kind,
            recipient: Recipient {
                type_: t.clone(),
                url,
                index: keep("index"),
                username: keep("username"),
                password: keep("password"),
                tls_verification: tls,
                api_key: keep("api_key"),
                token: keep("token"),
                rfc5424_structured_data_parameters: keep("structured_data"),
                source_token: keep("source_token"),
            },
        })
    }
}

/// Messages per second as people read them: per second, minute or hour.
pub fn rate(per_sec: f64) -> String {
    if !per_sec.is_finite() || per_sec <= 0.0 {
        "0 msg/s".to_owned()
    } else if per_sec >= 1.0 {
        format!("{per_sec:.1} msg/s")
    } else if per_sec * 60.0 >= 1.0 {
        format!("{:.1} msg/min", per_sec * 60.0)
    } else {
        format!("{:.1} msg/h", per_sec * 3600.0)
    }
}

/// Bytes per second in B, KiB or MiB per second.
pub fn throughput(bytes_per_sec: f64) -> String {
    let b = if bytes_per_sec.is_finite() {
        bytes_per_sec.max(0.0)
    } else {
        0.0
    };
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MiB/s", b / 1024.0 / 1024.0)
    } else if b >= 1024.0 {
        format!("{:.1} KiB/s", b / 1024.0)
    } else {
        format!("{b:.0} B/s")
    }
}

#[cfg(feature = "ssr")]
pub use super::drain_secrets::mask_command;
pub use super::drain_secrets::{mask, mask_url, redact};

#[cfg(test)]
mod tests {
    use super::*;

    fn form(t: &str, pairs: &[(&str, &str)]) -> DrainForm {
        let mut f = DrainForm {
            recipient_type: Some(t.into()),
            ..DrainForm::default()
        };
        for (k, v) in pairs {
            let v = Some((*v).to_owned());
            match *k {
                "url" => f.url = v,
                "index" => f.index = v,
                "username" => f.username = v,
                "password" => f.password = v,
                "api_key" => f.api_key = v,
                "token" => f.token = v,
                "structured_data" => f.structured_data = v,
                "source_token" => f.source_token = v,
                "tls_verification" => f.tls_verification = v,
                "kind" => f.kind = v,
                _ => unreachable!(),
            }
        }
        f
    }

    fn fields_in_error(f: &DrainForm) -> Vec<String> {
        f.validate()
            .unwrap_err()
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    }

    #[test]
    fn a_refused_form_keeps_its_values_but_not_its_secrets() {
        let f = form(
            "ELASTICSEARCH",
            &[
                ("url", "https://es.example"),
                ("username", "ada"),
                ("password", "s3cret"),
                ("kind", "ACCESSLOG"),
            ],
        );
        let kept = f.kept();
        assert!(kept.contains(&("url".into(), "https://es.example".into())));
        assert!(kept.contains(&("username".into(), "ada".into())));
        assert!(kept.contains(&("kind".into(), "ACCESSLOG".into())));
        assert!(kept.iter().all(|(k, v)| k != "password" && v != "s3cret"));
    }

    #[test]
    fn messages_come_in_the_form_order() {
        let f = form("ELASTICSEARCH", &[("url", "ftp://x")]);
        assert_eq!(fields_in_error(&f), ["url", "url", "index"]);
    }

    #[test]
    fn each_type_requires_its_own_fields() {
        assert_eq!(fields_in_error(&form("DATADOG", &[])), ["url"]);
        assert_eq!(
            fields_in_error(&form("ELASTICSEARCH", &[])),
            ["url", "index"]
        );
        assert_eq!(
            fields_in_error(&form("NEWRELIC", &[("url", "https://x.example")])),
            ["api_key"]
        );
        assert_eq!(
            fields_in_error(&form("BETTERSTACK", &[("url", "https://x.example")])),
            ["source_token"]
        );
        assert!(
            form("SYSLOG_UDP", &[("url", "udp://s.example:514")])
                .validate()
                .is_ok()
        );
        assert!(
            form("OVH_TCP", &[("url", "tcp://gra1.logs.ovh.com:6514")])
                .validate()
                .is_ok()
        );
        assert!(
            form("RAW_HTTP", &[("url", "https://c.example/in")])
                .validate()
                .is_ok()
        );
        assert_eq!(fields_in_error(&form("GRAYLOG", &[])), ["recipient_type"]);
    }

    #[test]
    fn urls_and_choices_are_checked() {
        let e = form(
            "ELASTICSEARCH",
            &[
                ("url", "https://es.example/logs"),
                ("index", "i"),
                ("tls_verification", "MAYBE"),
            ],
        )
        .validate()
        .unwrap_err();
        assert!(e.iter().any(|(k, m)| k == "url" && m.contains("/_bulk")));
        assert!(
            e.iter()
                .any(|(k, m)| k == "tls_verification" && m.contains("DEFAULT or TRUSTFUL"))
        );
        let e = form("SYSLOG_TCP", &[("url", "https://s.example")])
            .validate()
            .unwrap_err();
        assert!(e[0].1.contains("tcp://"), "{e:?}");
        let e = form("RAW_HTTP", &[("url", "https://")])
            .validate()
            .unwrap_err();
        assert!(e[0].1.contains("host"));
        let e = form(
            "DATADOG",
            &[("url", "https://x.example"), ("kind", "AUDITLOG")],
        )
        .validate()
        .unwrap_err();
        assert_eq!(e[0].0, "kind");
    }

    #[test]
    fn only_the_types_fields_are_sent() {
        let ok = form(
            "ELASTICSEARCH",
            &[
                ("url", "https://es.example/_bulk"),
                ("index", "logs"),
                ("tls_verification", "TRUSTFUL"),
                ("api_key", "stray"),
            ],
        )
        .validate()
        .unwrap();
        assert_eq!(
            ok.recipient.tls_verification,
            Some(TlsVerification::Trustful)
        );
        assert_eq!(
            ok.recipient.api_key, None,
            "a field of another type is dropped"
        );
        let dd = form(
            "DATADOG",
            &[
                ("url", "https://x.example"),
                ("tls_verification", "TRUSTFUL"),
            ],
        )
        .validate()
        .unwrap();
        assert_eq!(dd.recipient.tls_verification, None);
    }

    #[test]
    fn rates_and_throughputs_in_human_units() {
        assert_eq!(rate(12.5), "12.5 msg/s");
        assert_eq!(rate(0.5), "30.0 msg/min");
        assert_eq!(rate(0.001), "3.6 msg/h");
        assert_eq!(rate(0.0), "0 msg/s");
        assert_eq!(throughput(512.0), "512 B/s");
        assert_eq!(throughput(4096.0), "4.0 KiB/s");
        assert_eq!(throughput(3.5 * 1024.0 * 1024.0), "3.5 MiB/s");
        assert_eq!(throughput(f64::NAN), "0 B/s");
    }
}
