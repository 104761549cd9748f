//! Where the engine comes from: a configuration file, or the embedded demo provider started
//! in-process with its state kept in the user's data directory between runs.

use booking_engine::config::DeskConfig;
use booking_engine::{Engine, Error};
use provider_sim::{RunningSim, SimOptions};
use std::path::{Path, PathBuf};

pub struct Context {
    pub engine: Engine,
    /// Kept alive for the command's lifetime when running on the demo.
    pub demo: Option<RunningSim>,
}

/// The folder for the demo's state: `BOOKDESK_DATA_DIR`, else the platform's data directory.
pub fn data_dir() -> Result<PathBuf, Error> {
    if let Some(dir) = std::env::var_os("BOOKDESK_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("uk.nhs", "Booking Desk", "booking-desk")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| {
            Error::config("No home folder was found for the demo's data.")
                .with_next_step("Set BOOKDESK_DATA_DIR to a writable folder, or pass --config.")
        })
}

fn demo_paths() -> Result<(PathBuf, PathBuf), Error> {
    let dir = data_dir()?.join("demo");
    Ok((dir.join("provider-state.json"), dir.join("bookdesk.toml")))
}

pub async fn open(config: Option<&Path>) -> Result<Context, Error> {
    if let Some(path) = config {
        let cfg = DeskConfig::load(path)?;
        return Ok(Context {
            engine: Engine::open(cfg).await?,
            demo: None,
        });
    }
    let (state, config_path) = demo_paths()?;
    let dir = config_path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::config(format!(
            "The demo folder {} could not be created: {e}",
            dir.display()
        ))
    })?;
    let sim = provider_sim::start(SimOptions {
        state_file: Some(state),
        ..SimOptions::default()
    })
    .await
    .map_err(|e| Error::config(format!("The demo provider could not start: {e}")))?;
    sim.write_config(&config_path)
        .map_err(|e| Error::config(format!("The demo configuration could not be written: {e}")))?;
    eprintln!(
        "DEMO: simulated services, not live (embedded demo provider at {}).",
        sim.base_url()
    );
    let cfg = DeskConfig::load(&config_path)?;
    Ok(Context {
        engine: Engine::open(cfg).await?,
        demo: Some(sim),
    })
}

/// Forgets the demo's bookings: the provider's state and the desk's registry.
pub fn reset_demo() -> Result<(), Error> {
    let (state, config_path) = demo_paths()?;
    let dir = config_path.parent().unwrap_or(Path::new("."));
    for path in [
        state,
        dir.join("bookings.sqlite"),
        dir.join("bookings.sqlite-wal"),
        dir.join("bookings.sqlite-shm"),
    ] {
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::config(format!(
                    "{} could not be removed: {e}",
                    path.display()
                )));
            }
        }
    }
    Ok(())
}
