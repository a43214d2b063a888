//! The embedded session store: this process's memory (moka), bounded by the bytes its
//! records take, each record gone at its own expiry. A save updates a record that is there
//! and never brings back one that was deleted: a request that loaded the session before a
//! sign-out (or before the id cycled at a sign-in) cannot undo it when it finishes.

use moka::future::Cache;
use moka::ops::compute::Op;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::Result;

/// The store.
#[derive(Clone)]
pub struct MemoryStore(Cache<Id, Record>);

impl MemoryStore {
    /// A store holding at most `max_bytes` of records (their JSON size).
    pub fn new(max_bytes: u64) -> Self {
        Self(
            Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|_, record: &Record| {
                    u32::try_from(record_bytes(record)).unwrap_or(u32::MAX)
                })
                .expire_after(AtItsExpiry)
                .build(),
        )
    }
}

/// What a record weighs: its size as JSON (what the Redis store keeps, before sealing).
fn record_bytes(record: &Record) -> usize {
    serde_json::to_vec(record).map_or(0, |v| v.len()) + std::mem::size_of::<Id>()
}

#[async_trait::async_trait]
impl tower_sessions::SessionStore for MemoryStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        loop {
            let r = record.clone();
            let entry = self.0.entry(record.id).or_insert_with(async { r }).await;
            if entry.is_fresh() {
                return Ok(());
            }
            // Another session has this id: draw another.
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let r = record.clone();
        self.0
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
            .0
            .get(id)
            .await
            .filter(|r| r.expiry_date > OffsetDateTime::now_utc()))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.0.invalidate(id).await;
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
        let store = MemoryStore::new(1 << 20);
        let mut r = record("tok");
        store.create(&mut r).await.expect("create");
        let loaded = store.load(&r.id).await.expect("load").expect("there");
        store.delete(&r.id).await.expect("sign-out");
        // The request that loaded it before the sign-out finishes and saves.
        store.save(&loaded).await.expect("save");
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
        let store = MemoryStore::new(64 * 1024);
        let big = "x".repeat(8 * 1024);
        let mut ids = Vec::new();
        for _ in 0..64 {
            let mut r = record(&big);
            store.create(&mut r).await.expect("create");
            ids.push(r.id);
        }
        store.0.run_pending_tasks().await;
        assert!(
            store.0.weighted_size() <= 64 * 1024,
            "{}",
            store.0.weighted_size()
        );
        assert!(store.0.entry_count() < 64);
    }
}
