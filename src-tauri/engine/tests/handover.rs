//! The triage summary travels with the booking, against provider-sim over real HTTP: the UEC
//! encounter report arrives with the appointment's reference written in and is kept, the GP
//! Connect booking carries the summary's text, and nothing goes without consent.

#[path = "support/harness.rs"]
mod harness;
#[path = "support/schema.rs"]
mod schema;

use booking_engine::booking::BookRequest;
use booking_engine::clinical::{ClinicalSummary, PackageStandard, text};
use booking_engine::ids::ServiceId;
use booking_engine::views::SlotView;
use booking_engine::{Engine, ErrorKind};
use harness::{jane, service_of, slots_ahead, start};
use provider_sim::SimOptions;
use serde_json::Value;

fn summary() -> ClinicalSummary {
    harness::triage_summary()
}

fn request(service: &ServiceId, slot: &SlotView, clinical: ClinicalSummary) -> BookRequest {
    let packaged = text::gp_connect(&clinical);
    BookRequest {
        slot_start: Some(slot.start),
        nhs_number: Some(jane()),
        comment: Some(packaged.comment),
        clinical: Some(clinical),
        ..BookRequest::new(service.clone(), vec![slot.id.clone()], packaged.description)
    }
}

async fn first_slot(engine: &Engine, service: &ServiceId) -> SlotView {
    slots_ahead(engine, service).await.remove(0)
}

fn stored(sim: &provider_sim::RunningSim, id: &str) -> Value {
    sim.appointments()
        .into_iter()
        .find(|a| a["id"] == id)
        .expect("the service holds the appointment")
}

#[tokio::test]
async fn a_uec_booking_sends_the_report_with_the_appointment_written_in() {
    let h = start(SimOptions::default()).await;
    let utc = service_of(&h, "urgent-care", "uec-booking");
    let slot = first_slot(&h.engine, &utc).await;
    let out = h
        .engine
        .book(request(&utc, &slot, summary()))
        .await
        .expect("booked");
    let sent = out.clinical.expect("the summary went");
    assert_eq!(sent.standard, PackageStandard::UecBooking);
    assert!(sent.report_delivered, "{:?}", sent.report_problem);
    let report_id = sent.report_id.expect("a report id");

    // As the receiving service holds it: the appointment points at the report...
    let appointment = stored(&h.sim, out.appointment.id.as_str());
    let doc = appointment["contained"]
        .as_array()
        .expect("contained")
        .iter()
        .find(|r| r["resourceType"] == "DocumentReference")
        .expect("a DocumentReference");
    schema::assert_valid(doc);
    assert_eq!(doc["identifier"][0]["value"], report_id.as_str());
    assert_eq!(doc["status"], "current");
    assert_eq!(
        doc["content"][0]["attachment"]["contentType"],
        "application/hl7-v3+xml"
    );

    // ...and the report arrived, naming the patient, the disposition and the appointment.
    let reports = h.sim.reports();
    assert_eq!(reports.len(), 1);
    let r = &reports[0];
    assert_eq!(r.report_id, report_id);
    let xml = roxmltree::Document::parse(&r.xml).expect("well-formed CDA");
    let ids: Vec<(&str, &str)> = xml
        .descendants()
        .filter(|n| n.has_tag_name("id"))
        .filter_map(|n| Some((n.attribute("root")?, n.attribute("extension")?)))
        .collect();
    assert!(ids.iter().any(|(_, e)| *e == "9434765919"), "{ids:?}");
    let reference = format!("/Appointment/{}", out.appointment.id);
    assert!(
        ids.iter()
            .any(|(_, e)| e.ends_with(&reference) && !e.contains("_history"))
    );
    assert!(
        xml.descendants()
            .any(|n| n.has_tag_name("code") && n.attribute("code") == Some("Dx05"))
    );

    // The desk keeps exactly what it sent, and knows it was delivered.
    let kept = h
        .engine
        .store()
        .handovers(utc.as_str(), out.appointment.id.as_str())
        .await
        .expect("handovers");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].report_xml.as_deref(), Some(r.xml.as_str()));
    assert!(kept[0].delivered_at.is_some());
    let bundle: Value = serde_json::from_str(&kept[0].bars_bundle).expect("bundle");
    assert_eq!(
        bundle["entry"][0]["resource"]["eventCoding"]["code"],
        "booking-request"
    );
}

#[tokio::test]
async fn a_gp_connect_booking_carries_the_summary_text_and_keeps_the_whole() {
    let h = start(SimOptions::default()).await;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let slot = first_slot(&h.engine, &gp).await;
    let req = request(&gp, &slot, summary());
    let (description, comment) = (req.description.clone(), req.comment.clone());
    let out = h.engine.book(req).await.expect("booked");
    let sent = out.clinical.expect("the summary went");
    assert_eq!(sent.standard, PackageStandard::GpConnect);
    assert!(sent.report_id.is_none() && sent.report_problem.is_none());
    let appointment = stored(&h.sim, out.appointment.id.as_str());
    assert_eq!(appointment["description"], description.as_str());
    assert_eq!(appointment["comment"].as_str(), comment.as_deref());
    assert!(comment.is_some_and(|c| c.contains("SAFEGUARDING")));
    let kept = h
        .engine
        .store()
        .handovers(gp.as_str(), out.appointment.id.as_str())
        .await
        .expect("handovers");
    assert_eq!(kept.len(), 1);
    let whole: ClinicalSummary = serde_json::from_str(&kept[0].summary_json).expect("summary");
    assert_eq!(whole.observations.len(), 1);
    assert!(h.sim.reports().is_empty(), "GP Connect gets no CDA");
}

#[tokio::test]
async fn nothing_goes_without_consent_or_with_an_incomplete_summary() {
    let h = start(SimOptions::default()).await;
    let utc = service_of(&h, "urgent-care", "uec-booking");
    let slot = first_slot(&h.engine, &utc).await;
    let before = h.sim.appointments();

    let mut no_consent = summary();
    no_consent.consent_to_share = false;
    let e = h
        .engine
        .book(request(&utc, &slot, no_consent))
        .await
        .expect_err("no consent");
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("not agreed to share"), "{}", e.message);

    let mut incomplete = summary();
    incomplete.triage.disposition_code = "soon".into();
    incomplete.call_back_number = "n/a".into();
    let e = h
        .engine
        .book(request(&utc, &slot, incomplete))
        .await
        .expect_err("incomplete");
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("disposition code") && e.message.contains("call-back"));

    assert_eq!(h.sim.appointments(), before, "nothing reached the provider");
    assert!(h.sim.reports().is_empty());
}

#[tokio::test]
async fn the_summary_timeframe_governs_late_slots() {
    let h = start(SimOptions::default()).await;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let slot = first_slot(&h.engine, &gp).await;
    let mut urgent = summary();
    urgent.triage.timeframe_minutes = 60;
    let e = h
        .engine
        .book(request(&gp, &slot, urgent))
        .await
        .expect_err("later than the disposition allows");
    assert_eq!(e.kind, ErrorKind::NotPermitted);
}

#[tokio::test]
async fn a_report_that_cannot_be_delivered_is_kept_and_said_so() {
    let h = start(SimOptions::default()).await;
    let utc = service_of(&h, "urgent-care", "uec-booking");
    // The same desk with no report channel in its directory for this service.
    let mut config = h.config.clone();
    let text = std::fs::read_to_string(config.directory_path.as_ref().expect("a services list"))
        .expect("services");
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("report_url"))
        .map(|l| format!("{l}\n"))
        .collect();
    config.directory = booking_engine::directory::Directory::from_toml(&without).expect("dir");
    config.store = h
        .dir
        .path()
        .join("desk2.sqlite")
        .to_string_lossy()
        .into_owned();
    let engine = harness::open_desk(&h.sim, &config).await;
    let slot = first_slot(&engine, &utc).await;
    let out = engine
        .book(request(&utc, &slot, summary()))
        .await
        .expect("the booking stands");
    let sent = out.clinical.expect("summary");
    assert!(!sent.report_delivered);
    let problem = sent.report_problem.expect("why");
    assert!(
        problem.message.contains("kept here but not sent"),
        "{}",
        problem.message
    );
    let kept = engine
        .store()
        .handovers(utc.as_str(), out.appointment.id.as_str())
        .await
        .expect("handovers");
    assert!(kept[0].report_xml.is_some() && kept[0].delivered_at.is_none());
}
