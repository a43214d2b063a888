//! Log pattern rules: one server-side stream per rule and application, read with the watch
//! credential through the same client and SSE parser as the relay (`log_events`, the upstream
//! filtering by the pattern), counting the matching lines of the rule's window. Bounded: at
//! most `MAX_WATCHERS` streams, and per stream the times of `count + 1` matches at most.

use app::ids::SegmentId;
use app::model::logs::event;
use app::query::LogQuery;
use app::ssr::upstream::LogSource;
use app::ssr::{Credentials, Upstream};
use futures::StreamExt;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Pattern streams one server keeps open at most.
pub(crate) const MAX_WATCHERS: usize = 50;

/// The recent matches of one rule on one application.
#[derive(Default)]
struct Seen {
    times: VecDeque<Instant>,
}

/// The streams' counts, by (rule, application).
type Streams = HashMap<(String, String), Arc<Mutex<Seen>>>;

/// The pattern streams of this server.
#[derive(Default)]
pub(crate) struct Patterns {
    seen: Mutex<Streams>,
}

impl Patterns {
    fn lock(&self) -> std::sync::MutexGuard<'_, Streams> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Makes sure a stream counts `pattern` on `app` for `rule`; false when the bound is
    /// reached and this one could not start.
    pub(crate) fn ensure(
        &self,
        (upstream, watch): (&Upstream, &Credentials),
        rule: &str,
        owner: &SegmentId,
        app: &SegmentId,
        pattern: &str,
        keep: usize,
    ) -> bool {
        let key = (rule.to_owned(), app.as_str().to_owned());
        let mut all = self.lock();
        if all.contains_key(&key) {
            return true;
        }
        if all.len() >= MAX_WATCHERS {
            return false;
        }
        let seen = Arc::new(Mutex::new(Seen::default()));
        all.insert(key, seen.clone());
        let (upstream, watch) = (upstream.clone(), watch.clone());
        let source = LogSource::App {
            owner: owner.clone(),
            app: app.clone(),
        };
        let query = LogQuery {
            filter: Some(pattern.to_owned()),
            since: Some(time::OffsetDateTime::now_utc()),
            throttle_elements: Some(1000),
            throttle_per_in_milliseconds: Some(100),
            ..LogQuery::default()
        };
        let keep = keep.clamp(1, 100_000);
        tokio::spawn(async move {
            let mut last_id: Option<String> = None;
            let mut tries = 0u32;
            loop {
                let api = upstream.with(&watch);
                match api.log_events(&source, &query, last_id.as_deref()).await {
                    Ok(mut events) => {
                        tries = 0;
                        while let Ok(Some(Ok(ev))) =
                            tokio::time::timeout(Duration::from_secs(30), events.next()).await
                        {
                            if Arc::strong_count(&seen) == 1 {
                                return;
                            }
                            if ev.event != event::APPLICATION_LOG {
                                continue;
                            }
                            if !ev.id.is_empty() {
                                last_id = Some(app::logic::logs::clean_field(&ev.id).into_owned());
                            }
                            let mut s = seen.lock().unwrap_or_else(|p| p.into_inner());
                            if s.times.len() >= keep {
                                s.times.pop_front();
                            }
                            s.times.push_back(Instant::now());
                        }
                    }
                    Err(e) => {
                        tries += 1;
                        tracing::warn!(error = %e, attempt = tries, "alerts: a log pattern stream could not be read");
                    }
                }
                // Ended, cut or refused: read again from the last line, after a pause (unless
                // the rule is gone: then the stream ends here).
                let pause = Duration::from_secs(u64::from(tries.min(6)) * 5 + 1);
                tokio::time::sleep(pause).await;
                if Arc::strong_count(&seen) == 1 {
                    return;
                }
            }
        });
        true
    }

    /// Ends the streams of the (rule, application) pairs `keep` refuses (a rule removed or
    /// changed, this replica no longer evaluating): each stops at its next line or pause.
    pub(crate) fn retain(&self, keep: impl Fn(&(String, String)) -> bool) {
        self.lock().retain(|k, _| keep(k));
    }

    /// The matches of `rule` on `app` within the last `window`.
    pub(crate) fn count(&self, rule: &str, app: &str, window: Duration) -> u64 {
        let seen = self.lock().get(&(rule.to_owned(), app.to_owned())).cloned();
        let Some(seen) = seen else {
            return 0;
        };
        let now = Instant::now();
        let s = seen.lock().unwrap_or_else(|p| p.into_inner());
        s.times
            .iter()
            .filter(|t| now.duration_since(**t) <= window)
            .count() as u64
    }
}
