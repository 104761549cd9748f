//! The booking safety rules under concurrency and lost answers, against provider-sim.

#[path = "support/harness.rs"]
mod harness;

use booking_engine::ErrorKind;
use booking_engine::booking::BookRequest;
use booking_engine::store::{Action, Outcome};
use booking_engine::views::AppointmentStatus;
use harness::{jane, second_desk, service_of, slots_ahead, start};
use provider_sim::SimOptions;

fn request(
    service: &booking_engine::ids::ServiceId,
    slot: &booking_engine::ids::SlotId,
) -> BookRequest {
    BookRequest {
        description: "Earache".into(),
        comment: None,
        ..harness::book_request(service, vec![slot.clone()], jane())
    }
}

fn holding(sim: &provider_sim::RunningSim, slot: &str) -> usize {
    sim.appointments()
        .iter()
        .filter(|a| a["status"] == "booked")
        .filter(|a| {
            let direct = a["slot"].as_array().is_some_and(|s| {
                s.iter()
                    .any(|r| r["reference"].as_str() == Some(&format!("Slot/{slot}")))
            });
            let contained = a["contained"].as_array().is_some_and(|c| {
                c.iter()
                    .any(|r| r["resourceType"] == "Slot" && r["id"] == slot)
            });
            direct || contained
        })
        .count()
}

/// Ten desks race for one slot at each kind of service: exactly one wins; the others are told
/// the slot was taken.
#[tokio::test]
async fn racing_desks_book_a_slot_once() {
    let h = start(SimOptions::default()).await;
    let desks = [h.engine.clone(), second_desk(&h).await];
    for (kind, standard) in [
        ("gp-practice", "gp-connect"),
        ("urgent-care", "uec-booking"),
        ("emergency-department", "uec-booking"),
    ] {
        let service = service_of(&h, kind, standard);
        let slot = slots_ahead(&h.engine, &service).await.remove(0);
        let tasks: Vec<_> = (0..10)
            .map(|i| {
                let engine = desks[i % 2].clone();
                let req = request(&service, &slot.id);
                tokio::spawn(async move { engine.book(req).await })
            })
            .collect();
        let mut won = 0;
        for t in tasks {
            match t.await.expect("task") {
                Ok(_) => won += 1,
                Err(e) => assert_eq!(e.kind, ErrorKind::SlotTaken, "{e:?}"),
            }
        }
        assert_eq!(won, 1, "{kind}: exactly one booking");
        assert_eq!(
            holding(&h.sim, slot.id.as_str()),
            1,
            "{kind}: provider holds one"
        );
    }
}

/// The provider commits, then the answer is lost: the desk finds the booking instead of
/// booking again, and says it was confirmed by checking.
#[tokio::test]
async fn lost_answer_after_commit_is_found_not_rebooked() {
    let h = start(SimOptions {
        drop_after_commit_rate: 1.0,
        ..SimOptions::default()
    })
    .await;
    for (kind, standard) in [
        ("gp-practice", "gp-connect"),
        ("urgent-care", "uec-booking"),
    ] {
        let service = service_of(&h, kind, standard);
        let slot = slots_ahead(&h.engine, &service).await.remove(0);
        let before = h.sim.appointments().len();
        let outcome = h
            .engine
            .book(request(&service, &slot.id))
            .await
            .expect("booked after check");
        assert!(outcome.confirmed_by_check, "{kind}");
        assert_eq!(outcome.appointment.status, AppointmentStatus::Booked);
        assert_eq!(
            h.sim.appointments().len(),
            before + 1,
            "{kind}: exactly one more appointment"
        );
        assert_eq!(holding(&h.sim, slot.id.as_str()), 1);
    }
    let events = h.engine.store().events().await.expect("events");
    assert!(
        events
            .iter()
            .all(|e| e.action == Action::Book && e.outcome == Outcome::Succeeded)
    );
}

/// A provider failing every request: nothing is booked and the desk says why.
#[tokio::test]
async fn failing_provider_books_nothing() {
    let h = start(SimOptions::default()).await;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let slot = slots_ahead(&h.engine, &gp).await.remove(0);
    drop(h.sim);
    let e = h
        .engine
        .book(request(&gp, &slot.id))
        .await
        .expect_err("provider gone");
    assert_eq!(e.kind, ErrorKind::Unavailable);
    assert!(e.trace_id.is_some());
    let events = h.engine.store().events().await.expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].outcome, Outcome::Failed);
    assert_eq!(events[0].error_kind.as_deref(), Some("unavailable"));
}

/// A UEC service that answers a booking sent again under its own X-Request-ID with 409, as NHS
/// Digital's test tool expects: after a lost answer the desk cannot tell "already booked" from
/// "slot taken", so it says the outcome is unknown. It never records the booking the service
/// holds as slot-taken, and never books twice.
#[tokio::test]
async fn a_409_to_a_resent_request_is_outcome_unknown_never_slot_taken() {
    let h = start(SimOptions {
        drop_after_commit_rate: 1.0,
        ..SimOptions::default()
    })
    .await;
    let service = booking_engine::ids::ServiceId::parse("airedale-park-utc").expect("id");
    let slot = slots_ahead(&h.engine, &service).await.remove(0);
    let before = h.sim.appointments().len();
    let e = h
        .engine
        .book(request(&service, &slot.id))
        .await
        .expect_err("not known");
    assert_eq!(e.kind, ErrorKind::OutcomeUnknown, "{e:?}");
    assert_eq!(h.sim.appointments().len(), before + 1, "booked once");
    assert_eq!(holding(&h.sim, slot.id.as_str()), 1);
    let events = h.engine.store().events().await.expect("events");
    assert!(events.iter().all(|ev| ev.outcome != Outcome::Failed));
}
