//! The national API platform's one BaRS root over real loopback HTTP: requests routed by
//! `NHSD-Target-Identifier` to the service whose DoS id it names, and the Endpoint Catalogue
//! (`GET /HealthcareService`, `GET /Endpoint`) a desk checks DoS services against, compared
//! with the published examples in `tests/fixtures/bars-catalogue`.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{Duration, SecondsFormat, Utc};
use common::platform::{fetch_token, http, keys};
use common::{now, options, resources};
use provider_sim::{DEMO_PLATFORM_KEY_ID, RunningSim, ServiceEntry, national_cases, start};
use reqwest::{Method, Response};
use serde_json::{Value, json};
use uuid::Uuid;

const API_KEY: &str = "CatalogueDeskKey0123";
const ERROR_CODES: &str = "https://fhir.nhs.uk/Codesystem/http-error-codes";
const DOS: &str = "https://fhir.nhs.uk/Id/dos-service-id";
const DOS_HTTP: &str = "http://fhir.nhs.uk/Id/dos-service-id";
const ODS: &str = "https://fhir.nhs.uk/Id/ods-organization-code";
const NHS_NUMBER: &str = "https://fhir.nhs.uk/Id/nhs-number";
const EVENTS: &str = "https://fhir.nhs.uk/CodeSystem/message-events-bars";
const REASONS: &str = "https://fhir.nhs.uk/CodeSystem/message-reason-bars";
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

fn enc(s: &str) -> String {
    common::enc(s)
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../../tests/fixtures/bars-catalogue/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn bars_services(sim: &RunningSim) -> Vec<ServiceEntry> {
    sim.services()
        .into_iter()
        .filter(|s| s.standard == "bars")
        .collect()
}

fn service(sim: &RunningSim, id: &str) -> ServiceEntry {
    common::service(sim, id)
}

fn dos_id(svc: &ServiceEntry) -> &str {
    svc.target_identifier.as_deref().expect("a BaRS service")
}

/// A desk that knows only the one root and DoS ids.
struct Desk {
    http: reqwest::Client,
    token: String,
    root: String,
}

type Headers = Vec<(&'static str, String)>;

impl Desk {
    async fn new(sim: &RunningSim) -> Desk {
        sim.register_desk_key(API_KEY, &keys().1)
            .expect("registers");
        Desk {
            http: http(),
            token: fetch_token(sim, API_KEY, DEMO_PLATFORM_KEY_ID).await,
            root: sim.bars_proxy_url(),
        }
    }

    /// What every catalogue read carries.
    fn catalogue_headers(&self) -> Headers {
        let org = json!({
            "resourceType": "Organization",
            "identifier": [{ "system": ODS, "value": "RYA" }],
            "name": "NHS 111 North West",
        });
        let device = json!({
            "resourceType": "Device",
            "identifier": [{ "system": "https://bookingdesk.nhs111.example/Id/device", "value": "desk-1" }],
        });
        vec![
            ("Authorization", format!("Bearer {}", self.token)),
            ("X-Request-Id", Uuid::new_v4().to_string()),
            ("X-Correlation-Id", Uuid::new_v4().to_string()),
            ("NHSD-End-User-Organisation", b64(&org)),
            ("NHSD-Requesting-Software", b64(&device)),
            ("Accept", "application/fhir+json".to_string()),
        ]
    }

    /// What every request for a receiver carries, with `dos` as the target.
    fn bars_headers(&self, dos: &str) -> Headers {
        let practitioner = json!({
            "resourceType": "PractitionerRole",
            "identifier": [{ "system": "https://fhir.nhs.uk/Id/sds-role-profile-id", "value": "555021936106" }],
        });
        let mut h = self.catalogue_headers();
        for (k, v) in h.iter_mut() {
            if *k == "Accept" {
                *v = ACCEPT.to_string();
            }
        }
        h.push(("NHSD-Target-Identifier", target(dos)));
        h.push(("NHSD-Requesting-Practitioner", b64(&practitioner)));
        h.push((
            "use-context",
            "a1t1|booking|booking-request|new".to_string(),
        ));
        h
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        headers: Headers,
        body: Option<&Value>,
    ) -> Response {
        let mut rb = self.http.request(method, url);
        for (k, v) in headers {
            rb = rb.header(k, v);
        }
        if let Some(b) = body {
            rb = rb
                .header("Content-Type", "application/fhir+json; version=1.0.0")
                .body(serde_json::to_vec(b).expect("json"));
        }
        rb.send().await.expect("answers")
    }

    /// `GET {root}{path}` to the receiver `dos` names.
    async fn get_at(&self, dos: &str, path: &str) -> Response {
        let url = format!("{}{path}", self.root);
        self.send(Method::GET, &url, self.bars_headers(dos), None)
            .await
    }

    /// A catalogue read whose standard headers `edit` may change first.
    async fn catalogue_edited(&self, path: &str, edit: impl FnOnce(&mut Headers)) -> Response {
        let mut h = self.catalogue_headers();
        edit(&mut h);
        let url = format!("{}{path}", self.root);
        self.send(Method::GET, &url, h, None).await
    }

    async fn catalogue(&self, path: &str) -> Value {
        let resp = self.catalogue_edited(path, |_| {}).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(resp.headers()["content-type"], "application/fhir+json");
        json_of(resp).await
    }
}

fn without(name: &'static str) -> impl FnOnce(&mut Headers) {
    move |h: &mut Headers| h.retain(|(k, _)| *k != name)
}

fn replacing(name: &'static str, value: String) -> impl FnOnce(&mut Headers) {
    move |h: &mut Headers| {
        for (k, v) in h.iter_mut() {
            if *k == name {
                *v = value.clone();
            }
        }
    }
}

async fn json_of(resp: Response) -> Value {
    let text = resp.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

async fn expect_outcome(resp: Response, status: u16, code: &str) -> Value {
    assert_eq!(resp.status(), status);
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

fn identifier_of<'a>(resource: &'a Value, system: &str) -> Option<&'a str> {
    resource["identifier"]
        .as_array()?
        .iter()
        .find(|i| i["system"] == system)
        .and_then(|i| i["value"].as_str())
}

fn keys_of(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

fn slot_query(dos: &str) -> String {
    let from = now();
    format!(
        "/Slot?status=free&start={}&start={}&Schedule.actor:HealthcareService={dos}\
         &_include=Slot:schedule&_include=Schedule:actor:HealthcareService",
        enc(&format!("ge{}", instant(from))),
        enc(&format!("le{}", instant(from + Duration::days(7)))),
    )
}

/// A booking request for `slot` at the service `dos` names, with the clinical content 111
/// sends.
fn booking(dos: &str, slot: &Value) -> Value {
    let url = || format!("urn:uuid:{}", Uuid::new_v4());
    let (header, appointment, patient, slot_url) = (url(), url(), url(), url());
    let (referral, encounter, observation, flag) = (url(), url(), url(), url());
    let (schedule_url, service_url, sender, receiver) = (url(), url(), url(), url());
    let t = instant(now());
    let org = |full_url: &str, ods: &str| {
        json!({ "fullUrl": full_url, "resource": {
            "resourceType": "Organization",
            "identifier": [{ "system": ODS, "value": ods }],
            "name": "An organisation",
        }})
    };
    let mut entries = vec![
        json!({ "fullUrl": header, "resource": {
            "resourceType": "MessageHeader",
            "eventCoding": { "system": EVENTS, "code": "booking-request" },
            "destination": [{ "endpoint": format!("{DOS}|{dos}"), "receiver": { "reference": receiver } }],
            "sender": { "reference": sender },
            "source": { "name": "NHS 111 North West", "software": "Booking Desk", "endpoint": format!("{DOS}|2000072489") },
            "reason": { "coding": [{ "system": REASONS, "code": "new" }] },
            "focus": [{ "reference": appointment }],
            "definition": "https://fhir.nhs.uk/MessageDefinition/bars-message-booking-request",
        }}),
        json!({ "fullUrl": appointment, "resource": {
            "resourceType": "Appointment",
            "status": "booked",
            "description": "Cough and fever for three days",
            "start": slot["start"],
            "end": slot["end"],
            "slot": [{ "reference": slot_url }],
            "created": t,
            "basedOn": [{ "reference": referral }],
            "participant": [{ "actor": { "reference": patient }, "status": "accepted" }],
        }}),
        json!({ "fullUrl": patient, "resource": {
            "resourceType": "Patient",
            "identifier": [{ "system": NHS_NUMBER, "value": JANE }],
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
            "id": dos,
            "providedBy": { "reference": receiver },
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
        org(&sender, "RYA"),
        org(&receiver, "NQ503"),
    ];
    for e in entries.iter_mut() {
        e["resource"]["meta"]["lastUpdated"] = json!(t);
    }
    json!({
        "resourceType": "Bundle",
        "id": Uuid::new_v4().to_string(),
        "meta": { "versionId": "1.0.0", "lastUpdated": t },
        "type": "message",
        "timestamp": t,
        "entry": entries,
    })
}

async fn open() -> (RunningSim, Desk) {
    let sim = start(options()).await.expect("start");
    let desk = Desk::new(&sim).await;
    (sim, desk)
}

#[tokio::test]
async fn the_one_root_routes_each_request_by_its_target() {
    let (sim, desk) = open().await;
    assert_eq!(
        sim.bars_proxy_url(),
        format!("{}/booking-and-referral/FHIR/R4", sim.base_url())
    );
    let utc = service(&sim, UTC);
    let ed = service(&sim, ED);

    // The receiver's own capability statement.
    let resp = desk.get_at(dos_id(&utc), "/metadata").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], ACCEPT);
    let cs = json_of(resp).await;
    assert_eq!(cs["implementation"]["url"], utc.base_url.as_str());

    // Slots of the service the target names, and a booking made at the one root.
    let resp = desk.get_at(dos_id(&utc), &slot_query(dos_id(&utc))).await;
    assert_eq!(resp.status(), 200);
    let slot = resources(&json_of(resp).await, "Slot")
        .into_iter()
        .next()
        .expect("a free slot");
    let url = format!("{}/$process-message", desk.root);
    let resp = desk
        .send(
            Method::POST,
            &url,
            desk.bars_headers(dos_id(&utc)),
            Some(&booking(dos_id(&utc), &slot)),
        )
        .await;
    let status = resp.status();
    let answer = json_of(resp).await;
    assert_eq!(status, 200, "{answer}");
    let booked = resources(&answer, "Appointment")
        .into_iter()
        .next()
        .expect("the Appointment");
    let id = booked["id"].as_str().expect("id").to_string();

    // Booked at the service the target named, and found there by either root.
    let held = sim.bars_bookings();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].service, UTC);
    let resp = desk
        .get_at(dos_id(&utc), &format!("/Appointment/{id}"))
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(json_of(resp).await, booked);
    let at_own_root = format!("{}/Appointment/{id}", utc.base_url);
    let resp = desk
        .send(
            Method::GET,
            &at_own_root,
            desk.bars_headers(dos_id(&utc)),
            None,
        )
        .await;
    assert_eq!(resp.status(), 200);
    // Another service knows nothing of it.
    let resp = desk
        .get_at(dos_id(&ed), &format!("/Appointment/{id}"))
        .await;
    expect_outcome(resp, 404, "REC_NOT_FOUND").await;
    let search = format!(
        "/Appointment?patient:identifier={}",
        enc(&format!("{NHS_NUMBER}|{JANE}"))
    );
    let resp = desk.get_at(dos_id(&utc), &search).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resources(&json_of(resp).await, "Appointment").len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_one_root_refuses_unknown_missing_and_malformed_targets() {
    let (sim, desk) = open().await;
    let utc = service(&sim, UTC);
    let path = slot_query(dos_id(&utc));

    // DoS ids with no registered endpoint: a directory-only service, the 111 service's own, none.
    let desks_own = "2000072489";
    for dos in [
        national_cases().no_sds_endpoint.dos_service_id,
        desks_own,
        "2999999999",
    ] {
        let outcome = expect_outcome(desk.get_at(dos, &path).await, 404, "NOT_FOUND").await;
        assert!(
            diagnostics(&outcome).contains("NHSD-Target-Identifier"),
            "{outcome}"
        );
    }
    let url = format!("{}{path}", desk.root);
    let mut h = desk.bars_headers(dos_id(&utc));
    h.retain(|(k, _)| *k != "NHSD-Target-Identifier");
    let outcome = expect_outcome(
        desk.send(Method::GET, &url, h, None).await,
        400,
        "SEND_BAD_REQUEST",
    )
    .await;
    assert!(diagnostics(&outcome).contains("NHSD-Target-Identifier"));
    let mut h = desk.bars_headers(dos_id(&utc));
    replacing("NHSD-Target-Identifier", "not base64!".into())(&mut h);
    expect_outcome(
        desk.send(Method::GET, &url, h, None).await,
        400,
        "BAD_REQUEST",
    )
    .await;

    // The platform checks the token before it looks for the target.
    let mut h = desk.bars_headers("2999999999");
    without("Authorization")(&mut h);
    expect_outcome(
        desk.send(Method::GET, &url, h, None).await,
        401,
        "SEND_UNAUTHORIZED",
    )
    .await;

    // Paths and methods as at a service's own root.
    expect_outcome(
        desk.get_at(dos_id(&utc), "/Nothing").await,
        404,
        "NOT_FOUND",
    )
    .await;
    let slot_url = format!("{}/Slot", desk.root);
    let resp = desk
        .send(
            Method::DELETE,
            &slot_url,
            desk.bars_headers(dos_id(&utc)),
            None,
        )
        .await;
    expect_outcome(resp, 405, "SEND_METHOD_NOT_ALLOWED").await;
    sim.shutdown().await;
}

#[tokio::test]
async fn metadata_without_a_target_is_the_platforms_own() {
    let (sim, desk) = open().await;
    let resp = http()
        .get(format!("{}/metadata", desk.root))
        .send()
        .await
        .expect("answers");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let cs = json_of(resp).await;
    assert_eq!(cs["resourceType"], "CapabilityStatement");
    assert_eq!(cs["implementation"]["url"], desk.root.as_str());
    let kinds: Vec<&str> = cs["rest"][0]["resource"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|r| r["type"].as_str())
        .collect();
    assert!(kinds.contains(&"HealthcareService") && kinds.contains(&"Endpoint"));
    sim.shutdown().await;
}

#[tokio::test]
async fn the_catalogue_holds_every_bars_service_as_the_examples_show() {
    let (sim, desk) = open().await;
    let published_hs = fixture("HealthcareService-success_bundle.json");
    let published_ep = fixture("Endpoint-success_bundle.json");
    let bars = bars_services(&sim);
    assert!(bars.len() >= 4);

    for svc in &bars {
        let dos = dos_id(svc);
        // Both spellings of the DoS id's system, and a bare value, find the service.
        let mut found = Vec::new();
        for id in [
            format!("{DOS}|{dos}"),
            format!("{DOS_HTTP}|{dos}"),
            dos.to_string(),
        ] {
            let path = format!(
                "/HealthcareService?HealthcareService.identifier={}",
                enc(&id)
            );
            let bundle = desk.catalogue(&path).await;
            assert_eq!(bundle["resourceType"], "Bundle");
            assert_eq!(bundle["type"], "searchset");
            assert_eq!(bundle["total"], 1, "{id}");
            assert_eq!(bundle["link"][0]["relation"], "self");
            assert_eq!(keys_of(&bundle), keys_of(&published_hs));
            found.push(bundle["entry"][0].clone());
        }
        assert!(found.iter().all(|e| e == &found[0]));
        let entry = &found[0];
        let hs = &entry["resource"];
        let hs_id = hs["id"].as_str().expect("id");
        assert_eq!(
            entry["fullUrl"],
            format!("{}/HealthcareService/{hs_id}", desk.root)
        );
        // The example's fields, and its systems: `http://` for the DoS and product ids.
        assert_eq!(keys_of(hs), keys_of(&published_hs["entry"][0]["resource"]));
        assert_eq!(identifier_of(hs, DOS_HTTP), Some(dos));
        assert!(identifier_of(hs, "http://fhir.nhs.uk/Id/product-id").is_some());
        assert_eq!(hs["name"], svc.name.as_str());
        assert_eq!(hs["active"], true);
        assert_eq!(hs["providedBy"][0]["identifier"]["system"], ODS);
        assert_eq!(hs["providedBy"][0]["identifier"]["value"], svc.ods.as_str());
        let reference = hs["endpoint"][0]["reference"].as_str().expect("endpoint");
        let ep_id = reference.strip_prefix("Endpoint/").expect("Endpoint/{id}");

        // The Endpoint it names, found from the HealthcareService either way.
        for path in [
            format!(
                "/Endpoint?_has:HealthcareService.Identifier={}",
                enc(&format!("{DOS}|{dos}"))
            ),
            format!("/Endpoint?_has:HealthcareService.Id={hs_id}"),
            format!(
                "/Endpoint?Endpoint.identifier={}",
                enc(&format!("{DOS}|{dos}"))
            ),
        ] {
            let bundle = desk.catalogue(&path).await;
            assert_eq!(bundle["total"], 1, "{path}");
            assert_eq!(keys_of(&bundle), keys_of(&published_ep));
            let ep = &bundle["entry"][0]["resource"];
            assert_eq!(ep["id"], ep_id);
            assert_eq!(
                bundle["entry"][0]["fullUrl"],
                format!("{}/Endpoint/{ep_id}", desk.root)
            );
            // The example's fields, and its system: `https://` for the DoS id.
            assert_eq!(keys_of(ep), keys_of(&published_ep["entry"][0]["resource"]));
            assert_eq!(identifier_of(ep, DOS), Some(dos));
            assert_eq!(ep["status"], "active");
            assert_eq!(ep["connectionType"]["coding"][0]["code"], "hl7-fhir-msg");
            assert_eq!(ep["payloadType"][0]["coding"][0]["code"], "bars");
            assert_eq!(ep["address"], svc.base_url.as_str());
            assert_eq!(
                ep["managingOrganization"][0]["identifier"]["value"],
                svc.ods.as_str()
            );
        }

        // Each read by id.
        let read = desk.catalogue(&format!("/HealthcareService/{hs_id}")).await;
        assert_eq!(&read, hs);
        let read = desk.catalogue(&format!("/Endpoint/{ep_id}")).await;
        assert_eq!(read["id"], ep_id);
    }

    // By the organisation that provides it.
    let utc = service(&sim, UTC);
    let path = format!(
        "/HealthcareService?HealthcareService.providedBy={}",
        enc(&format!("{ODS}|{}", utc.ods))
    );
    let bundle = desk.catalogue(&path).await;
    assert_eq!(bundle["total"], 1);
    assert_eq!(
        identifier_of(&bundle["entry"][0]["resource"], DOS_HTTP),
        Some(dos_id(&utc))
    );
    // Parameters together must all match.
    let ed = service(&sim, ED);
    let both = format!(
        "{path}&HealthcareService.identifier={}",
        enc(&format!("{DOS}|{}", dos_id(&ed)))
    );
    assert_eq!(desk.catalogue(&both).await["total"], 0);
    // No parameters: the whole catalogue.
    let all = desk.catalogue("/HealthcareService").await;
    assert_eq!(all["total"], bars.len());
    assert_eq!(desk.catalogue("/Endpoint").await["total"], bars.len());
    sim.shutdown().await;
}

#[tokio::test]
async fn services_not_in_the_catalogue_are_empty_searchsets() {
    let (sim, desk) = open().await;
    let cases = national_cases();
    for dos in [
        cases.no_sds_endpoint.dos_service_id,
        cases.not_bookable_pharmacy.dos_service_id,
        "2999999999",
    ] {
        let path = format!(
            "/HealthcareService?HealthcareService.identifier={}",
            enc(&format!("{DOS}|{dos}"))
        );
        let bundle = desk.catalogue(&path).await;
        assert_eq!(bundle["type"], "searchset");
        assert_eq!(bundle["total"], 0);
        assert_eq!(bundle["entry"], json!([]));
        let path = format!(
            "/Endpoint?_has:HealthcareService.Identifier={}",
            enc(&format!("{DOS}|{dos}"))
        );
        assert_eq!(desk.catalogue(&path).await["total"], 0);
    }
    // A DoS id under another system is not a DoS id.
    let utc = service(&sim, UTC);
    let path = format!(
        "/HealthcareService?HealthcareService.identifier={}",
        enc(&format!("{ODS}|{}", dos_id(&utc)))
    );
    assert_eq!(desk.catalogue(&path).await["total"], 0);

    // Reads of ids the catalogue does not hold, and ids that are not GUIDs.
    let unknown = Uuid::new_v4();
    for kind in ["HealthcareService", "Endpoint"] {
        let resp = desk
            .catalogue_edited(&format!("/{kind}/{unknown}"), |_| {})
            .await;
        expect_outcome(resp, 404, "NOT_FOUND").await;
        let resp = desk
            .catalogue_edited(&format!("/{kind}/{}", dos_id(&utc)), |_| {})
            .await;
        expect_outcome(resp, 400, "SEND_BAD_REQUEST").await;
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn search_parameters_are_the_published_ones() {
    let (sim, desk) = open().await;
    let dos = dos_id(&service(&sim, UTC)).to_string();
    for path in [
        // Not the published name (`HealthcareService.identifier`).
        format!(
            "/HealthcareService?identifier={}",
            enc(&format!("{DOS}|{dos}"))
        ),
        format!("/HealthcareService?_has:HealthcareService.Identifier={dos}"),
        format!("/Endpoint?HealthcareService.identifier={dos}"),
        "/HealthcareService?HealthcareService.identifier=".to_string(),
        format!(
            "/HealthcareService?HealthcareService.identifier={}",
            enc(&format!("{DOS}|"))
        ),
    ] {
        let resp = desk.catalogue_edited(&path, |_| {}).await;
        let outcome = expect_outcome(resp, 400, "SEND_BAD_REQUEST").await;
        assert!(!diagnostics(&outcome).is_empty(), "{path}");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn catalogue_reads_need_the_published_headers() {
    let (sim, desk) = open().await;
    let dos = dos_id(&service(&sim, UTC)).to_string();
    let path = format!(
        "/HealthcareService?HealthcareService.identifier={}",
        enc(&format!("{DOS}|{dos}"))
    );

    // The platform's token.
    let outcome = expect_outcome(
        desk.catalogue_edited(&path, without("Authorization")).await,
        401,
        "SEND_UNAUTHORIZED",
    )
    .await;
    assert_eq!(outcome["issue"][0]["code"], "unknown");
    let outcome = expect_outcome(
        desk.catalogue_edited(
            &path,
            replacing("Authorization", "Bearer not-a-token-we-issued".into()),
        )
        .await,
        401,
        "SEND_UNAUTHORIZED",
    )
    .await;
    assert_eq!(outcome["issue"][0]["code"], "security");

    // Each required header, named when missing or wrong.
    for header in [
        "X-Request-Id",
        "X-Correlation-Id",
        "NHSD-End-User-Organisation",
        "Accept",
    ] {
        // Sent empty: the HTTP client would otherwise add its own `Accept: */*`.
        let resp = desk
            .catalogue_edited(&path, replacing(header, String::new()))
            .await;
        let outcome = expect_outcome(resp, 400, "SEND_BAD_REQUEST").await;
        assert!(diagnostics(&outcome).contains(header), "{outcome}");
    }
    for header in ["X-Request-Id", "X-Correlation-Id"] {
        let resp = desk
            .catalogue_edited(&path, replacing(header, "12345".into()))
            .await;
        let outcome = expect_outcome(resp, 400, "SEND_BAD_REQUEST").await;
        assert!(diagnostics(&outcome).contains(header));
    }
    let no_ods = b64(&json!({ "resourceType": "Organization", "name": "No ODS code" }));
    let resp = desk
        .catalogue_edited(&path, replacing("NHSD-End-User-Organisation", no_ods))
        .await;
    let outcome = expect_outcome(resp, 400, "SEND_BAD_REQUEST").await;
    assert!(diagnostics(&outcome).contains("NHSD-End-User-Organisation"));
    // Requesting software: listed by 1.2.0 and 1.3.0, not 1.4.0; checked when sent.
    let resp = desk
        .catalogue_edited(&path, replacing("NHSD-Requesting-Software", "e30=".into()))
        .await;
    let outcome = expect_outcome(resp, 400, "SEND_BAD_REQUEST").await;
    assert!(diagnostics(&outcome).contains("NHSD-Requesting-Software"));
    let resp = desk
        .catalogue_edited(&path, without("NHSD-Requesting-Software"))
        .await;
    assert_eq!(resp.status(), 200);

    // Accept: FHIR JSON, with or without a BaRS version.
    let resp = desk
        .catalogue_edited(&path, replacing("Accept", "application/json".into()))
        .await;
    expect_outcome(resp, 406, "SEND_NOT_ACCEPTABLE").await;
    for accept in ["application/fhir+json; version=1.4.0", ACCEPT, "*/*"] {
        let resp = desk
            .catalogue_edited(&path, replacing("Accept", accept.into()))
            .await;
        assert_eq!(resp.status(), 200, "{accept}");
    }

    // The ids come back; no target is needed.
    let request_id = Uuid::new_v4().to_string();
    let resp = desk
        .catalogue_edited(&path, replacing("X-Request-Id", request_id.clone()))
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-request-id"], request_id.as_str());
    assert!(resp.headers().contains_key("x-correlation-id"));

    // Catalogue maintenance is published but not simulated; other methods are refused.
    let url = format!("{}/HealthcareService", desk.root);
    let resp = desk
        .send(
            Method::POST,
            &url,
            desk.catalogue_headers(),
            Some(&json!({})),
        )
        .await;
    expect_outcome(resp, 501, "PROXY_NOT_IMPLEMENTED").await;
    let resp = desk
        .send(Method::PATCH, &url, desk.catalogue_headers(), None)
        .await;
    expect_outcome(resp, 405, "SEND_METHOD_NOT_ALLOWED").await;
    sim.shutdown().await;
}

#[tokio::test]
async fn the_configuration_names_the_one_root() {
    let sim = start(options()).await.expect("start");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bookdesk.toml");
    sim.write_config(&path).expect("writes");
    let text = std::fs::read_to_string(&path).expect("bookdesk.toml");
    let national = text.split("[national]").nth(1).expect("[national]");
    assert!(
        national.contains(&format!("bars_url = \"{}\"\n", sim.bars_proxy_url())),
        "{text}"
    );
    assert!(!text.contains(API_KEY));
    sim.shutdown().await;
}
