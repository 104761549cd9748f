//! The desk's one source of the time. Nothing in the engine reads the computer's clock directly,
//! so tests can run the whole desk at any instant: a Saturday, either side of a clock change,
//! New Year's Eve.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use chrono_tz::Europe::London;

/// Where the desk gets the time.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// Now as a UK local instant with its offset, as written in resources we send.
    fn uk_now(&self) -> DateTime<FixedOffset> {
        self.now().with_timezone(&London).fixed_offset()
    }

    /// Today in the UK, where every service the desk books into is: the default search window
    /// and "today" on screen follow UK days whatever the machine's time zone.
    fn uk_today(&self) -> NaiveDate {
        self.now().with_timezone(&London).date_naive()
    }
}

/// The computer's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that reads `start` when made and then runs at the real rate: time still passes (tokens
/// age, timeouts elapse) but the day, weekday and clock-change position are chosen by the test.
#[derive(Debug, Clone, Copy)]
pub struct ClockFrom {
    start: DateTime<Utc>,
    made: Instant,
}

impl ClockFrom {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            start,
            made: Instant::now(),
        }
    }
}

impl Clock for ClockFrom {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::TimeDelta::from_std(self.made.elapsed()).unwrap_or_default();
        self.start + elapsed
    }
}

/// The clock a desk uses unless told otherwise.
pub fn system() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_clock_from_an_instant_reads_that_instant_and_moves_on() {
        let start = Utc
            .with_ymd_and_hms(2027, 10, 31, 0, 30, 0)
            .single()
            .expect("instant");
        let clock = ClockFrom::new(start);
        let first = clock.now();
        assert!(first >= start && first - start < chrono::TimeDelta::seconds(5));
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(clock.now() > first);
        // 00:30 UTC on the last Sunday of October is 01:30 BST, an hour before the change.
        assert_eq!(clock.uk_now().offset().local_minus_utc(), 3600);
        assert_eq!(
            clock.uk_today(),
            NaiveDate::from_ymd_opt(2027, 10, 31).expect("day")
        );
    }

    #[test]
    fn uk_today_follows_uk_midnight_not_utc() {
        // 23:30 UTC on a summer evening is already tomorrow in the UK.
        let late = Utc
            .with_ymd_and_hms(2027, 6, 30, 23, 30, 0)
            .single()
            .expect("instant");
        assert_eq!(
            ClockFrom::new(late).uk_today(),
            NaiveDate::from_ymd_opt(2027, 7, 1).expect("day")
        );
    }
}
