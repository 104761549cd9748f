//! Parameters: the body of FHIR operations such as GP Connect's
//! `$gpc.registerpatient`.

use serde::{Deserialize, Serialize};

use super::bundle::Resource;
use super::datatypes::{CodeableConcept, Coding, Identifier, Meta, Period, Reference};
use crate::fhir::serde_helpers::{first_of_many, one_or_many};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "resourceType", rename_all = "camelCase")]
pub struct Parameters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub meta: Option<Meta>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub parameter: Vec<ParametersParameter>,
}

impl Parameters {
    /// A single parameter carrying a resource.
    pub fn with_resource(name: impl Into<String>, resource: impl Into<Resource>) -> Self {
        Parameters {
            parameter: vec![ParametersParameter {
                name: name.into(),
                resource: Some(resource.into()),
                ..ParametersParameter::default()
            }],
            ..Parameters::default()
        }
    }

    /// The first parameter called `name`.
    pub fn get(&self, name: &str) -> Option<&ParametersParameter> {
        self.parameter.iter().find(|p| p.name == name)
    }
}

/// One named parameter: a value, a resource or nested parts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParametersParameter {
    /// Required by STU3, so always written.
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_string: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_boolean: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_integer: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_date_time: Option<String>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub value_coding: Option<Coding>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub value_codeable_concept: Option<CodeableConcept>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub value_identifier: Option<Identifier>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub value_reference: Option<Reference>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub value_period: Option<Period>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub resource: Option<Resource>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub part: Vec<ParametersParameter>,
}
