//! Identifier systems, code systems, extension and profile URLs used by
//! GP Connect and the UEC (NHS) Booking standard on STU3.
//!
//! Where published material uses more than one URL for the same thing, both
//! are here and a `*_SYSTEMS` slice lists every one a reader should accept.

// Identifier systems.

pub const NHS_NUMBER: &str = "https://fhir.nhs.uk/Id/nhs-number";
pub const ODS_ORGANIZATION_CODE: &str = "https://fhir.nhs.uk/Id/ods-organization-code";
pub const ODS_SITE_CODE: &str = "https://fhir.nhs.uk/Id/ods-site-code";
pub const SDS_USER_ID: &str = "https://fhir.nhs.uk/Id/sds-user-id";
pub const SDS_ROLE_PROFILE_ID: &str = "https://fhir.nhs.uk/Id/sds-role-profile-id";
/// Marks an identifier value as a UUID (UEC DocumentReference and Slot).
pub const RFC4122: &str = "https://tools.ietf.org/html/rfc4122";
/// Marks an identifier value as a URL (UEC appointment registry).
pub const RFC3986: &str = "urn:ietf:rfc:3986";

// GP Connect extensions.

pub const EXT_GPC_DELIVERY_CHANNEL: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-DeliveryChannel-2";
pub const EXT_GPC_PRACTITIONER_ROLE: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-PractitionerRole-1";
pub const EXT_GPC_BOOKING_ORGANISATION: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-BookingOrganisation-1";
pub const EXT_GPC_APPOINTMENT_CANCELLATION_REASON: &str = "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-AppointmentCancellationReason-1";

// NHS number verification status: GP Connect's (CareConnect-GPC) form and
// the CareConnect form the UEC standard uses.

pub const EXT_GPC_NHS_NUMBER_VERIFICATION_STATUS: &str = "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-NHSNumberVerificationStatus-1";
/// The code system GP Connect's examples use inside the GPC extension.
pub const GPC_NHS_NUMBER_VERIFICATION_STATUS_SYSTEM: &str =
    "https://fhir.nhs.uk/CareConnect-NHSNumberVerificationStatus-1";
pub const EXT_NHS_NUMBER_VERIFICATION_STATUS: &str = "https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-NHSNumberVerificationStatus-1";
pub const NHS_NUMBER_VERIFICATION_STATUS_SYSTEM: &str =
    "https://fhir.hl7.org.uk/STU3/CodeSystem/CareConnect-NHSNumberVerificationStatus-1";
pub const NHS_NUMBER_VERIFICATION_STATUS_EXTENSIONS: [&str; 2] = [
    EXT_NHS_NUMBER_VERIFICATION_STATUS,
    EXT_GPC_NHS_NUMBER_VERIFICATION_STATUS,
];

// Code systems.

/// SDS job role names as the CareConnect profiles bind them.
pub const SDS_JOB_ROLE_NAME: &str =
    "https://fhir.hl7.org.uk/STU3/CodeSystem/CareConnect-SDSJobRoleName-1";
/// SDS job role names as GP Connect's published examples send them.
pub const SDS_JOB_ROLE_NAME_GPC: &str =
    "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-SDSJobRoleName-1";
pub const SDS_JOB_ROLE_NAME_SYSTEMS: [&str; 2] = [SDS_JOB_ROLE_NAME, SDS_JOB_ROLE_NAME_GPC];

pub const SPINE_ERROR_OR_WARNING_CODE: &str =
    "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1";
/// The older URL some providers and examples still send.
pub const SPINE_ERROR_OR_WARNING_CODE_VALUESET: &str =
    "https://fhir.nhs.uk/STU3/ValueSet/Spine-ErrorOrWarningCode-1";
/// The same codes' R4 system, as PDS answers with them (`personal-demographics.yaml`).
pub const SPINE_ERROR_OR_WARNING_CODE_R4: &str =
    "https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode";
/// BaRS (R4) error codes: `SEND_*`, `REC_*`, `PROXY_*`.
pub const BARS_HTTP_ERROR_CODES: &str = "https://fhir.nhs.uk/Codesystem/http-error-codes";
/// Every system whose codes the desk turns into plain words; the OperationOutcome shape is the
/// same in STU3 and R4 as far as the desk reads it.
pub const SPINE_ERROR_OR_WARNING_CODE_SYSTEMS: [&str; 4] = [
    SPINE_ERROR_OR_WARNING_CODE,
    SPINE_ERROR_OR_WARNING_CODE_VALUESET,
    SPINE_ERROR_OR_WARNING_CODE_R4,
    BARS_HTTP_ERROR_CODES,
];

pub const GPC_ORGANISATION_TYPE: &str =
    "https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-OrganisationType-1";
/// Document types for the 111 CDA (e.g. `POCD_MT200001GB02`).
pub const NHS_DOCUMENT_TYPE_OID: &str = "urn:oid:2.16.840.1.113883.2.1.3.2.4.18.17";

// Profiles: GP Connect.

pub const PROFILE_GPC_APPOINTMENT: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Appointment-1";
pub const PROFILE_GPC_SLOT: &str = "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Slot-1";
pub const PROFILE_GPC_SCHEDULE: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Schedule-1";
pub const PROFILE_GPC_OPERATION_OUTCOME: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1";
pub const PROFILE_GPC_SEARCHSET_BUNDLE: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Searchset-Bundle-1";
pub const PROFILE_GPC_PATIENT: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Patient-1";
pub const PROFILE_GPC_ORGANIZATION: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Organization-1";
pub const PROFILE_GPC_PRACTITIONER: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Practitioner-1";
pub const PROFILE_GPC_PRACTITIONER_ROLE: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-PractitionerRole-1";
pub const PROFILE_GPC_LOCATION: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Location-1";
pub const PROFILE_GPC_DOCUMENT_REFERENCE: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-DocumentReference-1";

// Profiles: CareConnect, as the UEC Booking standard uses them.

pub const PROFILE_CARECONNECT_APPOINTMENT: &str =
    "https://fhir.hl7.org.uk/STU3/StructureDefinition/CareConnect-Appointment-1";
pub const PROFILE_CARECONNECT_PATIENT: &str =
    "https://fhir.hl7.org.uk/STU3/StructureDefinition/CareConnect-Patient-1";
pub const PROFILE_CARECONNECT_DOCUMENT_REFERENCE: &str =
    "https://fhir.hl7.org.uk/STU3/StructureDefinition/CareConnect-DocumentReference-1";
pub const PROFILE_CARECONNECT_SLOT: &str =
    "https://fhir.hl7.org.uk/STU3/StructureDefinition/CareConnect-Slot-1";
