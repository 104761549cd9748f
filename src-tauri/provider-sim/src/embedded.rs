//! The simulator as the desk's built-in demo: started in-process on a loopback port, its
//! bookings kept in a folder between runs, with a desk configuration written beside them.
//! Both fronts start the demo through the `booking-demo` crate, which calls here.

use std::path::{Path, PathBuf};

use crate::{RunningSim, SimError, SimOptions, start};

/// An API key and the PKCS#8 PEM private key whose public half the simulated platform knows.
pub struct DemoPlatformCredentials {
    pub api_key: String,
    pub private_key_pem: String,
}

impl std::fmt::Debug for DemoPlatformCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DemoPlatformCredentials(***)")
    }
}

/// Makes a throwaway key pair and registers it with the running simulator's platform.
pub fn register_throwaway_desk_key(sim: &RunningSim) -> Result<DemoPlatformCredentials, SimError> {
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        SimError::InvalidOption(format!("the demo's platform key could not be {what}: {e}"))
    };
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
        .map_err(|e| failed("made", &e))?;
    let private_key_pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| failed("encoded", &e))?
        .to_string();
    let public = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| failed("encoded", &e))?;
    let api_key = format!("demo-{}", uuid::Uuid::new_v4());
    sim.register_desk_key(&api_key, &public)?;
    Ok(DemoPlatformCredentials {
        api_key,
        private_key_pem,
    })
}

/// The desk configuration for one process's demo. Each process writes its own, in a private
/// temporary folder (removed when this is dropped): a configuration shared in the data folder
/// was rewritten by every process that started, so processes started together used each
/// other's ports and platform keys.
pub struct DemoConfig {
    dir: tempfile::TempDir,
}

impl DemoConfig {
    /// `bookdesk.toml`, with `services.toml` beside it.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("bookdesk.toml")
    }
}

/// The demo's folder in the data folder: the provider's state and the desk's registry, which
/// every run shares (the demo remembers its bookings).
fn demo_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("demo")
}

/// The demo's folder, and any missing above it, owner-only: it holds the demo's bookings. The
/// demo folder is narrowed if an older run left it open; folders already above it are not ours.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let missing: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|d| !d.exists())
        .map(Path::to_path_buf)
        .collect();
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    for d in missing.iter().map(PathBuf::as_path).chain([dir]) {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Starts the demo with its state under `data_dir/demo`, and writes this process's
/// configuration for it; the desk's platform key is [`register_throwaway_desk_key`]'s, later.
pub async fn start_embedded(data_dir: &Path) -> Result<(RunningSim, DemoConfig), SimError> {
    let dir = demo_dir(data_dir);
    let failed = |what: &str, e: std::io::Error| SimError::InvalidOption(format!("{what}: {e}"));
    create_private_dir(&dir).map_err(|e| {
        failed(
            &format!("the demo folder {} could not be created", dir.display()),
            e,
        )
    })?;
    let sim = start(SimOptions {
        state_file: Some(dir.join("provider-state.json")),
        ..SimOptions::default()
    })
    .await?;
    let config = DemoConfig {
        dir: tempfile::Builder::new()
            .prefix("booking-desk-demo-")
            .tempdir()
            .map_err(|e| failed("the demo configuration's folder could not be made", e))?,
    };
    let store = dir.join("bookings.sqlite");
    sim.write_config_with_store(&config.path(), &store.to_string_lossy())
        .map_err(|e| failed("the demo configuration could not be written", e))?;
    Ok((sim, config))
}

/// Forgets the demo's bookings: the provider's state and the desk's registry beside it.
pub fn reset_embedded(data_dir: &Path) -> std::io::Result<()> {
    let dir = demo_dir(data_dir);
    for path in [
        dir.join("provider-state.json"),
        dir.join("bookings.sqlite"),
        dir.join("bookings.sqlite-wal"),
        dir.join("bookings.sqlite-shm"),
        // The desk's audit key and anchor for that registry go with it.
        dir.join("bookings.sqlite.audit-key"),
        dir.join("bookings.sqlite.audit-anchor"),
    ] {
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
