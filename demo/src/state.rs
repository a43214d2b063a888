//! The demo upstream's shared state: the seeded world, what users changed, the tokens it
//! issued, and what tests ask of it (the request log, in-flight counters).

use crate::knobs::DemoKnobs;
use crate::oauth_provider::records::Provider;
use crate::world::{Mutable, World};
use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize};
use std::sync::{Arc, Mutex, MutexGuard};

/// The token the demo always accepts.
pub const DEMO_TOKEN: &str = "demo";

/// Shared state of the demo upstream.
pub(crate) struct Demo {
    pub(crate) world: World,
    mutable: Mutex<Mutable>,
    pub(crate) knobs: DemoKnobs,
    pub(crate) tokens: Mutex<HashSet<String>>,
    pub(crate) requests: AtomicU64,
    /// The last requests received (method, path and query; never headers), for tests.
    pub(crate) seen: Mutex<VecDeque<String>>,
    /// Invoice details being answered now, and the most at once (for the bound's test).
    pub(crate) details_in_flight: AtomicUsize,
    pub(crate) details_peak: AtomicUsize,
    pub(crate) api_in_flight: AtomicUsize,
    pub(crate) api_peak: AtomicUsize,
    /// Log streams being generated right now, for tests of the relay.
    pub(crate) open_streams: Arc<AtomicUsize>,
    /// The demo as an OAuth provider ("Sign in with Clever Cloud").
    pub(crate) oauth: Provider,
    /// What a test or a person broke on purpose (`POST /demo/break`).
    pub(crate) breaks: Mutex<Breaks>,
}

/// Things broken on purpose, for the alerts: applications taken down, answering 5xx, with
/// their CPU pinned, and the watch token's expiry.
#[derive(Clone, Debug, Default)]
pub(crate) struct Breaks {
    pub(crate) down: HashSet<String>,
    pub(crate) errors: HashSet<String>,
    pub(crate) hot: HashSet<String>,
    /// Applications whose memory is pinned high.
    pub(crate) heavy: HashSet<String>,
    /// Applications whose latest deployment fails.
    pub(crate) failed: HashSet<String>,
    /// Applications whose next deployments fail (restarts, redeploys).
    pub(crate) deploy_fails: HashSet<String>,
    /// Deployments listed (v2) with their authors' ids only, no names.
    pub(crate) anonymous_authors: bool,
    /// Days until the current token expires, when set.
    pub(crate) token_days: Option<i64>,
}

/// How many requests `/demo/requests` remembers.
pub(crate) const SEEN_MAX: usize = 2000;

pub(crate) type Shared = Arc<Demo>;

impl Demo {
    pub(crate) fn new(knobs: DemoKnobs) -> Self {
        let now = time::OffsetDateTime::now_utc();
        let start = knobs
            .epoch
            .and_then(|secs| time::OffsetDateTime::from_unix_timestamp(secs).ok())
            .filter(|start| *start <= now)
            .unwrap_or(now);
        let extra = knobs.invoices_per_month.saturating_sub(1);
        let fleet = (
            knobs.extra_orgs.min(1000),
            knobs.apps_per_extra_org.min(1000),
        );
        let (world, mutable) = World::build(start, extra, fleet);
        Self {
            world,
            mutable: Mutex::new(mutable),
            knobs,
            tokens: Mutex::new(HashSet::new()),
            requests: AtomicU64::new(0),
            seen: Mutex::new(VecDeque::new()),
            details_in_flight: Default::default(),
            details_peak: Default::default(),
            api_in_flight: Default::default(),
            api_peak: Default::default(),
            open_streams: Arc::default(),
            oauth: Provider::default(),
            breaks: Mutex::new(Breaks::default()),
        }
    }

    /// What is broken now.
    pub(crate) fn breaks(&self) -> Breaks {
        self.breaks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, Mutable> {
        // A poisoned lock only means a handler panicked mid-update; the data is still usable.
        self.mutable.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn accepts(&self, token: &str) -> bool {
        token == DEMO_TOKEN
            || self
                .tokens
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains(token)
    }
}
