//! What the centre's supervisors read from the registry, across every desk sharing it: events and
//! audit entries by when they happened, the events and audit entries about one appointment, and
//! the events of the appointments booked under a filter.

use chrono::{DateTime, Utc};

use super::db::fetch_rows;
use super::registry::EventRow;
use super::window::{Span, day_after, day_before, parse_instant};
use super::{AuditEntry, BookingEvent, Store};
use crate::error::Result;

/// Which booked appointments to read: booked in the span (when given), at this service, by this
/// user, at this desk (each when given).
#[derive(Debug, Clone, Copy, Default)]
pub struct Booked<'a> {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub service_id: Option<&'a str>,
    pub user_local_id: Option<&'a str>,
    pub desk: Option<&'a str>,
}

/// The successful events of appointments with a successful booking matching `$1..$5`.
const BOOKED_EVENTS: &str = "SELECT * FROM booking_events
     WHERE outcome = 'succeeded' AND (service_id, appointment_id) IN (
        SELECT service_id, appointment_id FROM booking_events
        WHERE action = 'book' AND outcome = 'succeeded' AND appointment_id IS NOT NULL
          AND ($1 IS NULL OR recorded_at >= $1) AND ($2 IS NULL OR recorded_at < $2)
          AND ($3 IS NULL OR service_id = $3) AND ($4 IS NULL OR user_local_id = $4)
          AND ($5 IS NULL OR desk = $5))
     ORDER BY id";

/// Audit entries about one appointment (`$1` service, `$2` appointment): those naming it, and
/// those sharing a request id or trace id with one of its booking events.
const APPOINTMENT_AUDIT: &str = "SELECT * FROM audit_log
     WHERE service_id = $1 AND covers IS NULL AND (
        appointment_id = $2
        OR request_id IN (SELECT request_id FROM booking_events
            WHERE service_id = $1 AND appointment_id = $2 AND request_id IS NOT NULL)
        OR trace_id IN (SELECT trace_id FROM booking_events
            WHERE service_id = $1 AND appointment_id = $2 AND trace_id IS NOT NULL))
     ORDER BY id";

impl Store {
    /// Booking events recorded from `from` (inclusive) to `to` (exclusive), oldest first.
    pub async fn events_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<BookingEvent>> {
        let span = Span::new(from, to);
        let events = fetch_rows!(
            &self.db,
            "SELECT * FROM booking_events WHERE recorded_at >= $1 AND recorded_at < $2
             ORDER BY id",
            [span.floor(), span.ceiling()],
            EventRow
        )?;
        Ok(events
            .into_iter()
            .filter(|e| span.holds(e.recorded_at))
            .collect())
    }

    /// Audit entries from `from` (inclusive) to `to` (exclusive) whose interaction did not
    /// succeed (no answer, or an answer other than 2xx), oldest first.
    pub async fn failed_audit_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<AuditEntry>> {
        let span = Span::new(from, to);
        let entries = fetch_rows!(
            &self.db,
            "SELECT * FROM audit_log WHERE recorded_at >= $1 AND recorded_at < $2
               AND outcome NOT LIKE 'http 2%' AND covers IS NULL
             ORDER BY id",
            [span.floor(), span.ceiling()],
            AuditEntry
        )?;
        let mut kept = Vec::with_capacity(entries.len());
        for e in entries {
            if span.holds(parse_instant(&e.recorded_at)?) {
                kept.push(e);
            }
        }
        Ok(kept)
    }

    /// Every recorded attempt on one appointment, whatever its outcome, oldest first.
    pub async fn appointment_events(
        &self,
        service_id: &str,
        appointment_id: &str,
    ) -> Result<Vec<BookingEvent>> {
        fetch_rows!(
            &self.db,
            "SELECT * FROM booking_events WHERE service_id = $1 AND appointment_id = $2
             ORDER BY id",
            [service_id, appointment_id],
            EventRow
        )
    }

    /// The audit entries about one appointment, oldest first: every interaction that named it
    /// (read, amend, cancel), and every one carrying the request id or trace id of one of its
    /// booking events (the booking itself, which named no appointment when it was sent).
    pub async fn appointment_audit(
        &self,
        service_id: &str,
        appointment_id: &str,
    ) -> Result<Vec<AuditEntry>> {
        fetch_rows!(
            &self.db,
            APPOINTMENT_AUDIT,
            [service_id, appointment_id],
            AuditEntry
        )
    }

    /// The successful events, oldest first, of every appointment whose successful booking
    /// matches `which`. The span is matched by whole days around it (see `window`): the caller
    /// checks the exact instants.
    pub async fn booked_events(&self, which: &Booked<'_>) -> Result<Vec<BookingEvent>> {
        let floor = which.from.map(day_before);
        let ceiling = which.to.map(day_after);
        fetch_rows!(
            &self.db,
            BOOKED_EVENTS,
            [
                floor,
                ceiling,
                which.service_id,
                which.user_local_id,
                which.desk,
            ],
            EventRow
        )
    }
}
