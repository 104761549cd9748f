//! A minimal consumer for black-box tests: SSP headers, an unsigned JWT and FHIR bodies.
#![allow(dead_code)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, SecondsFormat, TimeZone, Utc};
use provider_sim::{CONSUMER_ASID, RunningSim, ServiceEntry, SimOptions, start};
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{Value, json};

pub use provider_sim::clock::test_instant;

pub mod platform;

/// Now, as the simulators of this test binary see it (within the binary's running time: far
/// inside the providers' five minutes of clock tolerance).
pub fn now() -> DateTime<Utc> {
    static FIRST: OnceLock<std::time::Instant> = OnceLock::new();
    let elapsed = FIRST.get_or_init(std::time::Instant::now).elapsed();
    test_instant() + chrono::TimeDelta::from_std(elapsed).unwrap_or_default()
}

/// Today in the UK, at [`now`].
pub fn uk_today() -> chrono::NaiveDate {
    now().with_timezone(&chrono_tz::Europe::London).date_naive()
}

/// Simulator options at the test instant.
pub fn options() -> SimOptions {
    SimOptions {
        start_at: Some(now()),
        ..SimOptions::default()
    }
}

pub const FHIR_JSON: &str = "application/fhir+json;charset=utf-8";
pub const RFC4122: &str = "https://tools.ietf.org/html/rfc4122";
pub const NHS_NUMBER: &str = "https://fhir.nhs.uk/Id/nhs-number";

/// An interaction id and the JWT scope that goes with it.
pub struct Ix {
    pub id: String,
    pub scope: &'static str,
}

fn gpc(suffix: &str, scope: &'static str) -> Ix {
    Ix {
        id: format!("urn:nhs:names:services:gpconnect:fhir:{suffix}"),
        scope,
    }
}

fn uec(suffix: &str, scope: &'static str) -> Ix {
    Ix {
        id: format!("urn:nhs:names:services:careconnect:fhir:rest:{suffix}"),
        scope,
    }
}

pub mod ix {
    use super::*;
    pub fn gp_metadata() -> Ix {
        gpc("rest:read:metadata-1", "organization/*.read")
    }
    pub fn gp_find_patient() -> Ix {
        gpc("rest:search:patient-1", "patient/*.read")
    }
    pub fn gp_slots() -> Ix {
        gpc("rest:search:slot-1", "organization/*.read")
    }
    pub fn gp_book() -> Ix {
        gpc("rest:create:appointment-1", "patient/*.write")
    }
    pub fn gp_read() -> Ix {
        gpc("rest:read:appointment-1", "patient/*.read")
    }
    pub fn gp_amend() -> Ix {
        gpc("rest:update:appointment-1", "patient/*.write")
    }
    pub fn gp_cancel() -> Ix {
        gpc("rest:cancel:appointment-1", "patient/*.write")
    }
    pub fn gp_patient_appointments() -> Ix {
        gpc("rest:search:patient_appointments-1", "patient/*.read")
    }
    pub fn uec_metadata() -> Ix {
        uec("read:metadata", "organization/slot.read")
    }
    pub fn uec_slots() -> Ix {
        uec("search:slot", "organization/slot.read")
    }
    pub fn uec_book() -> Ix {
        uec("create:appointment", "patient/appointment.write")
    }
    pub fn uec_read() -> Ix {
        uec("read:appointment", "patient/appointment.read")
    }
    pub fn uec_cancel() -> Ix {
        uec("update:appointment", "patient/appointment.write")
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn claims(aud: &str, scope: &str) -> Value {
    let now = now().timestamp();
    json!({
        "iss": "https://bookingdesk.nhs111.example/fhir",
        "sub": "alex.taylor",
        "aud": aud,
        "exp": now + 300,
        "iat": now,
        "reason_for_request": "directcare",
        "requested_scope": scope,
        "requesting_device": {
            "resourceType": "Device",
            "identifier": [{ "system": "https://bookingdesk.nhs111.example/Id/device", "value": "desk-1" }],
            "model": "Booking Desk",
            "version": "0.1.0"
        },
        "requesting_organization": {
            "resourceType": "Organization",
            "identifier": [{ "system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "RYA" }],
            "name": "NHS 111 North West"
        },
        "requesting_practitioner": {
            "resourceType": "Practitioner",
            "id": "alex.taylor",
            "identifier": [
                { "system": "https://fhir.nhs.uk/Id/sds-user-id", "value": "555021935107" },
                { "system": "https://fhir.nhs.uk/Id/sds-role-profile-id", "value": "555021936106" },
                { "system": "https://bookingdesk.nhs111.example/Id/local-user", "value": "alex.taylor" }
            ],
            "name": [{ "family": "Taylor", "given": ["Alex"] }]
        }
    })
}

pub fn token(claims: &Value) -> String {
    let head = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialise"));
    format!("{head}.{body}.")
}

pub fn service(sim: &RunningSim, id: &str) -> ServiceEntry {
    sim.services()
        .into_iter()
        .find(|s| s.id == id)
        .expect("service exists")
}

/// A simulator with default options and a desk, for tests that visit several services.
pub async fn open_sim() -> (RunningSim, Desk) {
    let sim = start(options()).await.expect("start");
    (sim, Desk::new())
}

/// A simulator with default options, a desk and one of its services.
pub async fn open(service_id: &str) -> (RunningSim, Desk, ServiceEntry) {
    open_with(options(), service_id).await
}

pub async fn open_with(mut opts: SimOptions, service_id: &str) -> (RunningSim, Desk, ServiceEntry) {
    opts.start_at = opts.start_at.or_else(|| Some(now()));
    let sim = start(opts).await.expect("start");
    let svc = service(&sim, service_id);
    (sim, Desk::new(), svc)
}

/// A fresh X-Request-ID, so the provider sees a new request rather than a replay.
pub fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The weak ETag (and If-Match value) of an appointment version.
pub fn etag(version: u32) -> String {
    format!("W/\"{version}\"")
}

/// What a GP Connect booking needs: the patient's id, a bookable slot and the slot's Location.
pub struct GpTarget {
    pub patient: String,
    pub slot: Value,
    pub location: String,
}

impl GpTarget {
    pub fn booking(&self) -> Value {
        gp_booking(&self.slot, &self.patient, &self.location)
    }
}

pub struct Desk {
    pub http: reqwest::Client,
}

impl Desk {
    pub fn new() -> Desk {
        Desk {
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("client"),
        }
    }

    /// A request with every header a proper consumer sends.
    pub fn req(&self, svc: &ServiceEntry, method: Method, path: &str, ix: &Ix) -> RequestBuilder {
        self.http
            .request(method, format!("{}{}", svc.base_url, path))
            .header("Ssp-TraceID", uuid::Uuid::new_v4().to_string())
            .header("Ssp-From", CONSUMER_ASID)
            .header("Ssp-To", &svc.asid)
            .header("Ssp-InteractionID", &ix.id)
            .header(
                "Authorization",
                format!("Bearer {}", token(&claims(&svc.base_url, ix.scope))),
            )
            .header("Accept", "application/fhir+json")
    }

    pub async fn get(&self, svc: &ServiceEntry, path: &str, ix: &Ix) -> Response {
        send(self.req(svc, Method::GET, path, ix)).await
    }

    /// A GET whose standard headers `edit` changes first, to see each check refuse it.
    pub async fn get_edited(
        &self,
        svc: &ServiceEntry,
        path: &str,
        ix: &Ix,
        edit: impl FnOnce(&mut HeaderMap),
    ) -> Response {
        let mut req = self
            .req(svc, Method::GET, path, ix)
            .build()
            .expect("request");
        edit(req.headers_mut());
        self.http.execute(req).await.expect("send")
    }

    /// A GET with one standard header left out.
    pub async fn get_without(
        &self,
        svc: &ServiceEntry,
        path: &str,
        ix: &Ix,
        header: &str,
    ) -> Response {
        self.get_edited(svc, path, ix, |h| {
            h.remove(header);
        })
        .await
    }

    /// An update of appointment `id`, guarded by If-Match on `if_match` when given.
    pub fn update(
        &self,
        svc: &ServiceEntry,
        id: &str,
        ix: &Ix,
        if_match: Option<u32>,
        appointment: &Value,
    ) -> RequestBuilder {
        let mut rb = self.req(svc, Method::PUT, &format!("/Appointment/{id}"), ix);
        if let Some(version) = if_match {
            rb = rb.header("If-Match", etag(version));
        }
        with_body(rb, appointment)
    }

    /// A GP Connect patient search by `system|value` identifier.
    pub async fn search_patients(&self, svc: &ServiceEntry, identifier: &str) -> Response {
        let path = format!("/Patient?identifier={}", enc(identifier));
        self.get(svc, &path, &ix::gp_find_patient()).await
    }

    pub async fn find_patient_id(&self, svc: &ServiceEntry, nhs: &str) -> String {
        let resp = self
            .search_patients(svc, &format!("{NHS_NUMBER}|{nhs}"))
            .await;
        assert_eq!(resp.status(), 200);
        let bundle = body(resp).await;
        bundle["entry"][0]["resource"]["id"]
            .as_str()
            .expect("patient id")
            .to_string()
    }

    /// A GP Connect free slot search from today (in the UK) for `days` days, with every
    /// include. A fortnight that crosses the autumn clock change lasts 14 days and an hour, which
    /// providers refuse, so a window of up to 14 days is shortened by a day there.
    pub async fn gp_slots(&self, svc: &ServiceEntry, days: i64) -> Response {
        let today = uk_today();
        let midnight = |d: chrono::NaiveDate| {
            chrono_tz::Europe::London
                .from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        };
        let too_long = |d: i64| match (midnight(today), midnight(today + Duration::days(d))) {
            (Some(a), Some(b)) => b - a > Duration::days(14),
            _ => false,
        };
        let days = if days <= 14 && too_long(days) {
            days - 1
        } else {
            days
        };
        let path = format!(
            "/Slot?start={}&end={}&status=free&_include=Slot:schedule\
             &_include:recurse=Schedule:actor:Practitioner&_include:recurse=Schedule:actor:Location\
             &_include:recurse=Location:managingOrganization&searchFilter={}&searchFilter={}",
            enc(&format!("ge{today}")),
            enc(&format!("le{}", today + Duration::days(days))),
            enc("https://fhir.nhs.uk/Id/ods-organization-code|RYA"),
            enc("https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-OrganisationType-1|urgent-care"),
        );
        self.get(svc, &path, &ix::gp_slots()).await
    }

    pub async fn uec_slots(&self, svc: &ServiceEntry, hours: i64) -> Response {
        let now = now();
        let path = format!(
            "/Slot?schedule.actor:healthcareservice={}&start={}&start={}&status=free\
             &_include=Slot:schedule&_include:iterate=Schedule:actor:Practitioner\
             &_include:iterate=Schedule:actor:PractitionerRole\
             &_include:iterate=Schedule:actor:HealthcareService\
             &_include:iterate=HealthcareService:location",
            enc(svc.healthcare_service.as_deref().unwrap_or("")),
            enc(&format!(
                "ge{}",
                now.to_rfc3339_opts(SecondsFormat::Secs, false)
            )),
            enc(&format!(
                "le{}",
                (now + Duration::hours(hours)).to_rfc3339_opts(SecondsFormat::Secs, false)
            )),
        );
        self.get(svc, &path, &ix::uec_slots()).await
    }

    /// The first free slot found over the next two weeks.
    pub async fn first_gp_slot(&self, svc: &ServiceEntry) -> Value {
        bookable(&body(self.gp_slots(svc, 14).await).await)
    }

    pub async fn first_uec_slot(&self, svc: &ServiceEntry) -> Value {
        bookable(&body(self.uec_slots(svc, 72).await).await)
    }

    /// The patient, a bookable slot and its Location, found as a consumer would.
    pub async fn gp_target(&self, svc: &ServiceEntry, nhs: &str) -> GpTarget {
        let patient = self.find_patient_id(svc, nhs).await;
        let bundle = body(self.gp_slots(svc, 14).await).await;
        let location = resources(&bundle, "Location")[0]["id"]
            .as_str()
            .expect("location id")
            .to_string();
        GpTarget {
            patient,
            slot: bookable(&bundle),
            location,
        }
    }

    /// Whether a GP Connect search over the next two weeks offers `slot`.
    pub async fn gp_offers(&self, svc: &ServiceEntry, slot: &Value) -> bool {
        offers(&body(self.gp_slots(svc, 14).await).await, slot)
    }

    pub fn gp_book_req(&self, svc: &ServiceEntry, appointment: &Value) -> RequestBuilder {
        with_body(
            self.req(svc, Method::POST, "/Appointment", &ix::gp_book()),
            appointment,
        )
    }

    pub async fn gp_book(&self, svc: &ServiceEntry, appointment: &Value) -> Response {
        send(self.gp_book_req(svc, appointment)).await
    }

    /// A UEC booking without the X-Request-ID it needs; `uec_book` adds it.
    pub fn uec_book_req(&self, svc: &ServiceEntry, appointment: &Value) -> RequestBuilder {
        with_body(
            self.req(svc, Method::POST, "/Appointment", &ix::uec_book()),
            appointment,
        )
    }

    pub async fn uec_book(
        &self,
        svc: &ServiceEntry,
        appointment: &Value,
        request_id: &str,
    ) -> Response {
        send(
            self.uec_book_req(svc, appointment)
                .header("X-Request-ID", request_id),
        )
        .await
    }
}

pub async fn send(rb: RequestBuilder) -> Response {
    rb.send().await.expect("send")
}

pub fn with_body(rb: RequestBuilder, v: &Value) -> RequestBuilder {
    rb.header("Content-Type", FHIR_JSON)
        .body(serde_json::to_vec(v).expect("serialise"))
}

pub async fn body(resp: Response) -> Value {
    let bytes = resp.bytes().await.expect("body");
    serde_json::from_slice(&bytes).expect("JSON body")
}

/// The first slot in a Bundle that starts comfortably in the future, so it cannot start
/// between the search and the booking.
pub fn bookable(bundle: &Value) -> Value {
    let soon = now() + Duration::minutes(5);
    resources(bundle, "Slot")
        .into_iter()
        .find(|s| {
            s["start"]
                .as_str()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .is_some_and(|t| t > soon)
        })
        .expect("a bookable slot")
}

/// Resources of one type in a Bundle.
pub fn resources(bundle: &Value, kind: &str) -> Vec<Value> {
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

/// The `key` string of every item in a JSON array.
pub fn strings<'a>(array: &'a Value, key: &str) -> Vec<&'a str> {
    array
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|item| item[key].as_str())
        .collect()
}

/// Whether a searchset Bundle offers `slot`.
pub fn offers(bundle: &Value, slot: &Value) -> bool {
    resources(bundle, "Slot")
        .iter()
        .any(|s| s["id"] == slot["id"])
}

pub fn spine_code(outcome: &Value) -> String {
    outcome["issue"][0]["details"]["coding"][0]["code"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

pub fn diagnostics(outcome: &Value) -> &str {
    outcome["issue"][0]["diagnostics"].as_str().unwrap_or("")
}

pub fn assert_fhir_json(resp: &Response) {
    assert_eq!(resp.headers()["content-type"], FHIR_JSON);
}

/// Asserts an OperationOutcome's HTTP status and Spine error code, and returns it.
pub async fn expect_outcome(resp: Response, status: u16, code: &str) -> Value {
    assert_eq!(resp.status(), status, "{code}");
    let outcome = body(resp).await;
    assert_eq!(spine_code(&outcome), code);
    outcome
}

/// Asserts the status and the ETag of `version`, and returns the body.
pub async fn expect_version(resp: Response, status: u16, version: u32) -> Value {
    assert_eq!(resp.status(), status);
    assert_eq!(resp.headers()["etag"], etag(version).as_str());
    body(resp).await
}

/// Asserts a first version was created where the Location header says, and returns the
/// appointment and its id.
pub async fn expect_created(resp: Response, svc: &ServiceEntry) -> (Value, String) {
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["etag"], etag(1).as_str());
    let location = resp.headers()["location"]
        .to_str()
        .expect("text")
        .to_string();
    let booked = body(resp).await;
    let id = booked["id"].as_str().expect("id").to_string();
    assert_eq!(
        location,
        format!("{}/Appointment/{id}/_history/1", svc.base_url)
    );
    assert_eq!(booked["meta"]["versionId"], "1");
    (booked, id)
}

/// A change that makes an otherwise valid resource wrong.
pub type Mutation = Box<dyn Fn(&mut Value)>;

pub fn mutated(v: &Value, change: impl FnOnce(&mut Value)) -> Value {
    let mut v = v.clone();
    change(&mut v);
    v
}

/// A GP Connect booking for `slot`, shaped like the specification's example.
pub fn gp_booking(slot: &Value, patient_id: &str, location_id: &str) -> Value {
    json!({
        "resourceType": "Appointment",
        "meta": { "profile": ["https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Appointment-1"] },
        "contained": [{
            "resourceType": "Organization",
            "id": "1",
            "meta": { "profile": ["https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Organization-1"] },
            "identifier": [{ "system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "RYA" }],
            "type": [{ "coding": [{
                "system": "https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-OrganisationType-1",
                "code": "urgent-care"
            }] }],
            "name": "NHS 111 North West",
            "telecom": [{ "system": "phone", "value": "0113 496 0999" }]
        }],
        "extension": [{
            "url": "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-BookingOrganisation-1",
            "valueReference": { "reference": "#1" }
        }],
        "status": "booked",
        "description": "Cough for three weeks",
        "start": slot["start"],
        "end": slot["end"],
        "slot": [{ "reference": format!("Slot/{}", slot["id"].as_str().unwrap_or("")) }],
        "created": now().to_rfc3339_opts(SecondsFormat::Secs, false),
        "comment": "Booked by NHS 111 after triage",
        "participant": [
            { "actor": { "reference": format!("Patient/{patient_id}") }, "status": "accepted" },
            { "actor": { "reference": format!("Location/{location_id}") }, "status": "accepted" }
        ]
    })
}

/// A UEC booking for `slot` containing the patient, the slot and the CDA reference.
pub fn uec_booking(slot: &Value, with_nhs_number: bool) -> Value {
    let mut patient = json!({
        "resourceType": "Patient",
        "id": "P1",
        "meta": { "profile": ["https://fhir.hl7.org.uk/STU3/StructureDefinition/CareConnect-Patient-1"] },
        "name": [{ "use": "official", "family": "JACKSON", "given": ["Jane"], "prefix": ["Miss"] }],
        "telecom": [{ "system": "phone", "value": "07700 900123", "use": "mobile", "rank": 1 }],
        "gender": "female",
        "birthDate": "1982-03-12",
        "address": [{ "use": "home", "line": ["24 High Street"], "city": "Leeds", "postalCode": "LS1 4AP" }]
    });
    if with_nhs_number {
        patient["identifier"] = json!([{
            "extension": [{
                "url": "https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-NHSNumberVerificationStatus-1",
                "valueCodeableConcept": { "coding": [{
                    "system": "https://fhir.hl7.org.uk/STU3/CodeSystem/CareConnect-NHSNumberVerificationStatus-1",
                    "code": "01",
                    "display": "Number present and verified"
                }] }
            }],
            "system": "https://fhir.nhs.uk/Id/nhs-number",
            "value": "9434765919"
        }]);
    }
    let now = now().to_rfc3339_opts(SecondsFormat::Secs, false);
    json!({
        "resourceType": "Appointment",
        "language": "en-GB",
        "contained": [
            patient,
            {
                "resourceType": "Slot",
                "id": slot["id"],
                "meta": { "profile": ["https://fhir.hl7.org.uk/STU3/StructureDefinition/CareConnect-Slot-1"] },
                "schedule": slot["schedule"],
                "status": "busy",
                "start": slot["start"],
                "end": slot["end"]
            },
            {
                "resourceType": "DocumentReference",
                "id": "D1",
                "identifier": [{ "system": RFC4122, "value": uuid::Uuid::new_v4().to_string() }],
                "status": "current",
                "type": { "coding": [{
                    "system": "urn:oid:2.16.840.1.113883.2.1.3.2.4.18.17",
                    "code": "POCD_MT200001GB02",
                    "display": "Integrated Urgent Care Report"
                }] },
                "indexed": now,
                "content": [{ "attachment": { "contentType": "application/hl7-v3+xml", "language": "en-GB" } }]
            }
        ],
        "status": "booked",
        "description": "Suspected sprained wrist",
        "start": slot["start"],
        "end": slot["end"],
        "created": now,
        "slot": [{ "reference": format!("#{}", slot["id"].as_str().unwrap_or("")) }],
        "participant": [{ "actor": { "reference": "#P1" }, "status": "accepted" }],
        "supportingInformation": [{ "reference": "#D1" }]
    })
}
