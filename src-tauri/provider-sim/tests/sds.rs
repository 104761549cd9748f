//! The simulated Spine Directory Service FHIR API over real HTTP: every GP Connect and UEC
//! Booking service found by ODS code and interaction, the published errors, and the
//! directory's broken entries (none, two, a wrong ASID the provider really refuses).

mod common;

use common::{Desk, ix, options, service};
use provider_sim::{DEMO_SDS_API_KEY, RunningSim, ServiceEntry, national_cases, start};
use serde_json::Value;
use std::collections::BTreeSet;

const ODS: &str = "https://fhir.nhs.uk/Id/ods-organization-code";
const INTERACTION: &str = "https://fhir.nhs.uk/Id/nhsServiceInteractionId";
const PARTY_KEY: &str = "https://fhir.nhs.uk/Id/nhsMhsPartyKey";
const ASID: &str = "https://fhir.nhs.uk/Id/nhsSpineASID";

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../../tests/fixtures/sds/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("json")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

async fn get_with(
    sim: &RunningSim,
    path_and_query: &str,
    edit: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let req = client()
        .get(format!("{}{path_and_query}", sim.sds_url()))
        .header("apikey", DEMO_SDS_API_KEY);
    let r = edit(req).send().await.expect("send");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = r.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}

async fn get(sim: &RunningSim, path_and_query: &str) -> (u16, Value) {
    let (s, _, b) = get_with(sim, path_and_query, |r| r).await;
    (s, b)
}

fn endpoint_query(ods: &str, interaction: &str) -> String {
    format!("/Endpoint?organization={ODS}|{ods}&identifier={INTERACTION}|{interaction}")
}

fn device_query(ods: &str, interaction: &str, party: &str) -> String {
    format!(
        "/Device?organization={ODS}|{ods}&identifier={INTERACTION}|{interaction}&identifier={PARTY_KEY}|{party}"
    )
}

fn value(resource: &Value, system: &str) -> Option<String> {
    resource["identifier"]
        .as_array()?
        .iter()
        .find(|i| i["system"] == system)
        .and_then(|i| i["value"].as_str())
        .map(str::to_string)
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// The interactions a standard's routes accept, as the consumer tests name them.
fn interactions(standard: &str) -> Vec<String> {
    let ix = if standard == "gp-connect" {
        vec![
            ix::gp_metadata(),
            ix::gp_find_patient(),
            ix::gp_slots(),
            ix::gp_book(),
            ix::gp_read(),
            ix::gp_amend(),
            ix::gp_cancel(),
            ix::gp_patient_appointments(),
        ]
    } else {
        vec![
            ix::uec_metadata(),
            ix::uec_slots(),
            ix::uec_book(),
            ix::uec_read(),
            ix::uec_cancel(),
        ]
    };
    ix.into_iter().map(|i| i.id).collect()
}

/// Endpoint then Device, as GP Connect's SDS page says: the address and party key, then the ASID.
async fn look_up(sim: &RunningSim, ods: &str, interaction: &str) -> Vec<(String, String)> {
    let (status, bundle) = get(sim, &endpoint_query(ods, interaction)).await;
    assert_eq!(status, 200, "{bundle}");
    let mut out = Vec::new();
    for e in bundle["entry"].as_array().cloned().unwrap_or_default() {
        let endpoint = &e["resource"];
        let party = value(endpoint, PARTY_KEY).expect("party key");
        let (status, devices) = get(sim, &device_query(ods, interaction, &party)).await;
        assert_eq!(status, 200, "{devices}");
        assert_eq!(devices["total"], 1, "{devices}");
        let asid = value(&devices["entry"][0]["resource"], ASID).expect("asid");
        out.push((
            endpoint["address"].as_str().expect("address").to_string(),
            asid,
        ));
    }
    out
}

#[tokio::test]
async fn every_booking_service_is_found_for_each_interaction_it_accepts() {
    let sim = start(options()).await.expect("sim");
    let services: Vec<ServiceEntry> = sim
        .services()
        .into_iter()
        .filter(|s| s.standard != "bars")
        .collect();
    assert!(services.len() >= 8);
    for s in &services {
        for interaction in interactions(&s.standard) {
            let found = look_up(&sim, &s.ods, &interaction).await;
            assert_eq!(
                found,
                [(s.base_url.clone(), s.asid.clone())],
                "{} {interaction}",
                s.id
            );
        }
    }
    // The answers have the published examples' shape.
    let (_, bundle) = get(&sim, &endpoint_query("B86001", &ix::gp_slots().id)).await;
    let example = fixture("EndpointBundle.json");
    assert_eq!(keys(&bundle), keys(&example));
    assert_eq!(bundle["type"], "searchset");
    let endpoint = &bundle["entry"][0]["resource"];
    let published = fixture("Endpoint.json");
    for k in [
        "resourceType",
        "id",
        "status",
        "connectionType",
        "payloadType",
        "address",
        "managingOrganization",
        "identifier",
        "extension",
    ] {
        assert!(
            published.get(k).is_some() && endpoint.get(k).is_some(),
            "{k}"
        );
    }
    assert_eq!(
        endpoint["managingOrganization"]["identifier"]["value"],
        "B86001"
    );
    assert_eq!(
        endpoint["extension"][0]["url"],
        published["extension"][1]["url"]
    );
    assert_eq!(
        endpoint["extension"][0]["valueReference"]["identifier"]["value"],
        ix::gp_slots().id
    );
    let (_, devices) = get(
        &sim,
        &device_query("B86001", &ix::gp_slots().id, "B86001-9198101"),
    )
    .await;
    let device = &devices["entry"][0]["resource"];
    assert_eq!(keys(device), keys(&fixture("Device.json")));
    // The Device lists every interaction of the system.
    assert_eq!(device["extension"].as_array().map(Vec::len), Some(8));
    // The party key may be left out of the Device query.
    let (_, devices) = get(
        &sim,
        &format!(
            "/Device?organization={ODS}|NQ501&identifier={INTERACTION}|{}",
            ix::uec_slots().id
        ),
    )
    .await;
    assert_eq!(
        value(&devices["entry"][0]["resource"], ASID).as_deref(),
        Some("918999198201")
    );
}

#[tokio::test]
async fn an_organisation_sds_does_not_hold_answers_an_empty_bundle() {
    let sim = start(options()).await.expect("sim");
    for query in [
        endpoint_query("ZZZ999", &ix::gp_slots().id),
        // A BaRS service is not in SDS.
        endpoint_query("B85041", &ix::gp_slots().id),
        // A GP Connect practice has no UEC interactions.
        endpoint_query("B86001", &ix::uec_slots().id),
        device_query("ZZZ999", &ix::gp_slots().id, "ZZZ999-1"),
    ] {
        let (status, bundle) = get(&sim, &query).await;
        assert_eq!(status, 200, "{query}");
        assert_eq!(bundle["total"], 0);
        assert_eq!(bundle["entry"], Value::Array(Vec::new()));
    }
}

#[tokio::test]
async fn the_directorys_broken_entries() {
    let sim = start(options()).await.expect("sim");
    let c = national_cases();
    let slots = ix::gp_slots().id;
    assert!(
        look_up(&sim, c.no_sds_endpoint.ods, &slots)
            .await
            .is_empty()
    );
    assert_eq!(
        look_up(&sim, c.two_sds_endpoints.ods, &slots).await.len(),
        2
    );
    let wrong = look_up(&sim, c.wrong_sds_asid.ods, &slots).await;
    assert_eq!(wrong.len(), 1);
    let (address, asid) = wrong[0].clone();
    // The endpoint is a real GP system (Beckside's); the ASID is not its own, and it refuses it
    // as Spine security would.
    let beckside = service(&sim, "beckside-medical-practice");
    assert_eq!(address, beckside.base_url);
    assert_ne!(asid, beckside.asid);
    let as_sds_says = ServiceEntry { asid, ..beckside };
    let r = Desk::new()
        .get(&as_sds_says, "/metadata", &ix::gp_metadata())
        .await;
    assert_eq!(r.status().as_u16(), 403);
    let outcome: Value = r.json().await.expect("outcome");
    assert!(outcome.to_string().contains("Ssp-To"), "{outcome}");
}

#[tokio::test]
async fn the_api_key_is_checked_first() {
    let sim = start(options()).await.expect("sim");
    let q = endpoint_query("B86001", &ix::gp_slots().id);
    for key in [None, Some("not-the-key")] {
        let url = format!("{}{q}", sim.sds_url());
        let mut req = client().get(url);
        if let Some(k) = key {
            req = req.header("apikey", k);
        }
        let r = req.send().await.expect("send");
        assert_eq!(r.status().as_u16(), 401);
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["resourceType"], "OperationOutcome");
        assert_eq!(
            body["issue"][0]["details"]["coding"][0]["code"],
            "ACCESS_DENIED"
        );
    }
}

#[tokio::test]
async fn invalid_requests_have_the_published_errors() {
    let sim = start(options()).await.expect("sim");
    let slots = ix::gp_slots().id;
    let bad = [
        // Device needs both organisation and interaction.
        format!("/Device?identifier={INTERACTION}|{slots}"),
        format!("/Device?organization={ODS}|B86001"),
        // An identifier of another system.
        format!("/Endpoint?organization={ODS}|B86001&identifier=https://example.org|x"),
        // An organisation without its system.
        format!("/Endpoint?organization=B86001&identifier={INTERACTION}|{slots}"),
        // An organisation alone is not a supported combination.
        format!("/Endpoint?organization={ODS}|B86001"),
        format!("/Endpoint?organization={ODS}|B86001&identifier={INTERACTION}|{slots}&ods=B86001"),
    ];
    for q in bad {
        let (status, body) = get(&sim, &q).await;
        assert_eq!(status, 400, "{q}: {body}");
        let issue = &body["issue"][0];
        assert_eq!(issue["code"], "required");
        assert_eq!(issue["details"]["coding"][0]["code"], "BAD_REQUEST");
        assert!(
            issue["diagnostics"]
                .as_str()
                .is_some_and(|d| d.starts_with("HTTP 400: Bad Request (")),
            "{body}"
        );
    }
    let q = endpoint_query("B86001", &slots);
    let (status, headers, _) =
        get_with(&sim, &q, |r| r.header("X-Correlation-Id", "not-a-uuid")).await;
    assert_eq!(status, 400);
    assert!(headers.get("X-Correlation-Id").is_some());
    let id = "6d3d3674-7ce5-11ec-90d6-0242ac120003";
    let (status, headers, _) = get_with(&sim, &q, |r| r.header("X-Correlation-Id", id)).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers
            .get("X-Correlation-Id")
            .and_then(|v| v.to_str().ok()),
        Some(id)
    );
    let (status, _, body) = get_with(&sim, &q, |r| r.header("Accept", "text/xml")).await;
    assert_eq!(status, 406, "{body}");
    let (status, headers, _) = get_with(&sim, &q, |r| r.header("Accept", "application/json")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/json");
    let (status, body) = get(&sim, "/Organization").await;
    assert_eq!(status, 404);
    assert_eq!(
        body["issue"][0]["details"]["coding"][0]["code"],
        "NO_RECORD_FOUND"
    );
    let r = client()
        .post(format!("{}/Endpoint", sim.sds_url()))
        .header("apikey", DEMO_SDS_API_KEY)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 405);
    assert_eq!(r.headers()["allow"], "GET");
}

#[tokio::test]
async fn the_configuration_names_the_directories_without_their_secrets() {
    let sim = start(options()).await.expect("sim");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("bookdesk.toml");
    sim.write_config(&path).expect("written");
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(&format!("dos_url = \"{}\"", sim.dos_url())));
    assert!(text.contains(&format!(
        "dos_username = \"{}\"",
        provider_sim::DEMO_DOS_USERNAME
    )));
    assert!(text.contains(&format!("sds_url = \"{}\"", sim.sds_url())));
    assert!(!text.contains(provider_sim::DEMO_DOS_PASSWORD));
    assert!(!text.contains(DEMO_SDS_API_KEY));
}
