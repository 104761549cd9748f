//! The sealed audit trail: each rewrite someone with access to the database but not to the
//! desk's keyring could make — an entry changed and every hash recomputed, the newest entries
//! deleted and the id counter wound back, every entry deleted, a booking event changed, deleted
//! or added — is found, on both backends.

use crate::store::registry::{Action, Outcome};
use crate::store::tests::audit::record;
use crate::store::tests::harness::{Backend, Fresh};
use crate::store::tests::registry::event;
use crate::store::{Anchor, AuditKey, AuditReport, AuditSeal, GENESIS_HASH, PURGE, Purged, Store};

/// The fresh registry sealed with a new key, anchored in a folder of its own, keeping patient
/// details 30 days.
async fn sealed(t: &Fresh) -> (Store, AuditKey, tempfile::TempDir) {
    sealed_keeping(t, chrono::Duration::days(30)).await
}

async fn sealed_keeping(t: &Fresh, keep: chrono::Duration) -> (Store, AuditKey, tempfile::TempDir) {
    let key = AuditKey::generate();
    let registered = t.store.register_audit_key(&key).await.expect("registers");
    assert_eq!(registered.fingerprint, key.fingerprint());
    let dir = tempfile::tempdir().expect("tempdir");
    let store = t.store.clone().with_audit_seal(AuditSeal {
        key: key.clone(),
        anchor: Anchor::at(dir.path().join("anchor.json")),
        keep_patient_details: keep,
    });
    (store, key, dir)
}

async fn append(store: &Store, n: usize) {
    for i in 1..=n {
        store.append_audit(&record(i)).await.expect("appends");
    }
}

async fn verify(store: &Store) -> AuditReport {
    store.verify_audit().await.expect("verifies")
}

fn broken(report: &AuditReport) -> &str {
    assert!(!report.intact, "{report:?}");
    report.problem.as_deref().unwrap_or_default()
}

/// Winds the id counter back to `to`, as someone hiding deleted entries would.
async fn reset_ids(t: &Fresh, to: i64) {
    let sql = match t.backend {
        Backend::Sqlite => {
            format!("UPDATE sqlite_sequence SET seq = {to} WHERE name = 'audit_log'")
        }
        Backend::Postgres => format!("UPDATE audit_head SET last_id = {to}"),
    };
    t.exec(&sql, &[]).await.expect("resets");
}

on_both_backends! {
    async fn a_sealed_chain_verifies_and_names_its_key_and_anchor(t) {
        let (store, key, _dir) = sealed(t).await;
        append(&store, 3).await;
        let entries = store.audit_entries().await.expect("entries");
        assert_eq!(entries[0].prev_hash, GENESIS_HASH);
        for e in &entries {
            assert_eq!(e.seal.as_deref(), Some(key.label().as_str()));
            assert_eq!(e.hash, e.compute_seal(&key));
            assert_ne!(e.hash, e.compute_hash(), "a seal, not a plain hash");
        }
        let report = verify(&store).await;
        assert!(report.intact, "{report:?}");
        assert_eq!(report.sealed_with, Some(key.fingerprint()));
        assert_eq!(report.anchored_at, Some(3));
    }

    async fn an_entry_changed_and_resealed_without_the_key_is_found(t) {
        let (store, key, _dir) = sealed(t).await;
        append(&store, 3).await;
        // With a key of their own: the seal does not hold for the desk's key.
        let mut e = store.audit_entries().await.expect("entries")[1].clone();
        e.user_name = "Someone Else".into();
        let hash = e.compute_seal(&AuditKey::generate());
        t.exec(
            "UPDATE audit_log SET user_name = $1, hash = $2 WHERE id = 2",
            &[&e.user_name, &hash],
        )
        .await
        .expect("tampers");
        let report = verify(&store).await;
        assert_eq!(broken(&report), "entry 2 was changed");
        assert_eq!(report.broken_entry, Some(2));
        // And the desk's own key was never needed to tell: the seal names it.
        assert_eq!(e.seal.as_deref(), Some(key.label().as_str()));
    }

    async fn the_whole_chain_rewritten_as_unsealed_entries_is_found(t) {
        let (store, _key, _dir) = sealed(t).await;
        append(&store, 3).await;
        // Every entry recomputed as an unsealed one, linked as before: the chain itself holds,
        // but the anchor outside the database names an entry that is no longer there as it was.
        let mut prev = GENESIS_HASH.to_string();
        for mut e in store.audit_entries().await.expect("entries") {
            e.seal = None;
            e.prev_hash = prev.clone();
            if e.id == 2 {
                e.outcome = "http 500".into();
            }
            e.hash = e.compute_hash();
            t.exec(
                &format!(
                    "UPDATE audit_log SET seal = NULL, outcome = $1, prev_hash = $2, hash = $3 \
                     WHERE id = {}",
                    e.id
                ),
                &[&e.outcome, &e.prev_hash, &e.hash],
            )
            .await
            .expect("tampers");
            prev = e.hash;
        }
        let report = verify(&store).await;
        assert_eq!(
            broken(&report),
            "entry 3 is not the one anchored outside the registry (the trail was rewritten)"
        );
    }

    async fn the_newest_entries_deleted_with_the_id_counter_wound_back_are_found(t) {
        let (store, _key, _dir) = sealed(t).await;
        append(&store, 4).await;
        t.exec("DELETE FROM audit_log WHERE id > 2", &[]).await.expect("tampers");
        reset_ids(t, 2).await;
        let report = verify(&store).await;
        assert_eq!(
            broken(&report),
            "entries up to 4 are missing: the anchor outside the registry names entry 4"
        );
        assert_eq!(report.broken_entry, Some(3));
        // Appending again does not cover it up.
        append(&store, 2).await;
        let report = verify(&store).await;
        assert_eq!(
            broken(&report),
            "entry 4 is not the one anchored outside the registry (the trail was rewritten)"
        );
    }

    async fn every_entry_deleted_with_the_id_counter_wound_back_is_found(t) {
        let (store, _key, _dir) = sealed(t).await;
        append(&store, 2).await;
        t.exec("DELETE FROM audit_log", &[]).await.expect("tampers");
        reset_ids(t, 0).await;
        let report = verify(&store).await;
        assert_eq!(
            broken(&report),
            "entries up to 2 are missing: the anchor outside the registry names entry 2"
        );
    }

    async fn an_anchor_deleted_or_edited_is_found(t) {
        let (store, _key, dir) = sealed(t).await;
        append(&store, 2).await;
        let path = dir.path().join("anchor.json");
        let text = std::fs::read_to_string(&path).expect("anchored");
        std::fs::write(&path, text.replace("\"last_id\":2", "\"last_id\":1")).expect("edits");
        assert!(broken(&verify(&store).await).ends_with("anchor.json) was altered"));
        std::fs::remove_file(&path).expect("deletes");
        assert!(broken(&verify(&store).await).ends_with("anchor.json) is missing"));
    }

    async fn an_unsealed_entry_after_sealed_ones_is_found(t) {
        let (store, _key, _dir) = sealed(t).await;
        append(&store, 2).await;
        // A desk without the key writing to the same registry.
        t.store.append_audit(&record(3)).await.expect("appends");
        let report = verify(&store).await;
        assert_eq!(
            broken(&report),
            "entry 3 is not sealed, after sealed entries (written without the audit key)"
        );
    }

    async fn entries_from_before_the_key_still_verify_before_sealed_ones(t) {
        append_unsealed(t, 2).await;
        let (store, _key, _dir) = sealed(t).await;
        append(&store, 2).await;
        let entries = store.audit_entries().await.expect("entries");
        assert_eq!(entries[0].seal, None);
        assert!(entries[2].seal.is_some());
        assert_eq!(entries[2].prev_hash, entries[1].hash, "one chain across the change");
        let report = verify(&store).await;
        assert!(report.intact, "{report:?}");
    }

    async fn a_booking_event_is_vouched_for_and_a_change_to_it_is_found(t) {
        let (store, _key, _dir) = sealed(t).await;
        let id = store
            .record(&event(Action::Book, Outcome::Succeeded, Some("1001")))
            .await
            .expect("recorded");
        let entries = store.audit_entries().await.expect("entries");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].interaction, crate::store::RECORDED_EVENT);
        assert!(entries[0].covers.as_deref().is_some_and(|c| c.starts_with(&format!("booking_events:{id}:"))));
        assert!(verify(&store).await.intact);

        t.exec(
            &format!("UPDATE booking_events SET nhs_number = '9000000009' WHERE id = {id}"),
            &[],
        )
        .await
        .expect("tampers");
        assert_eq!(broken(&verify(&store).await), format!("booking event {id} was changed"));
    }

    async fn a_booking_event_deleted_or_added_outside_the_desk_is_found(t) {
        let (store, _key, _dir) = sealed(t).await;
        let first = store
            .record(&event(Action::Book, Outcome::Succeeded, Some("1001")))
            .await
            .expect("recorded");
        store
            .record(&event(Action::Cancel, Outcome::Succeeded, Some("1001")))
            .await
            .expect("recorded");
        t.exec(&format!("DELETE FROM booking_events WHERE id = {first}"), &[])
            .await
            .expect("tampers");
        assert_eq!(broken(&verify(&store).await), format!("booking event {first} was deleted"));

        // Put back as it was, then one added by hand beside it.
        let t2 = Fresh::new(t.backend).await;
        let (store, _key, _dir) = sealed(&t2).await;
        store
            .record(&event(Action::Book, Outcome::Succeeded, Some("1001")))
            .await
            .expect("recorded");
        t2.store
            .record(&event(Action::Book, Outcome::Succeeded, Some("2002")))
            .await
            .expect("recorded without the key");
        let report = verify(&store).await;
        assert_eq!(
            broken(&report),
            "booking event 2 was recorded outside the desk (no audit entry vouches for it)"
        );
        t2.finish().await;
    }

    async fn booking_events_from_before_the_key_need_no_voucher(t) {
        t.store
            .record(&event(Action::Book, Outcome::Succeeded, Some("1001")))
            .await
            .expect("recorded before sealing");
        let (store, _key, _dir) = sealed(t).await;
        store
            .record(&event(Action::Cancel, Outcome::Succeeded, Some("1001")))
            .await
            .expect("recorded");
        let report = verify(&store).await;
        assert!(report.intact, "{report:?}");
        // Moving the line of what came before is found: the registration is sealed.
        t.exec("UPDATE audit_key SET events_before = 99", &[]).await.expect("tampers");
        assert_eq!(
            broken(&verify(&store).await),
            "the registry's record of its audit key was altered"
        );
    }

    async fn a_second_key_cannot_be_registered_over_the_first(t) {
        let (_store, key, _dir) = sealed(t).await;
        let other = AuditKey::generate();
        let standing = t.store.register_audit_key(&other).await.expect("answers");
        assert_eq!(standing.fingerprint, key.fingerprint());
    }
}

const NHS: &str = "9434765919";

/// `e` as recorded just now: retention is measured from the real time, so no test's events may
/// age past it on a later day.
fn now(e: crate::store::BookingEvent) -> crate::store::BookingEvent {
    crate::store::BookingEvent {
        recorded_at: chrono::Utc::now(),
        ..e
    }
}

/// A moment after everything a test wrote: what "older than the retention period" means when a
/// test keeps nothing.
fn after_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() + chrono::Duration::seconds(1)
}

on_both_backends! {
    async fn patient_details_are_purged_after_the_retention_period_and_the_trail_still_holds(t) {
        // Entries from before the key, then sealed ones, keeping nothing.
        append_unsealed(t, 2).await;
        let (store, key, _dir) = sealed_keeping(t, chrono::Duration::zero()).await;
        store
            .record(&now(event(Action::Book, Outcome::Succeeded, Some("1001"))))
            .await
            .expect("recorded");
        store
            .record(&now(event(Action::Cancel, Outcome::Succeeded, Some("1001"))))
            .await
            .expect("recorded");
        append(&store, 2).await;
        assert!(verify(&store).await.intact);

        let purged = store.purge_patient_details(after_now()).await.expect("purges");
        // Two events; the unsealed entry 2, the events' two vouching entries and entry 2 again.
        assert_eq!(
            purged,
            Purged { events: 2, audit_entries: 4, handovers: 0 }
        );
        let events = store.events().await.expect("events");
        assert!(events.iter().all(|e| e.nhs_number.is_none()));
        // The pseudonym stays, so reports still tell one patient's bookings apart.
        assert!(events.iter().all(|e| e.patient_ref.as_deref() == Some(key.patient_ref(NHS).as_str())));
        let entries = store.audit_entries().await.expect("entries");
        assert!(entries.iter().all(|e| e.nhs_number.is_none()), "{entries:?}");
        let last = entries.last().expect("the purge is an entry");
        assert_eq!(last.interaction, PURGE);
        assert!(last.outcome.contains("2 booking events, 4 audit entries"));
        let report = verify(&store).await;
        assert!(report.intact, "{report:?}");
        // Nothing is left to purge.
        assert_eq!(store.purge_patient_details(after_now()).await.expect("again"), Purged::default());

        // A purged entry from before the key is still checked: changing it is found.
        t.exec("UPDATE audit_log SET outcome = 'http 500' WHERE id = 2", &[])
            .await
            .expect("tampers");
        assert_eq!(broken(&verify(&store).await), "entry 2 was changed");
    }

    async fn an_nhs_number_removed_or_changed_before_the_retention_period_ends_is_found(t) {
        let (store, _key, _dir) = sealed(t).await;
        let id = store
            .record(&now(event(Action::Book, Outcome::Succeeded, Some("1001"))))
            .await
            .expect("recorded");
        t.exec(&format!("UPDATE booking_events SET nhs_number = NULL WHERE id = {id}"), &[])
            .await
            .expect("tampers");
        assert_eq!(
            broken(&verify(&store).await),
            format!("booking event {id} lost its NHS number before the retention period ended")
        );
        t.exec(
            &format!("UPDATE booking_events SET nhs_number = '9000000009' WHERE id = {id}"),
            &[],
        )
        .await
        .expect("tampers");
        assert_eq!(broken(&verify(&store).await), format!("booking event {id} was changed"));
        t.exec(&format!("UPDATE booking_events SET nhs_number = '{NHS}' WHERE id = {id}"), &[])
            .await
            .expect("restores");
        assert!(verify(&store).await.intact);

        t.exec("UPDATE audit_log SET nhs_number = NULL WHERE id = 1", &[])
            .await
            .expect("tampers");
        assert_eq!(
            broken(&verify(&store).await),
            "entry 1 lost its NHS number before the retention period ended"
        );
        t.exec("UPDATE audit_log SET nhs_number = '9000000009' WHERE id = 1", &[])
            .await
            .expect("tampers");
        assert_eq!(broken(&verify(&store).await), "entry 1 was changed");
    }

    async fn a_purge_leaves_what_is_newer_than_the_retention_period(t) {
        let (store, _key, _dir) = sealed(t).await;
        store
            .record(&now(event(Action::Book, Outcome::Succeeded, Some("1001"))))
            .await
            .expect("recorded");
        let purged = store
            .purge_patient_details(chrono::Utc::now() - chrono::Duration::days(30))
            .await
            .expect("purges");
        assert_eq!(purged, Purged::default());
        assert_eq!(
            store.events().await.expect("events")[0].nhs_number.as_deref(),
            Some(NHS)
        );
        assert!(verify(&store).await.intact);
    }
}

async fn append_unsealed(t: &Fresh, n: usize) {
    for i in 1..=n {
        t.store.append_audit(&record(i)).await.expect("appends");
    }
}
