//! What each role may do. The engine enforces this itself, so a hidden button is never the only
//! thing standing between a role and a booking.

use super::Role;
use crate::error::{Error, ErrorKind, Result};

/// Something a signed-in user asks the engine to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Search for free slots and look patients up.
    Search,
    Book,
    /// Change an appointment's clinical text (description, comment).
    Amend,
    Cancel,
    /// Read a patient's appointments at the services.
    ReadAppointments,
    /// Look over what this desk has booked.
    ReviewBookings,
    /// Look over the whole centre: every desk's bookings, an appointment's history, reports.
    ReviewCentre,
    /// Look after the desk: its keys in the keyring, its settings.
    Administer,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Search,
        Action::Book,
        Action::Amend,
        Action::Cancel,
        Action::ReadAppointments,
        Action::ReviewBookings,
        Action::ReviewCentre,
        Action::Administer,
    ];
}

/// The permission table. Every pair is written out, so a new role or action cannot be added
/// without deciding what it may do.
pub fn allowed(role: Role, action: Action) -> bool {
    use Action::*;
    match (role, action) {
        (Role::CallHandler, Search | Book | Amend | Cancel | ReadAppointments | ReviewBookings) => {
            true
        }
        (Role::CallHandler, ReviewCentre) => false,
        (Role::Clinician, Search | Book | Amend | Cancel | ReadAppointments | ReviewBookings) => {
            true
        }
        (Role::Clinician, ReviewCentre) => false,
        (Role::Supervisor, Search | ReadAppointments | ReviewBookings | ReviewCentre) => true,
        (Role::Supervisor, Book | Amend | Cancel) => false,
        (Role::CallHandler | Role::Clinician | Role::Supervisor, Administer) => false,
        (Role::Administrator, Administer) => true,
        (
            Role::Administrator,
            Search | Book | Amend | Cancel | ReadAppointments | ReviewBookings | ReviewCentre,
        ) => false,
    }
}

/// Ok when `role` may do `action`; otherwise a not-permitted error saying what the role can do.
pub fn check(role: Role, action: Action) -> Result<()> {
    if allowed(role, action) {
        return Ok(());
    }
    let err = Error::new(ErrorKind::NotPermitted);
    Err(match (role, refused_text(action)) {
        _ if action == Action::Administer => err
            .with_message("Only the desk's administrator can change its keys and settings.")
            .with_next_step("Ask your IT team's desk administrator to make the change."),
        (Role::Administrator, _) => err
            .with_message(
                "The desk administrator role looks after the desk: it does not search, book or \
                 review patients' appointments.",
            )
            .with_next_step("Sign in with your call handler, clinician or supervisor role to do that."),
        (Role::Supervisor, Some((what, next))) => err
            .with_message(format!("Supervisors can review bookings but not {what}."))
            .with_next_step(next),
        _ if action == Action::ReviewCentre => err
            .with_message(
                "Only supervisors can review the whole centre's bookings, histories and reports.",
            )
            .with_next_step(
                "Look at this desk's own bookings instead, or ask a supervisor for the centre's figures.",
            ),
        // A refusal the table does not yet have words for keeps the kind's own.
        _ => err,
    })
}

/// How a refused action reads on screen, and who to turn to instead.
fn refused_text(action: Action) -> Option<(&'static str, &'static str)> {
    match action {
        Action::Book => Some((
            "book appointments",
            "Ask a call handler or clinician to make the booking.",
        )),
        Action::Amend => Some((
            "change appointments",
            "Ask a call handler or clinician to change the appointment.",
        )),
        Action::Cancel => Some((
            "cancel appointments",
            "Ask a call handler or clinician to cancel the appointment.",
        )),
        Action::Search
        | Action::ReadAppointments
        | Action::ReviewBookings
        | Action::ReviewCentre
        | Action::Administer => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLES: [Role; 4] = [
        Role::CallHandler,
        Role::Clinician,
        Role::Supervisor,
        Role::Administrator,
    ];

    /// Every (role, action) pair, with whether it is allowed.
    const TABLE: [(Role, Action, bool); 32] = [
        (Role::CallHandler, Action::Search, true),
        (Role::CallHandler, Action::Book, true),
        (Role::CallHandler, Action::Amend, true),
        (Role::CallHandler, Action::Cancel, true),
        (Role::CallHandler, Action::ReadAppointments, true),
        (Role::CallHandler, Action::ReviewBookings, true),
        (Role::CallHandler, Action::ReviewCentre, false),
        (Role::Clinician, Action::Search, true),
        (Role::Clinician, Action::Book, true),
        (Role::Clinician, Action::Amend, true),
        (Role::Clinician, Action::Cancel, true),
        (Role::Clinician, Action::ReadAppointments, true),
        (Role::Clinician, Action::ReviewBookings, true),
        (Role::Clinician, Action::ReviewCentre, false),
        (Role::Supervisor, Action::Search, true),
        (Role::Supervisor, Action::Book, false),
        (Role::Supervisor, Action::Amend, false),
        (Role::Supervisor, Action::Cancel, false),
        (Role::Supervisor, Action::ReadAppointments, true),
        (Role::Supervisor, Action::ReviewBookings, true),
        (Role::Supervisor, Action::ReviewCentre, true),
        (Role::CallHandler, Action::Administer, false),
        (Role::Clinician, Action::Administer, false),
        (Role::Supervisor, Action::Administer, false),
        (Role::Administrator, Action::Administer, true),
        (Role::Administrator, Action::Search, false),
        (Role::Administrator, Action::Book, false),
        (Role::Administrator, Action::Amend, false),
        (Role::Administrator, Action::Cancel, false),
        (Role::Administrator, Action::ReadAppointments, false),
        (Role::Administrator, Action::ReviewBookings, false),
        (Role::Administrator, Action::ReviewCentre, false),
    ];

    #[test]
    fn table_covers_every_role_and_action() {
        for role in ROLES {
            for action in Action::ALL {
                let rows = TABLE
                    .iter()
                    .filter(|(r, a, _)| *r == role && *a == action)
                    .count();
                assert_eq!(rows, 1, "{role:?} {action:?} appears once in the table");
            }
        }
    }

    #[test]
    fn every_role_and_action_is_allowed_or_refused_as_the_table_says() {
        for (role, action, want) in TABLE {
            assert_eq!(allowed(role, action), want, "{role:?} {action:?}");
            match check(role, action) {
                Ok(()) => assert!(want, "{role:?} {action:?} should be refused"),
                Err(err) => {
                    assert!(!want, "{role:?} {action:?} should be allowed");
                    assert_eq!(err.kind, ErrorKind::NotPermitted, "{role:?} {action:?}");
                    assert!(!err.message.is_empty() && !err.next_step.is_empty());
                }
            }
        }
    }

    #[test]
    fn supervisor_refusals_say_what_supervisors_can_do() {
        let err = check(Role::Supervisor, Action::Book).expect_err("refused");
        assert_eq!(
            err.message,
            "Supervisors can review bookings but not book appointments."
        );
        let err = check(Role::Supervisor, Action::Amend).expect_err("refused");
        assert_eq!(
            err.message,
            "Supervisors can review bookings but not change appointments."
        );
        let err = check(Role::Supervisor, Action::Cancel).expect_err("refused");
        assert_eq!(
            err.message,
            "Supervisors can review bookings but not cancel appointments."
        );
        let v = serde_json::to_value(&err).expect("serialises");
        assert_eq!(v["kind"], "not-permitted");
    }

    #[test]
    fn only_supervisors_review_the_centre_and_the_others_are_told_who_can() {
        for role in [Role::CallHandler, Role::Clinician] {
            let err = check(role, Action::ReviewCentre).expect_err("refused");
            assert_eq!(err.kind, ErrorKind::NotPermitted);
            assert!(err.message.contains("Only supervisors"), "{}", err.message);
            assert!(err.next_step.contains("supervisor"), "{}", err.next_step);
        }
        assert!(check(Role::Supervisor, Action::ReviewCentre).is_ok());
    }

    #[test]
    fn only_the_desk_administrator_changes_keys_and_settings() {
        for role in [Role::CallHandler, Role::Clinician, Role::Supervisor] {
            let err = check(role, Action::Administer).expect_err("refused");
            assert!(err.message.contains("administrator"), "{}", err.message);
        }
        let err = check(Role::Administrator, Action::Book).expect_err("refused");
        assert!(err.next_step.contains("call handler"), "{}", err.next_step);
    }
}
