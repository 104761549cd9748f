//! What the app holds while it runs: the engine, who is signed in, and the demo provider when
//! no configuration was given. A start-up failure is kept and shown, not a crash.

use booking_engine::config::DeskConfig;
use booking_engine::{Engine, Error};
use provider_sim::{RunningSim, embedded};
use serde::Serialize;
use std::path::PathBuf;

/// Shown in the header and the DEMO band.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppInfo {
    pub demo: bool,
    /// The embedded demo provider's address, when running the demo.
    pub provider_url: Option<String>,
    pub user_name: String,
    pub user_role: booking_engine::auth::Role,
    pub organisation_name: String,
    pub organisation_ods: String,
    pub version: String,
}

struct Ready {
    engine: Engine,
    info: AppInfo,
    /// Kept so the demo provider runs as long as the app.
    _demo: Option<RunningSim>,
}

pub struct AppState {
    ready: Result<Ready, Error>,
}

impl AppState {
    /// `config`: a desk configuration file; `None` runs the embedded demo, as the CLI does.
    pub async fn open(config: Option<PathBuf>) -> Self {
        Self {
            ready: open(config).await,
        }
    }

    /// A state over an engine someone else built (tests).
    pub fn from_engine(engine: Engine, demo: Option<RunningSim>) -> Self {
        let info = info(&engine, demo.as_ref());
        Self {
            ready: Ok(Ready {
                engine,
                info,
                _demo: demo,
            }),
        }
    }

    pub fn engine(&self) -> Result<&Engine, Error> {
        self.ready.as_ref().map(|r| &r.engine).map_err(Clone::clone)
    }

    pub fn info(&self) -> Result<AppInfo, Error> {
        self.ready
            .as_ref()
            .map(|r| r.info.clone())
            .map_err(Clone::clone)
    }
}

fn info(engine: &Engine, demo: Option<&RunningSim>) -> AppInfo {
    let s = engine.session();
    AppInfo {
        demo: demo.is_some(),
        provider_url: demo.map(|d| d.base_url()),
        user_name: s.user.name.clone(),
        user_role: s.user.role,
        organisation_name: s.organisation.name.clone(),
        organisation_ods: s.organisation.ods.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    }
}

async fn open(config: Option<PathBuf>) -> Result<Ready, Error> {
    let (config_path, demo) = match config {
        Some(path) => (path, None),
        None => {
            let dir = embedded::data_dir().ok_or_else(|| {
                Error::config("No home folder was found for the demo's data.")
                    .with_next_step("Set BOOKDESK_DATA_DIR to a writable folder.")
            })?;
            let demo = embedded::start_embedded(&dir)
                .await
                .map_err(|e| Error::config(format!("The demo provider could not start: {e}")))?;
            (demo.config_path, Some(demo.sim))
        }
    };
    let engine = Engine::open(DeskConfig::load(&config_path)?).await?;
    let info = info(&engine, demo.as_ref());
    Ok(Ready {
        engine,
        info,
        _demo: demo,
    })
}
