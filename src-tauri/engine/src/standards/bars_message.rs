//! BaRS messages: a Bundle of type `message` whose first entry is the MessageHeader
//! (`booking-request`), sent to `$process-message`. A booking's reason is `new` and its focus the
//! Appointment, which references the Slot and the Patient (and, with a triage summary, is based
//! on the ServiceRequest that carries it). A cancellation's reason is `update`: the same
//! Appointment, as the service holds it, with status `cancelled`.

use chrono::{DateTime, FixedOffset, SecondsFormat};
use serde_json::{Value, json};
use uuid::Uuid;

use super::bars::{DOS_SERVICE_ID, VERSION};
use super::bars_slot_entries::slot_entries;
use crate::auth::Session;
use crate::error::{Error, Result};
use crate::views::{AppointmentStatus, PatientView, SlotView};

pub const EVENTS: &str = "https://fhir.nhs.uk/CodeSystem/message-events-bars";
pub const REASONS: &str = "https://fhir.nhs.uk/CodeSystem/message-reason-bars";
pub const DEFINITION: &str = "https://fhir.nhs.uk/MessageDefinition/bars-message-booking-request";
pub const DEFINITION_CANCELLED: &str =
    "https://fhir.nhs.uk/MessageDefinition/bars-message-booking-request-cancelled";
pub const BUNDLE_PROFILE: &str = "https://fhir.nhs.uk/StructureDefinition/BARSBundleMessage";
pub const HEADER_PROFILE: &str =
    "https://fhir.nhs.uk/StructureDefinition/BARSMessageHeader-booking-request";
pub const CONTACT_RANK: &str =
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-ContactRank";
const ROLE_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";
const NHS_NUMBER: &str = "https://fhir.nhs.uk/Id/nhs-number";
const ODS: &str = "https://fhir.nhs.uk/Id/ods-organization-code";

/// A UK Core profile URL, e.g. `ukcore("Patient")`.
pub fn ukcore(resource: &str) -> String {
    format!("https://fhir.hl7.org.uk/StructureDefinition/UKCore-{resource}")
}

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

/// The endpoint a BaRS destination or source names for a service's DoS id.
pub fn endpoint(dos_service_id: &str) -> String {
    format!("{DOS_SERVICE_ID}|{}", dos_service_id.trim())
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

/// The patient as we know them, with how to reach them: R4 allows no empty strings or arrays,
/// so what is not known is left out. Contact details go in `contact` (the patient themself,
/// rank 1), the number to call back first at rank 1, as the Application 1 booking payload asks.
pub fn patient_resource(p: &PatientView, call_back: Option<&str>) -> Value {
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
    if let Some(prefix) = p.prefix.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        name["prefix"] = json!([prefix]);
    }
    let mut r = json!({
        "resourceType": "Patient",
        "meta": { "profile": [ukcore("Patient")] },
        "name": [name],
    });
    if let Some(n) = &p.nhs_number {
        r["identifier"] = json!([{ "system": NHS_NUMBER, "value": n.as_str() }]);
    }
    if let Some(g) = &p.gender {
        r["gender"] = json!(g);
    }
    if let Some(b) = p.birth_date {
        r["birthDate"] = json!(b.format("%Y-%m-%d").to_string());
    }
    if let Some(address) = home_address(p) {
        r["address"] = json!([address]);
    }
    let phones = contact_phones(p, call_back);
    if !phones.is_empty() {
        r["contact"] = json!([{
            "extension": [{ "url": CONTACT_RANK, "valuePositiveInt": 1 }],
            "relationship": [{ "coding": [{
                "system": ROLE_CODE, "code": "ONESELF", "display": "self"
            }] }],
            "telecom": phones,
        }]);
    }
    r
}

/// The patient's one home address, with its postcode, when anything of it is known.
fn home_address(p: &PatientView) -> Option<Value> {
    let lines: Vec<&str> = p
        .address_lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    let postcode = p
        .postcode
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if lines.is_empty() && postcode.is_none() {
        return None;
    }
    let mut a = json!({ "use": "home" });
    if !lines.is_empty() {
        a["line"] = json!(lines);
    }
    if let Some(code) = postcode {
        a["postalCode"] = json!(code);
    }
    Some(a)
}

/// The numbers to reach the patient on, the call-back number first: exactly one at rank 1.
fn contact_phones(p: &PatientView, call_back: Option<&str>) -> Vec<Value> {
    let call_back = call_back.map(str::trim).filter(|n| !n.is_empty());
    let own = p.phone.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let mut phones = Vec::new();
    if let Some(n) = call_back {
        phones.push(json!({ "system": "phone", "value": n, "rank": 1 }));
    }
    if let Some(n) = own.filter(|n| Some(*n) != call_back) {
        let rank = phones.len() + 1;
        phones.push(json!({ "system": "phone", "value": n, "use": "home", "rank": rank }));
    }
    phones
}

/// A BaRS booking must give the service a number to reach the patient on.
pub fn check_reachable(p: &PatientView, call_back: Option<&str>) -> Result<()> {
    if contact_phones(p, call_back).is_empty() {
        return Err(Error::invalid(
            "The service needs a phone number to reach the patient, and none is known.",
        )
        .with_next_step("Enter the patient's phone number or the call-back number, then book."));
    }
    Ok(())
}

/// The sending and receiving organisations and their fullUrls, which the header names, and
/// the endpoint our answers go to.
pub struct Parties {
    pub sender: String,
    pub receiver: String,
    /// Our own service as BaRS names it: `dos-service-id|<our DoS id>`.
    pub source_endpoint: String,
    pub entries: Vec<Value>,
}

/// The desk's own service as BaRS names it, which every message it sends names as its source:
/// an error when the configuration does not say.
pub fn source_endpoint(session: &Session) -> Result<String> {
    session
        .organisation
        .dos_service_id
        .as_deref()
        .filter(|id| !id.trim().is_empty())
        .map(endpoint)
        .ok_or_else(|| {
            Error::config(
                "[organisation] has no dos_service_id, so BaRS services could not answer.",
            )
            .with_next_step(
                "Add dos_service_id (this desk's own Directory of Services id) to the \
                 [organisation] section.",
            )
        })
}

/// Our organisation (with its own phone, never the patient's) and the recipient. A desk with no
/// DoS service id of its own (one that never sends BaRS, only previews a message) names its
/// system endpoint instead; [`source_endpoint`] refuses that before anything is sent.
pub fn parties(session: &Session, recipient: &Recipient<'_>) -> Parties {
    let org = &session.organisation;
    let (sender, receiver) = (urn(Uuid::new_v4()), urn(Uuid::new_v4()));
    let mut ours = json!({
        "resourceType": "Organization",
        "meta": { "profile": [ukcore("Organization")] },
        "identifier": [{ "system": ODS, "value": org.ods.as_str() }],
        "name": org.name,
    });
    if let Some(phone) = org
        .telecom
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        ours["telecom"] = json!([{ "system": "phone", "value": phone, "use": "work" }]);
    }
    let theirs = json!({
        "resourceType": "Organization",
        "meta": { "profile": [ukcore("Organization")] },
        "identifier": [{ "system": ODS, "value": recipient.ods }],
        "name": recipient.name,
    });
    Parties {
        entries: vec![entry(&sender, ours), entry(&receiver, theirs)],
        sender,
        receiver,
        source_endpoint: source_endpoint(session)
            .unwrap_or_else(|_| session.system.endpoint.clone()),
    }
}

/// The MessageHeader: event `booking-request`, sent by our organisation and software to the
/// recipient, about `focus`, under the MessageDefinition `definition`.
pub fn header(
    session: &Session,
    recipient: &Recipient<'_>,
    parties: &Parties,
    reason: Reason,
    focus: &str,
    definition: &str,
) -> Value {
    let org = &session.organisation;
    let mut source = json!({
        "name": org.name,
        "software": "Booking Desk",
        "version": env!("CARGO_PKG_VERSION"),
        "endpoint": parties.source_endpoint,
    });
    if let Some(phone) = org
        .telecom
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        source["contact"] = json!({ "system": "phone", "value": phone });
    }
    json!({
        "resourceType": "MessageHeader",
        "meta": { "profile": [HEADER_PROFILE] },
        "eventCoding": { "system": EVENTS, "code": "booking-request" },
        "destination": [{
            "endpoint": recipient.endpoint,
            "receiver": { "reference": parties.receiver },
        }],
        "sender": { "reference": parties.sender },
        "source": source,
        "reason": { "coding": [{ "system": REASONS, "code": reason.code() }] },
        "focus": [{ "reference": focus }],
        "definition": definition,
    })
}

/// Every resource carries `meta.lastUpdated` (the guide: the same instant for all when the
/// message is new); one that already has it (as received from the service) keeps it.
fn stamp(entries: &mut [Value], now: &str) {
    for e in entries.iter_mut() {
        let resource = &mut e["resource"];
        if !resource.is_object() {
            continue;
        }
        if !resource["meta"].is_object() {
            resource["meta"] = json!({});
        }
        if resource["meta"].get("lastUpdated").is_none() {
            resource["meta"]["lastUpdated"] = json!(now);
        }
    }
}

/// The message Bundle around its entries, header first: `meta.versionId` names the BaRS
/// application version the message keeps, which the receiver reads before anything else.
pub fn bundle(mut entries: Vec<Value>, now: DateTime<FixedOffset>) -> Value {
    let now = instant(now);
    stamp(&mut entries, &now);
    json!({
        "resourceType": "Bundle",
        "id": Uuid::new_v4().to_string(),
        "meta": {
            "versionId": VERSION,
            "lastUpdated": now,
            "profile": [BUNDLE_PROFILE],
        },
        "type": "message",
        "timestamp": now,
        "entry": entries,
    })
}

/// What a booking says besides the slot and the patient.
pub struct Booking<'a> {
    pub slot: &'a SlotView,
    /// The service's HealthcareService id as its slot search takes it.
    pub healthcare_service: &'a str,
    pub patient: &'a PatientView,
    /// The number to call the patient back on, when the call handler took one.
    pub call_back: Option<&'a str>,
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
/// given) were built to refer to. The Slot, its Schedule and whoever the Schedule names go
/// back as the slot search returned them, their references pointing inside the message.
pub fn booking(
    session: &Session,
    recipient: &Recipient<'_>,
    parties: Parties,
    booking: Booking<'_>,
    patient_url: &str,
    now: DateTime<FixedOffset>,
) -> Value {
    let appointment_url = urn(Uuid::new_v4());
    let slot = booking.slot;
    let slot_part = slot_entries(slot, &parties.receiver, booking.healthcare_service);
    let mut appointment = json!({
        "resourceType": "Appointment",
        "meta": { "profile": [ukcore("Appointment")] },
        "status": AppointmentStatus::Booked,
        "description": booking.description.trim(),
        "start": instant(slot.start),
        "end": instant(slot.end),
        "created": instant(now),
        "slot": [{ "reference": slot_part.slot_url }],
        "participant": [{ "actor": { "reference": patient_url }, "status": "accepted" }],
    });
    if let Some(participants) = appointment["participant"].as_array_mut() {
        participants.extend(slot_part.participants.iter().cloned());
    }
    if let Some(channel) = &slot_part.delivery_channel {
        appointment["extension"] = json!([channel]);
    }
    if let Some(c) = booking.comment.map(str::trim).filter(|c| !c.is_empty()) {
        appointment["comment"] = json!(c);
    }
    if let Some(c) = &booking.clinical {
        appointment["basedOn"] = json!([{ "reference": c.service_request }]);
    }
    let mut entries = vec![
        entry(
            urn(Uuid::new_v4()),
            header(
                session,
                recipient,
                &parties,
                Reason::New,
                &appointment_url,
                DEFINITION,
            ),
        ),
        entry(&appointment_url, appointment),
        entry(
            patient_url,
            patient_resource(booking.patient, booking.call_back),
        ),
    ];
    entries.extend(slot_part.entries);
    entries.extend(parties.entries);
    if let Some(c) = booking.clinical {
        entries.extend(c.entries);
    }
    bundle(entries, now)
}

/// The cancellation: the appointment as the service holds it (`current`, whose unknown
/// elements are kept), now `cancelled`, with the reason in words, and the Patient it names.
/// `appointment_url` is its address at the service, so its relative references (the
/// service's `Patient/{id}`) resolve against the service's root, where the Patient entry is.
pub fn cancellation(
    session: &Session,
    recipient: &Recipient<'_>,
    mut current: Value,
    appointment_url: &str,
    reason: &str,
    now: DateTime<FixedOffset>,
) -> Result<Value> {
    source_endpoint(session)?;
    let parties = parties(session, recipient);
    current["status"] = json!(AppointmentStatus::Cancelled);
    current["cancelationReason"] = json!({ "text": reason.trim() });
    let patient = cancelled_patient(&current, appointment_url);
    let mut entries = vec![
        entry(
            urn(Uuid::new_v4()),
            header(
                session,
                recipient,
                &parties,
                Reason::Update,
                appointment_url,
                DEFINITION_CANCELLED,
            ),
        ),
        entry(appointment_url, current),
    ];
    entries.push(patient);
    entries.extend(parties.entries);
    Ok(bundle(entries, now))
}

/// The Patient entry a cancellation carries: the one the appointment's participant names, at
/// the address that reference has beside the appointment, with the NHS number it carries.
fn cancelled_patient(appointment: &Value, appointment_url: &str) -> Value {
    let participant = appointment["participant"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| &p["actor"])
        .find(|a| {
            a["reference"]
                .as_str()
                .is_some_and(|r| r.starts_with("Patient/") || r.contains("/Patient/"))
        });
    let reference = participant.and_then(|a| a["reference"].as_str());
    let mut patient = json!({
        "resourceType": "Patient",
        "meta": { "profile": [ukcore("Patient")] },
    });
    if let Some(identifier) = participant
        .map(|a| &a["identifier"])
        .filter(|i| i.is_object())
    {
        patient["identifier"] = json!([identifier]);
    }
    let full_url = match reference {
        Some(r) if r.starts_with("Patient/") => {
            let id = r.trim_start_matches("Patient/");
            patient["id"] = json!(id);
            let root = appointment_url
                .rsplit_once("/Appointment/")
                .map_or(appointment_url, |(root, _)| root);
            format!("{root}/{r}")
        }
        Some(r) => r.to_string(),
        None => urn(Uuid::new_v4()),
    };
    entry(full_url, patient)
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
            source: None,
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
            parties(&session(), &recipient()),
            Booking {
                slot: &s,
                healthcare_service: "2000100505",
                patient: &p,
                call_back: Some("0113 496 0000"),
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
        )
        .expect("a desk with a DoS id");
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
