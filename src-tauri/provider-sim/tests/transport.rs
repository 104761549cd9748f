//! Headers, token and body checks common to every interaction.

mod common;

use common::*;
use provider_sim::{SimOptions, start};
use reqwest::Method;
use serde_json::json;

const PRACTICE: &str = "beckside-medical-practice";

#[tokio::test]
async fn missing_or_wrong_ssp_headers() {
    let sim = start(SimOptions::default()).await.expect("start");
    let desk = Desk::new();
    let svc = service(&sim, PRACTICE);
    let url = format!("{}/metadata", svc.base_url);

    let resp = desk.http.get(&url).send().await.expect("send");
    assert_eq!(resp.status(), 400);
    assert_eq!(
        resp.headers()["content-type"],
        "application/fhir+json;charset=utf-8"
    );
    let outcome = body(resp).await;
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    assert_eq!(
        outcome["meta"]["profile"][0],
        "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1"
    );
    assert_eq!(spine_code(&outcome), "MISSING_OR_INVALID_HEADER");

    // Each SSP header missing in turn.
    for name in ["Ssp-TraceID", "Ssp-From", "Ssp-To", "Ssp-InteractionID"] {
        let ix = ix::gp_metadata();
        let mut req = desk
            .req(&svc, Method::GET, "/metadata", &ix)
            .build()
            .expect("request");
        req.headers_mut().remove(name);
        let resp = desk.http.execute(req).await.expect("send");
        assert_eq!(resp.status(), 400, "{name}");
        assert_eq!(spine_code(&body(resp).await), "MISSING_OR_INVALID_HEADER");
    }

    // Addressed to another service.
    let other = service(&sim, "chapel-lane-surgery");
    let mut req = desk
        .req(&svc, Method::GET, "/metadata", &ix::gp_metadata())
        .build()
        .expect("request");
    req.headers_mut()
        .insert("Ssp-To", other.asid.parse().expect("header"));
    let resp = desk.http.execute(req).await.expect("send");
    assert_eq!(resp.status(), 403);
    assert_eq!(spine_code(&body(resp).await), "ACCESS_DENIED");

    // The wrong interaction for the route.
    let resp = desk
        .req(&svc, Method::GET, "/metadata", &ix::gp_read())
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 400);
    assert_eq!(spine_code(&body(resp).await), "MISSING_OR_INVALID_HEADER");
    sim.shutdown().await;
}

#[tokio::test]
async fn jwt_checks() {
    let sim = start(SimOptions::default()).await.expect("start");
    let desk = Desk::new();
    let svc = service(&sim, PRACTICE);
    let ix = ix::gp_metadata();
    let send = |claims: serde_json::Value| {
        let mut req = desk
            .req(&svc, Method::GET, "/metadata", &ix)
            .build()
            .expect("request");
        req.headers_mut().insert(
            "Authorization",
            format!("Bearer {}", token(&claims))
                .parse()
                .expect("header"),
        );
        desk.http.execute(req)
    };

    let mut c = claims(&svc.base_url, ix.scope);
    c["exp"] = json!(c["iat"].as_i64().expect("iat") + 600);
    let resp = send(c).await.expect("send");
    assert_eq!(resp.status(), 400);
    let outcome = body(resp).await;
    assert_eq!(spine_code(&outcome), "BAD_REQUEST");
    assert_eq!(outcome["issue"][0]["diagnostics"], "exp must be iat + 300");

    let mut c = claims(&svc.base_url, ix.scope);
    c["requested_scope"] = json!("patient/*.read");
    let resp = send(c).await.expect("send");
    assert_eq!(resp.status(), 400);
    assert!(
        body(resp).await["issue"][0]["diagnostics"]
            .as_str()
            .is_some_and(|d| d.contains("requested_scope"))
    );

    let c = claims("http://127.0.0.1:1/B86002/STU3/1/gpconnect", ix.scope);
    let resp = send(c).await.expect("send");
    assert_eq!(resp.status(), 400);

    let mut req = desk
        .req(&svc, Method::GET, "/metadata", &ix)
        .build()
        .expect("request");
    req.headers_mut().insert(
        "Authorization",
        "Bearer not-a-token".parse().expect("header"),
    );
    let resp = desk.http.execute(req).await.expect("send");
    assert_eq!(resp.status(), 400);
    assert_eq!(spine_code(&body(resp).await), "BAD_REQUEST");

    let mut req = desk
        .req(&svc, Method::GET, "/metadata", &ix)
        .build()
        .expect("request");
    req.headers_mut().remove("Authorization");
    let resp = desk.http.execute(req).await.expect("send");
    assert_eq!(resp.status(), 400);
    sim.shutdown().await;
}

#[tokio::test]
async fn content_type_and_body_checks() {
    let sim = start(SimOptions::default()).await.expect("start");
    let desk = Desk::new();
    let svc = service(&sim, PRACTICE);
    let resp = desk
        .req(&svc, Method::POST, "/Appointment", &ix::gp_book())
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 415);
    assert_eq!(spine_code(&body(resp).await), "UNSUPPORTED_MEDIA_TYPE");

    let resp = desk
        .req(&svc, Method::POST, "/Appointment", &ix::gp_book())
        .header("Content-Type", "application/fhir+json")
        .body("{not json")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 400);
    assert_eq!(spine_code(&body(resp).await), "MESSAGE_NOT_WELL_FORMED");

    let resp = desk
        .req(&svc, Method::POST, "/Appointment", &ix::gp_book())
        .header("Content-Type", "application/fhir+json")
        .body(vec![b' '; 2 * 1024 * 1024])
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 413);
    sim.shutdown().await;
}

#[tokio::test]
async fn unknown_routes_are_404_outcomes() {
    let sim = start(SimOptions::default()).await.expect("start");
    let desk = Desk::new();
    for path in [
        "/nothing",
        "/B86001/STU3/1/gpconnect/Nope",
        "/uec/nope/STU3/1/booking/Slot",
    ] {
        let resp = desk
            .http
            .get(format!("{}{path}", sim.base_url()))
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status(), 404, "{path}");
        assert_eq!(body(resp).await["resourceType"], "OperationOutcome");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn services_and_config_text() {
    let sim = start(SimOptions::default()).await.expect("start");
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
    assert_eq!(text.matches("[[service]]").count(), services.len());
    assert!(text.contains("base_url = \""));
    assert!(text.contains("healthcare_service = \""));
    sim.shutdown().await;
}
