//! `$process-message` with a `booking-request` message: reason `new` books the focus
//! Appointment into the Slot it references; reason `update` with the Appointment's status
//! `cancelled` (or `entered-in-error`) cancels a booking and frees its slot. The whole message
//! is kept with the booking. A repeat of a request (same X-Request-Id, same body) gets the first
//! answer again, so a sender that lost an answer can retry without booking twice.

use super::outcome::BarsError;
use super::resources::ukcore;
use super::rules;
use super::{Answer, Ctx};
use crate::fhir_time::{format_london, parse_instant};
use crate::handler::meta;
use crate::json_util::{arr_of, is_fhir_id, reference_of, str_of};
use crate::nhs_number;
use crate::state::{StoredAppointment, Txn};
use crate::systems;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub const EVENTS: &str = "https://fhir.nhs.uk/CodeSystem/message-events-bars";
pub const REASONS: &str = "https://fhir.nhs.uk/CodeSystem/message-reason-bars";
pub const BOOKING_REQUEST: &str = "booking-request";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Reason {
    New,
    Update,
}

/// A message whose envelope has been checked.
struct Message {
    entries: Vec<Value>,
    reason: Reason,
    /// The entry of the focus Appointment.
    focus: usize,
}

fn invalid(d: impl Into<String>) -> BarsError {
    BarsError::rec_bad_request("invalid", d)
}

fn required(d: impl Into<String>) -> BarsError {
    BarsError::rec_bad_request("required", d)
}

fn invariant(d: impl Into<String>) -> BarsError {
    BarsError::rec_bad_request("invariant", d)
}

fn resource_type(entry: &Value) -> Option<&str> {
    str_of(&entry["resource"], "resourceType")
}

/// The entry a reference points at: by fullUrl, else by `Type/id` of a resource in the bundle.
fn resolve(entries: &[Value], reference: &str) -> Option<usize> {
    if let Some(i) = entries
        .iter()
        .position(|e| str_of(e, "fullUrl") == Some(reference))
    {
        return Some(i);
    }
    let mut parts = reference.rsplit('/');
    let (id, kind) = (parts.next()?, parts.next()?);
    entries
        .iter()
        .position(|e| resource_type(e) == Some(kind) && str_of(&e["resource"], "id") == Some(id))
}

fn coding_code<'a>(concept: &'a Value, system: &str) -> Option<&'a str> {
    arr_of(concept, "coding")
        .iter()
        .find(|c| str_of(c, "system") == Some(system))
        .and_then(|c| str_of(c, "code"))
}

fn parse(body: &Value, dos_id: &str) -> Result<Message, BarsError> {
    if str_of(body, "resourceType") != Some("Bundle") {
        return Err(invalid("The body must be a FHIR Bundle"));
    }
    if str_of(body, "type") != Some("message") {
        return Err(invalid("Bundle.type must be message"));
    }
    let entries = arr_of(body, "entry").to_vec();
    if entries.is_empty() {
        return Err(invalid("The message Bundle has no entries"));
    }
    let mut urls = HashSet::new();
    for (i, e) in entries.iter().enumerate() {
        if resource_type(e).is_none() {
            return Err(invalid(format!("entry[{i}] has no resource")));
        }
        let url = str_of(e, "fullUrl")
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| invalid(format!("entry[{i}] has no fullUrl")))?;
        if !urls.insert(url) {
            return Err(invalid(format!("fullUrl {url} appears more than once")));
        }
    }
    let header = &entries[0]["resource"];
    if str_of(header, "resourceType") != Some("MessageHeader") {
        return Err(invalid("The first entry must be the MessageHeader"));
    }
    let event = &header["eventCoding"];
    match (str_of(event, "system"), str_of(event, "code")) {
        (Some(EVENTS), Some(BOOKING_REQUEST)) => {}
        (Some(EVENTS), Some(other)) => {
            return Err(BarsError::rec_not_implemented(format!(
                "This service takes booking-request messages only, not {other}"
            )));
        }
        _ => {
            return Err(invariant(format!(
                "MessageHeader.eventCoding must be {EVENTS}|{BOOKING_REQUEST}"
            )));
        }
    }
    let reason = match coding_code(&header["reason"], REASONS) {
        Some("new") => Reason::New,
        Some("update") => Reason::Update,
        _ => {
            return Err(invariant(format!(
                "MessageHeader.reason must be coded new or update in {REASONS}"
            )));
        }
    };
    // The receiver checks the message is meant for it.
    let for_us = arr_of(header, "destination").iter().any(|d| {
        str_of(d, "endpoint")
            .and_then(|e| e.rsplit(['|', ':']).next())
            .is_some_and(|id| id == dos_id)
    });
    if !for_us {
        return Err(invalid(format!(
            "MessageHeader.destination.endpoint must name this service's DoS id, e.g. \
             https://fhir.nhs.uk/Id/dos-service-id|{dos_id}"
        )));
    }
    if str_of(&header["source"], "endpoint").is_none_or(|e| e.trim().is_empty()) {
        return Err(required("MessageHeader.source.endpoint is required"));
    }
    rules::application_version(body)?;
    rules::last_updated(body, &entries)?;
    rules::cardinalities(&entries, reason == Reason::New)?;
    rules::references_resolve(&entries)?;
    rules::source_and_sender(header, &entries)?;
    if reason == Reason::New {
        rules::slot_schedule(&entries)?;
        if let Some(p) = entries.iter().find(|e| resource_type(e) == Some("Patient")) {
            rules::patient(&p["resource"])?;
        }
    }
    let focus = match arr_of(header, "focus") {
        [one] => reference_of(one)
            .and_then(|r| resolve(&entries, r))
            .filter(|&i| resource_type(&entries[i]) == Some("Appointment"))
            .ok_or_else(|| {
                invalid("MessageHeader.focus must reference the Appointment entry of the message")
            })?,
        _ => {
            return Err(invalid(
                "MessageHeader.focus must reference exactly one resource, the Appointment",
            ));
        }
    };
    Ok(Message {
        entries,
        reason,
        focus,
    })
}

/// FNV-1a over the JSON, stable across runs, so persisted replies still match after a restart.
fn digest(body: &Value) -> String {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Entries without an id get one, as the receiver's copies of them.
fn assign_ids(entries: &mut [Value]) {
    for e in entries.iter_mut() {
        if e["resource"].get("id").is_none() {
            e["resource"]["id"] = Value::String(Uuid::new_v4().to_string());
        }
    }
}

/// Turns references to other entries (`urn:uuid:...`) into `Type/id`, so the stored resource
/// still makes sense outside the message.
fn rewrite_references(v: &mut Value, map: &HashMap<String, String>) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get_mut("reference")
                && let Some(to) = map.get(r.as_str())
            {
                *r = to.clone();
            }
            for child in o.values_mut() {
                rewrite_references(child, map);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|c| rewrite_references(c, map)),
        _ => {}
    }
}

fn reference_map(entries: &[Value]) -> HashMap<String, String> {
    entries
        .iter()
        .filter_map(|e| {
            let url = str_of(e, "fullUrl")?;
            let kind = resource_type(e)?;
            let id = str_of(&e["resource"], "id")?;
            Some((url.to_string(), format!("{kind}/{id}")))
        })
        .collect()
}

/// The answer: the message back with the receiver's ids and its copy of the Appointment, as the
/// published booking response shows.
fn response(mut entries: Vec<Value>, now: chrono::DateTime<chrono::Utc>) -> Value {
    if let Some(focus) = entries[0]["resource"]["focus"].as_array_mut() {
        for f in focus {
            f["type"] = json!("Appointment");
        }
    }
    json!({
        "resourceType": "Bundle",
        "id": Uuid::new_v4().to_string(),
        "meta": {
            "lastUpdated": format_london(now),
            "profile": [ukcore("Bundle")],
        },
        "type": "message",
        "timestamp": format_london(now),
        "entry": entries,
    })
}

fn appointment_namespace() -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        b"urn:booking-desk:provider-sim:bars-appointment",
    )
}

/// The slot id the Appointment books: its Slot entry's id, or a `Slot/{id}` reference.
fn slot_id<'a>(msg: &'a Message, appointment: &'a Value) -> Result<&'a str, BarsError> {
    let [one] = arr_of(appointment, "slot") else {
        return Err(invariant("The Appointment must reference exactly one Slot"));
    };
    let reference =
        reference_of(one).ok_or_else(|| invariant("Appointment.slot needs a reference"))?;
    match resolve(&msg.entries, reference) {
        Some(i) if resource_type(&msg.entries[i]) == Some("Slot") => {
            str_of(&msg.entries[i]["resource"], "id").ok_or_else(|| {
                invariant(
                    "The Slot entry needs the id of the service's slot (from the slot search)",
                )
            })
        }
        Some(_) => Err(invariant(format!("{reference} is not a Slot entry"))),
        None => reference
            .strip_prefix("Slot/")
            .ok_or_else(|| invariant(format!("Appointment.slot {reference} does not resolve"))),
    }
}

/// The Patient entry a participant names, and its NHS number when it has one.
fn patient(msg: &Message, appointment: &Value) -> Result<(usize, Option<String>), BarsError> {
    let index = arr_of(appointment, "participant")
        .iter()
        .filter_map(|p| p.get("actor").and_then(reference_of))
        .filter_map(|r| resolve(&msg.entries, r))
        .find(|&i| resource_type(&msg.entries[i]) == Some("Patient"))
        .ok_or_else(|| invariant("An Appointment participant must reference the Patient entry"))?;
    let nhs = arr_of(&msg.entries[index]["resource"], "identifier")
        .iter()
        .find(|i| str_of(i, "system") == Some(systems::NHS_NUMBER))
        .map(|i| str_of(i, "value").unwrap_or_default().to_string());
    if let Some(n) = &nhs
        && !nhs_number::is_valid(n)
    {
        return Err(BarsError::rec_bad_request(
            "value",
            format!("The Patient's NHS number '{n}' is not valid"),
        ));
    }
    Ok((index, nhs))
}

fn book(ctx: &Ctx<'_>, txn: &mut Txn<'_>, msg: Message) -> Result<(String, Value), BarsError> {
    let service = ctx.service;
    let appointment = &msg.entries[msg.focus]["resource"];
    if str_of(appointment, "status") != Some("booked") {
        return Err(invariant(
            "A new booking's Appointment status must be booked",
        ));
    }
    if appointment.get("id").is_some() {
        return Err(invariant(
            "A new booking's Appointment must not carry an id: the service assigns it",
        ));
    }
    let wanted = slot_id(&msg, appointment)?;
    let slot = txn.slot(service.id, wanted).cloned().ok_or_else(|| {
        BarsError::rec_bad_request(
            "value",
            format!("Slot {wanted} is not a slot of this service"),
        )
    })?;
    let instant = |field: &str| str_of(appointment, field).and_then(parse_instant);
    match (instant("start"), instant("end")) {
        (Some(s), Some(e)) if s == slot.start && e == slot.end => {}
        (Some(_), Some(_)) => {
            return Err(invariant(
                "Appointment start and end must be those of the slot",
            ));
        }
        _ => {
            return Err(invariant(
                "Appointment start and end must be dateTimes with seconds and an offset",
            ));
        }
    }
    if slot.start <= ctx.now {
        return Err(invariant("The slot has already started"));
    }
    let (patient_index, nhs) = patient(&msg, appointment)?;
    if !txn.is_free(service.id, &slot) {
        return Err(BarsError::rec_conflict(
            "conflict",
            "The slot is no longer free",
        ));
    }

    let n = txn.next_id();
    let id = Uuid::new_v5(
        &appointment_namespace(),
        format!("{}/{n}", service.id).as_bytes(),
    )
    .to_string();
    let mut entries = msg.entries;
    entries[msg.focus]["resource"]["id"] = Value::String(id.clone());
    assign_ids(&mut entries);
    let mut stored = entries[msg.focus]["resource"].clone();
    rewrite_references(&mut stored, &reference_map(&entries));
    stored["meta"] = meta(1, ctx.now, ukcore("Appointment"));
    // The NHS number on the participant is what a search by patient:identifier matches.
    if let Some(nhs) = nhs {
        let patient_ref = format!(
            "Patient/{}",
            str_of(&entries[patient_index]["resource"], "id").unwrap_or_default()
        );
        if let Some(participants) = stored["participant"].as_array_mut() {
            for p in participants {
                if p["actor"]["reference"].as_str() == Some(patient_ref.as_str()) {
                    p["actor"]["identifier"] =
                        json!({ "system": systems::NHS_NUMBER, "value": nhs });
                }
            }
        }
    }
    entries[msg.focus]["resource"] = stored.clone();
    txn.insert(StoredAppointment {
        service: service.id.to_string(),
        id: id.clone(),
        version: 1,
        slot_ids: vec![slot.id.clone()],
        resource: stored,
    });
    Ok((id, response(entries, ctx.now)))
}

fn cancel(ctx: &Ctx<'_>, txn: &mut Txn<'_>, msg: Message) -> Result<(String, Value), BarsError> {
    let service = ctx.service;
    let appointment = &msg.entries[msg.focus]["resource"];
    let status = match str_of(appointment, "status") {
        Some(s @ ("cancelled" | "entered-in-error")) => s.to_string(),
        _ => {
            return Err(invariant(
                "An update must set the Appointment status to cancelled (or entered-in-error): \
                 no other change to a booking is supported",
            ));
        }
    };
    let id = str_of(appointment, "id")
        .filter(|id| is_fhir_id(id))
        .ok_or_else(|| {
            invariant("The Appointment being cancelled needs the id the service gave it")
        })?
        .to_string();
    let stored = txn
        .appointment(service.id, &id)
        .cloned()
        .ok_or_else(|| BarsError::rec_not_found(format!("No appointment with id {id}")))?;
    if matches!(stored.status(), "cancelled" | "entered-in-error") {
        return Err(BarsError::rec_conflict(
            "conflict",
            format!("Appointment {id} is already cancelled"),
        ));
    }
    if stored.start().is_none_or(|s| s <= ctx.now) {
        return Err(invariant("Past appointments cannot be cancelled"));
    }
    let version = stored.version.saturating_add(1);
    let mut updated = stored;
    updated.resource["status"] = Value::String(status);
    if let Some(reason) = appointment.get("cancelationReason") {
        updated.resource["cancelationReason"] = reason.clone();
    }
    updated.resource["meta"] = meta(version, ctx.now, ukcore("Appointment"));
    updated.version = version;
    let mut entries = msg.entries;
    assign_ids(&mut entries);
    entries[msg.focus]["resource"] = updated.resource.clone();
    // Rebuilding the taken-slot index on replace frees the slot.
    txn.replace(updated);
    Ok((id, response(entries, ctx.now)))
}

pub fn process(ctx: &Ctx<'_>, body: &Value, request_id: &str) -> Result<Answer, BarsError> {
    let service = ctx.service;
    let msg = parse(body, service.dos_service_id.unwrap_or_default())?;
    let digest = digest(body);
    let bundle_id = str_of(body, "id").map(str::to_string);
    ctx.sim.store.with(ctx.now, |txn| {
        // Under the same lock as the booking, so two racing retries cannot both book.
        if let Some((earlier, answer)) = txn.bars_reply(service.id, request_id) {
            if earlier == digest {
                return Ok(Answer {
                    body: answer.clone(),
                    committed: false,
                });
            }
            return Err(BarsError::rec_conflict(
                "duplicate",
                format!(
                    "X-Request-Id {request_id} was already used for a different message: \
                     send a new X-Request-Id for a new request"
                ),
            ));
        }
        // A message is processed once: the same Bundle.id under a new X-Request-Id is a
        // duplicate (409 REC_CONFLICT duplicate, the published
        // OperationOutcome/REC/409-REC_CONFLICT-duplicate example).
        let bundle_key = bundle_id.as_deref().map(|id| format!("bundle:{id}"));
        if let Some(key) = &bundle_key
            && txn.bars_reply(service.id, key).is_some()
        {
            return Err(BarsError::rec_conflict(
                "duplicate",
                format!(
                    "Message {} has already been processed",
                    bundle_id.as_deref().unwrap_or_default()
                ),
            ));
        }
        let (appointment_id, answer) = match msg.reason {
            Reason::New => book(ctx, txn, msg)?,
            Reason::Update => cancel(ctx, txn, msg)?,
        };
        txn.remember_bars_reply(service.id, request_id, &digest, &answer);
        if let Some(key) = &bundle_key {
            txn.remember_bars_reply(service.id, key, &digest, &answer);
        }
        txn.add_bars_message(service.id, &appointment_id, ctx.now, answer.clone());
        Ok(Answer {
            body: answer,
            committed: true,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_by_full_url_or_type_and_id() {
        let entries = vec![
            json!({ "fullUrl": "urn:uuid:a", "resource": { "resourceType": "Slot", "id": "s1" } }),
            json!({ "fullUrl": "urn:uuid:b", "resource": { "resourceType": "Patient" } }),
        ];
        assert_eq!(resolve(&entries, "urn:uuid:b"), Some(1));
        assert_eq!(resolve(&entries, "Slot/s1"), Some(0));
        assert_eq!(resolve(&entries, "http://x/R4/Slot/s1"), Some(0));
        assert_eq!(resolve(&entries, "Slot/s2"), None);
    }

    #[test]
    fn rewriting_turns_urns_into_relative_references() {
        let map = HashMap::from([("urn:uuid:p".to_string(), "Patient/7".to_string())]);
        let mut v = json!({ "participant": [{ "actor": { "reference": "urn:uuid:p" } }],
                            "basedOn": [{ "reference": "urn:uuid:other" }] });
        rewrite_references(&mut v, &map);
        assert_eq!(v["participant"][0]["actor"]["reference"], "Patient/7");
        assert_eq!(v["basedOn"][0]["reference"], "urn:uuid:other");
    }

    #[test]
    fn digest_is_stable_and_sensitive() {
        let a = json!({ "a": 1 });
        assert_eq!(digest(&a), digest(&json!({ "a": 1 })));
        assert_ne!(digest(&a), digest(&json!({ "a": 2 })));
    }
}
