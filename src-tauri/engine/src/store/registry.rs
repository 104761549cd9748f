//! Booking events: every book, amend and cancel attempt as recorded, and what the desk reads back
//! from them (its bookings, a cancellation's reason, a patient's appointments).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Store;
use super::db::{Db, Stored, fetch_rows, store_error, with_pool};
use super::sealing::{POSTGRES_BEGIN, SQLITE_BEGIN, append_postgres, append_sqlite, record_sealed};
use super::window::parse_instant;
use crate::error::Result;
use crate::views::AppointmentStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Book,
    Amend,
    Cancel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Succeeded,
    Failed,
    /// The request got no answer and the check could not settle it.
    Unknown,
}

use crate::wire::{from_wire_name, wire_name as text};

/// One attempt, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BookingEvent {
    /// A plain number to the screens: registry ids stay far below 2^53.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub recorded_at: DateTime<Utc>,
    pub action: Action,
    pub outcome: Outcome,
    pub user_local_id: String,
    pub user_name: String,
    pub user_role: String,
    pub organisation_ods: String,
    pub service_id: String,
    pub slot_ids: Vec<String>,
    pub appointment_id: Option<String>,
    pub appointment_version: Option<String>,
    pub appointment_status: Option<AppointmentStatus>,
    pub appointment_start: Option<String>,
    pub appointment_end: Option<String>,
    pub nhs_number: Option<String>,
    pub trace_id: Option<String>,
    pub request_id: Option<String>,
    pub error_kind: Option<String>,
    pub error_message: Option<String>,
    /// Why it was cancelled, as the user gave it.
    pub reason: Option<String>,
    /// The clinician who approved a booking later than the triage timeframe, and why.
    pub approved_by: Option<String>,
    pub approval_reason: Option<String>,
    /// The desk it was made at (the configured desk name, else the machine's host name).
    #[serde(default)]
    pub desk: String,
    /// The slot booked started later than the triage timeframe allowed.
    #[serde(default)]
    pub outside_timeframe: bool,
    /// The patient's pseudonym (an HMAC of the NHS number with the audit key), set by a sealed
    /// registry and kept after the NHS number is purged, so reports still match one patient.
    #[serde(default)]
    pub patient_ref: Option<String>,
    /// The event whose outcome this one settles: a booking first recorded as unknown (or
    /// failed), later found made or not. Left out of the written form when there is none, so
    /// the digests of events sealed before this field existed still hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub settles: Option<i64>,
}

impl BookingEvent {
    /// Who the event is about, as far as reports need to tell patients apart: the pseudonym
    /// where there is one (it outlives the number), else the NHS number.
    pub fn patient_key(&self) -> Option<&str> {
        self.patient_ref.as_deref().or(self.nhs_number.as_deref())
    }
}

/// One appointment the desk made, as its latest recorded event leaves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BookingSummary {
    pub service_id: String,
    pub appointment_id: String,
    pub version: Option<String>,
    pub status: Option<AppointmentStatus>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub nhs_number: Option<String>,
    pub booked_by: String,
    /// The desk it was booked at.
    pub desk: String,
    pub booked_at: DateTime<Utc>,
    pub last_action: Action,
    pub last_changed_at: DateTime<Utc>,
}

/// The columns a booking event is written with, in bind order.
const INSERT_EVENT: &str = "INSERT INTO booking_events (recorded_at, action, outcome,
        user_local_id, user_name, user_role, organisation_ods, service_id, slot_ids,
        appointment_id, appointment_version, appointment_status, appointment_start,
        appointment_end, nhs_number, trace_id, request_id, error_kind, error_message, reason,
        approved_by, approval_reason, desk, outside_timeframe, patient_ref, settles)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
        $19, $20, $21, $22, $23, $24, $25, $26)
     ON CONFLICT (request_id) WHERE request_id IS NOT NULL DO NOTHING
     RETURNING id";

/// Binds a booking event to `INSERT_EVENT`, for either backend's query.
macro_rules! bind_event {
    ($query:expr, $e:expr) => {
        $query
            .bind($e.recorded_at.to_rfc3339())
            .bind(text($e.action))
            .bind(text($e.outcome))
            .bind(&$e.user_local_id)
            .bind(&$e.user_name)
            .bind(&$e.user_role)
            .bind(&$e.organisation_ods)
            .bind(&$e.service_id)
            .bind($e.slot_ids.join(","))
            .bind(&$e.appointment_id)
            .bind(&$e.appointment_version)
            .bind($e.appointment_status.map(text))
            .bind(&$e.appointment_start)
            .bind(&$e.appointment_end)
            .bind(&$e.nhs_number)
            .bind(&$e.trace_id)
            .bind(&$e.request_id)
            .bind(&$e.error_kind)
            .bind(&$e.error_message)
            .bind(&$e.reason)
            .bind(&$e.approved_by)
            .bind(&$e.approval_reason)
            .bind(&$e.desk)
            .bind($e.outside_timeframe)
            .bind(&$e.patient_ref)
            .bind($e.settles)
    };
}

impl Store {
    /// Records an attempt and returns its id, with the sealed audit entry vouching for it in
    /// the same transaction when the store is sealed. An attempt carrying a request id is recorded once:
    /// recording it again (a retry after a lost answer from the registry) returns the first
    /// record's id; a unique index on `request_id` settles it even between desks at once.
    pub async fn record(&self, e: &BookingEvent) -> Result<i64> {
        let key = self.seal_key();
        let mut e = e.clone();
        if let Some(key) = key {
            e.patient_ref = e.nhs_number.as_deref().map(|n| key.patient_ref(n));
        }
        let e = &e;
        let (inserted, entry) = match &self.db {
            Db::Sqlite(pool) => record_sealed!(
                pool,
                SQLITE_BEGIN,
                append_sqlite,
                bind_event!(sqlx::query_scalar(INSERT_EVENT), e),
                key
            ),
            Db::Postgres(pool) => record_sealed!(
                pool,
                POSTGRES_BEGIN,
                append_postgres,
                bind_event!(sqlx::query_scalar(INSERT_EVENT), e),
                key
            ),
        };
        if let Some(entry) = &entry {
            self.anchor_at(entry);
        }
        if let Some(id) = inserted {
            return Ok(id);
        }
        // Nothing inserted: this request id is already recorded (the only conflict possible).
        let first = with_pool!(&self.db, pool => {
            sqlx::query_as::<_, EventRow>("SELECT * FROM booking_events WHERE request_id = $1")
                .bind(&e.request_id)
                .fetch_one(pool)
                .await
                .map_err(store_error)
        })?
        .into_value()?;
        if !settles(first.outcome, e.outcome) {
            return Ok(first.id);
        }
        // A booking first recorded as unknown (or as failed, when the service made it after all)
        // is settled by an event of its own: the first stays, as the trail of what was believed,
        // and lists and reports follow the settled outcome. Settled once only.
        if let Some(id) = self.settled_by(first.id).await? {
            return Ok(id);
        }
        let settled = settled_event(&first, e);
        match Box::pin(self.record(&settled)).await {
            Ok(id) => Ok(id),
            // Another desk settled it at the same moment (the index allows one settling event).
            Err(err) => self.settled_by(first.id).await?.ok_or(err),
        }
    }

    /// The outcome first recorded for a booking request, if one was.
    pub async fn outcome_of(&self, request_id: &str) -> Result<Option<Outcome>> {
        let found: Option<String> = with_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT outcome FROM booking_events WHERE request_id = $1")
                .bind(request_id)
                .fetch_optional(pool)
                .await
                .map_err(store_error)
        })?;
        Ok(found.and_then(|o| from_wire_name(&o)))
    }

    /// The event that settles event `id`, if one does.
    pub async fn settled_by(&self, id: i64) -> Result<Option<i64>> {
        with_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT id FROM booking_events WHERE settles = $1")
                .bind(id)
                .fetch_optional(pool)
                .await
                .map_err(store_error)
        })
    }

    /// The ids of every event a later one settles: bookings first recorded as unknown (or
    /// failed) whose true outcome is now known. Reports no longer count them as they were.
    pub async fn settled_events(&self) -> Result<std::collections::HashSet<i64>> {
        let ids: Vec<i64> = with_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT settles FROM booking_events WHERE settles IS NOT NULL")
                .fetch_all(pool)
                .await
                .map_err(store_error)
        })?;
        Ok(ids.into_iter().collect())
    }

    /// Every event, oldest first.
    pub async fn events(&self) -> Result<Vec<BookingEvent>> {
        fetch_rows!(
            &self.db,
            "SELECT * FROM booking_events ORDER BY id",
            [],
            EventRow
        )
    }

    /// One line per appointment in the registry (every desk sharing it), as its latest successful
    /// event leaves it.
    pub async fn bookings(&self) -> Result<Vec<BookingSummary>> {
        let mut out: Vec<BookingSummary> = Vec::new();
        for e in self.events().await? {
            if e.outcome != Outcome::Succeeded {
                continue;
            }
            let Some(appointment_id) = e.appointment_id.clone() else {
                continue;
            };
            let existing = out
                .iter_mut()
                .find(|b| b.service_id == e.service_id && b.appointment_id == appointment_id);
            match existing {
                Some(b) => {
                    b.version = e.appointment_version.clone().or(b.version.take());
                    b.status = e.appointment_status.or(b.status);
                    b.last_action = e.action;
                    b.last_changed_at = e.recorded_at;
                }
                None => out.push(BookingSummary {
                    service_id: e.service_id.clone(),
                    appointment_id,
                    version: e.appointment_version.clone(),
                    status: e.appointment_status,
                    start: e.appointment_start.clone(),
                    end: e.appointment_end.clone(),
                    nhs_number: e.nhs_number.clone(),
                    booked_by: e.user_name.clone(),
                    desk: e.desk.clone(),
                    booked_at: e.recorded_at,
                    last_action: e.action,
                    last_changed_at: e.recorded_at,
                }),
            }
        }
        Ok(out)
    }

    /// The reason given when this desk cancelled an appointment (UEC carries none on the wire).
    pub async fn cancel_reason(
        &self,
        service_id: &str,
        appointment_id: &str,
    ) -> Result<Option<String>> {
        self.appointment_text(
            "SELECT reason FROM booking_events
             WHERE service_id = $1 AND appointment_id = $2 AND action = 'cancel'
               AND outcome = 'succeeded'
             ORDER BY id DESC LIMIT 1",
            service_id,
            appointment_id,
        )
        .await
    }

    /// One optional text value about an appointment, from a query taking (service, appointment).
    async fn appointment_text(
        &self,
        sql: &str,
        service_id: &str,
        appointment_id: &str,
    ) -> Result<Option<String>> {
        let value: Option<Option<String>> = with_pool!(&self.db, pool => {
            sqlx::query_scalar(sql)
                .bind(service_id)
                .bind(appointment_id)
                .fetch_optional(pool)
                .await
        })
        .map_err(store_error)?;
        Ok(value.flatten())
    }

    /// Appointments this desk made for a patient, optionally at one service: (service, id),
    /// in the order they were first booked.
    pub async fn appointments_for(
        &self,
        nhs_number: &str,
        service_id: Option<&str>,
    ) -> Result<Vec<(String, String)>> {
        // GROUP BY with MIN(id), not DISTINCT ... ORDER BY id: PostgreSQL orders a DISTINCT
        // only by selected columns.
        with_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT service_id, appointment_id FROM booking_events
                 WHERE nhs_number = $1 AND outcome = 'succeeded' AND action = 'book'
                   AND appointment_id IS NOT NULL AND ($2 IS NULL OR service_id = $2)
                 GROUP BY service_id, appointment_id
                 ORDER BY MIN(id)",
            )
            .bind(nhs_number)
            .bind(service_id)
            .fetch_all(pool)
            .await
        })
        .map_err(store_error)
    }

    /// The patient an appointment this desk booked is for, as its first event naming one
    /// recorded them: (NHS number, pseudonym), either gone or never known.
    pub async fn appointment_patient(
        &self,
        service_id: &str,
        appointment_id: &str,
    ) -> Result<(Option<String>, Option<String>)> {
        let found: Option<(Option<String>, Option<String>)> = with_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT nhs_number, patient_ref FROM booking_events
                 WHERE service_id = $1 AND appointment_id = $2
                   AND (nhs_number IS NOT NULL OR patient_ref IS NOT NULL)
                 ORDER BY id LIMIT 1",
            )
            .bind(service_id)
            .bind(appointment_id)
            .fetch_optional(pool)
            .await
        })
        .map_err(store_error)?;
        Ok(found.unwrap_or_default())
    }

    /// The patient's NHS number for an appointment this desk booked, if it knows it.
    pub async fn appointment_nhs_number(
        &self,
        service_id: &str,
        appointment_id: &str,
    ) -> Result<Option<String>> {
        self.appointment_text(
            "SELECT nhs_number FROM booking_events
             WHERE service_id = $1 AND appointment_id = $2 AND nhs_number IS NOT NULL
             ORDER BY id LIMIT 1",
            service_id,
            appointment_id,
        )
        .await
    }
}

/// Whether an outcome recorded for a request already recorded as `first` settles it: a success
/// settles anything short of one; a definite failure settles an unknown.
fn settles(first: Outcome, then: Outcome) -> bool {
    match (first, then) {
        (Outcome::Succeeded, _) => false,
        (_, Outcome::Succeeded) => true,
        (Outcome::Unknown, Outcome::Failed) => true,
        _ => false,
    }
}

/// The event settling `first` with what became of it (`then`): the same booking, by the same
/// person at the same desk, with the outcome and appointment the service holds.
fn settled_event(first: &BookingEvent, then: &BookingEvent) -> BookingEvent {
    let request = first.request_id.as_deref().unwrap_or_default();
    let how = if then.outcome == Outcome::Succeeded {
        "the service made"
    } else {
        "the service does not have"
    };
    BookingEvent {
        id: 0,
        recorded_at: then.recorded_at,
        outcome: then.outcome,
        appointment_id: then.appointment_id.clone(),
        appointment_version: then.appointment_version.clone(),
        appointment_status: then.appointment_status,
        appointment_start: then.appointment_start.clone(),
        appointment_end: then.appointment_end.clone(),
        nhs_number: first.nhs_number.clone().or_else(|| then.nhs_number.clone()),
        trace_id: then.trace_id.clone().or_else(|| first.trace_id.clone()),
        request_id: None,
        error_kind: then.error_kind.clone(),
        error_message: then.error_message.clone(),
        reason: Some(format!(
            "{how} booking request {request}, first recorded as {}",
            text(first.outcome)
        )),
        settles: Some(first.id),
        ..first.clone()
    }
}

/// A booking event's columns as stored: instants as RFC 3339 text, enums by their wire names,
/// slot ids joined with commas.
#[derive(sqlx::FromRow)]
pub(super) struct EventRow {
    id: i64,
    recorded_at: String,
    action: String,
    outcome: String,
    user_local_id: String,
    user_name: String,
    user_role: String,
    organisation_ods: String,
    service_id: String,
    slot_ids: String,
    appointment_id: Option<String>,
    appointment_version: Option<String>,
    appointment_status: Option<String>,
    appointment_start: Option<String>,
    appointment_end: Option<String>,
    nhs_number: Option<String>,
    trace_id: Option<String>,
    request_id: Option<String>,
    error_kind: Option<String>,
    error_message: Option<String>,
    reason: Option<String>,
    approved_by: Option<String>,
    approval_reason: Option<String>,
    desk: String,
    outside_timeframe: bool,
    patient_ref: Option<String>,
    settles: Option<i64>,
}

/// The stored wire name `name` as a `T`, or a store error naming what it should have been.
fn named<T: serde::de::DeserializeOwned>(name: &str, what: &str) -> Result<T> {
    from_wire_name(name).ok_or_else(|| store_error(format!("unknown {what} {name:?}")))
}

impl Stored for EventRow {
    type Value = BookingEvent;
    fn into_value(self) -> Result<BookingEvent> {
        Ok(BookingEvent {
            id: self.id,
            recorded_at: parse_instant(&self.recorded_at)?,
            action: named(&self.action, "action")?,
            outcome: named(&self.outcome, "outcome")?,
            user_local_id: self.user_local_id,
            user_name: self.user_name,
            user_role: self.user_role,
            organisation_ods: self.organisation_ods,
            service_id: self.service_id,
            slot_ids: self
                .slot_ids
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            appointment_id: self.appointment_id,
            appointment_version: self.appointment_version,
            appointment_status: self
                .appointment_status
                .map(|s| named(&s, "appointment status"))
                .transpose()?,
            appointment_start: self.appointment_start,
            appointment_end: self.appointment_end,
            nhs_number: self.nhs_number,
            trace_id: self.trace_id,
            request_id: self.request_id,
            error_kind: self.error_kind,
            error_message: self.error_message,
            reason: self.reason,
            approved_by: self.approved_by,
            approval_reason: self.approval_reason,
            desk: self.desk,
            outside_timeframe: self.outside_timeframe,
            patient_ref: self.patient_ref,
            settles: self.settles,
        })
    }
}
