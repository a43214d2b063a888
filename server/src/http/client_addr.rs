//! The client's address: the socket's peer, or, only when that peer is a proxy the operator
//! trusts (`DASHBOARD_TRUSTED_PROXIES`), the address the proxy says it forwarded for.
//!
//! `X-Forwarded-For` is read right to left, skipping trusted proxies: the first address that
//! is not one of them is the client (anything left of it was written by the client and may be
//! forged). `Forwarded: for=…` is read the same way when `X-Forwarded-For` is absent.

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};
use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The proxies whose forwarding headers are believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses a comma-separated list of CIDRs or single addresses.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("DASHBOARD_TRUSTED_PROXIES: {s:?} is not an address or CIDR")
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Whether `ip` is one of the proxies.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address of a request, from the peer `serve::connections` recorded in its
    /// extensions (unspecified when none was) and its headers.
    pub fn client_of(&self, extensions: &Extensions, headers: &HeaderMap) -> IpAddr {
        let peer = extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        if self.0.is_empty() && is_private(peer) {
            warn_private_peer(peer);
        }
        self.client(peer, headers)
    }

    /// The client's address for a request from `peer` with these headers.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let forwarded: Vec<IpAddr> = forwarded_for(headers);
        forwarded
            .iter()
            .rev()
            .copied()
            .map(canonical)
            .find(|ip| !self.trusts(*ip))
            // Every hop trusted (or no header): the nearest one is the best we know.
            .or_else(|| forwarded.first().copied().map(canonical))
            .unwrap_or(peer)
    }
}

/// A private network's address (RFC 1918, unique-local IPv6): most often a proxy's.
fn is_private(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.is_private(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xfe00) == 0xfc00,
    }
}

/// Says once per process that requests come from a private address with no trusted proxy
/// configured: behind a proxy, every client would then share the proxy's address, its
/// sign-in budget among them.
fn warn_private_peer(peer: IpAddr) {
    static SAID: std::sync::Once = std::sync::Once::new();
    SAID.call_once(|| {
        tracing::warn!(%peer, "requests arrive from a private address and \
            DASHBOARD_TRUSTED_PROXIES is unset: if a proxy is in front, every client counts as \
            the proxy (one sign-in budget for all); name it in DASHBOARD_TRUSTED_PROXIES");
    });
}

/// IPv4 addresses mapped into IPv6 count as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The addresses of `X-Forwarded-For` (all its headers, in order), else those of
/// `Forwarded`'s `for=`; unparsable entries are skipped.
fn forwarded_for(headers: &HeaderMap) -> Vec<IpAddr> {
    let xff: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| parse_node(s.trim()))
        .collect();
    if !xff.is_empty() {
        return xff;
    }
    headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .flat_map(|element| element.split(';'))
        .filter_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            k.eq_ignore_ascii_case("for")
                .then(|| v.trim().trim_matches('"'))
        })
        .filter_map(parse_node)
        .collect()
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]:443`.
fn parse_node(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Some(sa.ip());
    }
    s.strip_prefix('[')
        .and_then(|r| r.split(']').next())
        .and_then(|ip| ip.parse().ok())
}

/// The client's address of a request (see the module comment); unspecified when the server
/// did not record the peer (`serve::connections` does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl<S> FromRequestParts<S> for ClientAddr
where
    S: Send + Sync,
    TrustedProxies: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            TrustedProxies::from_ref(state).client_of(&parts.extensions, &parts.headers),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_told_apart() {
        for private in [
            "10.1.2.3",
            "172.16.0.9",
            "192.168.1.1",
            "fd00::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_private(private.parse().unwrap()), "{private}");
        }
        for public in ["127.0.0.1", "198.51.100.1", "2001:db8::1", "::1", "fe80::1"] {
            assert!(!is_private(public.parse().unwrap()), "{public}");
        }
    }
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_says() {
        let none = TrustedProxies::default();
        let h = headers(&[("x-forwarded-for", "1.1.1.1")]);
        assert_eq!(none.client(ip("203.0.113.9"), &h), ip("203.0.113.9"));
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        assert_eq!(trusted.client(ip("203.0.113.9"), &h), ip("203.0.113.9"));
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_forged_entries_are_skipped() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.168.1.1").unwrap();
        // The client wrote "6.6.6.6" itself; the proxy appended the real peer.
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7")]);
        assert_eq!(trusted.client(ip("10.1.2.3"), &h), ip("198.51.100.7"));
        // Two trusted hops.
        let h = headers(&[("x-forwarded-for", "198.51.100.7, 10.9.9.9")]);
        assert_eq!(trusted.client(ip("192.168.1.1"), &h), ip("198.51.100.7"));
        // Several headers, ports, IPv6.
        let h = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "[2001:db8::7]:443"),
        ]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &h), ip("2001:db8::7"));
        // Forwarded, when there is no X-Forwarded-For.
        let h = headers(&[(
            "forwarded",
            "for=6.6.6.6, for=\"198.51.100.8:1234\";proto=https",
        )]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &h), ip("198.51.100.8"));
        // No header, or garbage: the proxy itself.
        assert_eq!(
            trusted.client(ip("10.0.0.1"), &HeaderMap::new()),
            ip("10.0.0.1")
        );
        let h = headers(&[("x-forwarded-for", "not an address")]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &h), ip("10.0.0.1"));
        // An IPv4 peer seen as IPv6-mapped is still trusted.
        let h = headers(&[("x-forwarded-for", "198.51.100.7")]);
        assert_eq!(
            trusted.client(ip("::ffff:10.0.0.1"), &h),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn proxy_lists_are_checked() {
        assert!(TrustedProxies::parse("").is_ok());
        assert!(TrustedProxies::parse("10.0.0.0/8,::1,fd00::/8").is_ok());
        let e = TrustedProxies::parse("10.0.0.0/8, proxy.local").unwrap_err();
        assert!(e.contains("proxy.local"), "{e}");
    }
}
