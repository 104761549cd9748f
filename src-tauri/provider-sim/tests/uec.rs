//! UEC Booking interactions over real loopback HTTP.

mod common;

use common::*;
use provider_sim::{SimOptions, start};
use reqwest::Method;
use serde_json::json;

/// A change that makes a booking invalid.
type Mutation = Box<dyn Fn(&mut serde_json::Value)>;

const UTC_409: &str = "calder-valley-utc";
const UTC_422: &str = "airedale-park-utc";
const ED: &str = "leeds-east-ed";

#[tokio::test]
async fn metadata_for_uec() {
    let sim = start(SimOptions::default()).await.expect("start");
    let desk = Desk::new();
    let svc = service(&sim, ED);
    let rid = uuid::Uuid::new_v4().to_string();
    let resp = desk
        .req(&svc, Method::GET, "/metadata", &ix::uec_metadata())
        .header("X-Request-ID", &rid)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-correlation-id"], rid.as_str());
    let cs = body(resp).await;
    assert_eq!(cs["resourceType"], "CapabilityStatement");
    assert_eq!(cs["fhirVersion"], "3.0.1");
    sim.shutdown().await;
}

#[tokio::test]
async fn slot_search_with_includes() {
    let sim = start(SimOptions::default()).await.expect("start");
    let desk = Desk::new();
    for id in [UTC_409, UTC_422, ED] {
        let svc = service(&sim, id);
        let resp = desk.uec_slots(&svc, 72).await;
        assert_eq!(resp.status(), 200, "{id}");
        let bundle = body(resp).await;
        let slots = resources(&bundle, "Slot");
        assert!(!slots.is_empty(), "{id}");
        for s in &slots {
            let sid = s["id"].as_str().expect("id");
            assert!(uuid::Uuid::parse_str(sid).is_ok());
            assert_eq!(s["identifier"][0]["system"], RFC4122);
            assert_eq!(s["identifier"][0]["value"], sid);
            assert!(s["serviceType"][0]["text"].is_string());
            // One service never states the delivery channel.
            assert_eq!(s.get("extension").is_some(), id != UTC_422, "{id}");
        }
        let schedules = resources(&bundle, "Schedule");
        assert!(!schedules.is_empty());
        let actors: Vec<&str> = schedules[0]["actor"]
            .as_array()
            .expect("actors")
            .iter()
            .filter_map(|a| a["reference"].as_str())
            .collect();
        assert!(actors.iter().any(|a| a.starts_with("HealthcareService/")));
        assert!(actors.iter().any(|a| a.starts_with("Practitioner/")));
        assert!(actors.iter().any(|a| a.starts_with("PractitionerRole/")));
        assert!(!resources(&bundle, "Practitioner").is_empty());
        let roles = resources(&bundle, "PractitionerRole");
        assert!(roles[0]["code"][0]["coding"][0]["code"].is_string());
        let hs = resources(&bundle, "HealthcareService");
        assert_eq!(
            hs[0]["id"],
            svc.healthcare_service.clone().expect("hs").as_str()
        );
        assert!(hs[0]["providedBy"].is_object());
        assert_eq!(resources(&bundle, "Location").len(), 1);
    }

    let svc = service(&sim, UTC_409);
    let resp = desk.uec_slots(&svc, 15 * 24).await;
    assert_eq!(resp.status(), 422);
    assert_eq!(spine_code(&body(resp).await), "INVALID_PARAMETER");

    let resp = desk
        .req(&svc, Method::GET, "/Slot?schedule.actor:healthcareservice=nope&start=ge2024-01-01&start=le2024-01-02&status=free", &ix::uec_slots())
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 422);
    sim.shutdown().await;
}

#[tokio::test]
async fn book_read_cancel_and_idempotent_replay() {
    let sim = start(SimOptions::default()).await.expect("start");
    let desk = Desk::new();
    let svc = service(&sim, UTC_409);
    let slot = desk.first_uec_slot(&svc).await;
    let booking = uec_booking(&slot, true);
    let rid = uuid::Uuid::new_v4().to_string();

    let resp = desk.uec_book(&svc, &booking, &rid).await;
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["x-correlation-id"], rid.as_str());
    assert_eq!(resp.headers()["etag"], "W/\"1\"");
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
    assert_eq!(booked["contained"].as_array().map(Vec::len), Some(3));
    let before = sim.appointments().len();

    // The same X-Request-ID again: the same appointment, no second booking.
    let resp = desk.uec_book(&svc, &booking, &rid).await;
    assert_eq!(resp.status(), 201);
    let replay = body(resp).await;
    assert_eq!(replay["id"], id.as_str());
    assert_eq!(sim.appointments().len(), before);

    let resp = desk
        .req(
            &svc,
            Method::GET,
            &format!("/Appointment/{id}"),
            &ix::uec_read(),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "W/\"1\"");
    let read = body(resp).await;

    let mut cancel = read.clone();
    cancel["status"] = json!("cancelled");
    let put = |if_match: Option<&'static str>, b: serde_json::Value| {
        let mut rb = desk
            .req(
                &svc,
                Method::PUT,
                &format!("/Appointment/{id}"),
                &ix::uec_cancel(),
            )
            .header("X-Request-ID", uuid::Uuid::new_v4().to_string());
        if let Some(m) = if_match {
            rb = rb.header("If-Match", m);
        }
        with_body(rb, &b).send()
    };
    let resp = put(None, cancel.clone()).await.expect("send");
    assert_eq!(resp.status(), 412);
    assert_eq!(spine_code(&body(resp).await), "PRECONDITION_FAILED");

    let resp = put(Some("W/\"7\""), cancel.clone()).await.expect("send");
    assert_eq!(resp.status(), 409);

    let mut changed = cancel.clone();
    changed["description"] = json!("Something else");
    let resp = put(Some("W/\"1\""), changed).await.expect("send");
    assert_eq!(resp.status(), 422);

    let resp = put(Some("W/\"1\""), cancel.clone()).await.expect("send");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "W/\"2\"");
    assert_eq!(body(resp).await["status"], "cancelled");

    let resp = put(Some("W/\"2\""), cancel.clone()).await.expect("send");
    assert_eq!(resp.status(), 422, "already cancelled");

    // The slot is free again.
    let rid2 = uuid::Uuid::new_v4().to_string();
    let resp = desk.uec_book(&svc, &booking, &rid2).await;
    assert_eq!(resp.status(), 201);
    sim.shutdown().await;
}

#[tokio::test]
async fn taken_slot_is_409_or_422_depending_on_the_service() {
    let sim = start(SimOptions::default()).await.expect("start");
    let desk = Desk::new();
    for (id, status, issue) in [
        (UTC_409, 409, "duplicate"),
        (UTC_422, 422, "business-rule"),
        (ED, 422, "business-rule"),
    ] {
        let svc = service(&sim, id);
        let slot = desk.first_uec_slot(&svc).await;
        let booking = uec_booking(&slot, true);
        let first = desk
            .uec_book(&svc, &booking, &uuid::Uuid::new_v4().to_string())
            .await;
        assert_eq!(first.status(), 201, "{id}");
        let second = desk
            .uec_book(&svc, &booking, &uuid::Uuid::new_v4().to_string())
            .await;
        assert_eq!(second.status(), status, "{id}");
        let outcome = body(second).await;
        assert_eq!(outcome["issue"][0]["code"], issue, "{id}");
        if status == 422 {
            assert_eq!(spine_code(&outcome), "INVALID_RESOURCE");
            assert_eq!(
                outcome["issue"][0]["diagnostics"],
                "The slot is no longer free"
            );
        } else {
            assert_eq!(spine_code(&outcome), "DUPLICATE_REJECTED");
        }
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn booking_without_nhs_number_gets_a_local_identifier() {
    let sim = start(SimOptions::default()).await.expect("start");
    let desk = Desk::new();
    let svc = service(&sim, ED);
    let slot = desk.first_uec_slot(&svc).await;
    let resp = desk
        .uec_book(
            &svc,
            &uec_booking(&slot, false),
            &uuid::Uuid::new_v4().to_string(),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let booked = body(resp).await;
    let patient = booked["contained"]
        .as_array()
        .expect("contained")
        .iter()
        .find(|c| c["resourceType"] == "Patient")
        .cloned()
        .expect("patient");
    assert!(patient["identifier"][0]["value"].is_string());
    sim.shutdown().await;
}

#[tokio::test]
async fn uec_booking_rules_are_enforced() {
    let sim = start(SimOptions::default()).await.expect("start");
    let desk = Desk::new();
    let svc = service(&sim, UTC_422);
    let slot = desk.first_uec_slot(&svc).await;
    let good = uec_booking(&slot, true);

    // X-Request-ID is required.
    let resp = with_body(
        desk.req(&svc, Method::POST, "/Appointment", &ix::uec_book()),
        &good,
    )
    .send()
    .await
    .expect("send");
    assert_eq!(resp.status(), 400);
    assert_eq!(spine_code(&body(resp).await), "MISSING_OR_INVALID_HEADER");

    let cases: Vec<Mutation> = vec![
        Box::new(|b| b["id"] = json!("x")),
        Box::new(|b| b["status"] = json!("proposed")),
        Box::new(|b| b["slot"] = json!([{ "reference": "#S9" }])),
        Box::new(|b| b["supportingInformation"] = json!([])),
        Box::new(|b| b["contained"][1]["status"] = json!("free")),
        Box::new(|b| b["contained"][2]["type"]["coding"][0]["code"] = json!("OTHER")),
        Box::new(|b| b["contained"][0]["identifier"][0]["value"] = json!("9434765918")),
        Box::new(|b| b["start"] = json!("2030-01-01T00:00:00+00:00")),
    ];
    for (i, mutate) in cases.iter().enumerate() {
        let mut b = good.clone();
        mutate(&mut b);
        let resp = desk
            .uec_book(&svc, &b, &uuid::Uuid::new_v4().to_string())
            .await;
        assert_eq!(resp.status(), 422, "case {i}");
    }
    assert_eq!(
        desk.uec_book(&svc, &good, &uuid::Uuid::new_v4().to_string())
            .await
            .status(),
        201
    );
    sim.shutdown().await;
}
