//! The two databases the registry runs on: a SQLite file for one desk, PostgreSQL for a registry
//! shared by many desks. A closed enum over the two native pools, not `sqlx::Any`: each keeps its
//! own connection settings (SQLite's WAL and busy timeout, PostgreSQL's TLS), its own transaction
//! start and its own migrations, while the queries themselves are written once (see `with_pool!`).

use sqlx::Row;
use sqlx::postgres::{PgPool, PgRow};
use sqlx::sqlite::{SqlitePool, SqliteRow};

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

/// Every row `$sql` selects with the values bound in order, each read by `$from_row` (a
/// function over [`Columns`]), whichever backend the store is on.
macro_rules! fetch_rows {
    ($db:expr, $sql:expr, [$($value:expr),* $(,)?], $from_row:expr) => {
        $crate::store::db::with_pool!($db, pool => {
            sqlx::query($sql)
                $(.bind($value))*
                .fetch_all(pool)
                .await
                .map_err($crate::store::db::store_error)?
                .iter()
                .map($from_row)
                .collect::<$crate::error::Result<Vec<_>>>()
        })
    };
}
pub(super) use fetch_rows;

pub(super) fn store_error(e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Store).with_diagnostics(e.to_string())
}

/// Reads one column of a row as the registry's value types, from either backend's rows.
pub(super) trait Columns {
    fn text(&self, name: &str) -> Result<String>;
    fn opt_text(&self, name: &str) -> Result<Option<String>>;
    fn int(&self, name: &str) -> Result<i64>;
    fn opt_int(&self, name: &str) -> Result<Option<i64>>;
    fn flag(&self, name: &str) -> Result<bool>;
}

macro_rules! columns_for {
    ($row:ty) => {
        impl Columns for $row {
            fn text(&self, name: &str) -> Result<String> {
                self.try_get(name).map_err(store_error)
            }
            fn opt_text(&self, name: &str) -> Result<Option<String>> {
                self.try_get(name).map_err(store_error)
            }
            fn int(&self, name: &str) -> Result<i64> {
                self.try_get(name).map_err(store_error)
            }
            fn opt_int(&self, name: &str) -> Result<Option<i64>> {
                self.try_get(name).map_err(store_error)
            }
            fn flag(&self, name: &str) -> Result<bool> {
                self.try_get(name).map_err(store_error)
            }
        }
    };
}
columns_for!(SqliteRow);
columns_for!(PgRow);
