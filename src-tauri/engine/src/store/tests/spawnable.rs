//! Every store call can run on a spawned task (the desktop shell and the engine do that): a
//! compile-time check, for both backends' code paths at once.

use chrono::Utc;

use crate::store::tests::{audit, centre, registry};
use crate::store::{Action, Booked, Handover, Outcome, Store};

fn spawned<F: Future + Send + 'static>(_: F) {}

#[allow(dead_code)]
fn every_call_is_send(store: Store) {
    let s = store.clone();
    spawned(async move { Store::open("x").await.map(|_| ()) });
    spawned(async move {
        let e = registry::event(Action::Book, Outcome::Succeeded, None);
        s.record(&e).await
    });
    let s = store.clone();
    spawned(async move { s.events().await });
    let s = store.clone();
    spawned(async move { s.bookings().await });
    let s = store.clone();
    spawned(async move { s.cancel_reason("a", "b").await });
    let s = store.clone();
    spawned(async move { s.appointments_for("a", Some("b")).await });
    let s = store.clone();
    spawned(async move { s.appointment_nhs_number("a", "b").await });
    let s = store.clone();
    spawned(async move { s.append_audit(&audit::record(1)).await });
    let s = store.clone();
    spawned(async move { s.audit_entries().await });
    let s = store.clone();
    spawned(async move { s.verify_audit().await });
    let s = store.clone();
    spawned(async move { s.mark_report_delivered("r", Utc::now()).await });
    let s = store.clone();
    spawned(async move { s.handovers("a", "b").await });
    let (from, to) = (Utc::now(), Utc::now());
    let s = store.clone();
    spawned(async move { s.record_search(&centre::search(from, 0)).await });
    let s = store.clone();
    spawned(async move { s.searches_between(from, to).await });
    let s = store.clone();
    spawned(async move { s.events_between(from, to).await });
    let s = store.clone();
    spawned(async move { s.failed_audit_between(from, to).await });
    let s = store.clone();
    spawned(async move { s.appointment_events("a", "b").await });
    let s = store.clone();
    spawned(async move { s.appointment_audit("a", "b").await });
    let s = store.clone();
    spawned(async move { s.booked_events(&Booked::default()).await });
    spawned(async move {
        let h: Option<Handover> = None;
        match h {
            Some(h) => store.record_handover(&h).await,
            None => Ok(()),
        }
    });
}
