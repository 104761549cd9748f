//! Where the registry lives, from the desk configuration's `store` value, and connecting to it:
//! a SQLite file path (or `sqlite://` URL) for one desk, or a `postgres://` / `postgresql://` URL
//! for a registry shared by many desks. Each backend has its own migrations with the same numbers
//! and the same logical schema.

use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions, PgSslMode};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

use super::db::{Db, store_error};
use crate::error::{Error, ErrorKind, Result};
use crate::secrets::Secret;

/// The SQLite migrations. 0001..0004 are byte for byte the files every existing desk's file was
/// migrated with (sqlx checks their checksums), only moved into this folder.
pub(super) static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
pub(super) static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Connections one desk keeps to the registry.
const POOL_SIZE: u32 = 4;
/// How long a write waits for another writer (SQLite) or for a free connection.
const WAIT: Duration = Duration::from_secs(10);

pub(super) enum Location<'a> {
    SqliteFile(&'a str),
    Postgres(&'a str),
}

impl<'a> Location<'a> {
    pub(super) fn parse(location: &'a str) -> Result<Self> {
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            return Ok(Self::Postgres(location));
        }
        if let Some(path) = location.strip_prefix("sqlite://") {
            return Ok(Self::SqliteFile(path));
        }
        if location.contains("://") {
            return Err(Error::config(
                "The bookings store must be a file path, a sqlite:// URL or a postgres:// URL.",
            ));
        }
        Ok(Self::SqliteFile(location))
    }
}

/// Initialises OpenSSL (which SQLCipher encrypts with) before SQLCipher first uses it, with no
/// exit-time cleanup: a process that ended while a connection's thread was still closing had
/// OpenSSL freed under that thread, and crashed. Call it before opening any SQLCipher file.
pub fn prepare_crypto() {
    openssl_sys::init();
}

/// What a registry file holds before it is opened.
#[derive(Debug, PartialEq, Eq)]
enum FileState {
    Empty,
    /// Written in the clear (SQLite's own header).
    Plain,
    Encrypted,
}

fn file_state(file: &std::path::Path) -> Result<FileState> {
    use std::io::Read;
    let mut header = Vec::with_capacity(16);
    std::fs::File::open(file)
        .and_then(|f| f.take(16).read_to_end(&mut header))
        .map_err(store_error)?;
    Ok(match header.as_slice() {
        [] => FileState::Empty,
        b"SQLite format 3\0" => FileState::Plain,
        _ => FileState::Encrypted,
    })
}

fn beside(file: &std::path::Path, suffix: &str) -> std::path::PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

/// SQLCipher's form of a raw key, as `PRAGMA key` and `ATTACH ... KEY` take it.
fn raw_key(key: &Secret) -> String {
    format!("x'{}'", key.expose())
}

/// Encrypts a registry file written in the clear (by a desk before encryption) in place: a copy
/// encrypted with `key` beside it, then renamed over it. Processes take turns under a lock, and
/// the one that finds it done already leaves it.
async fn encrypt_in_place(file: &std::path::Path, key: &Secret) -> Result<()> {
    let lock =
        crate::private_files::open_for_lock(&beside(file, ".encrypt-lock")).map_err(store_error)?;
    lock.lock().map_err(store_error)?;
    if file_state(file)? != FileState::Plain {
        return Ok(());
    }
    let copy = beside(file, ".encrypting");
    let _ = std::fs::remove_file(&copy);
    crate::private_files::create_file(&copy).map_err(store_error)?;
    let plain = SqliteConnectOptions::new()
        .filename(file)
        .busy_timeout(WAIT);
    let mut conn = sqlx::SqliteConnection::connect_with(&plain)
        .await
        .map_err(store_error)?;
    // Everything in the write-ahead log into the file first, so the copy has all of it.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
        .map_err(store_error)?;
    sqlx::query("ATTACH DATABASE $1 AS encrypted KEY $2")
        .bind(copy.to_string_lossy())
        .bind(raw_key(key))
        .execute(&mut conn)
        .await
        .map_err(store_error)?;
    sqlx::query("SELECT sqlcipher_export('encrypted')")
        .execute(&mut conn)
        .await
        .map_err(store_error)?;
    sqlx::query("DETACH DATABASE encrypted")
        .execute(&mut conn)
        .await
        .map_err(store_error)?;
    conn.close().await.map_err(store_error)?;
    std::fs::File::open(&copy)
        .and_then(|f| f.sync_all())
        .map_err(store_error)?;
    std::fs::rename(&copy, file).map_err(store_error)?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(beside(file, suffix));
    }
    Ok(())
}

/// Opens (creating if needed) a SQLite file in WAL mode, encrypted with `key` when one is given,
/// and brings its schema up to date.
pub(super) async fn sqlite(path: &str, key: Option<&Secret>) -> Result<Db> {
    prepare_crypto();
    let file = std::path::Path::new(path);
    if let Some(dir) = file.parent()
        && !dir.as_os_str().is_empty()
    {
        crate::private_files::create_dir(dir).map_err(store_error)?;
    }
    // Owner-only before SQLite opens it: its -wal and -shm files take the database file's mode.
    // Ones an older desk left readable by others are narrowed.
    crate::private_files::create_file(file).map_err(store_error)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = file.as_os_str().to_owned();
        side.push(suffix);
        crate::private_files::narrow(std::path::Path::new(&side), crate::private_files::FILE_MODE)
            .map_err(store_error)?;
    }
    let mut options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
        .map_err(store_error)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(WAIT);
    if let Some(key) = key {
        if file_state(file)? == FileState::Plain {
            encrypt_in_place(file, key).await?;
        }
        // sqlx sends `key` before any other pragma, as SQLCipher needs.
        options = options.pragma("key", format!("\"{}\"", raw_key(key)));
    }
    // Migrated on a connection of its own before the pool opens any: a pooled connection that
    // read the schema before a migration changed it kept reading the old one (SQLite re-prepares
    // a statement whose columns then no longer match what sqlx read when it prepared it).
    let migrating = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await
        .map_err(|e| unreadable(file, &e))?;
    // The first read is where a wrong key shows.
    sqlx::query("SELECT count(*) FROM sqlite_master")
        .execute(&migrating)
        .await
        .map_err(|e| unreadable(file, &e))?;
    SQLITE_MIGRATIONS
        .run(&migrating)
        .await
        .map_err(store_error)?;
    migrating.close().await;
    let pool = SqlitePoolOptions::new()
        .max_connections(POOL_SIZE)
        .connect_with(options)
        .await
        .map_err(|e| unreadable(file, &e))?;
    Ok(Db::Sqlite(pool))
}

/// A registry file that will not open: most often one encrypted with a key this desk no longer
/// holds, or not a registry at all.
fn unreadable(file: &std::path::Path, e: &sqlx::Error) -> Error {
    let not_a_database = e
        .as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "26");
    if !not_a_database {
        return store_error(e);
    }
    Error::config(format!(
        "The bookings registry {} could not be read with this desk's key: it is encrypted with \
         another key, or it is not a registry.",
        file.display()
    ))
    .with_next_step(
        "Restore this desk's audit key (bookdesk secrets set audit-key), or move the file away \
         to start a new registry.",
    )
    .with_diagnostics(e.to_string())
}

/// Connects to a shared PostgreSQL registry and brings its schema up to date. Many desks may do
/// this at once: sqlx's migrator holds an advisory lock while it migrates.
pub(super) async fn postgres(url: &str, password: Option<&Secret>) -> Result<Db> {
    let mut secrets = password_of(url);
    secrets.extend(password.map(|p| p.expose().to_string()));
    let mut options = PgConnectOptions::from_str(url)
        .map_err(|e| {
            Error::config("The bookings store's PostgreSQL URL could not be read.")
                .with_next_step(
                    "Check the store URL in the desk configuration: postgres://user@host:port/database?sslmode=verify-full.",
                )
                .with_diagnostics(redact(&e.to_string(), &secrets))
        })?
        .application_name("booking-desk");
    check_off_machine(&options, !password_of(url).is_empty())?;
    if let Some(p) = password {
        options = options.password(p.expose());
    }
    // One connection first, on its own: a refused or failed login is reported as it is, at once,
    // where a pool would retry until its timeout and then say only that it timed out.
    let first = tokio::time::timeout(WAIT, PgConnection::connect_with(&options))
        .await
        .map_err(|_| unreachable(&options, "no answer within 10 seconds", &secrets))?
        .map_err(|e| unreachable(&options, &e, &secrets))?;
    // A failed goodbye changes nothing: the server answered, which is what was asked.
    let _ = first.close().await;
    let pool = PgPoolOptions::new()
        .max_connections(POOL_SIZE)
        .acquire_timeout(WAIT)
        .connect_lazy_with(options);
    // Through the pool, not that connection: a migration future borrowing a connection is not
    // `Send` for every lifetime (sqlx's `Acquire`), and the desk opens the store on spawned tasks.
    POSTGRES_MIGRATIONS
        .run(&pool)
        .await
        .map_err(|e| store_error(redact(&e.to_string(), &secrets)))?;
    Ok(Db::Postgres(pool))
}

/// A registry on another machine carries every patient's bookings: it is reached only over TLS
/// that verifies the server's certificate and name, and its password is kept in the keyring, not
/// in the configuration file anyone who can read it could copy.
fn check_off_machine(options: &PgConnectOptions, password_in_url: bool) -> Result<()> {
    let host = options.get_host();
    let on_this_machine = options.get_socket().is_some()
        || host.starts_with('/')
        || crate::secure_url::is_loopback_host(host);
    if on_this_machine {
        return Ok(());
    }
    if !matches!(options.get_ssl_mode(), PgSslMode::VerifyFull) {
        return Err(Error::config(format!(
            "The shared registry on {host} must be reached over TLS with a verified certificate."
        ))
        .with_next_step(
            "Add ?sslmode=verify-full to the store URL (and sslrootcert=FILE when the server's CA is not one the system trusts).",
        ));
    }
    if password_in_url {
        return Err(Error::config(
            "The shared registry's password is written in the configuration file.",
        )
        .with_next_step(
            "Remove it from the store URL and keep it in the keyring: bookdesk secrets set registry-password.",
        ));
    }
    Ok(())
}

/// The server could not be reached or did not let us in: say where we tried (never the password)
/// and what to check.
fn unreachable(options: &PgConnectOptions, e: impl std::fmt::Display, secrets: &[String]) -> Error {
    let place = format!(
        "{}@{}:{}/{}",
        options.get_username(),
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or(options.get_username()),
    );
    Error::new(ErrorKind::Store)
        .with_message(format!(
            "The shared bookings registry (PostgreSQL, {place}) could not be opened."
        ))
        .with_next_step(
            "Check the store URL in the desk configuration (host, port, database, user, password) \
             and that the PostgreSQL server is running and accepts this desk; then start again.",
        )
        .with_diagnostics(redact(&e.to_string(), secrets))
}

/// The URL's password, as written and percent-decoded, so that both can be kept out of messages.
fn password_of(url: &str) -> Vec<String> {
    let Some(raw) = url::Url::parse(url)
        .ok()
        .and_then(|u| u.password().map(str::to_string))
    else {
        return Vec::new();
    };
    let decoded = percent_decoded(&raw);
    if decoded == raw {
        vec![raw]
    } else {
        vec![raw, decoded]
    }
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn redact(text: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(text.to_string(), |t, s| t.replace(s.as_str(), "***"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_names_its_backend() {
        assert!(matches!(
            Location::parse("/var/lib/desk/bookings.sqlite"),
            Ok(Location::SqliteFile("/var/lib/desk/bookings.sqlite"))
        ));
        assert!(matches!(
            Location::parse("sqlite:///tmp/b.sqlite"),
            Ok(Location::SqliteFile("/tmp/b.sqlite"))
        ));
        assert!(matches!(
            Location::parse("postgres://desk@db:5432/registry"),
            Ok(Location::Postgres(_))
        ));
        assert!(matches!(
            Location::parse("postgresql://desk@db/registry"),
            Ok(Location::Postgres(_))
        ));
        let other = Location::parse("mysql://desk@db/registry");
        assert_eq!(other.err().map(|e| e.kind), Some(ErrorKind::Config));
    }

    #[test]
    fn a_password_is_found_and_kept_out_of_text() {
        let secrets = password_of("postgres://desk:p%40ss+word@db/registry");
        assert_eq!(
            secrets,
            vec!["p%40ss+word".to_string(), "p@ss+word".to_string()]
        );
        assert_eq!(
            redact("auth failed for p@ss+word (p%40ss+word)", &secrets),
            "auth failed for *** (***)"
        );
        assert!(password_of("postgres://desk@db/registry").is_empty());
        assert_eq!(percent_decoded("100%25%zz%4"), "100%%zz%4");
    }

    #[tokio::test]
    async fn an_unreachable_server_says_what_to_check_without_the_password() {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let err = postgres("postgres://desk:hunter2-secret@127.0.0.1:1/registry", None)
            .await
            .expect_err("refused");
        assert_eq!(err.kind, ErrorKind::Store);
        assert!(err.message.contains("desk@127.0.0.1:1/registry"), "{err:?}");
        assert!(err.next_step.contains("store URL"), "{err:?}");
        assert!(err.next_step.contains("server is running"), "{err:?}");
        let shown = format!("{err:?} {err}");
        assert!(!shown.contains("hunter2-secret"), "{shown}");
    }

    #[tokio::test]
    async fn an_unreadable_url_is_a_configuration_error_without_the_password() {
        let err = postgres("postgres://desk:hunter2-secret@db:notaport/registry", None)
            .await
            .expect_err("refused");
        assert_eq!(err.kind, ErrorKind::Config);
        let shown = format!("{err:?} {err}");
        assert!(!shown.contains("hunter2-secret"), "{shown}");
    }

    #[tokio::test]
    async fn a_registry_off_this_machine_needs_verified_tls_and_its_password_in_the_keyring() {
        // Refused before any connection is tried: these hosts do not exist.
        for url in [
            "postgres://desk@db.example/registry",
            "postgres://desk@db.example/registry?sslmode=require",
            "postgres://desk@10.1.2.3/registry?sslmode=verify-ca",
        ] {
            let err = postgres(url, None).await.expect_err(url);
            assert_eq!(err.kind, ErrorKind::Config, "{url}");
            assert!(
                err.next_step.contains("sslmode=verify-full"),
                "{url}: {err:?}"
            );
        }
        let err = postgres(
            "postgres://desk:hunter2-secret@db.example/registry?sslmode=verify-full",
            None,
        )
        .await
        .expect_err("password in the file");
        assert_eq!(err.kind, ErrorKind::Config);
        assert!(err.next_step.contains("registry-password"), "{err:?}");
        assert!(!format!("{err:?}").contains("hunter2-secret"));
    }
}
