//! The simulator as the desk's built-in demo: started in-process on a loopback port, its
//! bookings kept in a folder between runs, with a desk configuration written beside them.
//! The CLI and the desktop app start the demo the same way through here.

use std::path::{Path, PathBuf};

use crate::{RunningSim, SimError, SimOptions, start};

/// A running demo and the desk configuration that points at it.
pub struct EmbeddedDemo {
    pub sim: RunningSim,
    pub config_path: PathBuf,
}

/// Where the desk keeps the demo: `BOOKDESK_DATA_DIR`, else the platform's data directory
/// (e.g. `~/.local/share/booking-desk`). `None` when there is no home folder.
pub fn data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("BOOKDESK_DATA_DIR") {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("uk.nhs", "Booking Desk", "booking-desk")
        .map(|d| d.data_dir().to_path_buf())
}

fn paths(data_dir: &Path) -> (PathBuf, PathBuf) {
    let dir = data_dir.join("demo");
    (dir.join("provider-state.json"), dir.join("bookdesk.toml"))
}

/// Starts the demo with its state under `data_dir/demo` and writes `bookdesk.toml` there.
pub async fn start_embedded(data_dir: &Path) -> Result<EmbeddedDemo, SimError> {
    let (state, config_path) = paths(data_dir);
    let dir = config_path.parent().unwrap_or(data_dir);
    std::fs::create_dir_all(dir).map_err(|e| {
        SimError::InvalidOption(format!(
            "the demo folder {} could not be created: {e}",
            dir.display()
        ))
    })?;
    let sim = start(SimOptions {
        state_file: Some(state),
        ..SimOptions::default()
    })
    .await?;
    sim.write_config(&config_path).map_err(|e| {
        SimError::InvalidOption(format!("the demo configuration could not be written: {e}"))
    })?;
    Ok(EmbeddedDemo { sim, config_path })
}

/// Forgets the demo's bookings: the provider's state and the desk's registry beside it.
pub fn reset_embedded(data_dir: &Path) -> std::io::Result<()> {
    let (state, config_path) = paths(data_dir);
    let dir = config_path.parent().unwrap_or(data_dir);
    for path in [
        state,
        dir.join("bookings.sqlite"),
        dir.join("bookings.sqlite-wal"),
        dir.join("bookings.sqlite-shm"),
    ] {
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
