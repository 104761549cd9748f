//! R4 (4.0.1) general-purpose data types that differ from STU3, plus the few
//! R4 adds that BaRS uses. Types whose R4 shape is the same as STU3's
//! (Coding, CodeableConcept, Period, HumanName, Address, ContactPoint,
//! Narrative) are the STU3 structs, re-exported from [`super`].
//!
//! Every field is optional on read so that partial or unusual payloads still
//! parse; on write, absent and empty elements are left out.

use serde::{Deserialize, Serialize};

use crate::fhir::serde_helpers::{first_of_many, one_or_many};
use crate::fhir::stu3::{CodeableConcept, Coding, ContactPoint, Period, parse_reference};

/// Resource metadata. R4 adds `source`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub profile: Vec<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub security: Vec<Coding>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tag: Vec<Coding>,
}

impl Meta {
    /// Metadata that claims one profile.
    pub fn with_profile(url: impl Into<String>) -> Self {
        Meta {
            profile: vec![url.into()],
            ..Meta::default()
        }
    }
}

/// An extension. R4 has more `value[x]` types than STU3 (UK Core sends
/// `valuePositiveInt`, for one); only those BaRS payloads carry are
/// modelled, and on write exactly the ones that are set are emitted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extension {
    #[serde(default)]
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_string: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_boolean: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_integer: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_positive_int: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_decimal: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_canonical: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_instant: Option<String>,
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
    pub value_reference: Option<Reference>,
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
    pub value_period: Option<Period>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub value_quantity: Option<Quantity>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub extension: Vec<Extension>,
}

impl Extension {
    fn bare(url: impl Into<String>) -> Self {
        Extension {
            url: url.into(),
            ..Extension::default()
        }
    }

    /// An extension carrying `valueCode`.
    pub fn code(url: impl Into<String>, code: impl Into<String>) -> Self {
        Extension {
            value_code: Some(code.into()),
            ..Extension::bare(url)
        }
    }

    /// An extension carrying `valueString`.
    pub fn string(url: impl Into<String>, value: impl Into<String>) -> Self {
        Extension {
            value_string: Some(value.into()),
            ..Extension::bare(url)
        }
    }

    /// An extension carrying `valueCodeableConcept`.
    pub fn codeable_concept(url: impl Into<String>, concept: CodeableConcept) -> Self {
        Extension {
            value_codeable_concept: Some(concept),
            ..Extension::bare(url)
        }
    }

    /// A complex extension made of nested extensions.
    pub fn nested(url: impl Into<String>, extension: Vec<Extension>) -> Self {
        Extension {
            extension,
            ..Extension::bare(url)
        }
    }
}

/// The first extension with this URL (order is not reliable; the first wins).
pub fn extension_by_url<'a>(exts: &'a [Extension], url: &str) -> Option<&'a Extension> {
    exts.iter().find(|e| e.url == url)
}

/// A business identifier. R4 and STU3 agree on its elements, but it carries
/// R4 extensions and an R4 `assigner` reference, so it is its own type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identifier {
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub extension: Vec<Extension>,
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(
        default,
        rename = "type",
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub type_: Option<CodeableConcept>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub period: Option<Period>,
    /// Boxed: a Reference may itself carry an Identifier.
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub assigner: Option<Box<Reference>>,
}

impl Identifier {
    pub fn new(system: impl Into<String>, value: impl Into<String>) -> Self {
        Identifier {
            system: Some(system.into()),
            value: Some(value.into()),
            ..Identifier::default()
        }
    }
}

/// The value of the first identifier in `system`.
pub fn identifier_value<'a>(identifiers: &'a [Identifier], system: &str) -> Option<&'a str> {
    identifiers
        .iter()
        .find(|i| i.system.as_deref() == Some(system))
        .and_then(|i| i.value.as_deref())
}

/// A reference to another resource. R4 adds `type`, which BaRS sends
/// (sometimes in the wrong case, e.g. `serviceRequest`: kept as sent).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub identifier: Option<Identifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Reference {
    pub fn new(reference: impl Into<String>) -> Self {
        Reference {
            reference: Some(reference.into()),
            ..Reference::default()
        }
    }

    /// The resource type and id for relative and absolute literal
    /// references; `None` for contained, `urn:` and identifier-only ones.
    pub fn type_and_id(&self) -> Option<(&str, &str)> {
        self.reference.as_deref().and_then(parse_reference)
    }
}

/// A measured amount.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quantity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// `< | <= | >= | >`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// A note with its author and time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub author_reference: Option<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_string: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Required by R4; optional here so a note without text still reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl Annotation {
    pub fn text(text: impl Into<String>) -> Self {
        Annotation {
            text: Some(text.into()),
            ..Annotation::default()
        }
    }
}

/// Who to contact about a conformance resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactDetail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub telecom: Vec<ContactPoint>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reference_keeps_r4_type() {
        let r: Reference = serde_json::from_value(json!({
            "reference": "ServiceRequest/236bb75d", "type": "serviceRequest"
        }))
        .expect("reads");
        assert_eq!(r.type_.as_deref(), Some("serviceRequest"));
        assert_eq!(r.type_and_id(), Some(("ServiceRequest", "236bb75d")));
        assert_eq!(
            serde_json::to_value(&r).expect("writes"),
            json!({"reference": "ServiceRequest/236bb75d", "type": "serviceRequest"})
        );
        assert_eq!(Reference::new("urn:uuid:1").type_and_id(), None);
    }

    #[test]
    fn extension_reads_positive_int_and_nesting() {
        let e: Extension = serde_json::from_value(json!({
            "url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-ContactRank",
            "valuePositiveInt": 1
        }))
        .expect("reads");
        assert_eq!(e.value_positive_int, Some(1));
        let nested = Extension::nested("outer", vec![Extension::string("inner", "x")]);
        assert_eq!(
            serde_json::to_value(&nested).expect("writes"),
            json!({"url": "outer", "extension": [{"url": "inner", "valueString": "x"}]})
        );
        assert_eq!(
            extension_by_url(&nested.extension, "inner").and_then(|e| e.value_string.as_deref()),
            Some("x")
        );
    }

    #[test]
    fn identifier_with_assigner_round_trips() {
        let i = Identifier {
            assigner: Some(Box::new(Reference::new("Organization/1"))),
            ..Identifier::new("https://fhir.nhs.uk/Id/nhs-number", "9434765919")
        };
        let written = serde_json::to_value(&i).expect("writes");
        assert_eq!(written["assigner"]["reference"], "Organization/1");
        let back: Identifier = serde_json::from_value(written).expect("reads");
        assert_eq!(back, i);
        assert_eq!(
            identifier_value(&[i], "https://fhir.nhs.uk/Id/nhs-number"),
            Some("9434765919")
        );
    }

    #[test]
    fn empty_meta_writes_nothing() {
        assert_eq!(
            serde_json::to_value(Meta::default()).expect("writes"),
            json!({})
        );
        assert_eq!(
            serde_json::to_value(Meta::with_profile("p")).expect("writes"),
            json!({"profile": ["p"]})
        );
    }
}
