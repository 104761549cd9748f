//! Bundle and the `Resource` enum that holds any resource we know, or any
//! we do not.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::capability::CapabilityStatement;
use super::datatypes::{Meta, parse_reference};
use super::documents::DocumentReference;
use super::entities::{HealthcareService, Location, Organization};
use super::individuals::{Patient, Practitioner, PractitionerRole};
use super::outcome::OperationOutcome;
use super::parameters::Parameters;
use super::scheduling::{Appointment, Schedule, Slot};
use crate::fhir::serde_helpers::{first_of_many, one_or_many};

/// Any STU3 resource. Known types are parsed into their structs; anything
/// else (or anything without a `resourceType`) is kept as raw JSON in
/// `Other`, so one unexpected entry never fails a whole Bundle.
///
/// Serialising writes each struct with its own `resourceType`, and `Other`
/// exactly as it was read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Resource {
    Appointment(Box<Appointment>),
    Bundle(Box<Bundle>),
    CapabilityStatement(Box<CapabilityStatement>),
    DocumentReference(Box<DocumentReference>),
    HealthcareService(Box<HealthcareService>),
    Location(Box<Location>),
    OperationOutcome(Box<OperationOutcome>),
    Organization(Box<Organization>),
    Parameters(Box<Parameters>),
    Patient(Box<Patient>),
    Practitioner(Box<Practitioner>),
    PractitionerRole(Box<PractitionerRole>),
    Schedule(Box<Schedule>),
    Slot(Box<Slot>),
    Other(Value),
}

/// Runs `$known` with `$r` bound to the boxed struct of whichever known
/// variant `$self` is, or `$other` with `$v` bound to the raw JSON.
macro_rules! each_resource {
    ($self:expr, $r:ident => $known:expr, $v:ident => $other:expr) => {
        match $self {
            Resource::Appointment($r) => $known,
            Resource::Bundle($r) => $known,
            Resource::CapabilityStatement($r) => $known,
            Resource::DocumentReference($r) => $known,
            Resource::HealthcareService($r) => $known,
            Resource::Location($r) => $known,
            Resource::OperationOutcome($r) => $known,
            Resource::Organization($r) => $known,
            Resource::Parameters($r) => $known,
            Resource::Patient($r) => $known,
            Resource::Practitioner($r) => $known,
            Resource::PractitionerRole($r) => $known,
            Resource::Schedule($r) => $known,
            Resource::Slot($r) => $known,
            Resource::Other($v) => $other,
        }
    };
}

impl Resource {
    /// The `resourceType`; for `Other`, whatever the JSON said (or "").
    pub fn resource_type(&self) -> &str {
        each_resource!(self, r => resource_type_of(&**r), v => {
            v.get("resourceType").and_then(Value::as_str).unwrap_or_default()
        })
    }

    pub fn id(&self) -> Option<&str> {
        each_resource!(self, r => r.id.as_deref(), v => v.get("id").and_then(Value::as_str))
    }

    /// The metadata of a known resource (`None` for `Other`).
    pub fn meta(&self) -> Option<&Meta> {
        each_resource!(self, r => r.meta.as_ref(), _v => None)
    }

    /// True when the type was not one we parse.
    pub fn is_other(&self) -> bool {
        matches!(self, Resource::Other(_))
    }

    /// A reference to the resource itself, if it is typed struct `T`.
    pub fn downcast_ref<T: ResourceKind>(&self) -> Option<&T> {
        T::from_resource(self)
    }

    /// The struct inside, if it is a `T`; otherwise the resource back.
    pub fn downcast<T: ResourceKind>(self) -> Result<T, Resource> {
        T::from_resource_owned(self)
    }

    /// Parses JSON already read into a `Value`. A known `resourceType` whose
    /// body does not fit its type is an error; unknown types are `Other`.
    pub fn from_value(value: Value) -> Result<Resource, serde_json::Error> {
        let Some(kind) = value.get("resourceType").and_then(Value::as_str) else {
            return Ok(Resource::Other(value));
        };
        let kind = kind.to_owned();
        let parsed = match kind.as_str() {
            "Appointment" => parse(value).map(Resource::Appointment),
            "Bundle" => parse(value).map(Resource::Bundle),
            "CapabilityStatement" => parse(value).map(Resource::CapabilityStatement),
            "DocumentReference" => parse(value).map(Resource::DocumentReference),
            "HealthcareService" => parse(value).map(Resource::HealthcareService),
            "Location" => parse(value).map(Resource::Location),
            "OperationOutcome" => parse(value).map(Resource::OperationOutcome),
            "Organization" => parse(value).map(Resource::Organization),
            "Parameters" => parse(value).map(Resource::Parameters),
            "Patient" => parse(value).map(Resource::Patient),
            "Practitioner" => parse(value).map(Resource::Practitioner),
            "PractitionerRole" => parse(value).map(Resource::PractitionerRole),
            "Schedule" => parse(value).map(Resource::Schedule),
            "Slot" => parse(value).map(Resource::Slot),
            _ => return Ok(Resource::Other(value)),
        };
        // Name the resource type: the bare serde message says only what
        // was wrong, not where.
        parsed.map_err(|e| serde_json::Error::custom(format!("{kind}: {e}")))
    }
}

fn parse<T: DeserializeOwned>(value: Value) -> Result<Box<T>, serde_json::Error> {
    serde_json::from_value(value).map(Box::new)
}

fn resource_type_of<T: ResourceKind>(_: &T) -> &'static str {
    T::RESOURCE_TYPE
}

impl<'de> Deserialize<'de> for Resource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // The type is only known after reading `resourceType`, which may
        // come anywhere in the object, so the object is buffered first.
        let value = Value::deserialize(deserializer)?;
        Resource::from_value(value).map_err(D::Error::custom)
    }
}

/// A resource struct that has a variant in [`Resource`].
pub trait ResourceKind: Sized + Into<Resource> + 'static {
    const RESOURCE_TYPE: &'static str;
    fn from_resource(resource: &Resource) -> Option<&Self>;
    fn from_resource_owned(resource: Resource) -> Result<Self, Resource>;
}

macro_rules! resource_kind {
    ($($t:ident),* $(,)?) => {$(
        impl ResourceKind for $t {
            const RESOURCE_TYPE: &'static str = stringify!($t);

            fn from_resource(resource: &Resource) -> Option<&Self> {
                match resource {
                    Resource::$t(r) => Some(r),
                    _ => None,
                }
            }

            fn from_resource_owned(resource: Resource) -> Result<Self, Resource> {
                match resource {
                    Resource::$t(r) => Ok(*r),
                    other => Err(other),
                }
            }
        }

        impl From<$t> for Resource {
            fn from(r: $t) -> Self {
                Resource::$t(Box::new(r))
            }
        }
    )*};
}

resource_kind!(
    Appointment,
    Bundle,
    CapabilityStatement,
    DocumentReference,
    HealthcareService,
    Location,
    OperationOutcome,
    Organization,
    Parameters,
    Patient,
    Practitioner,
    PractitionerRole,
    Schedule,
    Slot,
);

/// Resolves `#id` against a resource's contained list.
pub fn find_contained<'a>(contained: &'a [Resource], reference: &str) -> Option<&'a Resource> {
    let id = reference.strip_prefix('#').filter(|id| !id.is_empty())?;
    contained.iter().find(|r| r.id() == Some(id))
}

/// A collection of resources: search results, or a batch.
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
    /// `searchset | collection | transaction | batch | ...`
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
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

    pub fn slots(&self) -> impl Iterator<Item = &Slot> {
        self.resources_of()
    }

    pub fn schedules(&self) -> impl Iterator<Item = &Schedule> {
        self.resources_of()
    }

    pub fn appointments(&self) -> impl Iterator<Item = &Appointment> {
        self.resources_of()
    }

    pub fn patients(&self) -> impl Iterator<Item = &Patient> {
        self.resources_of()
    }

    pub fn practitioners(&self) -> impl Iterator<Item = &Practitioner> {
        self.resources_of()
    }

    pub fn practitioner_roles(&self) -> impl Iterator<Item = &PractitionerRole> {
        self.resources_of()
    }

    pub fn locations(&self) -> impl Iterator<Item = &Location> {
        self.resources_of()
    }

    pub fn organizations(&self) -> impl Iterator<Item = &Organization> {
        self.resources_of()
    }

    pub fn healthcare_services(&self) -> impl Iterator<Item = &HealthcareService> {
        self.resources_of()
    }

    pub fn operation_outcomes(&self) -> impl Iterator<Item = &OperationOutcome> {
        self.resources_of()
    }

    /// Resolves a literal reference against the entries: an exact `fullUrl`
    /// match first, then `Type/id` (also when `reference` is a URL ending in
    /// `Type/id`, with or without `/_history/n`).
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
}

/// A Bundle's resources by reference; resolves as [`Bundle::find`] does.
pub type BundleIndex<'a> = crate::fhir::index::ReferenceIndex<'a, Resource>;

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
}

impl BundleEntry {
    pub fn new(resource: impl Into<Resource>) -> Self {
        BundleEntry {
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
