//! The triage disposition's timeframe ("to be seen within 2 hours") and the clinical approval a
//! call handler needs to book a slot later than it.

use chrono::{DateTime, Duration, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::auth::permissions::{self, Action};
use crate::error::{Error, ErrorKind, Result};
use crate::standards::uk_time;

/// How far ahead of the desk's clock a triage system's clock may be.
pub const ASSESSMENT_CLOCK_SKEW_MINUTES: i64 = 5;

/// The patient should be seen within `within_minutes` of the triage assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Timeframe {
    pub assessed_at: DateTime<FixedOffset>,
    pub within_minutes: u32,
}

impl Timeframe {
    /// The latest time the patient should be seen.
    pub fn see_by(&self) -> DateTime<FixedOffset> {
        self.assessed_at + Duration::minutes(i64::from(self.within_minutes))
    }

    /// The timeframe as the desk holds it at `now`. An assessment later than now (beyond the
    /// clocks' allowed difference) is refused: it would stretch the timeframe and let a late
    /// slot pass as in time. One a little ahead counts from now, the time the desk saw it.
    pub fn as_recorded(self, now: DateTime<FixedOffset>) -> Result<Timeframe> {
        if self.assessed_at > now + Duration::minutes(ASSESSMENT_CLOCK_SKEW_MINUTES) {
            return Err(Error::invalid(format!(
                "The triage assessment time {} is in the future.",
                self.assessed_at.to_rfc3339()
            ))
            .with_next_step(
                "Give the time the patient was assessed (it cannot be later than now), then book again.",
            ));
        }
        Ok(Timeframe {
            assessed_at: self.assessed_at.min(now),
            ..self
        })
    }

    /// Whether a slot starting at `start` is later than the timeframe allows.
    pub fn is_exceeded_by(&self, start: DateTime<FixedOffset>) -> bool {
        start > self.see_by()
    }
}

/// A clinician's approval for a booking outside the timeframe, as a front asks for it: the
/// ticket the desk gave when the clinician proved who they are at the desk, and their reason.
/// Nobody's name is typed: the desk knows the approver from the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClinicalApproval {
    pub ticket: String,
    pub reason: String,
}

impl ClinicalApproval {
    /// A reason is needed for the record to mean anything.
    pub fn check(&self) -> Result<()> {
        if self.ticket.trim().is_empty() || self.reason.trim().is_empty() {
            return Err(Error::invalid(
                "A clinical approval needs a clinician to sign in to approve, and their reason.",
            ));
        }
        if self.reason.chars().count() > 500 {
            return Err(Error::invalid(
                "The approval's reason is too long: at most 500 characters.",
            ));
        }
        Ok(())
    }
}

/// A clinician who proved who they are at the desk to approve a late slot: what the registry
/// keeps of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Approver {
    /// What a booking names to use this approval.
    pub ticket: String,
    pub name: String,
    pub sds_user_id: String,
    pub sds_role_profile_id: String,
    /// Their job role, as CIS2 names it (or "demo clinician").
    pub role_name: String,
}

impl Approver {
    /// How the registry records the approver: name, SDS user id and role profile.
    pub fn recorded(&self) -> String {
        format!(
            "{} (SDS user id {}, role profile {}, {})",
            self.name.trim(),
            self.sds_user_id,
            self.sds_role_profile_id,
            self.role_name
        )
    }
}

/// A slot later than the triage timeframe: a clinician may book it; a call handler only with the
/// approval of a clinician who proved who they are at the desk (never their own). Ok when nothing
/// stands in the way.
pub fn check_timeframe(
    role: Role,
    booker_sds_user_id: &str,
    timeframe: Option<&Timeframe>,
    approval: Option<&Approver>,
    slot_start: DateTime<FixedOffset>,
) -> Result<()> {
    if approval.is_some_and(|a| a.sds_user_id == booker_sds_user_id) {
        return Err(Error::new(ErrorKind::NotPermitted)
            .with_message("A booking cannot be approved by the person making it.")
            .with_next_step("Ask another clinician to sign in at the desk and approve it."));
    }
    let Some(tf) = timeframe.filter(|tf| tf.is_exceeded_by(slot_start)) else {
        return Ok(());
    };
    match (role, approval) {
        (Role::Clinician, _) | (Role::CallHandler, Some(_)) => Ok(()),
        (Role::CallHandler, None) => Err(Error::new(ErrorKind::NotPermitted)
            .with_message(format!(
                "This slot starts after the patient should be seen (by {}, from the triage outcome).",
                uk_time(tf.see_by())
            ))
            .with_next_step(
                "Choose an earlier slot, or ask a clinician to sign in at the desk and approve this one.",
            )),
        (Role::Supervisor | Role::Administrator, _) => permissions::check(role, Action::Book),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("instant")
    }

    #[test]
    fn an_assessment_in_the_future_is_refused() {
        let tf = Timeframe {
            assessed_at: at("2030-01-01T00:00:00Z"),
            within_minutes: 60,
        };
        let err = tf
            .as_recorded(at("2026-12-05T10:00:00Z"))
            .expect_err("refused");
        assert_eq!(err.kind, crate::error::ErrorKind::InvalidInput);
        assert!(err.message.contains("in the future"), "{}", err.message);
    }

    #[test]
    fn an_assessment_a_little_ahead_counts_from_now_and_one_behind_is_kept() {
        let now = at("2026-12-05T10:00:00Z");
        let ahead = Timeframe {
            assessed_at: at("2026-12-05T10:04:00Z"),
            within_minutes: 60,
        };
        assert_eq!(ahead.as_recorded(now).expect("skew").assessed_at, now);
        let behind = Timeframe {
            assessed_at: at("2026-12-05T09:00:00Z"),
            within_minutes: 60,
        };
        assert_eq!(behind.as_recorded(now).expect("past"), behind);
    }

    fn approver(sds: &str) -> Approver {
        Approver {
            ticket: "t1".into(),
            name: "Dr Priya Shah".into(),
            sds_user_id: sds.into(),
            sds_role_profile_id: "555000000012".into(),
            role_name: "Clinical Practitioner Access Role".into(),
        }
    }

    #[test]
    fn a_slot_after_the_timeframe_needs_a_clinician_or_another_clinicians_proved_approval() {
        let assessed = DateTime::parse_from_rfc3339("2026-12-01T10:00:00+00:00").expect("time");
        let tf = Timeframe {
            assessed_at: assessed,
            within_minutes: 120,
        };
        let inside = assessed + chrono::Duration::minutes(120);
        let outside = assessed + chrono::Duration::minutes(121);
        let me = "555000000001";
        let other = approver("555000000002");
        // Within the timeframe (the deadline itself included) anyone who books may book.
        for role in [Role::CallHandler, Role::Clinician] {
            assert!(check_timeframe(role, me, Some(&tf), None, inside).is_ok());
            assert!(check_timeframe(role, me, None, None, outside).is_ok());
        }
        assert!(check_timeframe(Role::Clinician, me, Some(&tf), None, outside).is_ok());
        assert!(check_timeframe(Role::CallHandler, me, Some(&tf), Some(&other), outside).is_ok());
        let err =
            check_timeframe(Role::CallHandler, me, Some(&tf), None, outside).expect_err("refused");
        assert_eq!(err.kind, ErrorKind::NotPermitted);
        assert!(
            err.message.contains("10:00") || err.message.contains("12:00"),
            "{}",
            err.message
        );
        assert!(err.next_step.contains("clinician"), "{}", err.next_step);
        let err = check_timeframe(
            Role::CallHandler,
            me,
            Some(&tf),
            Some(&approver(me)),
            outside,
        )
        .expect_err("nobody approves their own booking");
        assert_eq!(err.kind, ErrorKind::NotPermitted);
        assert!(err.message.contains("person making it"), "{}", err.message);
        let err = check_timeframe(Role::Supervisor, me, Some(&tf), Some(&other), outside)
            .expect_err("supervisors never book");
        assert_eq!(err.kind, ErrorKind::NotPermitted);
    }
}
