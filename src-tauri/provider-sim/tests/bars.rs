//! BaRS services over real loopback HTTP: a platform token from the simulator's own token
//! endpoint, then capability, slot search, booking, reading back, cancelling and every refusal
//! a sender can meet.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{Duration, SecondsFormat, Utc};
use common::platform::{fetch_token, http, keys};
use common::{now, options};
use provider_sim::{
    DEMO_PLATFORM_KEY_ID, PlatformClient, RunningSim, ServiceEntry, SimOptions, start,
};
use reqwest::{Method, Response};
use serde_json::{Value, json};
use uuid::Uuid;

const API_KEY: &str = "DeskApiKey0123456789";
const ERROR_CODES: &str = "https://fhir.nhs.uk/Codesystem/http-error-codes";
const EVENTS: &str = "https://fhir.nhs.uk/CodeSystem/message-events-bars";
const REASONS: &str = "https://fhir.nhs.uk/CodeSystem/message-reason-bars";
const NHS_NUMBER: &str = "https://fhir.nhs.uk/Id/nhs-number";
const DOS: &str = "https://fhir.nhs.uk/Id/dos-service-id";
const ACCEPT: &str = "application/fhir+json; version=1.0.0";
const UTC: &str = "spen-valley-utc";
const ED: &str = "kirkgate-infirmary-ed";
const JANE: &str = "9434765919";

fn b64(v: &Value) -> String {
    STANDARD.encode(serde_json::to_vec(v).expect("json"))
}

fn target(dos_id: &str) -> String {
    b64(&json!({ "value": dos_id, "system": DOS }))
}

fn instant(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn service(sim: &RunningSim, id: &str) -> ServiceEntry {
    sim.services()
        .into_iter()
        .find(|s| s.id == id)
        .expect("service exists")
}

/// The desk as a BaRS sender: its token and the headers it sends with every request.
struct Sender {
    http: reqwest::Client,
    token: String,
}

impl Sender {
    async fn new(sim: &RunningSim) -> Sender {
        sim.register_desk_key(API_KEY, &keys().1)
            .expect("registers");
        Sender {
            http: http(),
            token: fetch_token(sim, API_KEY, DEMO_PLATFORM_KEY_ID).await,
        }
    }

    fn headers(&self, svc: &ServiceEntry) -> Vec<(&'static str, String)> {
        let org = json!({
            "resourceType": "Organization",
            "identifier": [{ "system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "RYA" }],
            "name": "NHS 111 North West",
        });
        let device = json!({
            "resourceType": "Device",
            "identifier": [{ "system": "https://bookingdesk.nhs111.example/Id/device", "value": "desk-1" }],
            "deviceName": [{ "name": "Booking Desk", "type": "manufacturer-name" }],
            "version": [{ "value": "0.1.0" }],
        });
        let practitioner = json!({
            "resourceType": "PractitionerRole",
            "identifier": [{ "system": "https://fhir.nhs.uk/Id/sds-role-profile-id", "value": "555021936106" }],
        });
        vec![
            ("Authorization", format!("Bearer {}", self.token)),
            ("X-Request-Id", Uuid::new_v4().to_string()),
            ("X-Correlation-Id", Uuid::new_v4().to_string()),
            (
                "NHSD-Target-Identifier",
                target(svc.target_identifier.as_deref().expect("a BaRS service")),
            ),
            ("NHSD-End-User-Organisation", b64(&org)),
            ("NHSD-Requesting-Software", b64(&device)),
            ("NHSD-Requesting-Practitioner", b64(&practitioner)),
            ("Accept", ACCEPT.to_string()),
            (
                "use-context",
                "a1t1|booking|booking-request|new".to_string(),
            ),
        ]
    }

    /// A request whose standard headers `edit` may change first.
    async fn send_edited(
        &self,
        svc: &ServiceEntry,
        method: Method,
        path: &str,
        body: Option<&Value>,
        edit: impl FnOnce(&mut Vec<(&'static str, String)>),
    ) -> reqwest::Result<Response> {
        let mut headers = self.headers(svc);
        edit(&mut headers);
        let mut rb = self.http.request(method, format!("{}{path}", svc.base_url));
        for (k, v) in headers {
            rb = rb.header(k, v);
        }
        if let Some(b) = body {
            rb = rb
                .header("Content-Type", "application/fhir+json; version=1.0.0")
                .body(serde_json::to_vec(b).expect("json"));
        }
        rb.send().await
    }

    async fn get(&self, svc: &ServiceEntry, path: &str) -> Response {
        self.send_edited(svc, Method::GET, path, None, |_| {})
            .await
            .expect("answers")
    }

    async fn get_without(&self, svc: &ServiceEntry, path: &str, header: &str) -> Response {
        self.send_edited(svc, Method::GET, path, None, |h| {
            h.retain(|(k, _)| *k != header)
        })
        .await
        .expect("answers")
    }

    async fn post(&self, svc: &ServiceEntry, message: &Value, request_id: &str) -> Response {
        self.try_post(svc, message, request_id)
            .await
            .expect("answers")
    }

    async fn try_post(
        &self,
        svc: &ServiceEntry,
        message: &Value,
        request_id: &str,
    ) -> reqwest::Result<Response> {
        self.send_edited(svc, Method::POST, "/$process-message", Some(message), |h| {
            for (k, v) in h.iter_mut() {
                if *k == "X-Request-Id" {
                    *v = request_id.to_string();
                }
            }
        })
        .await
    }

    /// Free slots in the next `hours`, with every include.
    async fn slots(&self, svc: &ServiceEntry, status: &str, hours: i64) -> Response {
        self.get(svc, &slot_query(svc, status, Duration::hours(hours)))
            .await
    }

    async fn first_free_slot(&self, svc: &ServiceEntry) -> Value {
        let resp = self.slots(svc, "free", 7 * 24).await;
        assert_eq!(resp.status(), 200);
        resources(&json_of(resp).await, "Slot")
            .into_iter()
            .next()
            .expect("a free slot")
    }
}

fn slot_query(svc: &ServiceEntry, status: &str, window: Duration) -> String {
    let from = now();
    format!(
        "/Slot?status={status}&start={}&start={}&Schedule.actor:HealthcareService={}\
         &_include=Slot:schedule&_include=Schedule:actor:HealthcareService\
         &_include=HealthcareService:location&_include=Schedule:actor:Practitioner\
         &_include=Schedule:actor:PractitionerRole&_include=HealthcareService:providedBy",
        enc(&format!("ge{}", instant(from))),
        enc(&format!("le{}", instant(from + window))),
        svc.target_identifier.as_deref().unwrap_or_default(),
    )
}

async fn json_of(resp: Response) -> Value {
    let text = resp.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn resources(bundle: &Value, kind: &str) -> Vec<Value> {
    bundle["entry"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|e| e["resource"].clone())
                .filter(|r| r["resourceType"] == kind)
                .collect()
        })
        .unwrap_or_default()
}

/// The answer is an OperationOutcome with this status and http-error-code; returns it.
async fn expect_outcome(resp: Response, status: u16, code: &str) -> Value {
    assert_eq!(resp.status(), status);
    let ct = resp.headers()["content-type"]
        .to_str()
        .expect("text")
        .to_string();
    assert!(ct.starts_with("application/fhir+json"), "{ct}");
    let v = json_of(resp).await;
    assert_eq!(v["resourceType"], "OperationOutcome", "{v}");
    let coding = &v["issue"][0]["details"]["coding"][0];
    assert_eq!(coding["system"], ERROR_CODES, "{v}");
    assert_eq!(coding["code"], code, "{v}");
    v
}

fn diagnostics(outcome: &Value) -> &str {
    outcome["issue"][0]["diagnostics"].as_str().unwrap_or("")
}

const SENDER: &str = "urn:uuid:0b7c6f38-93c1-4c69-9d52-2a0d8f1c0a01";
const RECEIVER: &str = "urn:uuid:0b7c6f38-93c1-4c69-9d52-2a0d8f1c0a02";

/// The sending and receiving Organizations every message carries.
fn parties() -> Vec<Value> {
    let org = |url: &str, ods: &str, name: &str| {
        json!({ "fullUrl": url, "resource": {
            "resourceType": "Organization",
            "identifier": [{ "system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": ods }],
            "name": name,
        }})
    };
    vec![
        org(SENDER, "RYA", "NHS 111 North West"),
        org(RECEIVER, "NQ503", "Receiving service"),
    ]
}

fn message_header(svc: &ServiceEntry, reason: &str, focus: &str, definition: &str) -> Value {
    json!({
        "resourceType": "MessageHeader",
        "meta": { "lastUpdated": instant(now()) },
        "eventCoding": { "system": EVENTS, "code": "booking-request" },
        "destination": [{
            "endpoint": format!("{DOS}|{}", svc.target_identifier.as_deref().unwrap_or_default()),
            "receiver": { "reference": RECEIVER },
        }],
        "sender": { "reference": SENDER },
        "source": {
            "name": "NHS 111 North West",
            "software": "Booking Desk",
            "endpoint": format!("{DOS}|2000072489"),
        },
        "reason": { "coding": [{ "system": REASONS, "code": reason }] },
        "focus": [{ "reference": focus }],
        "definition": format!("https://fhir.nhs.uk/MessageDefinition/{definition}"),
    })
}

/// A message around `entries` and the parties, every resource stamped with meta.lastUpdated.
fn message(mut entries: Vec<Value>) -> Value {
    entries.extend(parties());
    for e in entries.iter_mut() {
        if e["resource"]["meta"]["lastUpdated"].is_null() {
            e["resource"]["meta"]["lastUpdated"] = json!(instant(now()));
        }
    }
    json!({
        "resourceType": "Bundle",
        "id": Uuid::new_v4().to_string(),
        "meta": { "versionId": "1.0.0", "lastUpdated": instant(now()) },
        "type": "message",
        "timestamp": instant(now()),
        "entry": entries,
    })
}

/// A booking request for `slot` (from a slot search) with the clinical content 111 sends.
fn booking(svc: &ServiceEntry, slot: &Value, nhs: &str) -> Value {
    let url = || format!("urn:uuid:{}", Uuid::new_v4());
    let (header, appointment, patient, slot_url) = (url(), url(), url(), url());
    let (referral, encounter, observation, flag) = (url(), url(), url(), url());
    let (schedule_url, service_url) = (url(), url());
    let now = instant(now());
    message(vec![
        json!({ "fullUrl": header, "resource": message_header(svc, "new", &appointment, "bars-message-booking-request") }),
        json!({ "fullUrl": appointment, "resource": {
            "resourceType": "Appointment",
            "meta": { "lastUpdated": now },
            "status": "booked",
            "description": "Cough and fever for three days",
            "start": slot["start"],
            "end": slot["end"],
            "slot": [{ "reference": slot_url }],
            "created": now,
            "basedOn": [{ "reference": referral }],
            "participant": [{ "actor": { "reference": patient }, "status": "accepted" }],
        }}),
        json!({ "fullUrl": patient, "resource": {
            "resourceType": "Patient",
            "identifier": [{ "system": NHS_NUMBER, "value": nhs }],
            "name": [{ "use": "official", "family": "JACKSON", "given": ["Jane"] }],
            "gender": "female",
            "birthDate": "1982-03-12",
            "address": [{ "use": "home", "line": ["24 High Street"], "postalCode": "LS1 4AP" }],
            "contact": [{
                "extension": [{
                    "url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-ContactRank",
                    "valuePositiveInt": 1
                }],
                "relationship": [{ "coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "ONESELF"
                }] }],
                "telecom": [{ "system": "phone", "value": "07700 900123", "rank": 1 }],
            }],
        }}),
        json!({ "fullUrl": slot_url, "resource": {
            "resourceType": "Slot",
            "id": slot["id"],
            "schedule": { "reference": schedule_url },
            "status": "busy",
            "start": slot["start"],
            "end": slot["end"],
        }}),
        json!({ "fullUrl": schedule_url, "resource": {
            "resourceType": "Schedule",
            "id": slot["schedule"]["reference"].as_str().unwrap_or_default().trim_start_matches("Schedule/"),
            "actor": [{ "reference": service_url }],
        }}),
        json!({ "fullUrl": service_url, "resource": {
            "resourceType": "HealthcareService",
            "id": svc.target_identifier.as_deref().unwrap_or_default(),
            "providedBy": { "reference": RECEIVER },
            "name": "Receiving service",
        }}),
        json!({ "fullUrl": referral, "resource": {
            "resourceType": "ServiceRequest",
            "status": "active",
            "intent": "plan",
            "subject": { "reference": patient },
            "encounter": { "reference": encounter },
            "supportingInfo": [{ "reference": observation }, { "reference": flag }],
        }}),
        json!({ "fullUrl": encounter, "resource": {
            "resourceType": "Encounter",
            "status": "triaged",
            "class": { "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "VR" },
            "subject": { "reference": patient },
        }}),
        json!({ "fullUrl": observation, "resource": {
            "resourceType": "Observation",
            "status": "final",
            "code": { "text": "Pathways disposition" },
            "subject": { "reference": patient },
            "valueString": "Dx05 Speak to a clinician within 2 hours",
        }}),
        json!({ "fullUrl": flag, "resource": {
            "resourceType": "Flag",
            "status": "active",
            "code": { "text": "Lives alone" },
            "subject": { "reference": patient },
        }}),
    ])
}

/// A cancellation: the booked Appointment as read back, with status cancelled.
fn cancellation(svc: &ServiceEntry, appointment: &Value) -> Value {
    let header = format!("urn:uuid:{}", Uuid::new_v4());
    let full_url = format!(
        "{}/Appointment/{}",
        svc.base_url,
        appointment["id"].as_str().expect("id")
    );
    let mut cancelled = appointment.clone();
    cancelled["status"] = json!("cancelled");
    cancelled["cancelationReason"] = json!({ "text": "Patient no longer needs the appointment" });
    // The Patient the appointment names, at the service's root beside it.
    let actor = &appointment["participant"][0]["actor"];
    let patient = match actor["reference"].as_str() {
        Some(r) => json!({ "fullUrl": format!("{}/{r}", svc.base_url), "resource": {
            "resourceType": "Patient",
            "id": r.trim_start_matches("Patient/"),
            "identifier": [actor["identifier"]],
        }}),
        None => json!({ "fullUrl": format!("urn:uuid:{}", Uuid::new_v4()), "resource": {
            "resourceType": "Patient",
            "identifier": [{ "system": NHS_NUMBER, "value": JANE }],
        }}),
    };
    message(vec![
        json!({ "fullUrl": header, "resource": message_header(svc, "update", &full_url, "bars-message-booking-request-cancelled") }),
        json!({ "fullUrl": full_url, "resource": cancelled }),
        patient,
    ])
}

/// The Appointment in a `$process-message` answer.
async fn answered_appointment(resp: Response) -> Value {
    assert_eq!(resp.status(), 200);
    let bundle = json_of(resp).await;
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "message");
    assert_eq!(
        bundle["entry"][0]["resource"]["resourceType"],
        "MessageHeader"
    );
    assert_eq!(
        bundle["entry"][0]["resource"]["focus"][0]["type"],
        "Appointment"
    );
    resources(&bundle, "Appointment")
        .into_iter()
        .next()
        .expect("the Appointment")
}

fn request_id() -> String {
    Uuid::new_v4().to_string()
}

async fn open() -> (RunningSim, Sender) {
    let sim = start(options()).await.expect("start");
    let sender = Sender::new(&sim).await;
    (sim, sender)
}

#[tokio::test]
async fn directory_lists_bars_services_of_every_kind() {
    let sim = start(options()).await.expect("start");
    let bars: Vec<ServiceEntry> = sim
        .services()
        .into_iter()
        .filter(|s| s.standard == "bars")
        .collect();
    for kind in [
        "gp-practice",
        "urgent-care",
        "emergency-department",
        "gp-out-of-hours",
    ] {
        assert!(bars.iter().any(|s| s.kind == kind), "{kind}");
    }
    for s in &bars {
        assert_eq!(
            s.base_url,
            format!("{}/bars/{}/FHIR/R4", sim.base_url(), s.id)
        );
        assert!(s.target_identifier.is_some());
        assert!(s.healthcare_service.is_none() && s.report_url.is_none());
    }
    assert!(
        sim.services()
            .iter()
            .filter(|s| s.standard != "bars")
            .all(|s| s.target_identifier.is_none())
    );
    let toml = sim.services_toml();
    assert!(toml.contains("standard = \"bars\""));
    assert!(toml.contains("target_identifier = \"2000100505\""));
    sim.shutdown().await;
}

#[tokio::test]
async fn config_names_the_platform() {
    let sim = start(options()).await.expect("start");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bookdesk.toml");
    sim.write_config(&path).expect("writes");
    let services = std::fs::read_to_string(dir.path().join("services.toml")).expect("services");
    assert!(
        services.contains("standard = \"bars\""),
        "BaRS services are listed"
    );
    let text = std::fs::read_to_string(&path).expect("bookdesk.toml");
    assert!(text.contains(&format!(
        "[platform]\ntoken_url = \"{}\"\nkey_id = \"{DEMO_PLATFORM_KEY_ID}\"\n",
        sim.platform_token_url()
    )));
    sim.shutdown().await;
}

#[tokio::test]
async fn metadata_is_an_r4_capability_statement() {
    let (sim, desk) = open().await;
    let svc = service(&sim, ED);
    let resp = desk.get(&svc, "/metadata").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], ACCEPT);
    assert!(resp.headers().contains_key("x-request-id"));
    assert!(resp.headers().contains_key("x-correlation-id"));
    let cs = json_of(resp).await;
    assert_eq!(cs["resourceType"], "CapabilityStatement");
    assert_eq!(cs["fhirVersion"], "4.0.1");
    assert_eq!(cs["implementation"]["url"], svc.base_url.as_str());
    assert_eq!(cs["rest"][0]["operation"][0]["name"], "$process-message");
    // The capability statement may be asked for without a target.
    let resp = desk
        .get_without(&svc, "/metadata", "NHSD-Target-Identifier")
        .await;
    assert_eq!(resp.status(), 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn every_bars_service_offers_slots_with_their_context() {
    let (sim, desk) = open().await;
    for svc in sim.services().into_iter().filter(|s| s.standard == "bars") {
        let resp = desk.slots(&svc, "free", 7 * 24).await;
        assert_eq!(resp.status(), 200, "{}", svc.id);
        let bundle = json_of(resp).await;
        assert_eq!(bundle["type"], "searchset");
        assert!(
            bundle["link"][0]["url"]
                .as_str()
                .is_some_and(|u| u.starts_with(&svc.base_url))
        );
        let slots = resources(&bundle, "Slot");
        assert!(!slots.is_empty(), "{}", svc.id);
        assert_eq!(bundle["total"].as_u64(), Some(slots.len() as u64));
        for s in &slots {
            assert_eq!(s["status"], "free");
            assert!(
                s["schedule"]["reference"]
                    .as_str()
                    .is_some_and(|r| r.starts_with("Schedule/"))
            );
            assert!(s["extension"][0]["valueCode"].is_string());
        }
        let hs = resources(&bundle, "HealthcareService");
        assert_eq!(hs.len(), 1);
        assert_eq!(
            hs[0]["id"],
            svc.target_identifier.as_deref().expect("dos id")
        );
        for kind in [
            "Schedule",
            "Location",
            "Practitioner",
            "PractitionerRole",
            "Organization",
        ] {
            assert!(!resources(&bundle, kind).is_empty(), "{kind} at {}", svc.id);
        }
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn book_conflict_read_search_and_cancel() {
    let (sim, desk) = open().await;
    let svc = service(&sim, UTC);
    let slot = desk.first_free_slot(&svc).await;
    let slot_id = slot["id"].as_str().expect("slot id").to_string();
    let request = booking(&svc, &slot, JANE);

    let booked = answered_appointment(desk.post(&svc, &request, &request_id()).await).await;
    let id = booked["id"].as_str().expect("appointment id").to_string();
    assert_eq!(booked["status"], "booked");
    assert_eq!(booked["slot"][0]["reference"], format!("Slot/{slot_id}"));
    assert_eq!(
        booked["participant"][0]["actor"]["identifier"]["value"],
        JANE
    );
    assert!(
        booked["basedOn"][0]["reference"]
            .as_str()
            .is_some_and(|r| r.starts_with("ServiceRequest/"))
    );

    // The slot is taken: gone from the free slots, listed as busy, and refused.
    let free = json_of(desk.slots(&svc, "free", 7 * 24).await).await;
    assert!(
        resources(&free, "Slot")
            .iter()
            .all(|s| s["id"] != slot_id.as_str())
    );
    let busy = json_of(desk.slots(&svc, "busy", 7 * 24).await).await;
    assert!(
        resources(&busy, "Slot")
            .iter()
            .any(|s| s["id"] == slot_id.as_str())
    );
    let again = desk
        .post(&svc, &booking(&svc, &slot, JANE), &request_id())
        .await;
    let outcome = expect_outcome(again, 409, "REC_CONFLICT").await;
    assert_eq!(outcome["issue"][0]["code"], "conflict");

    // What the service holds: the appointment, marked as BaRS, with the clinical entries.
    let held = sim.bars_bookings();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].service, UTC);
    assert_eq!(held[0].standard, "bars");
    assert_eq!(held[0].appointment["id"], id.as_str());
    for kind in [
        "ServiceRequest",
        "Encounter",
        "Observation",
        "Flag",
        "Patient",
    ] {
        assert_eq!(resources(&held[0].messages[0], kind).len(), 1, "{kind}");
    }
    let listed = sim.appointments();
    let mine = listed
        .iter()
        .find(|a| a["id"] == id.as_str())
        .expect("listed");
    assert_eq!(mine["meta"]["tag"][0]["code"], "bars");

    let resp = desk.get(&svc, &format!("/Appointment/{id}")).await;
    assert_eq!(resp.status(), 200);
    let read = json_of(resp).await;
    assert_eq!(read, booked);
    expect_outcome(
        desk.get(&svc, "/Appointment/no-such-id").await,
        404,
        "REC_NOT_FOUND",
    )
    .await;

    let search = format!(
        "/Appointment?patient:identifier={}",
        enc(&format!("{NHS_NUMBER}|{JANE}"))
    );
    let found = json_of(desk.get(&svc, &search).await).await;
    assert_eq!(found["type"], "searchset");
    let appointments = resources(&found, "Appointment");
    assert_eq!(appointments.len(), 1);
    assert_eq!(appointments[0]["id"], id.as_str());
    let nobody = format!(
        "/Appointment?patient:identifier={}",
        enc(&format!("{NHS_NUMBER}|9476719931"))
    );
    assert_eq!(json_of(desk.get(&svc, &nobody).await).await["total"], 0);
    let invalid = format!(
        "/Appointment?patient:identifier={}",
        enc(&format!("{NHS_NUMBER}|1234567890"))
    );
    expect_outcome(desk.get(&svc, &invalid).await, 400, "REC_BAD_REQUEST").await;

    // Cancel: status cancelled, the slot is free again, and a second cancel is a conflict.
    let cancelled = answered_appointment(
        desk.post(&svc, &cancellation(&svc, &read), &request_id())
            .await,
    )
    .await;
    assert_eq!(cancelled["id"], id.as_str());
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["meta"]["versionId"], "2");
    assert!(cancelled["cancelationReason"]["text"].is_string());
    let read = json_of(desk.get(&svc, &format!("/Appointment/{id}")).await).await;
    assert_eq!(read["status"], "cancelled");
    let free = json_of(desk.slots(&svc, "free", 7 * 24).await).await;
    assert!(
        resources(&free, "Slot")
            .iter()
            .any(|s| s["id"] == slot_id.as_str())
    );
    let twice = desk
        .post(&svc, &cancellation(&svc, &read), &request_id())
        .await;
    expect_outcome(twice, 409, "REC_CONFLICT").await;
    assert_eq!(sim.bars_bookings()[0].messages.len(), 2);

    // The slot can be booked again.
    let rebooked = desk
        .post(&svc, &booking(&svc, &slot, JANE), &request_id())
        .await;
    assert_eq!(rebooked.status(), 200);

    // The admin API shows the same.
    let admin: Value = reqwest::get(format!("{}/_admin/bars-bookings", sim.base_url()))
        .await
        .expect("admin")
        .json()
        .await
        .expect("json");
    assert_eq!(admin.as_array().map(Vec::len), Some(2));
    let listed: Value = reqwest::get(format!("{}/_admin/appointments", sim.base_url()))
        .await
        .expect("admin")
        .json()
        .await
        .expect("json");
    assert!(
        listed
            .as_array()
            .expect("array")
            .iter()
            .any(|a| a["id"] == id.as_str() && a["meta"]["tag"][0]["code"] == "bars")
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_repeated_request_id_books_once() {
    let (sim, desk) = open().await;
    let svc = service(&sim, ED);
    let slot = desk.first_free_slot(&svc).await;
    let request = booking(&svc, &slot, JANE);
    let rid = request_id();
    let first = answered_appointment(desk.post(&svc, &request, &rid).await).await;
    let second = answered_appointment(desk.post(&svc, &request, &rid).await).await;
    assert_eq!(first, second);
    assert_eq!(sim.bars_bookings().len(), 1);

    // The same X-Request-Id for another message is refused as a duplicate.
    let other = desk.post(&svc, &booking(&svc, &slot, JANE), &rid).await;
    let outcome = expect_outcome(other, 409, "REC_CONFLICT").await;
    assert_eq!(outcome["issue"][0]["code"], "duplicate");
    assert_eq!(sim.bars_bookings().len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_token_must_come_from_the_platform_and_be_alive() {
    let (sim, desk) = open().await;
    let svc = service(&sim, UTC);

    let resp = desk.get_without(&svc, "/metadata", "Authorization").await;
    let outcome = expect_outcome(resp, 401, "SEND_UNAUTHORIZED").await;
    assert_eq!(outcome["issue"][0]["code"], "unknown");

    let made_up = desk
        .send_edited(&svc, Method::GET, "/metadata", None, |h| {
            h[0].1 = "Bearer not-a-token-we-issued".into()
        })
        .await
        .expect("answers");
    let outcome = expect_outcome(made_up, 401, "SEND_UNAUTHORIZED").await;
    assert_eq!(outcome["issue"][0]["code"], "security");

    sim.register_platform_client(
        PlatformClient::new("ShortLivedKey", "short-kid", &keys().1).with_token_lifetime(1),
    )
    .expect("registers");
    let short = fetch_token(&sim, "ShortLivedKey", "short-kid").await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let expired = desk
        .send_edited(&svc, Method::GET, "/metadata", None, |h| {
            h[0].1 = format!("Bearer {short}")
        })
        .await
        .expect("answers");
    let outcome = expect_outcome(expired, 401, "SEND_UNAUTHORIZED").await;
    assert_eq!(outcome["issue"][0]["code"], "expired");
    sim.shutdown().await;
}

#[tokio::test]
async fn required_headers_are_named_when_missing() {
    let (sim, desk) = open().await;
    let svc = service(&sim, UTC);
    let path = slot_query(&svc, "free", Duration::hours(24));
    for header in [
        "X-Request-Id",
        "X-Correlation-Id",
        "NHSD-Target-Identifier",
        "NHSD-End-User-Organisation",
        "NHSD-Requesting-Software",
        "NHSD-Requesting-Practitioner",
    ] {
        let resp = desk.get_without(&svc, &path, header).await;
        let outcome = expect_outcome(resp, 400, "SEND_BAD_REQUEST").await;
        assert!(diagnostics(&outcome).contains(header), "{outcome}");
    }
    let not_uuid = desk
        .send_edited(&svc, Method::GET, &path, None, |h| h[1].1 = "12345".into())
        .await
        .expect("answers");
    let outcome = expect_outcome(not_uuid, 400, "SEND_BAD_REQUEST").await;
    assert!(diagnostics(&outcome).contains("X-Request-Id"));
    let not_an_org = desk
        .send_edited(&svc, Method::GET, &path, None, |h| {
            h[4].1 = b64(&json!({ "resourceType": "Organization", "name": "No ODS code" }))
        })
        .await
        .expect("answers");
    let outcome = expect_outcome(not_an_org, 400, "SEND_BAD_REQUEST").await;
    assert!(diagnostics(&outcome).contains("NHSD-End-User-Organisation"));
    sim.shutdown().await;
}

#[tokio::test]
async fn the_target_identifier_must_name_this_service() {
    let (sim, desk) = open().await;
    let svc = service(&sim, UTC);
    let path = slot_query(&svc, "free", Duration::hours(24));
    let with_target =
        |value: String| desk.send_edited(&svc, Method::GET, &path, None, move |h| h[3].1 = value);
    // Another BaRS service's DoS id, and one no endpoint is registered for.
    let other = service(&sim, ED).target_identifier.expect("dos id");
    for dos in [other.as_str(), "2999999999"] {
        let resp = with_target(target(dos)).await.expect("answers");
        let outcome = expect_outcome(resp, 404, "NOT_FOUND").await;
        assert!(diagnostics(&outcome).contains("NHSD-Target-Identifier"));
    }
    for malformed in [
        "not base64!".to_string(),
        b64(&json!({ "value": "2000100505", "system": "https://example.org/other" })),
        b64(&json!({ "system": DOS })),
    ] {
        let resp = with_target(malformed).await.expect("answers");
        let outcome = expect_outcome(resp, 400, "BAD_REQUEST").await;
        assert_eq!(outcome["issue"][0]["code"], "structure");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn accept_must_ask_for_bars_1_0_0() {
    let (sim, desk) = open().await;
    let svc = service(&sim, UTC);
    for (accept, code) in [
        ("application/fhir+json; version=1.6.0", "REC_NOT_ACCEPTABLE"),
        ("application/fhir+json", "SEND_NOT_ACCEPTABLE"),
        ("application/json", "SEND_NOT_ACCEPTABLE"),
        // What an HTTP client sends when told nothing.
        ("*/*", "SEND_NOT_ACCEPTABLE"),
    ] {
        let resp = desk
            .send_edited(&svc, Method::GET, "/metadata", None, |h| {
                h[7].1 = accept.into()
            })
            .await
            .expect("answers");
        expect_outcome(resp, 406, code).await;
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn slot_search_parameters_are_checked() {
    let (sim, desk) = open().await;
    let svc = service(&sim, UTC);
    let resp = desk.slots(&svc, "free", 15 * 24).await;
    let outcome = expect_outcome(resp, 422, "REC_UNPROCESSABLE_ENTITY").await;
    assert_eq!(outcome["issue"][0]["code"], "too-costly");
    let dates_only = "/Slot?status=free&start=ge2030-01-01&start=le2030-01-02";
    expect_outcome(desk.get(&svc, dates_only).await, 400, "REC_BAD_REQUEST").await;
    let unencoded_plus = format!(
        "/Slot?status=free&start=ge{}&start=le{}",
        instant(now()),
        instant(now() + Duration::days(1))
    );
    let outcome = expect_outcome(
        desk.get(&svc, &unencoded_plus).await,
        400,
        "REC_BAD_REQUEST",
    )
    .await;
    assert!(diagnostics(&outcome).contains("%2B"), "{outcome}");
    let unknown =
        slot_query(&svc, "free", Duration::hours(24)) + "&schedule.actor:healthcareservice=x";
    expect_outcome(desk.get(&svc, &unknown).await, 400, "REC_BAD_REQUEST").await;
    let wrong_service = slot_query(&svc, "free", Duration::hours(24)).replace(
        "HealthcareService=2000100505",
        "HealthcareService=2000100606",
    );
    expect_outcome(desk.get(&svc, &wrong_service).await, 400, "REC_BAD_REQUEST").await;
    let no_status = slot_query(&svc, "free", Duration::hours(24)).replace("status=free&", "");
    expect_outcome(desk.get(&svc, &no_status).await, 400, "REC_BAD_REQUEST").await;
    sim.shutdown().await;
}

#[tokio::test]
async fn messages_that_are_not_bookable_are_refused() {
    let (sim, desk) = open().await;
    let svc = service(&sim, UTC);
    let slot = desk.first_free_slot(&svc).await;
    let good = booking(&svc, &slot, JANE);
    let change = |f: &dyn Fn(&mut Value)| {
        let mut m = good.clone();
        f(&mut m);
        m
    };
    let cases = [
        (
            change(&|m| m["type"] = json!("collection")),
            400,
            "REC_BAD_REQUEST",
        ),
        (
            change(&|m| m["entry"][1]["resource"]["status"] = json!("proposed")),
            400,
            "REC_BAD_REQUEST",
        ),
        (
            change(&|m| m["entry"][1]["resource"]["start"] = json!("2030-01-01T09:00:00+00:00")),
            400,
            "REC_BAD_REQUEST",
        ),
        (
            change(&|m| m["entry"][3]["resource"]["id"] = json!("no-such-slot")),
            400,
            "REC_BAD_REQUEST",
        ),
        (
            change(&|m| m["entry"][2]["resource"]["identifier"][0]["value"] = json!("9434765918")),
            400,
            "REC_BAD_REQUEST",
        ),
        (
            change(&|m| {
                m["entry"][0]["resource"]["destination"][0]["endpoint"] =
                    json!(format!("{DOS}|2000100606"))
            }),
            400,
            "REC_BAD_REQUEST",
        ),
        (
            change(&|m| {
                m["entry"][0]["resource"]["eventCoding"]["code"] = json!("servicerequest-request")
            }),
            501,
            "REC_NOT_IMPLEMENTED",
        ),
    ];
    for (i, (m, status, code)) in cases.into_iter().enumerate() {
        let resp = desk.post(&svc, &m, &request_id()).await;
        assert_eq!(resp.status(), status, "case {i}");
        expect_outcome(resp, status, code).await;
    }
    // A cancellation of an appointment the service never made.
    let ghost =
        json!({ "resourceType": "Appointment", "id": "no-such-appointment", "status": "booked" });
    let resp = desk
        .post(&svc, &cancellation(&svc, &ghost), &request_id())
        .await;
    expect_outcome(resp, 404, "REC_NOT_FOUND").await;
    assert!(sim.bars_bookings().is_empty());
    // Still bookable after all that.
    assert_eq!(desk.post(&svc, &good, &request_id()).await.status(), 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_paths_and_methods() {
    let (sim, desk) = open().await;
    let svc = service(&sim, UTC);
    let wrong_method = desk
        .send_edited(&svc, Method::DELETE, "/Slot", None, |_| {})
        .await
        .expect("answers");
    expect_outcome(wrong_method, 405, "SEND_METHOD_NOT_ALLOWED").await;
    let put = desk
        .send_edited(
            &svc,
            Method::PUT,
            "/Appointment/abc",
            Some(&json!({})),
            |_| {},
        )
        .await
        .expect("answers");
    expect_outcome(put, 501, "REC_NOT_IMPLEMENTED").await;
    expect_outcome(desk.get(&svc, "/Nothing").await, 404, "NOT_FOUND").await;
    let resp = http()
        .get(format!(
            "{}/bars/no-such-service/FHIR/R4/metadata",
            sim.base_url()
        ))
        .send()
        .await
        .expect("answers");
    expect_outcome(resp, 404, "NOT_FOUND").await;
    sim.shutdown().await;
}

#[tokio::test]
async fn faults_apply_to_bars() {
    let failing = start(SimOptions {
        fail_rate: 1.0,
        ..options()
    })
    .await
    .expect("start");
    let desk = Sender::new(&failing).await;
    let svc = service(&failing, UTC);
    let resp = desk.get(&svc, "/metadata").await;
    expect_outcome(resp, 500, "REC_SERVER_ERROR").await;
    failing.shutdown().await;

    let garbling = start(SimOptions {
        malformed_rate: 1.0,
        ..options()
    })
    .await
    .expect("start");
    let desk = Sender::new(&garbling).await;
    let svc = service(&garbling, UTC);
    let resp = desk.get(&svc, "/metadata").await;
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.expect("body");
    assert!(serde_json::from_str::<Value>(&text).is_err());
    garbling.shutdown().await;

    // The booking is made, the answer lost; the retry with the same X-Request-Id gets it.
    let dropping = start(SimOptions {
        drop_after_commit_rate: 1.0,
        ..options()
    })
    .await
    .expect("start");
    let desk = Sender::new(&dropping).await;
    let svc = service(&dropping, UTC);
    let slot = desk.first_free_slot(&svc).await;
    let request = booking(&svc, &slot, JANE);
    let rid = request_id();
    assert!(desk.try_post(&svc, &request, &rid).await.is_err());
    assert_eq!(dropping.bars_bookings().len(), 1);
    let retried = answered_appointment(desk.post(&svc, &request, &rid).await).await;
    assert_eq!(retried["id"], dropping.bars_bookings()[0].appointment["id"]);
    assert_eq!(dropping.bars_bookings().len(), 1);
    dropping.shutdown().await;
}

#[tokio::test]
async fn a_desk_key_registered_over_the_admin_hook_gets_tokens() {
    let sim = start(options()).await.expect("start");
    let url = format!("{}/_admin/platform-clients", sim.base_url());
    let client = json!({
        "api_key": "admin-registered-key",
        "key_id": DEMO_PLATFORM_KEY_ID,
        "public_key_pem": keys().1,
    });
    let resp = http()
        .post(&url)
        .json(&client)
        .send()
        .await
        .expect("answer");
    assert_eq!(resp.status(), 200);
    let token = fetch_token(&sim, "admin-registered-key", DEMO_PLATFORM_KEY_ID).await;
    assert!(!token.is_empty());
    // A key that is not a public key is refused, with why.
    let bad = json!({ "api_key": "x", "key_id": "k", "public_key_pem": "not a key" });
    let resp = http().post(&url).json(&bad).send().await.expect("answer");
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.expect("json");
    assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
    sim.shutdown().await;
}

/// Removes the entry of `kind` from a message.
fn without(m: &Value, kind: &str) -> Value {
    let mut m = m.clone();
    if let Some(entries) = m["entry"].as_array_mut() {
        entries.retain(|e| e["resource"]["resourceType"] != kind);
    }
    m
}

fn entry_of<'a>(m: &'a mut Value, kind: &str) -> &'a mut Value {
    m["entry"]
        .as_array_mut()
        .expect("entries")
        .iter_mut()
        .find(|e| e["resource"]["resourceType"] == kind)
        .map(|e| &mut e["resource"])
        .unwrap_or_else(|| panic!("a {kind} entry"))
}

#[tokio::test]
async fn messages_breaking_the_published_rules_are_refused_with_their_issue() {
    let (sim, desk) = open().await;
    let svc = service(&sim, UTC);
    let slot = desk.first_free_slot(&svc).await;
    let good = booking(&svc, &slot, JANE);
    let change = |f: &dyn Fn(&mut Value)| {
        let mut m = good.clone();
        f(&mut m);
        m
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "no application version",
            change(&|m| m["meta"]["versionId"].take().as_null().unwrap_or(())),
            "required",
        ),
        (
            "a resource without meta.lastUpdated",
            change(&|m| entry_of(m, "Patient")["meta"] = json!({})),
            "required",
        ),
        (
            "a reference to no entry",
            change(&|m| {
                entry_of(m, "Appointment")["participant"][0]["actor"]["reference"] =
                    json!("urn:uuid:00000000-0000-4000-8000-000000000000")
            }),
            "invalid",
        ),
        (
            "source.endpoint is not a DoS service",
            change(&|m| {
                m["entry"][0]["resource"]["source"]["endpoint"] =
                    json!("https://bookingdesk.nhs111.example/fhir")
            }),
            "value",
        ),
        (
            "the sender is not an Organization entry",
            change(&|m| m["entry"][0]["resource"]["sender"] = json!({ "display": "Us" })),
            "invalid",
        ),
        ("no Schedule entry", without(&good, "Schedule"), "required"),
        (
            "no HealthcareService entry",
            without(&good, "HealthcareService"),
            "required",
        ),
        (
            "Slot.schedule outside the message",
            change(&|m| entry_of(m, "Slot")["schedule"] = json!({ "reference": "Schedule/x" })),
            "invalid",
        ),
        (
            "a home address without its postcode",
            change(&|m| {
                entry_of(m, "Patient")["address"][0]["postalCode"]
                    .take()
                    .as_null()
                    .unwrap_or(())
            }),
            "required",
        ),
        (
            "two home addresses",
            change(&|m| {
                let p = entry_of(m, "Patient");
                let a = p["address"][0].clone();
                p["address"] = json!([a.clone(), a]);
            }),
            "invalid",
        ),
        (
            "no birth date",
            change(&|m| {
                entry_of(m, "Patient")["birthDate"]
                    .take()
                    .as_null()
                    .unwrap_or(())
            }),
            "required",
        ),
        (
            "no contact",
            change(&|m| entry_of(m, "Patient")["contact"] = json!([])),
            "required",
        ),
        (
            "a contact without its rank",
            change(&|m| entry_of(m, "Patient")["contact"][0]["extension"] = json!([])),
            "required",
        ),
        (
            "two first numbers",
            change(&|m| {
                let c = &mut entry_of(m, "Patient")["contact"][0]["telecom"];
                let t = c[0].clone();
                *c = json!([t.clone(), t]);
            }),
            "invalid",
        ),
    ];
    for (what, m, issue) in cases {
        let resp = desk.post(&svc, &m, &request_id()).await;
        let outcome = expect_outcome(resp, 400, "REC_BAD_REQUEST").await;
        assert_eq!(outcome["issue"][0]["code"], issue, "{what}: {outcome}");
    }
    assert!(sim.bars_bookings().is_empty(), "nothing was booked");

    // The message itself is accepted, once: its Bundle.id again under a new X-Request-Id is a
    // duplicate.
    assert_eq!(desk.post(&svc, &good, &request_id()).await.status(), 200);
    let again = desk.post(&svc, &good, &request_id()).await;
    let outcome = expect_outcome(again, 409, "REC_CONFLICT").await;
    assert_eq!(outcome["issue"][0]["code"], "duplicate");
    assert_eq!(sim.bars_bookings().len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn headers_and_slot_searches_breaking_the_published_rules_are_refused() {
    let (sim, desk) = open().await;
    let svc = service(&sim, UTC);
    let edit = |name: &'static str, value: Value| {
        move |h: &mut Vec<(&'static str, String)>| {
            for (k, v) in h.iter_mut() {
                if *k == name {
                    *v = b64(&value);
                }
            }
        }
    };
    let path = slot_query(&svc, "free", Duration::hours(24));
    // The requesting practitioner is a PractitionerRole.
    let practitioner = json!({ "resourceType": "Practitioner", "identifier": [{ "value": "1" }] });
    let resp = desk
        .send_edited(
            &svc,
            Method::GET,
            &path,
            None,
            edit("NHSD-Requesting-Practitioner", practitioner),
        )
        .await
        .expect("answers");
    expect_outcome(resp, 400, "SEND_BAD_REQUEST").await;
    // The requesting software has an identifier.
    let device = json!({ "resourceType": "Device", "deviceName": [{ "name": "X", "type": "manufacturer-name" }] });
    let resp = desk
        .send_edited(
            &svc,
            Method::GET,
            &path,
            None,
            edit("NHSD-Requesting-Software", device),
        )
        .await
        .expect("answers");
    expect_outcome(resp, 400, "SEND_BAD_REQUEST").await;
    // $process-message names its use-context.
    let slot = desk.first_free_slot(&svc).await;
    let m = booking(&svc, &slot, JANE);
    let resp = desk
        .send_edited(&svc, Method::POST, "/$process-message", Some(&m), |h| {
            h.retain(|(k, _)| *k != "use-context")
        })
        .await
        .expect("answers");
    let outcome = expect_outcome(resp, 400, "SEND_BAD_REQUEST").await;
    assert!(diagnostics(&outcome).contains("use-context"), "{outcome}");
    // A slot search names the HealthcareService and includes the Schedule and the service.
    let hs = format!(
        "&Schedule.actor:HealthcareService={}",
        svc.target_identifier.as_deref().unwrap_or_default()
    );
    for broken in [
        path.replace(&hs, ""),
        path.replace("&_include=Slot:schedule", ""),
        path.replace("&_include=Schedule:actor:HealthcareService", ""),
    ] {
        let outcome = expect_outcome(desk.get(&svc, &broken).await, 400, "REC_BAD_REQUEST").await;
        assert_eq!(
            outcome["issue"][0]["code"], "required",
            "{broken}: {outcome}"
        );
    }
    assert_eq!(desk.get(&svc, &path).await.status(), 200);
    sim.shutdown().await;
}
