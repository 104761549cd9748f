//! OperationOutcome responses: every failure a service reports goes through `FhirError`.

use axum::http::StatusCode;
use serde_json::{Value, json};

pub const OUTCOME_PROFILE: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1";
pub const SPINE_CODE_SYSTEM: &str =
    "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1";

/// A failed FHIR request: HTTP status, FHIR issue type, Spine error code and diagnostics.
#[derive(Debug, Clone)]
pub struct FhirError {
    pub status: StatusCode,
    pub issue: &'static str,
    pub spine: &'static str,
    pub diagnostics: String,
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
        _ => "Error",
    }
}

/// Builds an OperationOutcome with one error issue.
pub fn operation_outcome(issue: &str, spine: &str, diagnostics: &str) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "meta": { "profile": [OUTCOME_PROFILE] },
        "issue": [{
            "severity": "error",
            "code": issue,
            "details": {
                "coding": [{
                    "system": SPINE_CODE_SYSTEM,
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
        }
    }

    pub fn to_json(&self) -> Value {
        operation_outcome(self.issue, self.spine, &self.diagnostics)
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
    /// How some UEC providers report a slot that has gone: a business-rule failure, not a 409.
    pub fn slot_no_longer_free_business_rule() -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "business-rule",
            "INVALID_RESOURCE",
            "The slot is no longer free",
        )
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
    }
}
