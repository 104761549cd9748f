//! FHIR resources for the seeded region: what the services say about their slots, schedules,
//! practitioners, places and patients.

use crate::DemoPatient;
use crate::fhir_time::format_london;
use crate::seed::{Address, JobRole, PractitionerDef, ScheduleDef, Service};
use crate::slots::SlotDef;
use crate::systems::{self, care_connect, gpc};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

fn meta(profile: String) -> Value {
    json!({ "versionId": "1", "profile": [profile] })
}

fn address(a: &Address) -> Value {
    json!({
        "use": "work",
        "type": "physical",
        "line": a.lines,
        "city": a.city,
        "district": a.district,
        "postalCode": a.postcode,
    })
}

fn work_phone(service: &Service) -> Value {
    json!([{ "system": "phone", "value": service.phone, "use": "work" }])
}

pub fn job_role_concept(role: JobRole) -> Value {
    json!({
        "coding": [{
            "system": systems::SDS_JOB_ROLE,
            "code": role.code,
            "display": role.display,
        }]
    })
}

fn practitioner_name(p: &PractitionerDef) -> Value {
    json!([{
        "use": "official",
        "family": p.family,
        "given": [p.given],
        "prefix": [p.prefix],
    }])
}

/// A search result entry: fullUrl, the resource and whether it matched or was included.
pub fn entry(root_url: &str, resource: Value, mode: &str) -> Value {
    let kind = resource
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or("Resource");
    let id = resource.get("id").and_then(Value::as_str).unwrap_or("");
    json!({
        "fullUrl": format!("{root_url}/{kind}/{id}"),
        "resource": resource,
        "search": { "mode": mode },
    })
}

/// A searchset Bundle. FHIR JSON forbids empty arrays, so no results means no `entry` at all.
pub fn searchset(entries: Vec<Value>, now: DateTime<Utc>) -> Value {
    let matches = entries
        .iter()
        .filter(|e| e["search"]["mode"] == "match")
        .count();
    let mut bundle = json!({
        "resourceType": "Bundle",
        "id": uuid::Uuid::new_v4().to_string(),
        "meta": { "lastUpdated": format_london(now) },
        "type": "searchset",
        "total": matches,
    });
    if !entries.is_empty() {
        bundle["entry"] = Value::Array(entries);
    }
    bundle
}

// ---- GP Connect ----

pub fn gp_slot(slot: &SlotDef, status: &str) -> Value {
    json!({
        "resourceType": "Slot",
        "id": slot.id,
        "meta": meta(gpc("GPConnect-Slot-1")),
        "extension": [{
            "url": systems::EXT_DELIVERY_CHANNEL,
            "valueCode": slot.kind.channel,
        }],
        "serviceType": [{ "text": slot.kind.service_type }],
        "schedule": { "reference": format!("Schedule/{}", slot.schedule_id) },
        "status": status,
        "start": format_london(slot.start),
        "end": format_london(slot.end),
    })
}

pub fn gp_schedule(
    service: &Service,
    schedule: &ScheduleDef,
    horizon: (DateTime<Utc>, DateTime<Utc>),
) -> Value {
    json!({
        "resourceType": "Schedule",
        "id": schedule.id,
        "meta": meta(gpc("GPConnect-Schedule-1")),
        "extension": [{
            "url": systems::EXT_PRACTITIONER_ROLE,
            "valueCodeableConcept": job_role_concept(schedule.job_role),
        }],
        "serviceCategory": { "text": schedule.category },
        "actor": [
            { "reference": format!("Location/{}", service.location.id) },
            { "reference": format!("Practitioner/{}", schedule.practitioner.id) },
        ],
        "planningHorizon": {
            "start": format_london(horizon.0),
            "end": format_london(horizon.1),
        },
    })
}

pub fn gp_practitioner(p: &PractitionerDef) -> Value {
    json!({
        "resourceType": "Practitioner",
        "id": p.id,
        "meta": meta(gpc("CareConnect-GPC-Practitioner-1")),
        "identifier": [{ "system": systems::SDS_USER_ID, "value": p.sds_user_id }],
        "name": practitioner_name(p),
        "gender": p.gender,
    })
}

pub fn gp_location(service: &Service) -> Value {
    json!({
        "resourceType": "Location",
        "id": service.location.id,
        "meta": meta(gpc("CareConnect-GPC-Location-1")),
        "name": service.location.name,
        "address": address(&service.location.address),
        "telecom": work_phone(service),
        "managingOrganization": {
            "reference": format!("Organization/{}", service.organization_id),
        },
    })
}

pub fn gp_organization(service: &Service) -> Value {
    json!({
        "resourceType": "Organization",
        "id": service.organization_id,
        "meta": meta(gpc("CareConnect-GPC-Organization-1")),
        "identifier": [{ "system": systems::ODS_CODE, "value": service.ods }],
        "name": service.name,
        "address": [address(&service.address)],
        "telecom": work_phone(service),
    })
}

pub fn gp_patient(service: &Service, index: usize, p: &DemoPatient) -> Value {
    let phone_use = if p.phone.starts_with("07") {
        "mobile"
    } else {
        "home"
    };
    json!({
        "resourceType": "Patient",
        "id": service.patient_id(index),
        "meta": meta(gpc("CareConnect-GPC-Patient-1")),
        "identifier": [{
            "extension": [{
                "url": systems::EXT_GPC_NHS_NUMBER_VERIFICATION,
                "valueCodeableConcept": {
                    "coding": [{
                        "system": systems::NHS_NUMBER_VERIFICATION_SYSTEM,
                        "code": "01",
                        "display": "Number present and verified",
                    }]
                }
            }],
            "system": systems::NHS_NUMBER,
            "value": p.nhs_number,
        }],
        "active": true,
        "name": [{
            "use": "official",
            "text": format!("{} {} ({})", p.family, p.given, p.prefix),
            "family": p.family,
            "given": [p.given],
            "prefix": [p.prefix],
        }],
        "telecom": [{ "system": "phone", "value": p.phone, "use": phone_use }],
        "gender": p.gender,
        "birthDate": p.birth_date,
        "address": [{
            "use": "home",
            "type": "physical",
            "line": p.address_lines,
            "city": p.city,
            "postalCode": p.postcode,
        }],
        "managingOrganization": {
            "reference": format!("Organization/{}", service.organization_id),
        },
    })
}

// ---- UEC Booking ----

pub fn uec_slot(service: &Service, slot: &SlotDef) -> Value {
    let mut v = json!({
        "resourceType": "Slot",
        "id": slot.id,
        "meta": meta(care_connect("CareConnect-Slot-1")),
        "identifier": [{ "system": systems::RFC4122, "value": slot.id }],
        "serviceType": [{ "text": slot.kind.service_type }],
        "schedule": { "reference": format!("Schedule/{}", slot.schedule_id) },
        "status": "free",
        "start": format_london(slot.start),
        "end": format_london(slot.end),
    });
    if service.sends_delivery_channel {
        v["extension"] = json!([{
            "url": systems::EXT_DELIVERY_CHANNEL,
            "valueCode": slot.kind.channel,
        }]);
    }
    v
}

pub fn uec_schedule(
    service: &Service,
    schedule: &ScheduleDef,
    horizon: (DateTime<Utc>, DateTime<Utc>),
) -> Value {
    json!({
        "resourceType": "Schedule",
        "id": schedule.id,
        "meta": meta(care_connect("CareConnect-Schedule-1")),
        "active": true,
        "serviceCategory": { "text": schedule.category },
        "actor": [
            { "reference": format!("HealthcareService/{}", service.healthcare_service.unwrap_or_default()) },
            { "reference": format!("Practitioner/{}", schedule.practitioner.id) },
            { "reference": format!("PractitionerRole/{}", schedule.role_id) },
        ],
        "planningHorizon": {
            "start": format_london(horizon.0),
            "end": format_london(horizon.1),
        },
    })
}

pub fn uec_practitioner(p: &PractitionerDef) -> Value {
    json!({
        "resourceType": "Practitioner",
        "id": p.id,
        "meta": meta(care_connect("CareConnect-Practitioner-1")),
        "identifier": [{ "system": systems::SDS_USER_ID, "value": p.sds_user_id }],
        "name": practitioner_name(p),
        "gender": p.gender,
    })
}

pub fn uec_practitioner_role(service: &Service, schedule: &ScheduleDef) -> Value {
    json!({
        "resourceType": "PractitionerRole",
        "id": schedule.role_id,
        "meta": meta(care_connect("CareConnect-PractitionerRole-1")),
        "active": true,
        "practitioner": {
            "reference": format!("Practitioner/{}", schedule.practitioner.id),
            "display": schedule.practitioner.display(),
        },
        "organization": {
            "reference": format!("Organization/{}", service.organization_id),
            "display": service.name,
        },
        "code": [job_role_concept(schedule.job_role)],
    })
}

pub fn uec_healthcare_service(service: &Service) -> Value {
    json!({
        "resourceType": "HealthcareService",
        "id": service.healthcare_service.unwrap_or_default(),
        "meta": meta(care_connect("CareConnect-HealthcareService-1")),
        "active": true,
        "providedBy": {
            "reference": format!("Organization/{}", service.organization_id),
            "display": service.name,
        },
        "location": [{ "reference": format!("Location/{}", service.location.id) }],
        "name": service.name,
        "telecom": work_phone(service),
    })
}

pub fn uec_location(service: &Service) -> Value {
    json!({
        "resourceType": "Location",
        "id": service.location.id,
        "meta": meta(care_connect("CareConnect-Location-1")),
        "status": "active",
        "name": service.location.name,
        "telecom": work_phone(service),
        "address": address(&service.location.address),
        "managingOrganization": {
            "reference": format!("Organization/{}", service.organization_id),
            "display": service.name,
        },
    })
}
