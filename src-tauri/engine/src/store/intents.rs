//! Bookings about to be sent, written ahead of the request so that a desk that dies while one is
//! in flight knows, when it starts again, that it has something to check at the service.
//!
//! An intent belongs to the process that wrote it for as long as that process lives: it holds a
//! lock on the intent (a file lock beside a SQLite registry, a session advisory lock on
//! PostgreSQL) from before the intent is written until its outcome is recorded. The operating
//! system or the server lets the lock go when the process dies, however it dies, so only an
//! intent whose lock can be taken is an orphan, and only an orphan is settled by another run.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::Store;
use super::db::{Db, Stored, fetch_rows, store_error, with_pool};
use super::window::parse_instant;
use crate::error::Result;

/// One booking request that has been (or is about to be) sent, whose outcome is not recorded yet.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingIntent {
    pub request_id: String,
    pub recorded_at: DateTime<Utc>,
    pub service_id: String,
    pub slot_ids: Vec<String>,
    /// The first slot's start: where to look for the booking at the service.
    pub slot_start: String,
    pub nhs_number: Option<String>,
    pub user_local_id: String,
    pub user_name: String,
    pub desk: String,
}

/// This process's hold on one intent: while it lives, no other run settles that intent.
#[derive(Debug)]
pub struct IntentHold {
    hold: Hold,
}

#[derive(Debug)]
enum Hold {
    /// A locked file; removed when the hold ends (the lock goes with the last handle).
    File { file: std::fs::File, path: PathBuf },
    /// A connection of its own holding the session's advisory lock; closing it lets go.
    Postgres(Option<sqlx::PgConnection>),
}

impl IntentHold {
    /// Lets go at once. Dropping a hold lets go too, but a PostgreSQL server may take a moment
    /// to see a dropped connection close; here the lock is given back before the close.
    pub async fn release(mut self) {
        if let Hold::Postgres(conn) = &mut self.hold
            && let Some(mut conn) = conn.take()
        {
            let _ = sqlx::query("SELECT pg_advisory_unlock_all()")
                .execute(&mut conn)
                .await;
            let _ = sqlx::Connection::close(conn).await;
        }
    }
}

impl Drop for IntentHold {
    fn drop(&mut self) {
        if let Hold::File { file, path } = &self.hold {
            // Removed while still locked: a run that opened it just before finds the intent
            // closed when it re-reads the registry, and one that comes later creates a new file.
            let _ = std::fs::remove_file(path);
            let _ = file.unlock();
        }
    }
}

impl Store {
    /// Takes this process's hold on a new intent, before the intent is written: an intent is
    /// never in the registry without its owner's lock while the owner runs.
    pub async fn hold_intent(&self, request_id: &str) -> Result<IntentHold> {
        self.try_hold(request_id)
            .await?
            .ok_or_else(|| store_error("the lock of a new booking intent is held by another run"))
    }

    /// The hold on an intent whose owner has gone (ended, crashed or killed), for settling it;
    /// `None` while the run that wrote it is still at work.
    pub async fn claim_orphan(&self, request_id: &str) -> Result<Option<IntentHold>> {
        let Some(hold) = self.try_hold(request_id).await? else {
            return Ok(None);
        };
        // Its owner may have recorded the outcome and closed it just before letting go.
        Ok(self.intent_open(request_id).await?.then_some(hold))
    }

    async fn try_hold(&self, request_id: &str) -> Result<Option<IntentHold>> {
        match &self.db {
            Db::Sqlite(pool) => {
                let path = lock_path(pool.connect_options().get_filename(), request_id)?;
                let held = tokio::task::spawn_blocking(move || lock_file(path))
                    .await
                    .map_err(store_error)??;
                Ok(held.map(|(file, path)| IntentHold {
                    hold: Hold::File { file, path },
                }))
            }
            Db::Postgres(pool) => {
                let mut conn = pool.acquire().await.map_err(store_error)?.detach();
                let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                    .bind(lock_key(request_id))
                    .fetch_one(&mut conn)
                    .await
                    .map_err(store_error)?;
                Ok(taken.then_some(IntentHold {
                    hold: Hold::Postgres(Some(conn)),
                }))
            }
        }
    }

    async fn intent_open(&self, request_id: &str) -> Result<bool> {
        let found: Option<String> = with_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT request_id FROM booking_intents WHERE request_id = $1")
                .bind(request_id)
                .fetch_optional(pool)
                .await
        })
        .map_err(store_error)?;
        Ok(found.is_some())
    }

    /// Writes the intent before the request goes.
    pub async fn begin_booking(&self, i: &BookingIntent) -> Result<()> {
        let slots = serde_json::to_string(&i.slot_ids).map_err(store_error)?;
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO booking_intents (request_id, recorded_at, service_id, slot_ids,
                    slot_start, nhs_number, user_local_id, user_name, desk)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&i.request_id)
            .bind(i.recorded_at.to_rfc3339())
            .bind(&i.service_id)
            .bind(&slots)
            .bind(&i.slot_start)
            .bind(&i.nhs_number)
            .bind(&i.user_local_id)
            .bind(&i.user_name)
            .bind(&i.desk)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_error)
    }

    /// Removes the intent once the attempt's outcome is recorded.
    pub async fn end_booking(&self, request_id: &str) -> Result<()> {
        with_pool!(&self.db, pool => {
            sqlx::query("DELETE FROM booking_intents WHERE request_id = $1")
                .bind(request_id)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .map_err(store_error)
    }

    /// Intents left by this desk's runs (or any desk's, on a shared registry) at `desk`.
    pub async fn open_bookings(&self, desk: &str) -> Result<Vec<BookingIntent>> {
        fetch_rows!(
            &self.db,
            "SELECT * FROM booking_intents WHERE desk = $1 ORDER BY recorded_at",
            [desk],
            IntentRow
        )
    }
}

/// Where an intent's lock file lives: a folder beside the registry file, readable by its owner
/// only (the file names are request ids, not patient data, but nothing here is anyone else's).
fn lock_path(registry: &Path, request_id: &str) -> Result<PathBuf> {
    let name = registry
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "registry".into());
    let dir = registry.with_file_name(format!(".{name}.intents"));
    crate::private_files::create_dir(&dir).map_err(store_error)?;
    // Request ids are UUIDs; anything else is hashed rather than trusted as a file name.
    let file = if uuid::Uuid::parse_str(request_id).is_ok() {
        request_id.to_string()
    } else {
        hex(&Sha256::digest(request_id.as_bytes()))
    };
    Ok(dir.join(format!("{file}.lock")))
}

/// Opens and try-locks the file: `None` when another process holds it.
fn lock_file(path: PathBuf) -> Result<Option<(std::fs::File, PathBuf)>> {
    let file = crate::private_files::open_for_lock(&path).map_err(store_error)?;
    match file.try_lock() {
        Ok(()) => Ok(Some((file, path))),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(store_error(e)),
    }
}

/// The advisory lock's key: the request id's first eight bytes of SHA-256, the same in every
/// desk and every version.
fn lock_key(request_id: &str) -> i64 {
    let digest = Sha256::digest(request_id.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A booking intent's columns as stored: the instant as RFC 3339 text, the slot ids as JSON.
#[derive(sqlx::FromRow)]
struct IntentRow {
    request_id: String,
    recorded_at: String,
    service_id: String,
    slot_ids: String,
    slot_start: String,
    nhs_number: Option<String>,
    user_local_id: String,
    user_name: String,
    desk: String,
}

impl Stored for IntentRow {
    type Value = BookingIntent;
    fn into_value(self) -> Result<BookingIntent> {
        Ok(BookingIntent {
            request_id: self.request_id,
            recorded_at: parse_instant(&self.recorded_at)?,
            service_id: self.service_id,
            slot_ids: serde_json::from_str(&self.slot_ids).map_err(store_error)?,
            slot_start: self.slot_start,
            nhs_number: self.nhs_number,
            user_local_id: self.user_local_id,
            user_name: self.user_name,
            desk: self.desk,
        })
    }
}
