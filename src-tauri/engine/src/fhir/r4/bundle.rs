//! Bundle: BaRS messages (`type: message`) and search results
//! (`type: searchset`).

use serde::{Deserialize, Serialize};

use super::datatypes::{Identifier, Meta, Reference};
use super::messaging::MessageHeader;
use super::resource::{Resource, ResourceKind};
use crate::fhir::serde_helpers::{first_of_many, one_or_many};
use crate::fhir::stu3::parse_reference;

/// A Bundle's resources by reference; resolves as [`Bundle::find`] does.
pub type BundleIndex<'a> = crate::fhir::index::ReferenceIndex<'a, Resource>;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "resourceType", rename_all = "camelCase")]
pub struct Bundle {
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
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub identifier: Option<Identifier>,
    /// `document | message | transaction | transaction-response | batch |
    /// batch-response | history | searchset | collection`
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u32>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub link: Vec<BundleLink>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub entry: Vec<BundleEntry>,
}

impl Bundle {
    /// Every entry's resource, in order.
    pub fn resources(&self) -> impl Iterator<Item = &Resource> {
        self.entry.iter().filter_map(|e| e.resource.as_ref())
    }

    /// Every entry's resource of type `T`, in order.
    pub fn resources_of<T: ResourceKind>(&self) -> impl Iterator<Item = &T> {
        self.resources().filter_map(T::from_resource)
    }

    /// A message's header: the first entry's resource, where FHIR puts it.
    /// `None` when the first entry is anything else.
    pub fn message_header(&self) -> Option<&MessageHeader> {
        self.entry
            .first()
            .and_then(|e| e.resource.as_ref())
            .and_then(MessageHeader::from_resource)
    }

    /// Resolves a literal reference against the entries: an exact `fullUrl`
    /// match first (how message Bundles link, with `urn:uuid:`), then
    /// `Type/id` (also when `reference` is a URL ending in `Type/id`).
    pub fn find<'a>(&'a self, reference: &str) -> Option<&'a Resource> {
        let by_url = self
            .entry
            .iter()
            .find(|e| e.full_url.as_deref() == Some(reference))
            .and_then(|e| e.resource.as_ref());
        by_url.or_else(|| {
            let (type_, id) = parse_reference(reference)?;
            self.resources()
                .find(|r| r.resource_type() == type_ && r.id() == Some(id))
        })
    }

    /// [`Bundle::find`], keeping the result only if it is a `T`.
    pub fn find_of<'a, T: ResourceKind>(&'a self, reference: &str) -> Option<&'a T> {
        self.find(reference).and_then(T::from_resource)
    }

    /// The entries indexed for resolving many references at once.
    pub fn index(&self) -> BundleIndex<'_> {
        BundleIndex::new(self.entry.iter().filter_map(|e| {
            let r = e.resource.as_ref()?;
            Some((e.full_url.as_deref(), r, r.resource_type(), r.id()))
        }))
    }

    /// [`Bundle::find`] for a Reference element.
    pub fn resolve<'a>(&'a self, reference: &Reference) -> Option<&'a Resource> {
        reference.reference.as_deref().and_then(|r| self.find(r))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleLink {
    /// e.g. `self`, `next`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_url: Option<String>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub resource: Option<Resource>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub search: Option<BundleEntrySearch>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub response: Option<BundleEntryResponse>,
}

impl BundleEntry {
    /// An entry with a `fullUrl`, as every entry of a message must have.
    pub fn new(full_url: impl Into<String>, resource: impl Into<Resource>) -> Self {
        BundleEntry {
            full_url: Some(full_url.into()),
            resource: Some(resource.into()),
            ..BundleEntry::default()
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleEntrySearch {
    /// `match | include | outcome`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// The outcome of one entry of a batch or transaction.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleEntryResponse {
    /// HTTP status, e.g. `201 Created`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    #[serde(
        default,
        deserialize_with = "first_of_many",
        skip_serializing_if = "Option::is_none"
    )]
    pub outcome: Option<Resource>,
}
