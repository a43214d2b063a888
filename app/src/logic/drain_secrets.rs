//! A drain's secrets, masked before anything reaches the browser: the drain itself (every
//! secret field, the URL's password, query values and Datadog path key, structured-data
//! tokens) and the upstream's test command, by the same rules.

use crate::model::drains::{Drain, RecipientType};

/// A secret as shown: its last 4 characters at most, and only if it is long enough that
/// they give nothing away.
pub fn mask(secret: &str) -> String {
    let n = secret.chars().count();
    if n >= 12 {
        let tail: String = secret.chars().skip(n - 4).collect();
        format!("••••••{tail}")
    } else {
        "••••••".to_owned()
    }
}

/// A URL with its password, query values and (for Datadog) path key masked.
pub fn mask_url(url: &str, t: &RecipientType) -> String {
    mask_url_with(url, t, "••••••", "••••••")
}

/// A URL with its password replaced by `password` and its query values and (for Datadog) path
/// key by `key`.
fn mask_url_with(url: &str, t: &RecipientType, password: &str, key: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some(p) => p,
        None => return mask(url),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split(':').next().unwrap_or_default();
            format!("{user}:{password}@{host}")
        }
        None => authority.to_owned(),
    };
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q)),
        None => (path.to_owned(), None),
    };
    let path = if *t == RecipientType::Datadog && path.contains("/input/") {
        match path.rsplit_once('/') {
            Some((head, _)) => format!("{head}/{key}"),
            None => path,
        }
    } else {
        path
    };
    let query = query
        .map(|q| {
            let masked: Vec<String> = q
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) => format!("{k}={key}"),
                    None => kv.to_owned(),
                })
                .collect();
            format!("?{}", masked.join("&"))
        })
        .unwrap_or_default();
    format!("{scheme}://{authority}{path}{query}")
}

/// Every secret a drain holds, with the placeholder that stands for it in a test command: the
/// named fields, the URL's password, query values and Datadog path key, the structured-data
/// token.
#[cfg(feature = "ssr")]
fn secrets_of(d: &Drain) -> Vec<(String, &'static str)> {
    let r = &d.recipient;
    let mut out: Vec<(String, &'static str)> = [
        (&r.password, "<PASSWORD>"),
        (&r.api_key, "<API_KEY>"),
        (&r.token, "<TOKEN>"),
        (&r.source_token, "<SOURCE_TOKEN>"),
    ]
    .into_iter()
    .filter_map(|(s, name)| Some((s.clone()?, name)))
    .collect();
    if let Some((_, rest)) = r.url.split_once("://") {
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        if let Some((user, _)) = authority.rsplit_once('@')
            && let Some((_, password)) = user.split_once(':')
        {
            out.push((password.to_owned(), "<PASSWORD>"));
        }
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        for kv in query.split('&') {
            if let Some((_, v)) = kv.split_once('=') {
                out.push((v.to_owned(), "<SECRET>"));
            }
        }
        if r.type_ == RecipientType::Datadog
            && path.contains("/input/")
            && let Some((_, key)) = path.rsplit_once('/')
        {
            out.push((key.to_owned(), "<API_KEY>"));
        }
    }
    if let Some(sd) = &r.rfc5424_structured_data_parameters {
        let value = sd.split_once('=').map_or(sd.as_str(), |(_, v)| v);
        out.push((value.trim_matches('"').to_owned(), "<TOKEN>"));
    }
    out.retain(|(s, _)| !s.is_empty());
    out
}

/// A drain's test command (the upstream's curl or netcat line) with every secret of the drain
/// replaced by a placeholder, by the same rules as the list (`redact`): the URL masked where
/// it stands, then each secret wherever it stands, as typed, percent-encoded or in base64
/// (alone, or as `user:secret` for basic authentication). A secret shorter than 4 characters
/// is masked where the URL holds it only: replaced everywhere, it would eat the command.
#[cfg(feature = "ssr")]
pub fn mask_command(command: &str, d: &Drain) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let r = &d.recipient;
    let mut out = command.to_owned();
    if !r.url.is_empty() {
        let masked = mask_url_with(&r.url, &r.type_, "<PASSWORD>", "<SECRET>");
        out = out.replace(&r.url, &masked);
    }
    let user = r.username.clone().unwrap_or_default();
    let mut forms: Vec<(String, &'static str)> = Vec::new();
    for (secret, name) in secrets_of(d) {
        if secret.chars().count() < 4 {
            continue;
        }
        let pair = format!("{user}:{secret}");
        let mut all = vec![
            secret.clone(),
            utf8_percent_encode(&secret, NON_ALPHANUMERIC).to_string(),
        ];
        for engine in [&STANDARD, &URL_SAFE, &URL_SAFE_NO_PAD] {
            all.push(engine.encode(&secret));
            all.push(engine.encode(&pair));
        }
        forms.extend(all.into_iter().map(|f| (f, name)));
    }
    // The longest first, so a secret inside another's encoding is not cut in half.
    forms.sort_by_key(|(f, _)| std::cmp::Reverse(f.len()));
    for (form, name) in forms {
        out = out.replace(&form, name);
    }
    out
}

/// The drain as it may reach the browser: every secret masked.
pub fn redact(mut d: Drain) -> Drain {
    let r = &mut d.recipient;
    r.url = mask_url(&r.url, &r.type_);
    for s in [
        &mut r.password,
        &mut r.api_key,
        &mut r.token,
        &mut r.source_token,
    ] {
        if let Some(v) = s.as_mut() {
            *v = mask(v);
        }
    }
    // Structured data carries tokens too (X-OVH-TOKEN="…").
    if let Some(v) = r.rfc5424_structured_data_parameters.as_mut() {
        *v = match v.split_once('=') {
            Some((k, _)) => format!("{k}=••••••"),
            None => mask(v),
        };
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::drains::Recipient;

    #[cfg(feature = "ssr")]
    #[test]
    fn a_test_command_keeps_no_secret_in_any_form() {
        use base64::Engine as _;
        let drain = |t: RecipientType, url: &str, f: &dyn Fn(&mut Recipient)| {
            let mut d = Drain::default();
            d.recipient.type_ = t;
            d.recipient.url = url.to_owned();
            f(&mut d.recipient);
            d
        };
        let es = drain(
            RecipientType::Elasticsearch,
            "https://es.example.net/_bulk",
            &|r| {
                r.username = Some("elastic".into());
                r.password = Some("p@ss w/rd:1".into());
            },
        );
        let basic = base64::engine::general_purpose::STANDARD.encode("elastic:p@ss w/rd:1");
        let cmd = format!(
            "curl -H 'Authorization: Basic {basic}' 'https://es.example.net/_bulk?pw=p%40ss%20w%2Frd%3A1' -d 'p@ss w/rd:1'"
        );
        let masked = mask_command(&cmd, &es);
        assert!(
            !masked.contains(&basic) && !masked.contains("p%40ss") && !masked.contains("p@ss"),
            "{masked}"
        );
        assert!(masked.contains("Basic <PASSWORD>"), "{masked}");
        let dd = drain(
            RecipientType::Datadog,
            "https://http-intake.logs.datadoghq.eu/api/v2/logs?dd-api-key=abc",
            &|_| {},
        );
        let masked = mask_command(
            "curl -X POST 'https://http-intake.logs.datadoghq.eu/api/v2/logs?dd-api-key=abc' -d x",
            &dd,
        );
        assert!(
            masked.contains("dd-api-key=<SECRET>") && !masked.contains("=abc"),
            "{masked}"
        );
        let dd_path = drain(
            RecipientType::Datadog,
            "https://http-intake.logs.datadoghq.com/v1/input/0123456789abcdef",
            &|_| {},
        );
        let masked = mask_command("curl -H 'DD-API-KEY: 0123456789abcdef' https://x", &dd_path);
        assert_eq!(masked, "curl -H 'DD-API-KEY: <API_KEY>' https://x");
        let sd = drain(
            RecipientType::SyslogTcp,
            "tcp://syslog.example.net:514",
            &|r| {
                r.rfc5424_structured_data_parameters = Some("X-OVH-TOKEN=\"sd-token-99\"".into());
            },
        );
        let masked = mask_command(
            "echo '<14>1 - [X-OVH-TOKEN=\"sd-token-99\"] hi' | nc x 514",
            &sd,
        );
        assert!(!masked.contains("sd-token-99"), "{masked}");
        let userinfo = drain(
            RecipientType::RawHttp,
            "https://u:secret-in-url@h.example/x",
            &|_| {},
        );
        let masked = mask_command("curl 'https://u:secret-in-url@h.example/x'", &userinfo);
        assert_eq!(masked, "curl 'https://u:<PASSWORD>@h.example/x'");
    }

    #[test]
    fn secrets_never_go_out_in_full() {
        let d = Drain {
            recipient: Recipient {
                type_: RecipientType::Elasticsearch,
                url: "https://elastic:hunter2@es.example/_bulk?api_key=abc".into(),
                password: Some("es-demo-password".into()),
                api_key: Some("short".into()),
                rfc5424_structured_data_parameters: Some("X-OVH-TOKEN=\"secret\"".into()),
                ..Recipient::default()
            },
            ..Drain::default()
        };
        let r = redact(d).recipient;
        assert_eq!(
            r.url,
            "https://elastic:••••••@es.example/_bulk?api_key=••••••"
        );
        assert_eq!(r.password.as_deref(), Some("••••••word"));
        assert_eq!(r.api_key.as_deref(), Some("••••••"));
        assert_eq!(
            r.rfc5424_structured_data_parameters.as_deref(),
            Some("X-OVH-TOKEN=••••••")
        );
        assert_eq!(
            mask_url(
                "https://http-intake.logs.datadoghq.com/v1/input/KEY123",
                &RecipientType::Datadog
            ),
            "https://http-intake.logs.datadoghq.com/v1/input/••••••"
        );
    }
}
