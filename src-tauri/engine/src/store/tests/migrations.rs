//! The two migration sets: the same numbers on both backends, and SQLite's first four exactly as
//! every existing desk's file was migrated with, so those files still open.

use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::store::open::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
use crate::store::{Action, Outcome, Store};

/// SHA-384 of `migrations/0001..0004` as released (sqlx's checksums): changing a byte of them
/// would make every existing desk's registry refuse to open.
const RELEASED: [(i64, &str); 4] = [
    (
        1,
        "4a5184117108a87de9e381862e5bfea7668a6e23799125fbc5a87d4c266c6b74f1512893a3a71bd184460c071c9f5e4e",
    ),
    (
        2,
        "9b5b041f2a01e7b37d907e52a6cb840fff8b7b896e6d3c39a84232a9087e978fd446c067d084c4f5e0def8c8f0970c97",
    ),
    (
        3,
        "3637001c757586a8fcce7a63552aab48dc4d0e9a8783908d73b5a464ecd2fe95922ac73ea90baa329daf929c1a2f9593",
    ),
    (
        4,
        "86e65aa08af9d6eba93ba66ccba8f59a0b1df18af726d1eac12c4467d3d3526f48563f735c01d1eb77a085327a947e14",
    ),
];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_released_sqlite_migrations_are_unchanged() {
    for (version, checksum) in RELEASED {
        let m = SQLITE_MIGRATIONS
            .iter()
            .find(|m| m.version == version)
            .expect("still there");
        assert_eq!(hex(&m.checksum), checksum, "migration {version} changed");
    }
}

#[test]
fn both_backends_have_the_same_migrations() {
    let named = |m: &Migrator| {
        m.iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(named(&SQLITE_MIGRATIONS), named(&POSTGRES_MIGRATIONS));
    assert!(SQLITE_MIGRATIONS.iter().count() >= 5);
}

/// A SQLite file in `dir` migrated with only the SQLite migrations whose version `keep` says,
/// as a desk released before the others was; and a connection to it.
async fn migrated_as_before(
    dir: &std::path::Path,
    keep: impl Fn(i64) -> bool,
) -> (std::path::PathBuf, sqlx::SqliteConnection) {
    let released = dir.join("released");
    std::fs::create_dir(&released).expect("dir");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    for entry in std::fs::read_dir(&source).expect("migrations") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let version = name.get(..4).and_then(|v| v.parse::<i64>().ok());
        if version.is_some_and(&keep) {
            std::fs::copy(&path, released.join(&name)).expect("copied");
        }
    }
    let file = dir.join("bookings.sqlite");
    crate::store::prepare_crypto();
    let mut old_desk = SqliteConnectOptions::new()
        .filename(&file)
        .create_if_missing(true)
        .connect()
        .await
        .expect("file");
    Migrator::new(released.as_path())
        .await
        .expect("released migrations")
        .run(&mut old_desk)
        .await
        .expect("migrated as the released desk did");
    (file, old_desk)
}

/// A file made by the released desk (migrations 0001..0004, one booking in it) opens, keeps its
/// booking and gains the newer migrations.
#[tokio::test]
async fn an_existing_desks_file_opens_and_is_brought_up_to_date() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (file, mut old_desk) =
        migrated_as_before(dir.path(), |v| RELEASED.iter().any(|(r, _)| *r == v)).await;
    sqlx::query(
        "INSERT INTO booking_events (recorded_at, action, outcome, user_local_id, user_name,
            user_role, organisation_ods, service_id, appointment_id, request_id)
         VALUES ('2026-12-02T08:00:00+00:00', 'book', 'succeeded', 'u1', 'Ada Lovelace',
            'call-handler', 'A12345', 'beckside-medical-practice', '1001', 'r-1')",
    )
    .execute(&mut old_desk)
    .await
    .expect("a booking");
    old_desk.close().await.expect("closed");

    let store = Store::open(&file.to_string_lossy()).await.expect("opens");
    let events = store.events().await.expect("read");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, Action::Book);
    assert_eq!(events[0].outcome, Outcome::Succeeded);
    // The newer migrations apply: a retry of that booking is now kept once.
    let mut retry = events[0].clone();
    retry.trace_id = Some("again".into());
    assert_eq!(store.record(&retry).await.expect("recorded"), events[0].id);
    assert_eq!(store.events().await.expect("read").len(), 1);
}

/// Events recorded before desks and timeframes were: "unknown desk", and outside the timeframe
/// exactly when they carry the clinical approval only such a booking records.
#[tokio::test]
async fn events_from_before_the_reports_get_sensible_defaults() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (file, mut old_desk) = migrated_as_before(dir.path(), |v| v < 6).await;
    for (appointment, approved_by) in [("1001", None), ("1002", Some("Dr Priya Shah"))] {
        sqlx::query(
            "INSERT INTO booking_events (recorded_at, action, outcome, user_local_id, user_name,
                user_role, organisation_ods, service_id, appointment_id, approved_by)
             VALUES ('2026-12-02T08:00:00+00:00', 'book', 'succeeded', 'u1', 'Ada Lovelace',
                'call-handler', 'A12345', 'beckside-medical-practice', $1, $2)",
        )
        .bind(appointment)
        .bind(approved_by)
        .execute(&mut old_desk)
        .await
        .expect("a booking");
    }
    old_desk.close().await.expect("closed");
    let store = Store::open(&file.to_string_lossy()).await.expect("opens");
    let events = store.events().await.expect("read");
    let seen: Vec<(&str, bool)> = events
        .iter()
        .map(|e| (e.desk.as_str(), e.outside_timeframe))
        .collect();
    assert_eq!(seen, vec![("unknown desk", false), ("unknown desk", true)]);
}
