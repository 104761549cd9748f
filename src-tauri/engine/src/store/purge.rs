//! Patient identifiers are kept in the registry only for the configured period (30 days unless
//! the configuration says otherwise): after it, NHS numbers go from booking events and audit
//! entries, and the clinical handovers kept for re-sending go whole. What reports count stays:
//! each event and entry, its outcome, service, desk and time, and the patient's pseudonym, by
//! which a cancellation and a rebooking of one patient are still matched.
//!
//! The purge is itself a sealed audit entry, written in the same transaction. A sealed entry's
//! seal covers the pseudonym, not the number, so it still holds; an entry from before the key
//! (whose plain hash covered the number) is named by the purge entry, which vouches for it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Store;
use super::audit::{
    AuditEntry, AuditRecord, POSTGRES_BEGIN, SQLITE_BEGIN, append_postgres, append_sqlite,
};
use super::db::{Db, store_error};
use super::seal::AuditKey;
use super::window::parse_instant;
use crate::error::Result;

/// The `covers` of a purge entry, before the ids of the unsealed entries it vouches for.
pub(super) const PURGED_PREFIX: &str = "purged:audit_log:";
/// The interaction a purge entry names.
pub const PURGE: &str = "booking-desk:registry:purge";

/// What one purge removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Purged {
    pub events: u64,
    pub audit_entries: u64,
    pub handovers: u64,
}

impl Purged {
    fn any(&self) -> bool {
        self.events + self.audit_entries + self.handovers > 0
    }
}

/// The unsealed entries purge entries vouch for, each with its hash as purged (the plain hash
/// recomputed without the NHS number), so a later change to one is still found.
pub(super) fn purged_legacy_entries(entries: &[AuditEntry]) -> BTreeMap<i64, String> {
    entries
        .iter()
        .filter(|e| e.seal.is_some())
        .filter_map(|e| e.covers.as_deref()?.strip_prefix(PURGED_PREFIX))
        .flat_map(|list| list.split(','))
        .filter_map(|item| {
            let (id, hash) = item.split_once('=')?;
            Some((id.parse().ok()?, hash.to_string()))
        })
        .collect()
}

/// Ids of rows recorded before `before`, from (id, recorded_at) pairs.
fn older(rows: Vec<(i64, String)>, before: DateTime<Utc>) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for (id, at) in rows {
        if parse_instant(&at)? < before {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Runs the purge in the caller's transaction `$tx`, appending the purge entry with `$append`.
macro_rules! purge_in {
    ($tx:ident, $append:path, $key:expr, $before:expr) => {{
        let mut purged = Purged::default();
        let events: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, recorded_at, nhs_number FROM booking_events WHERE nhs_number IS NOT NULL",
        )
        .fetch_all(&mut *$tx)
        .await
        .map_err(store_error)?;
        for (id, at, nhs) in events {
            if parse_instant(&at)? >= $before {
                continue;
            }
            // Events from before the key get their pseudonym now, so reports still match them.
            sqlx::query(
                "UPDATE booking_events SET nhs_number = NULL,
                    patient_ref = COALESCE(patient_ref, $1) WHERE id = $2",
            )
            .bind($key.patient_ref(&nhs))
            .bind(id)
            .execute(&mut *$tx)
            .await
            .map_err(store_error)?;
            purged.events += 1;
        }
        let entries: Vec<AuditEntry> =
            sqlx::query_as("SELECT * FROM audit_log WHERE nhs_number IS NOT NULL")
                .fetch_all(&mut *$tx)
                .await
                .map_err(store_error)?;
        let mut unsealed = Vec::new();
        for mut e in entries {
            if parse_instant(&e.recorded_at)? >= $before {
                continue;
            }
            sqlx::query("UPDATE audit_log SET nhs_number = NULL WHERE id = $1")
                .bind(e.id)
                .execute(&mut *$tx)
                .await
                .map_err(store_error)?;
            purged.audit_entries += 1;
            if e.seal.is_none() {
                e.nhs_number = None;
                unsealed.push(format!("{}={}", e.id, e.compute_hash()));
            }
        }
        let handovers: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, recorded_at FROM clinical_handovers")
                .fetch_all(&mut *$tx)
                .await
                .map_err(store_error)?;
        for id in older(handovers, $before)? {
            sqlx::query("DELETE FROM clinical_handovers WHERE id = $1")
                .bind(id)
                .execute(&mut *$tx)
                .await
                .map_err(store_error)?;
            purged.handovers += 1;
        }
        if purged.any() {
            let record = purge_record(&purged, &unsealed);
            $append(&mut *$tx, Some($key), &[record]).await?;
        }
        purged
    }};
}

fn purge_record(purged: &Purged, unsealed: &[String]) -> AuditRecord {
    AuditRecord {
        user_local_id: "booking-desk".into(),
        user_name: "Booking Desk".into(),
        user_role: "system".into(),
        organisation_ods: String::new(),
        service_id: String::new(),
        interaction: PURGE.into(),
        nhs_number: None,
        trace_id: String::new(),
        request_id: None,
        outcome: format!(
            "purged patient details: {} booking events, {} audit entries, {} clinical handovers",
            purged.events, purged.audit_entries, purged.handovers
        ),
        appointment_id: None,
        covers: (!unsealed.is_empty()).then(|| format!("{PURGED_PREFIX}{}", unsealed.join(","))),
    }
}

impl Store {
    /// Removes patient identifiers recorded before `before`, in one transaction with the sealed
    /// entry that says so. Only a sealed store purges: the seal is what lets what remains be
    /// checked without them.
    pub async fn purge_patient_details(&self, before: DateTime<Utc>) -> Result<Purged> {
        let Some(key) = self.seal_key().cloned() else {
            return Ok(Purged::default());
        };
        let key: &AuditKey = &key;
        let purged = match &self.db {
            Db::Sqlite(pool) => {
                let mut tx = pool.begin_with(SQLITE_BEGIN).await.map_err(store_error)?;
                let purged = purge_in!(tx, append_sqlite, key, before);
                tx.commit().await.map_err(store_error)?;
                purged
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin_with(POSTGRES_BEGIN).await.map_err(store_error)?;
                let purged = purge_in!(tx, append_postgres, key, before);
                tx.commit().await.map_err(store_error)?;
                purged
            }
        };
        if purged.any()
            && let Some(newest) = self.audit_entries().await?.last()
        {
            self.anchor_at(newest);
        }
        Ok(purged)
    }
}
