//! The centre report's figures, counted from what the registry recorded. Plain Rust over rows
//! the store selected by time: UK days (with the clock changes) and the links between events
//! (a rebooking's earlier cancel, a booking's earlier search) read more clearly here than in two
//! dialects of SQL.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::days::uk_day;
use super::durations::stats;
use super::labels::{booking_error, failed_interaction};
use super::types::{CentreReport, DayCount, KindCount, ReportRange, ServiceDayCount};
use crate::store::{Action, AuditEntry, BookingEvent, Outcome, SearchRecord};

/// How far back a cancellation makes a booking a rebooking.
pub const REBOOKING_WINDOW: Duration = Duration::hours(24);
/// How far back a search counts as the one a booking came from.
pub const SEARCH_WINDOW: Duration = Duration::hours(2);

/// What the figures are counted from.
pub struct Recorded<'a> {
    /// Booking events from [`REBOOKING_WINDOW`] before the range to its end, with each
    /// cancellation's patient filled in where the event itself did not carry it.
    pub events: &'a [BookingEvent],
    /// Searches from [`SEARCH_WINDOW`] before the range to its end.
    pub searches: &'a [SearchRecord],
    /// Unsuccessful interactions in the range.
    pub failed_interactions: &'a [AuditEntry],
}

/// Counts per UK day, for the days with any.
#[derive(Default)]
struct Days(BTreeMap<NaiveDate, u32>);

impl Days {
    fn add(&mut self, t: DateTime<Utc>) {
        *self.0.entry(uk_day(t)).or_default() += 1;
    }

    fn list(self) -> Vec<DayCount> {
        self.0
            .into_iter()
            .map(|(day, count)| DayCount { day, count })
            .collect()
    }
}

fn is(e: &BookingEvent, action: Action, outcome: Outcome) -> bool {
    e.action == action && e.outcome == outcome
}

/// The report over `range`; `service_name` names a service id for the screen.
pub fn centre_report(
    range: ReportRange,
    recorded: &Recorded<'_>,
    service_name: impl Fn(&str) -> String,
) -> CentreReport {
    let (from, to) = range.bounds();
    let in_range = |t: DateTime<Utc>| from <= t && t < to;
    let events: Vec<&BookingEvent> = recorded
        .events
        .iter()
        .filter(|e| in_range(e.recorded_at))
        .collect();
    let booked: Vec<&BookingEvent> = events
        .iter()
        .copied()
        .filter(|e| is(e, Action::Book, Outcome::Succeeded))
        .collect();

    let mut per_service: BTreeMap<(NaiveDate, String), u32> = BTreeMap::new();
    let (mut rebookings, mut outside) = (Days::default(), Days::default());
    for b in &booked {
        *per_service
            .entry((uk_day(b.recorded_at), b.service_id.clone()))
            .or_default() += 1;
        if b.outside_timeframe {
            outside.add(b.recorded_at);
        }
        if is_rebooking(b, recorded.events) {
            rebookings.add(b.recorded_at);
        }
    }
    let bookings = per_service
        .into_iter()
        .map(|((day, service_id), count)| ServiceDayCount {
            day,
            service_name: service_name(&service_id),
            service_id,
            count,
        })
        .collect();

    let mut cancellations = Days::default();
    let mut slots_lost = Days::default();
    for e in &events {
        if is(e, Action::Cancel, Outcome::Succeeded) {
            cancellations.add(e.recorded_at);
        }
        if e.action == Action::Book && e.error_kind.as_deref() == Some("slot-taken") {
            slots_lost.add(e.recorded_at);
        }
    }

    let mut empty_searches = Days::default();
    for s in recorded.searches.iter().filter(|s| in_range(s.recorded_at)) {
        if s.slots_found == 0 {
            empty_searches.add(s.recorded_at);
        }
    }

    let durations = booked
        .iter()
        .filter_map(|b| seconds_since_search(b, recorded.searches))
        .collect();

    CentreReport {
        range,
        bookings,
        searches_without_slots: empty_searches.list(),
        slots_lost: slots_lost.list(),
        errors_by_kind: errors_by_kind(&events, recorded.failed_interactions),
        cancellations: cancellations.list(),
        rebookings: rebookings.list(),
        outside_timeframe: outside.list(),
        search_to_booked: stats(durations),
    }
}

/// A booking for a patient whose appointment was cancelled at the centre in the 24 hours before.
fn is_rebooking(b: &BookingEvent, all: &[BookingEvent]) -> bool {
    let Some(patient) = b.patient_key() else {
        return false;
    };
    all.iter().any(|c| {
        is(c, Action::Cancel, Outcome::Succeeded)
            && c.patient_key() == Some(patient)
            && c.recorded_at < b.recorded_at
            && b.recorded_at - c.recorded_at <= REBOOKING_WINDOW
    })
}

/// Seconds from the same user's latest search at the same desk up to the booking, when that
/// search was at most [`SEARCH_WINDOW`] before it.
fn seconds_since_search(b: &BookingEvent, searches: &[SearchRecord]) -> Option<u32> {
    searches
        .iter()
        .filter(|s| s.user_local_id == b.user_local_id && s.desk == b.desk)
        .filter(|s| {
            s.recorded_at <= b.recorded_at && b.recorded_at - s.recorded_at <= SEARCH_WINDOW
        })
        .map(|s| s.recorded_at)
        .max()
        .and_then(|latest| u32::try_from((b.recorded_at - latest).num_seconds()).ok())
}

/// Unsuccessful booking events by their error kind, then unsuccessful interactions by outcome;
/// most frequent first.
fn errors_by_kind(events: &[&BookingEvent], failed: &[AuditEntry]) -> Vec<KindCount> {
    let mut counts: BTreeMap<String, (String, u32)> = BTreeMap::new();
    let mut add = |kind: String, label: String| counts.entry(kind).or_insert((label, 0)).1 += 1;
    for e in events.iter().filter(|e| e.outcome != Outcome::Succeeded) {
        if let Some(kind) = e.error_kind.as_deref() {
            add(kind.to_string(), booking_error(kind));
        }
    }
    for a in failed {
        let (kind, label) = failed_interaction(&a.outcome);
        add(kind, label);
    }
    let mut list: Vec<KindCount> = counts
        .into_iter()
        .map(|(kind, (label, count))| KindCount { kind, label, count })
        .collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.kind.cmp(&b.kind)));
    list
}
