//! The embedded session store: this process's memory (moka), bounded by the bytes its
//! records take, each record gone at its own expiry. A save updates a record that is there
//! and never brings back one that was deleted: a request that loaded the session before a
//! sign-out (or before the id cycled at a sign-in) cannot undo it when it finishes.
//!
//! Each user's signed-in sessions are listed beside the records ("Your sessions"): ids only,
//! those whose record is gone dropped whenever the list is read or grows.

use moka::future::Cache;
use moka::ops::compute::Op;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::Result;

/// The store.
#[derive(Clone)]
pub struct MemoryStore {
    records: Cache<Id, Record>,
    /// Each user's sessions (by user id), kept while any may live (`max_lifetime` since the
    /// last sign-in).
    users: Cache<String, Arc<Mutex<HashSet<Id>>>>,
    /// Ids deleted lately (tombstones): no record is created under them again.
    ended: Cache<Id, ()>,
    /// Each owner's audit events (JSON), newest first, while no local database keeps them.
    audit: Cache<String, Arc<Mutex<std::collections::VecDeque<Vec<u8>>>>>,
    /// Where audit events are kept across restarts, when opened.
    pub(super) audit_db: Option<crate::data::LocalDb>,
}

/// Most owners whose audit trail is kept in memory.
const MAX_TRAILS: u64 = 10_000;

/// How long a deleted session's id stays refused (as in the Redis store).
const TOMBSTONE: Duration = Duration::from_secs(300);
/// Most tombstones kept (16 bytes each, and more than sign-outs in `TOMBSTONE`).
const MAX_TOMBSTONES: u64 = 1_000_000;

/// A user's list is cleaned of ended sessions when it grows past this many.
const PRUNE_AT: usize = 32;
/// Most users listed at once (a list is a few ids; far more than the records can hold).
const MAX_USERS: u64 = 1_000_000;

impl MemoryStore {
    /// A store holding at most `max_bytes` of records (their JSON size), whose sessions live
    /// at most `max_lifetime`.
    pub fn new(max_bytes: u64, max_lifetime: Duration) -> Self {
        Self {
            records: Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|_, record: &Record| {
                    u32::try_from(record_bytes(record)).unwrap_or(u32::MAX)
                })
                .expire_after(AtItsExpiry)
                .build(),
            users: Cache::builder()
                .max_capacity(MAX_USERS)
                .time_to_live(max_lifetime)
                .build(),
            ended: Cache::builder()
                .max_capacity(MAX_TOMBSTONES)
                .time_to_live(TOMBSTONE)
                .build(),
            audit: Cache::builder().max_capacity(MAX_TRAILS).build(),
            audit_db: None,
        }
    }

    /// Lists session `id` among `user`'s (at sign-in).
    pub async fn index(&self, user: &str, id: Id) {
        let list = self
            .users
            .get_with(user.to_owned(), async { Arc::default() })
            .await;
        let grown = {
            let mut ids = lock(&list);
            ids.insert(id);
            ids.len() > PRUNE_AT
        };
        // A fresh entry restarts its time to live: the newest session may live that long.
        self.users.insert(user.to_owned(), Arc::clone(&list)).await;
        if grown {
            self.live(user, &list).await;
        }
    }

    /// The records of `user`'s sessions that are still there; the others leave the list.
    async fn live(&self, user: &str, list: &Mutex<HashSet<Id>>) -> Vec<Record> {
        let ids: Vec<Id> = lock(list).iter().copied().collect();
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            match tower_sessions::SessionStore::load(self, &id).await {
                Ok(Some(r)) if super::user_of(&r) == Some(user) => found.push(r),
                _ => {
                    lock(list).remove(&id);
                }
            }
        }
        found
    }

    /// The records of `user`'s signed-in sessions.
    pub async fn sessions_of(&self, user: &str) -> Vec<Record> {
        match self.users.get(user).await {
            Some(list) => self.live(user, &list).await,
            None => Vec::new(),
        }
    }

    /// Deletes every session of `user` but `keep`; answers the records deleted.
    pub async fn end_sessions_of(&self, user: &str, keep: Option<Id>) -> Vec<Record> {
        let Some(list) = self.users.get(user).await else {
            return Vec::new();
        };
        let ended: Vec<Record> = self
            .live(user, &list)
            .await
            .into_iter()
            .filter(|r| Some(r.id) != keep)
            .collect();
        for r in &ended {
            let _ = tower_sessions::SessionStore::delete(self, &r.id).await;
            lock(&list).remove(&r.id);
        }
        ended
    }
}

impl MemoryStore {
    /// Keeps `event` (JSON) in `owner`'s trail, at most `keep` of them.
    pub async fn record_audit(&self, owner: &str, event: &[u8], keep: usize) {
        if let Some(db) = self.audit_db.clone() {
            let (owner, event) = (owner.to_owned(), event.to_vec());
            let kept =
                tokio::task::spawn_blocking(move || db.record_audit(&owner, &event, keep)).await;
            match kept {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "an audit event could not be kept"),
                Err(e) => tracing::error!(error = %e, "an audit event could not be kept"),
            }
            return;
        }
        let trail = self
            .audit
            .get_with(owner.to_owned(), async { Arc::default() })
            .await;
        let mut t = trail.lock().unwrap_or_else(|p| p.into_inner());
        t.push_front(event.to_vec());
        t.truncate(keep);
    }

    /// `owner`'s audit events (JSON), newest first.
    pub async fn audit_of(&self, owner: &str) -> Vec<Vec<u8>> {
        if let Some(db) = self.audit_db.clone() {
            let owner = owner.to_owned();
            return match tokio::task::spawn_blocking(move || db.audit_of(&owner)).await {
                Ok(Ok(trail)) => trail,
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "the audit trail could not be read");
                    Vec::new()
                }
                Err(e) => {
                    tracing::error!(error = %e, "the audit trail could not be read");
                    Vec::new()
                }
            };
        }
        match self.audit.get(owner).await {
            Some(t) => t
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .cloned()
                .collect(),
            None => Vec::new(),
        }
    }
}

fn lock(list: &Mutex<HashSet<Id>>) -> std::sync::MutexGuard<'_, HashSet<Id>> {
    list.lock().unwrap_or_else(|p| p.into_inner())
}

/// What a record weighs: its size as JSON (what the Redis store keeps, before sealing).
fn record_bytes(record: &Record) -> usize {
    serde_json::to_vec(record).map_or(0, |v| v.len()) + std::mem::size_of::<Id>()
}

#[async_trait::async_trait]
impl tower_sessions::SessionStore for MemoryStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        loop {
            if !self.ended.contains_key(&record.id) {
                let r = record.clone();
                let entry = self
                    .records
                    .entry(record.id)
                    .or_insert_with(async { r })
                    .await;
                if entry.is_fresh() {
                    return Ok(());
                }
            }
            // Another session has this id, or had it lately: draw another.
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let r = record.clone();
        self.records
            .entry(record.id)
            .and_compute_with(|there| async move {
                match there {
                    Some(_) => Op::Put(r),
                    None => Op::Nop,
                }
            })
            .await;
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        Ok(self
            .records
            .get(id)
            .await
            .filter(|r| r.expiry_date > OffsetDateTime::now_utc()))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        // A tombstone only where there was a record (a sign-in cycles a fresh id too).
        if self.records.remove(id).await.is_some() {
            self.ended.insert(*id, ()).await;
        }
        Ok(())
    }
}

/// Names the store only: printing its records would print every session's token.
impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryStore")
    }
}

/// Each record leaves the cache at its own expiry date.
struct AtItsExpiry;

fn until(record: &Record) -> Duration {
    (record.expiry_date - OffsetDateTime::now_utc())
        .try_into()
        .unwrap_or_default()
}

impl moka::Expiry<Id, Record> for AtItsExpiry {
    fn expire_after_create(&self, _: &Id, record: &Record, _: Instant) -> Option<Duration> {
        Some(until(record))
    }

    fn expire_after_update(
        &self,
        _: &Id,
        record: &Record,
        _: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(until(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use tower_sessions::SessionStore;

    fn record(token: &str) -> Record {
        Record {
            id: Id::default(),
            data: HashMap::from([("cc.token".to_owned(), token.into())]),
            expiry_date: OffsetDateTime::now_utc() + time::Duration::hours(1),
        }
    }

    #[tokio::test]
    async fn a_deleted_session_is_not_brought_back_by_a_late_save() {
        let store = MemoryStore::new(1 << 20, Duration::from_secs(3600));
        let mut r = record("tok");
        store.create(&mut r).await.expect("create");
        let loaded = store.load(&r.id).await.expect("load").expect("there");
        store.delete(&r.id).await.expect("sign-out");
        // The request that loaded it before the sign-out finishes and saves.
        store.save(&loaded).await.expect("save");
        assert!(store.load(&r.id).await.expect("load").is_none());
        // Nor created again under the same id while its tombstone lasts.
        let mut replayed = loaded.clone();
        store.create(&mut replayed).await.expect("create");
        assert_ne!(replayed.id, r.id, "a fresh id is drawn");
        assert!(store.load(&r.id).await.expect("load").is_none());
        // A save of a record that is there still updates it.
        let mut s = record("a");
        store.create(&mut s).await.expect("create");
        s.data.insert("cc.seen".into(), 5.into());
        store.save(&s).await.expect("save");
        let back = store.load(&s.id).await.expect("load").expect("there");
        assert_eq!(back.data["cc.seen"], 5);
    }

    #[tokio::test]
    async fn the_store_is_bounded_by_bytes() {
        let store = MemoryStore::new(64 * 1024, Duration::from_secs(3600));
        let big = "x".repeat(8 * 1024);
        let mut ids = Vec::new();
        for _ in 0..64 {
            let mut r = record(&big);
            store.create(&mut r).await.expect("create");
            ids.push(r.id);
        }
        store.records.run_pending_tasks().await;
        assert!(
            store.records.weighted_size() <= 64 * 1024,
            "{}",
            store.records.weighted_size()
        );
        assert!(store.records.entry_count() < 64);
    }

    fn signed_in(user: &str) -> Record {
        let mut r = record("tok");
        r.data
            .insert("cc.user".into(), serde_json::json!({ "id": user }));
        r
    }

    #[tokio::test]
    async fn each_user_lists_and_ends_only_their_own_sessions() {
        let store = MemoryStore::new(1 << 20, Duration::from_secs(3600));
        let mut ids = Vec::new();
        for user in ["ada", "ada", "ada", "bob"] {
            let mut r = signed_in(user);
            store.create(&mut r).await.expect("create");
            store.index(user, r.id).await;
            ids.push(r.id);
        }
        assert_eq!(store.sessions_of("ada").await.len(), 3);
        assert_eq!(store.sessions_of("bob").await.len(), 1);
        // One signed out by itself leaves the list when it is read.
        store.delete(&ids[1]).await.expect("sign-out");
        assert_eq!(store.sessions_of("ada").await.len(), 2);
        // An id listed for another user's record is not theirs.
        store.index("ada", ids[3]).await;
        assert_eq!(store.sessions_of("ada").await.len(), 2);
        let ended = store.end_sessions_of("ada", Some(ids[0])).await;
        assert_eq!(ended.iter().map(|r| r.id).collect::<Vec<_>>(), [ids[2]]);
        assert!(store.load(&ids[2]).await.expect("load").is_none());
        assert!(store.load(&ids[0]).await.expect("load").is_some());
        assert!(
            store.load(&ids[3]).await.expect("load").is_some(),
            "bob untouched"
        );
        assert_eq!(store.end_sessions_of("ada", None).await.len(), 1);
        assert!(store.sessions_of("ada").await.is_empty());
    }

    #[tokio::test]
    async fn a_users_list_is_cleaned_as_it_grows() {
        let store = MemoryStore::new(1 << 20, Duration::from_secs(3600));
        for _ in 0..100 {
            let mut r = signed_in("ada");
            store.create(&mut r).await.expect("create");
            store.index("ada", r.id).await;
            store.delete(&r.id).await.expect("sign-out");
        }
        let list = store.users.get("ada").await.expect("listed");
        assert!(lock(&list).len() <= PRUNE_AT + 1, "{}", lock(&list).len());
    }
}
