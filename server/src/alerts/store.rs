//! Where alerts keep what must survive a restart, in one embedded database file
//! (`DASHBOARD_DATA_DIR/alerts.redb`): where each rule and subject stands (`tracks`), the
//! incidents with their timelines, and the delivery log. redb: pure Rust (no C library to
//! build), transactions that are atomic and durable on commit, one file.
//!
//! Values are JSON; the delivery log and resolved incidents are bounded (the oldest go).

use app::logic::alerts::Track;
use app::model::alerts::{Delivery, Incident};
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use std::path::Path;
use std::sync::Arc;

const TRACKS: TableDefinition<&str, &str> = TableDefinition::new("tracks");
const INCIDENTS: TableDefinition<&str, &str> = TableDefinition::new("incidents");
/// Keyed by a sequence number, so the oldest come first.
const DELIVERIES: TableDefinition<u64, &str> = TableDefinition::new("deliveries");

/// Deliveries kept in the log.
const MAX_DELIVERIES: u64 = 1000;
/// Resolved incidents kept.
const MAX_RESOLVED: usize = 500;

/// The alerts' database.
#[derive(Clone)]
pub struct AlertStore {
    db: Arc<Database>,
}

/// A store error, said in words (the file, the disk).
pub type StoreError = String;

fn err(e: impl std::fmt::Display) -> StoreError {
    format!("alerts database: {e}")
}

impl AlertStore {
    /// Opens (or creates) the database in `dir`, creating the directory.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| err(format!("{}: {e}", dir.display())))?;
        let db = Database::create(dir.join("alerts.redb")).map_err(err)?;
        // The tables exist from the start, so reads never meet a missing one.
        let txn = db.begin_write().map_err(err)?;
        txn.open_table(TRACKS).map_err(err)?;
        txn.open_table(INCIDENTS).map_err(err)?;
        txn.open_table(DELIVERIES).map_err(err)?;
        txn.commit().map_err(err)?;
        Ok(Self { db: Arc::new(db) })
    }

    /// Every track: (rule and subject key, track).
    pub fn tracks(&self) -> Result<Vec<(String, Track)>, StoreError> {
        let txn = self.db.begin_read().map_err(err)?;
        let table = txn.open_table(TRACKS).map_err(err)?;
        let mut out = Vec::new();
        for row in table.iter().map_err(err)? {
            let (k, v) = row.map_err(err)?;
            if let Ok(t) = serde_json::from_str(v.value()) {
                out.push((k.value().to_owned(), t));
            }
        }
        Ok(out)
    }

    /// Writes one evaluation's outcome at once: tracks set or removed, incidents written.
    pub fn save(
        &self,
        tracks: &[(String, Option<Track>)],
        incidents: &[Incident],
    ) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(err)?;
        {
            let mut table = txn.open_table(TRACKS).map_err(err)?;
            for (key, track) in tracks {
                match track {
                    Some(t) => {
                        let json = serde_json::to_string(t).map_err(err)?;
                        table.insert(key.as_str(), json.as_str()).map_err(err)?;
                    }
                    None => {
                        table.remove(key.as_str()).map_err(err)?;
                    }
                }
            }
            let mut table = txn.open_table(INCIDENTS).map_err(err)?;
            for i in incidents {
                let json = serde_json::to_string(i).map_err(err)?;
                table.insert(i.id.as_str(), json.as_str()).map_err(err)?;
            }
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
        txn.commit().map_err(err)
    }

    /// Every incident, open ones first, each group newest first.
    pub fn incidents(&self) -> Result<Vec<Incident>, StoreError> {
        let txn = self.db.begin_read().map_err(err)?;
        let table = txn.open_table(INCIDENTS).map_err(err)?;
        let mut out: Vec<Incident> = Vec::new();
        for row in table.iter().map_err(err)? {
            let (_, v) = row.map_err(err)?;
            if let Ok(i) = serde_json::from_str(v.value()) {
                out.push(i);
            }
        }
        out.sort_by_key(|i| {
            (
                i.resolved_at.is_some(),
                std::cmp::Reverse(i.resolved_at.or(i.opened_at)),
            )
        });
        Ok(out)
    }

    /// Appends one delivery attempt to the log (the oldest leaving past the bound).
    pub fn log_delivery(&self, d: &Delivery) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(err)?;
        {
            let mut table = txn.open_table(DELIVERIES).map_err(err)?;
            let next = table.last().map_err(err)?.map_or(0, |(k, _)| k.value() + 1);
            let json = serde_json::to_string(d).map_err(err)?;
            table.insert(next, json.as_str()).map_err(err)?;
            if table.len().map_err(err)? > MAX_DELIVERIES {
                let first = table.first().map_err(err)?.map(|(k, _)| k.value());
                if let Some(k) = first {
                    table.remove(k).map_err(err)?;
                }
            }
        }
        txn.commit().map_err(err)
    }

    /// The delivery log, newest first, at most `n`.
    pub fn deliveries(&self, n: usize) -> Result<Vec<Delivery>, StoreError> {
        let txn = self.db.begin_read().map_err(err)?;
        let table = txn.open_table(DELIVERIES).map_err(err)?;
        let mut out = Vec::new();
        for row in table.iter().map_err(err)?.rev().take(n) {
            let (_, v) = row.map_err(err)?;
            if let Ok(d) = serde_json::from_str(v.value()) {
                out.push(d);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::logic::alerts::{AlertSeverity, Subject};

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

    #[test]
    fn what_is_saved_is_there_after_reopening() {
        let dir = std::env::temp_dir().join(format!("alerts-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let store = AlertStore::open(&dir).expect("opens");
            let track = Track::Pending { held: 1 };
            store
                .save(
                    &[("r\u{1f}app_1".into(), Some(track))],
                    &[incident("i1", false)],
                )
                .expect("saved");
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
                .expect("logged");
        }
        let store = AlertStore::open(&dir).expect("reopens");
        assert_eq!(store.tracks().expect("tracks").len(), 1);
        assert_eq!(store.incidents().expect("incidents")[0].id, "i1");
        assert_eq!(
            store.deliveries(10).expect("log")[0].outcome,
            "delivered (204)"
        );
        store
            .save(&[("r\u{1f}app_1".into(), None)], &[])
            .expect("removed");
        assert!(store.tracks().expect("tracks").is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
