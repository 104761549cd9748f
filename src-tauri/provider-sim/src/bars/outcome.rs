//! BaRS errors in the published OperationOutcome shapes, coded from the platform's
//! http-error-codes system. `SEND_*` blame the sender (as the platform's proxy sees the request),
//! `REC_*` come from the receiving service, and the unprefixed `BAD_REQUEST` and `NOT_FOUND` are
//! the proxy's own (a malformed or unknown target).

use axum::http::StatusCode;
use serde_json::{Value, json};

pub const HTTP_ERROR_CODES: &str = "https://fhir.nhs.uk/Codesystem/http-error-codes";
/// As the published examples have it.
pub const OUTCOME_PROFILE: &str =
    "https://simplifier.net/guide/UKCoreDevelopment2/ProfileUKCore-OperationOutcome";

#[derive(Debug, Clone)]
pub struct BarsError {
    pub status: StatusCode,
    /// The http-error-codes code, e.g. `REC_CONFLICT`.
    pub code: &'static str,
    /// The FHIR issue type, e.g. `conflict`.
    pub issue: &'static str,
    pub diagnostics: String,
}

impl BarsError {
    fn new(
        status: StatusCode,
        code: &'static str,
        issue: &'static str,
        diagnostics: impl Into<String>,
    ) -> Self {
        BarsError {
            status,
            code,
            issue,
            diagnostics: diagnostics.into(),
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "resourceType": "OperationOutcome",
            "id": uuid::Uuid::new_v4().to_string(),
            "meta": { "profile": [OUTCOME_PROFILE] },
            "issue": [{
                "severity": "error",
                "code": self.issue,
                "details": {
                    "coding": [{ "system": HTTP_ERROR_CODES, "code": self.code }]
                },
                "diagnostics": self.diagnostics,
            }]
        })
    }

    /// `issue`: `unknown` (no token), `security` (not one we issued), `expired`.
    pub fn send_unauthorized(issue: &'static str, d: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "SEND_UNAUTHORIZED", issue, d)
    }
    /// A required header is missing or unusable.
    pub fn send_bad_request(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "SEND_BAD_REQUEST", "invalid", d)
    }
    pub fn send_method_not_allowed(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "SEND_METHOD_NOT_ALLOWED",
            "not-supported",
            d,
        )
    }
    pub fn send_not_acceptable(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_ACCEPTABLE,
            "SEND_NOT_ACCEPTABLE",
            "processing",
            d,
        )
    }
    /// The platform's rate limit: nothing reached the service.
    pub fn send_too_many_requests(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "SEND_TOO_MANY_REQUESTS",
            "throttled",
            d,
        )
    }
    /// The target identifier cannot be read.
    pub fn proxy_bad_request(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", "structure", d)
    }
    /// No such endpoint, or no endpoint for the target.
    pub fn proxy_not_found(d: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", "not-found", d)
    }
    /// Published, but not offered by the simulated platform (the API's 5XX table:
    /// "The Proxy did not recognize the request").
    pub fn proxy_not_implemented(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "PROXY_NOT_IMPLEMENTED",
            "not-supported",
            d,
        )
    }
    /// `issue`: `invalid`, `required`, `value`, `invariant` or `not-supported`.
    pub fn rec_bad_request(issue: &'static str, d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "REC_BAD_REQUEST", issue, d)
    }
    pub fn rec_not_found(d: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "REC_NOT_FOUND", "not-found", d)
    }
    pub fn rec_not_acceptable(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_ACCEPTABLE,
            "REC_NOT_ACCEPTABLE",
            "processing",
            d,
        )
    }
    /// `issue`: `conflict` (the slot or booking has changed) or `duplicate` (already processed).
    pub fn rec_conflict(issue: &'static str, d: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "REC_CONFLICT", issue, d)
    }
    pub fn rec_unprocessable(issue: &'static str, d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "REC_UNPROCESSABLE_ENTITY",
            issue,
            d,
        )
    }
    pub fn rec_too_large(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "REC_BAD_REQUEST",
            "too-costly",
            d,
        )
    }
    pub fn rec_server_error(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "REC_SERVER_ERROR",
            "exception",
            d,
        )
    }
    pub fn rec_not_implemented(d: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "REC_NOT_IMPLEMENTED",
            "not-supported",
            d,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Same shape as the published `SEND_401-SEND_UNAUTHORIZED-unknown` example.
    #[test]
    fn outcome_shape() {
        let v = BarsError::send_unauthorized("unknown", "No access token was provided").to_json();
        assert_eq!(v["resourceType"], "OperationOutcome");
        assert_eq!(v["meta"]["profile"][0], OUTCOME_PROFILE);
        assert!(v["id"].is_string());
        let issue = &v["issue"][0];
        assert_eq!(issue["severity"], "error");
        assert_eq!(issue["code"], "unknown");
        assert_eq!(issue["details"]["coding"][0]["system"], HTTP_ERROR_CODES);
        assert_eq!(issue["details"]["coding"][0]["code"], "SEND_UNAUTHORIZED");
        assert_eq!(issue["diagnostics"], "No access token was provided");
    }
}
