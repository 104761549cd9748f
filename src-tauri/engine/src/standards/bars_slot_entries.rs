//! The part of a BaRS booking message that names the slot: the Slot, its Schedule and whoever
//! the Schedule names (the HealthcareService, always; the Practitioner, PractitionerRole and
//! Location when the search returned them). The Application 1 booking payload asks for them
//! "returned how [they were] received" from `GET /Slot`, so they go back unchanged but for
//! two things: their references point at the entries of this message, and the Slot is
//! `busy`, as in the published booking examples.

use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

use super::bars::DOS_SERVICE_ID;
use super::bars_message::{entry, instant, ukcore, urn};
use super::bars_slots::EXT_DELIVERY_CHANNEL;
use crate::views::{SlotSource, SlotView, SourceEntry};

/// The Slot's fullUrl in the message, the entries, and what the Appointment says of them.
pub struct SlotPart {
    pub slot_url: String,
    pub entries: Vec<Value>,
    /// The clinician and the place, as Appointment participants pointing at their entries, so
    /// that the service's copy of the Appointment names them when it is read back (a read
    /// returns the Appointment alone).
    pub participants: Vec<Value>,
    /// The slot's delivery channel as the Appointment's own extension (UK Core
    /// Extension-UKCore-DeliveryChannel: context Appointment and Slot), for the same reason.
    pub delivery_channel: Option<Value>,
}

/// `receiver` is the fullUrl of the receiving Organization, which the service's resources
/// name (as `providedBy`, `organization`, `managingOrganization`) but the search did not
/// include; `healthcare_service` the service's id as the slot search names it.
pub fn slot_entries(slot: &SlotView, receiver: &str, healthcare_service: &str) -> SlotPart {
    let source = slot
        .source
        .clone()
        .unwrap_or_else(|| described(slot, healthcare_service));
    let mut all: Vec<SourceEntry> = vec![source.slot];
    all.extend(source.schedule);
    all.extend(source.related);
    let urls: Vec<String> = all.iter().map(|_| urn(Uuid::new_v4())).collect();
    let mut names: HashMap<String, String> = HashMap::new();
    for (e, url) in all.iter().zip(&urls) {
        for name in names_of(e) {
            names.insert(name, url.clone());
        }
    }
    let entries: Vec<Value> = all
        .into_iter()
        .zip(&urls)
        .enumerate()
        .map(|(i, (e, url))| {
            let mut resource = std::sync::Arc::unwrap_or_clone(e.resource);
            repoint(&mut resource, &names, receiver);
            if i == 0 {
                resource["status"] = json!("busy");
            }
            entry(url, resource)
        })
        .collect();
    let participants = entries
        .iter()
        .filter_map(|e| participant(e, slot))
        .collect();
    let delivery_channel = entries
        .first()
        .and_then(|e| e["resource"]["extension"].as_array())
        .and_then(|exts| exts.iter().find(|x| x["url"] == EXT_DELIVERY_CHANNEL))
        .cloned()
        .or_else(|| {
            let code = serde_json::to_value(slot.delivery_channel?).ok()?;
            Some(json!({ "url": EXT_DELIVERY_CHANNEL, "valueCode": code }))
        });
    SlotPart {
        slot_url: urls[0].clone(),
        entries,
        participants,
        delivery_channel,
    }
}

/// An Appointment participant for a Practitioner or Location entry, with the name the desk
/// showed for it, for where the reference cannot be followed.
fn participant(entry: &Value, slot: &SlotView) -> Option<Value> {
    let kind = entry["resource"]["resourceType"].as_str()?;
    let display = match kind {
        "Practitioner" => slot.practitioner.as_ref().and_then(|p| p.name.as_deref()),
        "Location" => slot.location.as_ref().and_then(|l| l.name.as_deref()),
        _ => return None,
    };
    let mut actor = json!({ "reference": entry["fullUrl"], "type": kind });
    if let Some(d) = display.filter(|d| !d.trim().is_empty()) {
        actor["display"] = json!(d);
    }
    Some(json!({ "actor": actor, "status": "accepted" }))
}

/// How a resource of the search answer could be referred to: its fullUrl there, and
/// `Type/id`.
fn names_of(e: &SourceEntry) -> Vec<String> {
    let mut names: Vec<String> = e.full_url.iter().cloned().collect();
    if let (Some(kind), Some(id)) = (
        e.resource["resourceType"].as_str(),
        e.resource["id"].as_str(),
    ) {
        names.push(format!("{kind}/{id}"));
    }
    names
}

/// The `Type/id` an absolute or relative reference ends in.
fn tail(reference: &str) -> Option<String> {
    let mut parts = reference.trim_end_matches('/').rsplit('/');
    let (id, kind) = (parts.next()?, parts.next()?);
    Some(format!("{kind}/{id}"))
}

/// Points every reference at its entry in the message; an Organization the message has no
/// entry of is the receiving service's own.
fn repoint(v: &mut Value, names: &HashMap<String, String>, receiver: &str) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get_mut("reference") {
                let found = names
                    .get(r.as_str())
                    .or_else(|| tail(r).and_then(|t| names.get(&t)));
                if let Some(url) = found {
                    *r = url.clone();
                } else if tail(r).is_some_and(|t| t.starts_with("Organization/")) {
                    *r = receiver.to_string();
                }
            }
            for child in o.values_mut() {
                repoint(child, names, receiver);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|c| repoint(c, names, receiver)),
        _ => {}
    }
}

/// A slot whose search answer was not kept (a view built by hand): described from the view,
/// its Schedule naming the service's HealthcareService.
fn described(slot: &SlotView, healthcare_service: &str) -> SlotSource {
    let schedule_id = slot
        .schedule_id
        .clone()
        .unwrap_or_else(|| format!("{}-schedule", slot.id));
    let service_id = healthcare_service.trim();
    let mut slot_resource = json!({
        "resourceType": "Slot",
        "id": slot.id.as_str(),
        "meta": { "profile": [ukcore("Slot")] },
        "schedule": { "reference": format!("Schedule/{schedule_id}") },
        "status": "free",
        "start": instant(slot.start),
        "end": instant(slot.end),
    });
    if let Some(t) = &slot.slot_type {
        slot_resource["serviceType"] = json!([{ "text": t }]);
    }
    let schedule = json!({
        "resourceType": "Schedule",
        "id": schedule_id,
        "meta": { "profile": [ukcore("Schedule")] },
        "actor": [{ "reference": format!("HealthcareService/{service_id}") }],
    });
    let service = json!({
        "resourceType": "HealthcareService",
        "id": service_id,
        "meta": { "profile": [ukcore("HealthcareService")] },
        "identifier": [{ "system": DOS_SERVICE_ID, "value": service_id }],
        "active": true,
        "providedBy": { "reference": "Organization/receiver" },
        "name": slot.service_name,
    });
    let plain = |resource| SourceEntry {
        full_url: None,
        resource: std::sync::Arc::new(resource),
    };
    SlotSource {
        slot: plain(slot_resource),
        schedule: Some(plain(schedule)),
        related: vec![plain(service)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_point_inside_the_message_and_organizations_at_the_receiver() {
        let names = HashMap::from([
            ("Schedule/s1".to_string(), "urn:uuid:s".to_string()),
            (
                "https://prov.example/R4/Location/l1".to_string(),
                "urn:uuid:l".to_string(),
            ),
            ("Location/l1".to_string(), "urn:uuid:l".to_string()),
        ]);
        let mut v = json!({
            "schedule": { "reference": "https://prov.example/R4/Schedule/s1" },
            "location": [{ "reference": "Location/l1" }],
            "providedBy": { "reference": "Organization/o1", "display": "Kept" },
            "other": { "reference": "Device/d1" },
        });
        repoint(&mut v, &names, "urn:uuid:r");
        assert_eq!(v["schedule"]["reference"], "urn:uuid:s");
        assert_eq!(v["location"][0]["reference"], "urn:uuid:l");
        assert_eq!(v["providedBy"]["reference"], "urn:uuid:r");
        assert_eq!(v["providedBy"]["display"], "Kept");
        assert_eq!(v["other"]["reference"], "Device/d1");
    }
}
