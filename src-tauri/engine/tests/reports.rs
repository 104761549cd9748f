//! The centre report from real work against provider-sim: three desks sharing one registry
//! search, book, lose a slot to another desk, cancel, rebook and book past a triage timeframe;
//! the supervisor's report, booked list and history then say exactly that.

#[path = "support/harness.rs"]
mod harness;

use booking_engine::auth::{Role, User};
use booking_engine::booking::BookRequest;
use booking_engine::clinical::Timeframe;
use booking_engine::ids::{NhsNumber, ServiceId, SlotId};
use booking_engine::reports::{BookingFilter, CentreReport, DayCount, ReportRange};
use booking_engine::search::SearchRequest;
use booking_engine::standards::SearchWindow;
use booking_engine::store::{Action, Outcome};
use booking_engine::views::AppointmentStatus;
use booking_engine::{Engine, ErrorKind};
use chrono::Duration;
use harness::{Harness, jane, open_desk, service_of, start, test_clock, test_instant};
use provider_sim::SimOptions;

/// Another desk on the same registry (the harness's SQLite file), with its own name and person.
async fn desk(h: &Harness, desk: &str, local_id: &str, role: Role) -> Engine {
    let mut config = h.config.clone();
    config.desk.name = Some(desk.into());
    config.user = Some(User {
        name: format!("Person {local_id}"),
        sds_user_id: "555021935107".into(),
        sds_role_profile_id: "UNK".into(),
        local_id: local_id.into(),
        role,
    });
    open_desk(&h.sim, &config).await
}

fn ahead(from: i64, to: i64) -> SearchWindow {
    let today = test_clock().uk_today();
    SearchWindow::new(today + Duration::days(from), today + Duration::days(to)).expect("window")
}

/// A fan-out search, as a call handler runs it; the slots it found, soonest first.
async fn search(e: &Engine, services: &[ServiceId], window: SearchWindow) -> Vec<SlotId> {
    let found = e
        .search_all(SearchRequest {
            services: services.to_vec(),
            window,
            channel: None,
        })
        .await;
    found.slots.into_iter().map(|s| s.id).collect()
}

fn request(service: &ServiceId, slot: &SlotId, nhs: NhsNumber) -> BookRequest {
    BookRequest {
        description: "Sore throat".into(),
        comment: None,
        book_anyway: false,
        ..harness::book_request(service, vec![slot.clone()], nhs)
    }
}

fn nhs(n: &str) -> NhsNumber {
    NhsNumber::parse(n).expect("valid")
}

fn total(days: &[DayCount]) -> u32 {
    days.iter().map(|d| d.count).sum()
}

#[tokio::test]
async fn real_work_at_three_desks_makes_the_expected_report() {
    let h = start(SimOptions::default()).await;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let started = test_clock().uk_today();
    let a = desk(&h, "desk-a", "alex", Role::CallHandler).await;
    let b = desk(&h, "desk-b", "sam", Role::CallHandler).await;
    let c = desk(&h, "desk-c", "priya", Role::Clinician).await;
    let supervisor = desk(&h, "desk-s", "sue", Role::Supervisor).await;

    // Desk A finds slots and books Jane; desk B, from its own search, loses that slot.
    let slots = search(&a, std::slice::from_ref(&gp), ahead(1, 7)).await;
    assert!(slots.len() >= 4, "the demo GP offers slots");
    let first = a
        .book(request(&gp, &slots[0], jane()))
        .await
        .expect("booked");
    search(&b, std::slice::from_ref(&gp), ahead(1, 7)).await;
    let lost = b
        .book(request(&gp, &slots[0], nhs("9476719931")))
        .await
        .expect_err("taken");
    assert_eq!(lost.kind, ErrorKind::SlotTaken);
    b.book(request(&gp, &slots[1], nhs("9476719931")))
        .await
        .expect("booked another");

    // Desk A cancels Jane's appointment and rebooks her.
    let cancelled = first.appointment.id.clone();
    a.cancel(&gp, &cancelled, "Wants a later day")
        .await
        .expect("cancelled");
    a.book(request(&gp, &slots[2], jane()))
        .await
        .expect("rebooked");

    // Desk C's search far ahead finds nothing; the clinician books past a one-hour timeframe.
    assert!(
        search(&c, std::slice::from_ref(&gp), ahead(40, 50))
            .await
            .is_empty()
    );
    let mut late = request(&gp, &slots[3], nhs("9434765269"));
    late.timeframe = Some(Timeframe {
        assessed_at: test_instant().fixed_offset(),
        within_minutes: 60,
    });
    c.book(late)
        .await
        .expect("a clinician may book past the timeframe");

    // A day either side, so the test passes across midnight too.
    let range = ReportRange {
        from: started - Duration::days(1),
        to: test_clock().uk_today() + Duration::days(1),
    };
    let report: CentreReport = supervisor.centre_report(&range).await.expect("report");
    let booked: u32 = report.bookings.iter().map(|b| b.count).sum();
    assert_eq!(booked, 4, "{report:#?}");
    assert!(report.bookings.iter().all(|b| b.service_id == gp.as_str()));
    let gp_name = &h.engine.directory().get(&gp).expect("listed").name;
    assert!(report.bookings.iter().all(|b| &b.service_name == gp_name));
    assert_eq!(total(&report.searches_without_slots), 1, "{report:#?}");
    assert_eq!(total(&report.slots_lost), 1, "{report:#?}");
    assert_eq!(total(&report.cancellations), 1, "{report:#?}");
    assert_eq!(total(&report.rebookings), 1, "{report:#?}");
    assert_eq!(total(&report.outside_timeframe), 1, "{report:#?}");
    let slot_taken = report
        .errors_by_kind
        .iter()
        .find(|k| k.kind == "slot-taken")
        .expect("the lost slot is an error");
    assert_eq!(slot_taken.count, 1);
    // Every booking followed its own desk's search within seconds.
    let d = report.search_to_booked;
    assert_eq!(d.count, 4, "{d:?}");
    assert!(d.p90_secs.is_some_and(|s| s < 120), "{d:?}");

    // The booked list: three desks' bookings, the cancelled one among them.
    let list = supervisor
        .centre_bookings(&BookingFilter::default())
        .await
        .expect("list");
    assert_eq!(list.len(), 4);
    let mut desks: Vec<&str> = list.iter().map(|l| l.desk.as_str()).collect();
    desks.sort_unstable();
    assert_eq!(desks, vec!["desk-a", "desk-a", "desk-b", "desk-c"]);
    let cancelled_line = BookingFilter {
        status: Some(AppointmentStatus::Cancelled),
        ..BookingFilter::default()
    };
    let only = supervisor
        .centre_bookings(&cancelled_line)
        .await
        .expect("list");
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].appointment_id, cancelled.as_str());
    assert_eq!(only[0].booked_by_local_id, "alex");

    // Its history: booked then cancelled, with the booking POST, the read before the cancel
    // and the cancel itself in the audit.
    let history = supervisor
        .appointment_history(&gp, &cancelled)
        .await
        .expect("history");
    let steps: Vec<(Action, Outcome)> = history
        .events
        .iter()
        .map(|e| (e.action, e.outcome))
        .collect();
    assert_eq!(
        steps,
        vec![
            (Action::Book, Outcome::Succeeded),
            (Action::Cancel, Outcome::Succeeded)
        ]
    );
    let interactions: Vec<&str> = history
        .audit
        .iter()
        .map(|e| e.interaction.as_str())
        .collect();
    for asked in [
        "rest:create:appointment",
        "rest:read:appointment",
        "rest:cancel:appointment",
    ] {
        assert!(
            interactions.iter().any(|i| i.contains(asked)),
            "{asked} in {interactions:?}"
        );
    }
    assert!(history.audit.windows(2).all(|w| w[0].id < w[1].id));

    // Call handlers see none of it.
    let refused = a.centre_report(&range).await.expect_err("not a supervisor");
    assert_eq!(refused.kind, ErrorKind::NotPermitted);
}
