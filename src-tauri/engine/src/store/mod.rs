//! The bookings registry: every book, amend and cancel the desk attempts, with who, when, where,
//! the outcome and the trace id; with the audit trail and the kept clinical handovers. A SQLite
//! file in WAL mode on one desk, or one PostgreSQL database shared by many desks.

use crate::error::Result;

mod audit;
mod centre;
mod clinical;
mod db;
mod found;
mod group_commit;
mod intents;
mod open;
mod purge;
mod registry;
mod seal;
mod sealing;
mod searches;
#[cfg(test)]
mod tests;
mod window;

pub use audit::{AuditEntry, AuditRecord, AuditReport, GENESIS_HASH};
pub use centre::Booked;
pub use clinical::Handover;
pub use found::FoundServiceRecord;
pub use intents::{BookingIntent, IntentHold};
pub use open::prepare_crypto;
pub use purge::{PURGE, Purged};
pub use registry::{Action, BookingEvent, BookingSummary, Outcome};
pub use seal::{Anchor, AnchorRead, AuditKey, AuditSeal, Checkpoint};
pub use sealing::{KeyRegistration, RECORDED_EVENT};
pub use searches::SearchRecord;

use db::Db;
use open::Location;

#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
    /// Audit appends arriving together are committed together.
    audit: std::sync::Arc<group_commit::GroupCommit<AuditRecord, AuditEntry>>,
    /// The audit key and anchor, once the desk has given them (see `with_audit_seal`).
    seal: Option<std::sync::Arc<AuditSeal>>,
}

impl Store {
    /// Opens the registry at `location` and brings its schema up to date: a SQLite file path or
    /// `sqlite://` URL (created if needed), or a `postgres://` / `postgresql://` URL.
    pub async fn open(location: &str) -> Result<Self> {
        Self::open_with_password(location, None).await
    }

    /// As [`Store::open`], logging in to a PostgreSQL registry with `password` (from the
    /// keyring); a SQLite file has none.
    pub async fn open_with_password(
        location: &str,
        password: Option<&crate::secrets::Secret>,
    ) -> Result<Self> {
        Self::open_with(location, password, None).await
    }

    /// As [`Store::open`], logging in to a PostgreSQL registry with `password`, and reading and
    /// writing a SQLite file encrypted with `file_key` (see `AuditKey::file_key`): a new file is
    /// made encrypted, and one written in the clear before is encrypted in place first.
    pub async fn open_with(
        location: &str,
        password: Option<&crate::secrets::Secret>,
        file_key: Option<&crate::secrets::Secret>,
    ) -> Result<Self> {
        let db = match Location::parse(location)? {
            Location::SqliteFile(path) => open::sqlite(path, file_key).await?,
            Location::Postgres(url) => open::postgres(url, password).await?,
        };
        Ok(Self {
            db,
            audit: std::sync::Arc::new(group_commit::GroupCommit::new()),
            seal: None,
        })
    }
}
