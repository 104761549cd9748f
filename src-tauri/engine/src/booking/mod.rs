//! Book, amend, cancel and list appointments, with the safety rules around them: the slot is
//! re-checked before booking, a booking that got no answer is checked at the provider before it
//! is ever sent again, and every attempt is recorded in the registry.
//!
//! Read in the order a booking flows: [`request`] (what a front asks), `book` (the checks and the
//! send), `settle` (a lost answer), `handover` (the triage summary kept and delivered), `change`
//! (amend and cancel), `listing`, and `record` (every attempt in the registry).

mod book;
mod change;
pub(crate) mod handover;
mod listing;
mod record;
pub mod request;
mod settle;
pub mod upcoming;

pub use book::compare_demographics;
pub use request::{BookRequest, BookingOutcome, ClinicalSent, PatientAppointments};
