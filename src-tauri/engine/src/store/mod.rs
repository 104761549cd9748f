//! The bookings registry: every book, amend and cancel the desk attempts, with who, when, where,
//! the outcome and the trace id. A SQLite file in WAL mode on one desk.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use std::str::FromStr;
use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};

mod audit;
mod clinical;

pub use clinical::Handover;

pub use audit::{AuditEntry, AuditRecord, AuditReport, GENESIS_HASH};

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

fn text<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn parse<T: for<'de> Deserialize<'de>>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

/// One attempt, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BookingEvent {
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
    pub appointment_status: Option<String>,
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
}

/// One appointment the desk made, as its latest recorded event leaves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BookingSummary {
    pub service_id: String,
    pub appointment_id: String,
    pub version: Option<String>,
    pub status: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub nhs_number: Option<String>,
    pub booked_by: String,
    pub booked_at: DateTime<Utc>,
    pub last_action: Action,
    pub last_changed_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

fn store_error(e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Store).with_diagnostics(e.to_string())
}

impl Store {
    /// Opens (creating if needed) the SQLite file at `location` and brings its schema up to date.
    pub async fn open(location: &str) -> Result<Self> {
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            return Err(Error::config(
                "A shared PostgreSQL registry is not supported yet; set store to a file path.",
            ));
        }
        let path = location.strip_prefix("sqlite://").unwrap_or(location);
        if let Some(dir) = std::path::Path::new(path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(store_error)?;
        }
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
            .map_err(store_error)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(store_error)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(store_error)?;
        Ok(Self { pool })
    }

    pub async fn record(&self, e: &BookingEvent) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO booking_events (recorded_at, action, outcome, user_local_id, user_name,
                user_role, organisation_ods, service_id, slot_ids, appointment_id,
                appointment_version, appointment_status, appointment_start, appointment_end,
                nhs_number, trace_id, request_id, error_kind, error_message, reason,
                approved_by, approval_reason)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(e.recorded_at.to_rfc3339())
        .bind(text(e.action))
        .bind(text(e.outcome))
        .bind(&e.user_local_id)
        .bind(&e.user_name)
        .bind(&e.user_role)
        .bind(&e.organisation_ods)
        .bind(&e.service_id)
        .bind(e.slot_ids.join(","))
        .bind(&e.appointment_id)
        .bind(&e.appointment_version)
        .bind(&e.appointment_status)
        .bind(&e.appointment_start)
        .bind(&e.appointment_end)
        .bind(&e.nhs_number)
        .bind(&e.trace_id)
        .bind(&e.request_id)
        .bind(&e.error_kind)
        .bind(&e.error_message)
        .bind(&e.reason)
        .bind(&e.approved_by)
        .bind(&e.approval_reason)
        .fetch_one(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(row.get::<i64, _>(0))
    }

    /// Every event, oldest first.
    pub async fn events(&self) -> Result<Vec<BookingEvent>> {
        let rows = sqlx::query("SELECT * FROM booking_events ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.iter().map(event_from_row).collect()
    }

    /// One line per appointment made from this desk, as its latest successful event leaves it.
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
                    b.status = e.appointment_status.clone().or(b.status.take());
                    b.last_action = e.action;
                    b.last_changed_at = e.recorded_at;
                }
                None => out.push(BookingSummary {
                    service_id: e.service_id.clone(),
                    appointment_id,
                    version: e.appointment_version.clone(),
                    status: e.appointment_status.clone(),
                    start: e.appointment_start.clone(),
                    end: e.appointment_end.clone(),
                    nhs_number: e.nhs_number.clone(),
                    booked_by: e.user_name.clone(),
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
             WHERE service_id = ? AND appointment_id = ? AND action = 'cancel'
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
        let row = sqlx::query(sql)
            .bind(service_id)
            .bind(appointment_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(row.and_then(|r| r.get::<Option<String>, _>(0)))
    }

    /// Appointments this desk made for a patient, optionally at one service: (service, id).
    pub async fn appointments_for(
        &self,
        nhs_number: &str,
        service_id: Option<&str>,
    ) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT DISTINCT service_id, appointment_id FROM booking_events
             WHERE nhs_number = ? AND outcome = 'succeeded' AND action = 'book'
               AND appointment_id IS NOT NULL AND (? IS NULL OR service_id = ?)
             ORDER BY id",
        )
        .bind(nhs_number)
        .bind(service_id)
        .bind(service_id)
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(rows
            .iter()
            .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
            .collect())
    }

    /// The patient's NHS number for an appointment this desk booked, if it knows it.
    pub async fn appointment_nhs_number(
        &self,
        service_id: &str,
        appointment_id: &str,
    ) -> Result<Option<String>> {
        self.appointment_text(
            "SELECT nhs_number FROM booking_events
             WHERE service_id = ? AND appointment_id = ? AND nhs_number IS NOT NULL
             ORDER BY id LIMIT 1",
            service_id,
            appointment_id,
        )
        .await
    }
}

fn event_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<BookingEvent> {
    let get = |name: &str| -> Result<String> { r.try_get::<String, _>(name).map_err(store_error) };
    let opt = |name: &str| -> Result<Option<String>> {
        r.try_get::<Option<String>, _>(name).map_err(store_error)
    };
    let recorded_at = DateTime::parse_from_rfc3339(&get("recorded_at")?)
        .map_err(store_error)?
        .with_timezone(&Utc);
    let slot_ids = get("slot_ids")?
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    Ok(BookingEvent {
        id: r.try_get("id").map_err(store_error)?,
        recorded_at,
        action: parse(&get("action")?).ok_or_else(|| store_error("unknown action"))?,
        outcome: parse(&get("outcome")?).ok_or_else(|| store_error("unknown outcome"))?,
        user_local_id: get("user_local_id")?,
        user_name: get("user_name")?,
        user_role: get("user_role")?,
        organisation_ods: get("organisation_ods")?,
        service_id: get("service_id")?,
        slot_ids,
        appointment_id: opt("appointment_id")?,
        appointment_version: opt("appointment_version")?,
        appointment_status: opt("appointment_status")?,
        appointment_start: opt("appointment_start")?,
        appointment_end: opt("appointment_end")?,
        nhs_number: opt("nhs_number")?,
        trace_id: opt("trace_id")?,
        request_id: opt("request_id")?,
        error_kind: opt("error_kind")?,
        error_message: opt("error_message")?,
        reason: opt("reason")?,
        approved_by: opt("approved_by")?,
        approval_reason: opt("approval_reason")?,
    })
}
