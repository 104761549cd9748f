//! Clinical information that travels with a booking or governs it: the triage summary captured
//! once per call, and how each standard carries it.

pub mod bars;
pub mod cda;
mod package;
mod summary;
pub mod text;
mod timeframe;

pub use package::{ClinicalPreview, PackageContext, PackageStandard, PreviewSection, preview};
pub use summary::{
    Assessor, AssessorRole, ClinicalFlag, ClinicalObservation, ClinicalSummary, CodedText,
    FlagKind, TriageOutcome,
};
pub use text::GpConnectText;
pub use timeframe::{Approver, ClinicalApproval, Timeframe, check_timeframe};
