//! The audit trail: one row per provider interaction, hash-chained so that a row changed or
//! deleted after the fact is detected.

use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{Store, store_error};
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
}

/// One entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditEntry {
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
}

impl AuditEntry {
    /// SHA-256 (hex) over every field but `hash`. A JSON array keeps field boundaries
    /// unambiguous and tells a missing value (null) from an empty one.
    pub fn compute_hash(&self) -> String {
        let canonical = serde_json::json!([
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
        ])
        .to_string();
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
}

impl AuditReport {
    fn broken(entries_checked: u64, id: i64, problem: String) -> Self {
        Self {
            entries_checked,
            intact: false,
            broken_entry: Some(id),
            problem: Some(problem),
        }
    }
}

fn entry_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<AuditEntry> {
    let get = |name: &str| -> Result<String> { r.try_get::<String, _>(name).map_err(store_error) };
    let opt = |name: &str| -> Result<Option<String>> {
        r.try_get::<Option<String>, _>(name).map_err(store_error)
    };
    Ok(AuditEntry {
        id: r.try_get("id").map_err(store_error)?,
        recorded_at: get("recorded_at")?,
        user_local_id: get("user_local_id")?,
        user_name: get("user_name")?,
        user_role: get("user_role")?,
        organisation_ods: get("organisation_ods")?,
        service_id: get("service_id")?,
        interaction: get("interaction")?,
        nhs_number: opt("nhs_number")?,
        trace_id: get("trace_id")?,
        request_id: opt("request_id")?,
        outcome: get("outcome")?,
        prev_hash: get("prev_hash")?,
        hash: get("hash")?,
    })
}

impl Store {
    /// Appends an entry linked to the last one. `BEGIN IMMEDIATE` takes SQLite's write lock
    /// before the last hash is read, so concurrent appends (any process) can never fork the chain.
    pub async fn append_audit(&self, record: &AuditRecord) -> Result<AuditEntry> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(store_error)?;
        let prev_hash: String =
            sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await
                .map_err(store_error)?
                .unwrap_or_else(|| GENESIS_HASH.to_string());
        let mut entry = AuditEntry {
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
        };
        // The id is part of the hash, so the row is inserted first and sealed once it has one.
        entry.id = sqlx::query_scalar(
            "INSERT INTO audit_log (recorded_at, user_local_id, user_name, user_role,
                organisation_ods, service_id, interaction, nhs_number, trace_id, request_id,
                outcome, prev_hash, hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '') RETURNING id",
        )
        .bind(&entry.recorded_at)
        .bind(&entry.user_local_id)
        .bind(&entry.user_name)
        .bind(&entry.user_role)
        .bind(&entry.organisation_ods)
        .bind(&entry.service_id)
        .bind(&entry.interaction)
        .bind(&entry.nhs_number)
        .bind(&entry.trace_id)
        .bind(&entry.request_id)
        .bind(&entry.outcome)
        .bind(&entry.prev_hash)
        .fetch_one(&mut *tx)
        .await
        .map_err(store_error)?;
        entry.hash = entry.compute_hash();
        sqlx::query("UPDATE audit_log SET hash = ? WHERE id = ?")
            .bind(&entry.hash)
            .bind(entry.id)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        tx.commit().await.map_err(store_error)?;
        Ok(entry)
    }

    /// Every audit entry, oldest first.
    pub async fn audit_entries(&self) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query("SELECT * FROM audit_log ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.iter().map(entry_from_row).collect()
    }

    /// Walks the chain from the first entry and reports the first one that does not hold.
    pub async fn verify_audit(&self) -> Result<AuditReport> {
        let entries = self.audit_entries().await?;
        let mut checked = 0u64;
        let mut expected_prev = GENESIS_HASH.to_string();
        let mut last_id = 0i64;
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
            if e.compute_hash() != e.hash {
                return Ok(AuditReport::broken(
                    checked,
                    e.id,
                    format!("entry {} was changed", e.id),
                ));
            }
            if e.prev_hash != expected_prev {
                return Ok(AuditReport::broken(
                    checked,
                    e.id,
                    format!("chain broken before {}", e.id),
                ));
            }
            expected_prev = e.hash.clone();
            last_id = e.id;
        }
        // AUTOINCREMENT remembers the highest id ever issued, so deleting the newest entries
        // shows up too.
        let issued: Option<i64> =
            sqlx::query_scalar("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'")
                .fetch_optional(&self.pool)
                .await
                .map_err(store_error)?;
        if let Some(issued) = issued
            && issued > last_id
        {
            let missing = last_id + 1;
            return Ok(AuditReport::broken(
                checked,
                missing,
                format!("entry {missing} is missing (gap in ids)"),
            ));
        }
        Ok(AuditReport {
            entries_checked: checked,
            intact: true,
            broken_entry: None,
            problem: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: usize) -> AuditRecord {
        AuditRecord {
            user_local_id: "u1".into(),
            user_name: "Ada Lovelace".into(),
            user_role: "call-handler".into(),
            organisation_ods: "A12345".into(),
            service_id: "gp-1".into(),
            interaction: format!("urn:nhs:names:services:gpconnect:fhir:test-{n}"),
            nhs_number: n.is_multiple_of(2).then(|| "9434765919".to_string()),
            trace_id: format!("trace-{n}"),
            request_id: None,
            outcome: "http 200".into(),
        }
    }

    async fn store_with(n: usize) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("audit.sqlite");
        let store = Store::open(&path.to_string_lossy()).await.expect("opens");
        for i in 1..=n {
            store.append_audit(&record(i)).await.expect("appends");
        }
        (dir, store)
    }

    #[tokio::test]
    async fn an_untouched_chain_verifies() {
        let (_dir, store) = store_with(3).await;
        let entries = store.audit_entries().await.expect("entries");
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].prev_hash, GENESIS_HASH);
        assert_eq!(entries[1].prev_hash, entries[0].hash);
        assert_eq!(entries[2].prev_hash, entries[1].hash);
        assert_eq!(entries[1].nhs_number.as_deref(), Some("9434765919"));
        let report = store.verify_audit().await.expect("verifies");
        assert!(report.intact, "{report:?}");
        assert_eq!(report.entries_checked, 3);
        assert_eq!(report.broken_entry, None);
    }

    #[tokio::test]
    async fn an_empty_trail_verifies() {
        let (_dir, store) = store_with(0).await;
        let report = store.verify_audit().await.expect("verifies");
        assert!(report.intact);
        assert_eq!(report.entries_checked, 0);
    }

    #[tokio::test]
    async fn an_edited_entry_is_named() {
        let (_dir, store) = store_with(3).await;
        sqlx::query("UPDATE audit_log SET outcome = 'http 500' WHERE id = 2")
            .execute(&store.pool)
            .await
            .expect("tampers");
        let report = store.verify_audit().await.expect("verifies");
        assert!(!report.intact);
        assert_eq!(report.broken_entry, Some(2));
        assert_eq!(report.problem.as_deref(), Some("entry 2 was changed"));
    }

    #[tokio::test]
    async fn a_resealed_entry_breaks_the_link_to_the_next() {
        let (_dir, store) = store_with(3).await;
        let mut e = store.audit_entries().await.expect("entries")[1].clone();
        e.user_name = "Someone Else".into();
        e.hash = e.compute_hash();
        sqlx::query("UPDATE audit_log SET user_name = ?, hash = ? WHERE id = 2")
            .bind(&e.user_name)
            .bind(&e.hash)
            .execute(&store.pool)
            .await
            .expect("tampers");
        let report = store.verify_audit().await.expect("verifies");
        assert_eq!(report.broken_entry, Some(3));
        assert_eq!(report.problem.as_deref(), Some("chain broken before 3"));
    }

    #[tokio::test]
    async fn a_deleted_entry_is_reported_as_a_gap() {
        let (_dir, store) = store_with(3).await;
        sqlx::query("DELETE FROM audit_log WHERE id = 2")
            .execute(&store.pool)
            .await
            .expect("tampers");
        let report = store.verify_audit().await.expect("verifies");
        assert!(!report.intact);
        assert_eq!(report.broken_entry, Some(2));
        assert_eq!(
            report.problem.as_deref(),
            Some("entry 2 is missing (gap in ids)")
        );
        assert_eq!(report.entries_checked, 1);
    }

    #[tokio::test]
    async fn deleting_the_newest_entry_is_reported() {
        let (_dir, store) = store_with(3).await;
        sqlx::query("DELETE FROM audit_log WHERE id = 3")
            .execute(&store.pool)
            .await
            .expect("tampers");
        let report = store.verify_audit().await.expect("verifies");
        assert_eq!(report.broken_entry, Some(3));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_appends_keep_one_chain() {
        let (_dir, store) = store_with(0).await;
        let tasks: Vec<_> = (1..=20)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move { store.append_audit(&record(i)).await })
            })
            .collect();
        for t in tasks {
            t.await.expect("joins").expect("appends");
        }
        let entries = store.audit_entries().await.expect("entries");
        assert_eq!(entries.len(), 20);
        for pair in entries.windows(2) {
            assert_eq!(pair[1].prev_hash, pair[0].hash, "one unbroken chain");
        }
        let report = store.verify_audit().await.expect("verifies");
        assert!(report.intact, "{report:?}");
        assert_eq!(report.entries_checked, 20);
    }
}
