//! The simulated Personal Demographics Service over real loopback HTTP: a platform token from
//! the simulator's own token endpoint, then `GET /Patient/{id}` for each kind of record PDS
//! holds and each refusal the published description lists.

mod common;

use common::options;
use common::platform::{fetch_token, http, keys};
use provider_sim::{
    DEMO_PLATFORM_KEY_ID, PlatformClient, RunningSim, demo_patients, pds_cases, start,
};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;
use uuid::Uuid;

const API_KEY: &str = "PdsDeskApiKey0123456";
const SPINE_CODES: &str = "https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode";
const NHS_NUMBER: &str = "https://fhir.nhs.uk/Id/nhs-number";
const ODS: &str = "https://fhir.nhs.uk/Id/ods-organization-code";
const CONFIDENTIALITY: &str = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";

/// An application using PDS's application-restricted access mode.
struct Client {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Client {
    async fn new(sim: &RunningSim) -> Client {
        sim.register_desk_key(API_KEY, &keys().1)
            .expect("registers");
        Client {
            http: http(),
            url: sim.pds_url(),
            token: fetch_token(sim, API_KEY, DEMO_PLATFORM_KEY_ID).await,
        }
    }

    /// A request with no headers at all.
    fn bare(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, format!("{}{path}", self.url))
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// A request with the token and a fresh X-Request-ID.
    fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.bare(method, path)
            .header("Authorization", self.bearer())
            .header("X-Request-ID", Uuid::new_v4().to_string())
    }

    async fn patient(&self, nhs: &str) -> Response {
        send(self.req(Method::GET, &format!("/Patient/{nhs}"))).await
    }
}

async fn send(rb: RequestBuilder) -> Response {
    rb.send().await.expect("send")
}

async fn open() -> (RunningSim, Client) {
    let sim = start(options()).await.expect("start");
    let client = Client::new(&sim).await;
    (sim, client)
}

/// Asserts a 200 Patient answer with its ETag, and returns the Patient.
async fn expect_patient(resp: Response) -> Value {
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/fhir+json");
    let etag = resp.headers()["etag"].to_str().expect("text").to_string();
    let patient: Value = resp.json().await.expect("json");
    assert_eq!(patient["resourceType"], "Patient");
    let version = patient["meta"]["versionId"].as_str().expect("versionId");
    assert_eq!(etag, format!("W/\"{version}\""));
    patient
}

/// Asserts an OperationOutcome's status and Spine code, and returns it.
async fn expect_outcome(resp: Response, status: u16, code: &str) -> Value {
    assert_eq!(resp.status(), status, "{code}");
    let outcome: Value = resp.json().await.expect("json");
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    let coding = &outcome["issue"][0]["details"]["coding"][0];
    assert_eq!(coding["system"], SPINE_CODES);
    assert_eq!(coding["code"], code);
    outcome
}

fn diagnostics(outcome: &Value) -> &str {
    outcome["issue"][0]["diagnostics"].as_str().unwrap_or("")
}

fn security(patient: &Value) -> &str {
    assert_eq!(patient["meta"]["security"][0]["system"], CONFIDENTIALITY);
    patient["meta"]["security"][0]["code"]
        .as_str()
        .expect("security code")
}

#[tokio::test]
async fn every_demo_patient_is_in_pds_with_their_registered_practice() {
    let (sim, pds) = open().await;
    for p in demo_patients() {
        let request_id = Uuid::new_v4().to_string().to_uppercase();
        let resp = send(
            pds.bare(Method::GET, &format!("/Patient/{}", p.nhs_number))
                .header("Authorization", pds.bearer())
                .header("X-Request-ID", &request_id)
                .header("X-Correlation-ID", "desk-call-42"),
        )
        .await;
        assert_eq!(resp.headers()["x-request-id"], request_id.as_str());
        assert_eq!(resp.headers()["x-correlation-id"], "desk-call-42");
        let patient = expect_patient(resp).await;

        assert_eq!(patient["id"], p.nhs_number.as_str());
        assert_eq!(patient["identifier"][0]["system"], NHS_NUMBER);
        assert_eq!(patient["identifier"][0]["value"], p.nhs_number.as_str());
        assert_eq!(security(&patient), "U");
        let name = &patient["name"][0];
        assert_eq!(name["use"], "usual");
        assert_eq!(name["family"], p.family.as_str());
        assert_eq!(name["given"][0], p.given.as_str());
        assert_eq!(name["prefix"][0], p.prefix.as_str());
        assert_eq!(patient["gender"], p.gender.as_str());
        assert_eq!(patient["birthDate"], p.birth_date.as_str());
        let address = &patient["address"][0];
        assert_eq!(address["use"], "home");
        assert_eq!(address["postalCode"], p.postcode.as_str());
        let lines: Vec<&str> = address["line"]
            .as_array()
            .expect("lines")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(&lines[..p.address_lines.len()], p.address_lines.as_slice());
        assert_eq!(lines.last().copied(), Some(p.city.as_str()));
        assert_eq!(patient["telecom"][0]["system"], "phone");
        assert_eq!(patient["telecom"][0]["value"], p.phone.as_str());
        let gp = &patient["generalPractitioner"][0];
        assert_eq!(gp["type"], "Organization");
        assert_eq!(gp["identifier"]["system"], ODS);
        assert_eq!(gp["identifier"]["value"], p.registered_ods.as_str());
        assert!(
            sim.services()
                .iter()
                .any(|s| s.kind == "gp-practice" && s.ods == p.registered_ods),
            "{} is registered at a practice of the region",
            p.nhs_number
        );
        assert!(patient.get("deceasedDateTime").is_none());
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn the_request_ids_are_mirrored_back() {
    let (sim, pds) = open().await;
    let request_id = "60E0B220-8136-4CA5-AE46-1D97EF59D068";
    let resp = send(
        pds.bare(
            Method::GET,
            &format!("/Patient/{}", demo_patients()[0].nhs_number),
        )
        .header("Authorization", pds.bearer())
        .header("X-Request-ID", request_id)
        .header("X-Correlation-ID", "11C46F5F-CDEF-4865-94B2-0EE0EDCC26DA"),
    )
    .await;
    assert_eq!(resp.headers()["x-request-id"], request_id);
    assert_eq!(
        resp.headers()["x-correlation-id"],
        "11C46F5F-CDEF-4865-94B2-0EE0EDCC26DA"
    );
    expect_patient(resp).await;

    // Without a correlation id none comes back; refusals mirror the request id too.
    let resp = send(
        pds.bare(Method::GET, &format!("/Patient/{}", pds_cases().absent))
            .header("Authorization", pds.bearer())
            .header("X-Request-ID", request_id),
    )
    .await;
    assert_eq!(resp.headers()["x-request-id"], request_id);
    assert!(resp.headers().get("x-correlation-id").is_none());
    expect_outcome(resp, 404, "RESOURCE_NOT_FOUND").await;
    sim.shutdown().await;
}

#[tokio::test]
async fn a_restricted_patient_comes_without_address_telecom_or_practice() {
    let (sim, pds) = open().await;
    let nhs = pds_cases().restricted;
    let patient = expect_patient(pds.patient(nhs).await).await;
    assert_eq!(patient["id"], nhs);
    assert_eq!(security(&patient), "R");
    assert_eq!(patient["meta"]["security"][0]["display"], "restricted");
    for key in ["address", "telecom", "generalPractitioner"] {
        assert!(patient.get(key).is_none(), "{key} is left out");
    }
    assert_eq!(patient["name"][0]["use"], "usual");
    assert!(patient["birthDate"].is_string());
    assert!(patient["gender"].is_string());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_superseded_number_is_answered_with_the_current_record() {
    let (sim, pds) = open().await;
    let cases = pds_cases();
    let current = expect_patient(pds.patient(cases.superseded_current).await).await;
    let merged = expect_patient(pds.patient(cases.superseded_old).await).await;
    assert_eq!(merged["id"], cases.superseded_current);
    assert_eq!(merged["identifier"][0]["value"], cases.superseded_current);
    assert_eq!(merged, current);
    assert!(
        demo_patients()
            .iter()
            .any(|p| p.nhs_number == cases.superseded_current)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_deceased_patient_has_a_date_of_death() {
    let (sim, pds) = open().await;
    let nhs = pds_cases().deceased;
    let patient = expect_patient(pds.patient(nhs).await).await;
    assert_eq!(patient["id"], nhs);
    let died = patient["deceasedDateTime"]
        .as_str()
        .expect("deceasedDateTime");
    assert!(chrono::DateTime::parse_from_rfc3339(died).is_ok(), "{died}");
    assert_eq!(security(&patient), "U");
    assert!(patient["generalPractitioner"][0]["identifier"]["value"].is_string());
    sim.shutdown().await;
}

#[tokio::test]
async fn invalidated_absent_and_invalid_numbers_are_refused() {
    let (sim, pds) = open().await;
    let cases = pds_cases();
    let outcome = expect_outcome(
        pds.patient(cases.invalidated).await,
        404,
        "INVALIDATED_RESOURCE",
    )
    .await;
    assert_eq!(outcome["issue"][0]["code"], "processing");
    let resp = pds.patient(cases.absent).await;
    assert_eq!(resp.headers()["content-type"], "application/fhir+json");
    let outcome = expect_outcome(resp, 404, "RESOURCE_NOT_FOUND").await;
    assert_eq!(outcome["issue"][0]["code"], "not-found");
    // A wrong check digit, nine digits, eleven digits, a letter, spaces.
    for bad in [
        "9434765918",
        "943476591",
        "94347659190",
        "943476591X",
        "943%20476%205919",
    ] {
        let outcome = expect_outcome(pds.patient(bad).await, 400, "INVALID_RESOURCE_ID").await;
        assert_eq!(outcome["issue"][0]["code"], "value", "{bad}");
    }
    // No NHS number at all.
    expect_outcome(
        send(pds.req(Method::GET, "/Patient/")).await,
        400,
        "UNSUPPORTED_SERVICE",
    )
    .await;
    sim.shutdown().await;
}

#[tokio::test]
async fn the_request_id_is_required_and_a_uuid() {
    let (sim, pds) = open().await;
    let path = format!("/Patient/{}", demo_patients()[0].nhs_number);
    let with_token = |rb: RequestBuilder| rb.header("Authorization", pds.bearer());

    let resp = send(with_token(pds.bare(Method::GET, &path))).await;
    assert!(resp.headers().get("x-request-id").is_none());
    let outcome = expect_outcome(resp, 400, "MISSING_VALUE").await;
    assert_eq!(outcome["issue"][0]["code"], "required");
    assert!(diagnostics(&outcome).contains("X-Request-ID"));

    let resp = send(with_token(pds.bare(Method::GET, &path)).header("X-Request-ID", "1234")).await;
    assert_eq!(resp.headers()["x-request-id"], "1234");
    let outcome = expect_outcome(resp, 400, "INVALID_VALUE").await;
    assert_eq!(
        diagnostics(&outcome),
        "Invalid value - '1234' in header 'X-Request-ID'"
    );

    let resp = send(with_token(pds.bare(Method::GET, &path)).header("X-Request-ID", "")).await;
    expect_outcome(resp, 400, "INVALID_VALUE").await;
    sim.shutdown().await;
}

#[tokio::test]
async fn the_token_must_come_from_the_platform_and_be_alive() {
    let (sim, pds) = open().await;
    let path = format!("/Patient/{}", demo_patients()[0].nhs_number);
    let request_id = Uuid::new_v4().to_string();
    let get = |auth: Option<String>| {
        let rb = pds
            .bare(Method::GET, &path)
            .header("X-Request-ID", &request_id);
        match auth {
            Some(a) => rb.header("Authorization", a),
            None => rb,
        }
    };

    let resp = send(get(None)).await;
    // Refused by the platform before Spine sees it, and the request id still comes back.
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(resp.headers()["x-request-id"], request_id.as_str());
    let outcome = expect_outcome(resp, 401, "ACCESS_DENIED").await;
    assert_eq!(outcome["issue"][0]["code"], "forbidden");
    assert_eq!(diagnostics(&outcome), "Missing Authorization header");

    for (auth, said) in [
        ("Bearer", "Missing access token"),
        ("Bearer not-a-token-we-issued", "Invalid Access Token"),
        (
            "Basic dXNlcjpwYXNz",
            "Invalid token type 'Basic', must be 'Bearer'",
        ),
    ] {
        let outcome = expect_outcome(
            send(get(Some(auth.to_string()))).await,
            401,
            "ACCESS_DENIED",
        )
        .await;
        assert_eq!(diagnostics(&outcome), said, "{auth}");
    }

    // No token and no request id: the token is checked first.
    expect_outcome(
        send(pds.bare(Method::GET, &path)).await,
        401,
        "ACCESS_DENIED",
    )
    .await;

    sim.register_platform_client(
        // Two seconds: a token's times are whole seconds, so one issued late in a second and
        // living one second could already be expired when first used.
        PlatformClient::new("ShortLivedPdsKey", "short-kid", &keys().1).with_token_lifetime(2),
    )
    .expect("registers");
    let short = fetch_token(&sim, "ShortLivedPdsKey", "short-kid").await;
    expect_patient(send(get(Some(format!("Bearer {short}")))).await).await;
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    let outcome = expect_outcome(
        send(get(Some(format!("Bearer {short}")))).await,
        401,
        "ACCESS_DENIED",
    )
    .await;
    assert_eq!(diagnostics(&outcome), "Access Token expired");

    sim.revoke_platform_tokens();
    expect_outcome(send(get(Some(pds.bearer()))).await, 401, "ACCESS_DENIED").await;
    sim.shutdown().await;
}

#[tokio::test]
async fn updates_and_unknown_paths_are_refused_as_the_platform_does() {
    let (sim, pds) = open().await;
    let path = format!("/Patient/{}", demo_patients()[0].nhs_number);
    let outcome = expect_outcome(
        send(pds.req(Method::PATCH, &path)).await,
        403,
        "INVALID_METHOD",
    )
    .await;
    assert_eq!(outcome["issue"][0]["code"], "forbidden");
    expect_outcome(
        send(pds.req(Method::POST, "/Patient")).await,
        403,
        "INVALID_METHOD",
    )
    .await;
    let outcome = expect_outcome(
        send(pds.req(Method::GET, "/Patients/1")).await,
        400,
        "UNSUPPORTED_REQUEST",
    )
    .await;
    assert_eq!(diagnostics(&outcome), "Unsupported path - '/Patients/1'");
    // A search is PDS's, but not simulated: said so plainly.
    let resp = send(pds.req(Method::GET, "/Patient?family=JACKSON")).await;
    assert_eq!(resp.status(), 501);
    sim.shutdown().await;
}
