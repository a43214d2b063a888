//! The open log streams of this replica: counted per user and in total (the caps), grouped by
//! session (so a sign-out or an expiry ends them), and watched against the session store.

use crate::sessions::{Lifetimes, Store, now_ms, record_ends_at};
use app::error::AppError;
use app::model::logs::EndedBy;
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tower_sessions::SessionStore;
use tower_sessions::session::Id;

/// Limits and timings of the relay.
#[derive(Clone, Copy, Debug)]
pub struct RelaySettings {
    /// Streams open at once, all sessions together.
    pub max_total: usize,
    /// Streams open at once by one user (the Clever Cloud user id), all sessions together.
    pub max_per_user: usize,
    /// Silence after which the upstream counts as dead (its heartbeat comes every 2 s).
    pub silence: Duration,
    /// First reconnection delay; each next one is 1.25 times longer, up to `max_backoff`,
    /// each drawn at random between half and all of it (so replicas that lost the upstream
    /// together do not come back together).
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// Reconnections tried in a row before the relay gives up and says so.
    pub max_retries: u32,
    /// Keep-alive comment period towards the browser.
    pub keep_alive: Duration,
}

impl Default for RelaySettings {
    fn default() -> Self {
        Self {
            max_total: 2000,
            max_per_user: 4,
            silence: Duration::from_millis(5000),
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(10),
            max_retries: 30,
            keep_alive: Duration::from_secs(5),
        }
    }
}

/// The open streams: counted per user (the cap) and per session (the signal that ends them).
pub struct Streams {
    pub(crate) settings: RelaySettings,
    open: Mutex<Open>,
    /// Set once, when this replica shuts down: every stream says "restarting" and closes.
    restart: watch::Sender<bool>,
}

#[derive(Default)]
struct Open {
    total: usize,
    users: HashMap<String, usize>,
    sessions: HashMap<Id, Watched>,
}

/// A session with open streams on this replica.
struct Watched {
    streams: usize,
    /// Set once, to why the session's streams end.
    end: watch::Sender<Option<EndedBy>>,
    /// When the session ends, as last read from the store (unix ms): what a stream goes by
    /// while the store does not answer.
    ends: i64,
}

/// One open stream; dropping it gives its place back.
pub struct Slot {
    pub(super) streams: Arc<Streams>,
    pub(super) user: String,
    pub(super) session: Id,
    pub(super) ended: watch::Receiver<Option<EndedBy>>,
    pub(super) restart: watch::Receiver<bool>,
}

impl Slot {
    /// Resolves when the stream must stop: its session ended, or the server is restarting.
    pub(crate) async fn stopped(&mut self) {
        tokio::select! {
            _ = self.ended.changed() => {}
            _ = self.restart.changed() => {}
        }
    }

    /// Whether the stream must stop now.
    pub(crate) fn is_over(&self) -> bool {
        *self.restart.borrow() || self.ended.borrow().is_some()
    }
}

impl Streams {
    /// An empty registry with these limits.
    pub fn new(settings: RelaySettings) -> Arc<Self> {
        Arc::new(Self {
            settings,
            open: Mutex::new(Open::default()),
            restart: watch::channel(false).0,
        })
    }

    fn open(&self) -> std::sync::MutexGuard<'_, Open> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A place for one more stream of `user` in `session` (which ends at `ends`, unix ms),
    /// or a clear refusal.
    pub fn acquire(self: &Arc<Self>, user: &str, session: Id, ends: i64) -> Result<Slot, AppError> {
        if *self.restart.borrow() {
            return Err(AppError::Restarting);
        }
        let mut open = self.open();
        if open.total >= self.settings.max_total {
            return Err(AppError::TooManyRequests(
                "Too many log streams are open on this server; try again in a moment.".into(),
            ));
        }
        let per_user = open.users.get(user).copied().unwrap_or(0);
        if per_user >= self.settings.max_per_user {
            return Err(AppError::TooManyRequests(format!(
                "At most {} log streams can be open at once; close another log tab first.",
                self.settings.max_per_user
            )));
        }
        open.users.insert(user.to_owned(), per_user + 1);
        open.total += 1;
        let watched = open.sessions.entry(session).or_insert_with(|| Watched {
            streams: 0,
            end: watch::channel(None).0,
            ends,
        });
        watched.streams += 1;
        watched.ends = ends;
        let ended = watched.end.subscribe();
        metrics::gauge!("dashboard_log_streams_open").set(open.total as f64);
        Ok(Slot {
            streams: Arc::clone(self),
            user: user.to_owned(),
            session,
            ended,
            restart: self.restart.subscribe(),
        })
    }

    /// Ends every stream of `session` on this replica, telling the browser why.
    pub fn end_session(&self, session: &Id, why: EndedBy) {
        if let Some(w) = self.open().sessions.get(session) {
            w.end
                .send_if_modified(|end| end.is_none().then(|| *end = Some(why)).is_some());
        }
    }

    /// At shutdown: every open stream tells the browser "restarting" and closes (its
    /// `EventSource` reconnects, to another replica where there is one, and resumes from its
    /// last id); new streams are refused with a 503.
    pub fn restart_all(&self) {
        self.restart.send_replace(true);
    }

    /// How many streams are open.
    pub fn open_count(&self) -> usize {
        self.open().total
    }

    /// Checks every session with open streams against the store, once per `every`, and ends
    /// the streams of those signed out, replaced or expired, on this replica. Other replicas
    /// do the same, so a sign-out anywhere ends the streams everywhere within `every` plus
    /// one store read. While the store does not answer, streams go on until their session's
    /// last known end. Stops when the registry is dropped.
    pub fn watch_sessions(self: &Arc<Self>, store: Store, lifetimes: Lifetimes, every: Duration) {
        let streams = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(streams) = streams.upgrade() else {
                    return;
                };
                let watched: Vec<(Id, i64)> = streams
                    .open()
                    .sessions
                    .iter()
                    .map(|(id, w)| (*id, w.ends))
                    .collect();
                let checks = watched.into_iter().map(|(id, ends)| {
                    let store = store.clone();
                    async move {
                        let now = now_ms();
                        let verdict = match store.load(&id).await {
                            Ok(Some(record)) => record_ends_at(&record.data, &lifetimes, now),
                            Ok(None) if now >= ends => Err(EndedBy::SessionExpired),
                            Ok(None) => Err(EndedBy::SignedOut),
                            Err(_) if now >= ends => Err(EndedBy::SessionExpired),
                            Err(_) => Ok(ends),
                        };
                        (id, verdict)
                    }
                });
                for (id, verdict) in futures::stream::iter(checks)
                    .buffer_unordered(64)
                    .collect::<Vec<_>>()
                    .await
                {
                    match verdict {
                        Ok(ends) => {
                            if let Some(w) = streams.open().sessions.get_mut(&id) {
                                w.ends = ends;
                            }
                        }
                        Err(why) => {
                            tracing::info!(reason = %why, "log streams of a session ended");
                            streams.end_session(&id, why);
                        }
                    }
                }
            }
        });
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.streams.open();
        open.total = open.total.saturating_sub(1);
        metrics::gauge!("dashboard_log_streams_open").set(open.total as f64);
        if let Some(n) = open.users.get_mut(&self.user) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.users.remove(&self.user);
            }
        }
        if let Some(w) = open.sessions.get_mut(&self.session) {
            w.streams = w.streams.saturating_sub(1);
            if w.streams == 0 {
                open.sessions.remove(&self.session);
            }
        }
    }
}
