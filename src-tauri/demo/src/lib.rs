//! The demo desk: the simulated services started in this process on a loopback port, their
//! bookings kept in the person's data folder between runs, and a desk opened on them. The
//! desktop app and the CLI both open the demo through here; a production build leaves this
//! crate (and the simulator with it) out.

use std::sync::{Arc, Mutex};

use booking_engine::config::AuditKeySource;
use booking_engine::config::DeskConfig;
use booking_engine::secrets::Secret;
use booking_engine::{Desk, Engine, Error};
use provider_sim::RunningSim;
use provider_sim::embedded::{self, DemoConfig, DemoPlatformCredentials};

pub use provider_sim::{DemoPatient, demo_patients};

/// The running demo services and the configuration that points a desk at them.
pub struct Demo {
    /// The desk's configuration for this process's demo (the audit key in a demo file).
    pub config: DeskConfig,
    sim: Arc<RunningSim>,
    /// The folder `config` was read from, kept while the demo runs: a CLI given it talks to
    /// this process's services (the end-to-end test does so).
    _files: DemoConfig,
    /// The desk's platform key, registered with the simulated platform: made once, on first need.
    credentials: Arc<Mutex<Option<Arc<DemoPlatformCredentials>>>>,
}

/// When the desk's throwaway platform key (for the demo's BaRS services) is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlatformKey {
    /// Before the desk is returned.
    Now,
    /// When a BaRS service is first asked: the key takes a prime search of random length, which
    /// the desktop app keeps out of the time its window takes to open.
    WhenNeeded,
}

fn failed(what: &str, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("{what}: {e}"))
}

impl Demo {
    /// Starts the demo services with their bookings under the person's data folder.
    pub async fn start() -> Result<Self, Error> {
        let dir = booking_engine::paths::data_dir()?;
        let (sim, files) = embedded::start_embedded(&dir)
            .await
            .map_err(|e| failed("The demo provider could not start", e))?;
        let mut config = DeskConfig::load(&files.path())?;
        config.audit_key = AuditKeySource::DemoFile;
        Ok(Self {
            config,
            sim: Arc::new(sim),
            _files: files,
            credentials: Arc::default(),
        })
    }

    /// The demo services' address, shown in the DEMO band.
    pub fn provider_url(&self) -> String {
        self.sim.base_url()
    }

    /// Opens a desk on the demo, able to reach every demo service.
    pub async fn open_desk(&self, key: PlatformKey) -> Result<Desk, Error> {
        let desk = Desk::open(&self.config).await?;
        self.equip(&desk, key)?;
        Ok(desk)
    }

    /// A desk on the demo with its demo user signed in (the CLI).
    pub async fn open_engine(&self) -> Result<Engine, Error> {
        let desk = self.open_desk(PlatformKey::Now).await?;
        desk.sign_in(self.config.session()?.user)
    }

    /// Gives `desk` the demo's secrets: the platform key and the Directory of Services' demo
    /// account.
    pub fn equip(&self, desk: &Desk, key: PlatformKey) -> Result<(), Error> {
        match key {
            PlatformKey::Now => {
                let made = credentials(&self.sim, &self.credentials)?;
                desk.use_platform_credentials(
                    Secret::new(made.api_key.clone()),
                    Secret::new(made.private_key_pem.clone()),
                )?;
            }
            PlatformKey::WhenNeeded => {
                let (sim, held) = (Arc::clone(&self.sim), Arc::clone(&self.credentials));
                desk.use_platform_credentials_when_needed(async move {
                    let made = tokio::task::spawn_blocking(move || credentials(&sim, &held))
                        .await
                        .map_err(|e| failed("The demo's platform key was not made", e))??;
                    Ok((
                        Secret::new(made.api_key.clone()),
                        Secret::new(made.private_key_pem.clone()),
                    ))
                })?;
            }
        }
        desk.use_dos_password(Secret::new(provider_sim::DEMO_DOS_PASSWORD))
    }

    /// Stops the demo services (their bookings stay in the data folder).
    pub async fn shutdown(self) {
        if let Ok(sim) = Arc::try_unwrap(self.sim) {
            sim.shutdown().await;
        }
    }
}

/// The platform key, made and registered the first time it is asked for.
fn credentials(
    sim: &RunningSim,
    held: &Mutex<Option<Arc<DemoPlatformCredentials>>>,
) -> Result<Arc<DemoPlatformCredentials>, Error> {
    let mut held = held
        .lock()
        .map_err(|_| Error::internal("The demo's platform key was lost to an earlier fault."))?;
    if let Some(made) = held.as_ref() {
        return Ok(Arc::clone(made));
    }
    let made = Arc::new(
        embedded::register_throwaway_desk_key(sim)
            .map_err(|e| failed("The demo's platform key was not made", e))?,
    );
    *held = Some(Arc::clone(&made));
    tracing::debug!("demo platform key registered");
    Ok(made)
}

/// Forgets the demo's bookings: the services' state and the desk's registry.
pub fn reset() -> Result<(), Error> {
    embedded::reset_embedded(&booking_engine::paths::data_dir()?)
        .map_err(|e| failed("The demo's bookings could not be cleared", e))
}
