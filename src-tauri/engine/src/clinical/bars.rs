//! The summary as a FHIR R4 message Bundle for BaRS (`booking-request`), kept with the booking so
//! the BaRS work can send it: MessageHeader first, its focus the ServiceRequest, and the
//! Encounter, Observations, Flags, allergies, medication and Patient it refers to.

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};
use uuid::Uuid;

use super::summary::{ClinicalSummary, FlagKind};
use crate::auth::Session;
use crate::views::PatientView;

const EVENTS: &str = "https://fhir.nhs.uk/CodeSystem/message-events-bars";
const REASONS: &str = "https://fhir.nhs.uk/CodeSystem/message-reason-bars";
const DEFINITION: &str = "https://fhir.nhs.uk/MessageDefinition/bars-message-booking-request";
const NHS_NUMBER: &str = "https://fhir.nhs.uk/Id/nhs-number";
const ODS: &str = "https://fhir.nhs.uk/Id/ods-organization-code";
const PATHWAYS_DX: &str = "https://fhir.nhs.uk/CodeSystem/Pathways-Disposition-codes";
const PATHWAYS_SG: &str = "https://fhir.nhs.uk/CodeSystem/Pathways-SG-codes";
const PATHWAYS_SD: &str = "https://fhir.nhs.uk/CodeSystem/Pathways-SD-codes";

/// Who the message goes to.
pub struct Recipient<'a> {
    pub name: &'a str,
    pub ods: &'a str,
    /// The receiving service's endpoint as BaRS names it (e.g. its DoS id or service root).
    pub endpoint: &'a str,
}

fn urn(id: Uuid) -> String {
    format!("urn:uuid:{id}")
}

fn entry(id: Uuid, resource: Value) -> Value {
    json!({ "fullUrl": urn(id), "resource": resource })
}

fn patient_resource(p: &PatientView) -> Value {
    // R4 allows no empty strings or arrays: leave out what is not known.
    let mut name = json!({ "use": "official" });
    if !p.family.trim().is_empty() {
        name["family"] = json!(p.family.trim());
    }
    let given: Vec<&str> = p
        .given
        .iter()
        .map(|g| g.trim())
        .filter(|g| !g.is_empty())
        .collect();
    if !given.is_empty() {
        name["given"] = json!(given);
    }
    let mut r = json!({ "resourceType": "Patient", "name": [name] });
    if let Some(n) = &p.nhs_number {
        r["identifier"] = json!([{ "system": NHS_NUMBER, "value": n.as_str() }]);
    }
    if let Some(g) = &p.gender {
        r["gender"] = json!(g);
    }
    if let Some(b) = p.birth_date {
        r["birthDate"] = json!(b.format("%Y-%m-%d").to_string());
    }
    r
}

/// The message Bundle. Ids are fresh UUIDs; `now` stamps the bundle and the ServiceRequest.
pub fn message_bundle(
    summary: &ClinicalSummary,
    patient: &PatientView,
    session: &Session,
    recipient: &Recipient<'_>,
    now: DateTime<FixedOffset>,
) -> Value {
    let ids = || Uuid::new_v4();
    let (header_id, request_id, encounter_id, patient_id, sender_id, receiver_id) =
        (ids(), ids(), ids(), ids(), ids(), ids());
    let patient_ref = json!({ "reference": urn(patient_id) });
    let t = &summary.triage;

    let mut supporting = vec![json!({ "reference": urn(encounter_id) })];
    let mut extra = Vec::new();
    for o in &summary.observations {
        let id = ids();
        supporting.push(json!({ "reference": urn(id) }));
        let value = match &o.unit {
            Some(u) => format!("{} {u}", o.value.trim()),
            None => o.value.trim().to_string(),
        };
        extra.push(entry(
            id,
            json!({
                "resourceType": "Observation",
                "status": "final",
                "code": { "text": o.name.trim() },
                "subject": patient_ref,
                "encounter": { "reference": urn(encounter_id) },
                "valueString": value,
            }),
        ));
    }
    for f in &summary.flags {
        let id = ids();
        supporting.push(json!({ "reference": urn(id) }));
        let category = match f.kind {
            FlagKind::Safeguarding => "safeguarding",
            FlagKind::Other => "clinical",
        };
        extra.push(entry(
            id,
            json!({
                "resourceType": "Flag",
                "status": "active",
                "category": [{ "text": category }],
                "code": { "text": f.text.trim() },
                "subject": patient_ref,
            }),
        ));
    }
    for a in summary.allergies.iter().flatten() {
        let id = ids();
        supporting.push(json!({ "reference": urn(id) }));
        extra.push(entry(
            id,
            json!({
                "resourceType": "AllergyIntolerance",
                "clinicalStatus": { "coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                    "code": "active" }] },
                "code": { "text": a.trim() },
                "patient": patient_ref,
            }),
        ));
    }
    for m in summary.medication.iter().flatten() {
        let id = ids();
        supporting.push(json!({ "reference": urn(id) }));
        extra.push(entry(
            id,
            json!({
                "resourceType": "MedicationStatement",
                "status": "active",
                "medicationCodeableConcept": { "text": m.trim() },
                "subject": patient_ref,
            }),
        ));
    }

    let mut reason_codes = vec![json!({
        "coding": [{ "system": PATHWAYS_DX, "code": t.disposition_code.trim(),
                     "display": t.disposition_text.trim() }]
    })];
    for (system, coded) in [
        (PATHWAYS_SG, &t.symptom_group),
        (PATHWAYS_SD, &t.symptom_discriminator),
    ] {
        if let Some(c) = coded {
            reason_codes.push(json!({
                "coding": [{ "system": system, "code": c.code.trim(), "display": c.text.trim() }]
            }));
        }
    }
    let org = &session.organisation;
    let mut entries = vec![
        entry(
            header_id,
            json!({
                "resourceType": "MessageHeader",
                "eventCoding": { "system": EVENTS, "code": "booking-request" },
                "destination": [{
                    "endpoint": recipient.endpoint,
                    "receiver": { "reference": urn(receiver_id) },
                }],
                "sender": { "reference": urn(sender_id) },
                "source": {
                    "name": org.name,
                    "software": "Booking Desk",
                    "version": env!("CARGO_PKG_VERSION"),
                    "endpoint": session.system.endpoint,
                },
                "reason": { "coding": [{ "system": REASONS, "code": "new" }] },
                "focus": [{ "reference": urn(request_id) }],
                "definition": DEFINITION,
            }),
        ),
        entry(
            request_id,
            json!({
                "resourceType": "ServiceRequest",
                "status": "active",
                "intent": "plan",
                "subject": patient_ref,
                "encounter": { "reference": urn(encounter_id) },
                "authoredOn": now.to_rfc3339(),
                "occurrencePeriod": {
                    "start": t.assessed_at.to_rfc3339(),
                    "end": t.timeframe().see_by().to_rfc3339(),
                },
                "reasonCode": reason_codes,
                "supportingInfo": supporting,
                "note": [{ "text": summary.presenting_complaint.trim() }],
                "requester": { "reference": urn(sender_id) },
                "performer": [{ "reference": urn(receiver_id) }],
            }),
        ),
        entry(
            encounter_id,
            json!({
                "resourceType": "Encounter",
                "status": "triaged",
                "class": { "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                           "code": "VR", "display": "virtual" },
                "subject": patient_ref,
                "period": { "start": t.assessed_at.to_rfc3339() },
                "reasonCode": [{ "text": summary.presenting_complaint.trim() }],
                "participant": [{ "individual": { "display": summary.assessed_by.name.trim() } }],
            }),
        ),
        entry(patient_id, patient_resource(patient)),
        entry(
            sender_id,
            json!({
                "resourceType": "Organization",
                "identifier": [{ "system": ODS, "value": org.ods.as_str() }],
                "name": org.name,
                "telecom": [{ "system": "phone", "value": summary.call_back_number.trim() }],
            }),
        ),
        entry(
            receiver_id,
            json!({
                "resourceType": "Organization",
                "identifier": [{ "system": ODS, "value": recipient.ods }],
                "name": recipient.name,
            }),
        ),
    ];
    entries.extend(extra);
    json!({
        "resourceType": "Bundle",
        "id": Uuid::new_v4().to_string(),
        "meta": { "lastUpdated": now.to_rfc3339() },
        "type": "message",
        "timestamp": now.to_rfc3339(),
        "entry": entries,
    })
}

#[cfg(test)]
mod tests {
    use super::super::summary::tests::example;
    use super::*;
    use crate::clinical::cda::tests::{patient, session};

    fn by_type<'a>(bundle: &'a Value, t: &str) -> Vec<&'a Value> {
        bundle["entry"]
            .as_array()
            .expect("entries")
            .iter()
            .filter(|e| e["resource"]["resourceType"] == t)
            .collect()
    }

    #[test]
    fn the_bundle_is_a_booking_request_message_focused_on_the_service_request() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T09:45:00+00:00").expect("t");
        let b = message_bundle(
            &example(),
            &patient(),
            &session(),
            &Recipient {
                name: "Calder Valley UTC",
                ods: "NQ501",
                endpoint: "https://provider.example/bars",
            },
            now,
        );
        assert_eq!(b["resourceType"], "Bundle");
        assert_eq!(b["type"], "message");
        let entries = b["entry"].as_array().expect("entries");
        let header = &entries[0]["resource"];
        assert_eq!(
            header["resourceType"], "MessageHeader",
            "MessageHeader comes first"
        );
        assert_eq!(header["eventCoding"]["code"], "booking-request");
        assert_eq!(header["eventCoding"]["system"], EVENTS);
        let focus = header["focus"][0]["reference"].as_str().expect("focus");
        let focused = entries
            .iter()
            .find(|e| e["fullUrl"] == focus)
            .expect("the focus is in the bundle");
        assert_eq!(focused["resource"]["resourceType"], "ServiceRequest");
        // Every reference points at an entry of the bundle.
        let urls: Vec<&str> = entries
            .iter()
            .map(|e| e["fullUrl"].as_str().expect("fullUrl"))
            .collect();
        let text = b.to_string();
        for part in text.split("\"reference\":\"").skip(1) {
            let r = part.split('"').next().expect("reference");
            assert!(urls.contains(&r), "dangling reference {r}");
        }
        let sr = &focused["resource"];
        assert_eq!(sr["reasonCode"][0]["coding"][0]["code"], "Dx05");
        assert_eq!(sr["occurrencePeriod"]["end"], "2026-12-01T11:40:00+00:00");
        // Required R4 elements of each resource are there.
        assert_eq!(sr["status"], "active");
        assert_eq!(sr["intent"], "plan");
        assert_eq!(by_type(&b, "Encounter")[0]["resource"]["status"], "triaged");
        assert!(by_type(&b, "Encounter")[0]["resource"]["class"]["code"].is_string());
        let obs = by_type(&b, "Observation");
        assert_eq!(obs.len(), 1);
        assert_eq!(obs[0]["resource"]["status"], "final");
        assert_eq!(obs[0]["resource"]["valueString"], "38.9 Cel");
        let flags = by_type(&b, "Flag");
        assert_eq!(flags[0]["resource"]["category"][0]["text"], "safeguarding");
        assert_eq!(by_type(&b, "AllergyIntolerance").len(), 1);
        assert!(
            by_type(&b, "MedicationStatement").is_empty(),
            "medication not known"
        );
        let p = &by_type(&b, "Patient")[0]["resource"];
        assert_eq!(p["identifier"][0]["value"], "9434765919");
    }
}
