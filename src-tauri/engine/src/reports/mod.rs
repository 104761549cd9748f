//! Supervisor reports over the centre's shared registry (SPEC §7): the booked list with filters,
//! one appointment's history, and the report's figures per UK day. Supervisors only.

pub mod csv;
mod days;
mod durations;
mod engine;
mod figures;
mod labels;
mod list;
mod types;

pub use days::{MAX_REPORT_DAYS, uk_day};
pub use figures::{REBOOKING_WINDOW, SEARCH_WINDOW};
pub use types::{
    AppointmentHistory, BookingFilter, CentreBooking, CentreReport, DayCount, DurationStats,
    KindCount, ReportRange, ServiceDayCount,
};
