//! What the directory said of a found service the desk booked at is kept, and the latest wins.

use chrono::{TimeZone, Utc};

use crate::store::FoundServiceRecord;

fn leeds_east(name: &str) -> FoundServiceRecord {
    FoundServiceRecord {
        service_id: "dos-2000100303".into(),
        name: name.into(),
        service_type: Some("Emergency department".into()),
        address: Some("Leeds East Hospital, York Road, Leeds".into()),
        postcode: Some("LS14 6UH".into()),
    }
}

on_both_backends! {
    async fn a_found_service_is_kept_by_its_id_and_refreshed(t) {
        assert_eq!(t.store.found_service("dos-2000100303").await.expect("read"), None);
        let at = Utc.with_ymd_and_hms(2026, 12, 7, 18, 0, 0).single().expect("a time");
        t.store
            .remember_found_service(&leeds_east("Leeds East ED"), at)
            .await
            .expect("kept");
        t.store
            .remember_found_service(&leeds_east("Leeds East Hospital Emergency Department"), at)
            .await
            .expect("refreshed");
        assert_eq!(
            t.store.found_service("dos-2000100303").await.expect("read"),
            Some(leeds_east("Leeds East Hospital Emergency Department"))
        );
        assert_eq!(t.store.found_service("dos-2000100606").await.expect("read"), None);
    }
}
