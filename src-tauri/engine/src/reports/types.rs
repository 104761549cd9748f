//! What the centre's supervisors ask for and get back: the filter for the booked list, its lines,
//! an appointment's history, and the report over a range of UK days. Field names are a contract
//! with the screens built on them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::store::{Action, AuditEntry, BookingEvent};
use crate::views::AppointmentStatus;

/// Which appointments the centre's booked list shows; every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BookingFilter {
    /// First UK day (Europe/London) the booking was made on, inclusive.
    pub from: Option<NaiveDate>,
    /// Last UK day the booking was made on, inclusive.
    pub to: Option<NaiveDate>,
    pub service_id: Option<String>,
    /// The appointment's latest status (booked or cancelled, for the desk's own bookings).
    pub status: Option<AppointmentStatus>,
    /// Who booked it.
    pub user_local_id: Option<String>,
    /// The desk it was booked at.
    pub desk: Option<String>,
}

/// One appointment booked at the centre, as its latest successful event leaves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CentreBooking {
    pub service_id: String,
    /// From this desk's directory; the service id when the directory does not list it.
    pub service_name: String,
    pub appointment_id: String,
    pub status: Option<AppointmentStatus>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub nhs_number: Option<String>,
    pub booked_by: String,
    pub booked_by_local_id: String,
    pub desk: String,
    pub booked_at: DateTime<Utc>,
    pub last_action: Action,
    pub last_changed_at: DateTime<Utc>,
}

/// Everything recorded about one appointment, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AppointmentHistory {
    pub service_id: String,
    pub appointment_id: String,
    pub events: Vec<BookingEvent>,
    pub audit: Vec<AuditEntry>,
}

/// UK days, both inclusive; at most 366 of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReportRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DayCount {
    pub day: NaiveDate,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ServiceDayCount {
    pub day: NaiveDate,
    pub service_id: String,
    pub service_name: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct KindCount {
    /// A booking error kind (`slot-taken`), or `interaction-` and a failed interaction's outcome
    /// (`interaction-http-500`, `interaction-timeout`).
    pub kind: String,
    /// The same in plain words.
    pub label: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DurationStats {
    /// How many values the statistics are over.
    pub count: u32,
    pub median_secs: Option<u32>,
    pub p90_secs: Option<u32>,
}

/// The centre's figures over a range of UK days (SPEC §7). Day lists hold the days with a
/// non-zero count, by day (then service id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CentreReport {
    pub range: ReportRange,
    /// Successful bookings per service per UK day.
    pub bookings: Vec<ServiceDayCount>,
    /// Finished searches that found no slot at all.
    pub searches_without_slots: Vec<DayCount>,
    /// Booking attempts refused because the slot had been taken since the search.
    pub slots_lost: Vec<DayCount>,
    /// Failed booking events by error kind, and failed interactions by outcome.
    pub errors_by_kind: Vec<KindCount>,
    /// Successful cancellations.
    pub cancellations: Vec<DayCount>,
    /// Successful bookings for a patient with a successful cancellation at the centre in the 24
    /// hours before.
    pub rebookings: Vec<DayCount>,
    /// Successful bookings whose slot was later than the triage timeframe.
    pub outside_timeframe: Vec<DayCount>,
    /// Per successful booking, seconds since the same user's latest search at the same desk
    /// before it, when that was within 2 hours.
    pub search_to_booked: DurationStats,
}
