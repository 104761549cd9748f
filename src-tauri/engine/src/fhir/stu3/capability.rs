//! CapabilityStatement: what a provider says it supports (`GET /metadata`).

use serde::{Deserialize, Serialize};

use super::bundle::Resource;
use super::datatypes::{CodeableConcept, Extension, Meta, Narrative, Reference};
use crate::fhir::serde_helpers::{date_time_or_none, first_of_many, one_or_many};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "resourceType", rename_all = "camelCase")]
pub struct CapabilityStatement {
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(
        default,
        deserialize_with = "date_time_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `instance | capability | requirements`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub software: Option<CapabilitySoftware>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub implementation: Option<CapabilityImplementation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fhir_version: Option<String>,
    /// `no | extensions | elements | both`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_unknown: Option<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub format: Vec<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub profile: Vec<Reference>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub rest: Vec<CapabilityRest>,
}

impl CapabilityStatement {
    /// The server-mode REST description's entry for a resource type.
    pub fn server_resource(&self, resource_type: &str) -> Option<&CapabilityRestResource> {
        self.rest
            .iter()
            .filter(|r| r.mode.as_deref().is_none_or(|m| m == "server"))
            .flat_map(|r| r.resource.iter())
            .find(|r| r.type_.as_deref() == Some(resource_type))
    }

    /// Whether the server declares `interaction` (e.g. `create`,
    /// `search-type`) on `resource_type`.
    pub fn supports(&self, resource_type: &str, interaction: &str) -> bool {
        self.server_resource(resource_type).is_some_and(|r| {
            r.interaction
                .iter()
                .any(|i| i.code.as_deref() == Some(interaction))
        })
    }

    /// A server-mode system operation by name (e.g. `gpc.registerpatient`).
    pub fn operation(&self, name: &str) -> Option<&CapabilityOperation> {
        self.rest
            .iter()
            .filter(|r| r.mode.as_deref().is_none_or(|m| m == "server"))
            .flat_map(|r| r.operation.iter())
            .find(|o| o.name.as_deref() == Some(name))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilitySoftware {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The published example carries placeholder text here; a value that is
    /// not a date is dropped on read.
    #[serde(
        default,
        deserialize_with = "date_time_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub release_date: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilityImplementation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilityRest {
    /// `client | server`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub security: Option<CapabilityRestSecurity>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub resource: Vec<CapabilityRestResource>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub operation: Vec<CapabilityOperation>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilityRestSecurity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors: Option<bool>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub service: Vec<CodeableConcept>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilityRestResource {
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub profile: Option<Reference>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub interaction: Vec<CapabilityInteraction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_create: Option<bool>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub search_include: Vec<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub search_param: Vec<CapabilitySearchParam>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilityInteraction {
    /// `read | vread | update | patch | delete | history-instance |
    /// history-type | create | search-type`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilitySearchParam {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilityOperation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Required by STU3, so always written.
    #[serde(default, deserialize_with = "first_or_default")]
    pub definition: Reference,
}

/// `definition` is mandatory, so a missing or empty array reads as an empty
/// Reference rather than failing the whole statement.
fn first_or_default<'de, D>(deserializer: D) -> Result<Reference, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Ok(first_of_many(deserializer)?.unwrap_or_default())
}
