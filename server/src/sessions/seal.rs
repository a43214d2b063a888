//! Session records sealed at rest: encrypted and authenticated with the server key, stored
//! under a name derived from the session id with a keyed hash.
//!
//! - A sealed record is `[key version][24-byte nonce][XChaCha20-Poly1305 ciphertext + tag]`.
//!   The session id is the associated data, so a record copied under another session's name
//!   does not open.
//! - Each configured key gives two sub-keys by HKDF-SHA256 (one to seal, one to name records)
//!   and a one-byte version, also derived from the key, so no version number needs
//!   configuring. During a rotation the previous keys still open records (and find their
//!   names); new records are sealed with the current key.
//! - The store never sees the session id: a record's name is HMAC-SHA256 of the id, cut to
//!   128 bits.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// Fewest bytes a server key may have.
pub const MIN_KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;
/// What a record's name starts with in the store.
pub const NAME_PREFIX: &str = "ccd:session:";
/// What the name of a user's list of sessions starts with in the store.
pub const INDEX_PREFIX: &str = "ccd:user:";
/// What the name of an organisation's audit trail starts with in the store.
pub const AUDIT_PREFIX: &str = "ccd:audit:";
/// What the name of an ended session's tombstone starts with in the store.
pub const ENDED_PREFIX: &str = "ccd:ended:";

/// One server key, ready to use.
#[derive(Clone)]
struct SealKey {
    version: u8,
    aead: XChaCha20Poly1305,
    name: [u8; 32],
}

impl SealKey {
    fn derive(secret: &[u8]) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(b"cc-dashboard sessions"), secret);
        let mut seal = [0u8; 32];
        let mut name = [0u8; 32];
        let mut version = [0u8; 1];
        // Expanding 32 bytes or fewer from SHA-256 cannot fail.
        let _ = hk.expand(b"seal v1", &mut seal);
        let _ = hk.expand(b"name v1", &mut name);
        let _ = hk.expand(b"version v1", &mut version);
        Self {
            version: version[0],
            aead: XChaCha20Poly1305::new(&seal.into()),
            name,
        }
    }

    fn name_of(&self, prefix: &str, id: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.name)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(id);
        let digest = mac.finalize().into_bytes();
        format!("{prefix}{}", URL_SAFE_NO_PAD.encode(&digest[..16]))
    }
}

/// The server keys: the current one seals, every one opens.
#[derive(Clone)]
pub struct Keys {
    current: SealKey,
    previous: Vec<SealKey>,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys")
            .field("current_version", &self.current.version)
            .field("previous", &self.previous.len())
            .finish()
    }
}

/// Why a configured key was refused.
#[derive(Debug, PartialEq, Eq)]
pub struct KeyError(pub String);

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Decodes a key given as base64 (standard or URL-safe, padded or not) of at least 32 bytes.
pub fn decode_key(what: &str, text: &str) -> Result<Vec<u8>, KeyError> {
    let text = text.trim();
    let bytes = [&STANDARD, &URL_SAFE]
        .iter()
        .find_map(|engine| {
            let padded = format!("{text}{}", "=".repeat((4 - text.len() % 4) % 4));
            engine.decode(padded).ok()
        })
        .ok_or_else(|| {
            KeyError(format!(
                "{what} is not base64; make one with `openssl rand -base64 32`"
            ))
        })?;
    if bytes.len() < MIN_KEY_BYTES {
        return Err(KeyError(format!(
            "{what} holds {} bytes; it needs at least {MIN_KEY_BYTES} random bytes \
             (`openssl rand -base64 32`)",
            bytes.len()
        )));
    }
    Ok(bytes)
}

impl Keys {
    /// Keys from raw secrets: the current one, then those still accepted.
    pub fn new(current: &[u8], previous: &[Vec<u8>]) -> Self {
        Self {
            current: SealKey::derive(current),
            previous: previous.iter().map(|k| SealKey::derive(k)).collect(),
        }
    }

    /// The record's name under the current key, then under each previous key.
    pub fn names(&self, id: &[u8]) -> Vec<String> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .map(|k| k.name_of(NAME_PREFIX, id))
            .collect()
    }

    /// The name of an owner's audit trail under the current key, then under each previous key.
    pub fn audit_names(&self, owner: &str) -> Vec<String> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .map(|k| k.name_of(AUDIT_PREFIX, owner.as_bytes()))
            .collect()
    }

    /// The name of the tombstone of ended session `id` (current key).
    pub fn tombstone_name(&self, id: &[u8]) -> String {
        self.current.name_of(ENDED_PREFIX, id)
    }

    /// The name of the list of a user's sessions under the current key, then under each
    /// previous key (the user id is hashed like a session id, under its own prefix).
    pub fn index_names(&self, user: &str) -> Vec<String> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .map(|k| k.name_of(INDEX_PREFIX, user.as_bytes()))
            .collect()
    }

    /// Seals `plain` for session `id` with the current key.
    pub fn seal(&self, id: &[u8], plain: &[u8]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .current
            .aead
            .encrypt(
                &nonce,
                Payload {
                    msg: plain,
                    aad: id,
                },
            )
            // Encryption fails only for inputs past 256 GiB.
            .unwrap_or_default();
        let mut out = Vec::with_capacity(1 + NONCE_BYTES + sealed.len());
        out.push(self.current.version);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens a record sealed for session `id` by any of the keys; `None` when it is truncated,
    /// tampered with, sealed for another session or by an unknown key.
    pub fn open(&self, id: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
        let (&version, rest) = sealed.split_first()?;
        if rest.len() < NONCE_BYTES {
            return None;
        }
        let (nonce, body) = rest.split_at(NONCE_BYTES);
        let nonce = XNonce::from_slice(nonce);
        std::iter::once(&self.current)
            .chain(&self.previous)
            .filter(|k| k.version == version)
            .find_map(|k| k.aead.decrypt(nonce, Payload { msg: body, aad: id }).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: [u8; 32] = [7; 32];
    const B: [u8; 32] = [9; 32];
    const ID: &[u8] = b"0123456789abcdef";

    #[test]
    fn a_sealed_record_opens_and_hides_its_content() {
        let keys = Keys::new(&A, &[]);
        let sealed = keys.seal(ID, b"token-secret-value");
        assert!(
            !sealed
                .windows(b"token-secret".len())
                .any(|w| w == b"token-secret")
        );
        assert_eq!(
            keys.open(ID, &sealed).as_deref(),
            Some(&b"token-secret-value"[..])
        );
        // A fresh nonce each time: the same record never seals twice alike.
        assert_ne!(sealed, keys.seal(ID, b"token-secret-value"));
    }

    #[test]
    fn tampered_truncated_or_moved_records_do_not_open() {
        let keys = Keys::new(&A, &[]);
        let sealed = keys.seal(ID, b"record");
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert_eq!(keys.open(ID, &bad), None, "byte {i} flipped");
        }
        for n in 0..sealed.len() {
            assert_eq!(keys.open(ID, &sealed[..n]), None, "cut to {n} bytes");
        }
        assert_eq!(keys.open(b"another session!", &sealed), None);
        assert_eq!(keys.open(ID, b""), None);
    }

    #[test]
    fn a_wrong_key_does_not_open() {
        let sealed = Keys::new(&A, &[]).seal(ID, b"record");
        assert_eq!(Keys::new(&B, &[]).open(ID, &sealed), None);
    }

    #[test]
    fn a_rotated_key_still_opens_old_records_and_seals_with_the_new_one() {
        let old = Keys::new(&A, &[]);
        let sealed_old = old.seal(ID, b"before");
        let rotated = Keys::new(&B, &[A.to_vec()]);
        assert_eq!(
            rotated.open(ID, &sealed_old).as_deref(),
            Some(&b"before"[..])
        );
        let sealed_new = rotated.seal(ID, b"after");
        assert_eq!(sealed_new[0], Keys::new(&B, &[]).current.version);
        // The old key alone cannot open what the new one sealed.
        assert_eq!(old.open(ID, &sealed_new), None);
        // Names: current first, then the previous key's (where old records still are).
        let names = rotated.names(ID);
        assert_eq!(names.len(), 2);
        assert_eq!(names[1], old.names(ID)[0]);
    }

    #[test]
    fn record_names_are_keyed_and_never_the_id() {
        let id = b"sessionid-plain!";
        let a = Keys::new(&A, &[]).names(id);
        let b = Keys::new(&B, &[]).names(id);
        assert_ne!(a, b, "another key, other names");
        assert_eq!(a, Keys::new(&A, &[]).names(id), "stable for one key");
        assert!(a[0].starts_with(NAME_PREFIX));
        assert!(!a[0].contains("sessionid"));
        assert_eq!(a[0].len(), NAME_PREFIX.len() + 22);
        assert_ne!(a, Keys::new(&A, &[]).names(b"sessionid-other!"));
    }

    #[test]
    fn keys_are_base64_of_at_least_32_bytes() {
        let good = STANDARD.encode([1u8; 32]);
        assert_eq!(decode_key("K", &good).map(|k| k.len()), Ok(32));
        let url = URL_SAFE_NO_PAD.encode([0xfbu8; 40]);
        assert_eq!(
            decode_key("K", &format!(" {url}\n")).map(|k| k.len()),
            Ok(40)
        );
        let short = decode_key("DASHBOARD_SECRET_KEY", &STANDARD.encode([1u8; 16]));
        assert!(short.is_err_and(|e| e.0.contains("16 bytes")));
        assert!(decode_key("K", "not base64 at all!").is_err());
        assert!(decode_key("K", "").is_err());
    }
}
