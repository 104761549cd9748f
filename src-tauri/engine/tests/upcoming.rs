//! "Already booked?" against provider-sim: the patient's upcoming appointments are found at the
//! services asked and, through the registry, wherever the centre booked them; past and
//! cancelled ones are not counted.

#[path = "support/harness.rs"]
mod harness;

use booking_engine::booking::BookRequest;
use booking_engine::booking::upcoming::SeenAppointment;
use booking_engine::error::ErrorKind;
use booking_engine::ids::{NhsNumber, ServiceId};
use booking_engine::views::{PatientView, SlotView};
use harness::{jane, service_of, slots_ahead, start};
use provider_sim::SimOptions;

fn request(service: &ServiceId, slot: &SlotView, nhs: &NhsNumber) -> BookRequest {
    BookRequest {
        slot_start: Some(slot.start),
        description: "Sore throat".into(),
        comment: None,
        ..harness::book_request(service, vec![slot.id.clone()], nhs.clone())
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

/// "Already booked?" is the engine's rule: a booking for a patient with an upcoming
/// appointment is refused, naming it, unless the request carries the person's acknowledgement
/// of that very appointment; an appointment made since they looked is not covered by it.
#[tokio::test]
async fn the_engine_refuses_a_second_booking_the_person_did_not_acknowledge() {
    let h = start(SimOptions::default()).await;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let utc = service_of(&h, "urgent-care", "uec-booking");
    let gp_slots = slots_ahead(&h.engine, &gp).await;
    let asked = |service: &ServiceId, slot: &SlotView| {
        let mut r = request(service, slot, &jane());
        r.book_anyway = false;
        r
    };
    let first = h
        .engine
        .book(asked(&gp, &gp_slots[0]))
        .await
        .expect("nothing upcoming yet");

    // Another front that skips the look is stopped by the engine, before anything is sent.
    let before = h.sim.appointments().len();
    let err = h
        .engine
        .book(asked(&gp, &gp_slots[1]))
        .await
        .expect_err("already booked");
    assert_eq!(err.kind, ErrorKind::AlreadyBooked);
    assert!(
        err.message.contains(first.appointment.id.as_str()),
        "{}",
        err.message
    );
    assert_eq!(h.sim.appointments().len(), before, "nothing sent");
    // At a service the desk was not asked about, the registry still knows of it.
    let utc_slot = slots_ahead(&h.engine, &utc).await.remove(0);
    let err = h
        .engine
        .book(asked(&utc, &utc_slot))
        .await
        .expect_err("already booked, by the registry");
    assert_eq!(err.kind, ErrorKind::AlreadyBooked);

    // Acknowledged, it books.
    let mut beside = asked(&gp, &gp_slots[1]);
    beside.book_beside = vec![SeenAppointment::of(&first.appointment)];
    let second = h.engine.book(beside).await.expect("acknowledged");

    // An acknowledgement names what was seen: the appointment made since is not covered.
    let mut stale = asked(&utc, &utc_slot);
    stale.book_beside = vec![SeenAppointment::of(&first.appointment)];
    let err = h.engine.book(stale).await.expect_err("one not seen");
    assert_eq!(err.kind, ErrorKind::AlreadyBooked);
    assert!(
        err.message.contains(second.appointment.id.as_str()),
        "{}",
        err.message
    );
}

/// Patient details and a cancellation reason with characters FHIR and XML cannot carry are
/// refused before anything is sent, naming the field; the appointment stays as it was.
#[tokio::test]
async fn details_fhir_cannot_carry_are_refused_before_anything_is_sent() {
    let h = start(SimOptions::default()).await;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let slots = slots_ahead(&h.engine, &gp).await;
    let booked = h
        .engine
        .book(request(&gp, &slots[0], &jane()))
        .await
        .expect("booked");
    let before = h.sim.appointments();
    let err = h
        .engine
        .cancel(&gp, &booked.appointment.id, "Feels better\u{fffe}")
        .await
        .expect_err("U+FFFE");
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert!(
        err.message.contains("cancellation reason"),
        "{}",
        err.message
    );
    assert_eq!(h.sim.appointments(), before, "nothing sent");

    let mut odd = request(&gp, &slots[1], &jane());
    odd.patient = Some(PatientView {
        id: None,
        nhs_number: Some(jane()),
        family: "Jack\u{1b}]0;x\u{7}son".into(),
        given: vec!["Jane".into()],
        prefix: None,
        gender: None,
        birth_date: None,
        address_lines: Vec::new(),
        postcode: None,
        phone: None,
    });
    let err = h.engine.book(odd).await.expect_err("escape in a name");
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert!(err.message.contains("family name"), "{}", err.message);
    assert_eq!(h.sim.appointments(), before, "nothing sent");
}

#[tokio::test]
async fn a_booking_at_a_service_this_desk_does_not_know_is_named_not_dropped() {
    let h = start(SimOptions::default()).await;
    let utc = service_of(&h, "urgent-care", "uec-booking");
    let slot = slots_ahead(&h.engine, &utc).await.remove(0);
    h.engine
        .book(request(&utc, &slot, &jane()))
        .await
        .expect("booked");
    // Another desk on the same registry whose services list lacks that centre.
    let mut config = h.config.clone();
    let others: Vec<_> = h
        .engine
        .directory()
        .all()
        .iter()
        .filter(|s| s.id != utc)
        .cloned()
        .collect();
    config.directory = booking_engine::directory::Directory::new(others).expect("directory");
    let other = harness::open_desk(&h.sim, &config).await;
    let found = other.upcoming_appointments(&jane(), &[]).await;
    let named = found
        .failures
        .iter()
        .find(|e| e.service_id.as_deref() == Some(utc.as_str()))
        .unwrap_or_else(|| panic!("{:?}", found.failures));
    assert!(named.message.contains("does not know"), "{named:?}");
    assert!(named.next_step.contains("by phone"), "{named:?}");
}
