//! FHIR STU3 (3.0.x) resources and data types, hand-written for what
//! booking needs.
//!
//! Every struct derives `Default`, so build values with
//! `..Default::default()`. A resource struct writes its own `resourceType`,
//! but reading one directly does not check it: read a payload whose type is
//! not certain (any HTTP response) as [`Resource`] and match on it.

mod bundle;
mod capability;
mod datatypes;
mod documents;
mod entities;
mod individuals;
mod outcome;
mod parameters;
mod scheduling;
pub mod urls;

pub use bundle::{
    Bundle, BundleEntry, BundleEntrySearch, BundleIndex, BundleLink, Resource, ResourceKind,
    find_contained,
};
pub use capability::{
    CapabilityImplementation, CapabilityInteraction, CapabilityOperation, CapabilityRest,
    CapabilityRestResource, CapabilityRestSecurity, CapabilitySearchParam, CapabilitySoftware,
    CapabilityStatement,
};
pub use datatypes::{
    Address, Attachment, CodeableConcept, Coding, ContactPoint, Extension, HumanName, Identifier,
    Meta, Narrative, Period, Reference, extension_by_url, identifier_value, parse_reference,
};
pub use documents::{DocumentReference, DocumentReferenceContent};
pub use entities::{HealthcareService, Location, Organization};
pub use individuals::{Patient, PatientContact, Practitioner, PractitionerRole};
pub use outcome::{OperationOutcome, OperationOutcomeIssue};
pub use parameters::{Parameters, ParametersParameter};
pub use scheduling::{Appointment, AppointmentParticipant, Schedule, Slot};
