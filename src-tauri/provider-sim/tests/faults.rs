//! Fault injection, persistence and the admin surface.

mod common;

use common::*;
use provider_sim::{RunningSim, ServiceEntry, SimOptions, start};

const PRACTICE: &str = "beckside-medical-practice";

/// The default options with one fault switched on.
fn with_fault(set: impl FnOnce(&mut SimOptions)) -> SimOptions {
    let mut opts = options();
    set(&mut opts);
    opts
}

#[tokio::test]
async fn drop_after_commit_commits_then_closes_the_connection() {
    let opts = with_fault(|o| o.drop_after_commit_rate = 1.0);
    let (sim, desk, svc) = open_with(opts, PRACTICE).await;
    let target = desk.gp_target(&svc, "9434765919").await;
    let before = sim.appointments().len();

    let result = desk.gp_book_req(&svc, &target.booking()).send().await;
    assert!(result.is_err(), "the connection should drop: {result:?}");
    let after = sim.appointments();
    assert_eq!(after.len(), before + 1);
    let slot = format!("Slot/{}", target.slot["id"].as_str().unwrap_or(""));
    assert!(after.iter().any(|a| a["slot"][0]["reference"] == slot));

    // The admin view agrees, and reads still work on the same client.
    let admin = desk
        .http
        .get(format!("{}/_admin/appointments", sim.base_url()));
    let listed: Vec<serde_json::Value> = send(admin).await.json().await.expect("json");
    assert_eq!(listed.len(), before + 1);

    // A UEC booking drops too; its retry with the same X-Request-ID is answered normally.
    let uec = service(&sim, "calder-valley-utc");
    let booking = uec_booking(&desk.first_uec_slot(&uec).await, true);
    let rid = request_id();
    let first = desk
        .uec_book_req(&uec, &booking)
        .header("X-Request-ID", &rid)
        .send()
        .await;
    assert!(first.is_err());
    let retry = desk.uec_book(&uec, &booking, &rid).await;
    assert_eq!(retry.status(), 201);
    assert_eq!(sim.appointments().len(), before + 2);
    sim.shutdown().await;
}

/// A simulator with `fault` armed, a practice there, a patient's booking ready to send, and how
/// many appointments there were before.
async fn armed(fault: &str) -> (RunningSim, Desk, ServiceEntry, GpTarget, usize) {
    let (sim, desk, svc) = open(PRACTICE).await;
    let target = desk.gp_target(&svc, "9434765919").await;
    let before = sim.appointments().len();
    let arm = desk
        .http
        .post(format!("{}/_admin/faults/{fault}", sim.base_url()));
    assert_eq!(send(arm).await.status(), 200);
    (sim, desk, svc, target, before)
}

#[tokio::test]
async fn a_lost_booking_on_demand_is_committed_unanswered_and_its_check_refused() {
    let (sim, desk, svc, target, before) = armed("lose-next-booking").await;

    let result = desk.gp_book_req(&svc, &target.booking()).send().await;
    assert!(result.is_err(), "the answer is lost: {result:?}");
    assert_eq!(
        sim.appointments().len(),
        before + 1,
        "but the booking is made"
    );

    // The next three looks at the patient's appointments are refused (as many as a desk makes
    // before it gives up), and only those.
    let today = uk_today();
    let path = format!(
        "/Patient/{}/Appointment?start={}&start={}",
        target.patient,
        enc(&format!("ge{today}")),
        enc(&format!("le{}", today + chrono::Duration::days(14)))
    );
    for _ in 0..3 {
        let check = desk.get(&svc, &path, &ix::gp_patient_appointments()).await;
        expect_outcome(check, 500, "INTERNAL_SERVER_ERROR").await;
    }
    let again = desk.get(&svc, &path, &ix::gp_patient_appointments()).await;
    assert_eq!(again.status(), 200);

    // Disarmed: the next booking is answered as usual.
    let next = desk.gp_target(&svc, "9434765919").await;
    assert_eq!(desk.gp_book(&svc, &next.booking()).await.status(), 201);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_held_booking_on_demand_is_committed_and_never_answered() {
    let (sim, desk, svc, target, before) = armed("hold-next-booking").await;

    let waiting = tokio::time::timeout(
        std::time::Duration::from_secs(1),
        desk.gp_book_req(&svc, &target.booking()).send(),
    )
    .await;
    assert!(waiting.is_err(), "still waiting for an answer: {waiting:?}");
    assert_eq!(
        sim.appointments().len(),
        before + 1,
        "but the booking is made"
    );

    // Disarmed: the next booking is answered as usual.
    let next = desk.gp_target(&svc, "9434765919").await;
    assert_eq!(desk.gp_book(&svc, &next.booking()).await.status(), 201);
    sim.shutdown().await;
}

#[tokio::test]
async fn fail_rate_one_answers_500_and_changes_nothing() {
    let (sim, desk, svc) = open_with(with_fault(|o| o.fail_rate = 1.0), PRACTICE).await;
    let before = sim.appointments().len();
    let resp = desk.get(&svc, "/metadata", &ix::gp_metadata()).await;
    expect_outcome(resp, 500, "INTERNAL_SERVER_ERROR").await;
    let appointment = serde_json::json!({ "resourceType": "Appointment" });
    assert_eq!(desk.gp_book(&svc, &appointment).await.status(), 500);
    assert_eq!(sim.appointments().len(), before);
    sim.shutdown().await;
}

#[tokio::test]
async fn malformed_rate_one_garbles_get_bodies() {
    let opts = with_fault(|o| o.malformed_rate = 1.0);
    let (sim, desk, svc) = open_with(opts, PRACTICE).await;
    let resp = desk.get(&svc, "/metadata", &ix::gp_metadata()).await;
    assert_eq!(resp.status(), 200);
    assert_fhir_json(&resp);
    let bytes = resp.bytes().await.expect("body");
    assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_err());
    sim.shutdown().await;
}

#[tokio::test]
async fn latency_delays_responses() {
    let opts = with_fault(|o| o.latency_ms = Some((60, 80)));
    let (sim, desk, svc) = open_with(opts, PRACTICE).await;
    let t = std::time::Instant::now();
    let resp = desk.get(&svc, "/metadata", &ix::gp_metadata()).await;
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
        ..options()
    };

    let (sim, desk, svc) = open_with(opts(), PRACTICE).await;
    let target = desk.gp_target(&svc, "9476719931").await;
    let resp = desk.gp_book(&svc, &target.booking()).await;
    assert_eq!(resp.status(), 201);
    let booked = body(resp).await;
    let count = sim.appointments().len();
    sim.shutdown().await;

    let sim = start(opts()).await.expect("restart");
    let svc = service(&sim, PRACTICE);
    assert_eq!(sim.appointments().len(), count);
    let id = booked["id"].as_str().expect("id");
    let resp = desk
        .get(&svc, &format!("/Appointment/{id}"), &ix::gp_read())
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(body(resp).await, booked);
    // Its slot is still taken, and new ids do not collide.
    let bundle = body(desk.gp_slots(&svc, 14).await).await;
    assert!(!offers(&bundle, &target.slot));
    let next = gp_booking(&bookable(&bundle), &target.patient, &target.location);
    let resp = desk.gp_book(&svc, &next).await;
    assert_eq!(resp.status(), 201);
    assert_ne!(body(resp).await["id"], booked["id"]);

    // Reset goes back to the seed.
    let resp = send(desk.http.post(format!("{}/_admin/reset", sim.base_url()))).await;
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
