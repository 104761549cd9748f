//! FHIR dates and instants: formatting in UK local time and parsing search parameters.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::London;

/// An instant as FHIR text with the Europe/London offset of the moment, e.g. `+01:00` in summer.
pub fn format_london(t: DateTime<Utc>) -> String {
    t.with_timezone(&London)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Today's date in the UK.
pub fn london_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&London).date_naive()
}

/// The UTC instant of a UK local wall-clock time; in the autumn overlap the earlier one, and in
/// the spring gap none.
pub fn london_to_utc(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    London
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// UK midnight at the start of `d`.
pub fn london_midnight(d: NaiveDate) -> DateTime<Utc> {
    let local = d.and_time(chrono::NaiveTime::MIN);
    // Clocks change at 01:00 UTC, so UK midnight always exists; UTC midnight is a safe fallback.
    london_to_utc(local).unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

/// Parses a FHIR instant (full date-time with seconds and an explicit offset or `Z`).
pub fn parse_instant(s: &str) -> Option<DateTime<FixedOffset>> {
    let b = s.as_bytes();
    // RFC 3339 parsers accept a space or lower-case `t`; FHIR does not.
    if b.len() < 20 || b.get(10) != Some(&b'T') {
        return None;
    }
    DateTime::parse_from_rfc3339(s).ok()
}

/// Parses a FHIR date `yyyy-mm-dd`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// A date search value: a whole day or an instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SearchPoint {
    Day(NaiveDate),
    At(DateTime<Utc>),
}

impl SearchPoint {
    /// Where a range starting here begins.
    pub fn lower(self) -> DateTime<Utc> {
        match self {
            SearchPoint::Day(d) => london_midnight(d),
            SearchPoint::At(t) => t,
        }
    }

    /// Where a range ending here ends (exclusive for a day, inclusive for an instant).
    pub fn upper(self) -> DateTime<Utc> {
        match self {
            SearchPoint::Day(d) => london_midnight(d + Duration::days(1)),
            SearchPoint::At(t) => t,
        }
    }

    /// True when `t` is within a range ending here.
    pub fn covers_up_to(self, t: DateTime<Utc>) -> bool {
        match self {
            SearchPoint::Day(_) => t < self.upper(),
            SearchPoint::At(u) => t <= u,
        }
    }
}

/// Splits a prefixed search value like `ge2024-06-01` and parses the rest; `expected` is the prefix
/// the interaction requires.
pub fn parse_prefixed(value: &str, expected: &str) -> Result<SearchPoint, String> {
    let rest = value
        .strip_prefix(expected)
        .ok_or_else(|| format!("'{value}' must start with the '{expected}' prefix"))?;
    if let Some(d) = parse_date(rest) {
        return Ok(SearchPoint::Day(d));
    }
    if let Some(t) = parse_instant(rest) {
        return Ok(SearchPoint::At(t.with_timezone(&Utc)));
    }
    let hint = if rest.contains(' ') {
        " ('+' in a query value must be percent-encoded as %2B)"
    } else {
        ""
    };
    Err(format!(
        "'{rest}' is not a date (yyyy-mm-dd) or an instant with an offset{hint}"
    ))
}

/// The nominal length of a search window: whole days compare by date, instants by time.
pub fn window_length(start: SearchPoint, end: SearchPoint) -> Duration {
    end.lower() - start.lower()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_uk_offset() {
        let summer = Utc.with_ymd_and_hms(2024, 7, 1, 9, 0, 0).single();
        let winter = Utc.with_ymd_and_hms(2024, 12, 1, 9, 0, 0).single();
        assert_eq!(
            summer.map(format_london).as_deref(),
            Some("2024-07-01T10:00:00+01:00")
        );
        assert_eq!(
            winter.map(format_london).as_deref(),
            Some("2024-12-01T09:00:00+00:00")
        );
    }

    #[test]
    fn parses_search_values() {
        assert!(matches!(
            parse_prefixed("ge2024-06-01", "ge"),
            Ok(SearchPoint::Day(_))
        ));
        assert!(matches!(
            parse_prefixed("le2024-06-01T10:00:00+01:00", "le"),
            Ok(SearchPoint::At(_))
        ));
        assert!(parse_prefixed("2024-06-01", "ge").is_err());
        assert!(parse_prefixed("ge2024-06-01T10:00:00 01:00", "ge").is_err());
        assert!(parse_prefixed("ge2024-13-01", "ge").is_err());
        assert!(parse_prefixed("ge2024-06-01 10:00:00Z", "ge").is_err());
    }

    #[test]
    fn window_lengths() {
        let d = |s| parse_date(s).map(SearchPoint::Day);
        let (Some(a), Some(b), Some(c)) = (d("2024-06-01"), d("2024-06-15"), d("2024-06-16"))
        else {
            panic!("dates")
        };
        assert_eq!(window_length(a, b), Duration::days(14));
        assert!(window_length(a, c) > Duration::days(14));
    }
}
