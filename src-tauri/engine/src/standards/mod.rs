//! The booking standards Booking Desk speaks. Each module knows its interaction catalogue, how
//! to build each request and how to read each answer; sending is the transport's job and the
//! workflow is the booking module's.

pub mod bars;
pub mod bars_appointments;
pub mod bars_message;
pub mod bars_slot_entries;
pub mod bars_slots;
pub mod gp_connect;
pub mod mapping;
pub mod uec_booking;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Providers refuse a search window longer than this (GP Connect: 422 INVALID_PARAMETER).
pub const MAX_WINDOW_DAYS: i64 = 14;

/// Today in the UK, where every service the desk books into is: the default search window and
/// "today" on screen follow UK days whatever the machine's time zone.
pub fn uk_today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::London)
        .date_naive()
}

/// Now as a UK local instant with its offset, as written in resources we send.
pub fn uk_now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::London)
        .fixed_offset()
}

/// A time as a UK call handler reads it: `14:30 on Tue 01-Dec`.
pub fn uk_time(t: chrono::DateTime<chrono::FixedOffset>) -> String {
    t.with_timezone(&chrono_tz::Europe::London)
        .format("%H:%M on %a %d-%b")
        .to_string()
}

/// The days a slot search covers, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SearchWindow {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl SearchWindow {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self> {
        if to < from {
            return Err(Error::invalid("The end date is before the start date.")
                .with_next_step("Choose an end date on or after the start date."));
        }
        if (to - from).num_days() > MAX_WINDOW_DAYS {
            return Err(Error::invalid(format!(
                "Services accept searches of at most {MAX_WINDOW_DAYS} days."
            ))
            .with_next_step("Shorten the date range to 14 days or fewer."));
        }
        Ok(Self { from, to })
    }

    /// Today and the next 14 days.
    pub fn default_from(today: NaiveDate) -> Self {
        Self {
            from: today,
            to: today + Duration::days(MAX_WINDOW_DAYS),
        }
    }
}

/// The description sent with a booking: providers take at most 100 characters.
pub const MAX_DESCRIPTION: usize = 100;
/// The comment sent with a booking: providers take at most 500 characters.
pub const MAX_COMMENT: usize = 500;

pub fn check_texts(description: &str, comment: Option<&str>) -> Result<()> {
    let n = description.chars().count();
    if description.trim().is_empty() {
        return Err(Error::invalid(
            "A description of why the patient needs the appointment is required.",
        )
        .with_next_step("Enter a short description (up to 100 characters)."));
    }
    if n > MAX_DESCRIPTION {
        return Err(Error::invalid(format!(
            "The description is {n} characters; services take at most {MAX_DESCRIPTION}."
        ))
        .with_next_step("Shorten the description, and put the detail in the comment."));
    }
    if let Some(c) = comment {
        let m = c.chars().count();
        if m > MAX_COMMENT {
            return Err(Error::invalid(format!(
                "The comment is {m} characters; services take at most {MAX_COMMENT}."
            ))
            .with_next_step("Shorten the comment."));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn window_is_at_most_fourteen_days() {
        assert!(SearchWindow::new(d("2026-12-01"), d("2026-12-15")).is_ok());
        assert!(SearchWindow::new(d("2026-12-01"), d("2026-12-16")).is_err());
        assert!(SearchWindow::new(d("2026-12-02"), d("2026-12-01")).is_err());
        let w = SearchWindow::default_from(d("2026-12-01"));
        assert_eq!(w.to, d("2026-12-15"));
    }

    #[test]
    fn texts_are_limited() {
        assert!(check_texts("Sore throat", None).is_ok());
        assert!(check_texts(" ", None).is_err());
        assert!(check_texts(&"x".repeat(101), None).is_err());
        assert!(check_texts(&"é".repeat(100), Some(&"c".repeat(500))).is_ok());
        assert!(check_texts("ok", Some(&"c".repeat(501))).is_err());
    }
}
