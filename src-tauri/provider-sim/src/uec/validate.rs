//! The shape a UEC booking must have: an Appointment containing the Patient, the Slot and a
//! DocumentReference to the 111 CDA document.
//!
//! Sources: `nhsconnect/NHS-Booking-API` (`pages/fhir_resources/appointment.md`: the element
//! table and the booking example; `pages/explore/book_an_appointment.md`: the answers), and
//! NHS Digital's UEC test tool `nhsdigitalmait/FHIR_111_UEC`
//! (`validator_config/consumer_simulator_validator.conf`, SUBSET appointment, whose SCAL
//! requirement numbers C41–C71 are named on each rule; `simulator_config/test_tks_rule_config.txt`,
//! which finds the slot by the contained Slot's id). Where the test tool and the published
//! example differ, the example is accepted.

use super::patient::check_patient;
use crate::fhir_time::parse_instant;
use crate::json_util::{arr_of, is_fhir_id, is_uuid, reference_of, str_of};
use crate::outcome::FhirError;
use crate::seed::Service;
use crate::slots::SlotDef;
use crate::state::Txn;
use crate::systems;
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::Value;

/// A validated booking.
pub struct Booking {
    pub slot: SlotDef,
    /// No identifier on the contained Patient: the provider assigns a local one.
    pub patient_needs_local_id: bool,
}

fn invalid(d: impl Into<String>) -> FhirError {
    FhirError::invalid_resource(d)
}

fn instant(v: &Value, field: &str, what: &str) -> Result<DateTime<FixedOffset>, FhirError> {
    str_of(v, field)
        .and_then(parse_instant)
        .ok_or_else(|| invalid(format!("{what}.{field} must be an instant with an offset")))
}

/// The single contained resource of a type (the UEC constraint: exactly one Patient, Slot and
/// DocumentReference; C50, C65).
fn contained<'a>(body: &'a Value, kind: &str) -> Result<&'a Value, FhirError> {
    let mut found = arr_of(body, "contained")
        .iter()
        .filter(|c| str_of(c, "resourceType") == Some(kind));
    let (Some(r), None) = (found.next(), found.next()) else {
        return Err(invalid(format!(
            "The Appointment must contain exactly one {kind}"
        )));
    };
    Ok(r)
}

/// A contained resource's local id; `missing` is the answer when there is none.
fn local_id<'a>(r: &'a Value, kind: &str, missing: FhirError) -> Result<&'a str, FhirError> {
    match str_of(r, "id") {
        None => Err(missing),
        Some(id) if is_fhir_id(id) => Ok(id),
        Some(_) => Err(invalid(format!(
            "The contained {kind}'s id is not a FHIR id"
        ))),
    }
}

/// The one reference in `field`, which must point at `#target` (C43/C44 for `slot`, C46/C51 for
/// the participant actor, C49/C66 and the UEC constraint for `supportingInformation`).
fn one_reference_to(refs: &[&Value], field: &str, target: &str) -> Result<(), FhirError> {
    let want = format!("#{target}");
    match refs {
        [one] if reference_of(one) == Some(want.as_str()) => Ok(()),
        _ => Err(invalid(format!(
            "{field} must be exactly one reference, to the contained resource {want}"
        ))),
    }
}

/// Every identifier named by RFC 4122's system holds a UUID: that is what the system says.
fn rfc4122_values_are_uuids(v: &Value, what: &str) -> Result<(), FhirError> {
    let bad = arr_of(v, "identifier")
        .iter()
        .filter(|i| str_of(i, "system") == Some(systems::RFC4122))
        .any(|i| {
            !str_of(i, "value").is_some_and(|x| is_uuid(x.strip_prefix("urn:uuid:").unwrap_or(x)))
        });
    if bad {
        return Err(invalid(format!(
            "The {what} identifier with system {} must be a UUID",
            systems::RFC4122
        )));
    }
    Ok(())
}

/// C67–C71: the UUID of the CDA document, status current, the Integrated Urgent Care Report
/// type, an indexed instant and an HL7 v3 XML attachment in English.
fn check_document(d: &Value) -> Result<(), FhirError> {
    let has_uuid = arr_of(d, "identifier")
        .iter()
        .any(|i| str_of(i, "system") == Some(systems::RFC4122));
    if !has_uuid {
        return Err(invalid(format!(
            "The DocumentReference needs an identifier with system {}",
            systems::RFC4122
        )));
    }
    rfc4122_values_are_uuids(d, "DocumentReference")?;
    if str_of(d, "status") != Some("current") {
        return Err(invalid("The DocumentReference status must be current"));
    }
    let typed = arr_of(&d["type"], "coding").iter().any(|c| {
        str_of(c, "system") == Some(systems::CDA_DOCUMENT_TYPE)
            && str_of(c, "code") == Some(systems::CDA_DOCUMENT_CODE)
            && str_of(c, "display") == Some(systems::CDA_DOCUMENT_DISPLAY)
    });
    if !typed {
        return Err(invalid(format!(
            "The DocumentReference type must be {} \"{}\"",
            systems::CDA_DOCUMENT_CODE,
            systems::CDA_DOCUMENT_DISPLAY
        )));
    }
    instant(d, "indexed", "DocumentReference")?;
    // The test tool asks for language "en"; the published example sends "en-GB": both pass.
    let cda = arr_of(d, "content").iter().any(|c| {
        str_of(&c["attachment"], "contentType") == Some("application/hl7-v3+xml")
            && matches!(str_of(&c["attachment"], "language"), Some("en" | "en-GB"))
    });
    if !cda {
        return Err(invalid(
            "The DocumentReference content must be an application/hl7-v3+xml attachment in en",
        ));
    }
    Ok(())
}

/// The contained Slot is the offered slot: found by its id, which is how the test tool's
/// simulator picks its answer (unknown → 422 REFERENCE_NOT_FOUND); busy, with the offered
/// schedule, start and end.
fn check_slot(s: &Value, id: &str, service: &Service, txn: &Txn<'_>) -> Result<SlotDef, FhirError> {
    let slot = txn.slot(service.id, id).ok_or_else(|| {
        FhirError::reference_not_found(format!("Slot {id} does not exist at this service"))
    })?;
    rfc4122_values_are_uuids(s, "Slot")?;
    let schedule = format!("Schedule/{}", slot.schedule_id);
    if s.get("schedule").and_then(reference_of) != Some(schedule.as_str()) {
        return Err(invalid(format!(
            "The contained Slot's schedule must be {schedule}"
        )));
    }
    if str_of(s, "status") != Some("busy") {
        return Err(invalid("The contained Slot's status must be busy"));
    }
    let start = instant(s, "start", "Slot")?;
    let end = instant(s, "end", "Slot")?;
    if start != slot.start || end != slot.end {
        return Err(invalid(
            "The contained Slot's start and end do not match the provider's slot",
        ));
    }
    Ok(slot.clone())
}

fn references<'a>(body: &'a Value, field: &str) -> Vec<&'a Value> {
    arr_of(body, field).iter().collect()
}

fn actors(body: &Value) -> Vec<&Value> {
    arr_of(body, "participant")
        .iter()
        .filter_map(|p| p.get("actor"))
        .collect()
}

/// The Appointment's own elements: no id, booked, en-GB if a language is given (C41), a
/// description, and a created instant (C45).
fn check_appointment(body: &Value) -> Result<(), FhirError> {
    if str_of(body, "resourceType") != Some("Appointment") {
        return Err(invalid("The body must be an Appointment"));
    }
    if body.get("id").is_some() {
        return Err(invalid("A new Appointment must not have an id"));
    }
    if str_of(body, "status") != Some("booked") {
        return Err(invalid("status must be booked"));
    }
    // The published example has no language, so only a wrong one is refused.
    if body
        .get("language")
        .is_some_and(|l| l.as_str() != Some("en-GB"))
    {
        return Err(invalid("language must be en-GB"));
    }
    if str_of(body, "description").is_none_or(|d| d.trim().is_empty()) {
        return Err(invalid("description is required"));
    }
    instant(body, "created", "Appointment")?;
    if arr_of(body, "incomingReferral").len() > 1 {
        return Err(invalid("At most one incomingReferral may be sent"));
    }
    Ok(())
}

pub fn validate(
    body: &Value,
    service: &Service,
    txn: &Txn<'_>,
    now: DateTime<Utc>,
) -> Result<Booking, FhirError> {
    check_appointment(body)?;
    let patient = contained(body, "Patient")?;
    let slot_res = contained(body, "Slot")?;
    let doc = contained(body, "DocumentReference")?;
    // The test tool's simulator answers 400 when the contained Slot has no id (SLOT_MISSING).
    let slot_id = local_id(
        slot_res,
        "Slot",
        FhirError::bad_request("The contained Slot needs the id of the slot being booked"),
    )?;
    let patient_id = local_id(
        patient,
        "Patient",
        invalid("The contained Patient needs an id"),
    )?;
    let doc_id = local_id(
        doc,
        "DocumentReference",
        invalid("The contained DocumentReference needs an id"),
    )?;

    one_reference_to(&references(body, "slot"), "slot", slot_id)?;
    let actor_refs: Vec<&Value> = actors(body);
    one_reference_to(&actor_refs, "participant.actor", patient_id)?;
    one_reference_to(
        &references(body, "supportingInformation"),
        "supportingInformation",
        doc_id,
    )?;

    let patient_needs_local_id = check_patient(patient)?;
    check_document(doc)?;
    let slot = check_slot(slot_res, slot_id, service, txn)?;
    // The published example books 15:00–15:10 in a 15:00–15:30 slot: the appointment lies
    // within its slot rather than matching it exactly.
    let start = instant(body, "start", "Appointment")?.with_timezone(&Utc);
    let end = instant(body, "end", "Appointment")?.with_timezone(&Utc);
    if start < slot.start || end > slot.end || end <= start {
        return Err(invalid("start and end must lie within the slot"));
    }
    if slot.start <= now {
        return Err(invalid("The slot has already started"));
    }
    Ok(Booking {
        slot,
        patient_needs_local_id,
    })
}
