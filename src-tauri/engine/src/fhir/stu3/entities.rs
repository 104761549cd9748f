//! Organization, Location and HealthcareService.

use serde::{Deserialize, Serialize};

use super::bundle::Resource;
use super::datatypes::{
    Address, CodeableConcept, ContactPoint, Extension, Identifier, Meta, Narrative, Reference,
    identifier_value,
};
use super::urls;
use crate::fhir::serde_helpers::{first_of_many, one_or_many};

/// An organisation: a provider, or the booking organisation we contain in
/// an Appointment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "resourceType", rename_all = "camelCase")]
pub struct Organization {
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
    pub identifier: Vec<Identifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(
        default,
        rename = "type",
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub type_: Vec<CodeableConcept>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub telecom: Vec<ContactPoint>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub address: Vec<Address>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub part_of: Option<Reference>,
}

impl Organization {
    /// The ODS organisation code.
    pub fn ods_code(&self) -> Option<&str> {
        identifier_value(&self.identifier, urls::ODS_ORGANIZATION_CODE)
    }
}

/// A place where care is given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "resourceType", rename_all = "camelCase")]
pub struct Location {
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
    pub identifier: Vec<Identifier>,
    /// `active | suspended | inactive`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(
        default,
        rename = "type",
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub type_: Option<CodeableConcept>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub telecom: Vec<ContactPoint>,
    /// `0..1`, but GP Connect's own examples send an array: the first is kept.
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub address: Option<Address>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub managing_organization: Option<Reference>,
}

/// A service offered at one or more locations (the UEC booking target).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "resourceType", rename_all = "camelCase")]
pub struct HealthcareService {
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
    pub identifier: Vec<Identifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub provided_by: Option<Reference>,
    /// `0..1` in STU3, `0..*` in R4: the first is kept.
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub category: Option<CodeableConcept>,
    #[serde(
        default,
        rename = "type",
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub type_: Vec<CodeableConcept>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub specialty: Vec<CodeableConcept>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub location: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub telecom: Vec<ContactPoint>,
}
