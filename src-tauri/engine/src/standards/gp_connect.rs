//! GP Connect Appointment Management (FHIR STU3): the interaction catalogue, the requests and
//! the resources we write. SPEC §2.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat};
use reqwest::Method;

use super::{SearchWindow, WindowMeasure};
use crate::auth::{self, Session};
use crate::error::{Error, Result};
use crate::fhir::stu3::{
    Appointment, AppointmentParticipant, CodeableConcept, Coding, ContactPoint, Extension,
    Identifier, Meta, Organization, Reference, Resource, urls,
};
use crate::ids::{AppointmentId, NhsNumber};
use crate::transport::FhirRequest;
use crate::views::{AppointmentStatus, SlotView};

const PREFIX: &str = "urn:nhs:names:services:gpconnect:fhir:";

pub mod interaction {
    pub const METADATA: &str = "rest:read:metadata-1";
    pub const SEARCH_PATIENT: &str = "rest:search:patient-1";
    pub const SEARCH_SLOTS: &str = "rest:search:slot-1";
    pub const BOOK: &str = "rest:create:appointment-1";
    pub const READ: &str = "rest:read:appointment-1";
    pub const AMEND: &str = "rest:update:appointment-1";
    pub const CANCEL: &str = "rest:cancel:appointment-1";
    pub const PATIENT_APPOINTMENTS: &str = "rest:search:patient_appointments-1";
}

mod scope {
    pub const ORG_READ: &str = "organization/*.read";
    pub const PATIENT_READ: &str = "patient/*.read";
    pub const PATIENT_WRITE: &str = "patient/*.write";
}

/// The organisation type the desk searches as and books as: GP Connect requires the booking
/// Organization's `type` to match the type sent in the slot search's `searchFilter`
/// (`nhsconnect/gpconnect`, appointments_use_case_book_an_appointment.md), so both use this.
pub const ORGANISATION_TYPE: &str = "urgent-care";

fn id(name: &str) -> String {
    format!("{PREFIX}{name}")
}

/// The full interaction id of `name` (one of [`interaction`]), as SDS and Spine name it.
pub fn interaction_id(name: &str) -> String {
    id(name)
}

fn instant(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

pub fn metadata() -> FhirRequest {
    FhirRequest::new("/metadata", id(interaction::METADATA), scope::ORG_READ)
}

pub fn find_patient(nhs: &NhsNumber) -> FhirRequest {
    FhirRequest::new(
        "/Patient",
        id(interaction::SEARCH_PATIENT),
        scope::PATIENT_READ,
    )
    .param(
        "identifier",
        format!("{}|{}", urls::NHS_NUMBER, nhs.as_str()),
    )
}

/// `our_ods` goes in the searchFilter so the provider can apply its sharing agreements. One
/// request per span of at most 14 days as the provider measures dates (see
/// [`SearchWindow::spans`]); results are merged by the caller.
pub fn free_slots(window: &SearchWindow, our_ods: &str) -> Vec<FhirRequest> {
    window
        .spans(WindowMeasure::Dates)
        .into_iter()
        .map(|(from, to)| free_slots_span(from, to, our_ods))
        .collect()
}

fn free_slots_span(from: NaiveDate, to: NaiveDate, our_ods: &str) -> FhirRequest {
    FhirRequest::new("/Slot", id(interaction::SEARCH_SLOTS), scope::ORG_READ)
        .param("start", format!("ge{}", from.format("%Y-%m-%d")))
        .param("end", format!("le{}", to.format("%Y-%m-%d")))
        .param("status", "free")
        .param("_include", "Slot:schedule")
        .param("_include:recurse", "Schedule:actor:Practitioner")
        .param("_include:recurse", "Schedule:actor:Location")
        .param("_include:recurse", "Location:managingOrganization")
        .param(
            "searchFilter",
            format!("{}|{our_ods}", urls::ODS_ORGANIZATION_CODE),
        )
        .param(
            "searchFilter",
            format!("{}|{ORGANISATION_TYPE}", urls::GPC_ORGANISATION_TYPE),
        )
}

pub fn read(appointment: &AppointmentId) -> FhirRequest {
    FhirRequest::new(
        format!("/Appointment/{appointment}"),
        id(interaction::READ),
        scope::PATIENT_READ,
    )
}

pub fn patient_appointments(patient_id: &str, window: &SearchWindow) -> FhirRequest {
    FhirRequest::new(
        format!("/Patient/{patient_id}/Appointment"),
        id(interaction::PATIENT_APPOINTMENTS),
        scope::PATIENT_READ,
    )
    .param("start", format!("ge{}", window.from.format("%Y-%m-%d")))
    .param("start", format!("le{}", window.to.format("%Y-%m-%d")))
}

/// The Appointment we POST: GPConnect-Appointment-1, with our organisation contained and named
/// by the BookingOrganisation extension. Never `reason` or `specialty`.
pub fn booking(
    session: &Session,
    slots: &[SlotView],
    patient_id: &str,
    description: &str,
    comment: Option<&str>,
    now: DateTime<FixedOffset>,
) -> Result<Appointment> {
    let (Some(first), Some(last)) = (slots.first(), slots.last()) else {
        return Err(Error::invalid("Choose a slot to book."));
    };
    let location_id = first
        .location
        .as_ref()
        .and_then(|l| l.id.clone())
        .ok_or_else(|| {
            Error::invalid("The service did not say where this slot is, so it cannot be booked.")
                .with_next_step("Choose a slot at another service, or call the service.")
        })?;
    let org = &session.organisation;
    // The booking organisation SHALL carry name and telecom (GP Connect book page); providers
    // refuse it without (gpconnect-provider-testing AppointmentBook.feature: 422).
    let telecom = org
        .telecom
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::config(auth::MISSING_TELECOM))?;
    let organisation = Organization {
        id: Some("1".into()),
        meta: Some(Meta::with_profile(urls::PROFILE_GPC_ORGANIZATION)),
        identifier: vec![Identifier::new(
            urls::ODS_ORGANIZATION_CODE,
            org.ods.as_str(),
        )],
        type_: vec![CodeableConcept {
            coding: vec![Coding {
                system: Some(urls::GPC_ORGANISATION_TYPE.into()),
                code: Some(ORGANISATION_TYPE.into()),
                ..Default::default()
            }],
            ..Default::default()
        }],
        name: Some(org.name.clone()),
        telecom: vec![ContactPoint {
            system: Some("phone".into()),
            value: Some(telecom.to_string()),
            use_: Some("work".into()),
            ..Default::default()
        }],
        ..Default::default()
    };
    let accepted = |reference: String| AppointmentParticipant {
        actor: Some(Reference::new(reference)),
        status: Some("accepted".into()),
        ..Default::default()
    };
    let mut participant = vec![
        accepted(format!("Patient/{patient_id}")),
        accepted(format!("Location/{location_id}")),
    ];
    if let Some(pid) = first.practitioner.as_ref().and_then(|p| p.id.clone()) {
        participant.push(accepted(format!("Practitioner/{pid}")));
    }
    Ok(Appointment {
        meta: Some(Meta::with_profile(urls::PROFILE_GPC_APPOINTMENT)),
        contained: vec![Resource::Organization(Box::new(organisation))],
        extension: vec![Extension {
            url: urls::EXT_GPC_BOOKING_ORGANISATION.into(),
            value_reference: Some(Reference::new("#1")),
            ..Default::default()
        }],
        status: Some(AppointmentStatus::Booked.code()),
        description: Some(description.to_string()),
        start: Some(instant(first.start)),
        end: Some(instant(last.end)),
        slot: slots
            .iter()
            .map(|s| Reference::new(format!("Slot/{}", s.id)))
            .collect(),
        created: Some(instant(now)),
        comment: comment.map(str::to_string),
        participant,
        ..Default::default()
    })
}

pub fn book(body: &Appointment) -> Result<FhirRequest> {
    FhirRequest::new("/Appointment", id(interaction::BOOK), scope::PATIENT_WRITE)
        .with_body(Method::POST, body)
}

fn put(appointment: &Appointment, version: Option<&str>, interaction: &str) -> Result<FhirRequest> {
    let aid = appointment.id.clone().unwrap_or_default();
    let mut req = FhirRequest::new(
        format!("/Appointment/{aid}"),
        id(interaction),
        scope::PATIENT_WRITE,
    )
    .with_body(Method::PUT, appointment)?;
    req.if_match = version.map(|v| format!("W/\"{v}\""));
    Ok(req)
}

/// Amend: the resource as read, with only description and comment changed.
pub fn amend(
    mut current: Appointment,
    version: Option<&str>,
    description: Option<&str>,
    comment: Option<&str>,
) -> Result<FhirRequest> {
    if let Some(d) = description {
        current.description = Some(d.to_string());
    }
    if let Some(c) = comment {
        current.comment = Some(c.to_string());
    }
    put(&current, version, interaction::AMEND)
}

/// Cancel: the resource as read, status cancelled and the reason as an extension; nothing else.
pub fn cancel(
    mut current: Appointment,
    version: Option<&str>,
    reason: &str,
) -> Result<FhirRequest> {
    if reason.trim().is_empty() {
        return Err(Error::invalid("A reason for cancelling is required.")
            .with_next_step("Enter why the appointment is being cancelled."));
    }
    current.status = Some(AppointmentStatus::Cancelled.code());
    current
        .extension
        .retain(|e| e.url != urls::EXT_GPC_APPOINTMENT_CANCELLATION_REASON);
    current.extension.push(Extension {
        url: urls::EXT_GPC_APPOINTMENT_CANCELLATION_REASON.into(),
        value_string: Some(reason.trim().to_string()),
        ..Default::default()
    });
    put(&current, version, interaction::CANCEL)
}
