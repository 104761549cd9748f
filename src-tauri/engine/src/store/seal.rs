//! What makes the audit trail hard to rewrite: a key, kept in the desk's keyring and never in the
//! database, that every entry is sealed with (an HMAC), and an anchor outside the database, the
//! newest entry the desk has seen, sealed with the same key. Someone who can change the database
//! but not the keyring cannot recompute a seal; someone who deletes the newest entries, or every
//! entry, or replaces the database, leaves the anchor naming an entry that is no longer there.

use std::fmt;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::secrets::Secret;

/// The audit key: 32 random bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; 32]);

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuditKey({})", self.fingerprint())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl AuditKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> Self {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// A key as the keyring holds it: 64 hexadecimal digits.
    pub fn from_secret(secret: &Secret) -> Result<Self> {
        crate::secrets::audit_key_bytes(secret).map(Self)
    }

    /// The key as the keyring holds it.
    pub fn to_secret(&self) -> Secret {
        Secret::new(hex(&self.0))
    }

    /// Names the key without giving it away: shown to people and kept in the registry, so a
    /// desk with another key is told so rather than finding every entry "changed".
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"booking-desk audit key fingerprint\0");
        h.update(self.0);
        hex(&h.finalize()[..8])
    }

    /// What a sealed entry's `seal` column says.
    pub fn label(&self) -> String {
        format!("hmac-sha256:{}", self.fingerprint())
    }

    /// The patient's pseudonym: an HMAC of the NHS number, which outlives the number's purge.
    pub fn patient_ref(&self, nhs_number: &str) -> String {
        self.seal("patient", nhs_number.as_bytes())[..32].to_string()
    }

    /// The key a SQLite registry file is encrypted with (SQLCipher's raw key, 64 hex digits),
    /// made from this one so that the desk keeps one secret for its registry.
    pub fn file_key(&self) -> Secret {
        Secret::new(self.seal("registry file key", b""))
    }

    /// HMAC-SHA256 (hex) of `message` for `purpose`: the purpose is part of the message, so a
    /// seal made for one thing (an entry, the anchor, the key's registration) never passes as
    /// another.
    pub fn seal(&self, purpose: &str, message: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(message);
        hex(&mac.finalize().into_bytes())
    }
}

/// The newest entry a desk has seen, kept outside the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub last_id: i64,
    pub hash: String,
}

#[derive(Serialize, Deserialize)]
struct AnchorFile {
    last_id: i64,
    hash: String,
    seal: String,
}

/// What reading the anchor found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorRead {
    Missing,
    Found(Checkpoint),
    /// Not readable, or its seal does not hold: it was edited, or made with another key.
    Altered,
}

/// The anchor file: a checkpoint sealed with the audit key, replaced whole and only by a newer
/// one.
#[derive(Debug, Clone)]
pub struct Anchor {
    path: PathBuf,
}

const ANCHOR_PURPOSE: &str = "audit anchor";

impl Anchor {
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// Beside a SQLite registry: `<registry>.audit-anchor`.
    pub fn beside(registry: &Path) -> Self {
        let mut name = registry.as_os_str().to_owned();
        name.push(".audit-anchor");
        Self::at(PathBuf::from(name))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn message(c: &Checkpoint) -> Vec<u8> {
        format!("{}\n{}", c.last_id, c.hash).into_bytes()
    }

    pub fn read(&self, key: &AuditKey) -> AnchorRead {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return AnchorRead::Missing,
            Err(_) => return AnchorRead::Altered,
        };
        let Ok(file) = serde_json::from_str::<AnchorFile>(&text) else {
            return AnchorRead::Altered;
        };
        let checkpoint = Checkpoint {
            last_id: file.last_id,
            hash: file.hash,
        };
        if key.seal(ANCHOR_PURPOSE, &Self::message(&checkpoint)) == file.seal {
            AnchorRead::Found(checkpoint)
        } else {
            AnchorRead::Altered
        }
    }

    /// Moves the anchor to `to` unless it already names that entry or a later one. Desks and
    /// processes sharing the file take turns under a lock beside it.
    pub fn advance(&self, key: &AuditKey, to: &Checkpoint) -> std::io::Result<()> {
        let mut lock_name = self.path.as_os_str().to_owned();
        lock_name.push(".lock");
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::private_files::create_dir(dir)?;
        }
        let lock = crate::private_files::open_for_lock(Path::new(&lock_name))?;
        lock.lock()?;
        match self.read(key) {
            AnchorRead::Found(current) if current.last_id >= to.last_id => return Ok(()),
            // Left as found, for verification to report: replacing it would hide the edit.
            AnchorRead::Altered => {
                return Err(std::io::Error::other(
                    "the audit anchor was altered; it is left for verification to report",
                ));
            }
            _ => {}
        }
        let file = AnchorFile {
            last_id: to.last_id,
            hash: to.hash.clone(),
            seal: key.seal(ANCHOR_PURPOSE, &Self::message(to)),
        };
        let text = serde_json::to_vec(&file).map_err(std::io::Error::other)?;
        crate::private_files::write(&self.path, &text)
        // The lock is released as `lock` is dropped.
    }
}

/// A store's audit key and anchor.
#[derive(Debug, Clone)]
pub struct AuditSeal {
    pub key: AuditKey,
    pub anchor: Anchor,
    /// How long NHS numbers are kept; an entry or event that lost its number sooner was changed.
    pub keep_patient_details: chrono::Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_round_trips_through_its_keyring_form_and_a_bad_one_is_refused() {
        let key = AuditKey::generate();
        let back = AuditKey::from_secret(&key.to_secret()).expect("parses");
        assert_eq!(back, key);
        assert_ne!(AuditKey::generate(), key);
        assert!(AuditKey::from_secret(&Secret::new("abc")).is_err());
        assert!(AuditKey::from_secret(&Secret::new("zz".repeat(32))).is_err());
        assert!(AuditKey::from_secret(&Secret::new("é".repeat(32))).is_err());
        assert!(!format!("{key:?}").contains(key.to_secret().expose()));
    }

    #[test]
    fn seals_depend_on_key_purpose_and_message() {
        let (a, b) = (AuditKey::generate(), AuditKey::generate());
        assert_eq!(a.seal("x", b"m"), a.seal("x", b"m"));
        assert_ne!(a.seal("x", b"m"), b.seal("x", b"m"));
        assert_ne!(a.seal("x", b"m"), a.seal("y", b"m"));
        assert_ne!(a.seal("x", b"m"), a.seal("x", b"n"));
    }

    #[test]
    fn the_anchor_only_moves_forward_and_an_edited_one_is_found() {
        let dir = tempfile::tempdir().expect("tempdir");
        let anchor = Anchor::beside(&dir.path().join("bookings.sqlite"));
        let key = AuditKey::generate();
        assert_eq!(anchor.read(&key), AnchorRead::Missing);
        let five = Checkpoint {
            last_id: 5,
            hash: "h5".into(),
        };
        anchor.advance(&key, &five).expect("written");
        anchor
            .advance(
                &key,
                &Checkpoint {
                    last_id: 3,
                    hash: "h3".into(),
                },
            )
            .expect("kept");
        assert_eq!(anchor.read(&key), AnchorRead::Found(five));
        assert_eq!(anchor.read(&AuditKey::generate()), AnchorRead::Altered);
        let text = std::fs::read_to_string(anchor.path()).expect("read");
        std::fs::write(
            anchor.path(),
            text.replace("\"last_id\":5", "\"last_id\":2"),
        )
        .expect("edited");
        assert_eq!(anchor.read(&key), AnchorRead::Altered);
    }
}
