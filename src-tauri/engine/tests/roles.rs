//! Roles are enforced by the engine itself, against provider-sim: a supervisor reviews but
//! nothing they ask to change ever reaches a provider; call handlers and clinicians book.

#[path = "support/harness.rs"]
mod harness;

use booking_engine::auth::{Role, User};
use booking_engine::booking::BookRequest;
use booking_engine::clinical::{ClinicalApproval, Timeframe};
use booking_engine::ids::{AppointmentId, ServiceId};
use booking_engine::standards::SearchWindow;
use booking_engine::store::{Action, Outcome};
use booking_engine::views::AppointmentStatus;
use booking_engine::{Engine, ErrorKind};
use chrono::Duration;
use harness::{Harness, jane, service_of, slots_ahead, start, test_clock, test_instant};
use provider_sim::SimOptions;

/// Another desk against the same provider, signed in with `role` and with its own registry.
async fn desk_as(h: &Harness, role: Role, store: &str) -> Engine {
    let mut config = h.config.clone();
    config.user.as_mut().expect("configured user").role = role;
    config.store = h.dir.path().join(store).to_string_lossy().into_owned();
    harness::open_engine(&config).await
}

async fn book_first_slot(engine: &Engine, service: &ServiceId) -> AppointmentId {
    let slot = slots_ahead(engine, service).await.remove(0);
    let request = harness::jane_books(service, &slot, "Earache");
    engine.book(request).await.expect("booked").appointment.id
}

fn window() -> SearchWindow {
    let today = test_clock().uk_today();
    SearchWindow::new(today, today + Duration::days(7)).expect("window")
}

#[tokio::test]
async fn a_supervisor_reviews_but_cannot_book_amend_or_cancel() {
    let h = start(SimOptions::default()).await;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let booked = book_first_slot(&h.engine, &gp).await;
    let supervisor = desk_as(&h, Role::Supervisor, "supervisor.sqlite").await;
    let before = h.sim.appointments();

    // Reviewing works: slot search, the patient's appointments, the desk's own bookings.
    let slot = slots_ahead(&supervisor, &gp).await.remove(0);
    let seen = supervisor
        .patient_appointments(&jane(), std::slice::from_ref(&gp), &window())
        .await;
    assert!(seen.failures.is_empty(), "{:?}", seen.failures);
    assert!(seen.appointments.iter().any(|a| a.id == booked));
    supervisor.bookings().await.expect("bookings list");

    let book = supervisor
        .book(BookRequest {
            description: "Earache".into(),
            comment: None,
            ..harness::book_request(&gp, vec![slot.id.clone()], jane())
        })
        .await
        .expect_err("supervisor may not book");
    let amend = supervisor
        .amend(&gp, &booked, Some("Earache and fever".into()), None)
        .await
        .expect_err("supervisor may not amend");
    let cancel = supervisor
        .cancel(&gp, &booked, "Patient feels better")
        .await
        .expect_err("supervisor may not cancel");
    for (what, err) in [("book", &book), ("amend", &amend), ("cancel", &cancel)] {
        assert_eq!(err.kind, ErrorKind::NotPermitted, "{what}: {err:?}");
        assert!(
            err.message
                .starts_with("Supervisors can review bookings but not"),
            "{what}: {}",
            err.message
        );
        assert!(!err.next_step.is_empty(), "{what}");
    }

    assert_eq!(h.sim.appointments(), before, "nothing reached the provider");

    // Each refusal is in the supervisor's registry as a failed attempt.
    let recorded: Vec<_> = supervisor
        .store()
        .events()
        .await
        .expect("events")
        .into_iter()
        .map(|e| (e.action, e.outcome, e.error_kind, e.user_role))
        .collect();
    let refused = |action| {
        (
            action,
            Outcome::Failed,
            Some("not-permitted".to_string()),
            "supervisor".to_string(),
        )
    };
    assert_eq!(
        recorded,
        [
            refused(Action::Book),
            refused(Action::Amend),
            refused(Action::Cancel)
        ]
    );
}

#[tokio::test]
async fn a_clinician_books_amends_and_cancels() {
    let h = start(SimOptions::default()).await;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let clinician = desk_as(&h, Role::Clinician, "clinician.sqlite").await;

    let id = book_first_slot(&clinician, &gp).await;
    let amended = clinician
        .amend(&gp, &id, Some("Earache and fever".into()), None)
        .await
        .expect("clinician amends");
    assert_eq!(amended.description.as_deref(), Some("Earache and fever"));
    let cancelled = clinician
        .cancel(&gp, &id, "Patient feels better")
        .await
        .expect("clinician cancels");
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
}

#[tokio::test]
async fn a_call_handler_books_and_cancels() {
    let h = start(SimOptions::default()).await;
    assert_eq!(
        h.config.user.as_ref().expect("configured user").role,
        Role::CallHandler
    );
    for (kind, standard) in [
        ("gp-practice", "gp-connect"),
        ("urgent-care", "uec-booking"),
    ] {
        let service = service_of(&h, kind, standard);
        let id = book_first_slot(&h.engine, &service).await;
        let cancelled = h
            .engine
            .cancel(&service, &id, "Patient feels better")
            .await
            .expect("call handler cancels");
        assert_eq!(cancelled.status, AppointmentStatus::Cancelled, "{kind}");
    }
}

/// A request for `slot` from a triage that said "within 2 hours", an hour ago.
fn late_request(service: &ServiceId, slot: &booking_engine::views::SlotView) -> BookRequest {
    BookRequest {
        slot_start: Some(slot.start),
        nhs_number: Some(jane()),
        timeframe: Some(Timeframe {
            assessed_at: (test_instant() - Duration::hours(1)).fixed_offset(),
            within_minutes: 120,
        }),
        book_anyway: true,
        ..BookRequest::new(service.clone(), vec![slot.id.clone()], "Abdominal pain")
    }
}

#[tokio::test]
async fn a_slot_later_than_the_triage_timeframe_needs_a_clinician_or_a_recorded_approval() {
    let h = start(SimOptions::default()).await;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    // Tomorrow or later: well past "within 2 hours of an hour ago".
    let mut slots = slots_ahead(&h.engine, &gp).await.into_iter();
    let (first, second, third) = (
        slots.next().expect("slot"),
        slots.next().expect("slot"),
        slots.next().expect("slot"),
    );
    let before = h.sim.appointments();

    // A call handler without an approval: refused before anything is sent.
    let err = h
        .engine
        .book(late_request(&gp, &first))
        .await
        .expect_err("too late without approval");
    assert_eq!(err.kind, ErrorKind::NotPermitted);
    assert!(
        err.message.contains("after the patient should be seen"),
        "{}",
        err.message
    );
    assert!(err.next_step.contains("clinician"), "{}", err.next_step);
    assert_eq!(h.sim.appointments(), before, "nothing reached the provider");

    // An approval the desk never gave is no approval, nor one without a reason.
    let mut made_up = late_request(&gp, &first);
    made_up.clinical_approval = Some(ClinicalApproval {
        ticket: "made-up".into(),
        reason: "fine".into(),
    });
    let err = h.engine.book(made_up).await.expect_err("made-up approval");
    assert_eq!(err.kind, ErrorKind::NotPermitted);
    let priya = User {
        name: "Dr Priya Shah".into(),
        sds_user_id: "555000000002".into(),
        sds_role_profile_id: "555000000012".into(),
        local_id: "priya.shah".into(),
        role: Role::Clinician,
    };
    let approver = h
        .engine
        .desk()
        .approver_unproved(priya.clone())
        .expect("a clinician approves on this simulator-only desk");
    let mut blank = late_request(&gp, &first);
    blank.clinical_approval = Some(ClinicalApproval {
        ticket: approver.ticket.clone(),
        reason: " ".into(),
    });
    let err = h.engine.book(blank).await.expect_err("blank reason");
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    // A call handler cannot stand in as the approving clinician.
    let me = h.engine.session().user.clone();
    assert!(h.engine.desk().approver_unproved(me).is_err());
    assert_eq!(h.sim.appointments(), before, "nothing reached the provider");

    // With the clinician's approval the call handler books, and the registry keeps who (their
    // SDS user id and role profile) and why.
    let mut approved = late_request(&gp, &first);
    approved.clinical_approval = Some(ClinicalApproval {
        ticket: approver.ticket.clone(),
        reason: "Stable; reviewed on the call, safe to be seen tomorrow.".into(),
    });
    let booked = h.engine.book(approved).await.expect("approved booking");
    let events = h.engine.store().events().await.expect("events");
    let event = events
        .iter()
        .find(|e| e.appointment_id.as_deref() == Some(booked.appointment.id.as_str()))
        .expect("recorded");
    let recorded = event.approved_by.as_deref().expect("approver recorded");
    assert!(recorded.starts_with("Dr Priya Shah"), "{recorded}");
    assert!(
        recorded.contains("555000000002") && recorded.contains("555000000012"),
        "{recorded}"
    );
    assert!(
        event
            .approval_reason
            .as_deref()
            .is_some_and(|r| r.starts_with("Stable"))
    );

    // A clinician may book it on their own judgement.
    let clinician = desk_as(&h, Role::Clinician, "clinician.sqlite").await;
    clinician
        .book(late_request(&gp, &second))
        .await
        .expect("clinician books late");

    // Within the timeframe nobody needs an approval.
    let mut in_time = late_request(&gp, &third);
    in_time.timeframe = Some(Timeframe {
        assessed_at: test_instant().fixed_offset(),
        within_minutes: 60 * 24 * 10,
    });
    h.engine.book(in_time).await.expect("within timeframe");
}

#[tokio::test]
async fn an_assessment_time_in_the_future_cannot_stretch_the_timeframe() {
    let h = start(SimOptions::default()).await;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let slot = slots_ahead(&h.engine, &gp).await.remove(0);
    let before = h.sim.appointments();
    // "Within an hour" of an assessment years ahead would let any slot pass as in time.
    let mut req = late_request(&gp, &slot);
    req.timeframe = Some(Timeframe {
        assessed_at: (test_instant() + Duration::days(365 * 4)).fixed_offset(),
        within_minutes: 60,
    });
    let err = h.engine.book(req).await.expect_err("future assessment");
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert!(err.message.contains("in the future"), "{}", err.message);
    assert_eq!(h.sim.appointments(), before, "nothing reached the provider");

    // A triage clock a minute ahead of the desk's is allowed, and counted from the desk's now:
    // a slot after now + 60 minutes still needs the approval.
    let mut req = late_request(&gp, &slot);
    req.timeframe = Some(Timeframe {
        assessed_at: (test_instant() + Duration::minutes(1)).fixed_offset(),
        within_minutes: 60,
    });
    let err = h.engine.book(req).await.expect_err("still late");
    assert_eq!(err.kind, ErrorKind::NotPermitted);
}
