//! Selecting rows by when they were recorded. Times are stored as RFC 3339 text in UTC, and
//! PostgreSQL compares text by the database's collation, which may weigh punctuation (`.`, `+`)
//! differently from SQLite's byte order. So the SQL narrows by whole days only (digits and
//! hyphens, which every collation orders alike), a day wider on each side, and the exact instants
//! are checked in Rust on the parsed times.

use chrono::{DateTime, Duration, Utc};

use super::db::store_error;
use crate::error::Result;

/// From (inclusive) to (exclusive).
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

impl Span {
    pub(super) fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        Self { from, to }
    }

    /// A text no later than any recorded time in the span.
    pub(super) fn floor(&self) -> String {
        day_before(self.from)
    }

    /// A text later than every recorded time in the span.
    pub(super) fn ceiling(&self) -> String {
        day_after(self.to)
    }

    pub(super) fn holds(&self, t: DateTime<Utc>) -> bool {
        self.from <= t && t < self.to
    }
}

/// The day before `t`'s, as text: no later than any stored time from `t` on.
pub(super) fn day_before(t: DateTime<Utc>) -> String {
    (t - Duration::days(1)).format("%Y-%m-%d").to_string()
}

/// The day after `t`'s, as text: later than any stored time before `t`.
pub(super) fn day_after(t: DateTime<Utc>) -> String {
    (t + Duration::days(1)).format("%Y-%m-%d").to_string()
}

/// A stored time.
pub(super) fn parse_instant(text: &str) -> Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(text)
        .map_err(store_error)?
        .with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_bounds_are_whole_days_around_the_span() {
        let at = |s: &str| parse_instant(s).expect("time");
        let span = Span::new(at("2026-03-29T00:00:00Z"), at("2026-03-30T23:00:00Z"));
        assert_eq!(span.floor(), "2026-03-28");
        assert_eq!(span.ceiling(), "2026-03-31");
        assert!(span.holds(at("2026-03-29T00:00:00Z")));
        assert!(span.holds(at("2026-03-30T22:59:59.999Z")));
        assert!(!span.holds(at("2026-03-30T23:00:00Z")));
        assert!(!span.holds(at("2026-03-28T23:59:59Z")));
        // Every stored time in the span sorts between the bounds as text.
        for inside in ["2026-03-29T00:00:00+00:00", "2026-03-30T22:59:59.5+00:00"] {
            assert!(span.floor().as_str() <= inside && inside < span.ceiling().as_str());
        }
    }
}
