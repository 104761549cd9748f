//! Booking intents belong to the run that wrote them while it lives; a later, truer outcome of a
//! request is never lost to an earlier one.

use chrono::{TimeZone, Utc};

use super::registry::event;
use crate::store::{Action, BookingIntent, Outcome, Store};

const REQUEST: &str = "0b7c4d2e-5f60-4a71-8b92-a3b4c5d6e7f8";

fn intent() -> BookingIntent {
    BookingIntent {
        request_id: REQUEST.into(),
        recorded_at: Utc
            .with_ymd_and_hms(2026, 12, 2, 8, 0, 0)
            .single()
            .expect("a time"),
        service_id: "beckside-medical-practice".into(),
        slot_ids: vec!["s1".into()],
        slot_start: "2026-12-02T09:00:00+00:00".into(),
        nhs_number: Some("9434765919".into()),
        user_local_id: "u1".into(),
        user_name: "Ada Lovelace".into(),
        desk: "desk-a".into(),
    }
}

on_both_backends! {
    async fn an_intent_is_its_writers_until_the_writer_lets_go(t) {
        let held = t.store.hold_intent(REQUEST).await.expect("held");
        t.store.begin_booking(&intent()).await.expect("written");
        // Another run of the same desk, with its own connection to the registry.
        let other = Store::open(&t.location).await.expect("opens");
        assert!(
            other.claim_orphan(REQUEST).await.expect("asked").is_none(),
            "a live run's intent is not an orphan"
        );
        // The writer dies without closing it: now it is an orphan, and one run settles it (on
        // PostgreSQL once the server has seen the writer's connection go).
        drop(held);
        let mut claimed = None;
        for _ in 0..100 {
            claimed = other.claim_orphan(REQUEST).await.expect("asked");
            if claimed.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(claimed.is_some(), "an orphan is claimed");
        assert!(
            t.store.claim_orphan(REQUEST).await.expect("asked").is_none(),
            "while one run settles it, no other does"
        );
        other.end_booking(REQUEST).await.expect("closed");
        claimed.expect("claimed").release().await;
        assert!(
            t.store.claim_orphan(REQUEST).await.expect("asked").is_none(),
            "a closed intent is nobody's to settle"
        );
    }

    async fn a_success_recorded_after_a_failure_of_the_same_request_is_kept(t) {
        let mut first = event(Action::Book, Outcome::Failed, None);
        first.request_id = Some(REQUEST.into());
        first.reason = Some("settled as not made".into());
        t.store.record(&first).await.expect("recorded");
        let mut made = event(Action::Book, Outcome::Succeeded, Some("1015"));
        made.request_id = Some(REQUEST.into());
        t.store.record(&made).await.expect("recorded");
        // Recording the same success again (a lost answer from the registry) adds nothing.
        let events = t.store.events().await.expect("events");
        assert_eq!(events.len(), 2, "both kept: what was believed, and what is");
        assert_eq!(events[1].outcome, Outcome::Succeeded);
        let bookings = t.store.bookings().await.expect("bookings");
        assert_eq!(bookings.len(), 1);
        assert_eq!(bookings[0].appointment_id, "1015");
        // The first outcome written is not changed by a later failure.
        let mut failed_again = event(Action::Book, Outcome::Failed, None);
        failed_again.request_id = Some(REQUEST.into());
        t.store.record(&failed_again).await.expect("recorded");
        assert_eq!(t.store.events().await.expect("events").len(), 2);
    }
}
