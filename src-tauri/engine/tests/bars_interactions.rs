//! Every BaRS interaction through the engine, against provider-sim's BaRS services over real
//! HTTP with real platform tokens: search (alone and in one fan-out with GP Connect and UEC),
//! book by `$process-message` with the triage summary, read, the patient's appointments,
//! cancel, slot taken, a lost answer, throttling, and a desk with no platform set up. Every
//! message the desk wrote is checked against the R4 base rules.

#[path = "support/harness.rs"]
mod harness;

use booking_engine::booking::BookRequest;
use booking_engine::clinical::{ClinicalSummary, PackageStandard, text};
use booking_engine::directory::Standard;
use booking_engine::fhir::r4;
use booking_engine::ids::ServiceId;
use booking_engine::search::SearchRequest;
use booking_engine::standards::SearchWindow;
use booking_engine::views::AppointmentStatus;
use booking_engine::views::SlotView;
use booking_engine::{Desk, ErrorKind};
use chrono::Duration;
use harness::{Harness, jane, second_desk, service_of, slots_ahead, start};
use provider_sim::SimOptions;
use serde_json::Value;

fn summary() -> ClinicalSummary {
    harness::triage_summary()
}

fn request(service: &ServiceId, slot: &SlotView, clinical: Option<ClinicalSummary>) -> BookRequest {
    let (description, comment) = match &clinical {
        Some(c) => {
            let t = text::gp_connect(c);
            (t.description, Some(t.comment))
        }
        None => ("Sore throat and fever".to_string(), None),
    };
    BookRequest {
        comment,
        clinical,
        ..harness::jane_books(service, slot, &description)
    }
}

fn assert_r4_valid(message: &Value) {
    let problems = r4::check_json(message).expect("R4 JSON");
    assert!(problems.is_empty(), "{problems:?}\n{message:#}");
}

fn bars_utc(h: &Harness) -> ServiceId {
    service_of(h, "urgent-care", "bars")
}

#[tokio::test]
async fn one_fan_out_search_finds_slots_of_all_three_standards() {
    let h = start(SimOptions::default()).await;
    let ids = h.engine.directory().ids();
    let result = h
        .engine
        .search_all(SearchRequest {
            services: ids,
            window: harness::this_week(),
            channel: None,
        })
        .await;
    for standard in [Standard::GpConnect, Standard::UecBooking, Standard::Bars] {
        let found = result.slots.iter().any(|slot| {
            h.engine
                .directory()
                .get(&slot.service_id)
                .is_ok_and(|s| s.standard == standard)
        });
        assert!(found, "slots from a {standard:?} service");
    }
    let bars_services = h
        .engine
        .directory()
        .all()
        .iter()
        .filter(|s| s.standard == Standard::Bars)
        .count();
    assert_eq!(bars_services, 4, "one BaRS service of each kind");
    // Every BaRS service answered with the same token: one fetch served them all.
    assert_eq!(h.sim.platform_tokens_issued(), 1);
}

#[tokio::test]
async fn capabilities_of_a_bars_service_are_r4() {
    let h = start(SimOptions::default()).await;
    let cap = h
        .engine
        .capabilities(&bars_utc(&h))
        .await
        .expect("metadata");
    assert_eq!(cap.fhir_version.as_deref(), Some("4.0.1"));
    assert!(
        cap.resources.iter().any(|r| r.starts_with("Slot")),
        "{cap:?}"
    );
}

#[tokio::test]
async fn book_read_list_and_cancel_a_bars_slot_with_the_triage_summary() {
    let h = start(SimOptions::default()).await;
    let utc = bars_utc(&h);
    // One with a named clinician and a channel, so the read-back can be held to them.
    let slot = slots_ahead(&h.engine, &utc)
        .await
        .into_iter()
        .find(|s| {
            s.delivery_channel.is_some()
                && s.practitioner.as_ref().is_some_and(|p| p.name.is_some())
        })
        .expect("a slot with a named clinician and a channel");
    let out = h
        .engine
        .book(request(&utc, &slot, Some(summary())))
        .await
        .expect("booked");
    let a = &out.appointment;
    assert_eq!(a.status, AppointmentStatus::Booked);
    assert_eq!(a.standard, Standard::Bars);
    assert_eq!(a.start, slot.start);
    assert_eq!(a.slot_ids, vec![slot.id.to_string()]);
    assert_eq!(a.nhs_number.as_ref(), Some(&jane()));
    assert!(!out.confirmed_by_check);
    assert_eq!(
        out.clinical.as_ref().map(|c| c.standard),
        Some(PackageStandard::Bars)
    );

    // The service holds one booking, made by exactly the message the desk kept.
    let at_service: Vec<_> = h
        .sim
        .bars_bookings()
        .into_iter()
        .filter(|b| b.appointment["id"] == a.id.as_str())
        .collect();
    assert_eq!(at_service.len(), 1);
    let received = &at_service[0].messages[0];
    let kept = h
        .engine
        .store()
        .handovers(utc.as_str(), a.id.as_str())
        .await
        .expect("handovers");
    assert_eq!(kept.len(), 1);
    let sent: Value = serde_json::from_str(&kept[0].bars_bundle).expect("kept message");
    assert_r4_valid(&sent);
    let types = |m: &Value| -> Vec<String> {
        m["entry"]
            .as_array()
            .expect("entries")
            .iter()
            .map(|e| {
                e["resource"]["resourceType"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    };
    for t in [
        "MessageHeader",
        "Appointment",
        "Slot",
        "Patient",
        "ServiceRequest",
        "Encounter",
    ] {
        assert!(types(&sent).iter().any(|x| x == t), "sent a {t}");
        assert!(types(received).iter().any(|x| x == t), "received a {t}");
    }
    let told = out.clinical.as_ref().expect("the summary went");
    assert!(told.report_delivered, "it went with the booking");
    assert_eq!(told.report_id.as_deref(), sent["id"].as_str());
    let header = &sent["entry"][0]["resource"];
    assert_eq!(header["reason"]["coding"][0]["code"], "new");
    assert_eq!(
        header["destination"][0]["endpoint"],
        "https://fhir.nhs.uk/Id/dos-service-id|2000100505"
    );

    // Read back, and in the patient's list.
    let read = h.engine.read_appointment(&utc, &a.id).await.expect("read");
    assert_eq!(read.status, AppointmentStatus::Booked);
    assert_eq!(read.slot_ids, a.slot_ids);
    // The service's copy names what was booked: the channel and the clinician (issue 18.10).
    assert_eq!(read.delivery_channel, slot.delivery_channel);
    assert_eq!(
        read.practitioner.as_ref().and_then(|p| p.name.clone()),
        slot.practitioner.as_ref().and_then(|p| p.name.clone()),
    );
    if let Some(place) = slot.location.as_ref().and_then(|l| l.name.clone()) {
        assert_eq!(read.location.and_then(|l| l.name), Some(place));
    }
    let today = h.engine.clock().uk_today();
    let window = SearchWindow::new(today, today + Duration::days(14)).expect("window");
    let list = h
        .engine
        .patient_appointments(&jane(), std::slice::from_ref(&utc), &window)
        .await;
    assert!(list.failures.is_empty(), "{:?}", list.failures);
    assert!(list.appointments.iter().any(|x| x.id == a.id));

    // The slot is gone from the search.
    let again = slots_ahead(&h.engine, &utc).await;
    assert!(again.iter().all(|s| s.id != slot.id));

    // Cancel: an update message whose Appointment is cancelled; the slot is free again.
    let cancelled = h
        .engine
        .cancel(&utc, &a.id, "Patient feels better")
        .await
        .expect("cancelled");
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
    assert_eq!(
        cancelled.cancellation_reason.as_deref(),
        Some("Patient feels better")
    );
    let messages = &h
        .sim
        .bars_bookings()
        .into_iter()
        .find(|b| b.appointment["id"] == a.id.as_str())
        .expect("booking")
        .messages;
    assert_eq!(messages.len(), 2);
    assert_eq!(
        messages[1]["entry"][0]["resource"]["reason"]["coding"][0]["code"],
        "update"
    );
    assert_r4_valid(&messages[1]);
    let read = h.engine.read_appointment(&utc, &a.id).await.expect("read");
    assert_eq!(read.status, AppointmentStatus::Cancelled);
    let freed = slots_ahead(&h.engine, &utc).await;
    assert!(
        freed.iter().any(|s| s.id == slot.id),
        "the slot is free again"
    );

    // A second cancel is refused before anything is sent.
    let twice = h
        .engine
        .cancel(&utc, &a.id, "again")
        .await
        .expect_err("already cancelled");
    assert_eq!(twice.kind, ErrorKind::Rejected);
}

#[tokio::test]
async fn a_slot_taken_by_another_desk_is_said_so() {
    let h = start(SimOptions::default()).await;
    let utc = bars_utc(&h);
    let slot = slots_ahead(&h.engine, &utc).await.remove(0);
    let other = second_desk(&h).await;
    other
        .book(request(&utc, &slot, None))
        .await
        .expect("first desk books");
    let err = h
        .engine
        .book(request(&utc, &slot, None))
        .await
        .expect_err("the slot is gone");
    assert_eq!(err.kind, ErrorKind::SlotTaken);
}

#[tokio::test]
async fn a_lost_answer_is_found_at_the_service_and_never_booked_twice() {
    let h = start(SimOptions {
        drop_after_commit_rate: 1.0,
        ..SimOptions::default()
    })
    .await;
    let utc = service_of(&h, "emergency-department", "bars");
    let slot = slots_ahead(&h.engine, &utc).await.remove(0);
    let out = h
        .engine
        .book(request(&utc, &slot, None))
        .await
        .expect("found after the lost answer");
    assert!(out.confirmed_by_check);
    assert_eq!(out.appointment.slot_ids, vec![slot.id.to_string()]);
    let bookings = h
        .sim
        .bars_bookings()
        .into_iter()
        .filter(|b| b.service == utc.as_str())
        .count();
    assert_eq!(bookings, 1, "booked once");
}

#[tokio::test]
async fn throttling_waits_once_and_then_says_so() {
    let h = start(SimOptions::default()).await;
    let utc = bars_utc(&h);
    let window = harness::this_week();
    h.sim.throttle_bars(1);
    let slots = h
        .engine
        .search_service(&utc, &window)
        .await
        .expect("answered after one wait");
    assert!(!slots.is_empty());
    h.sim.throttle_bars(2);
    let err = h
        .engine
        .search_service(&utc, &window)
        .await
        .expect_err("still throttled");
    assert_eq!(err.kind, ErrorKind::Unavailable);
    assert_eq!(err.code.as_deref(), Some("SEND_TOO_MANY_REQUESTS"));
    assert!(err.message.contains("waited 1 seconds"), "{}", err.message);
    assert!(
        err.next_step.contains("nothing was booked"),
        "{}",
        err.next_step
    );
}

#[tokio::test]
async fn a_revoked_token_is_replaced_once_and_the_request_goes_through() {
    let h = start(SimOptions::default()).await;
    let utc = bars_utc(&h);
    let window = harness::this_week();
    h.engine
        .search_service(&utc, &window)
        .await
        .expect("first search");
    assert_eq!(h.sim.platform_tokens_issued(), 1);
    h.sim.revoke_platform_tokens();
    let slots = h
        .engine
        .search_service(&utc, &window)
        .await
        .expect("answered with a new token");
    assert!(!slots.is_empty());
    assert_eq!(
        h.sim.platform_tokens_issued(),
        2,
        "one new token, not one per try"
    );
}

#[tokio::test]
async fn a_desk_without_the_platform_set_up_says_what_to_add() {
    let h = start(SimOptions::default()).await;
    let mut config = h.config.clone();
    config.platform = None;
    config.store = h
        .dir
        .path()
        .join("bare.sqlite")
        .to_string_lossy()
        .into_owned();
    let desk = Desk::open(&config)
        .await
        .expect("desk")
        .with_clock(harness::test_clock())
        .expect("clock");
    let engine = desk
        .sign_in(config.session().expect("session").user)
        .expect("signed in");
    let window = harness::this_week();
    let err = engine
        .search_service(&bars_utc(&h), &window)
        .await
        .expect_err("no platform");
    assert_eq!(err.kind, ErrorKind::Config);
    assert!(err.message.contains("[platform]"), "{}", err.message);
    // The other standards are untouched.
    let gp = service_of(&h, "gp-practice", "gp-connect");
    assert!(engine.search_service(&gp, &window).await.is_ok());
}

/// Credentials made only when needed (the demo's throwaway key) are made by the first BaRS
/// request, not before: other services are searched without them, and BaRS then works.
#[tokio::test]
async fn platform_credentials_made_when_needed_are_made_by_the_first_bars_request() {
    let h = start(SimOptions::default()).await;
    let made = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let engine =
        harness::open_desk_making_credentials_when_needed(&h.sim, &h.config, made.clone()).await;
    let made_yet = || made.load(std::sync::atomic::Ordering::SeqCst);
    let gp = service_of(&h, "gp-practice", "gp-connect");
    assert!(!slots_ahead(&engine, &gp).await.is_empty());
    assert!(
        !made_yet(),
        "a GP Connect search needs no platform credentials"
    );
    let bars = service_of(&h, "urgent-care", "bars");
    assert!(!slots_ahead(&engine, &bars).await.is_empty());
    assert!(made_yet(), "the first BaRS request made them");
}
