//! OperationOutcome: how BaRS reports errors.

use serde::{Deserialize, Serialize};

use super::datatypes::{Extension, Meta};
use super::resource::Resource;
use super::urls;
use crate::fhir::serde_helpers::{first_of_many, one_or_many};
use crate::fhir::stu3::{CodeableConcept, Coding, Narrative};

/// How BaRS, the API platform's proxy and receivers report errors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "resourceType", rename_all = "camelCase")]
pub struct OperationOutcome {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub text: Option<Narrative>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub contained: Vec<Resource>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub extension: Vec<Extension>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub issue: Vec<OperationOutcomeIssue>,
}

/// One problem.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationOutcomeIssue {
    /// `fatal | error | warning | information`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// The FHIR issue type, e.g. `invalid`, `not-found`, `duplicate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// BaRS codes it in `https://fhir.nhs.uk/Codesystem/http-error-codes`.
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub details: Option<CodeableConcept>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub location: Vec<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub expression: Vec<String>,
}

impl OperationOutcome {
    /// The first BaRS error coding in any issue (`SEND_*`, `REC_*`, or the
    /// proxy's own such as `BAD_REQUEST`), under either spelling of the
    /// code system URL.
    pub fn error_coding(&self) -> Option<&Coding> {
        self.issue
            .iter()
            .find_map(OperationOutcomeIssue::error_coding)
    }

    /// The first BaRS error code, e.g. `REC_CONFLICT`.
    pub fn error_code(&self) -> Option<&str> {
        self.error_coding().and_then(|c| c.code.as_deref())
    }
}

impl OperationOutcomeIssue {
    /// This issue's BaRS error coding.
    pub fn error_coding(&self) -> Option<&Coding> {
        self.details
            .as_ref()
            .and_then(|d| d.coding_in_systems(&urls::HTTP_ERROR_CODE_SYSTEMS))
    }
}
