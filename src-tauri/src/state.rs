//! What the app holds while it runs: the desk, who is signed in (if anyone), and the demo
//! provider when no configuration was given. A start-up failure is kept and shown, not a crash.

use booking_engine::auth::{Organisation, User};
use booking_engine::config::DeskConfig;
use booking_engine::secrets::{Keyring, Secret};
use booking_engine::{Desk, Engine, Error, ErrorKind};
use provider_sim::{RunningSim, embedded};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use tokio::sync::OnceCell;

use crate::interrupted::{Interrupted, Settler};

/// Shown in the header and the DEMO band.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppInfo {
    pub demo: bool,
    /// The embedded demo provider's address, when running the demo.
    pub provider_url: Option<String>,
    /// Who is signed in; `None` until someone signs in.
    pub user: Option<User>,
    pub organisation: Organisation,
    pub version: String,
}

/// The answer to a sign-in: who is signed in now, and what became of any bookings an earlier
/// run left in flight.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SignedIn {
    pub info: AppInfo,
    pub interrupted: Interrupted,
}

struct Ready {
    desk: Desk,
    keyring: Keyring,
    /// The signed-in person's engine. Nothing can reach a provider without one.
    engine: RwLock<Option<Engine>>,
    /// Kept so the demo provider runs as long as the app (and its platform key can be
    /// registered with it when first needed).
    demo: Option<Arc<RunningSim>>,
    /// The demo's configuration, kept while its provider runs: a CLI given it talks to this
    /// app's provider (the end-to-end test does so).
    _demo_config: Option<embedded::DemoConfig>,
    settler: Settler,
}

pub struct AppState {
    /// Opened once, in the background from the moment the app starts, so the window and the
    /// page load meanwhile; a command that arrives first waits for it.
    ready: Arc<OnceCell<Result<Ready, Error>>>,
    config: Option<PathBuf>,
    /// Asks the person where to save a file, in the system's dialog: set when the window's app
    /// starts (not in headless tests).
    choose_file: std::sync::OnceLock<ChooseFile>,
}

/// Opens a save dialog offering a file for the table named by its argument; the receiver gets
/// the file chosen, or `None` when the person cancels.
pub type ChooseFile =
    Box<dyn Fn(String) -> tokio::sync::oneshot::Receiver<Option<PathBuf>> + Send + Sync>;

impl AppState {
    /// `config`: a desk configuration file; `None` runs the embedded demo, as the CLI does.
    /// Opening starts now, on the async runtime, and is not waited for. Nobody is signed in yet:
    /// the app asks.
    pub fn opening(config: Option<PathBuf>) -> Self {
        let state = Self {
            ready: Arc::new(OnceCell::new()),
            config,
            choose_file: std::sync::OnceLock::new(),
        };
        let (cell, config) = (Arc::clone(&state.ready), state.config.clone());
        tauri::async_runtime::spawn(async move {
            cell.get_or_init(|| open(config)).await;
        });
        state
    }

    /// Opened before it is returned (tests).
    pub async fn open(config: Option<PathBuf>) -> Self {
        let state = Self::opening(config);
        let _ = state.ready().await;
        state
    }

    /// A state over an engine someone else built, already signed in (tests).
    pub fn from_engine(engine: Engine, demo: Option<RunningSim>) -> Self {
        let ready = Ready {
            desk: engine.desk().clone(),
            keyring: Keyring::new("default"),
            engine: RwLock::new(Some(engine)),
            demo: demo.map(Arc::new),
            _demo_config: None,
            settler: Settler::default(),
        };
        Self {
            ready: Arc::new(OnceCell::new_with(Some(Ok(ready)))),
            config: None,
            choose_file: std::sync::OnceLock::new(),
        }
    }

    /// How this app asks where to save a file (once, at start).
    pub fn set_file_chooser(&self, choose: ChooseFile) {
        let _ = self.choose_file.set(choose);
    }

    /// How this app asks where to save a file, when it can.
    pub fn file_chooser(&self) -> Option<&ChooseFile> {
        self.choose_file.get()
    }

    async fn ready(&self) -> Result<&Ready, Error> {
        self.ready
            .get_or_init(|| open(self.config.clone()))
            .await
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The signed-in person's engine, or a sign-in-required error.
    pub async fn engine(&self) -> Result<Engine, Error> {
        let ready = self.ready().await?;
        let engine = ready.engine.read().map_err(|_| poisoned())?;
        engine
            .clone()
            .ok_or_else(|| Error::new(ErrorKind::SignInRequired))
    }

    pub async fn keyring(&self) -> Result<Keyring, Error> {
        Ok(self.ready().await?.keyring.clone())
    }

    pub async fn info(&self) -> Result<AppInfo, Error> {
        let ready = self.ready().await?;
        let user = ready
            .engine
            .read()
            .map_err(|_| poisoned())?
            .as_ref()
            .map(|e| e.session().user.clone());
        Ok(AppInfo {
            demo: ready.demo.is_some(),
            provider_url: ready.demo.as_ref().map(|d| d.base_url()),
            user,
            organisation: ready.desk.organisation().clone(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        })
    }

    /// Signs `user` in, replacing whoever was signed in; at the first sign-in of the run, also
    /// settles the bookings an earlier run left in flight. Their check failing does not stop
    /// the sign-in: the answer carries the failure instead.
    pub async fn sign_in(&self, user: User) -> Result<SignedIn, Error> {
        let ready = self.ready().await?;
        let engine = ready.desk.sign_in(user)?;
        *ready.engine.write().map_err(|_| poisoned())? = Some(engine.clone());
        tracing::info!("signed in");
        let interrupted = ready
            .settler
            .settle_once(engine.reconcile_interrupted())
            .await;
        Ok(SignedIn {
            info: self.info().await?,
            interrupted,
        })
    }

    pub async fn sign_out(&self) -> Result<AppInfo, Error> {
        let ready = self.ready().await?;
        *ready.engine.write().map_err(|_| poisoned())? = None;
        tracing::info!("signed out");
        self.info().await
    }
}

/// A command panicked while holding the lock; say so rather than carry on in an unknown state.
fn poisoned() -> Error {
    Error::config("Booking Desk hit an internal fault and must be restarted.")
        .with_next_step("Close Booking Desk and open it again.")
}

async fn open(config: Option<PathBuf>) -> Result<Ready, Error> {
    let started = std::time::Instant::now();
    // The demo's configuration is this process's own, in a folder kept while the app runs.
    let (config_path, demo_config, demo) = match config {
        Some(path) => (path, None, None),
        None => {
            let dir = embedded::data_dir().ok_or_else(|| {
                Error::config("No home folder was found for the demo's data.")
                    .with_next_step("Set BOOKDESK_DATA_DIR to a writable folder.")
            })?;
            let (sim, demo_config) = embedded::start_embedded_keyless(&dir)
                .await
                .map_err(|e| Error::config(format!("The demo provider could not start: {e}")))?;
            tracing::debug!(ms = started.elapsed().as_millis(), "demo provider ready");
            (demo_config.path(), Some(demo_config), Some(Arc::new(sim)))
        }
    };
    let mut config = DeskConfig::load(&config_path)?;
    if demo.is_some() {
        config.audit_key = booking_engine::audit_key::AuditKeySource::DemoFile;
    }
    let desk = Desk::open(&config).await?;
    if let Some(sim) = &demo {
        // The demo's throwaway platform key takes a prime search of random length: made when a
        // BaRS service is first asked, not while the window opens, on two cores with the page.
        let sim = Arc::clone(sim);
        desk.use_platform_credentials_when_needed(async move {
            let made =
                tokio::task::spawn_blocking(move || embedded::register_throwaway_desk_key(&sim))
                    .await
                    .map_err(|e| {
                        Error::config(format!("The demo's platform key was not made: {e}"))
                    })?
                    .map_err(|e| {
                        Error::config(format!("The demo's platform key was not made: {e}"))
                    })?;
            Ok((Secret::new(made.api_key), Secret::new(made.private_key_pem)))
        })?;
    }
    tracing::info!(ms = started.elapsed().as_millis(), "desk open");
    Ok(Ready {
        desk,
        keyring: Keyring::new(config.secrets.namespace.clone()),
        engine: RwLock::new(None),
        demo,
        _demo_config: demo_config,
        settler: Settler::default(),
    })
}
