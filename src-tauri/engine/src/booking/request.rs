//! What a front asks of a booking, and what it gets back.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::upcoming::SeenAppointment;
use crate::clinical::{ClinicalApproval, ClinicalSummary, PackageStandard, Timeframe};
use crate::error::Error;
use crate::ids::{NhsNumber, ServiceId, SlotId};
use crate::views::{AppointmentView, DemographicMismatch, PatientView};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BookRequest {
    pub service_id: ServiceId,
    /// One slot, or (GP Connect) several contiguous slots of one schedule.
    pub slot_ids: Vec<SlotId>,
    /// When the (first) slot starts, as it was listed: the check that it is still free searches
    /// its own day. Without it, the next 14 days are searched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot_start: Option<DateTime<FixedOffset>>,
    pub nhs_number: Option<NhsNumber>,
    /// Our details for the patient: required where the service cannot look them up (UEC
    /// without an NHS number); otherwise compared with the provider's.
    pub patient: Option<PatientView>,
    pub description: String,
    pub comment: Option<String>,
    /// The triage outcome's timeframe; a later slot needs a clinician or a recorded approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeframe: Option<Timeframe>,
    /// A clinician's approval for a slot later than the timeframe (call handlers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinical_approval: Option<ClinicalApproval>,
    /// The call's triage summary, packaged for the service's standard and kept with the
    /// booking. Its triage timeframe applies when `timeframe` is not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinical: Option<ClinicalSummary>,
    /// "Already booked?": the patient's upcoming appointments the person was shown and chose to
    /// book beside. The engine looks again before booking and refuses while it finds one not
    /// named here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub book_beside: Vec<SeenAppointment>,
    /// The person was told the patient may already be booked and chose to book anyway (the
    /// CLI's `--book-anyway`, after its own look): the engine does not look again, and the
    /// registry records the choice.
    #[serde(default)]
    pub book_anyway: bool,
}

impl BookRequest {
    /// A booking of `slot_ids` at `service_id`, described as `description`, with nothing else
    /// set: no patient, no triage, and not booked beside another appointment.
    pub fn new(
        service_id: ServiceId,
        slot_ids: Vec<SlotId>,
        description: impl Into<String>,
    ) -> Self {
        Self {
            service_id,
            slot_ids,
            slot_start: None,
            nhs_number: None,
            patient: None,
            description: description.into(),
            comment: None,
            timeframe: None,
            clinical_approval: None,
            clinical: None,
            book_beside: Vec::new(),
            book_anyway: false,
        }
    }
}

/// What of the triage summary went with a booking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClinicalSent {
    pub standard: PackageStandard,
    pub description: String,
    pub comment: Option<String>,
    /// UEC: the encounter report's id (the DocumentReference's identifier). BaRS: the id of
    /// the booking message that carried the summary.
    pub report_id: Option<String>,
    /// UEC: whether the report reached the service; the report is kept either way. BaRS: the
    /// summary went in the booking message, so it arrived with the booking.
    pub report_delivered: bool,
    /// Why the report did not reach the service, when it did not.
    pub report_problem: Option<Error>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BookingOutcome {
    pub appointment: AppointmentView,
    /// The provider's first answer was lost; this outcome was established afterwards, by
    /// finding the booking at the provider or by the retry that carried the same request id.
    pub confirmed_by_check: bool,
    /// Where the provider's details for the patient differ from ours.
    pub demographic_mismatches: Vec<DemographicMismatch>,
    /// What of the triage summary was sent, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinical: Option<ClinicalSent>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PatientAppointments {
    pub appointments: Vec<AppointmentView>,
    /// Services that could not be asked, with why.
    pub failures: Vec<Error>,
}
