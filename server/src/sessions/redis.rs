//! Sessions in Redis or Valkey, shared by every replica, sealed at rest (`seal`).
//!
//! - A record is stored under its keyed name with an absolute expiry (`PXAT`) on every
//!   write, so Redis forgets it by itself: no clean-up task.
//! - Loading costs one round trip: `GET`, or one `MGET` of the names under every key while a
//!   previous key is configured. A record found under an old key is moved at its next write.
//! - A record that does not open (another key, tampered, truncated) counts as no session and
//!   is left alone: a replica with a wrong key must not sign everybody out.
//! - The client reconnects by itself; a command waits at most `COMMAND_TIMEOUT`, so pages
//!   answer "session store unavailable" quickly while Redis is away.

use super::seal::Keys;
use fred::prelude::{
    Builder, ClientLike, Config, Error as RedisError, Expiration, KeysInterface, LuaInterface,
    ReconnectPolicy, SetOptions, Value,
};
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
}

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
    pub fn connect(url: &str, keys: Keys) -> std::result::Result<Self, String> {
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
        Ok(Self { client, keys })
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
            let name = self.keys.names(&record.id.0.to_le_bytes()).remove(0);
            let set: Value = self
                .client
                .set(name, sealed, Some(expire), Some(SetOptions::NX), false)
                .await
                .map_err(backend)?;
            if !set.is_null() {
                return Ok(());
            }
            // Another session has this id: draw another (the id is sealed in the record).
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
        self.client
            .del(self.keys.names(&id.0.to_le_bytes()))
            .await
            .map_err(backend)
    }
}
