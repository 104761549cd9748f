//! Clinicians who proved who they are at the desk to approve a slot later than the triage
//! timeframe. Kept in memory for a short while, by a ticket only this desk hands out, so a
//! front can name an approval but never make one up.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::auth::{Role, User};
use crate::clinical::Approver;
use crate::error::{Error, ErrorKind, Result};

/// How long an approval may wait for its booking: a call, not a shift.
const VALID_MINUTES: i64 = 30;

#[derive(Default)]
pub(crate) struct Approvals {
    given: Mutex<HashMap<String, (Approver, DateTime<Utc>)>>,
}

impl Approvals {
    pub(crate) fn add(
        &self,
        user: &User,
        role_name: String,
        now: DateTime<Utc>,
    ) -> Result<Approver> {
        if user.role != Role::Clinician {
            return Err(Error::new(ErrorKind::NotPermitted)
                .with_message(
                    "Only a clinician can approve a slot later than the triage timeframe.",
                )
                .with_next_step("Ask a clinician to sign in here to approve it."));
        }
        let approver = Approver {
            ticket: uuid::Uuid::new_v4().to_string(),
            name: user.name.clone(),
            sds_user_id: user.sds_user_id.clone(),
            sds_role_profile_id: user.sds_role_profile_id.clone(),
            role_name,
        };
        let mut given = self.given.lock().unwrap_or_else(|p| p.into_inner());
        given.retain(|_, (_, at)| now - *at < Duration::minutes(VALID_MINUTES));
        given.insert(approver.ticket.clone(), (approver.clone(), now));
        Ok(approver)
    }

    pub(crate) fn get(&self, ticket: &str, now: DateTime<Utc>) -> Result<Approver> {
        let given = self.given.lock().unwrap_or_else(|p| p.into_inner());
        match given.get(ticket.trim()) {
            Some((a, at)) if now - *at < Duration::minutes(VALID_MINUTES) => Ok(a.clone()),
            found => Err(Error::new(ErrorKind::NotPermitted)
                .with_message(if found.is_some() {
                    "The clinician's approval has lapsed (approvals last 30 minutes)."
                } else {
                    "That approval was not given at this desk."
                })
                .with_next_step("Ask the clinician to sign in here and approve the slot again.")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> User {
        User {
            name: "Dr Priya Shah".into(),
            sds_user_id: "555000000002".into(),
            sds_role_profile_id: "555000000012".into(),
            local_id: "p".into(),
            role,
        }
    }

    #[test]
    fn only_clinicians_approve_and_an_approval_lapses() {
        let a = Approvals::default();
        let now = Utc::now();
        assert!(a.add(&user(Role::CallHandler), "x".into(), now).is_err());
        let given = a
            .add(&user(Role::Clinician), "Nurse Access Role".into(), now)
            .expect("given");
        assert_eq!(a.get(&given.ticket, now).expect("found"), given);
        assert!(given.recorded().contains("555000000002"));
        let late = now + Duration::minutes(VALID_MINUTES);
        assert!(
            a.get(&given.ticket, late)
                .expect_err("lapsed")
                .message
                .contains("lapsed")
        );
        assert!(
            a.get("made-up", now)
                .expect_err("unknown")
                .message
                .contains("not given")
        );
    }
}
