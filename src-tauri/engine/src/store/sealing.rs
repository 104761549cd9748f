//! The registry's side of the sealed audit trail: which key it is sealed with, and the booking
//! events the trail vouches for. Each booking event is recorded in one transaction with an audit
//! entry naming the event and its digest, so an event changed, deleted or added outside the desk
//! no longer matches what a sealed entry says.

use chrono::{SecondsFormat, Utc};
use sha2::{Digest, Sha256};

use super::Store;
use super::audit::{self, AuditRecord};
use super::db::{Stored, store_error, with_pool};
use super::registry::{BookingEvent, EventRow};
use super::seal::{AuditKey, AuditSeal};
use crate::error::Result;

/// What a registration's seal is made for.
const REGISTRATION_PURPOSE: &str = "audit key registration";
/// The interaction an entry vouching for a booking event names.
pub const RECORDED_EVENT: &str = "booking-desk:registry:booking-event";

/// The key a registry's trail is sealed with, as the registry names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRegistration {
    pub fingerprint: String,
    /// Booking events up to this id were recorded before sealing began.
    pub events_before: i64,
    registered_at: String,
    seal: String,
}

impl KeyRegistration {
    fn message(&self) -> Vec<u8> {
        format!(
            "{}\n{}\n{}",
            self.fingerprint, self.events_before, self.registered_at
        )
        .into_bytes()
    }

    fn holds_for(&self, key: &AuditKey) -> bool {
        self.fingerprint == key.fingerprint()
            && key.seal(REGISTRATION_PURPOSE, &self.message()) == self.seal
    }
}

/// The digest an audit entry keeps of a booking event: SHA-256 over the event as the registry
/// reads it back. A column added to events later must be left out of this form (or added only
/// when present), as `AuditEntry::compute_hash` does with the appointment id, or every event
/// recorded before it stops matching.
fn event_digest(e: &BookingEvent) -> String {
    // Without the NHS number, which is purged after the retention period: the pseudonym stands
    // for it in the digest, and the number, while kept, is checked against the pseudonym.
    let form = serde_json::to_string(&BookingEvent {
        nhs_number: None,
        ..e.clone()
    })
    .unwrap_or_default();
    Sha256::digest(form.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn covers(e: &BookingEvent) -> String {
    format!("booking_events:{}:{}", e.id, event_digest(e))
}

fn parse_covers(text: &str) -> Option<(i64, &str)> {
    let rest = text.strip_prefix("booking_events:")?;
    let (id, digest) = rest.split_once(':')?;
    Some((id.parse().ok()?, digest))
}

/// What is wrong with an event's patient, if anything: a kept NHS number must be the one its
/// pseudonym names, and a number may be gone only once the retention period has passed.
fn patient_problem(
    key: &AuditKey,
    e: &BookingEvent,
    horizon: chrono::DateTime<Utc>,
) -> Option<String> {
    match (&e.nhs_number, &e.patient_ref) {
        (Some(n), r) if r.as_deref() != Some(key.patient_ref(n).as_str()) => {
            Some(format!("booking event {} was changed", e.id))
        }
        (None, Some(_)) if e.recorded_at >= horizon => Some(format!(
            "booking event {} lost its NHS number before the retention period ended",
            e.id
        )),
        _ => None,
    }
}

/// The audit entry vouching for `e`, as recorded.
pub(super) fn cover_record(e: &BookingEvent) -> AuditRecord {
    let outcome = format!("recorded {}", crate::wire::wire_name(e.outcome));
    AuditRecord {
        user_local_id: e.user_local_id.clone(),
        user_name: e.user_name.clone(),
        user_role: e.user_role.clone(),
        organisation_ods: e.organisation_ods.clone(),
        service_id: e.service_id.clone(),
        interaction: RECORDED_EVENT.into(),
        nhs_number: e.nhs_number.clone(),
        trace_id: e.trace_id.clone().unwrap_or_default(),
        request_id: e.request_id.clone(),
        outcome,
        appointment_id: e.appointment_id.clone(),
        covers: Some(covers(e)),
    }
}

/// Inserts a booking event (`$insert`, a query returning the new id or none on a repeated
/// request id) and, when the store is sealed, the audit entry vouching for it, in one
/// transaction of the backend's `$begin` kind, appending with `$append`.
macro_rules! record_sealed {
    ($pool:expr, $begin:expr, $append:path, $insert:expr, $key:expr) => {{
        let mut tx = $pool.begin_with($begin).await.map_err(store_error)?;
        let id: Option<i64> = $insert
            .fetch_optional(&mut *tx)
            .await
            .map_err(store_error)?;
        let mut entry = None;
        if let (Some(id), Some(key)) = (id, $key) {
            let row: $crate::store::registry::EventRow =
                sqlx::query_as("SELECT * FROM booking_events WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(store_error)?;
            let stored = $crate::store::db::Stored::into_value(row)?;
            entry = $append(
                &mut tx,
                Some(key),
                &[$crate::store::sealing::cover_record(&stored)],
            )
            .await?
            .pop();
        }
        tx.commit().await.map_err(store_error)?;
        (id, entry)
    }};
}
pub(super) use record_sealed;

impl Store {
    /// The same store, sealing every audit entry with `seal.key` and anchoring the newest at
    /// `seal.anchor`. The key must be the one registered (see [`Store::register_audit_key`]).
    pub fn with_audit_seal(mut self, seal: AuditSeal) -> Self {
        self.seal = Some(std::sync::Arc::new(seal));
        self
    }

    /// The key's registration, if the registry has one.
    pub async fn audit_key_registration(&self) -> Result<Option<KeyRegistration>> {
        let row: Option<(String, i64, String, String)> = with_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT fingerprint, events_before, registered_at, seal FROM audit_key",
            )
            .fetch_optional(pool)
            .await
        })
        .map_err(store_error)?;
        Ok(row.map(
            |(fingerprint, events_before, registered_at, seal)| KeyRegistration {
                fingerprint,
                events_before,
                registered_at,
                seal,
            },
        ))
    }

    /// Registers `key` as the one this registry's trail is sealed with, unless one already is:
    /// returns the registration that stands (another desk's, when it was first).
    pub async fn register_audit_key(&self, key: &AuditKey) -> Result<KeyRegistration> {
        let events_before: Option<i64> = with_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT MAX(id) FROM booking_events")
                .fetch_one(pool)
                .await
        })
        .map_err(store_error)?;
        let mut fresh = KeyRegistration {
            fingerprint: key.fingerprint(),
            events_before: events_before.unwrap_or(0),
            registered_at: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
            seal: String::new(),
        };
        fresh.seal = key.seal(REGISTRATION_PURPOSE, &fresh.message());
        // Events recorded between reading the newest id and this insert would be left uncovered
        // and reported: a desk registers its key when it opens, before it records anything.
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO audit_key (single, fingerprint, events_before, registered_at, seal)
                 VALUES (TRUE, $1, $2, $3, $4) ON CONFLICT (single) DO NOTHING",
            )
            .bind(&fresh.fingerprint)
            .bind(fresh.events_before)
            .bind(&fresh.registered_at)
            .bind(&fresh.seal)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .map_err(store_error)?;
        self.audit_key_registration()
            .await?
            .ok_or_else(|| store_error("the audit key's registration is missing"))
    }

    /// The key audit entries are sealed with, when the store has one.
    pub(super) fn seal_key(&self) -> Option<&AuditKey> {
        self.seal.as_ref().map(|s| &s.key)
    }

    /// What is wrong with the booking events the trail vouches for, if anything: each event a
    /// sealed entry names must be there as it was, and every event recorded since sealing began
    /// must be named by one.
    pub(super) async fn covered_rows_problem(
        &self,
        key: &AuditKey,
        entry_covers: &[(i64, String)],
        horizon: chrono::DateTime<Utc>,
    ) -> Result<Option<String>> {
        let registration = self.audit_key_registration().await?;
        let events_before = match &registration {
            Some(r) if r.holds_for(key) => r.events_before,
            Some(_) => {
                return Ok(Some(
                    "the registry's record of its audit key was altered".into(),
                ));
            }
            None if entry_covers.is_empty() => return Ok(None),
            None => {
                return Ok(Some(
                    "the registry's record of its audit key is missing".into(),
                ));
            }
        };
        let rows = self.event_rows().await?;
        let mut digests = std::collections::BTreeMap::new();
        for (id, event) in &rows {
            digests.insert(*id, event.as_ref().map(event_digest));
        }
        let mut named = std::collections::BTreeSet::new();
        for (entry_id, text) in entry_covers {
            if text.starts_with(super::purge::PURGED_PREFIX) {
                continue;
            }
            let Some((event_id, digest)) = parse_covers(text) else {
                return Ok(Some(format!("entry {entry_id} names no booking event")));
            };
            named.insert(event_id);
            match digests.get(&event_id) {
                None => return Ok(Some(format!("booking event {event_id} was deleted"))),
                Some(Ok(d)) if d.as_str() == digest => {}
                Some(_) => return Ok(Some(format!("booking event {event_id} was changed"))),
            }
        }
        if let Some(id) = digests
            .keys()
            .find(|id| **id > events_before && !named.contains(id))
        {
            return Ok(Some(format!(
                "booking event {id} was recorded outside the desk (no audit entry vouches for it)"
            )));
        }
        Ok(rows
            .iter()
            .filter(|(id, _)| named.contains(id))
            .find_map(|(_, e)| patient_problem(key, e.as_ref().ok()?, horizon)))
    }

    /// Every booking event by id, or why it cannot be read.
    async fn event_rows(&self) -> Result<Vec<(i64, std::result::Result<BookingEvent, ()>)>> {
        use sqlx::{FromRow, Row};
        with_pool!(&self.db, pool => {
            sqlx::query("SELECT * FROM booking_events ORDER BY id")
                .fetch_all(pool)
                .await
                .map_err(store_error)?
                .iter()
                .map(|r| {
                    // Read row by row, so one unreadable event is named rather than failing all.
                    let event = EventRow::from_row(r).map_err(store_error).and_then(Stored::into_value);
                    Ok((r.try_get("id").map_err(store_error)?, event.map_err(|_| ())))
                })
                .collect()
        })
    }
}

pub(super) use audit::{POSTGRES_BEGIN, SQLITE_BEGIN, append_postgres, append_sqlite};
