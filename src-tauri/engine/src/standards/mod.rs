//! The booking standards Booking Desk speaks. Each module knows its interaction catalogue, how
//! to build each request and how to read each answer; sending is the transport's job and the
//! workflow is the booking module's.

pub mod bars;
pub mod bars_appointments;
pub mod bars_message;
pub mod bars_slot_entries;
pub mod bars_slots;
pub mod chars;
pub mod gp_connect;
pub mod mapping;
pub mod uec_booking;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Providers refuse a search window longer than this (GP Connect: 422 INVALID_PARAMETER).
pub const MAX_WINDOW_DAYS: i64 = 14;

/// The UK day an instant falls on.
pub fn uk_day(t: chrono::DateTime<chrono::FixedOffset>) -> NaiveDate {
    t.with_timezone(&chrono_tz::Europe::London).date_naive()
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

    /// One UK day.
    pub fn day(day: NaiveDate) -> Self {
        Self { from: day, to: day }
    }

    /// Today and the next 14 days.
    pub fn default_from(today: NaiveDate) -> Self {
        Self {
            from: today,
            to: today + Duration::days(MAX_WINDOW_DAYS),
        }
    }
}

/// The start of a UK day as a local instant with its offset (on the spring change, the first
/// instant that exists).
pub fn uk_start_of_day(day: NaiveDate) -> DateTime<FixedOffset> {
    uk_local(day, NaiveTime::MIN)
}

/// The last second of a UK day as a local instant with its offset.
pub fn uk_end_of_day(day: NaiveDate) -> DateTime<FixedOffset> {
    uk_local(
        day,
        NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN),
    )
}

fn uk_local(day: NaiveDate, time: NaiveTime) -> DateTime<FixedOffset> {
    let local = day.and_time(time);
    London
        .from_local_datetime(&local)
        .earliest()
        // A time skipped by the spring change: the hour after it exists.
        .or_else(|| {
            London
                .from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.fixed_offset())
        .unwrap_or_else(|| local.and_utc().fixed_offset())
}

/// How a provider measures a search from the start of `from` to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowMeasure {
    /// Dates sent as dates (GP Connect): from the start of the first day to the start of the
    /// last.
    Dates,
    /// Instants sent (UEC Booking, BaRS): from the start of the first day to the last second of
    /// the last.
    Instants,
}

impl WindowMeasure {
    fn length(self, from: NaiveDate, to: NaiveDate) -> Duration {
        let end = match self {
            WindowMeasure::Dates => uk_start_of_day(to),
            WindowMeasure::Instants => uk_end_of_day(to),
        };
        end - uk_start_of_day(from)
    }
}

impl SearchWindow {
    /// The window cut into runs of whole days that each measure at most 14 days in absolute
    /// time, as providers measure them: around the autumn clock change 14 local days last 14
    /// days and an hour, and a request for them is refused.
    pub fn spans(&self, measure: WindowMeasure) -> Vec<(NaiveDate, NaiveDate)> {
        let limit = Duration::days(MAX_WINDOW_DAYS);
        let mut spans = Vec::new();
        let mut from = self.from;
        while from <= self.to {
            let mut to = from;
            while to < self.to && measure.length(from, to + Duration::days(1)) <= limit {
                to += Duration::days(1);
            }
            spans.push((from, to));
            from = to + Duration::days(1);
        }
        spans
    }
}

/// The description sent with a booking: providers take at most 100 characters.
pub const MAX_DESCRIPTION: usize = 100;
/// The comment sent with a booking: providers take at most 500 characters.
pub const MAX_COMMENT: usize = 500;

pub fn check_texts(description: &str, comment: Option<&str>) -> Result<()> {
    chars::check_chars("description", description)?;
    if let Some(c) = comment {
        chars::check_chars("comment", c)?;
    }
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

    /// Every span of every 14-day window starting on each day of 2027 and 2028 (both clock
    /// changes, New Year, 29 February) measures at most 14 days, and the spans cover the window
    /// exactly, in order.
    #[test]
    fn spans_keep_within_fourteen_days_whatever_the_offsets() {
        for measure in [WindowMeasure::Dates, WindowMeasure::Instants] {
            let mut day = d("2027-01-01");
            while day <= d("2028-12-31") {
                let w = SearchWindow::default_from(day);
                let spans = w.spans(measure);
                assert_eq!(spans.first().map(|s| s.0), Some(w.from));
                assert_eq!(spans.last().map(|s| s.1), Some(w.to));
                for pair in spans.windows(2) {
                    assert_eq!(pair[1].0, pair[0].1 + Duration::days(1));
                }
                for (a, b) in &spans {
                    assert!(
                        measure.length(*a, *b) <= Duration::days(MAX_WINDOW_DAYS),
                        "{measure:?} {a}..{b} from {day}"
                    );
                }
                day += Duration::days(1);
            }
        }
    }

    #[test]
    fn a_plain_fortnight_is_one_date_request_and_two_instant_requests() {
        let w = SearchWindow::default_from(d("2027-01-12"));
        assert_eq!(w.spans(WindowMeasure::Dates).len(), 1);
        assert_eq!(w.spans(WindowMeasure::Instants).len(), 2);
        // Across the autumn change 14 local days are 14 days and an hour: two requests.
        let autumn = SearchWindow::default_from(d("2027-10-25"));
        assert_eq!(
            autumn.spans(WindowMeasure::Dates),
            vec![
                (d("2027-10-25"), d("2027-11-07")),
                (d("2027-11-08"), d("2027-11-08"))
            ]
        );
        // Across the spring change they are an hour short of 14 days: one request.
        let spring = SearchWindow::default_from(d("2027-03-22"));
        assert_eq!(spring.spans(WindowMeasure::Dates).len(), 1);
        assert_eq!(
            uk_start_of_day(d("2027-03-28")).to_rfc3339(),
            "2027-03-28T00:00:00+00:00"
        );
        assert_eq!(
            uk_end_of_day(d("2027-10-31")).to_rfc3339(),
            "2027-10-31T23:59:59+00:00"
        );
    }

    #[test]
    fn texts_are_limited() {
        assert!(check_texts("Sore throat", None).is_ok());
        assert!(check_texts(" ", None).is_err());
        assert!(check_texts(&"x".repeat(101), None).is_err());
        assert!(check_texts(&"é".repeat(100), Some(&"c".repeat(500))).is_ok());
        assert!(check_texts("ok", Some(&"c".repeat(501))).is_err());
    }

    #[test]
    fn texts_refuse_characters_fhir_and_xml_cannot_carry() {
        let e = check_texts("Sore\u{fffe} throat", None).expect_err("U+FFFE");
        assert!(e.message.contains("description"), "{}", e.message);
        let e = check_texts("Sore throat", Some("Call\u{7} back")).expect_err("BEL");
        assert!(e.message.contains("comment"), "{}", e.message);
        assert!(check_texts("Sore throat", Some("\u{ffff}")).is_err());
        assert!(check_texts("Sore throat", Some("\u{9b}31m")).is_err());
        assert!(check_texts("Sore throat", Some("Line one\r\n\tLine two")).is_ok());
    }
}
