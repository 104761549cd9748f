//! Crash safety: a booking whose request was out when the desk stopped (its intent written, no
//! outcome recorded) is settled against the service at the next start, and recorded.

#[path = "support/harness.rs"]
mod harness;

use booking_engine::booking::BookRequest;
use booking_engine::reconcile::Settled;
use booking_engine::store::{BookingIntent, Outcome};
use booking_engine::views::SlotView;
use harness::{jane, second_desk, service_of, slots_ahead, start, test_instant};
use provider_sim::SimOptions;

fn intent(desk: &str, slot: &SlotView) -> BookingIntent {
    BookingIntent {
        request_id: uuid::Uuid::new_v4().to_string(),
        recorded_at: test_instant(),
        service_id: slot.service_id.to_string(),
        slot_ids: vec![slot.id.to_string()],
        slot_start: slot.start.to_rfc3339(),
        nhs_number: Some(jane().as_str().to_string()),
        user_local_id: "alex.taylor".into(),
        user_name: "Alex Taylor".into(),
        desk: desk.into(),
    }
}

/// Jane, at the slot's service.
fn request(slot: &SlotView) -> BookRequest {
    BookRequest {
        slot_start: Some(slot.start),
        nhs_number: Some(jane()),
        book_anyway: true,
        ..BookRequest::new(
            slot.service_id.clone(),
            vec![slot.id.clone()],
            "Sore throat",
        )
    }
}

/// What a run killed with the request out leaves behind: the intent, and no outcome.
async fn leave_in_flight(engine: &booking_engine::Engine, slot: &SlotView) {
    let desk = engine.desk().name().to_string();
    engine
        .store()
        .begin_booking(&intent(&desk, slot))
        .await
        .expect("intent written");
}

#[tokio::test]
async fn interrupted_bookings_are_settled_at_the_service_on_the_next_start() {
    let h = start(SimOptions::default()).await;
    let desk = h.engine.desk().name().to_string();
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let bars = service_of(&h, "urgent-care", "bars");
    let uec = service_of(&h, "urgent-care", "uec-booking");

    // 1. The request reached the service and was made; the desk died before recording it. (The
    //    service's side is played by another desk booking the same slot for the same patient.)
    let made = slots_ahead(&h.engine, &gp).await.remove(0);
    leave_in_flight(&h.engine, &made).await;
    let other = second_desk(&h).await;
    let at_service = other
        .book(request(&made))
        .await
        .expect("made at the service");
    // 2. The request never got there (BaRS, searchable): not made.
    let lost = slots_ahead(&h.engine, &bars).await.remove(0);
    leave_in_flight(&h.engine, &lost).await;
    // 3. UEC has no search: it cannot be settled here and is left for a person.
    let open = slots_ahead(&h.engine, &uec).await.remove(0);
    leave_in_flight(&h.engine, &open).await;

    let settled = h.engine.reconcile_interrupted().await.expect("reconciled");
    assert_eq!(settled.len(), 3, "{settled:?}");
    let of = |service: &str| {
        settled
            .iter()
            .find(|r| r.service_id == service)
            .expect("settled")
    };
    assert_eq!(of(gp.as_str()).settled, Settled::Booked);
    assert_eq!(
        of(gp.as_str()).appointment_id.as_deref(),
        Some(at_service.appointment.id.as_str())
    );
    assert_eq!(of(bars.as_str()).settled, Settled::NotBooked);
    assert_eq!(of(uec.as_str()).settled, Settled::StillUnknown);
    assert!(of(uec.as_str()).message.contains("call the service"));

    // Each is in the registry now, and nothing is left to settle.
    let events = h.engine.store().events().await.expect("events");
    let outcome_of = |slot: &SlotView| {
        events
            .iter()
            .filter(|e| e.slot_ids == vec![slot.id.to_string()])
            .map(|e| e.outcome)
            .collect::<Vec<_>>()
    };
    assert_eq!(outcome_of(&made), vec![Outcome::Succeeded]);
    assert_eq!(outcome_of(&lost), vec![Outcome::Failed]);
    assert_eq!(outcome_of(&open), vec![Outcome::Unknown]);
    assert_no_intents(&h.engine, &desk).await;
    assert!(
        h.engine
            .reconcile_interrupted()
            .await
            .expect("again")
            .is_empty()
    );

    // A booking that completes leaves no intent behind.
    let slot = slots_ahead(&h.engine, &gp).await.remove(0);
    h.engine.book(request(&slot)).await.expect("booked");
    assert_no_intents(&h.engine, &desk).await;
}

/// Nothing is left in flight for `desk`.
async fn assert_no_intents(engine: &booking_engine::Engine, desk: &str) {
    let open = engine.store().open_bookings(desk).await.expect("open");
    assert!(open.is_empty(), "{} intents left", open.len());
}

/// A booking first said to be "outcome unknown" and later found made is recorded as made: the
/// registry gains an event settling the unknown one (which stays, as the trail of what was
/// believed), and the desk's list of bookings follows it. The booking is settled by the next
/// look at the patient's appointments, not only by the person reading them on screen.
#[tokio::test]
async fn an_unknown_outcome_is_settled_in_the_registry_by_the_next_look() {
    let h = start(SimOptions::default()).await;
    let desk = h.engine.desk().name().to_string();
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let slot = slots_ahead(&h.engine, &gp).await.remove(0);
    // The service makes the booking, its answer is lost, and the checks after it are refused.
    let armed = reqwest::Client::new()
        .post(format!(
            "{}/_admin/faults/lose-next-booking",
            h.sim.base_url()
        ))
        .send()
        .await
        .expect("armed");
    assert!(armed.status().is_success());
    let err = h.engine.book(request(&slot)).await.expect_err("unknown");
    assert_eq!(
        err.kind,
        booking_engine::ErrorKind::OutcomeUnknown,
        "{err:?}"
    );
    let store = h.engine.store();
    let unknown = store.events().await.expect("events");
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].outcome, Outcome::Unknown);
    assert!(store.bookings().await.expect("bookings").is_empty());
    // Left open for whoever looks next.
    assert_eq!(store.open_bookings(&desk).await.expect("open").len(), 1);

    // Looking at the patient's appointments, once the service answers again, settles it.
    let window = booking_engine::standards::SearchWindow::new(
        slot.start.date_naive(),
        slot.start.date_naive(),
    )
    .expect("window");
    let mut listed = Vec::new();
    for _ in 0..5 {
        let found = h
            .engine
            .patient_appointments(&jane(), std::slice::from_ref(&gp), &window)
            .await;
        if found.failures.is_empty() {
            listed = found.appointments;
            break;
        }
    }
    let made = listed
        .iter()
        .find(|a| a.slot_ids.contains(&slot.id.to_string()))
        .expect("the service holds the booking");
    let events = store.events().await.expect("events");
    assert_eq!(events.len(), 2, "{events:?}");
    let settling = &events[1];
    assert_eq!(settling.outcome, Outcome::Succeeded);
    assert_eq!(settling.settles, Some(events[0].id));
    assert_eq!(settling.appointment_id.as_deref(), Some(made.id.as_str()));
    assert_eq!(settling.nhs_number, events[0].nhs_number);
    assert_eq!(events[0].outcome, Outcome::Unknown, "the first stays");
    let bookings = store.bookings().await.expect("bookings");
    assert_eq!(bookings.len(), 1, "{bookings:?}");
    assert_eq!(bookings[0].appointment_id, made.id.as_str());
    assert!(
        store
            .settled_events()
            .await
            .expect("settled")
            .contains(&events[0].id)
    );
    assert_no_intents(&h.engine, &desk).await;

    // Looking again, or starting again, settles nothing twice.
    h.engine
        .patient_appointments(&jane(), std::slice::from_ref(&gp), &window)
        .await;
    assert!(
        h.engine
            .reconcile_interrupted()
            .await
            .expect("start")
            .is_empty()
    );
    assert_eq!(store.events().await.expect("events").len(), 2);
}
