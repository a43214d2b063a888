//! The embedded database of a server that shares no store (`DASHBOARD_DATA_DIR/dashboard.redb`):
//! the alerts' rules, channels, incidents and delivery log (`alerts::store`), and each
//! organisation's audit trail for its activity feed. With a shared store (Redis), all of it
//! lives there instead and this file is not opened.
//!
//! redb: pure Rust (no C library to build), transactions atomic and durable on commit, one
//! file, one process at a time (a second server on the same directory is refused and says so).
//!
//! Secrets kept here (channel URLs and signing secrets) are sealed like sessions, with the
//! server key when one is configured, else with a key made at first start and kept beside the
//! database (`secret.key`, readable by its owner only).

use crate::sessions::Keys;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::path::Path;
use std::sync::Arc;

/// Each owner's audit events (JSON), keyed by owner and sequence number.
const AUDIT: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("audit");

/// The database, shared by whoever needs it.
#[derive(Clone)]
pub struct LocalDb {
    pub(crate) db: Arc<Database>,
    /// What secrets are sealed with.
    pub(crate) keys: Keys,
}

/// An error of the database, said in words (the file, the disk).
pub fn err(e: impl std::fmt::Display) -> String {
    format!("local database: {e}")
}

impl LocalDb {
    /// Opens (or creates) the database in `dir`, creating the directory; `keys` seal secrets
    /// (none: the key kept in `dir`, made when missing).
    pub fn open(dir: &Path, keys: Option<Keys>) -> Result<Self, String> {
        std::fs::create_dir_all(dir).map_err(|e| err(format!("{}: {e}", dir.display())))?;
        let keys = match keys {
            Some(k) => k,
            None => local_key(dir)?,
        };
        let db = Database::create(dir.join("dashboard.redb"))
            .map_err(|e| err(format!("{}: {e}", dir.join("dashboard.redb").display())))?;
        let txn = db.begin_write().map_err(err)?;
        txn.open_table(AUDIT).map_err(err)?;
        txn.commit().map_err(err)?;
        Ok(Self {
            db: Arc::new(db),
            keys,
        })
    }

    /// Keeps `event` (JSON) in `owner`'s trail, the latest `keep` of them.
    pub fn record_audit(&self, owner: &str, event: &[u8], keep: usize) -> Result<(), String> {
        let txn = self.db.begin_write().map_err(err)?;
        {
            let mut table = txn.open_table(AUDIT).map_err(err)?;
            let range = (owner, 0u64)..=(owner, u64::MAX);
            let next = table
                .range(range.clone())
                .map_err(err)?
                .next_back()
                .transpose()
                .map_err(err)?
                .map_or(0, |(k, _)| k.value().1 + 1);
            table.insert((owner, next), event).map_err(err)?;
            let first = next.saturating_sub(keep as u64 - 1);
            if first > 0 {
                table
                    .retain_in((owner, 0u64)..(owner, first), |_, _| false)
                    .map_err(err)?;
            }
        }
        txn.commit().map_err(err)
    }

    /// `owner`'s audit events (JSON), newest first.
    pub fn audit_of(&self, owner: &str) -> Result<Vec<Vec<u8>>, String> {
        let txn = self.db.begin_read().map_err(err)?;
        let table = txn.open_table(AUDIT).map_err(err)?;
        let mut out = Vec::new();
        for row in table
            .range((owner, 0u64)..=(owner, u64::MAX))
            .map_err(err)?
            .rev()
        {
            let (_, v) = row.map_err(err)?;
            out.push(v.value().to_vec());
        }
        Ok(out)
    }
}

/// The key kept in `dir` (`secret.key`, 32 random bytes in base64), made when missing.
fn local_key(dir: &Path) -> Result<Keys, String> {
    use base64::Engine;
    let path = dir.join("secret.key");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            use chacha20poly1305::aead::rand_core::RngCore;
            let mut bytes = [0u8; 32];
            chacha20poly1305::aead::OsRng.fill_bytes(&mut bytes);
            let text = base64::engine::general_purpose::STANDARD.encode(bytes);
            write_private(&path, &text).map_err(|e| err(format!("{}: {e}", path.display())))?;
            text
        }
        Err(e) => return Err(err(format!("{}: {e}", path.display()))),
    };
    let bytes = crate::sessions::decode_key(&path.display().to_string(), text.trim())
        .map_err(|e| err(e.0))?;
    Ok(Keys::new(&bytes, &[]))
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_audit_trail_keeps_the_latest_and_survives_reopening() {
        let dir = std::env::temp_dir().join(format!("local-db-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let db = LocalDb::open(&dir, None).expect("opens");
            for i in 0..5 {
                db.record_audit("orga_1", format!("e{i}").as_bytes(), 3)
                    .expect("kept");
            }
            db.record_audit("orga_2", b"other", 3).expect("kept");
        }
        let db = LocalDb::open(&dir, None).expect("reopens");
        let trail: Vec<String> = db
            .audit_of("orga_1")
            .expect("read")
            .into_iter()
            .map(|b| String::from_utf8(b).expect("utf-8"))
            .collect();
        assert_eq!(trail, ["e4", "e3", "e2"]);
        assert_eq!(db.audit_of("orga_2").expect("read").len(), 1);
        // The key made at first start is the one used after.
        let sealed = db.keys.seal(b"x", b"secret");
        drop(db);
        let db = LocalDb::open(&dir, None).expect("reopens");
        assert_eq!(db.keys.open(b"x", &sealed).as_deref(), Some(&b"secret"[..]));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
