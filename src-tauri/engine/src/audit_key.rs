//! The desk's audit key, found (or, for a registry of its own, made) when the desk opens, and
//! the store sealed with it. The key lives in the OS keyring; only the demo, whose patients are
//! invented, keeps it in a file beside its registry, so that it runs where there is no keyring.

use std::path::{Path, PathBuf};

use crate::config::{AuditKeySource, DeskConfig};
use crate::error::{Error, ErrorKind, Result};
use crate::secrets::{Keyring, Secret, SecretName};
use crate::store::{Anchor, AnchorRead, AuditKey, AuditSeal, Store};

/// The registry's SQLite file, when it is one.
fn sqlite_file(store: &str) -> Option<PathBuf> {
    if store.starts_with("postgres://") || store.starts_with("postgresql://") {
        return None;
    }
    Some(PathBuf::from(
        store.strip_prefix("sqlite://").unwrap_or(store),
    ))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A short name for `text`: the first 12 hex digits of its SHA-256.
fn short_digest(text: &str) -> String {
    <sha2::Sha256 as sha2::Digest>::digest(text.as_bytes())[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where the anchor goes: beside a SQLite registry; for a shared registry, in the person's own
/// data folder, one file per registry (named by a digest of its URL without the password).
fn anchor_for(store: &str) -> Result<Anchor> {
    if let Some(file) = sqlite_file(store) {
        return Ok(Anchor::beside(&file));
    }
    let mut url = url::Url::parse(store).map_err(|e| Error::config(e.to_string()))?;
    let _ = url.set_password(None);
    let name = format!("audit-anchor-{}.json", short_digest(url.as_str()));
    Ok(Anchor::at(crate::paths::data_dir()?.join(name)))
}

/// Where the key is read from and kept.
struct KeyPlace {
    source: AuditKeySource,
    keyring: Keyring,
    file: Option<PathBuf>,
}

impl KeyPlace {
    fn of(config: &DeskConfig) -> Result<Self> {
        let file = match config.audit_key {
            AuditKeySource::Keyring => None,
            AuditKeySource::DemoFile => Some(with_suffix(
                &sqlite_file(&config.store).ok_or_else(|| {
                    Error::config("The demo's audit key is kept beside a SQLite registry only.")
                })?,
                ".audit-key",
            )),
        };
        Ok(Self {
            source: config.audit_key.clone(),
            keyring: Keyring::new(config.secrets.namespace.clone()),
            file,
        })
    }

    fn get(&self) -> Result<Option<AuditKey>> {
        let secret = match &self.file {
            None => self.keyring.get(SecretName::AuditKey)?,
            Some(path) => match std::fs::read_to_string(path) {
                Ok(text) => Some(Secret::new(text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => {
                    return Err(Error::internal(format!(
                        "The demo's audit key ({}) could not be read: {e}",
                        path.display()
                    )));
                }
            },
        };
        secret.map(|s| AuditKey::from_secret(&s)).transpose()
    }

    fn put(&self, key: &AuditKey) -> Result<()> {
        match &self.file {
            None => self.keyring.set(SecretName::AuditKey, &key.to_secret()),
            Some(path) => crate::private_files::write(path, key.to_secret().expose().as_bytes())
                .map_err(|e| {
                    Error::internal(format!(
                        "The demo's audit key ({}) could not be written: {e}",
                        path.display()
                    ))
                }),
        }
    }

    /// A lock that processes making this key take turns under: one per keyring namespace (every
    /// registry a namespace opens is sealed with its one key), or beside the demo's key file.
    fn lock(&self) -> Result<std::fs::File> {
        let path = match &self.file {
            Some(file) => with_suffix(file, ".lock"),
            // One place for every process of this account, whatever data folder each was given
            // (BOOKDESK_DATA_DIR), as the keyring is one for them all.
            None => crate::paths::account_data_dir()?.join(format!(
                "audit-key-{}.lock",
                short_digest(self.keyring.namespace())
            )),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::private_files::create_dir(dir).map_err(|e| Error::internal(e.to_string()))?;
        }
        let file = crate::private_files::open_for_lock(&path)
            .map_err(|e| Error::internal(e.to_string()))?;
        file.lock().map_err(|e| Error::internal(e.to_string()))?;
        Ok(file)
    }
}

fn wrong_key(registered: &str, held: Option<&AuditKey>, source: &AuditKeySource) -> Error {
    let held = match held {
        Some(k) => format!("this desk holds key {}", k.fingerprint()),
        None => "this desk holds none".into(),
    };
    let step = match source {
        AuditKeySource::Keyring => {
            "Ask IT for the registry's audit key and store it on this desk with `bookdesk secrets \
             set audit-key` (it reads the key from standard input); every desk sharing a \
             registry holds the same key."
        }
        AuditKeySource::DemoFile => "Clear the demo's bookings with `bookdesk demo reset`.",
    };
    Error::config(format!(
        "This registry's audit trail is sealed with key {registered}, and {held}: entries this \
         desk wrote could not be checked."
    ))
    .with_next_step(step)
}

/// The desk's key, made (and kept) only when `may_make` says a new one cannot lock anything out.
fn held_or_made(place: &KeyPlace, may_make: impl FnOnce() -> Result<()>) -> Result<AuditKey> {
    if let Some(key) = place.get()? {
        return Ok(key);
    }
    may_make()?;
    // Processes opening at once make one key between them: the first makes it, the rest find it
    // once it is their turn.
    let _turn = place.lock()?;
    if let Some(key) = place.get()? {
        return Ok(key);
    }
    let key = AuditKey::generate();
    place.put(&key)?;
    Ok(key)
}

/// Opens the configured registry with the desk's key: a SQLite file encrypted with it, and the
/// audit trail sealed with it and anchored outside the database. A registry of the desk's own
/// gets a new key when there is none yet; a shared one is sealed with the key IT gave every desk,
/// or, for the first desk on a new one, the key that desk makes.
pub(crate) async fn open_sealed(config: &DeskConfig, password: Option<&Secret>) -> Result<Store> {
    let place = KeyPlace::of(config)?;
    let anchor = anchor_for(&config.store)?;
    let (store, key) = match sqlite_file(&config.store) {
        Some(file) => {
            let key = held_or_made(&place, || {
                if is_encrypted(&file) {
                    return Err(lost_key(&file, &place.source));
                }
                Ok(())
            })?;
            // A file this key cannot read: what to do depends on where the key is kept.
            let store = Store::open_with(&config.store, None, Some(&key.file_key()))
                .await
                .map_err(|e| match e.kind {
                    ErrorKind::Config => e.with_next_step(restore_key_step(&place.source)),
                    _ => e,
                })?;
            (store, key)
        }
        None => {
            let store = Store::open_with(&config.store, password, None).await?;
            let registered = store.audit_key_registration().await?;
            let key = held_or_made(&place, || match &registered {
                Some(r) => Err(wrong_key(&r.fingerprint, None, &place.source)),
                None => Ok(()),
            })?;
            (store, key)
        }
    };
    let registered = match store.audit_key_registration().await? {
        Some(r) => r,
        None => store.register_audit_key(&key).await?,
    };
    if registered.fingerprint != key.fingerprint() {
        return Err(wrong_key(
            &registered.fingerprint,
            Some(&key),
            &place.source,
        ));
    }
    let keep = chrono::Duration::days(i64::from(config.desk.keep_patient_details_days));
    let store = store.with_audit_seal(AuditSeal {
        key: key.clone(),
        anchor: anchor.clone(),
        keep_patient_details: keep,
    });
    start_anchor(&store, &config.store, &key, &anchor).await?;
    // Patient identifiers past the retention period go each time a desk opens the registry.
    let purged = store
        .purge_patient_details(chrono::Utc::now() - keep)
        .await?;
    if purged.events + purged.audit_entries + purged.handovers > 0 {
        tracing::info!(
            events = purged.events,
            audit_entries = purged.audit_entries,
            handovers = purged.handovers,
            "patient details past the retention period purged"
        );
    }
    Ok(store)
}

/// A registry file that is there, not empty and not in SQLite's clear form.
fn is_encrypted(file: &Path) -> bool {
    use std::io::Read;
    let mut header = Vec::with_capacity(16);
    std::fs::File::open(file)
        .and_then(|f| f.take(16).read_to_end(&mut header))
        .is_ok_and(|_| !header.is_empty() && header != b"SQLite format 3\0")
}

/// What to do about an encrypted registry file this desk holds no key, or the wrong key, for.
fn restore_key_step(source: &AuditKeySource) -> &'static str {
    match source {
        AuditKeySource::Keyring => {
            "Restore this desk's audit key (bookdesk secrets set audit-key, from IT's copy), or \
             move the file away to start a new registry."
        }
        AuditKeySource::DemoFile => "Clear the demo's bookings with `bookdesk demo reset`.",
    }
}

fn lost_key(file: &Path, source: &AuditKeySource) -> Error {
    Error::config(format!(
        "The bookings registry {} is encrypted, and this desk holds no audit key to read it.",
        file.display()
    ))
    .with_next_step(restore_key_step(source))
}

/// A desk with no anchor yet anchors the trail where it stands, unless it already holds sealed
/// entries on a registry of its own (a SQLite file), where a missing anchor means one deleted,
/// and verification must say so. A desk joining a shared registry starts its own anchor.
async fn start_anchor(
    store: &Store,
    location: &str,
    key: &AuditKey,
    anchor: &Anchor,
) -> Result<()> {
    if anchor.read(key) != AnchorRead::Missing {
        return Ok(());
    }
    let entries = store.audit_entries().await?;
    let shared = sqlite_file(location).is_none();
    if !shared && entries.iter().any(|e| e.seal.is_some()) {
        return Ok(());
    }
    if let Some(newest) = entries.last() {
        store.anchor_at(newest);
    }
    Ok(())
}
