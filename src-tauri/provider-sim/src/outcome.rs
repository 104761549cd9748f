//! OperationOutcome responses: every failure a service reports goes through `FhirError`.

use axum::http::StatusCode;
use serde_json::{Value, json};

pub const OUTCOME_PROFILE: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1";
pub const SPINE_CODE_SYSTEM: &str =
    "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1";
/// FHIR's own issue types, which UEC providers use in `details` for a slot that has gone.
pub const ISSUE_TYPE_SYSTEM: &str = "http://hl7.org/fhir/issue-type";

/// A failed FHIR request: HTTP status, FHIR issue type, Spine error code and diagnostics.
#[derive(Debug, Clone)]
pub struct FhirError {
    pub status: StatusCode,
    pub issue: &'static str,
    pub spine: &'static str,
    pub diagnostics: String,
    /// The code system of `spine` in `details.coding`: Spine's, unless a standard says otherwise.
    pub details_system: &'static str,
}

fn display_for(spine: &str) -> &'static str {
    match spine {
        "BAD_REQUEST" => "Bad request",
        "MISSING_OR_INVALID_HEADER" => "Missing or invalid header",
        "MESSAGE_NOT_WELL_FORMED" => "Message not well formed",
        "INVALID_NHS_NUMBER" => "Invalid NHS number",
        "INVALID_IDENTIFIER_SYSTEM" => "Invalid identifier system",
        "INVALID_IDENTIFIER_VALUE" => "Invalid identifier value",
        "ACCESS_DENIED" => "Access denied",
        "NO_RECORD_FOUND" => "No record found",
        "PATIENT_NOT_FOUND" => "Patient not found",
        "DUPLICATE_REJECTED" => "Duplicate rejected",
        "CONFLICT" => "Conflict",
        "PRECONDITION_FAILED" => "Precondition failed",
        "UNSUPPORTED_MEDIA_TYPE" => "Unsupported media type",
        "INVALID_RESOURCE" => "Invalid resource",
        "INVALID_PARAMETER" => "Invalid parameter",
        "REFERENCE_NOT_FOUND" => "Reference not found",
        "NOT_IMPLEMENTED" => "Not implemented",
        "INTERNAL_SERVER_ERROR" => "Internal server error",
        "processing" => "Processing Failure",
        _ => "Error",
    }
}

/// Builds an OperationOutcome with one error issue whose `details` code is in `system`.
fn operation_outcome(system: &str, issue: &str, spine: &str, diagnostics: &str) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "meta": { "profile": [OUTCOME_PROFILE] },
        "issue": [{
            "severity": "error",
            "code": issue,
            "details": {
                "coding": [{
                    "system": system,
                    "code": spine,
                    "display": display_for(spine),
                }]
            },
            "diagnostics": diagnostics,
        }]
    })
}

impl FhirError {
    pub fn new(
        status: StatusCode,
        issue: &'static str,
        spine: &'static str,
        diagnostics: impl Into<String>,
    ) -> Self {
        FhirError {
            status,
            issue,
            spine,
            diagnostics: diagnostics.into(),
            details_system: SPINE_CODE_SYSTEM,
        }
    }

    pub fn to_json(&self) -> Value {
        operation_outcome(
            self.details_system,
            self.issue,
            self.spine,
            &self.diagnostics,
        )
    }

    pub fn bad_request(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid", "BAD_REQUEST", d)
    }
    pub fn invalid_header(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            "MISSING_OR_INVALID_HEADER",
            d,
        )
    }
    pub fn not_well_formed(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "structure",
            "MESSAGE_NOT_WELL_FORMED",
            d,
        )
    }
    pub fn invalid_nhs_number(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "value", "INVALID_NHS_NUMBER", d)
    }
    pub fn invalid_identifier_system(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "value",
            "INVALID_IDENTIFIER_SYSTEM",
            d,
        )
    }
    pub fn invalid_identifier_value(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "value",
            "INVALID_IDENTIFIER_VALUE",
            d,
        )
    }
    pub fn payload_too_large(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-costly",
            "BAD_REQUEST",
            d,
        )
    }
    pub fn access_denied(d: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "ACCESS_DENIED", d)
    }
    pub fn no_record_found(d: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "NO_RECORD_FOUND", d)
    }
    pub fn patient_not_found(d: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "PATIENT_NOT_FOUND", d)
    }
    pub fn duplicate_rejected(d: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "duplicate", "DUPLICATE_REJECTED", d)
    }
    pub fn version_conflict(d: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", "CONFLICT", d)
    }
    pub fn precondition_failed(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "invalid",
            "PRECONDITION_FAILED",
            d,
        )
    }
    pub fn unsupported_media_type(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not-supported",
            "UNSUPPORTED_MEDIA_TYPE",
            d,
        )
    }
    pub fn invalid_resource(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "INVALID_RESOURCE",
            d,
        )
    }
    pub fn invalid_parameter(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "INVALID_PARAMETER",
            d,
        )
    }
    pub fn reference_not_found(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "REFERENCE_NOT_FOUND",
            d,
        )
    }
    /// How UEC providers report a slot that has gone when they answer 422 rather than 409: one
    /// `processing` issue, `details` from FHIR's issue types, "Slot no longer available"
    /// (`nhsdigitalmait/FHIR_111_UEC`, `autotest_config/tstp/EB_BookAppointment.tstp`, the
    /// SlotAlreadyBooked checks, SCAL P-BOOK-APP-SLOT-NOT-FREE-OPER-OUT-RES-ONE-ISSUE).
    pub fn slot_no_longer_free_business_rule() -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "processing",
            "processing",
            "Slot no longer available",
        );
        e.details_system = ISSUE_TYPE_SYSTEM;
        e
    }
    pub fn not_implemented(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "not-supported",
            "NOT_IMPLEMENTED",
            d,
        )
    }
    pub fn internal(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "exception",
            "INTERNAL_SERVER_ERROR",
            d,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_shape() {
        let v = FhirError::invalid_parameter("window too long").to_json();
        assert_eq!(v["resourceType"], "OperationOutcome");
        assert_eq!(v["meta"]["profile"][0], OUTCOME_PROFILE);
        assert_eq!(v["issue"][0]["severity"], "error");
        assert_eq!(v["issue"][0]["code"], "invalid");
        assert_eq!(
            v["issue"][0]["details"]["coding"][0]["code"],
            "INVALID_PARAMETER"
        );
        assert_eq!(v["issue"][0]["diagnostics"], "window too long");
        assert_eq!(
            v["issue"][0]["details"]["coding"][0]["system"],
            SPINE_CODE_SYSTEM
        );
    }

    #[test]
    fn uec_slot_gone_is_a_processing_failure() {
        let e = FhirError::slot_no_longer_free_business_rule();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        let v = e.to_json();
        assert_eq!(v["issue"][0]["code"], "processing");
        let coding = &v["issue"][0]["details"]["coding"][0];
        assert_eq!(coding["system"], "http://hl7.org/fhir/issue-type");
        assert_eq!(coding["code"], "processing");
        assert_eq!(coding["display"], "Processing Failure");
        assert_eq!(v["issue"][0]["diagnostics"], "Slot no longer available");
    }
}
