//! CapabilityStatements: what each kind of service says it supports.

use crate::seed::{Service, Standard};
use crate::systems::{care_connect, gpc};
use serde_json::{Value, json};

fn interactions(codes: &[&str]) -> Value {
    Value::Array(codes.iter().map(|c| json!({ "code": c })).collect())
}

fn search_param(name: &str, kind: &str, doc: &str) -> Value {
    json!({ "name": name, "type": kind, "documentation": doc })
}

fn common(service: &Service, name: &str, description: String, profiles: Vec<String>) -> Value {
    json!({
        "resourceType": "CapabilityStatement",
        "version": env!("CARGO_PKG_VERSION"),
        "name": name,
        "status": "active",
        "date": "2024-01-01",
        "publisher": service.name,
        "description": description,
        "kind": "instance",
        "software": {
            "name": "Booking Desk provider simulator",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "implementation": { "description": service.name },
        "fhirVersion": "3.0.1",
        "acceptUnknown": "both",
        "format": ["application/fhir+json"],
        "profile": profiles.into_iter().map(|p| json!({ "reference": p })).collect::<Vec<_>>(),
    })
}

fn gp_connect(service: &Service) -> Value {
    let profiles = [
        "CareConnect-GPC-Patient-1",
        "CareConnect-GPC-Organization-1",
        "CareConnect-GPC-Practitioner-1",
        "CareConnect-GPC-Location-1",
        "GPConnect-Appointment-1",
        "GPConnect-Schedule-1",
        "GPConnect-Slot-1",
        "GPConnect-OperationOutcome-1",
    ]
    .iter()
    .map(|p| gpc(p))
    .collect();
    let mut v = common(
        service,
        "GP Connect",
        "GP Connect Appointment Management (simulated provider)".into(),
        profiles,
    );
    v["rest"] = json!([{
        "mode": "server",
        "security": { "cors": true },
        "resource": [
            {
                "type": "Patient",
                "interaction": interactions(&["read", "search-type"]),
                "searchParam": [search_param("identifier", "token",
                    "NHS Number (i.e. https://fhir.nhs.uk/Id/nhs-number|123456789)")],
            },
            { "type": "Organization", "interaction": interactions(&["read"]) },
            { "type": "Practitioner", "interaction": interactions(&["read"]) },
            { "type": "Location", "interaction": interactions(&["read"]) },
            { "type": "Schedule" },
            {
                "type": "Slot",
                "interaction": interactions(&["search-type"]),
                "searchParam": [
                    search_param("start", "date", "Start of the window (ge)"),
                    search_param("end", "date", "End of the window (le)"),
                    search_param("status", "token", "Only free"),
                    search_param("searchFilter", "token", "Consumer organisation ODS code and type"),
                ],
                "searchInclude": [
                    "Slot:schedule",
                    "Schedule:actor:Practitioner",
                    "Schedule:actor:Location",
                    "Location:managingOrganization",
                ],
            },
            {
                "type": "Appointment",
                "interaction": interactions(&["read", "update", "create"]),
                "searchParam": [search_param("start", "date", "Patient appointments by start")],
            },
        ],
    }]);
    v
}

fn uec(service: &Service) -> Value {
    let profiles = [
        "CareConnect-Appointment-1",
        "CareConnect-Slot-1",
        "CareConnect-Schedule-1",
        "CareConnect-Practitioner-1",
        "CareConnect-PractitionerRole-1",
        "CareConnect-HealthcareService-1",
        "CareConnect-Location-1",
        "CareConnect-Patient-1",
    ]
    .iter()
    .map(|p| care_connect(p))
    .collect();
    let mut v = common(
        service,
        "UEC Booking",
        "UEC Appointment Booking (simulated provider)".into(),
        profiles,
    );
    v["rest"] = json!([{
        "mode": "server",
        "resource": [
            {
                "type": "Slot",
                "interaction": interactions(&["search-type"]),
                "searchParam": [
                    search_param("schedule.actor:healthcareservice", "reference", "The HealthcareService id"),
                    search_param("start", "date", "ge and le bounds on the slot start"),
                    search_param("status", "token", "Only free"),
                ],
                "searchInclude": [
                    "Slot:schedule",
                    "Schedule:actor:Practitioner",
                    "Schedule:actor:PractitionerRole",
                    "Schedule:actor:HealthcareService",
                    "HealthcareService:location",
                ],
            },
            {
                "type": "Appointment",
                "interaction": interactions(&["read", "create", "update"]),
                "versioning": "versioned-update",
            },
        ],
    }]);
    v
}

/// The BaRS receiver's R4 statement, after the published example: Slot search, Appointment read
/// and search by patient, and `$process-message` for booking requests (new and cancellation).
/// The dispatcher fills in the service root URLs.
fn bars(service: &Service) -> Value {
    let appointment_params = json!([
        { "name": "patient:identifier", "type": "token",
          "documentation": "NHS Number (system must be https://fhir.nhs.uk/Id/nhs-number)" },
    ]);
    json!({
        "resourceType": "CapabilityStatement",
        "name": "BaRS FHIR Server CapabilityStatement",
        "status": "active",
        "version": "1.0.0",
        "experimental": false,
        "date": "2024-01-09",
        "publisher": service.name,
        "kind": "instance",
        "description": format!("{} (simulated BaRS receiver)", service.name),
        "software": {
            "name": "Booking Desk provider simulator",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "implementation": { "description": service.name },
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [{
            "mode": "server",
            "security": {
                "service": [{
                    "coding": [{
                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        "code": "OAuth",
                        "display": "OAuth",
                    }]
                }]
            },
            "resource": [
                {
                    "type": "CapabilityStatement",
                    "interaction": interactions(&["read"]),
                    "versioning": "no-version",
                },
                {
                    "type": "Appointment",
                    "interaction": interactions(&["read", "search-type"]),
                    "versioning": "no-version",
                    "searchParam": appointment_params,
                },
                {
                    "type": "Slot",
                    "interaction": interactions(&["search-type"]),
                    "versioning": "no-version",
                    "searchInclude": [
                        "Slot:schedule",
                        "Schedule:actor:Practitioner",
                        "Schedule:actor:PractitionerRole",
                        "Schedule:actor:HealthcareService",
                        "HealthcareService:providedBy",
                        "HealthcareService:location",
                    ],
                    "searchParam": [
                        { "name": "start", "type": "date" },
                        { "name": "status", "type": "token" },
                        { "name": "Schedule.actor:HealthcareService", "type": "token" },
                    ],
                },
            ],
            "operation": [{
                "name": "$process-message",
                "definition": "http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message",
            }],
        }],
        "messaging": [{
            "supportedMessage": [
                { "mode": "receiver", "definition": "https://fhir.nhs.uk/MessageDefinition/bars-message-booking-request" },
                { "mode": "receiver", "definition": "https://fhir.nhs.uk/MessageDefinition/bars-message-booking-request-cancelled" },
            ],
        }],
    })
}

pub fn statement(service: &Service) -> Value {
    match service.standard {
        Standard::GpConnect => gp_connect(service),
        Standard::UecBooking => uec(service),
        Standard::Bars => bars(service),
    }
}
