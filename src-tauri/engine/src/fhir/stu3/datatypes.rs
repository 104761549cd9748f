//! STU3 general-purpose data types (the subset booking needs).
//!
//! Every field is optional on read so that partial or unusual payloads still
//! parse; on write, absent and empty elements are left out.

use serde::{Deserialize, Serialize};

use crate::fhir::serde_helpers::{first_of_many, one_or_many};

/// Resource metadata.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub profile: Vec<String>,
}

impl Meta {
    /// Metadata that claims one profile, as every resource we write does.
    pub fn with_profile(url: impl Into<String>) -> Self {
        Meta {
            profile: vec![url.into()],
            ..Meta::default()
        }
    }
}

/// An extension. Only the `value[x]` types booking meets are modelled; on
/// write exactly the ones that are set are emitted.
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
    pub value_reference: Option<Reference>,
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
    pub value_period: Option<Period>,
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

    /// An extension carrying `valueReference`.
    pub fn reference(url: impl Into<String>, reference: Reference) -> Self {
        Extension {
            value_reference: Some(reference),
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

/// The first extension with this URL. Providers are not consistent about
/// order, and some repeat an extension; the first one wins.
pub fn extension_by_url<'a>(exts: &'a [Extension], url: &str) -> Option<&'a Extension> {
    exts.iter().find(|e| e.url == url)
}

/// A code from a code system.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Coding {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Coding {
    pub fn new(system: impl Into<String>, code: impl Into<String>) -> Self {
        Coding {
            system: Some(system.into()),
            code: Some(code.into()),
            ..Coding::default()
        }
    }

    pub fn with_display(mut self, display: impl Into<String>) -> Self {
        self.display = Some(display.into());
        self
    }
}

/// Codes and/or text for one concept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeableConcept {
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub coding: Vec<Coding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl CodeableConcept {
    pub fn from_coding(coding: Coding) -> Self {
        CodeableConcept {
            coding: vec![coding],
            text: None,
        }
    }

    pub fn from_text(text: impl Into<String>) -> Self {
        CodeableConcept {
            coding: Vec::new(),
            text: Some(text.into()),
        }
    }

    /// The first coding in `system`.
    pub fn coding_with_system(&self, system: &str) -> Option<&Coding> {
        self.coding
            .iter()
            .find(|c| c.system.as_deref() == Some(system))
    }

    /// The first coding in any of `systems` (several URLs are in use for
    /// some code systems).
    pub fn coding_in_systems(&self, systems: &[&str]) -> Option<&Coding> {
        self.coding
            .iter()
            .find(|c| c.system.as_deref().is_some_and(|s| systems.contains(&s)))
    }

    /// `text`, else the first coding's display, else its code.
    pub fn display_text(&self) -> Option<&str> {
        self.text
            .as_deref()
            .or_else(|| self.coding.iter().find_map(|c| c.display.as_deref()))
            .or_else(|| self.coding.iter().find_map(|c| c.code.as_deref()))
    }
}

/// A business identifier.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identifier {
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub extension: Vec<Extension>,
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

/// A reference to another resource: relative (`Slot/1`), absolute
/// (`https://host/base/Slot/1`), contained (`#1`) or by identifier.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
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

    /// A reference to a contained resource: `#id`.
    pub fn contained(id: &str) -> Self {
        Reference::new(format!("#{id}"))
    }

    /// The resource type and id this reference points at, for relative and
    /// absolute literal references; `None` for contained, `urn:` and
    /// identifier-only references.
    pub fn type_and_id(&self) -> Option<(&str, &str)> {
        self.reference.as_deref().and_then(parse_reference)
    }

    /// The id of a contained resource (`#id` → `id`).
    pub fn contained_id(&self) -> Option<&str> {
        self.reference
            .as_deref()
            .and_then(|r| r.strip_prefix('#'))
            .filter(|id| !id.is_empty())
    }
}

/// Splits `Type/id`, `Type/id/_history/v` or a URL ending in either into
/// `(Type, id)`.
pub fn parse_reference(reference: &str) -> Option<(&str, &str)> {
    if reference.starts_with('#') || reference.starts_with("urn:") {
        return None;
    }
    // Ignore any query or fragment a server might add.
    let path = reference.split(['?', '#']).next().unwrap_or_default();
    let path = path.trim_end_matches('/');
    let path = match path.rfind("/_history/") {
        Some(at) => &path[..at],
        None => path,
    };
    let (rest, id) = path.rsplit_once('/')?;
    let type_ = rest.rsplit('/').next().unwrap_or(rest);
    let type_ok = type_.starts_with(|c: char| c.is_ascii_uppercase())
        && type_.chars().all(|c| c.is_ascii_alphabetic());
    (type_ok && !id.is_empty()).then_some((type_, id))
}

/// A time range; either end may be open.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

/// A person's name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HumanName {
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Some systems still send the DSTU2 array form: the first part is kept.
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub family: Option<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub given: Vec<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub prefix: Vec<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub suffix: Vec<String>,
}

impl HumanName {
    /// "Prefix Given Family Suffix" from the parts, or `text` when there
    /// are no parts. Empty when neither is present.
    pub fn display(&self) -> String {
        let parts: Vec<&str> = self
            .prefix
            .iter()
            .chain(self.given.iter())
            .map(String::as_str)
            .chain(self.family.as_deref())
            .chain(self.suffix.iter().map(String::as_str))
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() {
            self.text.as_deref().unwrap_or_default().trim().to_owned()
        } else {
            parts.join(" ")
        }
    }
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub line: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A phone number, email address or similar.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactPoint {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
}

impl ContactPoint {
    pub fn phone(value: impl Into<String>) -> Self {
        ContactPoint {
            system: Some("phone".to_owned()),
            value: Some(value.into()),
            ..ContactPoint::default()
        }
    }
}

/// Human-readable XHTML summary of a resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "NarrativeWire")]
pub struct Narrative {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default)]
    pub div: String,
}

/// Published examples sometimes give the XHTML as a bare string in place of
/// the Narrative object; accept both on read.
#[derive(Deserialize)]
#[serde(untagged)]
enum NarrativeWire {
    Div(String),
    Full {
        #[serde(default)]
        status: Option<String>,
        #[serde(default)]
        div: String,
    },
}

impl From<NarrativeWire> for Narrative {
    fn from(wire: NarrativeWire) -> Self {
        match wire {
            NarrativeWire::Div(div) => Narrative { status: None, div },
            NarrativeWire::Full { status, div } => Narrative { status, div },
        }
    }
}

/// Content (inline or by URL) with its type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Base64-encoded content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Base64-encoded SHA-1 of the content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reference_forms() {
        assert_eq!(parse_reference("Slot/1"), Some(("Slot", "1")));
        assert_eq!(parse_reference("Slot/1/_history/3"), Some(("Slot", "1")));
        assert_eq!(
            parse_reference("https://host/A1/STU3/1/gpconnect/Location/17"),
            Some(("Location", "17"))
        );
        assert_eq!(
            parse_reference("https://host/base/Appointment/9/_history/2?x=1"),
            Some(("Appointment", "9"))
        );
        assert_eq!(parse_reference("#1"), None);
        assert_eq!(
            parse_reference("urn:uuid:6b9c59dd-675b-4026-98db-f608ef501e6e"),
            None
        );
        assert_eq!(parse_reference("Slot"), None);
        assert_eq!(parse_reference("Slot/"), None);
        assert_eq!(parse_reference("https://host/base/1"), None);
    }

    #[test]
    fn reference_helpers() {
        assert_eq!(
            Reference::new("Practitioner/2").type_and_id(),
            Some(("Practitioner", "2"))
        );
        assert_eq!(Reference::contained("P1").reference.as_deref(), Some("#P1"));
        assert_eq!(Reference::contained("P1").contained_id(), Some("P1"));
        assert_eq!(Reference::new("Slot/1").contained_id(), None);
        assert_eq!(Reference::default().type_and_id(), None);
    }

    #[test]
    fn human_name_display() {
        let name = HumanName {
            family: Some("Black".into()),
            given: vec!["Sarah".into()],
            prefix: vec!["Mrs".into()],
            ..HumanName::default()
        };
        assert_eq!(name.display(), "Mrs Sarah Black");
        let text_only = HumanName {
            text: Some("JACKSON Jane (Miss)".into()),
            ..HumanName::default()
        };
        assert_eq!(text_only.display(), "JACKSON Jane (Miss)");
        assert_eq!(HumanName::default().display(), "");
    }

    #[test]
    fn extension_serialises_only_its_value() {
        let ext = Extension::code("https://example.org/ext", "In-person");
        let json = serde_json::to_value(&ext).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({"url": "https://example.org/ext", "valueCode": "In-person"})
        );
        let exts = vec![
            Extension::string("a", "first"),
            ext,
            Extension::string("a", "second"),
        ];
        assert_eq!(
            extension_by_url(&exts, "a").and_then(|e| e.value_string.as_deref()),
            Some("first")
        );
        assert!(extension_by_url(&exts, "missing").is_none());
    }

    #[test]
    fn narrative_accepts_bare_string() {
        let n: Narrative = serde_json::from_str(r#""<div>x</div>""#).expect("string form");
        assert_eq!(n.div, "<div>x</div>");
        let n: Narrative =
            serde_json::from_str(r#"{"status":"generated","div":"<div>y</div>","extra":1}"#)
                .expect("object form");
        assert_eq!(n.status.as_deref(), Some("generated"));
        assert_eq!(
            serde_json::to_value(&n).expect("serialises"),
            serde_json::json!({"status":"generated","div":"<div>y</div>"})
        );
    }

    #[test]
    fn coding_lookup_across_systems() {
        let cc = CodeableConcept {
            coding: vec![
                Coding::new("https://other", "X"),
                Coding::new("https://old", "NO_RECORD_FOUND").with_display("No record"),
            ],
            text: None,
        };
        assert_eq!(
            cc.coding_in_systems(&["https://new", "https://old"])
                .and_then(|c| c.code.as_deref()),
            Some("NO_RECORD_FOUND")
        );
        assert!(cc.coding_with_system("https://new").is_none());
        assert_eq!(cc.display_text(), Some("No record"));
    }
}
