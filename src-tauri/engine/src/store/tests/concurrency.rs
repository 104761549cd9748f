//! Many desks, one registry: twenty writers, each with its own `Store` (its own pool) on the same
//! database, recording at once.

use std::collections::HashMap;

use crate::store::tests::harness::{self, Backend};
use crate::store::tests::{audit, registry};
use crate::store::{Action, AuditRecord, GENESIS_HASH, Outcome, Store};

const DESKS: usize = 20;
const EACH: usize = 10;

fn request_id(desk: usize, n: usize) -> String {
    format!("desk-{desk}-request-{n}")
}

/// One desk's day: each booking recorded, then recorded again as a retry would, and each
/// provider interaction appended to the audit trail.
async fn desk(location: String, desk: usize) {
    let store = Store::open(&location)
        .await
        .expect("each desk opens the registry");
    for n in 0..EACH {
        let mut e = registry::event(Action::Book, Outcome::Succeeded, Some("a"));
        e.appointment_id = Some(format!("{desk}-{n}"));
        e.request_id = Some(request_id(desk, n));
        e.user_local_id = format!("desk-{desk}");
        let id = store.record(&e).await.expect("recorded");
        assert_eq!(store.record(&e).await.expect("retried"), id);
        let record = AuditRecord {
            trace_id: format!("desk-{desk}-trace-{n}"),
            ..audit::record(n)
        };
        store.append_audit(&record).await.expect("appended");
    }
}

fn counts<'a>(keys: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
    let mut seen = HashMap::new();
    for k in keys {
        *seen.entry(k).or_default() += 1;
    }
    seen
}

on_both_backends! {
    async fn twenty_desks_lose_nothing_duplicate_nothing_and_keep_one_chain(t) {
        let tasks: Vec<_> = (0..DESKS)
            .map(|d| tokio::spawn(desk(t.location.clone(), d)))
            .collect();
        for task in tasks {
            task.await.expect("the desk finished");
        }

        let events = t.store.events().await.expect("read");
        assert_eq!(events.len(), DESKS * EACH, "every booking exactly once");
        let by_request = counts(events.iter().filter_map(|e| e.request_id.as_deref()));
        for d in 0..DESKS {
            for n in 0..EACH {
                assert_eq!(by_request.get(request_id(d, n).as_str()), Some(&1));
            }
        }
        let ids = counts(events.iter().filter_map(|e| e.appointment_id.as_deref()));
        assert_eq!(ids.len(), DESKS * EACH);

        let entries = t.store.audit_entries().await.expect("read");
        assert_eq!(entries.len(), DESKS * EACH, "every audit entry exactly once");
        let traces = counts(entries.iter().map(|e| e.trace_id.as_str()));
        assert_eq!(traces.len(), DESKS * EACH);
        assert!(traces.values().all(|&c| c == 1));
        assert_eq!(entries[0].prev_hash, GENESIS_HASH);
        for pair in entries.windows(2) {
            assert_eq!(pair[1].prev_hash, pair[0].hash, "one unbroken chain");
            // Each entry is timed once it has its turn, so times follow the chain's order.
            assert!(pair[0].recorded_at <= pair[1].recorded_at, "{pair:?}");
        }
        let report = t.store.verify_audit().await.expect("verifies");
        assert!(report.intact, "{report:?}");
        assert_eq!(report.entries_checked, (DESKS * EACH) as u64);
    }
}

/// A new shared registry, opened by twenty desks at the same moment: one migrates it, the others
/// wait for that (sqlx's migration lock) and find it ready. PostgreSQL only: a SQLite file
/// belongs to one desk, which creates it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_desks_open_a_new_shared_registry_at_once() {
    if harness::postgres_skipped() {
        return;
    }
    let (location, _dir, pg) = harness::empty(Backend::Postgres).await;
    let tasks: Vec<_> = (0..DESKS)
        .map(|_| {
            let location = location.clone();
            tokio::spawn(async move { Store::open(&location).await })
        })
        .collect();
    let mut stores = Vec::new();
    for task in tasks {
        stores.push(task.await.expect("joins").expect("every desk opens it"));
    }
    for (i, store) in stores.iter().enumerate() {
        store
            .append_audit(&audit::record(i))
            .await
            .expect("appends");
    }
    let report = stores[0].verify_audit().await.expect("verifies");
    assert!(report.intact, "{report:?}");
    assert_eq!(report.entries_checked, DESKS as u64);
    drop(stores);
    harness::drop_database(pg).await;
}
