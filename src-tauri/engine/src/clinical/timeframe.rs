//! The triage disposition's timeframe ("to be seen within 2 hours") and the clinical approval a
//! call handler needs to book a slot later than it.

use chrono::{DateTime, Duration, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

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

    /// Whether a slot starting at `start` is later than the timeframe allows.
    pub fn is_exceeded_by(&self, start: DateTime<FixedOffset>) -> bool {
        start > self.see_by()
    }
}

/// A clinician's approval for a booking outside the timeframe: who approved it and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClinicalApproval {
    /// The approving clinician's name (and, where local practice wants it, their role or PIN).
    pub approved_by: String,
    pub reason: String,
}

impl ClinicalApproval {
    /// Both parts are needed for the record to mean anything.
    pub fn check(&self) -> Result<()> {
        if self.approved_by.trim().is_empty() || self.reason.trim().is_empty() {
            return Err(Error::invalid(
                "A clinical approval needs the approving clinician's name and the reason.",
            ));
        }
        if self.approved_by.chars().count() > 100 || self.reason.chars().count() > 500 {
            return Err(Error::invalid(
                "The approval is too long: at most 100 characters for the name and 500 for the reason.",
            ));
        }
        Ok(())
    }
}
