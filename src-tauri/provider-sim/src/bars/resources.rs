//! The R4 (UK Core) resources a BaRS service describes its slots with, after the published
//! slot search example.

use super::headers::DOS_SERVICE_ID;
use crate::fhir_time::format_london;
use crate::seed::{Address, PractitionerDef, ScheduleDef, Service};
use crate::slots::SlotDef;
use crate::systems;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

const UKCORE_SD: &str = "https://fhir.hl7.org.uk/StructureDefinition/";
pub const EXT_DELIVERY_CHANNEL: &str =
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-DeliveryChannel";
const SDS_JOB_ROLE: &str = "https://fhir.nhs.uk/CodeSystem/NHSDigital-SDSJobRoleName";

/// A UK Core profile URL, e.g. `ukcore("Slot")`.
pub fn ukcore(resource: &str) -> String {
    format!("{UKCORE_SD}UKCore-{resource}")
}

fn meta(resource: &str) -> Value {
    json!({ "versionId": "1", "profile": [ukcore(resource)] })
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

fn dos_id(service: &Service) -> &'static str {
    service.dos_service_id.unwrap_or_default()
}

pub fn slot(service: &Service, s: &SlotDef, status: &str) -> Value {
    let category = service
        .schedule(s.schedule_id)
        .map(|sch| sch.category)
        .unwrap_or_default();
    let mut v = json!({
        "resourceType": "Slot",
        "id": s.id,
        "meta": meta("Slot"),
        "serviceCategory": [{ "text": category }],
        "serviceType": [{ "text": s.kind.service_type }],
        "schedule": { "reference": format!("Schedule/{}", s.schedule_id) },
        "status": status,
        "start": format_london(s.start),
        "end": format_london(s.end),
    });
    if service.sends_delivery_channel {
        v["extension"] = json!([{ "url": EXT_DELIVERY_CHANNEL, "valueCode": s.kind.channel }]);
    }
    v
}

pub fn schedule(
    service: &Service,
    sch: &ScheduleDef,
    horizon: (DateTime<Utc>, DateTime<Utc>),
) -> Value {
    json!({
        "resourceType": "Schedule",
        "id": sch.id,
        "meta": meta("Schedule"),
        "active": true,
        "serviceCategory": [{ "text": sch.category }],
        "actor": [
            { "reference": format!("HealthcareService/{}", dos_id(service)) },
            { "reference": format!("PractitionerRole/{}", sch.role_id) },
            { "reference": format!("Practitioner/{}", sch.practitioner.id) },
        ],
        "planningHorizon": {
            "start": format_london(horizon.0),
            "end": format_london(horizon.1),
        },
    })
}

pub fn healthcare_service(service: &Service) -> Value {
    json!({
        "resourceType": "HealthcareService",
        "id": dos_id(service),
        "meta": meta("HealthcareService"),
        "identifier": [{ "system": DOS_SERVICE_ID, "value": dos_id(service) }],
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

pub fn location(service: &Service) -> Value {
    json!({
        "resourceType": "Location",
        "id": service.location.id,
        "meta": meta("Location"),
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

pub fn organization(service: &Service) -> Value {
    json!({
        "resourceType": "Organization",
        "id": service.organization_id,
        "meta": meta("Organization"),
        "identifier": [{ "system": systems::ODS_CODE, "value": service.ods }],
        "active": true,
        "name": service.name,
        "telecom": work_phone(service),
        "address": [address(&service.address)],
    })
}

pub fn practitioner(p: &PractitionerDef) -> Value {
    json!({
        "resourceType": "Practitioner",
        "id": p.id,
        "meta": meta("Practitioner"),
        "identifier": [{ "system": systems::SDS_USER_ID, "value": p.sds_user_id }],
        "name": [{
            "use": "official",
            "family": p.family,
            "given": [p.given],
            "prefix": [p.prefix],
        }],
        "gender": p.gender,
    })
}

pub fn practitioner_role(service: &Service, sch: &ScheduleDef) -> Value {
    json!({
        "resourceType": "PractitionerRole",
        "id": sch.role_id,
        "meta": meta("PractitionerRole"),
        "active": true,
        "practitioner": {
            "reference": format!("Practitioner/{}", sch.practitioner.id),
            "display": sch.practitioner.display(),
        },
        "organization": {
            "reference": format!("Organization/{}", service.organization_id),
            "display": service.name,
        },
        "code": [{
            "coding": [{
                "system": SDS_JOB_ROLE,
                "code": sch.job_role.code,
                "display": sch.job_role.display,
            }]
        }],
        "healthcareService": [{ "reference": format!("HealthcareService/{}", dos_id(service)) }],
    })
}
