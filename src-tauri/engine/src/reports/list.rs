//! The centre's booked list: one line per appointment, from its successful booking and the
//! successful events after it.

use super::days::uk_day;
use super::types::{BookingFilter, CentreBooking};
use crate::store::{Action, BookingEvent};

/// Lines for the appointments the events (successful ones, oldest first) are about, filtered and
/// newest booking first. `service_name` names a service id for the screen.
pub fn centre_bookings(
    events: &[BookingEvent],
    filter: &BookingFilter,
    service_name: impl Fn(&str) -> String,
) -> Vec<CentreBooking> {
    let mut lines: Vec<CentreBooking> = Vec::new();
    for e in events {
        let Some(appointment_id) = e.appointment_id.as_deref() else {
            continue;
        };
        let found = lines
            .iter_mut()
            .find(|l| l.service_id == e.service_id && l.appointment_id == appointment_id);
        match (found, e.action) {
            (Some(line), _) => follow(line, e),
            (None, Action::Book) => lines.push(first_line(e, appointment_id, &service_name)),
            // Changed here but booked elsewhere: not on the centre's booked list.
            (None, _) => {}
        }
    }
    lines.retain(|l| keeps(filter, l));
    lines.sort_by(|a, b| {
        b.booked_at
            .cmp(&a.booked_at)
            .then_with(|| b.appointment_id.cmp(&a.appointment_id))
    });
    lines
}

fn first_line(
    e: &BookingEvent,
    appointment_id: &str,
    service_name: impl Fn(&str) -> String,
) -> CentreBooking {
    CentreBooking {
        service_id: e.service_id.clone(),
        service_name: service_name(&e.service_id),
        appointment_id: appointment_id.to_string(),
        status: e.appointment_status,
        start: e.appointment_start.clone(),
        end: e.appointment_end.clone(),
        nhs_number: e.nhs_number.clone(),
        booked_by: e.user_name.clone(),
        booked_by_local_id: e.user_local_id.clone(),
        desk: e.desk.clone(),
        booked_at: e.recorded_at,
        last_action: e.action,
        last_changed_at: e.recorded_at,
    }
}

/// A later successful event: what it says now replaces what was said, what it leaves out stays.
fn follow(line: &mut CentreBooking, e: &BookingEvent) {
    line.status = e.appointment_status.or(line.status);
    line.start = e.appointment_start.clone().or(line.start.take());
    line.end = e.appointment_end.clone().or(line.end.take());
    line.nhs_number = line.nhs_number.take().or_else(|| e.nhs_number.clone());
    line.last_action = e.action;
    line.last_changed_at = e.recorded_at;
}

fn keeps(filter: &BookingFilter, l: &CentreBooking) -> bool {
    let day = uk_day(l.booked_at);
    let same = |wanted: &Option<String>, have: Option<&str>| {
        wanted.as_deref().is_none_or(|w| Some(w) == have)
    };
    filter.from.is_none_or(|f| day >= f)
        && filter.to.is_none_or(|t| day <= t)
        && same(&filter.service_id, Some(&l.service_id))
        && filter.status.is_none_or(|w| l.status == Some(w))
        && same(&filter.user_local_id, Some(&l.booked_by_local_id))
        && same(&filter.desk, Some(&l.desk))
}
