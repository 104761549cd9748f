//! Booking events: written and read back whole, summarised per appointment, recorded once per
//! request id.

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::store::{Action, BookingEvent, Outcome};
use crate::views::AppointmentStatus;

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 8, 0, 0)
        .single()
        .expect("a time")
        + Duration::minutes(minute)
}

pub(super) fn event(action: Action, outcome: Outcome, appointment: Option<&str>) -> BookingEvent {
    BookingEvent {
        id: 0,
        recorded_at: at(0),
        action,
        outcome,
        user_local_id: "u1".into(),
        user_name: "Ada Lovelace".into(),
        user_role: "call-handler".into(),
        organisation_ods: "A12345".into(),
        service_id: "beckside-medical-practice".into(),
        slot_ids: Vec::new(),
        appointment_id: appointment.map(str::to_string),
        appointment_version: None,
        appointment_status: None,
        appointment_start: None,
        appointment_end: None,
        nhs_number: Some("9434765919".into()),
        trace_id: None,
        request_id: None,
        error_kind: None,
        error_message: None,
        reason: None,
        approved_by: None,
        approval_reason: None,
        desk: "desk-a".into(),
        patient_ref: None,
        settles: None,
        outside_timeframe: false,
    }
}

fn full_event() -> BookingEvent {
    BookingEvent {
        id: 0,
        recorded_at: at(3) + Duration::nanoseconds(123_456_789),
        action: Action::Book,
        outcome: Outcome::Unknown,
        user_local_id: "u2".into(),
        user_name: "Grace Hopper".into(),
        user_role: "clinician".into(),
        organisation_ods: "B99999".into(),
        service_id: "calder-valley-utc".into(),
        slot_ids: vec!["s1".into(), "s2".into()],
        appointment_id: Some("1001".into()),
        appointment_version: Some("W/\"2\"".into()),
        appointment_status: Some(AppointmentStatus::Booked),
        appointment_start: Some("2026-12-02T09:00:00+00:00".into()),
        appointment_end: Some("2026-12-02T09:10:00+00:00".into()),
        nhs_number: Some("9434765919".into()),
        trace_id: Some("trace-1".into()),
        request_id: Some("6f1c2d7e-0000-4000-8000-000000000001".into()),
        error_kind: Some("outcome-unknown".into()),
        error_message: Some("It's \"not\" known; 'quotes' kept".into()),
        reason: Some("Feeling better".into()),
        approved_by: Some("Dr Who".into()),
        approval_reason: Some("Clinically safe".into()),
        desk: "Leeds floor 2, desk \"14\"".into(),
        outside_timeframe: true,
        patient_ref: None,
        settles: None,
    }
}

on_both_backends! {
    async fn a_stored_status_that_is_no_fhir_code_is_refused_by_name(t) {
        t.store.record(&full_event()).await.expect("recorded");
        t.exec("UPDATE booking_events SET appointment_status = 'Booked'", &[])
            .await
            .expect("edited");
        let err = t.store.events().await.expect_err("not a status");
        assert_eq!(err.kind, crate::ErrorKind::Store);
        assert!(
            err.diagnostics.as_deref().is_some_and(|d| d.contains("appointment status \"Booked\"")),
            "{err:?}"
        );
    }

    async fn an_event_reads_back_as_written(t) {
        let written = full_event();
        let id = t.store.record(&written).await.expect("recorded");
        let mut sparse = event(Action::Cancel, Outcome::Failed, None);
        sparse.nhs_number = None;
        let sparse_id = t.store.record(&sparse).await.expect("recorded");
        assert!(sparse_id > id);
        let events = t.store.events().await.expect("read");
        assert_eq!(
            events,
            vec![
                BookingEvent { id, ..written },
                BookingEvent { id: sparse_id, ..sparse },
            ]
        );
    }

    async fn bookings_follow_each_appointments_latest_successful_event(t) {
        let mut book = event(Action::Book, Outcome::Succeeded, Some("1001"));
        book.appointment_version = Some("1".into());
        book.appointment_status = Some(AppointmentStatus::Booked);
        book.appointment_start = Some("2026-12-02T09:00:00+00:00".into());
        let mut failed_amend = event(Action::Amend, Outcome::Failed, Some("1001"));
        failed_amend.recorded_at = at(1);
        failed_amend.appointment_status = Some(AppointmentStatus::EnteredInError);
        let mut cancel = event(Action::Cancel, Outcome::Succeeded, Some("1001"));
        cancel.recorded_at = at(2);
        cancel.appointment_version = Some("2".into());
        cancel.appointment_status = Some(AppointmentStatus::Cancelled);
        cancel.reason = Some("Feeling better".into());
        let mut other = event(Action::Book, Outcome::Succeeded, Some("1002"));
        other.recorded_at = at(3);
        other.user_name = "Grace Hopper".into();
        let no_appointment = event(Action::Book, Outcome::Failed, None);
        for e in [&book, &failed_amend, &cancel, &other, &no_appointment] {
            t.store.record(e).await.expect("recorded");
        }
        let bookings = t.store.bookings().await.expect("bookings");
        assert_eq!(bookings.len(), 2);
        let first = &bookings[0];
        assert_eq!(first.appointment_id, "1001");
        assert_eq!(first.version.as_deref(), Some("2"));
        assert_eq!(first.status, Some(AppointmentStatus::Cancelled));
        assert_eq!(first.start.as_deref(), Some("2026-12-02T09:00:00+00:00"));
        assert_eq!(first.booked_by, "Ada Lovelace");
        assert_eq!(first.booked_at, at(0));
        assert_eq!(first.last_action, Action::Cancel);
        assert_eq!(first.last_changed_at, at(2));
        assert_eq!(bookings[1].appointment_id, "1002");
        assert_eq!(bookings[1].booked_by, "Grace Hopper");
        assert_eq!(
            t.store
                .cancel_reason("beckside-medical-practice", "1001")
                .await
                .expect("read")
                .as_deref(),
            Some("Feeling better")
        );
        assert_eq!(
            t.store.cancel_reason("beckside-medical-practice", "1002").await.expect("read"),
            None
        );
    }

    async fn a_patients_appointments_are_found_in_booking_order(t) {
        let mut at_utc = event(Action::Book, Outcome::Succeeded, Some("u-9"));
        at_utc.service_id = "calder-valley-utc".into();
        let gp = event(Action::Book, Outcome::Succeeded, Some("1001"));
        let mut gp_again = gp.clone();
        gp_again.action = Action::Amend;
        let gp_rebooked = gp.clone();
        let failed = event(Action::Book, Outcome::Failed, Some("1003"));
        let mut someone_else = event(Action::Book, Outcome::Succeeded, Some("1004"));
        someone_else.nhs_number = Some("9000000009".into());
        for e in [&at_utc, &gp, &gp_again, &gp_rebooked, &failed, &someone_else] {
            t.store.record(e).await.expect("recorded");
        }
        let all = t.store.appointments_for("9434765919", None).await.expect("read");
        assert_eq!(
            all,
            vec![
                ("calder-valley-utc".to_string(), "u-9".to_string()),
                ("beckside-medical-practice".to_string(), "1001".to_string()),
            ]
        );
        let at_one = t
            .store
            .appointments_for("9434765919", Some("beckside-medical-practice"))
            .await
            .expect("read");
        assert_eq!(
            at_one,
            vec![("beckside-medical-practice".to_string(), "1001".to_string())]
        );
        assert!(t.store.appointments_for("9111111111", None).await.expect("read").is_empty());
    }

    async fn an_appointments_patient_is_its_first_known_nhs_number(t) {
        let mut cancel_without = event(Action::Cancel, Outcome::Succeeded, Some("1001"));
        cancel_without.nhs_number = None;
        t.store.record(&cancel_without).await.expect("recorded");
        t.store
            .record(&event(Action::Book, Outcome::Succeeded, Some("1001")))
            .await
            .expect("recorded");
        assert_eq!(
            t.store
                .appointment_nhs_number("beckside-medical-practice", "1001")
                .await
                .expect("read")
                .as_deref(),
            Some("9434765919")
        );
        assert_eq!(
            t.store
                .appointment_nhs_number("beckside-medical-practice", "404")
                .await
                .expect("read"),
            None
        );
    }

    async fn an_event_recorded_again_with_its_request_id_is_kept_once(t) {
        let first = full_event();
        let id = t.store.record(&first).await.expect("recorded");
        // The retry finds the first record, whatever it carries.
        let mut retry = first.clone();
        retry.trace_id = Some("trace-2".into());
        assert_eq!(t.store.record(&retry).await.expect("recorded again"), id);
        let mut another = first.clone();
        another.request_id = Some("6f1c2d7e-0000-4000-8000-000000000002".into());
        let another_id = t.store.record(&another).await.expect("recorded");
        assert_ne!(another_id, id);
        // Events without a request id (refusals before sending) are each their own record.
        let refusal = event(Action::Cancel, Outcome::Failed, None);
        let r1 = t.store.record(&refusal).await.expect("recorded");
        let r2 = t.store.record(&refusal).await.expect("recorded");
        assert_ne!(r1, r2);
        let events = t.store.events().await.expect("read");
        assert_eq!(
            events.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![id, another_id, r1, r2]
        );
        assert_eq!(events[0].trace_id.as_deref(), Some("trace-1"));
    }

    async fn a_settled_outcome_is_recorded_beside_the_unknown_one_and_lists_follow_it(t) {
        let request = |n: u32| Some(format!("6f1c2d7e-0000-4000-8000-00000000010{n}"));
        // Unknown, then found made: the settling event names the first, which stays.
        let mut unknown = event(Action::Book, Outcome::Unknown, None);
        unknown.request_id = request(1);
        unknown.approved_by = Some("Dr Priya Shah".into());
        unknown.outside_timeframe = true;
        let first = t.store.record(&unknown).await.expect("recorded");
        assert!(t.store.bookings().await.expect("bookings").is_empty());
        let mut made = event(Action::Book, Outcome::Succeeded, Some("1001"));
        made.request_id = request(1);
        made.approved_by = None;
        let settling = t.store.record(&made).await.expect("settled");
        assert_ne!(settling, first);
        let events = t.store.events().await.expect("read");
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].outcome, Outcome::Unknown);
        assert_eq!(events[1].settles, Some(first));
        assert_eq!(events[1].request_id, None);
        // What the booking was stays with it: who approved it, and that it was late.
        assert_eq!(events[1].approved_by.as_deref(), Some("Dr Priya Shah"));
        assert!(events[1].outside_timeframe);
        let bookings = t.store.bookings().await.expect("bookings");
        assert_eq!(bookings.len(), 1);
        assert_eq!(bookings[0].appointment_id, "1001");
        // Settled once: the same finding again adds nothing.
        assert_eq!(t.store.record(&made).await.expect("again"), settling);
        assert_eq!(t.store.events().await.expect("read").len(), 2);

        // Unknown, then found not made.
        let mut unknown = event(Action::Book, Outcome::Unknown, None);
        unknown.request_id = request(2);
        let second = t.store.record(&unknown).await.expect("recorded");
        let mut not_made = event(Action::Book, Outcome::Failed, None);
        not_made.request_id = request(2);
        not_made.error_kind = Some("rejected".into());
        t.store.record(&not_made).await.expect("settled");
        // A failure recorded again is no settlement.
        let mut failed = event(Action::Book, Outcome::Failed, None);
        failed.request_id = request(3);
        let third = t.store.record(&failed).await.expect("recorded");
        assert_eq!(t.store.record(&failed).await.expect("again"), third);
        let settled = t.store.settled_events().await.expect("settled");
        assert_eq!(settled, [first, second].into_iter().collect());
        assert_eq!(t.store.events().await.expect("read").len(), 5);
    }
}
