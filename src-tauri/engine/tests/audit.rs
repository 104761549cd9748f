//! The audit trail of real interactions against provider-sim: every request is entered, with
//! the patient where it concerns one, and the chain verifies.

#[path = "support/harness.rs"]
mod harness;

use booking_engine::booking::BookRequest;
use booking_engine::store::AuditEntry;
use harness::{jane, service_of, slots_ahead, start};
use provider_sim::SimOptions;

const GP: &str = "urn:nhs:names:services:gpconnect:fhir:";
const UEC: &str = "urn:nhs:names:services:careconnect:fhir:rest:";

fn of<'a>(entries: &'a [AuditEntry], service: &str, interaction: &str) -> Vec<&'a AuditEntry> {
    entries
        .iter()
        .filter(|e| e.service_id == service && e.interaction == interaction)
        .collect()
}

#[tokio::test]
async fn bookings_leave_an_intact_audit_trail() {
    let h = start(SimOptions::default()).await;
    let engine = &h.engine;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let uec = service_of(&h, "urgent-care", "uec-booking");
    let nhs = jane();

    let mut booked = Vec::new();
    for service in [&gp, &uec] {
        let slot = slots_ahead(engine, service).await.remove(0);
        let outcome = engine
            .book(BookRequest {
                description: "Earache".into(),
                comment: None,
                ..harness::book_request(service, vec![slot.id.clone()], nhs.clone())
            })
            .await
            .expect("books");
        booked.push(outcome.appointment);
    }
    engine
        .cancel(&gp, &booked[0].id, "Feeling better")
        .await
        .expect("cancels");

    let all = engine.store().audit_entries().await.expect("entries");
    let events = engine.store().events().await.expect("events");
    // Each booking event is vouched for by a sealed entry of its own; the rest are interactions.
    let (vouching, entries): (Vec<_>, Vec<_>) = all.into_iter().partition(|e| e.covers.is_some());
    assert_eq!(
        vouching.len(),
        events.len(),
        "one entry vouches for each event"
    );
    for (v, e) in vouching.iter().zip(&events) {
        assert!(
            v.covers
                .as_deref()
                .is_some_and(|c| c.starts_with(&format!("booking_events:{}:", e.id)))
        );
        assert_eq!(v.interaction, booking_engine::store::RECORDED_EVENT);
        assert_eq!(v.nhs_number, e.nhs_number);
    }
    let session = engine.session();
    for e in &entries {
        assert_eq!(e.user_name, session.user.name);
        assert_eq!(e.user_local_id, session.user.local_id);
        assert_eq!(e.organisation_ods, session.organisation.ods.to_string());
        assert!(!e.user_role.is_empty());
        assert!(uuid::Uuid::parse_str(&e.trace_id).is_ok(), "{e:?}");
    }
    let mut traces: Vec<&str> = entries.iter().map(|e| e.trace_id.as_str()).collect();
    traces.sort_unstable();
    traces.dedup();
    assert_eq!(traces.len(), entries.len(), "one trace id per interaction");

    // GP Connect: find the patient, re-check the slot, book.
    let found = of(&entries, gp.as_str(), &format!("{GP}rest:search:patient-1"));
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|e| e.nhs_number.as_deref() == Some(nhs.as_str()))
    );
    let slots = of(&entries, gp.as_str(), &format!("{GP}rest:search:slot-1"));
    assert!(!slots.is_empty());
    assert!(slots.iter().all(|e| e.nhs_number.is_none()));
    let book = of(
        &entries,
        gp.as_str(),
        &format!("{GP}rest:create:appointment-1"),
    );
    assert_eq!(book.len(), 1);
    assert_eq!(book[0].nhs_number.as_deref(), Some(nhs.as_str()));
    assert_eq!(book[0].outcome, "http 201");
    let gp_event = events
        .iter()
        .find(|ev| ev.service_id == gp.as_str() && ev.appointment_id.is_some())
        .expect("booking event");
    assert_eq!(
        gp_event.trace_id.as_deref(),
        Some(book[0].trace_id.as_str())
    );

    // The cancel names no patient, but the desk booked the appointment and knows them.
    let cancel = of(
        &entries,
        gp.as_str(),
        &format!("{GP}rest:cancel:appointment-1"),
    );
    assert_eq!(cancel.len(), 1);
    assert_eq!(cancel[0].nhs_number.as_deref(), Some(nhs.as_str()));
    assert!(cancel[0].outcome.starts_with("http 2"), "{:?}", cancel[0]);

    // UEC: slot search and a book carrying its X-Request-ID.
    assert!(!of(&entries, uec.as_str(), &format!("{UEC}search:slot")).is_empty());
    let book = of(&entries, uec.as_str(), &format!("{UEC}create:appointment"));
    assert_eq!(book.len(), 1);
    assert_eq!(book[0].nhs_number.as_deref(), Some(nhs.as_str()));
    assert!(book[0].outcome.starts_with("http 2"), "{:?}", book[0]);
    let uec_event = events
        .iter()
        .find(|ev| ev.service_id == uec.as_str())
        .expect("booking event");
    assert!(book[0].request_id.is_some());
    assert_eq!(book[0].request_id, uec_event.request_id);
    assert_eq!(
        uec_event.trace_id.as_deref(),
        Some(book[0].trace_id.as_str())
    );

    let report = engine.store().verify_audit().await.expect("verifies");
    assert!(report.intact, "{report:?}");
    assert_eq!(
        report.entries_checked,
        (entries.len() + vouching.len()) as u64
    );
}

#[tokio::test]
async fn an_unreachable_service_is_audited_with_why() {
    let h = start(SimOptions::default()).await;
    let gp = service_of(&h, "gp-practice", "gp-connect");
    let engine = h.engine.clone();
    h.sim.shutdown().await;
    let err = engine
        .find_patient(&gp, &jane())
        .await
        .expect_err("nobody answers");
    let entries = engine.store().audit_entries().await.expect("entries");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].outcome, "unavailable", "{err:?}");
    assert_eq!(entries[0].nhs_number.as_deref(), Some(jane().as_str()));
    assert_eq!(err.trace_id.as_deref(), Some(entries[0].trace_id.as_str()));
}
