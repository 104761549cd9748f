//! The two databases the registry runs on: a SQLite file for one desk, PostgreSQL for a registry
//! shared by many desks. A closed enum over the two native pools, not `sqlx::Any`: each keeps its
//! own connection settings (SQLite's WAL and busy timeout, PostgreSQL's TLS), its own transaction
//! start and its own migrations, while the queries themselves are written once (see `with_pool!`).

use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use crate::error::{Error, ErrorKind, Result};

#[derive(Debug, Clone)]
pub(super) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the store's pool, whichever backend it is. The body is
/// compiled once per backend, so one SQL text and one list of binds serve both: placeholders are
/// written `$1`, `$2`, ..., which PostgreSQL and SQLite (through sqlx) both number the same way.
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::store::db::Db::Sqlite($pool) => $body,
            $crate::store::db::Db::Postgres($pool) => $body,
        }
    };
}
pub(super) use with_pool;

/// Every row `$sql` selects with the values bound in order, read as `$row` (a [`Stored`] row)
/// and turned into its value, whichever backend the store is on.
macro_rules! fetch_rows {
    ($db:expr, $sql:expr, [$($value:expr),* $(,)?], $row:ty) => {
        $crate::store::db::with_pool!($db, pool => {
            sqlx::query_as::<_, $row>($sql)
                $(.bind($value))*
                .fetch_all(pool)
                .await
                .map_err($crate::store::db::store_error)?
                .into_iter()
                .map($crate::store::db::Stored::into_value)
                .collect::<$crate::error::Result<Vec<_>>>()
        })
    };
}
pub(super) use fetch_rows;

pub(super) fn store_error(e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Store).with_diagnostics(e.to_string())
}

/// A table's row as sqlx reads it (`#[derive(sqlx::FromRow)]`, each column in the type it is
/// stored as, the same on both backends), and the registry's value it holds.
pub(super) trait Stored {
    type Value;
    fn into_value(self) -> Result<Self::Value>;
}
