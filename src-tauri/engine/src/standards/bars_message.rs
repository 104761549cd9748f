//! BaRS messages: a Bundle of type `message` whose first entry is the MessageHeader
//! (`booking-request`), sent to `$process-message`. A booking's reason is `new` and its focus the
//! Appointment, which references the Slot and the Patient (and, with a triage summary, is based
//! on the ServiceRequest that carries it). A cancellation's reason is `update`: the same
//! Appointment, as the service holds it, with status `cancelled`.

use chrono::{DateTime, FixedOffset, SecondsFormat};
use serde_json::{Value, json};
use uuid::Uuid;

use super::bars::DOS_SERVICE_ID;
use crate::auth::Session;
use crate::views::{PatientView, SlotView};

pub const EVENTS: &str = "https://fhir.nhs.uk/CodeSystem/message-events-bars";
pub const REASONS: &str = "https://fhir.nhs.uk/CodeSystem/message-reason-bars";
const DEFINITION: &str = "https://fhir.nhs.uk/MessageDefinition/bars-message-booking-request";
const NHS_NUMBER: &str = "https://fhir.nhs.uk/Id/nhs-number";
const ODS: &str = "https://fhir.nhs.uk/Id/ods-organization-code";

/// Why a message is sent (`message-reason-bars`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    New,
    Update,
}

impl Reason {
    fn code(self) -> &'static str {
        match self {
            Reason::New => "new",
            Reason::Update => "update",
        }
    }
}

/// Who the message goes to.
pub struct Recipient<'a> {
    pub name: &'a str,
    pub ods: &'a str,
    /// The receiving service's endpoint as BaRS names it: `dos-service-id|<id>`.
    pub endpoint: String,
}

/// The endpoint a BaRS destination names for a service's DoS id.
pub fn endpoint(target_identifier: &str) -> String {
    format!("{DOS_SERVICE_ID}|{target_identifier}")
}

pub fn urn(id: Uuid) -> String {
    format!("urn:uuid:{id}")
}

pub fn entry(full_url: impl Into<String>, resource: Value) -> Value {
    json!({ "fullUrl": full_url.into(), "resource": resource })
}

/// Instants as BaRS examples write them: seconds and an offset.
pub fn instant(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The patient as we know them. R4 allows no empty strings or arrays: what is not known is
/// left out.
pub fn patient_resource(p: &PatientView) -> Value {
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

/// The sending and receiving organisations and their fullUrls, which the header names.
pub struct Parties {
    pub sender: String,
    pub receiver: String,
    pub entries: Vec<Value>,
}

/// Our organisation (with the call-back number, when there is one) and the recipient.
pub fn parties(session: &Session, recipient: &Recipient<'_>, call_back: Option<&str>) -> Parties {
    let (sender, receiver) = (urn(Uuid::new_v4()), urn(Uuid::new_v4()));
    let org = &session.organisation;
    let mut ours = json!({
        "resourceType": "Organization",
        "identifier": [{ "system": ODS, "value": org.ods.as_str() }],
        "name": org.name,
    });
    if let Some(phone) = call_back.or(org.telecom.as_deref()).map(str::trim)
        && !phone.is_empty()
    {
        ours["telecom"] = json!([{ "system": "phone", "value": phone }]);
    }
    let theirs = json!({
        "resourceType": "Organization",
        "identifier": [{ "system": ODS, "value": recipient.ods }],
        "name": recipient.name,
    });
    Parties {
        entries: vec![entry(&sender, ours), entry(&receiver, theirs)],
        sender,
        receiver,
    }
}

/// The MessageHeader: event `booking-request`, sent by our organisation and software to the
/// recipient, about `focus`.
pub fn header(
    session: &Session,
    recipient: &Recipient<'_>,
    parties: &Parties,
    reason: Reason,
    focus: &str,
) -> Value {
    json!({
        "resourceType": "MessageHeader",
        "eventCoding": { "system": EVENTS, "code": "booking-request" },
        "destination": [{
            "endpoint": recipient.endpoint,
            "receiver": { "reference": parties.receiver },
        }],
        "sender": { "reference": parties.sender },
        "source": {
            "name": session.organisation.name,
            "software": "Booking Desk",
            "version": env!("CARGO_PKG_VERSION"),
            "endpoint": session.system.endpoint,
        },
        "reason": { "coding": [{ "system": REASONS, "code": reason.code() }] },
        "focus": [{ "reference": focus }],
        "definition": DEFINITION,
    })
}

/// The message Bundle around its entries, header first.
pub fn bundle(entries: Vec<Value>, now: DateTime<FixedOffset>) -> Value {
    json!({
        "resourceType": "Bundle",
        "id": Uuid::new_v4().to_string(),
        "meta": { "lastUpdated": instant(now) },
        "type": "message",
        "timestamp": instant(now),
        "entry": entries,
    })
}

/// What a booking says besides the slot and the patient.
pub struct Booking<'a> {
    pub slot: &'a SlotView,
    pub patient: &'a PatientView,
    pub description: &'a str,
    pub comment: Option<&'a str>,
    /// The triage summary's entries, built to refer to this message's Patient and parties.
    pub clinical: Option<ClinicalPart>,
}

/// The clinical content a booking carries: the ServiceRequest's fullUrl, its entries and
/// everything they refer to (the Patient and the parties aside, which the message has).
pub struct ClinicalPart {
    pub service_request: String,
    pub entries: Vec<Value>,
}

/// The booking message. `patient_url` and `parties` are the ones the clinical entries (when
/// given) were built to refer to.
pub fn booking(
    session: &Session,
    recipient: &Recipient<'_>,
    parties: Parties,
    booking: Booking<'_>,
    patient_url: &str,
    now: DateTime<FixedOffset>,
) -> Value {
    let (appointment_url, slot_url) = (urn(Uuid::new_v4()), urn(Uuid::new_v4()));
    let slot = booking.slot;
    let mut appointment = json!({
        "resourceType": "Appointment",
        "status": "booked",
        "description": booking.description.trim(),
        "start": instant(slot.start),
        "end": instant(slot.end),
        "created": instant(now),
        "slot": [{ "reference": slot_url }],
        "participant": [{ "actor": { "reference": patient_url }, "status": "accepted" }],
    });
    if let Some(c) = booking.comment.map(str::trim).filter(|c| !c.is_empty()) {
        appointment["comment"] = json!(c);
    }
    if let Some(c) = &booking.clinical {
        appointment["basedOn"] = json!([{ "reference": c.service_request }]);
    }
    // The service's own slot, by its id: the schedule is named by reference, as the search
    // answer gave it.
    let schedule = match &slot.schedule_id {
        Some(id) => json!({ "reference": format!("Schedule/{id}") }),
        None => json!({ "display": slot.service_name }),
    };
    let slot_resource = json!({
        "resourceType": "Slot",
        "id": slot.id.as_str(),
        "schedule": schedule,
        "status": "busy",
        "start": instant(slot.start),
        "end": instant(slot.end),
    });
    let mut entries = vec![
        entry(
            urn(Uuid::new_v4()),
            header(session, recipient, &parties, Reason::New, &appointment_url),
        ),
        entry(&appointment_url, appointment),
        entry(slot_url, slot_resource),
        entry(patient_url, patient_resource(booking.patient)),
    ];
    entries.extend(parties.entries);
    if let Some(c) = booking.clinical {
        entries.extend(c.entries);
    }
    bundle(entries, now)
}

/// The cancellation: the appointment as the service holds it (`current`, whose unknown
/// elements are kept), now `cancelled`, with the reason in words. `appointment_url` is its
/// address at the service.
pub fn cancellation(
    session: &Session,
    recipient: &Recipient<'_>,
    mut current: Value,
    appointment_url: &str,
    reason: &str,
    now: DateTime<FixedOffset>,
) -> Value {
    let parties = parties(session, recipient, None);
    current["status"] = json!("cancelled");
    current["cancelationReason"] = json!({ "text": reason.trim() });
    let mut entries = vec![
        entry(
            urn(Uuid::new_v4()),
            header(
                session,
                recipient,
                &parties,
                Reason::Update,
                appointment_url,
            ),
        ),
        entry(appointment_url, current),
    ];
    entries.extend(parties.entries);
    bundle(entries, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clinical::cda::tests::{patient, session};
    use crate::directory::ServiceKind;
    use crate::fhir::r4;
    use crate::ids::{ServiceId, SlotId};

    fn recipient() -> Recipient<'static> {
        Recipient {
            name: "Spen Valley UTC",
            ods: "NQ503",
            endpoint: endpoint("2000100505"),
        }
    }

    fn slot() -> SlotView {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).expect("time");
        SlotView {
            service_id: ServiceId::parse("spen-valley-utc").expect("id"),
            service_name: "Spen Valley UTC".into(),
            service_kind: ServiceKind::UrgentCare,
            id: SlotId::parse("svu-slot-1").expect("id"),
            schedule_id: Some("svu-schedule".into()),
            start: t("2026-12-02T10:00:00+00:00"),
            end: t("2026-12-02T10:15:00+00:00"),
            delivery_channel: None,
            slot_type: None,
            schedule_type: None,
            practitioner: None,
            location: None,
        }
    }

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-12-01T09:45:00+00:00").expect("t")
    }

    fn resource<'a>(b: &'a Value, t: &str) -> &'a Value {
        &b["entry"]
            .as_array()
            .expect("entries")
            .iter()
            .find(|e| e["resource"]["resourceType"] == t)
            .unwrap_or_else(|| panic!("a {t} entry"))["resource"]
    }

    #[test]
    fn a_booking_focuses_on_the_appointment_of_the_services_slot() {
        let (p, s) = (patient(), slot());
        let patient_url = urn(Uuid::new_v4());
        let b = booking(
            &session(),
            &recipient(),
            parties(&session(), &recipient(), None),
            Booking {
                slot: &s,
                patient: &p,
                description: "Chest pain",
                comment: Some("Call first"),
                clinical: None,
            },
            &patient_url,
            now(),
        );
        let header = &b["entry"][0]["resource"];
        assert_eq!(header["resourceType"], "MessageHeader");
        assert_eq!(header["reason"]["coding"][0]["code"], "new");
        assert_eq!(
            header["destination"][0]["endpoint"],
            "https://fhir.nhs.uk/Id/dos-service-id|2000100505"
        );
        let focus = header["focus"][0]["reference"].as_str().expect("focus");
        assert_eq!(b["entry"][1]["fullUrl"], focus);
        let a = resource(&b, "Appointment");
        assert_eq!(a["status"], "booked");
        assert_eq!(a["start"], "2026-12-02T10:00:00+00:00");
        assert_eq!(a["comment"], "Call first");
        assert!(a.get("id").is_none(), "the service assigns the id");
        let slot_ref = a["slot"][0]["reference"].as_str().expect("slot ref");
        let slot_entry = b["entry"]
            .as_array()
            .expect("entries")
            .iter()
            .find(|e| e["fullUrl"] == slot_ref)
            .expect("the slot is in the message");
        assert_eq!(slot_entry["resource"]["id"], "svu-slot-1");
        assert_eq!(
            a["participant"][0]["actor"]["reference"].as_str(),
            Some(patient_url.as_str())
        );
        assert_eq!(
            resource(&b, "Patient")["identifier"][0]["value"],
            "9434765919"
        );
        let problems = r4::check_json(&b).expect("R4 JSON");
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn a_cancellation_is_an_update_whose_appointment_is_cancelled() {
        let current = json!({
            "resourceType": "Appointment", "id": "a1", "status": "booked",
            "start": "2026-12-02T10:00:00+00:00", "end": "2026-12-02T10:15:00+00:00",
            "slot": [{ "reference": "Slot/svu-slot-1" }],
            "participant": [{ "actor": { "reference": "Patient/p1" }, "status": "accepted" }],
            "extension": [{ "url": "https://example.org/kept", "valueString": "kept" }],
        });
        let url = "https://prov.example/bars/spen-valley-utc/FHIR/R4/Appointment/a1";
        let b = cancellation(
            &session(),
            &recipient(),
            current,
            url,
            "Patient feels better",
            now(),
        );
        let header = &b["entry"][0]["resource"];
        assert_eq!(header["reason"]["coding"][0]["code"], "update");
        assert_eq!(header["focus"][0]["reference"], url);
        let a = resource(&b, "Appointment");
        assert_eq!(a["id"], "a1");
        assert_eq!(a["status"], "cancelled");
        assert_eq!(a["cancelationReason"]["text"], "Patient feels better");
        assert_eq!(a["extension"][0]["valueString"], "kept");
        let problems = r4::check_json(&b).expect("R4 JSON");
        assert!(problems.is_empty(), "{problems:?}");
    }
}
