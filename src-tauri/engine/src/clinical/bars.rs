//! The summary as BaRS carries it (FHIR R4): a ServiceRequest (what is asked of the service and
//! why: the Pathways disposition, symptom group and discriminator) pointing at the Encounter,
//! Observations, Flags, allergies and medication. A booking message carries these entries, its
//! Appointment based on the ServiceRequest; before booking, the preview shows them as a message
//! of their own focused on the ServiceRequest.

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};
use uuid::Uuid;

use super::summary::{ClinicalSummary, FlagKind};
use crate::auth::Session;
use crate::standards::bars_message::{
    self as message, ClinicalPart, Parties, Reason, Recipient, entry, instant, urn,
};
use crate::views::PatientView;

const PATHWAYS_DX: &str = "https://fhir.nhs.uk/CodeSystem/Pathways-Disposition-codes";
const PATHWAYS_SG: &str = "https://fhir.nhs.uk/CodeSystem/Pathways-SG-codes";
const PATHWAYS_SD: &str = "https://fhir.nhs.uk/CodeSystem/Pathways-SD-codes";

/// The summary's entries, referring to the Patient at `patient_url` and to `parties` (our
/// organisation requests, the recipient performs).
pub fn clinical_part(
    summary: &ClinicalSummary,
    patient_url: &str,
    parties: &Parties,
    now: DateTime<FixedOffset>,
) -> ClinicalPart {
    let ids = || urn(Uuid::new_v4());
    let (request_url, encounter_url) = (ids(), ids());
    let patient_ref = json!({ "reference": patient_url });
    let encounter_ref = json!({ "reference": encounter_url });
    let t = &summary.triage;

    let mut supporting = vec![encounter_ref.clone()];
    let mut extra = Vec::new();
    let mut add = |resource: Value| {
        let url = ids();
        supporting.push(json!({ "reference": url }));
        extra.push(entry(url, resource));
    };
    for o in &summary.observations {
        let value = match &o.unit {
            Some(u) => format!("{} {u}", o.value.trim()),
            None => o.value.trim().to_string(),
        };
        add(json!({
            "resourceType": "Observation",
            "status": "final",
            "code": { "text": o.name.trim() },
            "subject": patient_ref,
            "encounter": encounter_ref,
            "valueString": value,
        }));
    }
    for f in &summary.flags {
        let category = match f.kind {
            FlagKind::Safeguarding => "safeguarding",
            FlagKind::Other => "clinical",
        };
        add(json!({
            "resourceType": "Flag",
            "status": "active",
            "category": [{ "text": category }],
            "code": { "text": f.text.trim() },
            "subject": patient_ref,
        }));
    }
    for a in summary.allergies.iter().flatten() {
        add(json!({
            "resourceType": "AllergyIntolerance",
            "clinicalStatus": { "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                "code": "active" }] },
            "code": { "text": a.trim() },
            "patient": patient_ref,
        }));
    }
    for m in summary.medication.iter().flatten() {
        add(json!({
            "resourceType": "MedicationStatement",
            "status": "active",
            "medicationCodeableConcept": { "text": m.trim() },
            "subject": patient_ref,
        }));
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
    let mut entries = vec![
        entry(
            &request_url,
            json!({
                "resourceType": "ServiceRequest",
                "status": "active",
                "intent": "plan",
                "subject": patient_ref,
                "encounter": encounter_ref,
                "authoredOn": instant(now),
                "occurrencePeriod": {
                    "start": instant(t.assessed_at),
                    "end": instant(t.timeframe().see_by()),
                },
                "reasonCode": reason_codes,
                "supportingInfo": supporting,
                "note": [{ "text": summary.presenting_complaint.trim() }],
                "requester": { "reference": parties.sender },
                "performer": [{ "reference": parties.receiver }],
            }),
        ),
        entry(
            &encounter_url,
            json!({
                "resourceType": "Encounter",
                "status": "triaged",
                "class": { "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                           "code": "VR", "display": "virtual" },
                "subject": patient_ref,
                "period": { "start": instant(t.assessed_at) },
                "reasonCode": [{ "text": summary.presenting_complaint.trim() }],
                "participant": [{ "individual": { "display": summary.assessed_by.name.trim() } }],
            }),
        ),
    ];
    entries.extend(extra);
    ClinicalPart {
        service_request: request_url,
        entries,
    }
}

/// The summary on its own as a `booking-request` message focused on the ServiceRequest: what
/// the preview shows before a slot is chosen. Ids are fresh UUIDs; `now` stamps it.
pub fn message_bundle(
    summary: &ClinicalSummary,
    patient: &PatientView,
    session: &Session,
    recipient: &Recipient<'_>,
    now: DateTime<FixedOffset>,
) -> Value {
    let patient_url = urn(Uuid::new_v4());
    let parties = message::parties(session, recipient);
    let clinical = clinical_part(summary, &patient_url, &parties, now);
    let mut entries = vec![entry(
        urn(Uuid::new_v4()),
        message::header(
            session,
            recipient,
            &parties,
            Reason::New,
            &clinical.service_request,
            message::DEFINITION,
        ),
    )];
    entries.extend(clinical.entries);
    entries.push(entry(
        &patient_url,
        message::patient_resource(patient, Some(&summary.call_back_number)),
    ));
    entries.extend(parties.entries);
    message::bundle(entries, now)
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
                endpoint: message::endpoint("2000100505"),
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
        assert_eq!(header["eventCoding"]["system"], message::EVENTS);
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
