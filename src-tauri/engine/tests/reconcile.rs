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
        service_id: slot.service_id.clone(),
        slot_ids: vec![slot.id.clone()],
        slot_start: Some(slot.start),
        nhs_number: Some(jane()),
        patient: None,
        description: "Sore throat".into(),
        comment: None,
        timeframe: None,
        clinical_approval: None,
        clinical: None,
        book_beside: Vec::new(),
        book_anyway: true,
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
