//! What the centre's reviews read: searches recorded and read back by time, events and failed
//! interactions by time (exact at the edges), one appointment's events and audit entries, and
//! the events of the appointments booked under a filter.

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::store::tests::audit;
use crate::store::tests::registry::event;
use crate::store::{Action, AuditRecord, Booked, Outcome, SearchRecord};

fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 29, hour, minute, 0)
        .single()
        .expect("a time")
}

pub(super) fn search(at: DateTime<Utc>, slots: u32) -> SearchRecord {
    SearchRecord {
        id: 0,
        recorded_at: at,
        user_local_id: "u1".into(),
        user_name: "Ada Lovelace".into(),
        desk: "desk-a".into(),
        organisation_ods: "A12345".into(),
        services_asked: 3,
        services_failed: 1,
        slots_found: slots,
        window_from: "2026-03-29".parse().expect("day"),
        window_to: "2026-04-11".parse().expect("day"),
    }
}

on_both_backends! {
    async fn a_search_reads_back_as_written_and_by_time(t) {
        let first = search(at(9, 0) + Duration::nanoseconds(5_000), 12);
        let second = search(at(10, 0), 0);
        let id1 = t.store.record_search(&first).await.expect("recorded");
        let id2 = t.store.record_search(&second).await.expect("recorded");
        let all = t
            .store
            .searches_between(at(0, 0), at(23, 0))
            .await
            .expect("read");
        assert_eq!(
            all,
            vec![SearchRecord { id: id1, ..first.clone() }, SearchRecord { id: id2, ..second }]
        );
        // From inclusive, to exclusive, to the instant.
        let edge = t.store.searches_between(at(9, 0), at(10, 0)).await.expect("read");
        assert_eq!(edge.iter().map(|s| s.id).collect::<Vec<_>>(), vec![id1]);
        let after = t
            .store
            .searches_between(at(9, 0) + Duration::nanoseconds(5_001), at(10, 1))
            .await
            .expect("read");
        assert_eq!(after.iter().map(|s| s.id).collect::<Vec<_>>(), vec![id2]);
    }

    async fn events_are_read_by_time_and_an_old_ones_desk_is_kept(t) {
        let mut early = event(Action::Book, Outcome::Succeeded, Some("1"));
        early.recorded_at = at(0, 59);
        let mut later = event(Action::Cancel, Outcome::Succeeded, Some("1"));
        later.recorded_at = at(1, 0);
        later.desk = "desk-b".into();
        later.outside_timeframe = true;
        for e in [&early, &later] {
            t.store.record(e).await.expect("recorded");
        }
        let read = t.store.events_between(at(1, 0), at(2, 0)).await.expect("read");
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].desk, "desk-b");
        assert!(read[0].outside_timeframe);
        assert_eq!(t.store.events_between(at(0, 0), at(2, 0)).await.expect("read").len(), 2);
    }

    async fn only_unsuccessful_interactions_are_read_as_failed(t) {
        for (n, outcome) in [(1, "http 200"), (2, "http 409"), (3, "timeout"), (4, "http 201")] {
            let r = AuditRecord { outcome: outcome.into(), ..audit::record(n) };
            t.store.append_audit(&r).await.expect("appended");
        }
        let now = Utc::now();
        let failed = t
            .store
            .failed_audit_between(now - Duration::minutes(5), now + Duration::minutes(5))
            .await
            .expect("read");
        let outcomes: Vec<&str> = failed.iter().map(|e| e.outcome.as_str()).collect();
        assert_eq!(outcomes, vec!["http 409", "timeout"]);
        let none = t
            .store
            .failed_audit_between(now - Duration::days(3), now - Duration::days(2))
            .await
            .expect("read");
        assert!(none.is_empty());
    }

    async fn an_appointments_audit_is_what_names_it_or_shares_an_id_with_its_events(t) {
        let mut book = event(Action::Book, Outcome::Succeeded, Some("1001"));
        book.request_id = Some("req-book".into());
        book.trace_id = Some("trace-book".into());
        let mut gp_book = event(Action::Book, Outcome::Succeeded, Some("1001"));
        gp_book.request_id = None;
        gp_book.trace_id = Some("trace-gp".into());
        gp_book.recorded_at = at(9, 0);
        let other = event(Action::Book, Outcome::Succeeded, Some("2002"));
        for e in [&book, &gp_book, &other] {
            t.store.record(e).await.expect("recorded");
        }
        let entry = |n: usize, trace: &str, request: Option<&str>, appointment: Option<&str>| {
            AuditRecord {
                service_id: "beckside-medical-practice".into(),
                trace_id: trace.into(),
                request_id: request.map(str::to_string),
                appointment_id: appointment.map(str::to_string),
                ..audit::record(n)
            }
        };
        let records = [
            entry(1, "t-search", None, None),
            entry(2, "t-post", Some("req-book"), None),
            entry(3, "trace-gp", None, None),
            entry(4, "t-read", None, Some("1001")),
            entry(5, "t-other", None, Some("2002")),
            AuditRecord { service_id: "calder-valley-utc".into(), ..entry(6, "t-x", None, Some("1001")) },
        ];
        for r in &records {
            t.store.append_audit(r).await.expect("appended");
        }
        let about = t
            .store
            .appointment_audit("beckside-medical-practice", "1001")
            .await
            .expect("read");
        assert_eq!(
            about.iter().map(|e| e.trace_id.as_str()).collect::<Vec<_>>(),
            vec!["t-post", "trace-gp", "t-read"]
        );
        assert_eq!(about[2].appointment_id.as_deref(), Some("1001"));
        let events = t
            .store
            .appointment_events("beckside-medical-practice", "1001")
            .await
            .expect("read");
        assert_eq!(events.len(), 2);
        assert!(events[0].id < events[1].id, "oldest first");
        // The chain still holds with appointment ids in it.
        assert!(t.store.verify_audit().await.expect("verifies").intact);
    }

    async fn booked_events_follow_the_filter_and_keep_later_changes(t) {
        let mut a = event(Action::Book, Outcome::Succeeded, Some("a"));
        a.recorded_at = at(9, 0);
        let mut a_cancel = event(Action::Cancel, Outcome::Succeeded, Some("a"));
        a_cancel.recorded_at = at(12, 0);
        a_cancel.user_local_id = "u9".into();
        a_cancel.desk = "desk-z".into();
        let mut a_failed = event(Action::Amend, Outcome::Failed, Some("a"));
        a_failed.recorded_at = at(13, 0);
        let mut b = event(Action::Book, Outcome::Succeeded, Some("b"));
        b.recorded_at = at(10, 0);
        b.user_local_id = "u2".into();
        b.desk = "desk-b".into();
        b.service_id = "calder-valley-utc".into();
        let mut c = event(Action::Book, Outcome::Succeeded, Some("c"));
        c.recorded_at = at(9, 0) + Duration::days(3);
        for e in [&a, &b, &a_cancel, &a_failed, &c] {
            t.store.record(e).await.expect("recorded");
        }
        let ids = |events: Vec<crate::store::BookingEvent>| {
            events
                .into_iter()
                .map(|e| format!("{}:{:?}", e.appointment_id.unwrap_or_default(), e.action))
                .collect::<Vec<_>>()
        };
        let all = t.store.booked_events(&Booked::default()).await.expect("read");
        assert_eq!(ids(all), vec!["a:Book", "b:Book", "a:Cancel", "c:Book"]);
        let by_desk = Booked { desk: Some("desk-a"), ..Booked::default() };
        assert_eq!(
            ids(t.store.booked_events(&by_desk).await.expect("read")),
            vec!["a:Book", "a:Cancel", "c:Book"],
            "the booking's desk decides, and its later events come along"
        );
        let by_user = Booked { user_local_id: Some("u2"), ..Booked::default() };
        assert_eq!(ids(t.store.booked_events(&by_user).await.expect("read")), vec!["b:Book"]);
        let by_service = Booked { service_id: Some("calder-valley-utc"), ..Booked::default() };
        assert_eq!(ids(t.store.booked_events(&by_service).await.expect("read")), vec!["b:Book"]);
        // Whole days around the span: the caller narrows to the instant.
        let span = Booked {
            from: Some(at(9, 0) + Duration::days(2)),
            to: Some(at(9, 0) + Duration::days(4)),
            ..Booked::default()
        };
        let read = ids(t.store.booked_events(&span).await.expect("read"));
        assert!(read.contains(&"c:Book".to_string()), "{read:?}");
        assert!(!read.contains(&"a:Book".to_string()), "{read:?}");
    }
}
