//! UK days: every figure counts by the day in Europe/London, whatever the machine's zone, so a
//! booking at 23:30 UTC in summer belongs to the next day.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;

use super::types::ReportRange;
use crate::error::{Error, Result};

/// The longest range one report covers: a leap year.
pub const MAX_REPORT_DAYS: i64 = 366;

/// The UK day an instant falls on.
pub fn uk_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&London).date_naive()
}

/// The instant a UK day starts. UK clocks change at 01:00 or 02:00, never at midnight, so
/// midnight always exists once; UTC midnight stands in should that ever not hold.
pub fn uk_day_start(day: NaiveDate) -> DateTime<Utc> {
    London
        .from_local_datetime(&day.and_time(NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN)))
}

/// From the start of `from` (inclusive) to the start of the day after `to` (exclusive).
pub fn day_bounds(from: NaiveDate, to: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    (uk_day_start(from), uk_day_start(to + Duration::days(1)))
}

/// `to` before `from` is no range at all.
pub fn check_order(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if to < from {
        return Err(Error::invalid("The last day is before the first day.")
            .with_next_step("Choose a last day on or after the first day."));
    }
    Ok(())
}

impl ReportRange {
    /// In order, and at most [`MAX_REPORT_DAYS`] days counting both ends.
    pub fn check(&self) -> Result<()> {
        check_order(self.from, self.to)?;
        if (self.to - self.from).num_days() + 1 > MAX_REPORT_DAYS {
            return Err(
                Error::invalid(format!("A report covers at most {MAX_REPORT_DAYS} days."))
                    .with_next_step("Choose a shorter range, or run one report per year."),
            );
        }
        Ok(())
    }

    pub fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        day_bounds(self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn a_summer_evening_in_utc_is_the_next_uk_day() {
        assert_eq!(uk_day(at("2026-06-10T23:30:00Z")), d("2026-06-11"));
        assert_eq!(uk_day(at("2026-12-10T23:30:00Z")), d("2026-12-10"));
        // The clocks went forward at 01:00 UTC on 29 March 2026.
        assert_eq!(uk_day_start(d("2026-03-29")), at("2026-03-29T00:00:00Z"));
        assert_eq!(uk_day_start(d("2026-03-30")), at("2026-03-29T23:00:00Z"));
        let (from, to) = day_bounds(d("2026-03-29"), d("2026-03-29"));
        assert_eq!((to - from).num_hours(), 23, "the short day");
    }

    #[test]
    fn a_range_is_in_order_and_at_most_a_leap_year() {
        let ok = ReportRange {
            from: d("2028-01-01"),
            to: d("2028-12-31"),
        };
        assert!(ok.check().is_ok(), "366 days");
        let long = ReportRange {
            from: d("2027-01-01"),
            to: d("2028-01-01"),
        };
        assert!(long.check().is_ok(), "366 days across a common year");
        let too_long = ReportRange {
            from: d("2027-01-01"),
            to: d("2028-01-02"),
        };
        let e = too_long.check().expect_err("367 days");
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(!e.next_step.is_empty());
        let backwards = ReportRange {
            from: d("2026-12-02"),
            to: d("2026-12-01"),
        };
        let e = backwards.check().expect_err("backwards");
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(e.next_step.contains("last day"), "{}", e.next_step);
        let one_day = ReportRange {
            from: d("2026-12-02"),
            to: d("2026-12-02"),
        };
        assert!(one_day.check().is_ok());
    }
}
