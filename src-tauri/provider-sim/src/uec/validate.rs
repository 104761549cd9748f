//! The shape a UEC booking must have: an Appointment containing the Patient, the Slot and a
//! DocumentReference to the 111 CDA document.

use crate::fhir_time::{parse_date, parse_instant};
use crate::json_util::{arr_of, is_fhir_id, is_uuid, reference_of, str_of};
use crate::nhs_number;
use crate::outcome::FhirError;
use crate::seed::Service;
use crate::slots::SlotDef;
use crate::state::Txn;
use crate::systems::{self, care_connect};
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

/// The single contained resource of a type, with a usable local id.
fn contained<'a>(body: &'a Value, kind: &str) -> Result<(&'a Value, &'a str), FhirError> {
    let mut found = arr_of(body, "contained")
        .iter()
        .filter(|c| str_of(c, "resourceType") == Some(kind));
    let (Some(r), None) = (found.next(), found.next()) else {
        return Err(invalid(format!(
            "The Appointment must contain exactly one {kind}"
        )));
    };
    let id = str_of(r, "id")
        .filter(|id| is_fhir_id(id))
        .ok_or_else(|| invalid(format!("The contained {kind} needs an id")))?;
    Ok((r, id))
}

fn has_profile(v: &Value, profile: &str) -> bool {
    v["meta"]["profile"]
        .as_array()
        .is_some_and(|p| p.iter().any(|x| x.as_str() == Some(profile)))
}

fn identifier_value<'a>(v: &'a Value, system: &str) -> Option<&'a str> {
    arr_of(v, "identifier")
        .iter()
        .find(|i| str_of(i, "system") == Some(system))
        .and_then(|i| str_of(i, "value"))
}

/// Returns whether the patient came without an identifier.
fn check_patient(p: &Value) -> Result<bool, FhirError> {
    let profile = care_connect("CareConnect-Patient-1");
    if !has_profile(p, &profile) {
        return Err(invalid(format!(
            "The contained Patient's meta.profile must include {profile}"
        )));
    }
    let identifiers = arr_of(p, "identifier");
    let needs_local_id = identifiers.is_empty();
    if !needs_local_id {
        let nhs = identifiers
            .iter()
            .find(|i| str_of(i, "system") == Some(systems::NHS_NUMBER))
            .ok_or_else(|| {
                invalid("A Patient identifier must be the NHS number (or send no identifier)")
            })?;
        if !str_of(nhs, "value").is_some_and(nhs_number::is_valid) {
            return Err(invalid("The Patient's NHS number is not valid"));
        }
        let verified = arr_of(nhs, "extension").iter().any(|e| {
            str_of(e, "url").is_some_and(|u| u.ends_with("NHSNumberVerificationStatus-1"))
                && !arr_of(&e["valueCodeableConcept"], "coding").is_empty()
        });
        if !verified {
            return Err(invalid(
                "The NHS number needs its verification status extension",
            ));
        }
    }
    let official = arr_of(p, "name").iter().any(|n| {
        str_of(n, "use") == Some("official")
            && str_of(n, "family").is_some_and(|f| !f.trim().is_empty())
            && !arr_of(n, "given").is_empty()
    });
    if !official {
        return Err(invalid(
            "The Patient needs an official name with family and given names",
        ));
    }
    if !matches!(
        str_of(p, "gender"),
        Some("male" | "female" | "other" | "unknown")
    ) {
        return Err(invalid(
            "The Patient's gender is missing or not a FHIR gender",
        ));
    }
    if str_of(p, "birthDate").and_then(parse_date).is_none() {
        return Err(invalid("The Patient's birthDate must be yyyy-mm-dd"));
    }
    if arr_of(p, "address").is_empty() {
        return Err(invalid("The Patient needs an address"));
    }
    Ok(needs_local_id)
}

fn check_document(d: &Value) -> Result<(), FhirError> {
    let id = identifier_value(d, systems::RFC4122)
        .or_else(|| {
            d.get("masterIdentifier")
                .filter(|m| str_of(m, "system") == Some(systems::RFC4122))
                .and_then(|m| str_of(m, "value"))
        })
        .ok_or_else(|| {
            invalid(format!(
                "The DocumentReference needs an identifier with system {}",
                systems::RFC4122
            ))
        })?;
    if !is_uuid(id.strip_prefix("urn:uuid:").unwrap_or(id)) {
        return Err(invalid("The DocumentReference identifier must be a UUID"));
    }
    if str_of(d, "status") != Some("current") {
        return Err(invalid("The DocumentReference status must be current"));
    }
    let typed = arr_of(&d["type"], "coding").iter().any(|c| {
        str_of(c, "system") == Some(systems::CDA_DOCUMENT_TYPE)
            && str_of(c, "code") == Some(systems::CDA_DOCUMENT_CODE)
    });
    if !typed {
        return Err(invalid(format!(
            "The DocumentReference type must be {}",
            systems::CDA_DOCUMENT_CODE
        )));
    }
    let cda = arr_of(d, "content")
        .iter()
        .any(|c| str_of(&c["attachment"], "contentType") == Some("application/hl7-v3+xml"));
    if !cda {
        return Err(invalid(
            "The DocumentReference content must be application/hl7-v3+xml",
        ));
    }
    instant(d, "indexed", "DocumentReference")?;
    Ok(())
}

fn check_slot(s: &Value, service: &Service, txn: &Txn<'_>) -> Result<SlotDef, FhirError> {
    let slot_id = identifier_value(s, systems::RFC4122).ok_or_else(|| {
        invalid(format!(
            "The contained Slot needs an identifier with system {}",
            systems::RFC4122
        ))
    })?;
    let slot = txn
        .slot(service.id, slot_id)
        .ok_or_else(|| FhirError::reference_not_found(format!("Slot {slot_id} does not exist")))?;
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

fn references(body: &Value, field: &str, target: &str) -> bool {
    arr_of(body, field)
        .iter()
        .any(|r| reference_of(r) == Some(target))
}

pub fn validate(
    body: &Value,
    service: &Service,
    txn: &Txn<'_>,
    now: DateTime<Utc>,
) -> Result<Booking, FhirError> {
    if str_of(body, "resourceType") != Some("Appointment") {
        return Err(invalid("The body must be an Appointment"));
    }
    if body.get("id").is_some() {
        return Err(invalid("A new Appointment must not have an id"));
    }
    if str_of(body, "status") != Some("booked") {
        return Err(invalid("status must be booked"));
    }
    if body.get("language").is_some_and(|l| !l.is_string()) {
        return Err(invalid("language must be a language tag such as en-GB"));
    }
    if str_of(body, "description").is_none_or(|d| d.trim().is_empty()) {
        return Err(invalid("description is required"));
    }
    let (patient, patient_id) = contained(body, "Patient")?;
    let (slot_res, slot_local_id) = contained(body, "Slot")?;
    let (doc, doc_id) = contained(body, "DocumentReference")?;

    match arr_of(body, "slot") {
        [one] if reference_of(one) == Some(format!("#{slot_local_id}").as_str()) => {}
        _ => {
            return Err(invalid(format!(
                "slot must be exactly [{{\"reference\": \"#{slot_local_id}\"}}]"
            )));
        }
    }
    let patient_ref = format!("#{patient_id}");
    let has_patient = arr_of(body, "participant")
        .iter()
        .any(|p| p.get("actor").and_then(reference_of) == Some(patient_ref.as_str()));
    if !has_patient {
        return Err(invalid(format!(
            "A participant must reference the contained Patient ({patient_ref})"
        )));
    }
    if !references(body, "supportingInformation", &format!("#{doc_id}")) {
        return Err(invalid(format!(
            "supportingInformation must reference the contained DocumentReference (#{doc_id})"
        )));
    }

    let patient_needs_local_id = check_patient(patient)?;
    check_document(doc)?;
    let slot = check_slot(slot_res, service, txn)?;
    let start = instant(body, "start", "Appointment")?;
    let end = instant(body, "end", "Appointment")?;
    if start != slot.start || end != slot.end {
        return Err(invalid("start and end must match the slot"));
    }
    if slot.start <= now {
        return Err(invalid("The slot has already started"));
    }
    Ok(Booking {
        slot,
        patient_needs_local_id,
    })
}
