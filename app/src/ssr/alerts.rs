//! What the alerts' deliveries need on the server: the webhook signature, and the check of a
//! URL a user gave the server to call (hostile until checked).

use crate::model::alerts::AlertsView;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::{IpAddr, SocketAddr};

/// What the alerts page reads and changes, put in the context by the server. `visible` is
/// always the organisations the user's own session can see: nothing outside them is shown,
/// made or removed.
pub trait AlertsBackend: Send + Sync + 'static {
    /// The page's view.
    fn view(&self, visible: Vec<String>) -> Fut<AlertsView>;
    /// The open incidents only (the bell, on every page).
    fn open_count(&self, visible: Vec<String>) -> Fut<usize>;
    /// The open incidents of `kind` (the fleet board's budget entries).
    fn open_of_kind(
        &self,
        visible: Vec<String>,
        kind: &'static str,
    ) -> Fut<Vec<crate::model::alerts::Incident>>;
    /// Makes or removes a rule or a channel on behalf of `by` (a name for the page and the
    /// audit): a sentence saying what was done, or a message per field in error.
    fn change(&self, change: AlertChange, by: String, visible: Vec<String>) -> Fut<Changed>;
}

/// What a change gave: what was done, or (field, message) pairs.
pub type Changed = Result<Done, Vec<(String, String)>>;

/// A change made: the sentence to show, and for the audit the organisation and the rule's
/// or channel's name.
#[derive(Clone, Debug)]
pub struct Done {
    pub sentence: String,
    pub organisation: String,
    pub resource: String,
}

/// A change asked on the page.
#[derive(Clone, Debug)]
pub enum AlertChange {
    AddRule(crate::logic::alerts::RuleSpec),
    RemoveRule(String),
    AddChannel(crate::logic::alerts::ChannelSpec),
    RemoveChannel(String),
}

/// The alerts of this server, in the context.
#[derive(Clone)]
pub struct AlertsSource(pub std::sync::Arc<dyn AlertsBackend>);

/// A future of the backend's.
pub type Fut<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;

/// The `X-Dashboard-Signature` value of `body` sent at `t` (unix seconds):
/// `t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub fn signature(secret: &[u8], t: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex(&mac.finalize().into_bytes()))
}

/// Bytes in lower-case hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a webhook may not reach `ip`: loopback, private, link-local (the cloud metadata
/// address among them), carrier-grade NAT, unspecified, multicast, broadcast, documentation
/// and benchmarking ranges, IPv6 unique-local and IPv4-mapped forms of these.
pub fn forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (18..20).contains(&b))
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8
        }
    }
}

/// A webhook URL read: the URL, its host (lower case, without brackets) and whether the
/// operator listed that host.
fn read_url(raw: &str, allowed: &[String]) -> Result<(url::Url, String, bool), String> {
    let url = url::Url::parse(raw.trim()).map_err(|_| "The URL is not a valid URL.".to_owned())?;
    let host = url
        .host_str()
        .ok_or_else(|| "The URL has no host.".to_owned())?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let listed = allowed.iter().any(|a| a.eq_ignore_ascii_case(&host));
    match url.scheme() {
        "https" => {}
        "http" if listed => {}
        "http" => {
            return Err(
                "Plain http is refused: use https (or list the host in DASHBOARD_ALERT_ALLOWED_HOSTS)."
                    .to_owned(),
            );
        }
        other => return Err(format!("The scheme {other} is refused: use https.")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("A URL with credentials in it is refused.".to_owned());
    }
    Ok((url, host, listed))
}

/// What can be said of a webhook URL without resolving it: [`read_url`]'s checks, and an
/// address literal outside the forbidden ranges.
pub fn precheck(raw: &str, allowed: &[String]) -> Result<(), String> {
    let (_, host, listed) = read_url(raw, allowed)?;
    if !listed && host.parse::<IpAddr>().is_ok_and(forbidden) {
        return Err("The URL is a private, loopback or link-local address: refused.".to_owned());
    }
    Ok(())
}

/// Checks a webhook URL: `https` (plain `http` only to a host in `allowed`), no credentials in
/// it, and every address its host resolves to outside the forbidden ranges unless the host is
/// in `allowed`. The addresses to connect to (so a second resolution cannot differ), or why
/// it is refused.
pub async fn check_webhook_url(
    raw: &str,
    allowed: &[String],
) -> Result<(url::Url, Vec<SocketAddr>), String> {
    let (url, host, listed) = read_url(raw, allowed)?;
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        tokio::net::lookup_host((host.as_str(), port)),
    )
    .await
    .map_err(|_| "The URL's host did not resolve in time.".to_owned())?
    .map_err(|_| "The URL's host does not resolve.".to_owned())?
    .take(16)
    .collect();
    if addrs.is_empty() {
        return Err("The URL's host does not resolve.".to_owned());
    }
    // Said without the host or the address: the message reaches the delivery log on the page,
    // and a channel's URL is never shown.
    if !listed && addrs.iter().any(|a| forbidden(a.ip())) {
        return Err(
            "The URL's host resolves to a private, loopback or link-local address: refused."
                .to_owned(),
        );
    }
    Ok((url, addrs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_over_the_time_and_the_body() {
        let s = signature(b"Jefe", 0, b"");
        assert!(s.starts_with("t=0,v1="), "{s}");
        let again = signature(b"Jefe", 0, b"");
        assert_eq!(s, again, "deterministic");
        assert_ne!(signature(b"Jefe", 1, b""), s, "the time is signed");
        assert_ne!(signature(b"other", 0, b""), s, "the secret matters");
        // What a receiver computes: HMAC over "<t>.<body>", in lower-case hex.
        let body = b"do ya want for nothing?";
        let direct = signature(b"Jefe", 0, body);
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").expect("key");
        mac.update(b"0.do ya want for nothing?");
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(direct, format!("t=0,v1={hex}"));
    }

    #[test]
    fn private_and_metadata_addresses_are_forbidden() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(forbidden(ip.parse().expect("ip")), "{ip}");
        }
        for ip in ["185.42.117.10", "8.8.8.8", "2a00:1450:4007::1"] {
            assert!(!forbidden(ip.parse().expect("ip")), "{ip}");
        }
    }

    #[tokio::test]
    async fn webhook_urls_are_checked_before_any_call() {
        let none: Vec<String> = vec![];
        for (url, why) in [
            ("http://hooks.example.com/x", "Plain http is refused"),
            ("ftp://hooks.example.com/x", "scheme ftp"),
            ("https://user:pw@hooks.example.com/x", "credentials"),
            ("https://127.0.0.1/x", "loopback"),
            ("https://169.254.169.254/latest/meta-data", "link-local"),
            ("https://[::1]/x", "loopback"),
            // A name that resolves to loopback is refused like the address itself.
            ("https://localhost/x", "loopback"),
            ("not a url", "not a valid URL"),
        ] {
            let e = check_webhook_url(url, &none).await.expect_err(url);
            assert!(e.contains(why), "{url}: {e}");
        }
        let allowed = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
        let (u, addrs) = check_webhook_url("http://127.0.0.1:8080/hook", &allowed)
            .await
            .expect("listed for tests");
        assert_eq!(u.port(), Some(8080));
        assert_eq!(addrs[0].port(), 8080);
        assert!(
            check_webhook_url("http://localhost:9/x", &allowed)
                .await
                .is_ok()
        );
    }
}
