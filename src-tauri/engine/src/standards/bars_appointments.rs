//! BaRS appointments (FHIR R4) as the desk's appointment views: a read, a search of the
//! patient's appointments, or the Appointment in a `$process-message` answer, with whatever the
//! Bundle holds of its participants.

use super::bars_slots::delivery_channel;
use super::mapping::{concept_text, first_text, parse_instant, person_name};
use crate::directory::Service;
use crate::fhir::r4::{
    Appointment, Bundle, Location, Patient, Practitioner, Reference, ResourceKind, identifier_value,
};
use crate::ids::{AppointmentId, NhsNumber};
use crate::views::{AppointmentStatus, AppointmentView, LocationView, PractitionerView};

const NHS_NUMBER: &str = "https://fhir.nhs.uk/Id/nhs-number";

fn find<'a, T: crate::fhir::r4::ResourceKind>(
    bundle: Option<&'a Bundle>,
    r: &Reference,
) -> Option<&'a T> {
    let reference = r.reference.as_deref()?;
    bundle?.find_of::<T>(reference)
}

fn kind(r: &Reference) -> Option<&str> {
    r.type_and_id().map(|(t, _)| t).or(r.type_.as_deref())
}

/// The view of `a`; `None` without a usable id, start or end.
pub fn appointment_view(
    a: &Appointment,
    service: &Service,
    bundle: Option<&Bundle>,
) -> Option<AppointmentView> {
    let id = a.id.as_deref().and_then(|i| AppointmentId::parse(i).ok())?;
    let start = a.start.as_deref().and_then(parse_instant)?;
    let end = a.end.as_deref().and_then(parse_instant)?;
    let mut practitioner = None;
    let mut location = None;
    let mut patient_id = None;
    let mut nhs_number = None;
    for actor in a.participant.iter().filter_map(|p| p.actor.as_ref()) {
        if let Some(p) = find::<Practitioner>(bundle, actor) {
            practitioner = Some(PractitionerView {
                id: p.id.clone(),
                name: person_name(&p.name),
                role: None,
                gender: p.gender.clone(),
            });
        } else if let Some(l) = find::<Location>(bundle, actor) {
            location = Some(LocationView {
                id: l.id.clone(),
                name: l.name.clone(),
                address: l.address.as_ref().and_then(super::mapping::address_text),
            });
        } else if let Some(p) = find::<Patient>(bundle, actor) {
            patient_id = p.id.clone().or(patient_id);
            nhs_number = identifier_value(&p.identifier, NHS_NUMBER)
                .and_then(|v| NhsNumber::parse(v).ok())
                .or(nhs_number);
        } else {
            match kind(actor) {
                Some("Practitioner") => {
                    practitioner = Some(PractitionerView {
                        id: actor.type_and_id().map(|(_, id)| id.to_string()),
                        name: actor.display.clone(),
                        role: None,
                        gender: None,
                    })
                }
                Some("Location") => {
                    location = Some(LocationView {
                        id: actor.type_and_id().map(|(_, id)| id.to_string()),
                        name: actor.display.clone(),
                        address: None,
                    })
                }
                Some("Patient") => {
                    patient_id = actor.type_and_id().map(|(_, id)| id.to_string());
                }
                _ => {}
            }
        }
        // A participant may carry the NHS number on the reference itself.
        if nhs_number.is_none() {
            nhs_number = actor
                .identifier
                .as_ref()
                .filter(|i| i.system.as_deref() == Some(NHS_NUMBER))
                .and_then(|i| i.value.as_deref())
                .and_then(|v| NhsNumber::parse(v).ok());
        }
    }
    // In a message the Slot is an entry carrying the service's id; elsewhere `Slot/<id>`.
    let slot_ids = a
        .slot
        .iter()
        .filter_map(|r| {
            find::<crate::fhir::r4::Slot>(bundle, r)
                .and_then(|s| s.id.clone())
                .or_else(|| r.type_and_id().map(|(_, id)| id.to_string()))
        })
        .collect();
    Some(AppointmentView {
        id,
        version: a.meta.as_ref().and_then(|m| m.version_id.clone()),
        status: AppointmentStatus::from_fhir(a.status.as_deref()),
        service_id: service.id.clone(),
        service_name: service.name.clone(),
        standard: service.standard,
        start,
        end,
        created: a.created.clone(),
        description: a.description.clone(),
        comment: a.comment.clone(),
        cancellation_reason: a.cancelation_reason.as_ref().and_then(concept_text),
        delivery_channel: delivery_channel(&a.extension),
        slot_type: first_text(&a.service_type),
        schedule_type: first_text(&a.service_category),
        slot_ids,
        practitioner,
        location,
        patient_id,
        nhs_number,
        reference_url: Some(service.url(&format!("Appointment/{}", a.id.as_deref()?))),
        service_reference: super::mapping::service_reference(
            a.identifier.iter().map(|i| i.value.as_deref()),
        ),
    })
}

/// The Appointment a `$process-message` answer is about: the header's focus, else the only
/// Appointment in the message.
pub fn message_appointment(bundle: &Bundle) -> Option<&Appointment> {
    let focused = bundle
        .message_header()
        .and_then(|h| h.focus.first())
        .and_then(|f| bundle.resolve(f))
        .and_then(<Appointment as ResourceKind>::from_resource);
    focused.or_else(|| {
        let mut all = bundle.resources_of::<Appointment>();
        match (all.next(), all.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    })
}

/// Every appointment of a searchset, each with what the Bundle holds of its participants.
pub fn appointment_views(bundle: &Bundle, service: &Service) -> Vec<AppointmentView> {
    let mut views: Vec<AppointmentView> = bundle
        .resources_of::<Appointment>()
        .filter_map(|a| appointment_view(a, service, Some(bundle)))
        .collect();
    views.sort_by_key(|v| v.start);
    views
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::Directory;

    fn service() -> Service {
        Directory::from_toml(
            "[[service]]\nid = \"spen-valley-utc\"\nname = \"Spen Valley UTC\"\n\
             kind = \"urgent-care\"\nstandard = \"bars\"\n\
             base_url = \"https://p.example/bars/spen-valley-utc/FHIR/R4\"\nods = \"NQ503\"\n\
             asid = \"918999198003\"\ntarget_identifier = \"2000100505\"\n",
        )
        .expect("directory")
        .all()[0]
            .clone()
    }

    fn fixture(name: &str) -> Bundle {
        let path = format!(
            "{}/../../tests/fixtures/bars/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("bundle")
    }

    #[test]
    fn the_published_booking_answer_reads_as_the_booked_appointment() {
        let b = fixture("process_message_response_Booking_HTTP_Response.json");
        let a = message_appointment(&b).expect("the focus is an Appointment");
        let view = appointment_view(a, &service(), Some(&b)).expect("view");
        assert_eq!(view.status, AppointmentStatus::Booked);
        assert_eq!(view.standard, crate::directory::Standard::Bars);
        assert!(view.end > view.start);
        assert_eq!(view.slot_ids.len(), 1, "{view:?}");
    }

    #[test]
    fn the_published_search_answer_reads_as_appointments() {
        let b = fixture("appointment_GET-success.json");
        let views = appointment_views(&b, &service());
        assert!(!views.is_empty());
        assert!(views.windows(2).all(|w| w[0].start <= w[1].start));
    }
}
