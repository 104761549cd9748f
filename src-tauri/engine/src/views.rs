//! What screens and the CLI show: FHIR already resolved into plain, complete records. The UI
//! never sees raw FHIR.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::directory::{ServiceKind, Standard};
use crate::ids::{AppointmentId, NhsNumber, ServiceId, SlotId};

/// How the patient will be seen. Never defaulted: a provider that does not say is shown as such.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum DeliveryChannel {
    #[serde(rename = "In-person")]
    InPerson,
    #[serde(rename = "Telephone")]
    Telephone,
    #[serde(rename = "Video")]
    Video,
}

impl DeliveryChannel {
    pub fn from_code(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "in-person" => Some(Self::InPerson),
            "telephone" => Some(Self::Telephone),
            "video" => Some(Self::Video),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::InPerson => "In person",
            Self::Telephone => "Telephone",
            Self::Video => "Video",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PractitionerView {
    /// The provider's logical id, needed to name the practitioner in a booking.
    pub id: Option<String>,
    pub name: Option<String>,
    /// SDS job role, e.g. "General Medical Practitioner".
    pub role: Option<String>,
    pub gender: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LocationView {
    pub id: Option<String>,
    pub name: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SlotView {
    pub service_id: ServiceId,
    pub service_name: String,
    pub service_kind: ServiceKind,
    pub id: SlotId,
    pub schedule_id: Option<String>,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub delivery_channel: Option<DeliveryChannel>,
    /// The slot's `serviceType.text`, e.g. "General GP Appointment".
    pub slot_type: Option<String>,
    /// The schedule's `serviceCategory.text`, e.g. "General GP Appointments".
    pub schedule_type: Option<String>,
    pub practitioner: Option<PractitionerView>,
    pub location: Option<LocationView>,
    /// BaRS: the resources the slot search returned for this slot, as received. A booking
    /// sends them back unchanged; the screens never see them.
    #[serde(skip)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub source: Option<SlotSource>,
}

/// What a BaRS slot search said about one slot: the Slot, its Schedule and what the Schedule
/// names (HealthcareService, Practitioner, PractitionerRole, the service's Location and its
/// Organization), each with the `fullUrl` it had in the search answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SlotSource {
    pub slot: SourceEntry,
    pub schedule: Option<SourceEntry>,
    pub related: Vec<SourceEntry>,
}

/// One resource of a search answer and the `fullUrl` it came under. Shared: every slot of a
/// schedule names the same Schedule, service and location, and copying them per slot was most
/// of a search's reading.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceEntry {
    pub full_url: Option<String>,
    pub resource: std::sync::Arc<serde_json::Value>,
}

impl Default for SourceEntry {
    fn default() -> Self {
        Self {
            full_url: None,
            resource: std::sync::Arc::new(serde_json::Value::Null),
        }
    }
}

impl SlotView {
    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }
}

/// An appointment's status as FHIR codes it: STU3 and R4 share the first eight, R4 adds
/// `checked-in` and `waitlist` (the Appointment resource's `status` value set in each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum AppointmentStatus {
    Proposed,
    Pending,
    Booked,
    Arrived,
    Fulfilled,
    Cancelled,
    Noshow,
    EnteredInError,
    CheckedIn,
    Waitlist,
    /// The service gave no status, or one that is not a FHIR code: the desk does not know it,
    /// so it is neither shown nor counted as booked or cancelled.
    Unknown,
}

impl AppointmentStatus {
    /// The status a FHIR `Appointment.status` gives; [`AppointmentStatus::Unknown`] for none, or
    /// for a code outside the value set.
    pub fn from_fhir(code: Option<&str>) -> Self {
        code.and_then(crate::wire::from_wire_name)
            .unwrap_or(Self::Unknown)
    }

    /// The FHIR code, for writing an Appointment.
    pub fn code(self) -> String {
        crate::wire::wire_name(self)
    }
}

/// Shown as its FHIR code (`booked`, `entered-in-error`).
impl std::fmt::Display for AppointmentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AppointmentView {
    pub id: AppointmentId,
    pub version: Option<String>,
    pub status: AppointmentStatus,
    pub service_id: ServiceId,
    pub service_name: String,
    pub standard: Standard,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub created: Option<String>,
    pub description: Option<String>,
    pub comment: Option<String>,
    pub cancellation_reason: Option<String>,
    pub delivery_channel: Option<DeliveryChannel>,
    pub slot_type: Option<String>,
    pub schedule_type: Option<String>,
    pub slot_ids: Vec<String>,
    pub practitioner: Option<PractitionerView>,
    pub location: Option<LocationView>,
    pub patient_id: Option<String>,
    pub nhs_number: Option<NhsNumber>,
    /// The URL the provider gave in `Location` on create, without `/_history/n`.
    pub reference_url: Option<String>,
    /// The service's own reference for the booking (an `Appointment.identifier` it gave:
    /// the desk sends none), to read to the patient; `None` when it gives none.
    pub service_reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PatientView {
    /// The provider's logical id for the patient (GP Connect), when known.
    pub id: Option<String>,
    pub nhs_number: Option<NhsNumber>,
    pub family: String,
    pub given: Vec<String>,
    pub prefix: Option<String>,
    pub gender: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub address_lines: Vec<String>,
    pub postcode: Option<String>,
    pub phone: Option<String>,
}

impl PatientView {
    /// `JACKSON, Jane (Miss)`: the NHS banner convention.
    pub fn banner_name(&self) -> String {
        let mut s = format!("{}, {}", self.family.to_uppercase(), self.given.join(" "));
        if let Some(p) = &self.prefix {
            s.push_str(&format!(" ({p})"));
        }
        s
    }
}

/// A patient as PDS holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TracedPatient {
    /// The NHS number PDS holds the record under: another than the one asked for when that
    /// one was superseded (merged into this record).
    pub nhs_number: String,
    /// The number asked for, when PDS answered with the record it was merged into.
    pub superseded: Option<String>,
    pub family: String,
    pub given: Vec<String>,
    pub prefix: Option<String>,
    pub gender: Option<String>,
    /// yyyy-mm-dd
    pub birth_date: Option<String>,
    /// The home address: none for a restricted record, whose address PDS does not give and
    /// the desk must never show or send.
    pub address_lines: Vec<String>,
    pub postcode: Option<String>,
    pub phone: Option<String>,
    /// The registered GP practice's ODS code (`generalPractitioner`).
    pub registered_practice: Option<String>,
    /// A restricted (sensitive) record: security label `R`.
    pub restricted: bool,
    /// When PDS records the patient's death.
    pub deceased: Option<String>,
}

/// Where a patient was found, and as what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PatientMatch {
    /// The GP Connect practice whose record this is; `None` when PDS traced the patient and no
    /// practice in the directory holds them (the details are then PDS's).
    pub service_id: Option<ServiceId>,
    pub service_name: Option<String>,
    pub patient: PatientView,
    /// The patient as PDS holds them, on a desk with PDS.
    pub traced: Option<TracedPatient>,
    /// Why PDS could not be asked, when it could not: the practice's record is used instead.
    pub pds_error: Option<crate::error::Error>,
}

/// A difference between our patient details and the provider's, shown to the call handler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DemographicMismatch {
    pub field: String,
    pub ours: String,
    pub theirs: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CapabilityView {
    pub service_id: ServiceId,
    pub fhir_version: Option<String>,
    pub software: Option<String>,
    pub publisher: Option<String>,
    /// `Resource: interactions`, e.g. `Appointment: read, update`.
    pub resources: Vec<String>,
}

/// A [`CapabilityView`] of an STU3 or R4 CapabilityStatement, whose elements read here have
/// the same names in both (the types differ, so this is a macro, not a function).
macro_rules! capability_view {
    ($service:expr, $cs:expr) => {{
        let cs = &$cs;
        let software = cs.software.as_ref().and_then(|s| {
            s.name
                .as_deref()
                .map(|n| format!("{n} {}", s.version.as_deref().unwrap_or_default()))
        });
        let resources = cs.rest.iter().flat_map(|r| r.resource.iter()).map(|r| {
            let codes: Vec<&str> = r
                .interaction
                .iter()
                .filter_map(|i| i.code.as_deref())
                .collect();
            (r.type_.as_deref().unwrap_or_default(), codes)
        });
        $crate::views::CapabilityView::new(
            $service,
            cs.fhir_version.clone(),
            software,
            cs.publisher.clone(),
            resources,
        )
    }};
}
pub(crate) use capability_view;

impl CapabilityView {
    /// `resources`: each resource type with its interaction codes.
    pub fn new<'a>(
        service: &crate::directory::Service,
        fhir_version: Option<String>,
        software: Option<String>,
        publisher: Option<String>,
        resources: impl Iterator<Item = (&'a str, Vec<&'a str>)>,
    ) -> Self {
        Self {
            service_id: service.id.clone(),
            fhir_version,
            software: software.map(|s| s.trim().to_string()),
            publisher,
            resources: resources
                .map(|(t, codes)| format!("{t}: {}", codes.join(", ")))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banner_name_follows_nhs_convention() {
        let p = PatientView {
            id: None,
            nhs_number: None,
            family: "Jackson".into(),
            given: vec!["Jane".into()],
            prefix: Some("Miss".into()),
            gender: None,
            birth_date: None,
            address_lines: vec![],
            postcode: None,
            phone: None,
        };
        assert_eq!(p.banner_name(), "JACKSON, Jane (Miss)");
    }

    #[test]
    fn delivery_channel_codes() {
        assert_eq!(
            DeliveryChannel::from_code("In-person"),
            Some(DeliveryChannel::InPerson)
        );
        assert_eq!(
            DeliveryChannel::from_code("Video"),
            Some(DeliveryChannel::Video)
        );
        assert_eq!(DeliveryChannel::from_code("Carrier pigeon"), None);
        assert_eq!(
            serde_json::to_value(DeliveryChannel::InPerson).expect("json"),
            "In-person"
        );
    }

    #[test]
    fn appointment_statuses_are_fhir_codes_and_anything_else_is_unknown() {
        use AppointmentStatus::*;
        // The R4 value set (STU3's is the same less the last two).
        let codes = "proposed pending booked arrived fulfilled cancelled noshow entered-in-error \
                     checked-in waitlist";
        for code in codes.split_whitespace() {
            let status = AppointmentStatus::from_fhir(Some(code));
            assert_ne!(status, Unknown, "{code}");
            assert_eq!(status.code(), code);
        }
        assert_eq!(EnteredInError.code(), "entered-in-error");
        assert_eq!(CheckedIn.to_string(), "checked-in");
        for odd in [None, Some(""), Some("Booked"), Some("reserved")] {
            assert_eq!(AppointmentStatus::from_fhir(odd), Unknown, "{odd:?}");
        }
    }
}
