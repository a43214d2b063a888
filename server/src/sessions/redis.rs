//! Sessions in Redis or Valkey, shared by every replica, sealed at rest (`seal`).
//!
//! - A record is stored under its keyed name with an absolute expiry (`PXAT`) on every
//!   write, so Redis forgets it by itself: no clean-up task.
//! - Loading costs one round trip: `GET`, or one `MGET` of the names under every key while a
//!   previous key is configured. A record found under an old key is moved at its next write.
//! - A record that does not open (another key, tampered, truncated) counts as no session and
//!   is left alone: a replica with a wrong key must not sign everybody out.
//! - Each user's signed-in sessions are listed in a hash under the user's keyed name
//!   (`ccd:user:…`): one field per session, its value the session id sealed (the store never
//!   holds a usable id), expiring with the newest session's longest life. Entries whose record
//!   is gone are dropped when the list is read.
//! - The client reconnects by itself; a command waits at most `COMMAND_TIMEOUT`, so pages
//!   answer "session store unavailable" quickly while Redis is away.

use super::seal::Keys;
use fred::prelude::{
    Builder, ClientLike, Config, Error as RedisError, Expiration, HashesInterface, KeysInterface,
    LuaInterface, ReconnectPolicy, Value,
};
use futures::StreamExt;
use std::collections::HashMap;
use std::time::Duration;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};

/// Longest wait for one Redis command.
pub const COMMAND_TIMEOUT: Duration = Duration::from_millis(1000);

/// The Redis session store.
#[derive(Clone)]
pub struct RedisStore {
    client: fred::clients::Client,
    keys: Keys,
    /// The longest a session lives: how long a user's list of sessions is kept after the
    /// latest sign-in.
    max_lifetime: Duration,
}

/// How long a deleted session's id stays refused: a record under it cannot be written again,
/// by a late save or a create, while a request that loaded it may still be running.
pub const TOMBSTONE: Duration = Duration::from_secs(300);

/// `create`: KEYS the record's name and its tombstone's; ARGV the sealed record and its
/// expiry (unix ms). Writes only a new record under an id that did not end lately.
const CREATE_UNLESS_ENDED: &str = r#"
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2], 'NX') then return 1 end
return 0
"#;

/// `delete`: KEYS the tombstone's name, then the record's names; ARGV the tombstone's life
/// (ms). The record goes and its tombstone comes in one step (none for an id that had no
/// record: a sign-in cycles a fresh one).
const DELETE_WITH_TOMBSTONE: &str = r#"
local n = 0
for i = 2, #KEYS do n = n + redis.call('DEL', KEYS[i]) end
if n > 0 then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return n
"#;

/// Keeps one audit event: KEYS the trail; ARGV the sealed event, the most kept, the trail's
/// life (ms).
const AUDIT_PUSH: &str = r#"
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"#;

/// An audit trail, newest first: KEYS the trail.
const AUDIT_READ: &str = r#"
return redis.call('LRANGE', KEYS[1], 0, -1)
"#;

/// Most sessions of one user read from the list at once.
const MAX_LISTED: usize = 256;

/// Lists a session: KEYS the user's list; ARGV the field, the sealed id, the list's expiry
/// (unix ms).
const INDEX_ADD: &str = r#"
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return 1
"#;

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("keys", &self.keys)
            .finish()
    }
}

/// `save`: KEYS are the record's names, the current key's first; ARGV the sealed record and
/// its expiry (unix ms). Writes only when one of the names exists.
const SAVE_IF_PRESENT: &str = r#"
if redis.call('EXISTS', unpack(KEYS)) == 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
return 1
"#;

fn backend(e: RedisError) -> Error {
    Error::Backend(format!("session store: {}", e.details()))
}

impl RedisStore {
    /// A client for `url` (`redis://`, `rediss://`, password in the URL allowed). It connects
    /// in the background and keeps reconnecting, so the server starts while Redis is away.
    pub fn connect(
        url: &str,
        keys: Keys,
        max_lifetime: Duration,
    ) -> std::result::Result<Self, String> {
        let mut config = Config::from_url(url).map_err(|e| {
            format!(
                "DASHBOARD_SESSION_STORE is not a Redis URL (redis://[:password@]host[:port][/db] \
                 or rediss://…): {}",
                e.details()
            )
        })?;
        // Keep trying when the first connection fails instead of refusing to start.
        config.fail_fast = false;
        let client = Builder::from_config(config)
            .with_connection_config(|c| {
                c.connection_timeout = COMMAND_TIMEOUT;
                c.internal_command_timeout = COMMAND_TIMEOUT;
                c.max_command_attempts = 2;
            })
            .with_performance_config(|p| p.default_command_timeout = COMMAND_TIMEOUT)
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 2000, 2))
            .build()
            .map_err(|e| format!("cannot build the session store client: {}", e.details()))?;
        // The connection task runs for the life of the process.
        let _task = client.connect();
        Ok(Self {
            client,
            keys,
            max_lifetime,
        })
    }

    /// Its client and keys, for others who keep their state in the same Redis (the alerts).
    pub fn parts(&self) -> (fred::clients::Client, Keys) {
        (self.client.clone(), self.keys.clone())
    }

    /// What a listed session id is sealed with: the user, so an entry copied into another
    /// user's list does not open.
    fn index_aad(user: &str) -> Vec<u8> {
        [b"sessions of ".as_slice(), user.as_bytes()].concat()
    }

    /// Lists session `id` among `user`'s (at sign-in).
    pub async fn index(&self, user: &str, id: &Id) -> Result<()> {
        let list = self.keys.index_names(user).remove(0);
        let field = self.keys.names(&id.0.to_le_bytes()).remove(0);
        let sealed = self.keys.seal(&Self::index_aad(user), &id.0.to_le_bytes());
        let until =
            (OffsetDateTime::now_utc() + self.max_lifetime).unix_timestamp_nanos() / 1_000_000;
        let _: Value = self
            .client
            .eval(
                INDEX_ADD,
                vec![list],
                vec![
                    Value::from(field),
                    Value::from(sealed.as_slice()),
                    Value::from(until as i64),
                ],
            )
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// The records of `user`'s signed-in sessions; entries whose record is gone (signed out,
    /// expired, unreadable) leave the list.
    pub async fn sessions_of(&self, user: &str) -> Result<Vec<Record>> {
        let aad = Self::index_aad(user);
        let mut found = Vec::new();
        for list in self.keys.index_names(user) {
            let entries: HashMap<String, Vec<u8>> =
                self.client.hgetall(&list).await.map_err(backend)?;
            let mut gone = Vec::new();
            let mut ids = Vec::new();
            for (field, sealed) in entries.into_iter().take(MAX_LISTED) {
                let id = self
                    .keys
                    .open(&aad, sealed.as_slice())
                    .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
                    .map(|b| Id(i128::from_le_bytes(b)));
                match id {
                    Some(id) => ids.push((field, id)),
                    None => gone.push(field),
                }
            }
            let loads = ids.into_iter().map(|(field, id)| async move {
                let record = tower_sessions::SessionStore::load(self, &id).await;
                (field, record)
            });
            let loaded: Vec<_> = futures::stream::iter(loads)
                .buffer_unordered(16)
                .collect()
                .await;
            for (field, record) in loaded {
                match record? {
                    Some(r) if super::user_of(&r) == Some(user) => found.push(r),
                    _ => gone.push(field),
                }
            }
            if !gone.is_empty() {
                let _: i64 = self.client.hdel(&list, gone).await.map_err(backend)?;
            }
        }
        found.sort_by_key(|r| r.id.0);
        found.dedup_by_key(|r| r.id.0);
        Ok(found)
    }

    /// What an owner's audit events are sealed with: the owner, so an event copied into
    /// another owner's trail does not open.
    fn audit_aad(owner: &str) -> Vec<u8> {
        [b"audit of ".as_slice(), owner.as_bytes()].concat()
    }

    /// Keeps `event` (JSON) in `owner`'s trail, at most `keep` of them, for `life`.
    pub async fn record_audit(
        &self,
        owner: &str,
        event: &[u8],
        keep: usize,
        life: Duration,
    ) -> Result<()> {
        let trail = self.keys.audit_names(owner).remove(0);
        let sealed = self.keys.seal(&Self::audit_aad(owner), event);
        let _: Value = self
            .client
            .eval(
                AUDIT_PUSH,
                vec![trail],
                vec![
                    Value::from(sealed.as_slice()),
                    Value::from(keep as i64),
                    Value::from(life.as_millis() as i64),
                ],
            )
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// `owner`'s audit events (JSON), newest first (those under a previous key after).
    pub async fn audit_of(&self, owner: &str) -> Result<Vec<Vec<u8>>> {
        let aad = Self::audit_aad(owner);
        let mut out = Vec::new();
        for trail in self.keys.audit_names(owner) {
            let sealed: Vec<Vec<u8>> = self
                .client
                .eval(AUDIT_READ, vec![trail], Vec::<Value>::new())
                .await
                .map_err(backend)?;
            out.extend(sealed.iter().filter_map(|s| self.keys.open(&aad, s)));
        }
        Ok(out)
    }

    /// Deletes every session of `user` but `keep`; answers the records deleted.
    pub async fn end_sessions_of(&self, user: &str, keep: Option<Id>) -> Result<Vec<Record>> {
        let ended: Vec<Record> = self
            .sessions_of(user)
            .await?
            .into_iter()
            .filter(|r| Some(r.id) != keep)
            .collect();
        for r in &ended {
            tower_sessions::SessionStore::delete(self, &r.id).await?;
        }
        // Their entries leave the list the next time it is read.
        Ok(ended)
    }

    /// Whether Redis answers a `PING` within `COMMAND_TIMEOUT`.
    pub async fn ping(&self) -> bool {
        let answer = tokio::time::timeout(COMMAND_TIMEOUT, self.client.ping::<String>(None));
        matches!(answer.await, Ok(Ok(_)))
    }

    fn seal(&self, record: &Record) -> Result<(Vec<u8>, Expiration)> {
        let plain = serde_json::to_vec(record).map_err(|e| Error::Encode(e.to_string()))?;
        let at = (record.expiry_date.unix_timestamp_nanos() / 1_000_000) as i64;
        Ok((
            self.keys.seal(&record.id.0.to_le_bytes(), &plain),
            Expiration::PXAT(at),
        ))
    }

    fn expired(record: &Record) -> bool {
        record.expiry_date <= OffsetDateTime::now_utc()
    }
}

#[async_trait::async_trait]
impl tower_sessions::SessionStore for RedisStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        loop {
            let (sealed, expire) = self.seal(record)?;
            let Expiration::PXAT(at) = expire else {
                return Err(Error::Encode("an expiry that is not a date".into()));
            };
            let id = record.id.0.to_le_bytes();
            let names = vec![
                self.keys.names(&id).remove(0),
                self.keys.tombstone_name(&id),
            ];
            let created: i64 = self
                .client
                .eval(
                    CREATE_UNLESS_ENDED,
                    names,
                    vec![Value::from(sealed.as_slice()), Value::from(at)],
                )
                .await
                .map_err(backend)?;
            if created == 1 {
                return Ok(());
            }
            // Another session has this id, or had it lately: draw another (the id is sealed in
            // the record).
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let names = self.keys.names(&record.id.0.to_le_bytes());
        if Self::expired(record) {
            return self.client.del(names).await.map_err(backend);
        }
        let (sealed, expire) = self.seal(record)?;
        let Expiration::PXAT(at) = expire else {
            return Err(Error::Encode("an expiry that is not a date".into()));
        };
        // Updates a record that is there (under any key's name) and never brings back one that
        // was deleted (a sign-out, an id cycled at sign-in); during a rotation the copy under
        // an old key's name goes as the new one is written. One script: atomic.
        let _: Value = self
            .client
            .eval(
                SAVE_IF_PRESENT,
                names,
                vec![Value::from(sealed.as_slice()), Value::from(at)],
            )
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let id_bytes = id.0.to_le_bytes();
        let mut names = self.keys.names(&id_bytes);
        let found: Vec<Option<Vec<u8>>> = if names.len() == 1 {
            vec![self.client.get(names.remove(0)).await.map_err(backend)?]
        } else {
            self.client.mget(names).await.map_err(backend)?
        };
        let Some(sealed) = found.into_iter().flatten().next() else {
            return Ok(None);
        };
        let Some(plain) = self.keys.open(&id_bytes, &sealed) else {
            tracing::warn!("a session record did not open (another key, or tampered with)");
            return Ok(None);
        };
        let record: Record = match serde_json::from_slice(&plain) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "a session record opened but did not parse");
                return Ok(None);
            }
        };
        Ok((record.id == *id && !Self::expired(&record)).then_some(record))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        let id = id.0.to_le_bytes();
        let mut names = vec![self.keys.tombstone_name(&id)];
        names.extend(self.keys.names(&id));
        let _: Value = self
            .client
            .eval(
                DELETE_WITH_TOMBSTONE,
                names,
                vec![Value::from(TOMBSTONE.as_millis() as i64)],
            )
            .await
            .map_err(backend)?;
        Ok(())
    }
}
