//! Kept clinical handovers: written once, never replaced or deleted, only marked delivered.

use chrono::{TimeZone, Utc};

use crate::store::Handover;
use crate::store::tests::harness::Fresh;

fn handover(report_id: &str) -> Handover {
    Handover {
        recorded_at: Utc
            .with_ymd_and_hms(2026, 12, 2, 9, 30, 15)
            .single()
            .expect("a time"),
        service_id: "calder-valley-utc".into(),
        appointment_id: "77".into(),
        standard: "uec-booking".into(),
        summary_json: "{}".into(),
        description: "Sore throat".into(),
        comment: Some("Call back on 07700 900123".into()),
        report_id: Some(report_id.into()),
        report_xml: Some("<ClinicalDocument/>".into()),
        bars_bundle: "{}".into(),
        delivered_at: None,
    }
}

async fn refused(t: &Fresh, sql: &str) -> String {
    match t.exec(sql, &[]).await {
        Ok(()) => panic!("{sql} was allowed"),
        Err(e) => e.to_string(),
    }
}

on_both_backends! {
    async fn a_kept_report_is_never_replaced_or_deleted_only_marked_delivered(t) {
        let h = handover("5a1c0f6e-2f43-4c5e-9a53-0c7f7c2b1d11");
        t.store.record_handover(&h).await.expect("recorded");
        // A second report with the same id is refused, not stored over the first.
        assert!(t.store.record_handover(&h).await.is_err());
        let replace = refused(t, "UPDATE clinical_handovers SET report_xml = 'changed'").await;
        assert!(replace.contains("never changed once recorded"), "{replace}");
        let delete = refused(t, "DELETE FROM clinical_handovers").await;
        assert!(delete.contains("never deleted"), "{delete}");
        if t.backend == Backend::Postgres {
            let truncate = refused(t, "TRUNCATE clinical_handovers").await;
            assert!(truncate.contains("never deleted"), "{truncate}");
        }
        let delivered = Utc
            .with_ymd_and_hms(2026, 12, 2, 9, 31, 0)
            .single()
            .expect("a time");
        t.store
            .mark_report_delivered(h.report_id.as_deref().expect("id"), delivered)
            .await
            .expect("delivery recorded");
        let kept = t
            .store
            .handovers("calder-valley-utc", "77")
            .await
            .expect("read");
        assert_eq!(kept.len(), 1);
        assert_eq!(
            kept[0],
            Handover {
                delivered_at: Some(delivered),
                ..h
            }
        );
    }

    async fn handovers_are_read_per_appointment_oldest_first(t) {
        let mut first = handover("r-1");
        first.report_xml = None;
        first.comment = None;
        let second = handover("r-2");
        let mut elsewhere = handover("r-3");
        elsewhere.appointment_id = "78".into();
        for h in [&first, &second, &elsewhere] {
            t.store.record_handover(h).await.expect("recorded");
        }
        let kept = t
            .store
            .handovers("calder-valley-utc", "77")
            .await
            .expect("read");
        assert_eq!(kept, vec![first, second]);
        assert!(t.store.handovers("calder-valley-utc", "79").await.expect("read").is_empty());
    }
}
