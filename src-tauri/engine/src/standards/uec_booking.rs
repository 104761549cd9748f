//! The UEC Booking standard (CareConnect, FHIR STU3): slot search by HealthcareService, booking
//! with the Patient, Slot and a DocumentReference contained, read, and cancel. There is no amend:
//! to rebook, book the new slot first and then cancel the old one. SPEC §2.

use chrono::{DateTime, FixedOffset, SecondsFormat};
use reqwest::Method;

use super::{SearchWindow, WindowMeasure, uk_end_of_day, uk_start_of_day};
use crate::error::{Error, Result};
use crate::fhir::stu3::{
    Address, Appointment, AppointmentParticipant, Attachment, CodeableConcept, Coding,
    ContactPoint, DocumentReference, DocumentReferenceContent, Extension, HumanName, Identifier,
    Meta, Patient, Reference, Resource, Slot, urls,
};
use crate::ids::AppointmentId;
use crate::transport::FhirRequest;
use crate::views::{AppointmentStatus, PatientView, SlotView};

const PREFIX: &str = "urn:nhs:names:services:careconnect:fhir:rest:";

pub mod interaction {
    pub const METADATA: &str = "read:metadata";
    pub const SEARCH_SLOTS: &str = "search:slot";
    pub const BOOK: &str = "create:appointment";
    pub const READ: &str = "read:appointment";
    pub const CANCEL: &str = "update:appointment";
}

mod scope {
    pub const SLOT_READ: &str = "organization/slot.read";
    pub const APPOINTMENT_READ: &str = "patient/appointment.read";
    pub const APPOINTMENT_WRITE: &str = "patient/appointment.write";
}

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
    FhirRequest::new("/metadata", id(interaction::METADATA), scope::SLOT_READ)
}

/// The window's days as UK local instants, from 00:00 on the first day to 23:59:59 on the
/// last, cut into spans that each last at most 14 days: UEC providers measure the span exactly,
/// so a 14-day window (which covers 15 calendar days) takes two requests.
fn window_spans(window: &SearchWindow) -> Vec<(DateTime<FixedOffset>, DateTime<FixedOffset>)> {
    window
        .spans(WindowMeasure::Instants)
        .into_iter()
        .map(|(from, to)| (uk_start_of_day(from), uk_end_of_day(to)))
        .collect()
}

/// One request per span of the window (see [`window_spans`]); results are merged by the caller.
pub fn free_slots(window: &SearchWindow, healthcare_service: &str) -> Vec<FhirRequest> {
    window_spans(window)
        .into_iter()
        .map(|(t1, t2)| {
            FhirRequest::new("/Slot", id(interaction::SEARCH_SLOTS), scope::SLOT_READ)
                .param("schedule.actor:healthcareservice", healthcare_service)
                .param("start", format!("ge{}", instant(t1)))
                .param("start", format!("le{}", instant(t2)))
                .param("status", "free")
                .param("_include", "Slot:schedule")
                .param("_include:iterate", "Schedule:actor:Practitioner")
                .param("_include:iterate", "Schedule:actor:PractitionerRole")
                .param("_include:iterate", "Schedule:actor:HealthcareService")
                .param("_include:iterate", "HealthcareService:location")
        })
        .collect()
}

pub fn read(appointment: &AppointmentId) -> FhirRequest {
    FhirRequest::new(
        format!("/Appointment/{appointment}"),
        id(interaction::READ),
        scope::APPOINTMENT_READ,
    )
}

/// The patient as CareConnect-Patient-1. Without an NHS number no identifier is sent: the
/// provider assigns its own.
fn contained_patient(p: &PatientView) -> Patient {
    let identifier = p
        .nhs_number
        .iter()
        .map(|n| Identifier {
            use_: Some("official".into()),
            extension: vec![Extension {
                url: urls::EXT_NHS_NUMBER_VERIFICATION_STATUS.into(),
                value_codeable_concept: Some(CodeableConcept {
                    coding: vec![Coding {
                        system: Some(urls::NHS_NUMBER_VERIFICATION_STATUS_SYSTEM.into()),
                        code: Some("01".into()),
                        display: Some("Number present and verified".into()),
                        ..Default::default()
                    }],
                    ..Default::default()
                }),
                ..Default::default()
            }],
            ..Identifier::new(urls::NHS_NUMBER, n.as_str())
        })
        .collect();
    let mut lines = p.address_lines.clone();
    let city = if lines.len() > 1 { lines.pop() } else { None };
    Patient {
        id: Some("P1".into()),
        meta: Some(Meta::with_profile(urls::PROFILE_CARECONNECT_PATIENT)),
        identifier,
        name: vec![HumanName {
            use_: Some("official".into()),
            family: Some(p.family.clone()),
            given: p.given.clone(),
            prefix: p.prefix.iter().cloned().collect(),
            ..Default::default()
        }],
        telecom: p
            .phone
            .iter()
            .map(|ph| ContactPoint {
                system: Some("phone".into()),
                value: Some(ph.clone()),
                use_: Some("home".into()),
                rank: Some(1),
            })
            .collect(),
        gender: p.gender.clone(),
        birth_date: p.birth_date.map(|d| d.format("%Y-%m-%d").to_string()),
        address: vec![Address {
            use_: Some("home".into()),
            line: lines,
            city,
            postal_code: p.postcode.clone(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// The Appointment we POST, with the Patient, the Slot (busy) and the DocumentReference to the
/// encounter report contained. `document_id` is the report's UUID.
pub fn booking(
    slot: &SlotView,
    patient: &PatientView,
    description: &str,
    comment: Option<&str>,
    document_id: uuid::Uuid,
    now: DateTime<FixedOffset>,
) -> Result<Appointment> {
    if patient.family.trim().is_empty() {
        return Err(Error::invalid("The patient's surname is required to book.")
            .with_next_step("Enter the patient's details."));
    }
    // UEC providers refuse a booking without exactly one rank 1 phone number (NHS Digital's
    // UEC test tool, FHIR_111_UEC, C58 and the NoRank1 case: 400).
    if patient.phone.as_deref().is_none_or(|p| p.trim().is_empty()) {
        return Err(Error::invalid(
            "A phone number for the patient is required to book with this service.",
        )
        .with_next_step("Enter the number the patient can be called back on."));
    }
    let document = DocumentReference {
        id: Some("DR1".into()),
        meta: Some(Meta::with_profile(
            urls::PROFILE_CARECONNECT_DOCUMENT_REFERENCE,
        )),
        identifier: vec![Identifier::new(urls::RFC4122, document_id.to_string())],
        status: Some("current".into()),
        type_: Some(CodeableConcept {
            coding: vec![Coding {
                system: Some("urn:oid:2.16.840.1.113883.2.1.3.2.4.18.17".into()),
                code: Some("POCD_MT200001GB02".into()),
                display: Some("Integrated Urgent Care Report".into()),
                ..Default::default()
            }],
            ..Default::default()
        }),
        indexed: Some(instant(now)),
        content: vec![DocumentReferenceContent {
            attachment: Attachment {
                content_type: Some("application/hl7-v3+xml".into()),
                language: Some("en".into()),
                ..Default::default()
            },
            ..Default::default()
        }],
        ..Default::default()
    };
    // The contained Slot's id is the offered slot's logical id: that is how providers (and NHS
    // Digital's simulator) find the slot being booked (NHS-Booking-API, appointment.md).
    let slot_ref = format!("#{}", slot.id);
    let contained_slot = Slot {
        id: Some(slot.id.to_string()),
        meta: Some(Meta::with_profile(urls::PROFILE_CARECONNECT_SLOT)),
        schedule: slot
            .schedule_id
            .as_ref()
            .map(|s| Reference::new(format!("Schedule/{s}"))),
        status: Some("busy".into()),
        start: Some(instant(slot.start)),
        end: Some(instant(slot.end)),
        ..Default::default()
    };
    let mut actor = Reference::new("#P1");
    actor.identifier = patient.nhs_number.as_ref().map(|n| Identifier {
        use_: Some("official".into()),
        ..Identifier::new(urls::NHS_NUMBER, n.as_str())
    });
    actor.display = Some(
        format!("{} {}", patient.given.join(" "), patient.family)
            .trim()
            .to_string(),
    );
    Ok(Appointment {
        meta: Some(Meta::with_profile(urls::PROFILE_CARECONNECT_APPOINTMENT)),
        language: Some("en-GB".into()),
        contained: vec![
            Resource::DocumentReference(Box::new(document)),
            Resource::Patient(Box::new(contained_patient(patient))),
            Resource::Slot(Box::new(contained_slot)),
        ],
        status: Some(AppointmentStatus::Booked.code()),
        description: Some(description.to_string()),
        supporting_information: vec![Reference::new("#DR1")],
        start: Some(instant(slot.start)),
        end: Some(instant(slot.end)),
        slot: vec![Reference::new(slot_ref)],
        created: Some(instant(now)),
        comment: comment.map(str::to_string),
        participant: vec![AppointmentParticipant {
            actor: Some(actor),
            status: Some("accepted".into()),
            ..Default::default()
        }],
        ..Default::default()
    })
}

/// `request_id` is the X-Request-ID: a retry of the same booking must send the same one.
pub fn book(body: &Appointment, request_id: uuid::Uuid) -> Result<FhirRequest> {
    let mut req = FhirRequest::new(
        "/Appointment",
        id(interaction::BOOK),
        scope::APPOINTMENT_WRITE,
    )
    .with_body(Method::POST, body)?;
    req.request_id = Some(request_id);
    Ok(req)
}

/// Cancel: the resource as read with only the status changed. UEC carries no reason element,
/// so the reason stays in our registry.
pub fn cancel(
    mut current: Appointment,
    version: &str,
    request_id: uuid::Uuid,
) -> Result<FhirRequest> {
    let aid = current.id.clone().unwrap_or_default();
    current.status = Some(AppointmentStatus::Cancelled.code());
    let mut req = FhirRequest::new(
        format!("/Appointment/{aid}"),
        id(interaction::CANCEL),
        scope::APPOINTMENT_WRITE,
    )
    .with_body(Method::PUT, &current)?;
    req.if_match = Some(format!("W/\"{version}\""));
    req.request_id = Some(request_id);
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> chrono::NaiveDate {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn long_windows_are_cut_into_spans_of_at_most_fourteen_days() {
        let w = SearchWindow::new(d("2026-12-01"), d("2026-12-15")).expect("window");
        let spans = window_spans(&w);
        assert_eq!(spans.len(), 2);
        for (a, b) in &spans {
            assert!(*b - *a <= chrono::Duration::days(14));
        }
        assert_eq!(spans[0].0.to_rfc3339(), "2026-12-01T00:00:00+00:00");
        assert_eq!(spans[1].1.to_rfc3339(), "2026-12-15T23:59:59+00:00");
        let short = SearchWindow::new(d("2026-06-01"), d("2026-06-03")).expect("window");
        let spans = window_spans(&short);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].0.to_rfc3339(), "2026-06-01T00:00:00+01:00");
    }
}
