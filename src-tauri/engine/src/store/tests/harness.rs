//! A fresh, empty registry per test on either backend. PostgreSQL tests each get a database of
//! their own, created on the server named by `BOOKDESK_TEST_PG_URL` (tests/with-postgres.sh starts
//! a throwaway one) and dropped when the test passes.

use sqlx::{Connection, Executor, PgConnection};

use crate::store::Store;
use crate::store::db::with_pool;

const PG_URL: &str = "BOOKDESK_TEST_PG_URL";
const SKIP_PG: &str = "BOOKDESK_SKIP_PG";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Backend {
    Sqlite,
    Postgres,
}

/// True only when PostgreSQL was skipped on purpose (`BOOKDESK_SKIP_PG=1`); a missing server URL
/// otherwise fails the test, so that a run without PostgreSQL never passes as if it had one.
pub(super) fn postgres_skipped() -> bool {
    if std::env::var(PG_URL).is_ok_and(|u| !u.is_empty()) {
        return false;
    }
    if std::env::var(SKIP_PG).as_deref() == Ok("1") {
        eprintln!("PostgreSQL half skipped: {SKIP_PG}=1");
        return true;
    }
    panic!(
        "{PG_URL} is not set, so the PostgreSQL half of the store tests cannot run. Run the tests \
         under tests/with-postgres.sh (e.g. `bash tests/with-postgres.sh cargo test -p \
         booking-engine --lib store`), or set {SKIP_PG}=1 to skip PostgreSQL on purpose."
    );
}

pub(super) struct Fresh {
    pub backend: Backend,
    pub store: Store,
    /// What `Store::open` was given: other desks open the same registry from it.
    pub location: String,
    _dir: Option<tempfile::TempDir>,
    /// The server's own URL and the test database's name, to drop it afterwards.
    pg: Option<(String, String)>,
}

impl Fresh {
    /// A new empty registry, opened (and so migrated) once.
    pub async fn new(backend: Backend) -> Self {
        let (location, dir, pg) = empty(backend).await;
        let store = Store::open(&location).await.expect("the fresh store opens");
        Self {
            backend,
            store,
            location,
            _dir: dir,
            pg,
        }
    }

    /// Runs SQL straight on the database, as someone with access to it could, binding text
    /// values to `$1`, `$2`, ...
    pub async fn exec(&self, sql: &str, values: &[&str]) -> Result<(), sqlx::Error> {
        with_pool!(&self.store.db, pool => {
            let mut query = sqlx::query(sql);
            for v in values {
                query = query.bind(*v);
            }
            query.execute(pool).await.map(|_| ())
        })
    }

    pub async fn finish(self) {
        drop(self.store);
        drop_database(self.pg).await;
    }
}

/// Drops a test's PostgreSQL database, closing whatever connections are still open to it.
pub(super) async fn drop_database(pg: Option<(String, String)>) {
    let Some((server, name)) = pg else {
        return;
    };
    let mut admin = PgConnection::connect(&server).await.expect("server");
    admin
        .execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
        .await
        .expect("test database dropped");
}

/// Where a new, empty registry is (nothing created in it yet), with what keeps it alive.
pub(super) async fn empty(
    backend: Backend,
) -> (String, Option<tempfile::TempDir>, Option<(String, String)>) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("bookings.sqlite");
            (path.to_string_lossy().into_owned(), Some(dir), None)
        }
        Backend::Postgres => {
            let server = std::env::var(PG_URL).expect("checked by postgres_skipped");
            let name = format!("bookdesk_test_{}", uuid::Uuid::new_v4().simple());
            let mut admin = PgConnection::connect(&server)
                .await
                .unwrap_or_else(|e| panic!("the PostgreSQL server in {PG_URL} answers: {e}"));
            admin
                .execute(format!("CREATE DATABASE \"{name}\"").as_str())
                .await
                .expect("test database created");
            let mut url = url::Url::parse(&server).expect("a URL");
            url.set_path(&format!("/{name}"));
            (url.to_string(), None, Some((server, name)))
        }
    }
}
