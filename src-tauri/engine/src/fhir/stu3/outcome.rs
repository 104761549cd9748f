//! OperationOutcome: how providers and the Spine report errors.

use serde::{Deserialize, Serialize};

use super::bundle::Resource;
use super::datatypes::{CodeableConcept, Coding, Extension, Meta, Narrative};
use super::urls;
use crate::fhir::serde_helpers::{first_of_many, one_or_many};

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

impl OperationOutcome {
    /// The first Spine error or warning coding in any issue, under either of
    /// the two system URLs in use.
    pub fn spine_coding(&self) -> Option<&Coding> {
        self.issue.iter().find_map(|i| {
            i.details
                .as_ref()
                .and_then(|d| d.coding_in_systems(&urls::SPINE_ERROR_OR_WARNING_CODE_SYSTEMS))
        })
    }

    /// The first Spine error code (e.g. `DUPLICATE_REJECTED`).
    pub fn spine_code(&self) -> Option<&str> {
        self.spine_coding().and_then(|c| c.code.as_deref())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationOutcomeIssue {
    /// `fatal | error | warning | information`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// The FHIR issue type, e.g. `invalid`, `not-found`, `conflict`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
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
