//! GP Connect booking: validate the consumer's Appointment, then take its slots atomically.

use super::enrich::add_provider_fields;
use crate::fhir_time::parse_instant;
use crate::handler::{Ctx, Reply, meta, within};
use crate::json_util::{arr_of, extensions_with, is_fhir_id, reference_of, str_of};
use crate::outcome::FhirError;
use crate::slots::SlotDef;
use crate::state::StoredAppointment;
use crate::systems::{self, gpc};
use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

/// What the request asks for, once its shape has been checked.
struct Request {
    slot_ids: Vec<String>,
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
    practitioner: Option<String>,
}

fn invalid(d: impl Into<String>) -> FhirError {
    FhirError::invalid_resource(d)
}

fn instant(body: &Value, field: &str) -> Result<DateTime<FixedOffset>, FhirError> {
    let s = str_of(body, field).ok_or_else(|| invalid(format!("{field} is required")))?;
    parse_instant(s).ok_or_else(|| {
        invalid(format!(
            "{field} '{s}' is not an instant with seconds and an offset"
        ))
    })
}

fn check_booking_organisation(body: &Value) -> Result<(), FhirError> {
    let mut refs = extensions_with(body, systems::EXT_BOOKING_ORGANISATION);
    let reference = refs
        .next()
        .and_then(|e| e.get("valueReference"))
        .and_then(reference_of)
        .ok_or_else(|| {
            invalid("The booking organisation extension with a valueReference is required")
        })?;
    let local_id = reference
        .strip_prefix('#')
        .ok_or_else(|| invalid("The booking organisation must reference a contained resource"))?;
    let org = arr_of(body, "contained")
        .iter()
        .find(|c| {
            str_of(c, "resourceType") == Some("Organization") && str_of(c, "id") == Some(local_id)
        })
        .ok_or_else(|| invalid(format!("No contained Organization with id {local_id}")))?;
    let has_ods = arr_of(org, "identifier").iter().any(|i| {
        str_of(i, "system") == Some(systems::ODS_CODE)
            && str_of(i, "value").is_some_and(|v| !v.trim().is_empty())
    });
    if !has_ods {
        return Err(invalid(
            "The booking organisation needs an ODS code identifier",
        ));
    }
    check_organisation_details(org)
}

/// The contained booking Organization SHALL conform to CareConnect-GPC-Organization-1, carry
/// at least `name` and `telecom`, and give as `type` the organisation type sent in the slot
/// search's searchFilter (`nhsconnect/gpconnect`,
/// `pages/appointments/appointments_use_case_book_an_appointment.md`). Providers answer a
/// booking without name or telecom with 422 INVALID_RESOURCE
/// (`nhsconnect/gpconnect-provider-testing`, `AppointmentBook.feature`, "Book appointment with
/// name/telecom removed from booking organization"). The type is checked for its code system:
/// providers keep no state between the search and the booking (same feature file), so they
/// cannot compare it with the search.
fn check_organisation_details(org: &Value) -> Result<(), FhirError> {
    let profile = gpc("CareConnect-GPC-Organization-1");
    let claims = org["meta"]["profile"]
        .as_array()
        .is_some_and(|p| p.iter().any(|x| x.as_str() == Some(profile.as_str())));
    if !claims {
        return Err(invalid(format!(
            "The booking organisation's meta.profile must include {profile}"
        )));
    }
    if str_of(org, "name").is_none_or(|n| n.trim().is_empty()) {
        return Err(invalid("The booking organisation needs a name"));
    }
    let has_phone = arr_of(org, "telecom")
        .iter()
        .any(|t| str_of(t, "value").is_some_and(|v| !v.trim().is_empty()));
    if !has_phone {
        return Err(invalid("The booking organisation needs a telecom"));
    }
    let typed = arr_of(org, "type").iter().all(|t| {
        arr_of(t, "coding").iter().any(|c| {
            str_of(c, "system") == Some(systems::ORGANISATION_TYPE)
                && str_of(c, "code").is_some_and(|code| !code.trim().is_empty())
        })
    });
    if !typed {
        return Err(invalid(format!(
            "The booking organisation's type must be coded in {}",
            systems::ORGANISATION_TYPE
        )));
    }
    Ok(())
}

/// Checks participants; returns (patient id, location id, practitioner id).
fn participants(body: &Value) -> Result<(String, String, Option<String>), FhirError> {
    let list = arr_of(body, "participant");
    let mut patient = None;
    let mut location = None;
    let mut practitioner = None;
    for p in list {
        if str_of(p, "status").is_none() {
            return Err(invalid("Every participant needs a status"));
        }
        let Some(r) = p.get("actor").and_then(reference_of) else {
            return Err(invalid("Every participant needs an actor reference"));
        };
        let (kind, id) = r.split_once('/').unwrap_or(("", ""));
        let slot = match kind {
            "Patient" => &mut patient,
            "Location" => &mut location,
            "Practitioner" => &mut practitioner,
            _ => return Err(invalid(format!("Unexpected participant {r}"))),
        };
        if slot.is_some() {
            return Err(invalid(format!("More than one {kind} participant")));
        }
        *slot = Some(id.to_string());
    }
    let patient = patient.ok_or_else(|| invalid("A Patient participant is required"))?;
    let location = location.ok_or_else(|| invalid("A Location participant is required"))?;
    Ok((patient, location, practitioner))
}

fn validate(ctx: &Ctx<'_>, body: &Value) -> Result<Request, FhirError> {
    if str_of(body, "resourceType") != Some("Appointment") {
        return Err(invalid("The body must be an Appointment"));
    }
    if body.get("id").is_some() {
        return Err(invalid("A new Appointment must not have an id"));
    }
    let profile = gpc("GPConnect-Appointment-1");
    let has_profile = body["meta"]["profile"]
        .as_array()
        .is_some_and(|p| p.iter().any(|x| x.as_str() == Some(profile.as_str())));
    if !has_profile {
        return Err(invalid(format!("meta.profile must include {profile}")));
    }
    if str_of(body, "status") != Some("booked") {
        return Err(invalid("status must be booked"));
    }
    for forbidden in ["reason", "specialty"] {
        if body.get(forbidden).is_some() {
            return Err(invalid(format!("{forbidden} must not be sent")));
        }
    }
    let start = instant(body, "start")?;
    let end = instant(body, "end")?;
    instant(body, "created")?;
    match str_of(body, "description") {
        Some(d) if !d.trim().is_empty() && within(d, 100) => {}
        Some(d) if !within(d, 100) => {
            return Err(invalid("description must be at most 100 characters"));
        }
        _ => return Err(invalid("description is required")),
    }
    if let Some(c) = body.get("comment") {
        match c.as_str() {
            Some(c) if within(c, 500) => {}
            _ => return Err(invalid("comment must be text of at most 500 characters")),
        }
    }
    check_booking_organisation(body)?;

    let (patient, location, practitioner) = participants(body)?;
    let patients = ctx.sim.region.patients.len();
    if !is_fhir_id(&patient) || ctx.service.patient_index(&patient, patients).is_none() {
        return Err(FhirError::patient_not_found(format!(
            "Patient/{patient} is not known at this practice"
        )));
    }
    if location != ctx.service.location.id {
        return Err(FhirError::reference_not_found(format!(
            "Location/{location} is not a location of this practice"
        )));
    }
    if let Some(p) = &practitioner
        && ctx.service.practitioner(p).is_none()
    {
        return Err(FhirError::reference_not_found(format!(
            "Practitioner/{p} is not known at this practice"
        )));
    }

    let slot_refs = arr_of(body, "slot");
    if slot_refs.is_empty() {
        return Err(invalid("At least one slot is required"));
    }
    let mut slot_ids = Vec::new();
    for s in slot_refs {
        let id = reference_of(s)
            .and_then(|r| r.strip_prefix("Slot/"))
            .ok_or_else(|| invalid("slot references must look like Slot/{id}"))?;
        if slot_ids.iter().any(|x| x == id) {
            return Err(invalid(format!("Slot/{id} is listed twice")));
        }
        slot_ids.push(id.to_string());
    }
    Ok(Request {
        slot_ids,
        start,
        end,
        practitioner,
    })
}

/// Slots must all be of one schedule, back to back, and span exactly start..end.
fn check_slots(req: &Request, slots: &mut [SlotDef]) -> Result<(), FhirError> {
    slots.sort_by_key(|s| s.start);
    let (Some(first), Some(last)) = (slots.first(), slots.last()) else {
        return Err(invalid("At least one slot is required"));
    };
    if slots.iter().any(|s| s.schedule_id != first.schedule_id) {
        return Err(invalid("All slots must belong to one schedule"));
    }
    if slots.windows(2).any(|w| w[0].end != w[1].start) {
        return Err(invalid("The slots must be contiguous"));
    }
    if req.start != first.start {
        return Err(invalid("start must equal the start of the first slot"));
    }
    if req.end != last.end {
        return Err(invalid("end must equal the end of the last slot"));
    }
    Ok(())
}

pub fn book(ctx: &Ctx<'_>) -> Result<Reply, FhirError> {
    let body = ctx.body()?;
    let req = validate(ctx, body)?;
    let service = ctx.service;
    ctx.sim.store.with(ctx.now, |txn| {
        let mut slots = Vec::new();
        for id in &req.slot_ids {
            let slot = txn.slot(service.id, id).ok_or_else(|| {
                FhirError::reference_not_found(format!("Slot/{id} does not exist"))
            })?;
            slots.push(slot.clone());
        }
        check_slots(&req, &mut slots)?;
        let first = slots
            .first()
            .ok_or_else(|| invalid("At least one slot is required"))?;
        let schedule = service
            .schedule(first.schedule_id)
            .ok_or_else(|| FhirError::internal("slot without a schedule"))?;
        if let Some(p) = &req.practitioner
            && p != schedule.practitioner.id
        {
            return Err(invalid(format!(
                "Practitioner/{p} is not the practitioner of these slots"
            )));
        }
        if first.start <= ctx.now {
            return Err(invalid("The slot has already started"));
        }
        if let Some(taken) = slots.iter().find(|s| !txn.is_free(service.id, s)) {
            return Err(FhirError::duplicate_rejected(format!(
                "Slot/{} is no longer free",
                taken.id
            )));
        }

        let id = txn.next_id().to_string();
        let mut resource = body.clone();
        resource["id"] = Value::String(id.clone());
        resource["meta"] = meta(1, ctx.now, gpc("GPConnect-Appointment-1"));
        add_provider_fields(&mut resource, service, schedule, first.kind);
        // The practice's own booking reference, as its clinical system would number it: not
        // the logical id, so a desk that reads it aloud is seen to use it.
        resource["identifier"] = json!([{
            "system": systems::GPC_APPOINTMENT_IDENTIFIER,
            "value": format!("GPC-{id:0>6}"),
        }]);
        txn.insert(StoredAppointment {
            service: service.id.to_string(),
            id: id.clone(),
            version: 1,
            slot_ids: req.slot_ids.clone(),
            resource: resource.clone(),
        });
        Ok(Reply::created(resource, ctx.history_url(&id, 1), 1))
    })
}
