//! Many desks, one registry: two desks (two engines, each its own store) on one PostgreSQL
//! registry, booking against provider-sim. What one desk books the other sees, for UEC too
//! (UEC services cannot be searched: the registry is where their appointments are found), and
//! both desks' interactions make one audit chain. Needs `BOOKDESK_TEST_PG_URL` (run under
//! tests/with-postgres.sh); fails without it unless `BOOKDESK_SKIP_PG=1`.

#[path = "support/harness.rs"]
mod harness;

use booking_engine::booking::BookRequest;
use booking_engine::ids::ServiceId;
use booking_engine::standards::SearchWindow;
use booking_engine::views::AppointmentStatus;
use chrono::Duration;
use harness::{jane, service_of, slots_ahead, start, test_clock};
use provider_sim::SimOptions;
use sqlx::{Connection, Executor, PgConnection};

/// A new empty database on the test server: (its URL, the server's URL, its name).
async fn fresh_registry() -> Option<(String, String, String)> {
    let Some(server) = std::env::var("BOOKDESK_TEST_PG_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        if std::env::var("BOOKDESK_SKIP_PG").as_deref() == Ok("1") {
            return None;
        }
        panic!(
            "BOOKDESK_TEST_PG_URL is not set: run under tests/with-postgres.sh (e.g. `bash \
             tests/with-postgres.sh cargo test -p booking-engine --test store_shared_registry`), \
             or set BOOKDESK_SKIP_PG=1 to skip PostgreSQL on purpose."
        );
    };
    let name = format!("bookdesk_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&server)
        .await
        .expect("server answers");
    admin
        .execute(format!("CREATE DATABASE \"{name}\"").as_str())
        .await
        .expect("database created");
    let mut url = url::Url::parse(&server).expect("a URL");
    url.set_path(&format!("/{name}"));
    Some((url.to_string(), server, name))
}

fn request(service: &ServiceId, slot: booking_engine::ids::SlotId) -> BookRequest {
    BookRequest {
        description: "Earache".into(),
        comment: None,
        ..harness::book_request(service, vec![slot], jane())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_desks_share_one_registry_and_one_audit_chain() {
    let Some((registry, server, name)) = fresh_registry().await else {
        return;
    };
    let mut h = start(SimOptions::default()).await;
    h.config.store = registry;
    h.config.desk.name = Some("Leeds floor 1, desk 1".into());
    let desk1 = harness::open_engine(&h.config).await;
    let mut second = h.config.clone();
    second.desk.name = Some("Leeds floor 1, desk 2".into());
    let desk2 = harness::open_engine(&second).await;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let uec = service_of(&h, "urgent-care", "uec-booking");

    let at_gp = desk1
        .book(request(&gp, slots_ahead(&desk1, &gp).await.remove(0).id))
        .await
        .expect("desk 1 books at the GP")
        .appointment;
    let at_uec = desk1
        .book(request(&uec, slots_ahead(&desk1, &uec).await.remove(0).id))
        .await
        .expect("desk 1 books at the UTC")
        .appointment;

    // Desk 2's own list holds what desk 2 booked: nothing yet. The registry (the centre's
    // screens) holds both desk 1 bookings, and desk 2 finds the UEC one for the patient there.
    assert!(desk2.bookings().await.expect("desk 2's list").is_empty());
    assert_eq!(desk1.bookings().await.expect("desk 1's list").len(), 2);
    let seen = desk2
        .store()
        .bookings()
        .await
        .expect("desk 2 reads the registry");
    assert!(seen.iter().all(|b| b.desk == "Leeds floor 1, desk 1"));
    let ids: Vec<(&str, &str)> = seen
        .iter()
        .map(|b| (b.service_id.as_str(), b.appointment_id.as_str()))
        .collect();
    assert_eq!(
        ids,
        vec![
            (gp.as_str(), at_gp.id.as_str()),
            (uec.as_str(), at_uec.id.as_str())
        ]
    );
    let today = test_clock().uk_today();
    let window = SearchWindow::new(today, today + Duration::days(10)).expect("window");
    let found = desk2
        .patient_appointments(&jane(), std::slice::from_ref(&uec), &window)
        .await;
    assert!(found.failures.is_empty(), "{:?}", found.failures);
    assert_eq!(
        found
            .appointments
            .iter()
            .map(|a| a.id.as_str())
            .collect::<Vec<_>>(),
        vec![at_uec.id.as_str()]
    );

    // Desk 2 cancels what desk 1 booked; desk 1 sees the cancellation and its reason.
    desk2
        .cancel(&gp, &at_gp.id, "Feeling better")
        .await
        .expect("desk 2 cancels");
    let after = desk1.bookings().await.expect("desk 1 reads the registry");
    let cancelled = after
        .iter()
        .find(|b| b.appointment_id == at_gp.id.as_str())
        .expect("still listed");
    assert_eq!(cancelled.status, Some(AppointmentStatus::Cancelled));
    assert_eq!(
        desk1
            .store()
            .cancel_reason(gp.as_str(), at_gp.id.as_str())
            .await
            .expect("read")
            .as_deref(),
        Some("Feeling better")
    );

    // Both desks' interactions, one chain.
    let entries = desk1.store().audit_entries().await.expect("entries");
    assert!(entries.len() >= 6, "{}", entries.len());
    let report = desk2.store().verify_audit().await.expect("verifies");
    assert!(report.intact, "{report:?}");
    assert_eq!(report.entries_checked, entries.len() as u64);

    drop((desk1, desk2));
    let mut admin = PgConnection::connect(&server)
        .await
        .expect("server answers");
    admin
        .execute(format!("DROP DATABASE \"{name}\" WITH (FORCE)").as_str())
        .await
        .expect("database dropped");
}
