//! Every consumer interaction of GP Connect and UEC Booking, over real HTTP to provider-sim.

#[path = "support/harness.rs"]
mod harness;

use booking_engine::ErrorKind;
use booking_engine::booking::BookRequest;
use booking_engine::ids::{AppointmentId, NhsNumber, SlotId};
use booking_engine::search::{SearchRequest, ServiceProgress};
use booking_engine::standards::SearchWindow;
use booking_engine::store::{Action, Outcome};
use booking_engine::views::AppointmentStatus;
use booking_engine::views::{DeliveryChannel, SlotView};
use chrono::Duration;
use harness::{jane, service_of, slots_ahead, start};
use provider_sim::SimOptions;

fn book_req(
    service: &booking_engine::ids::ServiceId,
    slots: Vec<SlotId>,
    nhs: NhsNumber,
) -> BookRequest {
    harness::book_request(service, slots, nhs)
}

#[tokio::test]
async fn capabilities_of_both_standards() {
    let h = start(SimOptions::default()).await;
    for (kind, standard) in [
        ("gp-practice", "gp-connect"),
        ("urgent-care", "uec-booking"),
    ] {
        let c = h
            .engine
            .capabilities(&service_of(&h, kind, standard))
            .await
            .expect("metadata");
        assert!(
            c.fhir_version
                .as_deref()
                .is_some_and(|v| v.starts_with("3.0")),
            "{c:?}"
        );
        assert!(
            c.resources.iter().any(|r| r.starts_with("Appointment")),
            "{c:?}"
        );
    }
}

#[tokio::test]
async fn find_patient_found_and_not_found() {
    let h = start(SimOptions::default()).await;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let p = h
        .engine
        .find_patient(&gp, &jane())
        .await
        .expect("search")
        .expect("known");
    assert_eq!(p.banner_name(), "JACKSON, Jane (Miss)");
    assert_eq!(p.nhs_number, Some(jane()));
    assert!(p.id.is_some());
    assert_eq!(
        p.birth_date.map(|d| d.to_string()).as_deref(),
        Some("1982-03-12")
    );
    // A valid number the practice does not hold: empty, not an error.
    let unknown = NhsNumber::parse("9000000009").expect("valid");
    assert!(
        h.engine
            .find_patient(&gp, &unknown)
            .await
            .expect("search")
            .is_none()
    );
    // UEC has no patient search.
    let utc = service_of(&h, "urgent-care", "uec-booking");
    let e = h
        .engine
        .find_patient(&utc, &jane())
        .await
        .expect_err("not supported");
    assert_eq!(e.kind, ErrorKind::Rejected);
}

#[tokio::test]
async fn slot_views_hold_everything_a_screen_shows() {
    let h = start(SimOptions::default()).await;
    for (kind, standard) in [
        ("gp-practice", "gp-connect"),
        ("urgent-care", "uec-booking"),
    ] {
        let service = service_of(&h, kind, standard);
        let slots = slots_ahead(&h.engine, &service).await;
        assert!(
            slots.windows(2).all(|w| w[0].start <= w[1].start),
            "soonest first"
        );
        let s = &slots[0];
        assert!(s.end > s.start);
        assert!(s.slot_type.is_some(), "{s:?}");
        assert!(s.schedule_type.is_some(), "{s:?}");
        let p = s.practitioner.as_ref().expect("practitioner");
        assert!(
            p.name.is_some() && p.role.is_some() && p.gender.is_some(),
            "{p:?}"
        );
        let l = s.location.as_ref().expect("location");
        assert!(l.name.is_some() && l.address.is_some(), "{l:?}");
    }
}

#[tokio::test]
async fn fan_out_search_reports_every_service_and_filters_channel() {
    let h = start(SimOptions::default()).await;
    let ids = h.engine.directory().ids();
    let window = harness::this_week();
    let result = h
        .engine
        .search_all(SearchRequest {
            services: ids.clone(),
            window,
            channel: None,
        })
        .await;
    assert_eq!(result.services.len(), ids.len());
    for s in &result.services {
        assert!(
            matches!(s.progress, ServiceProgress::Found { count } if count > 0),
            "{s:?}"
        );
        assert!(result.slots.iter().any(|x| x.service_id == s.service_id));
    }
    assert!(result.slots.windows(2).all(|w| w[0].start <= w[1].start));
    for channel in [
        DeliveryChannel::InPerson,
        DeliveryChannel::Telephone,
        DeliveryChannel::Video,
    ] {
        assert!(
            result
                .slots
                .iter()
                .any(|s| s.delivery_channel == Some(channel)),
            "{channel:?} present"
        );
    }
    let phone = h
        .engine
        .search_all(SearchRequest {
            services: ids,
            window,
            channel: Some(DeliveryChannel::Telephone),
        })
        .await;
    assert!(!phone.slots.is_empty());
    assert!(
        phone
            .slots
            .iter()
            .all(|s| s.delivery_channel == Some(DeliveryChannel::Telephone))
    );
    // The events stream: each service goes searching → found, then Finished.
    let mut rx = h.engine.search(SearchRequest {
        services: vec![service_of(&h, "gp-practice", "gp-connect")],
        window,
        channel: None,
    });
    let mut seen = Vec::new();
    while let Some(e) = rx.recv().await {
        seen.push(
            serde_json::to_value(&e).expect("json")["event"]
                .as_str()
                .unwrap_or("")
                .to_string(),
        );
    }
    assert_eq!(seen, ["progress", "slots", "progress", "finished"]);
}

#[tokio::test]
async fn unknown_services_fail_alone_and_long_windows_are_refused() {
    let h = start(SimOptions::default()).await;
    let today = h.engine.clock().uk_today();
    assert_eq!(
        SearchWindow::new(today, today + Duration::days(15))
            .expect_err("too long")
            .kind,
        ErrorKind::InvalidInput
    );
    // A week: a weekday practice has nothing from Friday night to Sunday.
    let window = SearchWindow::new(today, today + Duration::days(6)).expect("window");
    let result = h
        .engine
        .search_all(SearchRequest {
            services: vec![
                booking_engine::ids::ServiceId::parse("no-such-service").expect("id"),
                service_of(&h, "gp-practice", "gp-connect"),
            ],
            window,
            channel: None,
        })
        .await;
    assert!(
        matches!(&result.services[0].progress, ServiceProgress::Failed { error } if error.kind == ErrorKind::UnknownService)
    );
    assert!(!result.slots.is_empty());
}

#[tokio::test]
async fn gp_connect_book_read_amend_cancel_and_list() {
    let h = start(SimOptions::default()).await;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let slot = slots_ahead(&h.engine, &gp).await.remove(0);
    let booked = h
        .engine
        .book(book_req(&gp, vec![slot.id.clone()], jane()))
        .await
        .expect("booked");
    assert!(!booked.confirmed_by_check);
    let a = &booked.appointment;
    assert_eq!(a.status, AppointmentStatus::Booked);
    assert_eq!(a.start, slot.start);
    assert_eq!(a.version.as_deref(), Some("1"));
    assert_eq!(a.slot_ids, vec![slot.id.to_string()]);
    assert!(a.delivery_channel.is_some());
    assert!(
        a.reference_url.as_deref().is_some_and(
            |u| u.ends_with(&format!("/Appointment/{}", a.id)) && !u.contains("_history")
        )
    );

    // The slot is no longer offered.
    assert!(
        !slots_ahead(&h.engine, &gp)
            .await
            .iter()
            .any(|s| s.id == slot.id)
    );

    let read = h.engine.read_appointment(&gp, &a.id).await.expect("read");
    assert_eq!(
        read.description.as_deref(),
        Some("Sore throat and fever for 3 days")
    );
    assert_eq!(read.comment.as_deref(), Some("Call back on 07700 900123"));
    // The practice's own reference, to read to the patient, not the logical id (issue 18.9).
    let reference = a
        .service_reference
        .as_deref()
        .expect("the practice's reference");
    assert!(
        reference.starts_with("GPC-") && reference != a.id.as_str(),
        "{reference}"
    );
    assert_eq!(read.service_reference, a.service_reference);

    let amended = h
        .engine
        .amend(&gp, &a.id, None, Some("Call back on 07700 900999".into()))
        .await
        .expect("amended");
    assert_eq!(
        amended.comment.as_deref(),
        Some("Call back on 07700 900999")
    );
    assert_eq!(amended.description, read.description);
    assert_eq!(amended.version.as_deref(), Some("2"));

    let cancelled = h
        .engine
        .cancel(&gp, &a.id, "Feeling better")
        .await
        .expect("cancelled");
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
    assert_eq!(
        cancelled.cancellation_reason.as_deref(),
        Some("Feeling better")
    );

    // Cancelled appointments cannot be changed again.
    let again = h
        .engine
        .cancel(&gp, &a.id, "twice")
        .await
        .expect_err("already cancelled");
    assert_eq!(again.kind, ErrorKind::Rejected);
    let amend_cancelled = h
        .engine
        .amend(&gp, &a.id, Some("x".into()), None)
        .await
        .expect_err("cancelled");
    assert_eq!(amend_cancelled.kind, ErrorKind::Rejected);

    // The patient's appointments include it, cancelled; the slot is free again.
    let today = h.engine.clock().uk_today();
    let window =
        SearchWindow::new(today - Duration::days(2), today + Duration::days(12)).expect("window");
    let list = h
        .engine
        .patient_appointments(&jane(), std::slice::from_ref(&gp), &window)
        .await;
    assert!(list.failures.is_empty(), "{:?}", list.failures);
    let mine = list
        .appointments
        .iter()
        .find(|x| x.id == a.id)
        .expect("listed");
    assert_eq!(mine.status, AppointmentStatus::Cancelled);
    assert!(
        slots_ahead(&h.engine, &gp)
            .await
            .iter()
            .any(|s| s.id == slot.id)
    );

    // The registry holds book, amend, cancel (and the two refusals), in order.
    let events = h.engine.store().events().await.expect("events");
    let actions: Vec<(Action, Outcome)> = events.iter().map(|e| (e.action, e.outcome)).collect();
    assert_eq!(
        actions,
        [
            (Action::Book, Outcome::Succeeded),
            (Action::Amend, Outcome::Succeeded),
            (Action::Cancel, Outcome::Succeeded),
            (Action::Cancel, Outcome::Failed),
            (Action::Amend, Outcome::Failed),
        ]
    );
    assert_eq!(events[0].nhs_number.as_deref(), Some("9434765919"));
    assert!(events[0].trace_id.is_some());
    assert_eq!(events[2].reason.as_deref(), Some("Feeling better"));
    let summary = h.engine.bookings().await.expect("bookings");
    assert_eq!(summary.len(), 1);
    assert_eq!(summary[0].status, Some(AppointmentStatus::Cancelled));
    assert_eq!(summary[0].version.as_deref(), Some("3"));
}

#[tokio::test]
async fn gp_connect_books_contiguous_slots_only() {
    let h = start(SimOptions::default()).await;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let slots = slots_ahead(&h.engine, &gp).await;
    let pair = slots
        .iter()
        .zip(slots.iter().skip(1))
        .find(|(a, b)| a.schedule_id == b.schedule_id && a.end == b.start)
        .expect("two adjoining slots");
    let booked = h
        .engine
        .book(book_req(
            &gp,
            vec![pair.0.id.clone(), pair.1.id.clone()],
            jane(),
        ))
        .await
        .expect("booked two");
    assert_eq!(booked.appointment.start, pair.0.start);
    assert_eq!(booked.appointment.end, pair.1.end);
    assert_eq!(booked.appointment.slot_ids.len(), 2);

    let apart = slots
        .iter()
        .zip(slots.iter().skip(3))
        .find(|(a, b)| {
            // Neither may be one of the pair just booked, or the answer is slot-taken.
            let booked = |s: &&SlotView| s.id == pair.0.id || s.id == pair.1.id;
            a.schedule_id == b.schedule_id && a.end != b.start && !booked(a) && !booked(b)
        })
        .expect("two separate slots");
    let e = h
        .engine
        .book(book_req(
            &gp,
            vec![apart.0.id.clone(), apart.1.id.clone()],
            jane(),
        ))
        .await
        .expect_err("not contiguous");
    assert_eq!(e.kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn past_appointments_cannot_be_changed() {
    let h = start(SimOptions::default()).await;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let today = h.engine.clock().uk_today();
    let window = SearchWindow::new(today - Duration::days(7), today).expect("window");
    let list = h
        .engine
        .patient_appointments(&jane(), std::slice::from_ref(&gp), &window)
        .await;
    let past = list
        .appointments
        .iter()
        .find(|a| a.start < h.engine.clock().now() && a.status == AppointmentStatus::Booked)
        .expect("the demo seeds a past appointment");
    let e = h
        .engine
        .cancel(&gp, &past.id, "too late")
        .await
        .expect_err("past");
    assert_eq!(e.kind, ErrorKind::Rejected);
    assert!(e.message.contains("past"));
}

#[tokio::test]
async fn booking_checks_its_input_first() {
    let h = start(SimOptions::default()).await;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let slot = slots_ahead(&h.engine, &gp).await.remove(0);
    let mut long = book_req(&gp, vec![slot.id.clone()], jane());
    long.description = "x".repeat(101);
    assert_eq!(
        h.engine.book(long).await.expect_err("long").kind,
        ErrorKind::InvalidInput
    );
    let mut no_nhs = book_req(&gp, vec![slot.id.clone()], jane());
    no_nhs.nhs_number = None;
    assert_eq!(
        h.engine.book(no_nhs).await.expect_err("no nhs").kind,
        ErrorKind::InvalidInput
    );
    let stranger = book_req(
        &gp,
        vec![slot.id.clone()],
        NhsNumber::parse("9000000009").expect("valid"),
    );
    assert_eq!(
        h.engine.book(stranger).await.expect_err("unknown").kind,
        ErrorKind::PatientNotFound
    );
    let gone = book_req(&gp, vec![SlotId::parse("999999").expect("id")], jane());
    assert_eq!(
        h.engine.book(gone).await.expect_err("no such slot").kind,
        ErrorKind::SlotTaken
    );
    // Nothing reached the provider.
    assert!(
        h.sim
            .appointments()
            .iter()
            .all(|a| a["description"] != "Sore throat and fever for 3 days")
    );
}

#[tokio::test]
async fn uec_book_read_cancel() {
    let h = start(SimOptions::default()).await;
    let utc = service_of(&h, "urgent-care", "uec-booking");
    let slot = slots_ahead(&h.engine, &utc).await.remove(0);
    let booked = h
        .engine
        .book(book_req(&utc, vec![slot.id.clone()], jane()))
        .await
        .expect("booked");
    let a = booked.appointment;
    assert_eq!(a.status, AppointmentStatus::Booked);
    assert_eq!(a.slot_ids, vec![slot.id.to_string()]);
    assert_eq!(a.nhs_number, Some(jane()));
    // What the provider stored: the patient, slot and document reference, contained.
    let stored = h
        .sim
        .appointments()
        .into_iter()
        .find(|x| x["id"] == a.id.as_str())
        .expect("stored");
    let kinds: Vec<&str> = stored["contained"]
        .as_array()
        .expect("contained")
        .iter()
        .filter_map(|c| c["resourceType"].as_str())
        .collect();
    assert!(
        kinds.contains(&"Patient")
            && kinds.contains(&"Slot")
            && kinds.contains(&"DocumentReference")
    );

    let read = h.engine.read_appointment(&utc, &a.id).await.expect("read");
    assert_eq!(read.start, slot.start);
    let e = h
        .engine
        .amend(&utc, &a.id, Some("new".into()), None)
        .await
        .expect_err("no amend");
    assert_eq!(e.kind, ErrorKind::Rejected);
    let cancelled = h
        .engine
        .cancel(&utc, &a.id, "Booked GP instead")
        .await
        .expect("cancelled");
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
    assert_eq!(cancelled.version.as_deref(), Some("2"));

    // The desk's own record lets it list UEC appointments, which UEC cannot search.
    let today = h.engine.clock().uk_today();
    let window = SearchWindow::new(today, today + Duration::days(10)).expect("window");
    let list = h
        .engine
        .patient_appointments(&jane(), std::slice::from_ref(&utc), &window)
        .await;
    assert_eq!(list.appointments.len(), 1);
    assert_eq!(list.appointments[0].status, AppointmentStatus::Cancelled);
    assert_eq!(
        list.appointments[0].cancellation_reason.as_deref(),
        Some("Booked GP instead")
    );
    let missing = AppointmentId::parse("not-there").expect("id");
    assert_eq!(
        h.engine
            .read_appointment(&utc, &missing)
            .await
            .expect_err("404")
            .kind,
        ErrorKind::NotFound
    );
}

#[tokio::test]
async fn uec_booking_without_nhs_number_uses_given_details() {
    let h = start(SimOptions::default()).await;
    let ed = service_of(&h, "emergency-department", "uec-booking");
    let slot = slots_ahead(&h.engine, &ed).await.remove(0);
    let patient: booking_engine::views::PatientView = serde_json::from_value(serde_json::json!({
        "id": null, "nhs_number": null, "family": "Visitor", "given": ["Tom"], "prefix": "Mr",
        "gender": "male", "birth_date": "1990-05-01", "address_lines": ["1 Hotel Street", "Leeds"],
        "postcode": "LS1 1AA", "phone": "07700 900555"
    }))
    .expect("patient");
    let mut req = book_req(&ed, vec![slot.id.clone()], jane());
    req.nhs_number = None;
    req.patient = Some(patient);
    let booked = h.engine.book(req).await.expect("booked");
    let stored = h
        .sim
        .appointments()
        .into_iter()
        .find(|x| x["id"] == booked.appointment.id.as_str())
        .expect("stored");
    let p = stored["contained"]
        .as_array()
        .and_then(|c| c.iter().find(|r| r["resourceType"] == "Patient"))
        .expect("patient");
    assert_eq!(p["name"][0]["family"], "Visitor");
    // No NHS number was sent: the provider assigned its own identifier.
    assert!(p["identifier"].as_array().is_none_or(|ids| {
        ids.iter()
            .all(|i| i["system"] != "https://fhir.nhs.uk/Id/nhs-number")
    }));
}

/// UEC Booking takes no booking without the patient's home postcode (NHS Digital's UEC test
/// tool, C63 and C64): the desk says so before sending anything, and how to go on.
#[tokio::test]
async fn uec_booking_without_a_home_postcode_is_refused_before_sending() {
    let h = start(SimOptions::default()).await;
    let ed = service_of(&h, "emergency-department", "uec-booking");
    let slot = slots_ahead(&h.engine, &ed).await.remove(0);
    let patient: booking_engine::views::PatientView = serde_json::from_value(serde_json::json!({
        "id": null, "nhs_number": null, "family": "Visitor", "given": ["Tom"], "prefix": "Mr",
        "gender": "male", "birth_date": "1990-05-01", "address_lines": [],
        "postcode": null, "phone": "07700 900555"
    }))
    .expect("patient");
    let held = h.sim.appointments().len();
    let mut req = book_req(&ed, vec![slot.id.clone()], jane());
    req.nhs_number = None;
    req.patient = Some(patient);
    let e = h.engine.book(req).await.expect_err("no postcode");
    assert_eq!(e.kind, ErrorKind::InvalidInput, "{e:?}");
    assert!(e.message.contains("home postcode"), "{}", e.message);
    assert!(e.next_step.contains("ZZ99 3VZ"), "{}", e.next_step);
    assert_eq!(h.sim.appointments().len(), held, "nothing was sent");
}

/// A slot listed more than a fortnight ahead is still free when booked: the check before
/// booking searches the slot's own day, not the next 14 days. At UEC too, where slots are found
/// by instants.
#[tokio::test]
async fn a_slot_three_weeks_ahead_is_booked_after_checking_its_own_day() {
    let h = start(SimOptions::default()).await;
    let today = h.engine.clock().uk_today();
    let far =
        SearchWindow::new(today + Duration::days(18), today + Duration::days(24)).expect("window");
    for (kind, standard) in [
        ("gp-practice", "gp-connect"),
        ("urgent-care", "uec-booking"),
    ] {
        let service = service_of(&h, kind, standard);
        let slots = h
            .engine
            .search_service(&service, &far)
            .await
            .expect("search three weeks ahead");
        let slot = slots.first().expect("slots three weeks ahead");
        let mut req = book_req(&service, vec![slot.id.clone()], jane());
        // Without the slot's time the desk can look only a fortnight ahead, and says so.
        let unseen = h.engine.book(req.clone()).await.expect_err("not seen");
        assert_eq!(unseen.kind, ErrorKind::SlotTaken, "{standard}");
        req.slot_start = Some(slot.start);
        let booked = h.engine.book(req).await.expect("booked on its own day");
        assert_eq!(booked.appointment.start, slot.start, "{standard}");
    }
}
