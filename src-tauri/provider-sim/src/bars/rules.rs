//! What a BaRS receiver checks of a `booking-request` message beyond its envelope, each rule
//! from the published sources named beside it:
//!
//! - APP1: the implementation guide's Application 1 booking payload
//!   (`NHSDigital/NHSDigital-FHIR-BookingAndReferrals`,
//!   `guides/Live-ImplementationGuide-BaRS/Home/Applications/BaRS-Applications/Applications/BaRS-APP1/Booking-Request-Payload.page.md`);
//! - MD: the booking MessageDefinitions, new and cancelled (the same repository,
//!   `BARS-MessageDefinition-Booking-Request`, `BARSMessageDefinitionBookingRequestCancelled`);
//! - EX: the API's booking example (`NHSDigital/booking-and-referral-fhir-api`,
//!   `specification/examples/process_message/request/Booking (POST).json`) and the guide's
//!   `Examples/BOOKREQ01 - Booking Request New Full.xml`.
//!
//! A broken rule is the receiver's `400 REC_BAD_REQUEST`, its issue `required` for something
//! missing, `invalid` or `value` for something wrong, as the published OperationOutcomes show.

use super::outcome::BarsError;
use crate::json_util::{arr_of, str_of};
use serde_json::Value;

pub const CONTACT_RANK: &str =
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-ContactRank";

fn required(d: impl Into<String>) -> BarsError {
    BarsError::rec_bad_request("required", d)
}

fn invalid(d: impl Into<String>) -> BarsError {
    BarsError::rec_bad_request("invalid", d)
}

fn kind(entry: &Value) -> Option<&str> {
    str_of(&entry["resource"], "resourceType")
}

/// APP1 Bundle.meta.versionId: "MUST be populated with the version of the Application the
/// bundle complies with. The Receiver will read this to know whether they are capable of
/// processing."
pub fn application_version(body: &Value) -> Result<(), BarsError> {
    match str_of(&body["meta"], "versionId").map(str::trim) {
        Some(v) if !v.is_empty() => Ok(()),
        _ => Err(required(
            "Bundle.meta.versionId is required: the version of the BaRS application the message \
             keeps",
        )),
    }
}

/// APP1 (every resource's meta.lastUpdated): "All resources MUST include 'lastUpdated' value,
/// under the meta section".
pub fn last_updated(body: &Value, entries: &[Value]) -> Result<(), BarsError> {
    if str_of(&body["meta"], "lastUpdated").is_none() {
        return Err(required("Bundle.meta.lastUpdated is required"));
    }
    for (i, e) in entries.iter().enumerate() {
        if str_of(&e["resource"]["meta"], "lastUpdated").is_none() {
            return Err(required(format!(
                "entry[{i}] ({}) has no meta.lastUpdated: every resource must carry it",
                kind(e).unwrap_or("resource")
            )));
        }
    }
    Ok(())
}

/// Every `reference` string in a resource.
fn references(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get("reference") {
                out.push(r.clone());
            }
            o.values().for_each(|c| references(c, out));
        }
        Value::Array(a) => a.iter().for_each(|c| references(c, out)),
        _ => {}
    }
}

/// APP1 Bundle.entry.fullUrl ("Transient id relative to the bundle") and every reference given
/// as one (Appointment.slot, participant.actor, MessageHeader.sender/receiver: "the local
/// logical bundle reference"): a `urn:uuid:` reference must name an entry of the message.
pub fn references_resolve(entries: &[Value]) -> Result<(), BarsError> {
    let urls: Vec<&str> = entries
        .iter()
        .filter_map(|e| str_of(e, "fullUrl"))
        .collect();
    for e in entries {
        let mut refs = Vec::new();
        references(&e["resource"], &mut refs);
        if let Some(r) = refs
            .iter()
            .find(|r| r.starts_with("urn:") && !urls.contains(&r.as_str()))
        {
            return Err(invalid(format!(
                "{r} (in {}) names no entry of the message",
                kind(e).unwrap_or("an entry")
            )));
        }
    }
    Ok(())
}

/// The entry whose fullUrl is `reference`.
fn entry_at<'a>(entries: &'a [Value], reference: Option<&str>) -> Option<&'a Value> {
    let r = reference?;
    entries.iter().find(|e| str_of(e, "fullUrl") == Some(r))
}

/// APP1 MessageHeader.source.endpoint: "MUST be populated with the system and Service ID
/// separated by a pipe, for example https://fhir.nhs.uk/id/dos-service-id|11111111, ... where
/// any response messages SHOULD be addressed". The guide's examples write the system with
/// `https`, the API's booking example with `http`: both are taken. MessageHeader.sender: the
/// sending Organization's entry.
pub fn source_and_sender(header: &Value, entries: &[Value]) -> Result<(), BarsError> {
    let endpoint = str_of(&header["source"], "endpoint").unwrap_or_default();
    let dos_id = endpoint.split_once('|').and_then(|(system, id)| {
        let system = system.to_ascii_lowercase();
        let known = system == "https://fhir.nhs.uk/id/dos-service-id"
            || system == "http://fhir.nhs.uk/id/dos-service-id";
        (known && !id.trim().is_empty()).then_some(id)
    });
    if dos_id.is_none() {
        return Err(BarsError::rec_bad_request(
            "value",
            format!(
                "MessageHeader.source.endpoint '{endpoint}' must be the sender's own service as \
                 https://fhir.nhs.uk/Id/dos-service-id|<DoS id>"
            ),
        ));
    }
    let sender = entry_at(entries, str_of(&header["sender"], "reference"));
    if sender.and_then(kind) != Some("Organization") {
        return Err(invalid(
            "MessageHeader.sender must reference the sending Organization's entry",
        ));
    }
    Ok(())
}

/// MD: how many of each resource type a message holds, min and max (`None`: any number).
fn definition(new: bool) -> &'static [(&'static str, usize, Option<usize>)] {
    const NEW: [(&str, usize, Option<usize>); 12] = [
        ("MessageHeader", 1, Some(1)),
        ("ServiceRequest", 0, Some(1)),
        ("Patient", 1, Some(1)),
        ("Location", 0, Some(1)),
        ("Organization", 2, None),
        ("Practitioner", 0, None),
        ("PractitionerRole", 0, None),
        ("Consent", 0, None),
        ("HealthcareService", 1, Some(1)),
        ("Appointment", 1, Some(1)),
        ("Slot", 1, Some(1)),
        ("Schedule", 1, Some(1)),
    ];
    const CANCELLED: [(&str, usize, Option<usize>); 4] = [
        ("MessageHeader", 1, Some(1)),
        ("Patient", 1, Some(1)),
        ("Organization", 2, None),
        ("Appointment", 1, Some(1)),
    ];
    if new { &NEW } else { &CANCELLED }
}

/// MD: the MessageDefinition's cardinalities, `new` for a booking, else for a cancellation.
pub fn cardinalities(entries: &[Value], new: bool) -> Result<(), BarsError> {
    let name = if new {
        "bars-message-booking-request"
    } else {
        "bars-message-booking-request-cancelled"
    };
    for (resource, min, max) in definition(new) {
        let n = entries.iter().filter(|e| kind(e) == Some(resource)).count();
        if n < *min {
            return Err(required(format!(
                "{name} needs at least {min} {resource} entr{}; the message has {n}",
                if *min == 1 { "y" } else { "ies" }
            )));
        }
        if let Some(max) = max
            && n > *max
        {
            return Err(invalid(format!(
                "{name} allows at most {max} {resource}; the message has {n}"
            )));
        }
    }
    Ok(())
}

/// APP1 Slot and Schedule ("retrieved via the GET /Slot request and MUST be returned how it
/// was received") and EX: Slot.schedule names the Schedule entry of the message.
pub fn slot_schedule(entries: &[Value]) -> Result<(), BarsError> {
    let Some(slot) = entries.iter().find(|e| kind(e) == Some("Slot")) else {
        return Ok(());
    };
    let target = entry_at(entries, str_of(&slot["resource"]["schedule"], "reference"));
    if target.and_then(kind) != Some("Schedule") {
        return Err(invalid(
            "Slot.schedule must reference the Schedule entry of the message (by its fullUrl)",
        ));
    }
    Ok(())
}

/// APP1 Patient (and EX): one official name, the birth date, exactly one home address with its
/// postcode, and contact details in `contact`, each contact ranked with the ContactRank
/// extension, the rank 1 contact with exactly one rank 1 phone ("There MUST be at least one
/// contact phone number").
pub fn patient(p: &Value) -> Result<(), BarsError> {
    let official = arr_of(p, "name")
        .iter()
        .filter(|n| str_of(n, "use") == Some("official"))
        .count();
    if official != 1 {
        return Err(invalid(format!(
            "The Patient needs exactly one official name; it has {official}"
        )));
    }
    if str_of(p, "birthDate").is_none() {
        return Err(required("Patient.birthDate is required"));
    }
    let homes: Vec<&Value> = arr_of(p, "address")
        .iter()
        .filter(|a| str_of(a, "use") == Some("home"))
        .collect();
    match homes.as_slice() {
        [one] if str_of(one, "postalCode").is_some_and(|c| !c.trim().is_empty()) => {}
        [_] => return Err(required("The Patient's home address needs its postalCode")),
        _ => {
            return Err(invalid(format!(
                "The Patient needs exactly one home address; it has {}",
                homes.len()
            )));
        }
    }
    let contacts = arr_of(p, "contact");
    let rank = |c: &Value| {
        arr_of(c, "extension")
            .iter()
            .find(|x| str_of(x, "url") == Some(CONTACT_RANK))
            .and_then(|x| x["valuePositiveInt"].as_u64())
    };
    if contacts.is_empty() || contacts.iter().any(|c| rank(c).is_none()) {
        return Err(required(format!(
            "Patient.contact is required, every contact ranked with {CONTACT_RANK}"
        )));
    }
    let first_phones: usize = contacts
        .iter()
        .filter(|c| rank(c) == Some(1))
        .flat_map(|c| arr_of(c, "telecom"))
        .filter(|t| str_of(t, "system") == Some("phone") && t["rank"].as_u64() == Some(1))
        .count();
    if first_phones != 1 {
        return Err(invalid(format!(
            "The rank 1 contact needs exactly one rank 1 phone number; it has {first_phones}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_published_example_keeps_every_rule() {
        let text = include_str!(
            "../../../../tests/fixtures/bars/process_message_request_Booking_POST.json"
        );
        let body: Value = serde_json::from_str(text).expect("example");
        let entries = arr_of(&body, "entry").to_vec();
        application_version(&body).expect("versionId");
        last_updated(&body, &entries).expect("lastUpdated");
        references_resolve(&entries).expect("references");
        source_and_sender(&entries[0]["resource"], &entries).expect("source");
        cardinalities(&entries, true).expect("cardinalities");
        slot_schedule(&entries).expect("slot");
        let p = entries
            .iter()
            .find(|e| kind(e) == Some("Patient"))
            .expect("patient");
        patient(&p["resource"]).expect("patient");
    }

    #[test]
    fn a_patient_without_a_first_phone_is_refused() {
        let p = json!({
            "name": [{ "use": "official", "family": "A" }],
            "birthDate": "1980-01-01",
            "address": [{ "use": "home", "postalCode": "LS1 4AP" }],
            "contact": [{
                "extension": [{ "url": CONTACT_RANK, "valuePositiveInt": 1 }],
                "telecom": [{ "system": "email", "value": "a@b.c", "rank": 1 }]
            }]
        });
        assert_eq!(patient(&p).err().map(|e| e.issue), Some("invalid"));
    }
}
