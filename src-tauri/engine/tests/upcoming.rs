//! "Already booked?" against provider-sim: the patient's upcoming appointments are found at the
//! services asked and, through the registry, wherever the centre booked them; past and
//! cancelled ones are not counted.

#[path = "support/harness.rs"]
mod harness;

use booking_engine::booking::BookRequest;
use booking_engine::ids::{NhsNumber, ServiceId};
use booking_engine::views::SlotView;
use harness::{jane, service_of, slots_ahead, start};
use provider_sim::SimOptions;

fn request(service: &ServiceId, slot: &SlotView, nhs: &NhsNumber) -> BookRequest {
    BookRequest {
        service_id: service.clone(),
        slot_ids: vec![slot.id.clone()],
        slot_start: Some(slot.start),
        nhs_number: Some(nhs.clone()),
        patient: None,
        description: "Sore throat".into(),
        comment: None,
        timeframe: None,
        clinical_approval: None,
        clinical: None,
    }
}

#[tokio::test]
async fn upcoming_appointments_are_found_wherever_they_were_booked() {
    let h = start(SimOptions::default()).await;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let utc = service_of(&h, "urgent-care", "uec-booking");
    let bars = service_of(&h, "urgent-care", "bars");
    let all: Vec<ServiceId> = h
        .engine
        .directory()
        .all()
        .iter()
        .map(|s| s.id.clone())
        .collect();

    // Jane's only appointment in the demo is in the past: nothing upcoming.
    let before = h.engine.upcoming_appointments(&jane(), &all).await;
    assert!(before.failures.is_empty(), "{:?}", before.failures);
    assert!(before.appointments.is_empty(), "{:?}", before.appointments);

    let mut booked = Vec::new();
    for service in [&gp, &utc, &bars] {
        let slot = slots_ahead(&h.engine, service).await.remove(0);
        let out = h
            .engine
            .book(request(service, &slot, &jane()))
            .await
            .expect("booked");
        booked.push((service.clone(), out.appointment.id));
    }

    // Asked of every service: all three are there, soonest first.
    let found = h.engine.upcoming_appointments(&jane(), &all).await;
    assert!(found.failures.is_empty(), "{:?}", found.failures);
    for (service, id) in &booked {
        assert!(
            found
                .appointments
                .iter()
                .any(|a| &a.service_id == service && &a.id == id),
            "{service} {id} found"
        );
    }
    assert!(
        found
            .appointments
            .windows(2)
            .all(|w| w[0].start <= w[1].start)
    );

    // Asked of no service at all, the registry still leads to each of them.
    let from_registry = h.engine.upcoming_appointments(&jane(), &[]).await;
    assert_eq!(
        from_registry.appointments.len(),
        3,
        "{:?}",
        from_registry.appointments
    );

    // A cancelled appointment is no longer upcoming.
    let (service, id) = &booked[2];
    h.engine
        .cancel(service, id, "Feeling better")
        .await
        .expect("cancelled");
    let after = h.engine.upcoming_appointments(&jane(), &[]).await;
    assert_eq!(after.appointments.len(), 2);
    assert!(after.appointments.iter().all(|a| &a.id != id));

    // Another patient has none.
    let david = NhsNumber::parse("9476719931").expect("valid");
    assert!(
        h.engine
            .upcoming_appointments(&david, &all)
            .await
            .appointments
            .is_empty()
    );
}
