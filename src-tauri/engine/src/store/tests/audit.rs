//! The audit trail's chain, and each way of tampering with it being found.

use crate::store::tests::harness::Fresh;
use crate::store::{AuditRecord, GENESIS_HASH};

pub(super) fn record(n: usize) -> AuditRecord {
    AuditRecord {
        user_local_id: "u1".into(),
        user_name: "Ada Lovelace".into(),
        user_role: "call-handler".into(),
        organisation_ods: "A12345".into(),
        service_id: "gp-1".into(),
        interaction: format!("urn:nhs:names:services:gpconnect:fhir:test-{n}"),
        nhs_number: n.is_multiple_of(2).then(|| "9434765919".to_string()),
        trace_id: format!("trace-{n}"),
        request_id: None,
        outcome: "http 200".into(),
        appointment_id: None,
        covers: None,
    }
}

async fn append(t: &Fresh, n: usize) {
    for i in 1..=n {
        t.store.append_audit(&record(i)).await.expect("appends");
    }
}

on_both_backends! {
    async fn an_untouched_chain_verifies(t) {
        append(t, 3).await;
        let entries = t.store.audit_entries().await.expect("entries");
        assert_eq!(entries.len(), 3);
        assert_eq!(
            entries.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert_eq!(entries[0].prev_hash, GENESIS_HASH);
        assert_eq!(entries[1].prev_hash, entries[0].hash);
        assert_eq!(entries[2].prev_hash, entries[1].hash);
        assert_eq!(entries[1].nhs_number.as_deref(), Some("9434765919"));
        assert_eq!(entries[0].nhs_number, None);
        assert_eq!(entries[2].trace_id, "trace-3");
        let report = t.store.verify_audit().await.expect("verifies");
        assert!(report.intact, "{report:?}");
        assert_eq!(report.entries_checked, 3);
        assert_eq!(report.broken_entry, None);
    }

    async fn an_appended_entry_is_returned_as_stored(t) {
        append(t, 1).await;
        let mut r = record(2);
        r.request_id = Some("req-7".into());
        let appended = t.store.append_audit(&r).await.expect("appends");
        assert_eq!(appended.id, 2);
        assert_eq!(appended.hash, appended.compute_hash());
        let stored = t.store.audit_entries().await.expect("entries");
        assert_eq!(stored[1], appended);
    }

    async fn an_empty_trail_verifies(t) {
        let report = t.store.verify_audit().await.expect("verifies");
        assert!(report.intact);
        assert_eq!(report.entries_checked, 0);
    }

    async fn an_edited_entry_is_named(t) {
        append(t, 3).await;
        t.exec("UPDATE audit_log SET outcome = 'http 500' WHERE id = 2", &[])
            .await
            .expect("tampers");
        let report = t.store.verify_audit().await.expect("verifies");
        assert!(!report.intact);
        assert_eq!(report.broken_entry, Some(2));
        assert_eq!(report.problem.as_deref(), Some("entry 2 was changed"));
    }

    async fn a_resealed_entry_breaks_the_link_to_the_next(t) {
        append(t, 3).await;
        let mut e = t.store.audit_entries().await.expect("entries")[1].clone();
        e.user_name = "Someone Else".into();
        e.hash = e.compute_hash();
        t.exec(
            "UPDATE audit_log SET user_name = $1, hash = $2 WHERE id = 2",
            &[&e.user_name, &e.hash],
        )
        .await
        .expect("tampers");
        let report = t.store.verify_audit().await.expect("verifies");
        assert!(!report.intact);
        assert_eq!(report.broken_entry, Some(3));
        assert_eq!(report.problem.as_deref(), Some("chain broken before 3"));
    }

    async fn a_deleted_entry_is_reported_as_a_gap(t) {
        append(t, 3).await;
        t.exec("DELETE FROM audit_log WHERE id = 2", &[])
            .await
            .expect("tampers");
        let report = t.store.verify_audit().await.expect("verifies");
        assert!(!report.intact);
        assert_eq!(report.broken_entry, Some(2));
        assert_eq!(
            report.problem.as_deref(),
            Some("entry 2 is missing (gap in ids)")
        );
        assert_eq!(report.entries_checked, 1);
    }

    async fn deleting_the_newest_entry_is_reported(t) {
        append(t, 3).await;
        t.exec("DELETE FROM audit_log WHERE id = 3", &[])
            .await
            .expect("tampers");
        let report = t.store.verify_audit().await.expect("verifies");
        assert!(!report.intact);
        assert_eq!(report.broken_entry, Some(3));
        assert_eq!(
            report.problem.as_deref(),
            Some("entry 3 is missing (gap in ids)")
        );
        assert_eq!(report.entries_checked, 2);
    }

    async fn deleting_every_entry_is_reported(t) {
        append(t, 2).await;
        t.exec("DELETE FROM audit_log", &[]).await.expect("tampers");
        let report = t.store.verify_audit().await.expect("verifies");
        assert!(!report.intact);
        assert_eq!(report.broken_entry, Some(1));
    }

    async fn appending_after_a_deleted_newest_entry_still_shows_the_gap(t) {
        append(t, 3).await;
        t.exec("DELETE FROM audit_log WHERE id = 3", &[])
            .await
            .expect("tampers");
        t.store.append_audit(&record(4)).await.expect("appends");
        let report = t.store.verify_audit().await.expect("verifies");
        assert!(!report.intact);
        assert_eq!(report.broken_entry, Some(3));
    }

    async fn concurrent_appends_through_one_store_keep_one_chain(t) {
        let tasks: Vec<_> = (1..=20)
            .map(|i| {
                let store = t.store.clone();
                tokio::spawn(async move { store.append_audit(&record(i)).await })
            })
            .collect();
        for task in tasks {
            task.await.expect("joins").expect("appends");
        }
        let entries = t.store.audit_entries().await.expect("entries");
        assert_eq!(entries.len(), 20);
        assert_eq!(entries[0].prev_hash, GENESIS_HASH);
        for pair in entries.windows(2) {
            assert_eq!(pair[1].prev_hash, pair[0].hash, "one unbroken chain");
        }
        let report = t.store.verify_audit().await.expect("verifies");
        assert!(report.intact, "{report:?}");
        assert_eq!(report.entries_checked, 20);
        // Those that arrived while another was committing went in together, in fewer
        // transactions (disk flushes) than entries.
        assert!(
            t.store.audit_batches() < 20,
            "{} transactions for 20 appends",
            t.store.audit_batches()
        );
    }
}

on_both_backends! {
    async fn an_entrys_appointment_is_covered_by_its_hash_once_present(t) {
        append(t, 1).await;
        let named = AuditRecord { appointment_id: Some("1001".into()), ..record(2) };
        let entry = t.store.append_audit(&named).await.expect("appends");
        assert_eq!(entry.appointment_id.as_deref(), Some("1001"));
        let mut without = entry.clone();
        without.appointment_id = None;
        assert_ne!(entry.hash, without.compute_hash(), "the appointment is hashed");
        append(t, 1).await;
        assert!(t.store.verify_audit().await.expect("verifies").intact);
        // Pointing an entry at another appointment, or giving one to an entry that named none,
        // is found.
        t.exec("UPDATE audit_log SET appointment_id = '2002' WHERE id = 2", &[])
            .await
            .expect("tampers");
        let report = t.store.verify_audit().await.expect("verifies");
        assert_eq!(report.broken_entry, Some(2));
        t.exec("UPDATE audit_log SET appointment_id = '1001' WHERE id = 2", &[])
            .await
            .expect("restores");
        t.exec("UPDATE audit_log SET appointment_id = '1001' WHERE id = 1", &[])
            .await
            .expect("tampers");
        let report = t.store.verify_audit().await.expect("verifies");
        assert_eq!(report.broken_entry, Some(1));
    }
}
