//! Sessions: where they are kept, how long they live, and how every replica judges them alike.
//!
//! - The store: the embedded one (one process, in memory) or Redis/Valkey shared by every
//!   replica, sealed at rest (`redis`, `seal`), chosen by `DASHBOARD_SESSION_STORE`.
//! - Lifetimes: a session ends after `idle` without activity or `max` after sign-in, whichever
//!   comes first. Activity is recorded at most once per `touch_every` (one store write a minute
//!   at most), and the record's own expiry is set to the end, so Redis forgets it by itself.
//!   Every replica computes the same end from the record, so they agree.
//!
//! (Over 400 lines by its tests: lifetimes, keys and the record's reader, pinned beside them.)

mod memory;
mod redis;
mod seal;

use crate::config::Config;
use app::model::activity::AuditEvent;
use app::model::logs::EndedBy;
use app::ssr::session::{OAUTH_KEY, SEEN_KEY, SINCE_KEY, TOKEN_KEY, USER_KEY};
pub(crate) use seal::{Keys, decode_key};
use std::collections::HashMap;
use std::time::Duration;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::Result;
use tower_sessions::{Expiry, Session, SessionStore};

/// Where sessions are kept. `Debug` names the kind only: the embedded cache's own would print
/// every session, tokens included.
#[derive(Clone)]
pub enum Store {
    /// In this process's memory: one replica only, gone at restart.
    Memory(Box<memory::MemoryStore>),
    /// In Redis or Valkey, shared by every replica.
    Redis(redis::RedisStore),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Memory(_) => f.write_str("Store::Memory"),
            Self::Redis(s) => f.debug_tuple("Store::Redis").field(s).finish(),
        }
    }
}

#[async_trait::async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> Result<()> {
        match self {
            Self::Memory(s) => s.create(record).await?,
            Self::Redis(s) => s.create(record).await?,
        }
        // A signed-in session is created when its id cycles at sign-in: it joins its user's
        // list, or the sign-in fails (a session "Sign out everywhere" could miss must not be).
        if let Some(user) = user_of(record) {
            match self {
                Self::Memory(s) => s.index(user, record.id).await,
                Self::Redis(s) => {
                    if let Err(e) = s.index(user, &record.id).await {
                        let _ = s.delete(&record.id).await;
                        return Err(e);
                    }
                }
            }
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> Result<()> {
        match self {
            Self::Memory(s) => s.save(record).await,
            Self::Redis(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        match self {
            Self::Memory(s) => s.load(id).await,
            Self::Redis(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        match self {
            Self::Memory(s) => s.delete(id).await,
            Self::Redis(s) => s.delete(id).await,
        }
    }
}

impl Store {
    /// The store the configuration asks for. A shared store needs the server key; a store
    /// that cannot be reached yet is no reason not to start (`/readyz` tells).
    pub fn from_config(config: &Config) -> std::io::Result<Self> {
        // A key given without a shared store is still checked, so a typo shows at once.
        let keys = keys_from_config(config)?;
        let max_lifetime = Lifetimes::from_config(config).max;
        let Some(url) = &config.session_store else {
            let bytes = (config.session_store_mib.max(1.0) * 1024.0 * 1024.0) as u64;
            return Ok(Self::Memory(Box::new(memory::MemoryStore::new(
                bytes,
                max_lifetime,
            ))));
        };
        let keys = keys.ok_or_else(|| {
            std::io::Error::other(
                "DASHBOARD_SESSION_STORE is set but no server key is: set DASHBOARD_SECRET_KEY \
                 (or DASHBOARD_SECRET_KEY_FILE) to the same base64 key, at least 32 random \
                 bytes, on every replica (`openssl rand -base64 32`)",
            )
        })?;
        redis::RedisStore::connect(url.expose(), keys, max_lifetime)
            .map(Self::Redis)
            .map_err(std::io::Error::other)
    }

    /// The records of `user`'s signed-in sessions (on every replica).
    pub async fn sessions_of(&self, user: &str) -> Result<Vec<Record>> {
        match self {
            Self::Memory(s) => Ok(s.sessions_of(user).await),
            Self::Redis(s) => s.sessions_of(user).await,
        }
    }

    /// Ends every session of `user` but `keep` (none: all of them); answers the records
    /// ended. Their streams end on every replica as the watchers find the records gone.
    pub async fn end_sessions_of(&self, user: &str, keep: Option<Id>) -> Result<Vec<Record>> {
        match self {
            Self::Memory(s) => Ok(s.end_sessions_of(user, keep).await),
            Self::Redis(s) => s.end_sessions_of(user, keep).await,
        }
    }

    /// Keeps one audit event of `owner` for its activity feed: the latest `AUDIT_KEPT`, for
    /// `AUDIT_LIFE` (in Redis sealed like sessions, under a keyed name).
    pub async fn record_audit(&self, owner: &str, event: &AuditEvent) -> Result<()> {
        let json = serde_json::to_vec(event)
            .map_err(|e| tower_sessions::session_store::Error::Encode(e.to_string()))?;
        match self {
            Self::Memory(s) => {
                s.record_audit(owner, &json, AUDIT_KEPT).await;
                Ok(())
            }
            Self::Redis(s) => s.record_audit(owner, &json, AUDIT_KEPT, AUDIT_LIFE).await,
        }
    }

    /// `owner`'s audit events, newest first (an unreadable one skipped).
    pub async fn audit_of(&self, owner: &str) -> Result<Vec<AuditEvent>> {
        let raw = match self {
            Self::Memory(s) => s.audit_of(owner).await,
            Self::Redis(s) => s.audit_of(owner).await?,
        };
        Ok(raw
            .iter()
            .filter_map(|j| serde_json::from_slice(j).ok())
            .collect())
    }

    /// Keeps the audit trails in the local database from now on (the embedded store only).
    pub fn keep_audit_in(&mut self, db: crate::data::LocalDb) {
        if let Self::Memory(s) = self {
            s.audit_db = Some(db);
        }
    }

    /// The shared store's client and keys (none for the embedded store).
    pub(crate) fn shared(&self) -> Option<(fred::clients::Client, Keys)> {
        match self {
            Self::Memory(_) => None,
            Self::Redis(s) => Some(s.parts()),
        }
    }

    /// Whether the store answers now (always, for the embedded one).
    pub async fn ping(&self) -> bool {
        match self {
            Self::Memory(_) => true,
            Self::Redis(s) => s.ping().await,
        }
    }
}

/// Audit events kept per organisation for its activity feed.
pub const AUDIT_KEPT: usize = 1000;
/// How long an organisation's audit trail is kept after its latest event.
pub const AUDIT_LIFE: Duration = Duration::from_secs(90 * 24 * 3600);

/// The user a stored record is signed in as (the id in its `USER_KEY`).
fn user_of(record: &Record) -> Option<&str> {
    record.data.get(USER_KEY)?.get("id")?.as_str()
}

/// The configured server keys, if any: current, then previous ones still accepted.
pub(crate) fn keys_from_config(config: &Config) -> std::io::Result<Option<Keys>> {
    let current = match (&config.secret_key, &config.secret_key_file) {
        (Some(k), _) => k.expose().to_owned(),
        (None, Some(path)) => std::fs::read_to_string(path).map_err(|e| {
            std::io::Error::other(format!(
                "DASHBOARD_SECRET_KEY_FILE {} cannot be read: {e}",
                path.display()
            ))
        })?,
        (None, None) => return Ok(None),
    };
    let bad = |e: seal::KeyError| std::io::Error::other(e.0);
    let current = decode_key("DASHBOARD_SECRET_KEY", &current).map_err(bad)?;
    let previous = config
        .secret_key_previous
        .as_ref()
        .map(|p| p.expose())
        .unwrap_or_default()
        .split(',')
        .filter(|k| !k.trim().is_empty())
        .map(|k| decode_key("DASHBOARD_SECRET_KEY_PREVIOUS", k))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(bad)?;
    Ok(Some(Keys::new(&current, &previous)))
}

/// How long sessions live.
#[derive(Clone, Copy, Debug)]
pub struct Lifetimes {
    /// Without activity.
    pub idle: Duration,
    /// After sign-in, however active.
    pub max: Duration,
}

/// Most time between two records of activity.
const TOUCH_AT_MOST: Duration = Duration::from_secs(60);

impl Lifetimes {
    /// From the configuration (minutes and hours, fractions allowed).
    pub fn from_config(config: &Config) -> Self {
        Self {
            idle: Duration::from_secs_f64(config.session_idle_minutes.max(0.001) * 60.0),
            max: Duration::from_secs_f64(config.session_max_hours.max(0.000_01) * 3600.0),
        }
    }

    /// Least time between two store writes that record activity: a minute, or a tenth of
    /// the idle timeout when that is shorter.
    pub fn touch_every(&self) -> Duration {
        TOUCH_AT_MOST.min(self.idle / 10)
    }

    /// When a session signed in at `since` and last active at `seen` ends (unix ms), or why
    /// it has ended at `now`.
    pub fn ends_at(&self, since: i64, seen: i64, now: i64) -> std::result::Result<i64, EndedBy> {
        let ends = (seen.saturating_add(self.idle.as_millis() as i64))
            .min(since.saturating_add(self.max.as_millis() as i64));
        if now >= ends {
            Err(EndedBy::SessionExpired)
        } else {
            Ok(ends)
        }
    }
}

/// Now, in unix milliseconds.
pub fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

fn at_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// What a request finds in its session.
#[derive(Debug, PartialEq, Eq)]
pub enum SessionState {
    /// Signed in, until the given unix ms; `touch` says whether activity is due a record.
    SignedIn { ends: i64, touch: bool },
    /// No usable session, and why.
    SignedOut(EndedBy),
    /// The store did not answer.
    StoreDown,
}

/// What a session's record says about its sign-in: the one reader of the record's schema
/// (`app::ssr::session`'s keys), for a request's loaded session and a raw stored record alike.
struct SignIn {
    /// Credentials are there (a token, or an OAuth pair).
    credentials: bool,
    /// When it signed in, and when it was last active (unix ms).
    since: Option<i64>,
    seen: Option<i64>,
}

/// The record's keys [`SignIn`] reads.
const SIGN_IN_KEYS: [&str; 4] = [TOKEN_KEY, OAUTH_KEY, SINCE_KEY, SEEN_KEY];

impl SignIn {
    fn read<'a>(value: impl Fn(&str) -> Option<&'a serde_json::Value>) -> Self {
        let number = |k: &str| value(k).and_then(serde_json::Value::as_i64);
        Self {
            credentials: value(TOKEN_KEY).is_some_and(serde_json::Value::is_string)
                || value(OAUTH_KEY).is_some_and(serde_json::Value::is_object),
            since: number(SINCE_KEY),
            seen: number(SEEN_KEY),
        }
    }

    /// When it ends (unix ms), or why it has ended at `now`.
    fn ends_at(&self, lifetimes: &Lifetimes, now: i64) -> std::result::Result<i64, EndedBy> {
        match (self.credentials, self.since) {
            (true, Some(since)) => lifetimes.ends_at(since, self.seen.unwrap_or(since), now),
            _ => Err(EndedBy::SignedOut),
        }
    }
}

/// Judges the request's session (one store read, shared with the rest of the request).
pub async fn state_of(session: &Session, lifetimes: &Lifetimes) -> SessionState {
    let read = async {
        let mut values = HashMap::new();
        for key in SIGN_IN_KEYS {
            if let Some(v) = session.get::<serde_json::Value>(key).await? {
                values.insert(key, v);
            }
        }
        Ok::<_, tower_sessions::session::Error>(SignIn::read(|k| values.get(k)))
    };
    match read.await {
        Err(e) => {
            tracing::warn!(error = %e, "session store unavailable");
            metrics::counter!("dashboard_session_store_errors_total").increment(1);
            SessionState::StoreDown
        }
        Ok(sign_in) => {
            let now = now_ms();
            match sign_in.ends_at(lifetimes, now) {
                Ok(ends) => SessionState::SignedIn {
                    ends,
                    touch: sign_in.seen.is_none_or(|seen| {
                        now - seen >= lifetimes.touch_every().as_millis() as i64
                    }),
                },
                Err(why) => SessionState::SignedOut(why),
            }
        }
    }
}

/// When a stored record's session ends, or why it has ended, as `state_of` judges a request's.
pub fn record_ends_at(
    data: &HashMap<String, serde_json::Value>,
    lifetimes: &Lifetimes,
    now: i64,
) -> std::result::Result<i64, EndedBy> {
    SignIn::read(|k| data.get(k)).ends_at(lifetimes, now)
}

/// The sessions whose activity this replica recorded lately: concurrent requests of one
/// session (a page and the calls it makes once hydrated) write it once, not once each.
#[derive(Clone)]
pub struct Touched(moka::future::Cache<Id, ()>);

impl Touched {
    /// Remembers each session for `lifetimes.touch_every()`, at most `capacity` of them.
    pub fn new(lifetimes: &Lifetimes, capacity: u64) -> Self {
        Self(
            moka::future::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(lifetimes.touch_every())
                .build(),
        )
    }

    /// Whether this request is the one to record the session's activity.
    pub async fn claim(&self, session: &Session) -> bool {
        match session.id() {
            Some(id) => self.0.entry(id).or_insert(()).await.is_fresh(),
            None => true,
        }
    }
}

/// Records activity now: the idle timeout starts again, the record expires at the new end.
pub async fn touch(
    session: &Session,
    lifetimes: &Lifetimes,
) -> std::result::Result<(), tower_sessions::session::Error> {
    let now = now_ms();
    let since: i64 = session.get(SINCE_KEY).await?.unwrap_or(now);
    session.insert(SEEN_KEY, now).await?;
    let ends = lifetimes.ends_at(since, now, now).unwrap_or(now);
    // The cookie's expiry is said in whole seconds and the browser may round it down: a
    // second more keeps the cookie to the end. The session is judged by `ends_at`, which
    // ends it on time whatever the store keeps.
    session.set_expiry(Some(Expiry::AtDateTime(at_ms(ends + 1000))));
    Ok(())
}

/// Marks the start of a signed-in session (after its id was cycled).
pub async fn start(
    session: &Session,
    lifetimes: &Lifetimes,
) -> std::result::Result<(), tower_sessions::session::Error> {
    session.insert(SINCE_KEY, now_ms()).await?;
    touch(session, lifetimes).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_store_holding_a_token_does_not_print_it() {
        let store = Store::Memory(Box::new(memory::MemoryStore::new(
            1 << 20,
            Duration::from_secs(3600),
        )));
        let mut record = Record {
            id: Id::default(),
            data: HashMap::from([(TOKEN_KEY.to_owned(), "tok-very-secret".into())]),
            expiry_date: OffsetDateTime::now_utc() + time::Duration::hours(1),
        };
        store.create(&mut record).await.expect("stored");
        assert!(store.load(&record.id).await.expect("load").is_some());
        let printed = format!("{store:?} {store:#?}");
        assert!(!printed.contains("tok-very-secret"), "{printed}");
    }

    fn lifetimes(idle_s: u64, max_s: u64) -> Lifetimes {
        Lifetimes {
            idle: Duration::from_secs(idle_s),
            max: Duration::from_secs(max_s),
        }
    }

    #[test]
    fn a_session_ends_at_the_first_of_idle_and_absolute_lifetime() {
        let l = lifetimes(60, 3600);
        // Active: ends a minute after the last activity.
        assert_eq!(l.ends_at(0, 10_000, 20_000), Ok(70_000));
        // Idle for a minute: over.
        assert_eq!(l.ends_at(0, 10_000, 70_000), Err(EndedBy::SessionExpired));
        // However active, it ends an hour after sign-in.
        assert_eq!(l.ends_at(0, 3_590_000, 3_595_000), Ok(3_600_000));
        assert_eq!(
            l.ends_at(0, 3_599_000, 3_600_000),
            Err(EndedBy::SessionExpired)
        );
    }

    #[test]
    fn activity_is_recorded_at_most_once_a_minute() {
        assert_eq!(
            lifetimes(8 * 3600, 7 * 86400).touch_every(),
            Duration::from_secs(60)
        );
        assert_eq!(lifetimes(5, 60).touch_every(), Duration::from_millis(500));
    }

    #[test]
    fn keys_come_from_the_variable_or_a_file_with_previous_ones() {
        let mut config = Config::for_tests();
        assert!(keys_from_config(&config).is_ok_and(|k| k.is_none()));
        let path = std::env::temp_dir().join(format!("dash-key-{}", std::process::id()));
        let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        std::fs::write(&path, format!("{key}\n")).unwrap();
        config.secret_key_file = Some(path.clone());
        config.secret_key_previous = Some(format!(" {key} ,").parse().unwrap());
        let from_file = keys_from_config(&config).unwrap().unwrap();
        config.secret_key_file = None;
        config.secret_key = Some(key.parse().unwrap());
        let from_var = keys_from_config(&config).unwrap().unwrap();
        assert_eq!(from_file.names(b"id"), from_var.names(b"id"));
        assert_eq!(from_var.names(b"id").len(), 2, "current and previous");
        std::fs::remove_file(&path).unwrap();
        config.secret_key = None;
        config.secret_key_file = Some(path);
        let missing = keys_from_config(&config).unwrap_err().to_string();
        assert!(missing.contains("DASHBOARD_SECRET_KEY_FILE"), "{missing}");
        config.secret_key_file = None;
        config.secret_key = Some(key.parse().unwrap());
        config.secret_key_previous = Some("short".parse().unwrap());
        let bad = keys_from_config(&config).unwrap_err().to_string();
        assert!(bad.contains("DASHBOARD_SECRET_KEY_PREVIOUS"), "{bad}");
    }

    #[test]
    fn a_record_is_judged_like_a_session() {
        let l = lifetimes(60, 3600);
        let mut data = HashMap::new();
        assert_eq!(record_ends_at(&data, &l, 0), Err(EndedBy::SignedOut));
        data.insert(TOKEN_KEY.to_owned(), serde_json::json!("t"));
        assert_eq!(record_ends_at(&data, &l, 0), Err(EndedBy::SignedOut));
        data.insert(SINCE_KEY.to_owned(), serde_json::json!(1_000));
        assert_eq!(record_ends_at(&data, &l, 2_000), Ok(61_000));
        data.insert(SEEN_KEY.to_owned(), serde_json::json!(30_000));
        assert_eq!(record_ends_at(&data, &l, 40_000), Ok(90_000));
        assert_eq!(
            record_ends_at(&data, &l, 90_000),
            Err(EndedBy::SessionExpired)
        );
    }
}
