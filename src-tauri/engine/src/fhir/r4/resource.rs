//! The `Resource` enum that holds any R4 resource we know, or any we do not.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::bundle::Bundle;
use super::capability::CapabilityStatement;
use super::clinical::{Encounter, Flag, Observation, ServiceRequest};
use super::datatypes::Meta;
use super::entities::{HealthcareService, Location, Organization};
use super::individuals::{Patient, Practitioner, PractitionerRole};
use super::messaging::MessageHeader;
use super::outcome::OperationOutcome;
use super::scheduling::{Appointment, Schedule, Slot};

/// A resource struct that has a variant in [`Resource`].
pub trait ResourceKind: Sized + Into<Resource> + 'static {
    const RESOURCE_TYPE: &'static str;
    fn from_resource(resource: &Resource) -> Option<&Self>;
    fn from_resource_owned(resource: Resource) -> Result<Self, Resource>;
}

/// One list of resource types drives the enum, its accessors, parsing and
/// the [`ResourceKind`] impls, so adding a type is a one-word change.
macro_rules! r4_resources {
    ($($t:ident),* $(,)?) => {
        /// Any R4 resource. Known types are parsed into their structs;
        /// anything else (or anything without a `resourceType`) is kept as
        /// raw JSON in `Other`, so one unexpected entry (a Consent, a
        /// CarePlan) never fails a whole message Bundle.
        ///
        /// Serialising writes each struct with its own `resourceType`, and
        /// `Other` exactly as it was read.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum Resource {
            $($t(Box<$t>),)*
            Other(Value),
        }

        impl Resource {
            /// The `resourceType`; for `Other`, whatever the JSON said (or "").
            pub fn resource_type(&self) -> &str {
                match self {
                    $(Resource::$t(_) => <$t as ResourceKind>::RESOURCE_TYPE,)*
                    Resource::Other(v) => {
                        v.get("resourceType").and_then(Value::as_str).unwrap_or_default()
                    }
                }
            }

            pub fn id(&self) -> Option<&str> {
                match self {
                    $(Resource::$t(r) => r.id.as_deref(),)*
                    Resource::Other(v) => v.get("id").and_then(Value::as_str),
                }
            }

            /// The metadata of a known resource (`None` for `Other`).
            pub fn meta(&self) -> Option<&Meta> {
                match self {
                    $(Resource::$t(r) => r.meta.as_ref(),)*
                    Resource::Other(_) => None,
                }
            }

            /// The value back, untouched, when `kind` is not a type we parse.
            fn parse_known(
                kind: &str,
                value: Value,
            ) -> Result<Result<Resource, serde_json::Error>, Value> {
                match kind {
                    $(stringify!($t) => Ok(parse::<$t>(value).map(Resource::$t)),)*
                    _ => Err(value),
                }
            }
        }

        $(
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
        )*
    };
}

r4_resources!(
    Appointment,
    Bundle,
    CapabilityStatement,
    Encounter,
    Flag,
    HealthcareService,
    Location,
    MessageHeader,
    Observation,
    OperationOutcome,
    Organization,
    Patient,
    Practitioner,
    PractitionerRole,
    Schedule,
    ServiceRequest,
    Slot,
);

impl Resource {
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
        match Resource::parse_known(&kind, value) {
            // Name the resource type: the bare serde message says only what
            // was wrong, not where.
            Ok(parsed) => parsed.map_err(|e| serde_json::Error::custom(format!("{kind}: {e}"))),
            Err(unknown) => Ok(Resource::Other(unknown)),
        }
    }
}

fn parse<T: DeserializeOwned>(value: Value) -> Result<Box<T>, serde_json::Error> {
    serde_json::from_value(value).map(Box::new)
}

impl<'de> Deserialize<'de> for Resource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // The type is only known after reading `resourceType`, which may
        // come anywhere in the object (BaRS examples put `id` first), so
        // the object is buffered first.
        let value = Value::deserialize(deserializer)?;
        Resource::from_value(value).map_err(D::Error::custom)
    }
}

/// Resolves `#id` against a resource's contained list.
pub fn find_contained<'a>(contained: &'a [Resource], reference: &str) -> Option<&'a Resource> {
    let id = reference.strip_prefix('#').filter(|id| !id.is_empty())?;
    contained.iter().find(|r| r.id() == Some(id))
}
