//! The fields a GP Connect provider adds to a booked appointment: delivery channel, practitioner
//! role, schedule and slot types, the practitioner, and display names.

use crate::resources::job_role_concept;
use crate::seed::{ScheduleDef, Service, SlotKind};
use crate::systems;
use serde_json::{Value, json};

fn is_provider_extension(e: &Value) -> bool {
    matches!(
        e.get("url").and_then(Value::as_str),
        Some(systems::EXT_DELIVERY_CHANNEL | systems::EXT_PRACTITIONER_ROLE)
    )
}

pub fn add_provider_fields(
    appointment: &mut Value,
    service: &Service,
    schedule: &ScheduleDef,
    kind: SlotKind,
) {
    let Some(obj) = appointment.as_object_mut() else {
        return;
    };
    let mut extensions: Vec<Value> = obj
        .get("extension")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|e| !is_provider_extension(e))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    extensions.push(json!({
        "url": systems::EXT_PRACTITIONER_ROLE,
        "valueCodeableConcept": job_role_concept(schedule.job_role),
    }));
    extensions.push(json!({
        "url": systems::EXT_DELIVERY_CHANNEL,
        "valueCode": kind.channel,
    }));
    obj.insert("extension".into(), Value::Array(extensions));
    obj.insert(
        "serviceCategory".into(),
        json!({ "text": schedule.category }),
    );
    obj.insert("serviceType".into(), json!([{ "text": kind.service_type }]));

    let practitioner_ref = format!("Practitioner/{}", schedule.practitioner.id);
    let location_ref = format!("Location/{}", service.location.id);
    let mut participants: Vec<Value> = obj
        .get("participant")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let has_practitioner = participants.iter().any(|p| {
        p["actor"]["reference"]
            .as_str()
            .is_some_and(|r| r.starts_with("Practitioner/"))
    });
    if !has_practitioner {
        participants.push(json!({
            "actor": { "reference": practitioner_ref },
            "status": "accepted",
        }));
    }
    for p in &mut participants {
        let reference = p["actor"]["reference"].as_str().map(str::to_string);
        let display = match reference.as_deref() {
            Some(r) if r == location_ref => Some(service.location.name.to_string()),
            Some(r) if r == practitioner_ref => Some(schedule.practitioner.display()),
            _ => None,
        };
        if let (Some(d), Some(actor)) = (display, p.get_mut("actor").and_then(Value::as_object_mut))
        {
            actor.insert("display".into(), Value::String(d));
        }
    }
    obj.insert("participant".into(), Value::Array(participants));
}
