//! A desk's own registry file encrypted at rest (SQLCipher): nothing of a patient is readable in
//! the file or its write-ahead log, a file written in the clear by an older desk is encrypted in
//! place with nothing lost, and a wrong key is told apart from a damaged file.

use crate::error::ErrorKind;
use crate::store::registry::{Action, Outcome};
use crate::store::tests::audit::record;
use crate::store::tests::registry::event;
use crate::store::{AuditKey, Store};

const NHS: &str = "9434765919";

fn bytes_of(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

async fn with_a_booking(store: &Store) {
    let mut e = event(Action::Book, Outcome::Succeeded, Some("1001"));
    e.nhs_number = Some(NHS.into());
    e.user_name = "Ada Lovelace".into();
    store.record(&e).await.expect("recorded");
    store.append_audit(&record(2)).await.expect("appended");
}

#[tokio::test]
async fn a_registry_file_holds_nothing_readable_and_opens_only_with_its_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bookings.sqlite");
    let location = path.to_string_lossy().into_owned();
    let key = AuditKey::generate().file_key();
    let store = Store::open_with(&location, None, Some(&key))
        .await
        .expect("opens");
    with_a_booking(&store).await;
    for file in ["bookings.sqlite", "bookings.sqlite-wal"] {
        let bytes = bytes_of(&dir.path().join(file));
        assert!(!holds(&bytes, NHS), "{file} holds the NHS number");
        assert!(!holds(&bytes, "Ada Lovelace"), "{file} holds a name");
        assert!(!holds(&bytes, "SQLite format 3"), "{file} is in the clear");
    }
    drop(store);

    let again = Store::open_with(&location, None, Some(&key))
        .await
        .expect("opens again with its key");
    assert_eq!(again.events().await.expect("events").len(), 1);
    drop(again);

    let other = AuditKey::generate().file_key();
    let err = Store::open_with(&location, None, Some(&other))
        .await
        .expect_err("another key");
    assert_eq!(err.kind, ErrorKind::Config, "{err:?}");
    assert!(
        err.message.contains("encrypted with another key"),
        "{err:?}"
    );
    assert!(err.next_step.contains("audit-key"), "{err:?}");
    assert!(Store::open(&location).await.is_err(), "no key, no registry");
}

#[tokio::test]
async fn a_registry_written_in_the_clear_is_encrypted_in_place_with_nothing_lost() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bookings.sqlite");
    let location = path.to_string_lossy().into_owned();
    let plain = Store::open(&location).await.expect("opens in the clear");
    with_a_booking(&plain).await;
    let before = (
        plain.events().await.expect("events"),
        plain.audit_entries().await.expect("entries"),
    );
    drop(plain);
    assert!(holds(&bytes_of(&path), "SQLite format 3"));

    let key = AuditKey::generate().file_key();
    let store = Store::open_with(&location, None, Some(&key))
        .await
        .expect("encrypts and opens");
    assert_eq!(store.events().await.expect("events"), before.0);
    assert_eq!(store.audit_entries().await.expect("entries"), before.1);
    let report = store.verify_audit().await.expect("verifies");
    assert!(report.intact, "{report:?}");
    store.append_audit(&record(3)).await.expect("appends");
    assert_eq!(
        store.audit_entries().await.expect("entries").len(),
        before.1.len() + 1
    );
    drop(store);
    let bytes = bytes_of(&path);
    assert!(!holds(&bytes, "SQLite format 3") && !holds(&bytes, NHS));
    assert!(!dir.path().join("bookings.sqlite.encrypting").exists());
}
