//! UEC Booking interactions over real loopback HTTP.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};

const UTC_409: &str = "calder-valley-utc";
const UTC_422: &str = "airedale-park-utc";
const ED: &str = "leeds-east-ed";

#[tokio::test]
async fn metadata_for_uec() {
    let (sim, desk, svc) = open(ED).await;
    let rid = request_id();
    let resp = send(
        desk.req(&svc, Method::GET, "/metadata", &ix::uec_metadata())
            .header("X-Request-ID", &rid),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-correlation-id"], rid.as_str());
    let cs = body(resp).await;
    assert_eq!(cs["resourceType"], "CapabilityStatement");
    assert_eq!(cs["fhirVersion"], "3.0.1");
    sim.shutdown().await;
}

#[tokio::test]
async fn slot_search_with_includes() {
    let (sim, desk) = open_sim().await;
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
        let actors = strings(&schedules[0]["actor"], "reference");
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
    expect_outcome(resp, 422, "INVALID_PARAMETER").await;
    let unknown = "/Slot?schedule.actor:healthcareservice=nope\
                   &start=ge2024-01-01&start=le2024-01-02&status=free";
    let resp = desk.get(&svc, unknown, &ix::uec_slots()).await;
    assert_eq!(resp.status(), 422);
    sim.shutdown().await;
}

#[tokio::test]
async fn book_read_cancel_and_idempotent_replay() {
    let (sim, desk, svc) = open(UTC_409).await;
    let booking = uec_booking(&desk.first_uec_slot(&svc).await, true);
    let rid = request_id();

    let resp = desk.uec_book(&svc, &booking, &rid).await;
    assert_eq!(resp.headers()["x-correlation-id"], rid.as_str());
    let (booked, id) = expect_created(resp, &svc).await;
    assert_eq!(booked["contained"].as_array().map(Vec::len), Some(3));
    let before = sim.appointments().len();

    // The same X-Request-ID again: the same appointment, no second booking.
    let resp = desk.uec_book(&svc, &booking, &rid).await;
    assert_eq!(resp.status(), 201);
    let replay = body(resp).await;
    assert_eq!(replay["id"], id.as_str());
    assert_eq!(sim.appointments().len(), before);

    let resp = desk
        .get(&svc, &format!("/Appointment/{id}"), &ix::uec_read())
        .await;
    let read = expect_version(resp, 200, 1).await;

    let cancel = mutated(&read, |a| a["status"] = json!("cancelled"));
    let put = |if_match: Option<u32>, appointment: &Value| {
        send(
            desk.update(&svc, &id, &ix::uec_cancel(), if_match, appointment)
                .header("X-Request-ID", request_id()),
        )
    };
    let resp = put(None, &cancel).await;
    expect_outcome(resp, 412, "PRECONDITION_FAILED").await;
    assert_eq!(put(Some(7), &cancel).await.status(), 409);

    let changed = mutated(&cancel, |a| a["description"] = json!("Something else"));
    assert_eq!(put(Some(1), &changed).await.status(), 422);

    let cancelled = expect_version(put(Some(1), &cancel).await, 200, 2).await;
    assert_eq!(cancelled["status"], "cancelled");

    let resp = put(Some(2), &cancel).await;
    assert_eq!(resp.status(), 422, "already cancelled");

    // The slot is free again.
    let resp = desk.uec_book(&svc, &booking, &request_id()).await;
    assert_eq!(resp.status(), 201);
    sim.shutdown().await;
}

#[tokio::test]
async fn taken_slot_is_409_or_422_depending_on_the_service() {
    let (sim, desk) = open_sim().await;
    for (id, status, issue, code) in [
        (UTC_409, 409, "duplicate", "DUPLICATE_REJECTED"),
        (UTC_422, 422, "business-rule", "INVALID_RESOURCE"),
        (ED, 422, "business-rule", "INVALID_RESOURCE"),
    ] {
        let svc = service(&sim, id);
        let booking = uec_booking(&desk.first_uec_slot(&svc).await, true);
        let first = desk.uec_book(&svc, &booking, &request_id()).await;
        assert_eq!(first.status(), 201, "{id}");
        let second = desk.uec_book(&svc, &booking, &request_id()).await;
        assert_eq!(second.status(), status, "{id}");
        let outcome = expect_outcome(second, status, code).await;
        assert_eq!(outcome["issue"][0]["code"], issue, "{id}");
        if status == 422 {
            assert_eq!(diagnostics(&outcome), "The slot is no longer free");
        }
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn booking_without_nhs_number_gets_a_local_identifier() {
    let (sim, desk, svc) = open(ED).await;
    let booking = uec_booking(&desk.first_uec_slot(&svc).await, false);
    let resp = desk.uec_book(&svc, &booking, &request_id()).await;
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
    let (sim, desk, svc) = open(UTC_422).await;
    let good = uec_booking(&desk.first_uec_slot(&svc).await, true);

    // X-Request-ID is required.
    let resp = send(desk.uec_book_req(&svc, &good)).await;
    expect_outcome(resp, 400, "MISSING_OR_INVALID_HEADER").await;

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
    for (i, change) in cases.into_iter().enumerate() {
        let resp = desk
            .uec_book(&svc, &mutated(&good, change), &request_id())
            .await;
        assert_eq!(resp.status(), 422, "case {i}");
    }
    let resp = desk.uec_book(&svc, &good, &request_id()).await;
    assert_eq!(resp.status(), 201);
    sim.shutdown().await;
}
