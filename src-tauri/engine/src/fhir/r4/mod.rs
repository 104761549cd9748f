//! FHIR R4 (4.0.1) resources and data types, hand-written for what BaRS
//! (the Booking and Referral Standard) uses.
//!
//! The same conventions as [`super::stu3`]: every struct derives `Default`
//! (build values with `..Default::default()`), reading is tolerant (unknown
//! elements ignored, a single object accepted where an array belongs and the
//! other way round), writing leaves out absent and empty elements. Read a
//! payload whose type is not certain as [`Resource`] and match on it.
//!
//! Data types whose R4 shape is the same as STU3's are the STU3 structs,
//! re-exported here so R4 code needs only this module.
//! `check` tests what we write against the R4 base rules we rely on: test support, built only
//! for the engine's own tests (the `test-support` feature), never part of the library's API.

mod bundle;
mod capability;
#[cfg(any(test, feature = "test-support"))]
pub mod check;
mod clinical;
mod datatypes;
mod entities;
mod individuals;
mod messaging;
mod outcome;
mod resource;
mod scheduling;
pub mod urls;

pub use crate::fhir::stu3::{
    Address, CodeableConcept, Coding, ContactPoint, HumanName, Narrative, Period, parse_reference,
};
pub use bundle::{
    Bundle, BundleEntry, BundleEntryResponse, BundleEntrySearch, BundleIndex, BundleLink,
};
pub use capability::{
    CapabilityImplementation, CapabilityInteraction, CapabilityMessaging,
    CapabilityMessagingEndpoint, CapabilityOperation, CapabilityRest, CapabilityRestResource,
    CapabilityRestSecurity, CapabilitySearchParam, CapabilitySoftware, CapabilityStatement,
    CapabilitySupportedMessage,
};
#[cfg(any(test, feature = "test-support"))]
pub use check::{Problem, check, check_json};
pub use clinical::{
    Encounter, EncounterLocation, EncounterParticipant, Flag, Observation, ServiceRequest,
};
pub use datatypes::{
    Annotation, ContactDetail, Extension, Identifier, Meta, Quantity, Reference, extension_by_url,
    identifier_value,
};
pub use entities::{HealthcareService, Location, LocationPosition, Organization};
pub use individuals::{
    Patient, PatientCommunication, PatientContact, Practitioner, PractitionerRole,
};
pub use messaging::{MessageDestination, MessageHeader, MessageResponse, MessageSource};
pub use outcome::{OperationOutcome, OperationOutcomeIssue};
pub use resource::{Resource, ResourceKind, find_contained};
pub use scheduling::{Appointment, AppointmentParticipant, Schedule, Slot};
