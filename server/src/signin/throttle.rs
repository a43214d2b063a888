//! Sign-in attempts limited per client address and in total (governor's GCRA), checked
//! before anything goes upstream: the dashboard is no token oracle, and a flood from one
//! address cannot get the server's own address throttled upstream.

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
    total: DefaultDirectRateLimiter,
    clock: DefaultClock,
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
            }
        });
        limits
    }

    /// Takes one attempt for `client`, or says how long until the next one is allowed.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        let now = self.clock.now();
        self.per_client
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(now))?;
        self.total
            .check()
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
}
