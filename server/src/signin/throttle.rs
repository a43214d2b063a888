//! Sign-in attempts limited per client and in total (governor's GCRA), checked before
//! anything goes upstream: the dashboard is no token oracle, and a flood from one address
//! cannot get the server's own address throttled upstream.
//!
//! A client is an IPv4 address or an IPv6 /64 (what one host or home network is given, so
//! one network cannot draw on its 2^64 addresses' budgets). Token attempts (`POST /login`) and
//! OAuth starts (`GET /login/oauth`, which needs no cookie, so any page could make a visitor's
//! browser spend it) have a budget each per client; only token attempts that passed their
//! client's limit draw on the total, a loose net that no one network can drain.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// How many attempts: a burst, then one more per period.
#[derive(Clone, Copy, Debug)]
pub struct Rate {
    pub burst: u32,
    pub every: Duration,
}

impl Rate {
    fn quota(self) -> Quota {
        let burst = NonZeroU32::new(self.burst).unwrap_or(NonZeroU32::MIN);
        Quota::with_period(self.every.max(Duration::from_micros(1)))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst)
    }
}

/// The sign-in limiters of one replica.
pub struct SignInLimits {
    per_client: DefaultKeyedRateLimiter<IpAddr>,
    oauth_per_client: DefaultKeyedRateLimiter<IpAddr>,
    total: DefaultDirectRateLimiter,
    clock: DefaultClock,
}

/// The key of a client: an IPv4 address as it is, an IPv6 address's /64.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(network.into())
        }
    }
}

impl std::fmt::Debug for SignInLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignInLimits")
    }
}

impl SignInLimits {
    /// Limiters with these rates; addresses not seen for a while are forgotten every minute.
    pub fn new(per_client: Rate, total: Rate) -> Arc<Self> {
        let limits = Arc::new(Self {
            per_client: RateLimiter::keyed(per_client.quota()),
            oauth_per_client: RateLimiter::keyed(per_client.quota()),
            total: RateLimiter::direct(total.quota()),
            clock: DefaultClock::default(),
        });
        let weak = Arc::downgrade(&limits);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                let Some(limits) = weak.upgrade() else {
                    return;
                };
                limits.per_client.retain_recent();
                limits.oauth_per_client.retain_recent();
            }
        });
        limits
    }

    /// Takes one token attempt for `client`, or says how long until the next one is allowed.
    /// An attempt refused for its client takes nothing from the total.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        let now = self.clock.now();
        self.per_client
            .check_key(&client_key(client))
            .map_err(|not_until| not_until.wait_time_from(now))?;
        self.total
            .check()
            .map_err(|not_until| not_until.wait_time_from(now))
    }

    /// Takes one start of "Sign in with Clever Cloud" for `client` (a budget of its own).
    pub fn check_oauth_start(&self, client: IpAddr) -> Result<(), Duration> {
        let now = self.clock.now();
        self.oauth_per_client
            .check_key(&client_key(client))
            .map_err(|not_until| not_until.wait_time_from(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_burst_then_one_per_period_per_client_and_a_total() {
        let limits = SignInLimits::new(
            Rate {
                burst: 3,
                every: Duration::from_secs(6),
            },
            Rate {
                burst: 5,
                every: Duration::from_secs(1),
            },
        );
        let a: IpAddr = "198.51.100.1".parse().unwrap();
        let b: IpAddr = "198.51.100.2".parse().unwrap();
        let c: IpAddr = "198.51.100.3".parse().unwrap();
        for _ in 0..3 {
            assert!(limits.check(a).is_ok());
        }
        let wait = limits.check(a).unwrap_err();
        assert!(
            wait > Duration::from_secs(4) && wait <= Duration::from_secs(6),
            "{wait:?}"
        );
        // Another address has its own burst, until the total runs out.
        assert!(limits.check(b).is_ok());
        assert!(limits.check(b).is_ok());
        assert!(limits.check(c).is_err(), "the total allows 5");
    }

    #[tokio::test]
    async fn an_ipv6_network_is_one_client_and_oauth_starts_have_their_own_budget() {
        let every = Duration::from_secs(6);
        let limits = SignInLimits::new(
            Rate { burst: 2, every },
            Rate {
                burst: 100,
                every: Duration::from_secs(1),
            },
        );
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(limits.check(ip("2001:db8:1:2::1")).is_ok());
        assert!(limits.check(ip("2001:db8:1:2:ffff::9")).is_ok());
        assert!(
            limits.check(ip("2001:db8:1:2::77")).is_err(),
            "the same /64"
        );
        assert!(limits.check(ip("2001:db8:1:3::1")).is_ok(), "another /64");
        // OAuth starts spend their own budget, not the token form's.
        let v4 = ip("198.51.100.7");
        for _ in 0..2 {
            assert!(limits.check_oauth_start(v4).is_ok());
        }
        assert!(limits.check_oauth_start(v4).is_err());
        assert!(limits.check(v4).is_ok(), "the token form is untouched");
    }

    #[tokio::test]
    async fn refusals_per_client_do_not_drain_the_total() {
        let limits = SignInLimits::new(
            Rate {
                burst: 1,
                every: Duration::from_secs(60),
            },
            Rate {
                burst: 3,
                every: Duration::from_secs(60),
            },
        );
        let a: IpAddr = "198.51.100.1".parse().unwrap();
        assert!(limits.check(a).is_ok());
        for _ in 0..50 {
            assert!(limits.check(a).is_err());
        }
        let b: IpAddr = "198.51.100.2".parse().unwrap();
        let c: IpAddr = "198.51.100.3".parse().unwrap();
        assert!(limits.check(b).is_ok(), "the total still has room");
        assert!(limits.check(c).is_ok());
    }
}
