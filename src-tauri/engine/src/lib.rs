//! Booking Desk's engine: everything the desk does, headless. The desktop shell and the
//! `bookdesk` CLI are thin fronts over [`Engine`].

mod audit;
pub mod auth;
pub mod booking;
pub mod config;
pub mod directory;
pub mod error;
pub mod fhir;
pub mod ids;
pub mod provider;
pub mod search;
pub mod standards;
pub mod store;
pub mod transport;
pub mod views;

use std::sync::Arc;

pub use error::{Error, ErrorKind, Result};

use auth::Session;
use config::{DeskConfig, HttpSettings};
use directory::Directory;
use store::Store;
use transport::Transport;

/// Logs to stderr, filtered by `BOOKDESK_LOG` (e.g. `info`, default `warn`). The engine never
/// logs NHS numbers or names, so what this prints is safe to paste into a support ticket.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BOOKDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // A second call (tests, embedding) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The engine: cheap to clone, shared by every command and search task.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    directory: Directory,
    session: Session,
    transport: Transport,
    store: Store,
}

impl Engine {
    /// Opens the bookings store and prepares the HTTP client.
    pub async fn open(config: DeskConfig) -> Result<Self> {
        let store = Store::open(&config.store).await?;
        Self::from_parts(config.directory, config.session, config.http, store)
    }

    pub fn from_parts(
        directory: Directory,
        session: Session,
        http: HttpSettings,
        store: Store,
    ) -> Result<Self> {
        Ok(Self {
            inner: Arc::new(Inner {
                directory,
                session,
                transport: Transport::new(http)?,
                store,
            }),
        })
    }

    pub fn directory(&self) -> &Directory {
        &self.inner.directory
    }

    pub fn session(&self) -> &Session {
        &self.inner.session
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.inner.transport
    }
}
