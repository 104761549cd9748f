//! Code systems, identifier systems, extension and profile URLs used on the wire.

pub const NHS_NUMBER: &str = "https://fhir.nhs.uk/Id/nhs-number";
pub const ODS_CODE: &str = "https://fhir.nhs.uk/Id/ods-organization-code";
pub const SDS_USER_ID: &str = "https://fhir.nhs.uk/Id/sds-user-id";
pub const SDS_ROLE_PROFILE_ID: &str = "https://fhir.nhs.uk/Id/sds-role-profile-id";
pub const SDS_JOB_ROLE: &str = "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-SDSJobRoleName-1";
pub const ORGANISATION_TYPE: &str =
    "https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-OrganisationType-1";
/// A practice's own appointment identifier (GP Connect Appointment resource guidance; the
/// GP Connect demonstrator gives one on every appointment it returns).
pub const GPC_APPOINTMENT_IDENTIFIER: &str =
    "https://fhir.nhs.uk/Id/gpconnect-appointment-identifier";
pub const RFC4122: &str = "https://tools.ietf.org/html/rfc4122";
pub const CDA_DOCUMENT_TYPE: &str = "urn:oid:2.16.840.1.113883.2.1.3.2.4.18.17";
pub const CDA_DOCUMENT_CODE: &str = "POCD_MT200001GB02";
pub const CDA_DOCUMENT_DISPLAY: &str = "Integrated Urgent Care Report";

pub const EXT_DELIVERY_CHANNEL: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-DeliveryChannel-2";
pub const EXT_PRACTITIONER_ROLE: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-PractitionerRole-1";
pub const EXT_BOOKING_ORGANISATION: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-BookingOrganisation-1";
pub const EXT_CANCELLATION_REASON: &str = "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-AppointmentCancellationReason-1";
pub const EXT_GPC_NHS_NUMBER_VERIFICATION: &str = "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-NHSNumberVerificationStatus-1";
pub const NHS_NUMBER_VERIFICATION_SYSTEM: &str =
    "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-NHSNumberVerificationStatus-1";

const NHS_SD: &str = "https://fhir.nhs.uk/STU3/StructureDefinition/";
const CARECONNECT_SD: &str = "https://fhir.hl7.org.uk/STU3/StructureDefinition/";

/// A GP Connect profile URL, e.g. `gpc("GPConnect-Slot-1")`.
pub fn gpc(name: &str) -> String {
    format!("{NHS_SD}{name}")
}

/// A Care Connect profile URL, e.g. `care_connect("CareConnect-Slot-1")`.
pub fn care_connect(name: &str) -> String {
    format!("{CARECONNECT_SD}{name}")
}
