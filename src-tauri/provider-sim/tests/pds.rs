//! The simulated Personal Demographics Service over real loopback HTTP: a platform token from
//! the simulator's own token endpoint, then `GET /Patient/{id}` for each kind of record PDS
//! holds and each refusal the published description lists, and the search `GET /Patient?...`
//! (`components/paths/patient-search.yaml`), compared with the published search examples in
//! the project's `tests/fixtures/pds/` (see the README there).

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
    // Related people are PDS's, but not simulated: said so plainly.
    let resp = send(pds.req(
        Method::GET,
        &format!("/Patient/{}/RelatedPerson", demo_patients()[0].nhs_number),
    ))
    .await;
    assert_eq!(resp.status(), 501);
    sim.shutdown().await;
}

// ---- Search: `GET /Patient?...` ----

/// A published example answer, the project's `tests/fixtures/pds/{name}` (see the README there).
fn published(name: &str) -> Value {
    let path = format!(
        "{}/../../tests/fixtures/pds/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect(&path);
    serde_json::from_str(&text).expect("json")
}

fn field_names(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

impl Client {
    async fn search(&self, query: &str) -> Response {
        send(self.req(Method::GET, &format!("/Patient?{query}"))).await
    }
}

/// Asserts a 200 searchset Bundle shaped as the published `PatientSearch.json`, and returns it.
async fn expect_searchset(resp: Response) -> Value {
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/fhir+json");
    let bundle: Value = resp.json().await.expect("json");
    assert_eq!(bundle["resourceType"], "Bundle", "{bundle}");
    assert_eq!(bundle["type"], "searchset");
    let when = bundle["timestamp"].as_str().expect("timestamp");
    assert!(chrono::DateTime::parse_from_rfc3339(when).is_ok(), "{when}");
    let total = bundle["total"].as_u64().expect("total");
    let entries = bundle["entry"].as_array().map_or(0, Vec::len);
    assert_eq!(total, entries as u64);
    let example = published("PatientSearch.json");
    if total == 0 {
        assert!(bundle.get("entry").is_none());
    } else {
        assert_eq!(field_names(&bundle), field_names(&example));
    }
    for entry in bundle["entry"].as_array().into_iter().flatten() {
        assert_eq!(field_names(entry), field_names(&example["entry"][0]));
        let score = entry["search"]["score"].as_f64().expect("score");
        assert!((0.0..=1.0).contains(&score), "{score}");
        assert_eq!(entry["resource"]["resourceType"], "Patient");
    }
    bundle
}

fn ids(bundle: &Value) -> Vec<&str> {
    bundle["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["resource"]["id"].as_str())
        .collect()
}

#[tokio::test]
async fn a_search_by_family_gender_and_birth_date_finds_each_patient() {
    let (sim, pds) = open().await;
    for p in demo_patients() {
        let request_id = Uuid::new_v4().to_string();
        let resp = send(
            pds.bare(
                Method::GET,
                &format!(
                    "/Patient?family={}&gender={}&birthdate=eq{}",
                    p.family, p.gender, p.birth_date
                ),
            )
            .header("Authorization", pds.bearer())
            .header("X-Request-ID", &request_id)
            .header("X-Correlation-ID", "desk-search-7"),
        )
        .await;
        assert_eq!(resp.headers()["x-request-id"], request_id.as_str());
        assert_eq!(resp.headers()["x-correlation-id"], "desk-search-7");
        let bundle = expect_searchset(resp).await;
        assert_eq!(bundle["total"], 1, "{}", p.family);
        let entry = &bundle["entry"][0];
        assert_eq!(
            entry["fullUrl"],
            format!("{}/Patient/{}", sim.pds_url(), p.nhs_number)
        );
        assert_eq!(entry["search"]["score"], 1.0);
        // The same Patient as the retrieve gives.
        let retrieved = expect_patient(pds.patient(&p.nhs_number).await).await;
        assert_eq!(entry["resource"], retrieved);
    }

    // Names are not case sensitive; the prefix of the date may be left out.
    let bundle = expect_searchset(
        pds.search("family=jackson&gender=female&birthdate=1982-03-12")
            .await,
    )
    .await;
    assert_eq!(ids(&bundle), vec!["9434765919"]);
    // A wildcard after two characters matches, scored as a partial match.
    let bundle = expect_searchset(
        pds.search("family=Ja%2A&given=Ja*&gender=female&birthdate=eq1982-03-12")
            .await,
    )
    .await;
    assert_eq!(ids(&bundle), vec!["9434765919"]);
    let score = bundle["entry"][0]["search"]["score"]
        .as_f64()
        .expect("score");
    assert!(score < 1.0, "{score}");
    // ... but not with `_exact-match`.
    let bundle = expect_searchset(
        pds.search("family=JA*&gender=female&birthdate=eq1982-03-12&_exact-match=true")
            .await,
    )
    .await;
    assert_eq!(bundle["total"], 0);
    // A range of dates of birth, and the postcode with its space and case ignored.
    let bundle = expect_searchset(
        pds.search(
            "family=PATEL&birthdate=ge1990-07-01&birthdate=le1990-07-31&address-postalcode=ls61lj",
        )
        .await,
    )
    .await;
    assert_eq!(ids(&bundle), vec!["9434765269"]);
    let bundle = expect_searchset(
        pds.search("family=PATEL&birthdate=ge1990-07-22&birthdate=le1990-07-31")
            .await,
    )
    .await;
    assert_eq!(bundle["total"], 0);
    let bundle = expect_searchset(
        pds.search("family=PATEL&birthdate=eq1990-07-21&address-postalcode=LS6%2A")
            .await,
    )
    .await;
    assert_eq!(ids(&bundle), vec!["9434765269"]);
    let bundle = expect_searchset(
        pds.search("family=PATEL&birthdate=eq1990-07-21&address-postalcode=LS7%2A")
            .await,
    )
    .await;
    assert_eq!(bundle["total"], 0);
    // The registered practice and the phone number must match exactly.
    let bundle = expect_searchset(
        pds.search(
            "family=HUGHES&birthdate=eq1941-01-30&general-practitioner=b85004&phone=07700900111",
        )
        .await,
    )
    .await;
    assert_eq!(ids(&bundle), vec!["9434760186"]);
    let bundle = expect_searchset(
        pds.search("family=HUGHES&birthdate=eq1941-01-30&general-practitioner=B86001")
            .await,
    )
    .await;
    assert_eq!(bundle["total"], 0);
    // A superseded number's patient is found once, under the current number.
    let cases = pds_cases();
    let bundle = expect_searchset(
        pds.search("family=OKONJO&gender=male&birthdate=eq1968-11-02")
            .await,
    )
    .await;
    assert_eq!(ids(&bundle), vec![cases.superseded_current]);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_search_matching_no_one_is_an_empty_searchset() {
    let (sim, pds) = open().await;
    for query in [
        "family=JACKSON&gender=female&birthdate=eq1982-03-13",
        "family=JACKSON&gender=male&birthdate=eq1982-03-12&given=Jane",
        "family=JACKSONS&birthdate=eq1982-03-12",
        "family=JACKSON&gender=female&birthdate=eq1982-03-12&email=jane.jackson%40example.com",
        // A living patient has no date of death.
        "family=JACKSON&gender=female&birthdate=eq1982-03-12&death-date=le2025-01-01",
    ] {
        let bundle = expect_searchset(pds.search(query).await).await;
        assert_eq!(bundle["total"], 0, "{query}");
        assert!(bundle.get("entry").is_none(), "{query}");
    }
    // The control: the same patient is found without the disagreeing parameter.
    let bundle = expect_searchset(
        pds.search("family=JACKSON&gender=female&birthdate=eq1982-03-12")
            .await,
    )
    .await;
    assert_eq!(bundle["total"], 1);
    // A patient who died is found by the date of death.
    let cases = pds_cases();
    let bundle = expect_searchset(
        pds.search("family=BRADSHAW&birthdate=eq1932-08-09&death-date=ge2024-11-01&death-date=le2024-11-30")
            .await,
    )
    .await;
    assert_eq!(ids(&bundle), vec![cases.deceased]);
    sim.shutdown().await;
}

#[tokio::test]
async fn too_many_matches_for_one_result_is_refused() {
    let (sim, pds) = open().await;
    // Jane JACKSON and her twin brother share a family name and a date of birth.
    for query in [
        "family=JACKSON&birthdate=eq1982-03-12",
        "family=JACKSON&birthdate=eq1982-03-12&_max-results=1",
        "family=JA*&birthdate=ge1982-01-01&birthdate=le1982-12-31",
    ] {
        let resp = pds.search(query).await;
        assert_eq!(resp.headers()["content-type"], "application/fhir+json");
        let outcome = expect_outcome(resp, 200, "TOO_MANY_MATCHES").await;
        let issue = &outcome["issue"][0];
        assert_eq!(issue["severity"], "information", "{query}");
        assert_eq!(issue["code"], "multiple-matches");
        assert_eq!(issue["details"]["coding"][0]["display"], "Too Many Matches");
    }
    // Gender tells the twins apart.
    let mut found = Vec::new();
    for gender in ["female", "male"] {
        let bundle = expect_searchset(
            pds.search(&format!(
                "family=JACKSON&gender={gender}&birthdate=eq1982-03-12"
            ))
            .await,
        )
        .await;
        assert_eq!(bundle["total"], 1, "{gender}");
        assert_eq!(bundle["entry"][0]["resource"]["gender"], gender);
        found.extend(ids(&bundle).into_iter().map(str::to_string));
    }
    assert_eq!(found.len(), 2);
    assert_ne!(found[0], found[1]);

    // More than one result cannot be asked for in the application-restricted access mode.
    for max in ["2", "50", "0", "one"] {
        let resp = pds
            .search(&format!(
                "family=JACKSON&gender=female&birthdate=eq1982-03-12&_max-results={max}"
            ))
            .await;
        assert_eq!(resp.headers()["content-type"], "application/json");
        let outcome = expect_outcome(resp, 403, "INVALID_VALUE").await;
        assert_eq!(
            diagnostics(&outcome),
            "Your app has insufficient permissions to perform this search. Please contact support.",
            "{max}"
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn a_restricted_patient_is_found_without_where_they_are() {
    let (sim, pds) = open().await;
    let nhs = pds_cases().restricted;
    let bundle = expect_searchset(
        pds.search("family=Ashworth&given=Helen&gender=female&birthdate=eq1988-06-17")
            .await,
    )
    .await;
    assert_eq!(ids(&bundle), vec![nhs]);
    let patient = &bundle["entry"][0]["resource"];
    assert_eq!(security(patient), "R");
    assert_eq!(patient["meta"]["security"][0]["display"], "restricted");
    // As the published restricted search answer: none of these.
    let example = published("Sensitive_PatientSearch.json");
    let example = &example["entry"][0]["resource"];
    assert_eq!(example["meta"]["security"][0]["code"], "R");
    for key in ["address", "telecom", "contact", "generalPractitioner"] {
        assert!(example.get(key).is_none(), "the example has no {key}");
        assert!(patient.get(key).is_none(), "{key} is left out");
    }
    assert!(patient["name"][0]["family"].is_string());
    assert!(patient["birthDate"].is_string());

    // A search by postcode or practice never returns a restricted patient...
    for extra in [
        "address-postalcode=HX1%205AS",
        "address-postcode=HX15AS",
        "general-practitioner=B85004",
    ] {
        let bundle = expect_searchset(
            pds.search(&format!("family=ASHWORTH&birthdate=eq1988-06-17&{extra}"))
                .await,
        )
        .await;
        assert_eq!(bundle["total"], 0, "{extra}");
    }
    // ... while an unrestricted one is found the same way.
    let bundle = expect_searchset(
        pds.search("family=HUGHES&birthdate=eq1941-01-30&address-postalcode=HX1%201QX&general-practitioner=B85004")
            .await,
    )
    .await;
    assert_eq!(bundle["total"], 1);
    assert!(bundle["entry"][0]["resource"]["address"].is_array());
    assert!(bundle["entry"][0]["resource"]["telecom"].is_array());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_fuzzy_search_matches_homophones_and_needs_its_combinations() {
    let (sim, pds) = open().await;
    let fuzzy = "_fuzzy-match=true&family=Jaxon&given=Jane&birthdate=eq1982-03-12";
    let bundle = expect_searchset(pds.search(fuzzy).await).await;
    assert_eq!(ids(&bundle), vec!["9434765919"]);
    let score = bundle["entry"][0]["search"]["score"]
        .as_f64()
        .expect("score");
    assert!(score < 1.0, "a homophone is a partial match: {score}");
    // Not without `_fuzzy-match`, nor with `_exact-match`.
    let bundle = expect_searchset(
        pds.search("family=Jaxon&given=Jane&birthdate=eq1982-03-12")
            .await,
    )
    .await;
    assert_eq!(bundle["total"], 0);
    let bundle = expect_searchset(pds.search(&format!("{fuzzy}&_exact-match=true")).await).await;
    assert_eq!(bundle["total"], 0);
    // Transposed names.
    let bundle = expect_searchset(
        pds.search("_fuzzy-match=true&family=Jane&given=Jackson&birthdate=eq1982-03-12")
            .await,
    )
    .await;
    assert_eq!(ids(&bundle), vec!["9434765919"]);

    for query in [
        // Family name and date of birth alone are not a fuzzy combination.
        "_fuzzy-match=true&family=JACKSON&birthdate=eq1982-03-12",
        // No wildcards in a fuzzy search.
        "_fuzzy-match=true&family=JACKSON&given=Ja*&birthdate=eq1982-03-12",
    ] {
        let outcome = expect_outcome(pds.search(query).await, 400, "INVALID_SEARCH_DATA").await;
        assert_eq!(
            diagnostics(&outcome),
            "Invalid search data provided - 'A fuzzy search was requested however the data given \
             did not meet the fuzzy search criteria'",
            "{query}"
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn an_incomplete_or_invalid_search_is_refused_as_the_yaml_says() {
    let (sim, pds) = open().await;
    // No date of birth.
    let resp = pds.search("family=JACKSON&gender=female").await;
    assert_eq!(resp.headers()["content-type"], "application/fhir+json");
    let outcome = expect_outcome(resp, 400, "MISSING_VALUE").await;
    assert_eq!(outcome["issue"][0]["code"], "required");
    assert_eq!(
        diagnostics(&outcome),
        "Missing value - 'birth_date/birth_date_range_start/birth_date_range_end'"
    );
    expect_outcome(
        pds.search("email=j.smith%40example.com&phone=0163").await,
        400,
        "MISSING_VALUE",
    )
    .await;
    // No family name in a non-fuzzy search.
    for query in [
        "birthdate=eq1982-03-12",
        "gender=female&given=Jane&birthdate=eq1982-03-12",
    ] {
        let outcome = expect_outcome(pds.search(query).await, 400, "INVALID_SEARCH_DATA").await;
        assert_eq!(outcome["issue"][0]["code"], "value");
        assert_eq!(
            diagnostics(&outcome),
            "Invalid search data provided - 'No searches were performed as the search criteria \
             did not meet the minimum requirements'",
            "{query}"
        );
    }
    // No search parameters at all.
    let outcome = expect_outcome(
        send(pds.req(Method::GET, "/Patient")).await,
        400,
        "UNSUPPORTED_SERVICE",
    )
    .await;
    assert_eq!(outcome["issue"][0]["code"], "processing");
    // A parameter the search does not have.
    let outcome = expect_outcome(
        pds.search("family=Smith&birthdate=eq2010-10-22&year=2003")
            .await,
        400,
        "ADDITIONAL_PROPERTIES",
    )
    .await;
    assert_eq!(
        diagnostics(&outcome),
        "Invalid request with error - Additional properties are not allowed ('year' was unexpected)"
    );
    // Invalid values.
    for (query, said) in [
        (
            "family=Smith&gender=female&birthdate=20101022",
            "Invalid value - '20101022' in field 'birthdate'",
        ),
        (
            "family=Smith&birthdate=eq2010-10-22&death-date=20101022",
            "Invalid value - '20101022' in field 'death-date'",
        ),
        (
            "family=Smith&gender=mal&birthdate=eq2010-10-22",
            "Invalid value - 'mal' in field 'gender'",
        ),
        (
            "family=J%2A&birthdate=eq1982-03-12",
            "Invalid value - 'J*' in field 'family'",
        ),
        (
            "family=JACKSON&birthdate=eq1982-03-12&address-postalcode=L%2A",
            "Invalid value - 'L*' in field 'address-postalcode'",
        ),
        (
            "family=JACKSON&birthdate=eq1982-03-12&_fuzzy-match=maybe",
            "Invalid value - 'maybe' in field '_fuzzy-match'",
        ),
    ] {
        let outcome = expect_outcome(pds.search(query).await, 400, "INVALID_VALUE").await;
        assert_eq!(outcome["issue"][0]["code"], "value");
        assert_eq!(diagnostics(&outcome), said, "{query}");
    }
    // Both spellings of the postcode parameter at once.
    expect_outcome(
        pds.search("family=PATEL&birthdate=eq1990-07-21&address-postcode=LS6%201LJ&address-postalcode=LS6%201LJ")
            .await,
        400,
        "INVALID_SEARCH_DATA",
    )
    .await;
    sim.shutdown().await;
}

#[tokio::test]
async fn a_search_checks_the_token_and_request_id_as_the_retrieve_does() {
    let (sim, pds) = open().await;
    let path = "/Patient?family=JACKSON&gender=female&birthdate=eq1982-03-12";
    let request_id = Uuid::new_v4().to_string();

    // No token: the platform refuses first, and still mirrors the request id.
    let resp = send(
        pds.bare(Method::GET, path)
            .header("X-Request-ID", &request_id),
    )
    .await;
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(resp.headers()["x-request-id"], request_id.as_str());
    let outcome = expect_outcome(resp, 401, "ACCESS_DENIED").await;
    assert_eq!(diagnostics(&outcome), "Missing Authorization header");
    let outcome = expect_outcome(
        send(
            pds.bare(Method::GET, path)
                .header("Authorization", "Bearer not-a-token-we-issued")
                .header("X-Request-ID", &request_id),
        )
        .await,
        401,
        "ACCESS_DENIED",
    )
    .await;
    assert_eq!(diagnostics(&outcome), "Invalid Access Token");
    // The token is checked before the search's own rules.
    expect_outcome(
        send(pds.bare(Method::GET, "/Patient?gender=female")).await,
        401,
        "ACCESS_DENIED",
    )
    .await;

    // The request id: sent, and a UUID.
    let with_token = || {
        pds.bare(Method::GET, path)
            .header("Authorization", pds.bearer())
    };
    let resp = send(with_token()).await;
    assert!(resp.headers().get("x-request-id").is_none());
    let outcome = expect_outcome(resp, 400, "MISSING_VALUE").await;
    assert!(diagnostics(&outcome).contains("X-Request-ID"));
    let resp = send(with_token().header("X-Request-ID", "1234")).await;
    assert_eq!(resp.headers()["x-request-id"], "1234");
    let outcome = expect_outcome(resp, 400, "INVALID_VALUE").await;
    assert_eq!(
        diagnostics(&outcome),
        "Invalid value - '1234' in header 'X-Request-ID'"
    );

    // With both, the search is answered.
    let bundle =
        expect_searchset(send(with_token().header("X-Request-ID", &request_id)).await).await;
    assert_eq!(bundle["total"], 1);

    sim.revoke_platform_tokens();
    expect_outcome(
        send(with_token().header("X-Request-ID", &request_id)).await,
        401,
        "ACCESS_DENIED",
    )
    .await;
    sim.shutdown().await;
}
