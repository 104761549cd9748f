//! Fault injection, persistence and the admin surface.

mod common;

use common::*;
use provider_sim::{SimOptions, start};
use reqwest::Method;

const PRACTICE: &str = "beckside-medical-practice";

#[tokio::test]
async fn drop_after_commit_commits_then_closes_the_connection() {
    let sim = start(SimOptions {
        drop_after_commit_rate: 1.0,
        ..SimOptions::default()
    })
    .await
    .expect("start");
    let desk = Desk::new();
    let svc = service(&sim, PRACTICE);
    let patient = desk.find_patient_id(&svc, "9434765919").await;
    let bundle = body(desk.gp_slots(&svc, 14).await).await;
    let slot = bookable(&bundle);
    let location = resources(&bundle, "Location")[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let before = sim.appointments().len();

    let result = with_body(
        desk.req(&svc, Method::POST, "/Appointment", &ix::gp_book()),
        &gp_booking(&slot, &patient, &location),
    )
    .send()
    .await;
    assert!(result.is_err(), "the connection should drop: {result:?}");
    let after = sim.appointments();
    assert_eq!(after.len(), before + 1);
    assert!(after.iter().any(
        |a| a["slot"][0]["reference"] == format!("Slot/{}", slot["id"].as_str().unwrap_or(""))
    ));

    // The admin view agrees, and reads still work on the same client.
    let listed: Vec<serde_json::Value> = desk
        .http
        .get(format!("{}/_admin/appointments", sim.base_url()))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(listed.len(), before + 1);

    // A UEC booking drops too; its retry with the same X-Request-ID is answered normally.
    let uec = service(&sim, "calder-valley-utc");
    let uslot = desk.first_uec_slot(&uec).await;
    let booking = uec_booking(&uslot, true);
    let rid = uuid::Uuid::new_v4().to_string();
    let first = with_body(
        desk.req(&uec, Method::POST, "/Appointment", &ix::uec_book()),
        &booking,
    )
    .header("X-Request-ID", &rid)
    .send()
    .await;
    assert!(first.is_err());
    let retry = desk.uec_book(&uec, &booking, &rid).await;
    assert_eq!(retry.status(), 201);
    assert_eq!(sim.appointments().len(), before + 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn fail_rate_one_answers_500_and_changes_nothing() {
    let sim = start(SimOptions {
        fail_rate: 1.0,
        ..SimOptions::default()
    })
    .await
    .expect("start");
    let desk = Desk::new();
    let svc = service(&sim, PRACTICE);
    let before = sim.appointments().len();
    let resp = desk
        .req(&svc, Method::GET, "/metadata", &ix::gp_metadata())
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 500);
    assert_eq!(spine_code(&body(resp).await), "INTERNAL_SERVER_ERROR");
    let resp = with_body(
        desk.req(&svc, Method::POST, "/Appointment", &ix::gp_book()),
        &serde_json::json!({ "resourceType": "Appointment" }),
    )
    .send()
    .await
    .expect("send");
    assert_eq!(resp.status(), 500);
    assert_eq!(sim.appointments().len(), before);
    sim.shutdown().await;
}

#[tokio::test]
async fn malformed_rate_one_garbles_get_bodies() {
    let sim = start(SimOptions {
        malformed_rate: 1.0,
        ..SimOptions::default()
    })
    .await
    .expect("start");
    let desk = Desk::new();
    let svc = service(&sim, PRACTICE);
    let resp = desk
        .req(&svc, Method::GET, "/metadata", &ix::gp_metadata())
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"],
        "application/fhir+json;charset=utf-8"
    );
    let bytes = resp.bytes().await.expect("body");
    assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_err());
    sim.shutdown().await;
}

#[tokio::test]
async fn latency_delays_responses() {
    let sim = start(SimOptions {
        latency_ms: Some((60, 80)),
        ..SimOptions::default()
    })
    .await
    .expect("start");
    let desk = Desk::new();
    let svc = service(&sim, PRACTICE);
    let t = std::time::Instant::now();
    let resp = desk
        .req(&svc, Method::GET, "/metadata", &ix::gp_metadata())
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    assert!(t.elapsed() >= std::time::Duration::from_millis(60));
    sim.shutdown().await;
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("sim-state.json");
    let opts = || SimOptions {
        state_file: Some(state.clone()),
        ..SimOptions::default()
    };

    let sim = start(opts()).await.expect("start");
    let desk = Desk::new();
    let svc = service(&sim, PRACTICE);
    let patient = desk.find_patient_id(&svc, "9476719931").await;
    let bundle = body(desk.gp_slots(&svc, 14).await).await;
    let slot = bookable(&bundle);
    let location = resources(&bundle, "Location")[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let resp = desk
        .gp_book(&svc, &gp_booking(&slot, &patient, &location))
        .await;
    assert_eq!(resp.status(), 201);
    let booked = body(resp).await;
    let count = sim.appointments().len();
    sim.shutdown().await;

    let sim = start(opts()).await.expect("restart");
    let svc = service(&sim, PRACTICE);
    assert_eq!(sim.appointments().len(), count);
    let id = booked["id"].as_str().expect("id");
    let resp = desk
        .req(
            &svc,
            Method::GET,
            &format!("/Appointment/{id}"),
            &ix::gp_read(),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    assert_eq!(body(resp).await, booked);
    // Its slot is still taken, and new ids do not collide.
    let bundle = body(desk.gp_slots(&svc, 14).await).await;
    assert!(
        !resources(&bundle, "Slot")
            .iter()
            .any(|s| s["id"] == slot["id"])
    );
    let next = bookable(&bundle);
    let resp = desk
        .gp_book(&svc, &gp_booking(&next, &patient, &location))
        .await;
    assert_eq!(resp.status(), 201);
    assert_ne!(body(resp).await["id"], booked["id"]);

    // Reset goes back to the seed.
    let resp = desk
        .http
        .post(format!("{}/_admin/reset", sim.base_url()))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    assert_eq!(sim.appointments().len(), 1);
    sim.shutdown().await;

    // A corrupt file is not fatal.
    std::fs::write(&state, b"{ this is not json").expect("write");
    let sim = start(opts()).await.expect("start with a corrupt file");
    assert_eq!(sim.appointments().len(), 1);
    assert!(dir.path().join("sim-state.json.corrupt").exists());
    sim.shutdown().await;
}
