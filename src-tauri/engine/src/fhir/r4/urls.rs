//! Identifier systems and code systems BaRS (R4) uses.
//!
//! Where published material uses more than one URL for the same thing, each
//! is here and a `*_SYSTEMS` slice lists every one a reader should accept.

// Identifier systems.

pub const NHS_NUMBER: &str = "https://fhir.nhs.uk/Id/nhs-number";
pub const ODS_ORGANIZATION_CODE: &str = "https://fhir.nhs.uk/Id/ods-organization-code";
/// The lower-case spelling BaRS's booking request example uses.
pub const ODS_ORGANIZATION_CODE_LOWER: &str = "https://fhir.nhs.uk/id/ods-organization-code";
pub const ODS_ORGANIZATION_CODE_SYSTEMS: [&str; 2] =
    [ODS_ORGANIZATION_CODE, ODS_ORGANIZATION_CODE_LOWER];
/// Directory of Services service id (BaRS examples use `http`).
pub const DOS_SERVICE_ID: &str = "http://fhir.nhs.uk/Id/dos-service-id";

// Code systems.

/// BaRS message events (`booking-request`, `servicerequest-request`...).
pub const MESSAGE_EVENTS_BARS: &str = "https://fhir.nhs.uk/CodeSystem/message-events-bars";
/// BaRS message reasons (`new`, `update`, `cancel`...).
pub const MESSAGE_REASON_BARS: &str = "https://fhir.nhs.uk/CodeSystem/message-reason-bars";

/// BaRS and API-platform error codes (`SEND_*`, `REC_*`, and the proxy's
/// own), as the published examples spell the URL.
pub const HTTP_ERROR_CODES: &str = "https://fhir.nhs.uk/Codesystem/http-error-codes";
/// The `CodeSystem` spelling other NHS API platform services send.
pub const HTTP_ERROR_CODES_CAMEL: &str = "https://fhir.nhs.uk/CodeSystem/http-error-codes";
pub const HTTP_ERROR_CODE_SYSTEMS: [&str; 2] = [HTTP_ERROR_CODES, HTTP_ERROR_CODES_CAMEL];

// Message definitions.

pub const MESSAGE_DEFINITION_BOOKING_REQUEST: &str =
    "https://fhir.nhs.uk/MessageDefinition/bars-message-booking-request";
