//! Where alerts keep what must survive a restart or a takeover: the rules and channels made on
//! the page, where each rule and subject stands (`tracks`), the incidents with their
//! timelines, and the delivery log.
//!
//! - Alone (no shared store): the embedded database (`crate::data`), one write transaction
//!   per evaluation.
//! - Several replicas (a session store in Redis): the same Redis, under `ccd:alerts:`. One
//!   replica evaluates at a time, the holder of a lease (`lead`); an evaluation's outcome is
//!   written only while its writer still holds the lease (one script checks and writes), so a
//!   replica that lost it mid-cycle sends nothing and a takeover starts from what was saved.
//!
//! Values are JSON. A channel's URL and secret are sealed like sessions (XChaCha20-Poly1305
//! with the server key, the channel's name as associated data) and never leave this module
//! but to deliver. The delivery log and resolved incidents are bounded (the oldest go).

use crate::data::{LocalDb, err};
use crate::sessions::Keys;
use app::logic::alerts::{ChannelSpec, RuleSpec, Track};
use app::model::alerts::{Delivery, Incident};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use fred::prelude::{HashesInterface, KeysInterface, LuaInterface, Value};
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

const TRACKS: TableDefinition<&str, &str> = TableDefinition::new("alert_tracks");
const INCIDENTS: TableDefinition<&str, &str> = TableDefinition::new("alert_incidents");
/// Keyed by a sequence number, so the oldest come first.
const DELIVERIES: TableDefinition<u64, &str> = TableDefinition::new("alert_deliveries");
const RULES: TableDefinition<&str, &str> = TableDefinition::new("alert_rules");
const CHANNELS: TableDefinition<&str, &str> = TableDefinition::new("alert_channels");

/// Deliveries kept in the log.
const MAX_DELIVERIES: u64 = 1000;
/// Resolved incidents kept.
const MAX_RESOLVED: usize = 500;
/// Rules made on the page, at most.
pub const MAX_RULES: usize = 500;
/// Channels made on the page, at most.
pub const MAX_CHANNELS: usize = 100;

/// The names in Redis.
const LEASE: &str = "ccd:alerts:lease";
const R_TRACKS: &str = "ccd:alerts:tracks";
const R_INCIDENTS: &str = "ccd:alerts:incidents";
const R_RESOLVED: &str = "ccd:alerts:resolved";
const R_DELIVERIES: &str = "ccd:alerts:deliveries";
const R_RULES: &str = "ccd:alerts:rules";
const R_CHANNELS: &str = "ccd:alerts:channels";
/// What the evaluator's last cycle saw (JSON), for every replica's page.
const R_STATUS: &str = "ccd:alerts:status";

/// Takes the lease when free, renews it when held: KEYS the lease; ARGV the replica, its
/// life (ms). 1 when this replica holds it now.
const LEAD: &str = r#"
local h = redis.call('GET', KEYS[1])
if not h then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if h == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0
"#;

/// Gives the lease up (at a graceful stop): KEYS the lease; ARGV the replica.
const RESIGN: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"#;

/// One evaluation's outcome, written only by the lease's holder: KEYS the lease, tracks,
/// incidents, resolved; ARGV the replica, the tracks changed (count, then key and JSON pairs,
/// '' removing), the most resolved kept, then incidents (id, JSON, resolution time or '').
const SAVE: &str = r#"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local n = tonumber(ARGV[2])
local i = 3
for _ = 1, n do
  if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[2], ARGV[i])
  else redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
  i = i + 2
end
local most = tonumber(ARGV[i])
i = i + 1
while i + 2 <= #ARGV do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
  if ARGV[i + 2] ~= '' then redis.call('ZADD', KEYS[4], ARGV[i + 2], ARGV[i]) end
  i = i + 3
end
local extra = redis.call('ZCARD', KEYS[4]) - most
if extra > 0 then
  local old = redis.call('ZPOPMIN', KEYS[4], extra)
  for j = 1, #old, 2 do redis.call('HDEL', KEYS[3], old[j]) end
end
return 1
"#;

/// Appends to a bounded list: KEYS the list; ARGV the value, the most kept.
const PUSH: &str = r#"
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
return 1
"#;

/// The newest of a list: KEYS the list; ARGV the last index.
const RANGE: &str = r#"
return redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]))
"#;

/// Adds a field unless it exists or the hash is full: KEYS the hash; ARGV the field, its
/// value, the most fields. 1 added, 0 exists, -1 full.
const ADD: &str = r#"
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"#;

/// A rule made on the page: its declaration and who made it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PageRule {
    pub spec: RuleSpec,
    pub by: String,
}

/// A channel made on the page, its URL and secret in clear (in memory only).
#[derive(Clone, Debug, PartialEq)]
pub struct PageChannel {
    pub spec: ChannelSpec,
    pub by: String,
}

/// A page channel as kept: its URL and secret sealed.
#[derive(Serialize, Deserialize)]
struct KeptChannel {
    spec: ChannelSpec,
    by: String,
    /// Base64 of the sealed JSON `[url, secret]`.
    sealed: String,
}

/// What adding a rule or a channel gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Added {
    Yes,
    /// One of the same name exists.
    Exists,
    /// There are as many as allowed.
    Full,
}

/// The alerts' store.
#[derive(Clone)]
pub struct AlertStore {
    backend: Backend,
    keys: Keys,
}

#[derive(Clone)]
enum Backend {
    Local(Arc<Database>),
    Shared {
        client: fred::clients::Client,
        /// This replica, as the lease names it.
        me: Arc<str>,
    },
}

fn redis_err(e: fred::error::Error) -> String {
    format!("alerts store (Redis): {}", e.details())
}

/// Runs `f` on the database off the async threads.
async fn blocking<T: Send + 'static>(
    db: &Arc<Database>,
    f: impl FnOnce(&Database) -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let db = db.clone();
    tokio::task::spawn_blocking(move || f(&db))
        .await
        .map_err(err)?
}

fn json<T: Serialize>(v: &T) -> Result<String, String> {
    serde_json::to_string(v).map_err(err)
}

/// Incidents, open ones first, each group newest first.
fn sorted(mut out: Vec<Incident>) -> Vec<Incident> {
    out.sort_by_key(|i| {
        (
            i.resolved_at.is_some(),
            std::cmp::Reverse(i.resolved_at.or(i.opened_at)),
        )
    });
    out
}

impl AlertStore {
    /// The store in the local database (its tables made when missing).
    pub fn local(db: &LocalDb) -> Result<Self, String> {
        let txn = db.db.begin_write().map_err(err)?;
        txn.open_table(TRACKS).map_err(err)?;
        txn.open_table(INCIDENTS).map_err(err)?;
        txn.open_table(DELIVERIES).map_err(err)?;
        txn.open_table(RULES).map_err(err)?;
        txn.open_table(CHANNELS).map_err(err)?;
        txn.commit().map_err(err)?;
        Ok(Self {
            backend: Backend::Local(db.db.clone()),
            keys: db.keys.clone(),
        })
    }

    /// The store in the shared Redis.
    pub fn shared(client: fred::clients::Client, keys: Keys) -> Self {
        Self {
            backend: Backend::Shared {
                client,
                me: uuid::Uuid::new_v4().to_string().into(),
            },
            keys,
        }
    }

    /// Whether this replica may evaluate now: alone, always; shared, when it holds the lease
    /// (taken when free, renewed when held) for `life`.
    pub async fn lead(&self, life: Duration) -> Result<bool, String> {
        match &self.backend {
            Backend::Local(_) => Ok(true),
            Backend::Shared { client, me } => {
                let held: i64 = client
                    .eval(
                        LEAD,
                        vec![LEASE],
                        vec![
                            Value::from(me.to_string()),
                            Value::from(life.as_millis() as i64),
                        ],
                    )
                    .await
                    .map_err(redis_err)?;
                Ok(held == 1)
            }
        }
    }

    /// Gives the lease up, so another replica takes over at once (a graceful stop).
    pub async fn resign(&self) {
        if let Backend::Shared { client, me } = &self.backend {
            let _: Result<i64, _> = client
                .eval(RESIGN, vec![LEASE], vec![Value::from(me.to_string())])
                .await;
        }
    }

    /// Keeps what the last cycle saw for the other replicas (alone: nothing to do).
    pub async fn set_status(&self, json: &str) -> Result<(), String> {
        if let Backend::Shared { client, .. } = &self.backend {
            let _: () = client
                .set(R_STATUS, json, None, None, false)
                .await
                .map_err(redis_err)?;
        }
        Ok(())
    }

    /// What the evaluator's last cycle saw, when another replica may have evaluated.
    pub async fn status(&self) -> Result<Option<String>, String> {
        match &self.backend {
            Backend::Local(_) => Ok(None),
            Backend::Shared { client, .. } => client.get(R_STATUS).await.map_err(redis_err),
        }
    }

    /// Every track: (rule and subject key, track).
    pub async fn tracks(&self) -> Result<Vec<(String, Track)>, String> {
        let raw: Vec<(String, String)> = match &self.backend {
            Backend::Local(db) => {
                blocking(db, |db| {
                    let txn = db.begin_read().map_err(err)?;
                    let table = txn.open_table(TRACKS).map_err(err)?;
                    let mut out = Vec::new();
                    for row in table.iter().map_err(err)? {
                        let (k, v) = row.map_err(err)?;
                        out.push((k.value().to_owned(), v.value().to_owned()));
                    }
                    Ok(out)
                })
                .await?
            }
            Backend::Shared { client, .. } => {
                let all: std::collections::HashMap<String, String> =
                    client.hgetall(R_TRACKS).await.map_err(redis_err)?;
                all.into_iter().collect()
            }
        };
        Ok(raw
            .into_iter()
            .filter_map(|(k, v)| serde_json::from_str(&v).ok().map(|t| (k, t)))
            .collect())
    }

    /// Writes one evaluation's outcome at once: tracks set or removed, incidents written.
    /// `false`: not written, this replica no longer holds the lease.
    pub async fn save(
        &self,
        tracks: &[(String, Option<Track>)],
        incidents: &[Incident],
    ) -> Result<bool, String> {
        let tracks: Vec<(String, String)> = tracks
            .iter()
            .map(|(k, t)| {
                Ok((
                    k.clone(),
                    t.as_ref().map(json).transpose()?.unwrap_or_default(),
                ))
            })
            .collect::<Result<_, String>>()?;
        let incidents: Vec<(String, String, Option<i64>)> = incidents
            .iter()
            .map(|i| {
                Ok((
                    i.id.clone(),
                    json(i)?,
                    i.resolved_at.map(|t| t.unix_timestamp()),
                ))
            })
            .collect::<Result<_, String>>()?;
        match &self.backend {
            Backend::Local(db) => {
                blocking(db, move |db| {
                    save_local(db, &tracks, &incidents)?;
                    Ok(true)
                })
                .await
            }
            Backend::Shared { client, me } => {
                let mut args = vec![
                    Value::from(me.to_string()),
                    Value::from(tracks.len() as i64),
                ];
                for (k, v) in tracks {
                    args.push(Value::from(k));
                    args.push(Value::from(v));
                }
                args.push(Value::from(MAX_RESOLVED as i64));
                for (id, v, resolved) in incidents {
                    args.push(Value::from(id));
                    args.push(Value::from(v));
                    args.push(Value::from(
                        resolved.map(|t| t.to_string()).unwrap_or_default(),
                    ));
                }
                let saved: i64 = client
                    .eval(SAVE, vec![LEASE, R_TRACKS, R_INCIDENTS, R_RESOLVED], args)
                    .await
                    .map_err(redis_err)?;
                Ok(saved == 1)
            }
        }
    }

    /// Every incident, open ones first, each group newest first.
    pub async fn incidents(&self) -> Result<Vec<Incident>, String> {
        let raw: Vec<String> = match &self.backend {
            Backend::Local(db) => {
                blocking(db, |db| {
                    let txn = db.begin_read().map_err(err)?;
                    let table = txn.open_table(INCIDENTS).map_err(err)?;
                    let mut out = Vec::new();
                    for row in table.iter().map_err(err)? {
                        out.push(row.map_err(err)?.1.value().to_owned());
                    }
                    Ok(out)
                })
                .await?
            }
            Backend::Shared { client, .. } => client.hvals(R_INCIDENTS).await.map_err(redis_err)?,
        };
        Ok(sorted(
            raw.iter()
                .filter_map(|v| serde_json::from_str(v).ok())
                .collect(),
        ))
    }

    /// Appends one delivery attempt to the log (the oldest leaving past the bound).
    pub async fn log_delivery(&self, d: &Delivery) -> Result<(), String> {
        let v = json(d)?;
        match &self.backend {
            Backend::Local(db) => {
                blocking(db, move |db| {
                    let txn = db.begin_write().map_err(err)?;
                    {
                        let mut table = txn.open_table(DELIVERIES).map_err(err)?;
                        let next = table.last().map_err(err)?.map_or(0, |(k, _)| k.value() + 1);
                        table.insert(next, v.as_str()).map_err(err)?;
                        if table.len().map_err(err)? > MAX_DELIVERIES {
                            let first = table.first().map_err(err)?.map(|(k, _)| k.value());
                            if let Some(k) = first {
                                table.remove(k).map_err(err)?;
                            }
                        }
                    }
                    txn.commit().map_err(err)
                })
                .await
            }
            Backend::Shared { client, .. } => {
                let _: i64 = client
                    .eval(
                        PUSH,
                        vec![R_DELIVERIES],
                        vec![Value::from(v), Value::from(MAX_DELIVERIES as i64)],
                    )
                    .await
                    .map_err(redis_err)?;
                Ok(())
            }
        }
    }

    /// The delivery log, newest first, at most `n`.
    pub async fn deliveries(&self, n: usize) -> Result<Vec<Delivery>, String> {
        let raw: Vec<String> = match &self.backend {
            Backend::Local(db) => {
                blocking(db, move |db| {
                    let txn = db.begin_read().map_err(err)?;
                    let table = txn.open_table(DELIVERIES).map_err(err)?;
                    let mut out = Vec::new();
                    for row in table.iter().map_err(err)?.rev().take(n) {
                        out.push(row.map_err(err)?.1.value().to_owned());
                    }
                    Ok(out)
                })
                .await?
            }
            Backend::Shared { client, .. } => client
                .eval(
                    RANGE,
                    vec![R_DELIVERIES],
                    vec![Value::from(n.max(1) as i64 - 1)],
                )
                .await
                .map_err(redis_err)?,
        };
        Ok(raw
            .iter()
            .filter_map(|v| serde_json::from_str(v).ok())
            .collect())
    }

    /// The rules made on the page.
    pub async fn rules(&self) -> Result<Vec<PageRule>, String> {
        let raw = self.all(RULES, R_RULES).await?;
        let mut out: Vec<PageRule> = raw
            .iter()
            .filter_map(|v| serde_json::from_str(v).ok())
            .collect();
        out.sort_by(|a, b| a.spec.name.cmp(&b.spec.name));
        Ok(out)
    }

    /// Adds a rule made on the page.
    pub async fn add_rule(&self, rule: &PageRule) -> Result<Added, String> {
        self.add(RULES, R_RULES, &rule.spec.name, json(rule)?, MAX_RULES)
            .await
    }

    /// Removes a rule made on the page; whether there was one.
    pub async fn remove_rule(&self, name: &str) -> Result<bool, String> {
        self.remove(RULES, R_RULES, name).await
    }

    /// The channels made on the page, their URL and secret opened (one that does not open,
    /// sealed with a key no longer configured, is left out and said in the log).
    pub async fn channels(&self) -> Result<Vec<PageChannel>, String> {
        let raw = self.all(CHANNELS, R_CHANNELS).await?;
        let mut out = Vec::new();
        for v in raw {
            let Ok(kept) = serde_json::from_str::<KeptChannel>(&v) else {
                continue;
            };
            let opened = STANDARD
                .decode(&kept.sealed)
                .ok()
                .and_then(|s: Vec<u8>| self.keys.open(&channel_aad(&kept.spec.name), &s))
                .and_then(|plain| {
                    serde_json::from_slice::<(Option<String>, Option<String>)>(&plain).ok()
                });
            let Some((url, secret)) = opened else {
                tracing::error!(channel = %kept.spec.name, "alerts: a channel's secrets do not open (another server key?); it is left out");
                continue;
            };
            let mut spec = kept.spec;
            spec.url = url;
            spec.secret = secret;
            out.push(PageChannel { spec, by: kept.by });
        }
        out.sort_by(|a, b| a.spec.name.cmp(&b.spec.name));
        Ok(out)
    }

    /// Adds a channel made on the page, its URL and secret sealed.
    pub async fn add_channel(&self, channel: &PageChannel) -> Result<Added, String> {
        let mut spec = channel.spec.clone();
        let plain = serde_json::to_vec(&(spec.url.take(), spec.secret.take())).map_err(err)?;
        spec.secret_file = None;
        let sealed = STANDARD.encode(self.keys.seal(&channel_aad(&spec.name), &plain));
        let kept = KeptChannel {
            spec,
            by: channel.by.clone(),
            sealed,
        };
        self.add(
            CHANNELS,
            R_CHANNELS,
            &channel.spec.name,
            json(&kept)?,
            MAX_CHANNELS,
        )
        .await
    }

    /// Removes a channel made on the page; whether there was one.
    pub async fn remove_channel(&self, name: &str) -> Result<bool, String> {
        self.remove(CHANNELS, R_CHANNELS, name).await
    }

    async fn all(
        &self,
        table: TableDefinition<'static, &'static str, &'static str>,
        hash: &'static str,
    ) -> Result<Vec<String>, String> {
        match &self.backend {
            Backend::Local(db) => {
                blocking(db, move |db| {
                    let txn = db.begin_read().map_err(err)?;
                    let table = txn.open_table(table).map_err(err)?;
                    let mut out = Vec::new();
                    for row in table.iter().map_err(err)? {
                        out.push(row.map_err(err)?.1.value().to_owned());
                    }
                    Ok(out)
                })
                .await
            }
            Backend::Shared { client, .. } => client.hvals(hash).await.map_err(redis_err),
        }
    }

    async fn add(
        &self,
        table: TableDefinition<'static, &'static str, &'static str>,
        hash: &'static str,
        name: &str,
        value: String,
        most: usize,
    ) -> Result<Added, String> {
        let name = name.to_owned();
        let code: i64 = match &self.backend {
            Backend::Local(db) => {
                blocking(db, move |db| {
                    let txn = db.begin_write().map_err(err)?;
                    let code = {
                        let mut t = txn.open_table(table).map_err(err)?;
                        if t.get(name.as_str()).map_err(err)?.is_some() {
                            0
                        } else if t.len().map_err(err)? >= most as u64 {
                            -1
                        } else {
                            t.insert(name.as_str(), value.as_str()).map_err(err)?;
                            1
                        }
                    };
                    txn.commit().map_err(err)?;
                    Ok(code)
                })
                .await?
            }
            Backend::Shared { client, .. } => client
                .eval(
                    ADD,
                    vec![hash],
                    vec![
                        Value::from(name),
                        Value::from(value),
                        Value::from(most as i64),
                    ],
                )
                .await
                .map_err(redis_err)?,
        };
        Ok(match code {
            1 => Added::Yes,
            0 => Added::Exists,
            _ => Added::Full,
        })
    }

    async fn remove(
        &self,
        table: TableDefinition<'static, &'static str, &'static str>,
        hash: &'static str,
        name: &str,
    ) -> Result<bool, String> {
        let name = name.to_owned();
        match &self.backend {
            Backend::Local(db) => {
                blocking(db, move |db| {
                    let txn = db.begin_write().map_err(err)?;
                    let found = txn
                        .open_table(table)
                        .map_err(err)?
                        .remove(name.as_str())
                        .map_err(err)?
                        .is_some();
                    txn.commit().map_err(err)?;
                    Ok(found)
                })
                .await
            }
            Backend::Shared { client, .. } => {
                let n: i64 = client.hdel(hash, name).await.map_err(redis_err)?;
                Ok(n > 0)
            }
        }
    }
}

/// What a channel's secrets are sealed with: its name, so secrets copied to another channel
/// do not open.
fn channel_aad(name: &str) -> Vec<u8> {
    [b"alert channel ".as_slice(), name.as_bytes()].concat()
}

fn save_local(
    db: &Database,
    tracks: &[(String, String)],
    incidents: &[(String, String, Option<i64>)],
) -> Result<(), String> {
    let txn = db.begin_write().map_err(err)?;
    {
        let mut table = txn.open_table(TRACKS).map_err(err)?;
        for (key, v) in tracks {
            if v.is_empty() {
                table.remove(key.as_str()).map_err(err)?;
            } else {
                table.insert(key.as_str(), v.as_str()).map_err(err)?;
            }
        }
        let mut table = txn.open_table(INCIDENTS).map_err(err)?;
        for (id, v, _) in incidents {
            table.insert(id.as_str(), v.as_str()).map_err(err)?;
        }
        if incidents.iter().any(|(_, _, r)| r.is_some()) {
            // Resolved incidents past the bound go, oldest resolution first.
            let mut resolved: Vec<(String, Option<time::OffsetDateTime>)> = Vec::new();
            for row in table.iter().map_err(err)? {
                let (k, v) = row.map_err(err)?;
                if let Ok(i) = serde_json::from_str::<Incident>(v.value())
                    && i.resolved_at.is_some()
                {
                    resolved.push((k.value().to_owned(), i.resolved_at));
                }
            }
            if resolved.len() > MAX_RESOLVED {
                resolved.sort_by_key(|(_, t)| *t);
                for (k, _) in &resolved[..resolved.len() - MAX_RESOLVED] {
                    table.remove(k.as_str()).map_err(err)?;
                }
            }
        }
    }
    txn.commit().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::logic::alerts::{AlertSeverity, ChannelKind, Subject};

    fn incident(id: &str, resolved: bool) -> Incident {
        let t = time::OffsetDateTime::now_utc();
        Incident {
            id: id.into(),
            rule: "r".into(),
            kind: "app_down".into(),
            severity: AlertSeverity::Critical,
            organisation: "orga_1".into(),
            organisation_name: "Org".into(),
            subject: Subject {
                kind: "application".into(),
                id: "app_1".into(),
                name: "api".into(),
            },
            summary: "api is down.".into(),
            href: "/".into(),
            opened_at: Some(t),
            resolved_at: resolved.then_some(t),
            timeline: vec![],
        }
    }

    #[tokio::test]
    async fn what_is_saved_is_there_after_reopening() {
        let dir = std::env::temp_dir().join(format!("alerts-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let store =
                AlertStore::local(&LocalDb::open(&dir, None).expect("opens")).expect("tables");
            let track = Track::Pending { held: 1 };
            assert!(
                store
                    .save(
                        &[("r\u{1f}app_1".into(), Some(track))],
                        &[incident("i1", false)],
                    )
                    .await
                    .expect("saved")
            );
            store
                .log_delivery(&Delivery {
                    id: "d1".into(),
                    incident: "i1".into(),
                    channel: "ops".into(),
                    state: "open".into(),
                    attempt: 1,
                    outcome: "delivered (204)".into(),
                    at: None,
                })
                .await
                .expect("logged");
            let channel = PageChannel {
                spec: ChannelSpec {
                    name: "hook".into(),
                    kind: ChannelKind::Webhook,
                    url: Some("https://hooks.example.com/x".into()),
                    secret: Some("s3cret".into()),
                    ..ChannelSpec::default()
                },
                by: "Ada".into(),
            };
            assert_eq!(
                store.add_channel(&channel).await.expect("added"),
                Added::Yes
            );
            let rule = PageRule {
                spec: RuleSpec {
                    name: "api down".into(),
                    organisation: "orga_1".into(),
                    channels: vec!["hook".into()],
                    ..RuleSpec::default()
                },
                by: "Ada".into(),
            };
            assert_eq!(store.add_rule(&rule).await.expect("added"), Added::Yes);
            assert_eq!(
                store.add_channel(&channel).await.expect("refused"),
                Added::Exists
            );
        }
        let db = LocalDb::open(&dir, None).expect("reopens");
        let store = AlertStore::local(&db).expect("tables");
        assert_eq!(store.tracks().await.expect("tracks").len(), 1);
        assert_eq!(store.incidents().await.expect("incidents")[0].id, "i1");
        assert_eq!(
            store.deliveries(10).await.expect("log")[0].outcome,
            "delivered (204)"
        );
        let rules = store.rules().await.expect("rules");
        assert_eq!(
            (rules[0].spec.name.as_str(), rules[0].by.as_str()),
            ("api down", "Ada")
        );
        assert!(store.remove_rule("api down").await.expect("removed"));
        assert!(!store.remove_rule("api down").await.expect("gone"));
        let channels = store.channels().await.expect("channels");
        assert_eq!(channels[0].spec.secret.as_deref(), Some("s3cret"));
        assert_eq!(
            channels[0].spec.url.as_deref(),
            Some("https://hooks.example.com/x")
        );
        // At rest, neither the URL nor the secret is readable.
        let raw = store.all(CHANNELS, R_CHANNELS).await.expect("raw");
        assert!(!raw[0].contains("s3cret") && !raw[0].contains("hooks.example.com"));
        assert!(store.remove_channel("hook").await.expect("removed"));
        assert!(store.channels().await.expect("channels").is_empty());
        store
            .save(&[("r\u{1f}app_1".into(), None)], &[])
            .await
            .expect("removed");
        assert!(store.tracks().await.expect("tracks").is_empty());
        drop(store);
        drop(db);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
