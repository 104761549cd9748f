//! The simulator's one source of the time, so tests can run a region at any instant (a
//! Saturday, either side of a clock change, New Year's Eve) without waiting for it.

use std::time::Instant;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

/// The computer's clock, or one that read a chosen instant when the simulator started and runs
/// on at the real rate from there (tokens still age, a held booking still waits).
#[derive(Debug, Clone, Copy)]
pub struct SimClock {
    from: Option<(DateTime<Utc>, Instant)>,
}

impl SimClock {
    pub fn system() -> Self {
        Self { from: None }
    }

    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Self {
            from: Some((start, Instant::now())),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self.from {
            None => Utc::now(),
            Some((start, made)) => start + TimeDelta::from_std(made.elapsed()).unwrap_or_default(),
        }
    }
}

/// The instant tests run the simulator (and the desk) from: `BOOKDESK_TEST_AT` (RFC 3339) when
/// set, so the same suites can run on a Saturday, across both clock changes and over New Year;
/// else a fixed weekday morning, so no test depends on the day it happens to run.
pub fn test_instant() -> DateTime<Utc> {
    match std::env::var("BOOKDESK_TEST_AT") {
        Ok(at) => DateTime::parse_from_rfc3339(&at)
            .unwrap_or_else(|e| panic!("BOOKDESK_TEST_AT={at} is not an RFC 3339 instant: {e}"))
            .with_timezone(&Utc),
        Err(_) => Utc
            .with_ymd_and_hms(2027, 1, 12, 10, 0, 0)
            .single()
            .unwrap_or_else(Utc::now),
    }
}

/// Every answer's `Date` header comes from the simulator's clock, as a real server's comes from
/// its own, so a consumer comparing clocks sees the simulated time.
pub async fn date_header(
    axum::extract::State(sim): axum::extract::State<std::sync::Arc<crate::sim::Sim>>,
    mut response: axum::response::Response,
) -> axum::response::Response {
    let date = sim
        .clock
        .now()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    if let Ok(value) = axum::http::HeaderValue::from_str(&date) {
        response
            .headers_mut()
            .insert(axum::http::header::DATE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_start_is_read_then_time_runs_on() {
        let start = Utc
            .with_ymd_and_hms(2028, 2, 29, 12, 0, 0)
            .single()
            .expect("instant");
        let clock = SimClock::starting_at(start);
        let a = clock.now();
        assert!(a >= start && a - start < TimeDelta::seconds(5));
        std::thread::sleep(std::time::Duration::from_millis(10));
        assert!(clock.now() > a);
        assert!((SimClock::system().now() - Utc::now()).num_seconds().abs() < 5);
    }
}
