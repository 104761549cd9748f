//! Clinical information that travels with a booking or governs it: the triage summary captured
//! once per call, and how each standard carries it.

pub mod cda;
mod summary;
pub mod text;
mod timeframe;

pub use summary::{
    Assessor, AssessorRole, ClinicalFlag, ClinicalObservation, ClinicalSummary, CodedText,
    FlagKind, TriageOutcome,
};
pub use timeframe::{ClinicalApproval, Timeframe};
