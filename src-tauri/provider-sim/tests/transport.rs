//! Headers, token and body checks common to every interaction.

mod common;

use common::*;
use provider_sim::start;
use reqwest::Method;
use serde_json::{Value, json};

const PRACTICE: &str = "beckside-medical-practice";

#[tokio::test]
async fn missing_or_wrong_ssp_headers() {
    let (sim, desk, svc) = open(PRACTICE).await;
    let url = format!("{}/metadata", svc.base_url);

    let resp = send(desk.http.get(&url)).await;
    assert_fhir_json(&resp);
    let outcome = expect_outcome(resp, 400, "MISSING_OR_INVALID_HEADER").await;
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    assert_eq!(
        outcome["meta"]["profile"][0],
        "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1"
    );

    // Each SSP header missing in turn.
    let ix = ix::gp_metadata();
    for name in ["Ssp-TraceID", "Ssp-From", "Ssp-To", "Ssp-InteractionID"] {
        let resp = desk.get_without(&svc, "/metadata", &ix, name).await;
        assert_eq!(resp.status(), 400, "{name}");
        assert_eq!(spine_code(&body(resp).await), "MISSING_OR_INVALID_HEADER");
    }

    // Addressed to another service.
    let other = service(&sim, "chapel-lane-surgery");
    let resp = desk
        .get_edited(&svc, "/metadata", &ix, |h| {
            h.insert("Ssp-To", other.asid.parse().expect("header"));
        })
        .await;
    expect_outcome(resp, 403, "ACCESS_DENIED").await;

    // The wrong interaction for the route.
    let resp = desk.get(&svc, "/metadata", &ix::gp_read()).await;
    expect_outcome(resp, 400, "MISSING_OR_INVALID_HEADER").await;
    sim.shutdown().await;
}

#[tokio::test]
async fn jwt_checks() {
    let (sim, desk, svc) = open(PRACTICE).await;
    let ix = ix::gp_metadata();
    let authorised = |authorization: String| {
        desk.get_edited(&svc, "/metadata", &ix, move |h| {
            h.insert("Authorization", authorization.parse().expect("header"));
        })
    };
    let bearer = |claims: &Value| format!("Bearer {}", token(claims));
    let proper = claims(&svc.base_url, ix.scope);

    let late = mutated(&proper, |c| {
        c["exp"] = json!(c["iat"].as_i64().expect("iat") + 600)
    });
    let resp = authorised(bearer(&late)).await;
    let outcome = expect_outcome(resp, 400, "BAD_REQUEST").await;
    assert_eq!(outcome["issue"][0]["diagnostics"], "exp must be iat + 300");

    let wider = mutated(&proper, |c| c["requested_scope"] = json!("patient/*.read"));
    let resp = authorised(bearer(&wider)).await;
    assert_eq!(resp.status(), 400);
    assert!(diagnostics(&body(resp).await).contains("requested_scope"));

    let elsewhere = claims("http://127.0.0.1:1/B86002/STU3/1/gpconnect", ix.scope);
    assert_eq!(authorised(bearer(&elsewhere)).await.status(), 400);

    let resp = authorised("Bearer not-a-token".to_string()).await;
    expect_outcome(resp, 400, "BAD_REQUEST").await;

    let resp = desk
        .get_without(&svc, "/metadata", &ix, "Authorization")
        .await;
    assert_eq!(resp.status(), 400);
    sim.shutdown().await;
}

#[tokio::test]
async fn content_type_and_body_checks() {
    let (sim, desk, svc) = open(PRACTICE).await;
    let post = |content_type: &str, payload: Vec<u8>| {
        send(
            desk.req(&svc, Method::POST, "/Appointment", &ix::gp_book())
                .header("Content-Type", content_type)
                .body(payload),
        )
    };
    let resp = post("application/json", b"{}".to_vec()).await;
    expect_outcome(resp, 415, "UNSUPPORTED_MEDIA_TYPE").await;

    let resp = post("application/fhir+json", b"{not json".to_vec()).await;
    expect_outcome(resp, 400, "MESSAGE_NOT_WELL_FORMED").await;

    let resp = post("application/fhir+json", vec![b' '; 2 * 1024 * 1024]).await;
    assert_eq!(resp.status(), 413);
    sim.shutdown().await;
}

#[tokio::test]
async fn unknown_routes_are_404_outcomes() {
    let (sim, desk) = open_sim().await;
    for path in [
        "/nothing",
        "/B86001/STU3/1/gpconnect/Nope",
        "/uec/nope/STU3/1/booking/Slot",
    ] {
        let resp = send(desk.http.get(format!("{}{path}", sim.base_url()))).await;
        assert_eq!(resp.status(), 404, "{path}");
        assert_eq!(body(resp).await["resourceType"], "OperationOutcome");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn services_and_config_text() {
    let sim = start(options()).await.expect("start");
    let services = sim.services();
    let count = |k: &str| services.iter().filter(|s| s.kind == k).count();
    assert!(count("gp-practice") >= 4);
    assert!(count("gp-out-of-hours") >= 1);
    assert!(count("urgent-care") >= 2);
    assert!(count("emergency-department") >= 1);
    for s in &services {
        assert!(s.base_url.starts_with(&sim.base_url()));
        assert!(!s.base_url.ends_with('/'));
        assert_eq!(s.healthcare_service.is_some(), s.standard == "uec-booking");
    }
    let text = sim.services_toml();
    // Every hosted service is in the desk's directory, BaRS ones included.
    assert_eq!(text.matches("[[service]]").count(), services.len());
    assert!(text.contains("standard = \"bars\""));
    assert!(text.contains("base_url = \""));
    assert!(text.contains("healthcare_service = \""));
    sim.shutdown().await;
}
