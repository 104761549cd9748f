//! The audit trail: one row per provider interaction, and one per booking event the registry
//! records (vouching for that row), chained so that a row changed or deleted after the fact is
//! detected. With the audit key (see `seal`) each entry is sealed with an HMAC that cannot be
//! recomputed without it, and the newest entry is anchored outside the database; entries from
//! before the key keep their plain SHA-256 and may only come before the first sealed one.

use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use sqlx::{PgConnection, SqliteConnection};

use super::Store;
use super::db::{Db, Stored, store_error, with_pool};
use super::seal::{AnchorRead, AuditKey, Checkpoint};
use crate::error::Result;

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One interaction to append: who, for whom, with which service and how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditRecord {
    pub user_local_id: String,
    pub user_name: String,
    pub user_role: String,
    pub organisation_ods: String,
    pub service_id: String,
    /// The full `Ssp-InteractionID`.
    pub interaction: String,
    pub nhs_number: Option<String>,
    pub trace_id: String,
    pub request_id: Option<String>,
    /// `http 201`, or the error kind when no answer came (`timeout`, `unavailable`, ...).
    pub outcome: String,
    /// The appointment the request named (read, amend, cancel), when it named one.
    #[serde(default)]
    pub appointment_id: Option<String>,
    /// The registry row this entry vouches for, `booking_events:<id>:<sha256>`; none for a
    /// provider interaction.
    #[serde(default)]
    pub covers: Option<String>,
}

/// One entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditEntry {
    /// A plain number to the screens: registry ids stay far below 2^53.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    /// RFC 3339, UTC; kept as stored text because the hash covers it byte for byte.
    pub recorded_at: String,
    pub user_local_id: String,
    pub user_name: String,
    pub user_role: String,
    pub organisation_ods: String,
    pub service_id: String,
    pub interaction: String,
    pub nhs_number: Option<String>,
    pub trace_id: String,
    pub request_id: Option<String>,
    pub outcome: String,
    pub prev_hash: String,
    pub hash: String,
    /// The appointment the request named, when it named one (entries from before it was
    /// recorded have none).
    #[serde(default)]
    pub appointment_id: Option<String>,
    /// `hmac-sha256:<key fingerprint>` when `hash` is a seal made with the audit key; none for
    /// an entry from before the key, whose `hash` is a plain SHA-256.
    #[serde(default)]
    pub seal: Option<String>,
    /// The registry row the entry vouches for, when it is one of those.
    #[serde(default)]
    pub covers: Option<String>,
    /// The patient's pseudonym (sealed entries with a patient), kept after the NHS number is
    /// purged.
    #[serde(default)]
    pub patient_ref: Option<String>,
}

/// What a sealed entry's seal is made for (a seal for anything else never passes as one).
const ENTRY_PURPOSE: &str = "audit entry";

impl AuditEntry {
    /// The seal of a sealed entry: an HMAC with `key` over every field but `hash`, the seal's
    /// own label included, so moving an entry between keys or forms breaks it too.
    pub fn compute_seal(&self, key: &AuditKey) -> String {
        let canonical = serde_json::json!([
            self.id,
            self.recorded_at,
            self.user_local_id,
            self.user_name,
            self.user_role,
            self.organisation_ods,
            self.service_id,
            self.interaction,
            // The pseudonym, not the number: the number may be purged, and is checked against it.
            self.patient_ref,
            self.trace_id,
            self.request_id,
            self.outcome,
            self.prev_hash,
            self.appointment_id,
            self.covers,
            self.seal,
        ]);
        key.seal(ENTRY_PURPOSE, canonical.to_string().as_bytes())
    }

    /// SHA-256 (hex) over every field but `hash`. A JSON array keeps field boundaries
    /// unambiguous and tells a missing value (null) from an empty one. The appointment id came
    /// later: it is covered only when present, so every entry written before still verifies,
    /// and adding, changing or removing one afterwards breaks the hash all the same.
    pub fn compute_hash(&self) -> String {
        let mut canonical = serde_json::json!([
            self.id,
            self.recorded_at,
            self.user_local_id,
            self.user_name,
            self.user_role,
            self.organisation_ods,
            self.service_id,
            self.interaction,
            self.nhs_number,
            self.trace_id,
            self.request_id,
            self.outcome,
            self.prev_hash,
        ]);
        if let (Some(id), Some(fields)) = (&self.appointment_id, canonical.as_array_mut()) {
            fields.push(serde_json::Value::String(id.clone()));
        }
        let canonical = canonical.to_string();
        let digest = Sha256::digest(canonical.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// What `verify_audit` found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditReport {
    pub entries_checked: u64,
    pub intact: bool,
    /// The first entry found broken (changed, missing, or not linked to the one before).
    pub broken_entry: Option<i64>,
    pub problem: Option<String>,
    /// The fingerprint of the key the trail is sealed with, when this desk holds it.
    #[serde(default)]
    pub sealed_with: Option<String>,
    /// The newest entry the anchor outside the database names, when there is one.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub anchored_at: Option<i64>,
}

impl AuditReport {
    fn broken(entries_checked: u64, id: i64, problem: String) -> Self {
        Self {
            entries_checked,
            intact: false,
            broken_entry: Some(id),
            problem: Some(problem),
            sealed_with: None,
            anchored_at: None,
        }
    }

    /// Broken in the registry rows the trail vouches for, not in an entry of its own.
    fn broken_row(entries_checked: u64, problem: String) -> Self {
        Self {
            broken_entry: None,
            ..Self::broken(entries_checked, 0, problem)
        }
    }
}

/// An entry's columns are its fields, each stored as it is held.
impl Stored for AuditEntry {
    type Value = Self;
    fn into_value(self) -> Result<Self> {
        Ok(self)
    }
}

impl AuditEntry {
    /// A new entry for `record`, linked to `prev_hash`, recorded now (once appends are taking
    /// turns, so times follow ids), not yet numbered or sealed.
    fn unsealed(record: &AuditRecord, prev_hash: String) -> Self {
        Self {
            id: 0,
            recorded_at: Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true),
            user_local_id: record.user_local_id.clone(),
            user_name: record.user_name.clone(),
            user_role: record.user_role.clone(),
            organisation_ods: record.organisation_ods.clone(),
            service_id: record.service_id.clone(),
            interaction: record.interaction.clone(),
            nhs_number: record.nhs_number.clone(),
            trace_id: record.trace_id.clone(),
            request_id: record.request_id.clone(),
            outcome: record.outcome.clone(),
            prev_hash,
            hash: String::new(),
            appointment_id: record.appointment_id.clone(),
            seal: None,
            covers: record.covers.clone(),
            patient_ref: None,
        }
    }

    /// Sets `hash` once the id is known: sealed with `key`, or a plain hash without one.
    fn close(&mut self, key: Option<&AuditKey>) {
        match key {
            Some(key) => {
                self.seal = Some(key.label());
                self.patient_ref = self.nhs_number.as_deref().map(|n| key.patient_ref(n));
                self.hash = self.compute_seal(key);
            }
            None => self.hash = self.compute_hash(),
        }
    }
}

const LAST_HASH: &str = "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1";

/// Writes one entry with the id given (`$1`) or, with `$1` NULL (SQLite), the next one issued.
const INSERT_ENTRY: &str = "INSERT INTO audit_log (id, recorded_at, user_local_id, user_name,
        user_role, organisation_ods, service_id, interaction, nhs_number, trace_id, request_id,
        outcome, prev_hash, hash, appointment_id, seal, covers, patient_ref)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
     RETURNING id";

/// Binds an entry to `INSERT_ENTRY`, for either backend's query.
macro_rules! bind_entry {
    ($query:expr, $id:expr, $e:expr) => {
        $query
            .bind($id)
            .bind(&$e.recorded_at)
            .bind(&$e.user_local_id)
            .bind(&$e.user_name)
            .bind(&$e.user_role)
            .bind(&$e.organisation_ods)
            .bind(&$e.service_id)
            .bind(&$e.interaction)
            .bind(&$e.nhs_number)
            .bind(&$e.trace_id)
            .bind(&$e.request_id)
            .bind(&$e.outcome)
            .bind(&$e.prev_hash)
            .bind(&$e.hash)
            .bind(&$e.appointment_id)
            .bind(&$e.seal)
            .bind(&$e.covers)
            .bind(&$e.patient_ref)
    };
}

/// Appends `records` in order within the caller's SQLite transaction, which began with
/// `BEGIN IMMEDIATE` so that it holds the write lock (any process on the file) from before the
/// last hash is read. The id is part of what is hashed, so each row is inserted first and closed
/// once it has one.
pub(super) async fn append_sqlite(
    tx: &mut SqliteConnection,
    key: Option<&AuditKey>,
    records: &[AuditRecord],
) -> Result<Vec<AuditEntry>> {
    let mut entries = Vec::with_capacity(records.len());
    let mut prev_hash = last_hash(sqlx::query_scalar(LAST_HASH).fetch_optional(&mut *tx).await)?;
    for record in records {
        let mut entry = AuditEntry::unsealed(record, prev_hash);
        entry.id = bind_entry!(sqlx::query_scalar(INSERT_ENTRY), None::<i64>, entry)
            .fetch_one(&mut *tx)
            .await
            .map_err(store_error)?;
        entry.close(key);
        sqlx::query("UPDATE audit_log SET hash = $1, seal = $2, patient_ref = $3 WHERE id = $4")
            .bind(&entry.hash)
            .bind(&entry.seal)
            .bind(&entry.patient_ref)
            .bind(entry.id)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        prev_hash = entry.hash.clone();
        entries.push(entry);
    }
    Ok(entries)
}

/// Appends `records` in order within the caller's PostgreSQL transaction (READ COMMITTED, so
/// that the last hash, read after the wait below, is the one the previous append committed).
/// Taking the ids from `audit_head` row-locks it until commit: the other desks' appends wait
/// there. The ids are known before the inserts, so the rows are written closed.
pub(super) async fn append_postgres(
    tx: &mut PgConnection,
    key: Option<&AuditKey>,
    records: &[AuditRecord],
) -> Result<Vec<AuditEntry>> {
    let mut entries = Vec::with_capacity(records.len());
    let count = i64::try_from(records.len()).map_err(store_error)?;
    let last: i64 =
        sqlx::query_scalar("UPDATE audit_head SET last_id = last_id + $1 RETURNING last_id")
            .bind(count)
            .fetch_optional(&mut *tx)
            .await
            .map_err(store_error)?
            .ok_or_else(|| store_error("the audit trail's head row is missing"))?;
    let mut prev_hash = last_hash(sqlx::query_scalar(LAST_HASH).fetch_optional(&mut *tx).await)?;
    for (id, record) in (last - count + 1..).zip(records) {
        let mut entry = AuditEntry::unsealed(record, prev_hash);
        entry.id = id;
        entry.close(key);
        bind_entry!(sqlx::query(INSERT_ENTRY), entry.id, entry)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        prev_hash = entry.hash.clone();
        entries.push(entry);
    }
    Ok(entries)
}

/// The transaction start each backend's appends need (see `append_sqlite`, `append_postgres`).
pub(super) const SQLITE_BEGIN: &str = "BEGIN IMMEDIATE";
pub(super) const POSTGRES_BEGIN: &str = "BEGIN ISOLATION LEVEL READ COMMITTED";

/// Appends `records` in order in one transaction of their own, each linked to the one before.
async fn append_batch(
    db: &Db,
    key: Option<&AuditKey>,
    records: &[AuditRecord],
) -> Result<Vec<AuditEntry>> {
    let entries = match db {
        Db::Sqlite(pool) => {
            let mut tx = pool.begin_with(SQLITE_BEGIN).await.map_err(store_error)?;
            let entries = append_sqlite(&mut tx, key, records).await?;
            tx.commit().await.map_err(store_error)?;
            entries
        }
        Db::Postgres(pool) => {
            let mut tx = pool.begin_with(POSTGRES_BEGIN).await.map_err(store_error)?;
            let entries = append_postgres(&mut tx, key, records).await?;
            tx.commit().await.map_err(store_error)?;
            entries
        }
    };
    Ok(entries)
}

impl Store {
    /// Appends an entry linked to the last one, once it is committed. Appends take turns, across
    /// every desk sharing the registry, from before the last hash is read until commit, so the
    /// chain never forks; those arriving together on this desk share one transaction.
    pub async fn append_audit(&self, record: &AuditRecord) -> Result<AuditEntry> {
        let db = self.db.clone();
        let key = self.seal.as_ref().map(|s| s.key.clone());
        let entry = self
            .audit
            .submit(record.clone(), move |records| async move {
                append_batch(&db, key.as_ref(), &records).await
            })
            .await?;
        self.anchor_at(&entry);
        Ok(entry)
    }

    /// Moves the anchor outside the database to `entry`, once it is committed. A failure is
    /// logged and left: the entry stands, and verification reports an anchor left behind only
    /// if entries after it have gone.
    pub(crate) fn anchor_at(&self, entry: &AuditEntry) {
        let Some(seal) = &self.seal else { return };
        let to = Checkpoint {
            last_id: entry.id,
            hash: entry.hash.clone(),
        };
        if let Err(e) = seal.anchor.advance(&seal.key, &to) {
            tracing::error!(error = %e, "the audit anchor could not be moved on");
        }
    }

    /// How many audit transactions this store has begun.
    #[cfg(test)]
    pub(super) fn audit_batches(&self) -> u64 {
        self.audit.batches()
    }

    /// Every audit entry, oldest first.
    pub async fn audit_entries(&self) -> Result<Vec<AuditEntry>> {
        with_pool!(&self.db, pool => {
            sqlx::query_as("SELECT * FROM audit_log ORDER BY id")
                .fetch_all(pool)
                .await
                .map_err(store_error)
        })
    }

    /// The highest audit id ever issued, which deleting the newest entries does not lower:
    /// SQLite's AUTOINCREMENT keeps it in `sqlite_sequence`, PostgreSQL in `audit_head`.
    async fn audit_ids_issued(&self) -> Result<Option<i64>> {
        match &self.db {
            Db::Sqlite(pool) => {
                sqlx::query_scalar("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'")
                    .fetch_optional(pool)
                    .await
            }
            Db::Postgres(pool) => {
                sqlx::query_scalar("SELECT last_id FROM audit_head")
                    .fetch_optional(pool)
                    .await
            }
        }
        .map_err(store_error)
    }

    /// Walks the chain from the first entry and reports the first thing that does not hold: an
    /// entry changed, missing or not linked to the one before; an entry sealed with another key
    /// or left unsealed after sealing began; the anchor outside the database naming an entry that
    /// is not there; a booking event changed, deleted, or recorded outside the desk.
    pub async fn verify_audit(&self) -> Result<AuditReport> {
        let entries = self.audit_entries().await?;
        let key = self.seal.as_ref().map(|s| &s.key);
        let mut checked = 0u64;
        let mut expected_prev = GENESIS_HASH.to_string();
        let mut last_id = 0i64;
        let mut sealed_from: Option<i64> = None;
        let mut covers = Vec::new();
        let purged_legacy = super::purge::purged_legacy_entries(&entries);
        for e in &entries {
            if e.id != last_id + 1 {
                let missing = last_id + 1;
                return Ok(AuditReport::broken(
                    checked,
                    missing,
                    format!("entry {missing} is missing (gap in ids)"),
                ));
            }
            checked += 1;
            let purged = purged_legacy.get(&e.id).map(String::as_str);
            if let Some(problem) = entry_problem(e, key, sealed_from.is_some(), purged) {
                return Ok(AuditReport::broken(checked, e.id, problem));
            }
            if e.prev_hash != expected_prev {
                return Ok(AuditReport::broken(
                    checked,
                    e.id,
                    format!("chain broken before {}", e.id),
                ));
            }
            if e.seal.is_some() {
                sealed_from.get_or_insert(e.id);
            }
            if let Some(c) = &e.covers {
                covers.push((e.id, c.clone()));
            }
            expected_prev = e.hash.clone();
            last_id = e.id;
        }
        // Deleting the newest entries leaves no gap among the rest, but the ids issued show it.
        if let Some(issued) = self.audit_ids_issued().await?
            && issued > last_id
        {
            let missing = last_id + 1;
            return Ok(AuditReport::broken(
                checked,
                missing,
                format!("entry {missing} is missing (gap in ids)"),
            ));
        }
        let mut anchored_at = None;
        if let Some(seal) = &self.seal {
            match seal.anchor.read(&seal.key) {
                AnchorRead::Found(at) => {
                    if let Some(problem) = anchor_problem(&entries, &at) {
                        return Ok(AuditReport::broken(
                            checked,
                            at.last_id.min(last_id + 1),
                            problem,
                        ));
                    }
                    anchored_at = Some(at.last_id);
                }
                AnchorRead::Altered => {
                    return Ok(AuditReport::broken_row(
                        checked,
                        format!(
                            "the anchor outside the registry ({}) was altered",
                            seal.anchor.path().display()
                        ),
                    ));
                }
                AnchorRead::Missing if sealed_from.is_some() => {
                    return Ok(AuditReport::broken_row(
                        checked,
                        format!(
                            "the anchor outside the registry ({}) is missing",
                            seal.anchor.path().display()
                        ),
                    ));
                }
                AnchorRead::Missing => {}
            }
            let horizon = chrono::Utc::now() - seal.keep_patient_details;
            if let Some((id, problem)) = entries.iter().find_map(|e| purged_too_soon(e, horizon)) {
                return Ok(AuditReport::broken(checked, id, problem));
            }
            if let Some(problem) = self
                .covered_rows_problem(&seal.key, &covers, horizon)
                .await?
            {
                return Ok(AuditReport::broken_row(checked, problem));
            }
            // What verified is now anchored too (other desks' appends on a shared registry).
            if let Some(newest) = entries.last() {
                self.anchor_at(newest);
                anchored_at = anchored_at.max(Some(newest.id));
            }
        } else if sealed_from.is_some() {
            return Ok(AuditReport::broken_row(
                checked,
                "the trail is sealed and this desk has no audit key to check it with".into(),
            ));
        }
        Ok(AuditReport {
            entries_checked: checked,
            intact: true,
            broken_entry: None,
            problem: None,
            sealed_with: key.map(AuditKey::fingerprint),
            anchored_at,
        })
    }
}

/// A sealed entry whose NHS number was removed before the retention period ended.
fn purged_too_soon(
    e: &AuditEntry,
    horizon: chrono::DateTime<chrono::Utc>,
) -> Option<(i64, String)> {
    let purged = e.seal.is_some() && e.nhs_number.is_none() && e.patient_ref.is_some();
    let old = super::window::parse_instant(&e.recorded_at).is_ok_and(|at| at < horizon);
    (purged && !old).then(|| {
        (
            e.id,
            format!(
                "entry {} lost its NHS number before the retention period ended",
                e.id
            ),
        )
    })
}

/// What is wrong with one entry on its own, if anything. `purged`: a sealed purge entry says
/// this entry from before the key had its NHS number removed (its plain hash covered it), and
/// gives the hash it had without it.
fn entry_problem(
    e: &AuditEntry,
    key: Option<&AuditKey>,
    after_sealed: bool,
    purged: Option<&str>,
) -> Option<String> {
    match (&e.seal, key) {
        // Entries from before the key: a plain hash, which covers no registry row.
        (None, _) if after_sealed => Some(format!(
            "entry {} is not sealed, after sealed entries (written without the audit key)",
            e.id
        )),
        (None, _) if purged.is_some() && e.nhs_number.is_none() && e.covers.is_none() => (purged
            != Some(e.compute_hash().as_str()))
        .then(|| format!("entry {} was changed", e.id)),
        (None, _) if e.covers.is_some() || e.compute_hash() != e.hash => {
            Some(format!("entry {} was changed", e.id))
        }
        (None, _) => None,
        // Checked once the whole chain has been walked: the caller says so when there is no key.
        (Some(_), None) => None,
        (Some(label), Some(key)) if *label != key.label() => Some(format!(
            "entry {} was sealed with another key ({label}), not this desk's ({})",
            e.id,
            key.label()
        )),
        (Some(_), Some(key)) if e.compute_seal(key) != e.hash => {
            Some(format!("entry {} was changed", e.id))
        }
        // The seal covers the pseudonym; the number, while it is kept, must be the one it names.
        (Some(_), Some(key))
            if e.nhs_number
                .as_deref()
                .is_some_and(|n| e.patient_ref.as_deref() != Some(key.patient_ref(n).as_str())) =>
        {
            Some(format!("entry {} was changed", e.id))
        }
        (Some(_), Some(_)) => None,
    }
}

/// Whether the chain still holds the entry the anchor names, as it was.
fn anchor_problem(entries: &[AuditEntry], at: &Checkpoint) -> Option<String> {
    match entries.iter().find(|e| e.id == at.last_id) {
        _ if at.last_id == 0 => None,
        Some(e) if e.hash == at.hash => None,
        Some(e) => Some(format!(
            "entry {} is not the one anchored outside the registry (the trail was rewritten)",
            e.id
        )),
        None => Some(format!(
            "entries up to {} are missing: the anchor outside the registry names entry {}",
            at.last_id, at.last_id
        )),
    }
}

/// The hash the next entry links to: the newest entry's, or the genesis hash for the first.
fn last_hash(found: std::result::Result<Option<String>, sqlx::Error>) -> Result<String> {
    Ok(found
        .map_err(store_error)?
        .unwrap_or_else(|| GENESIS_HASH.to_string()))
}
