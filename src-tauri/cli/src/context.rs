//! Where the engine comes from: a configuration file, or the embedded demo provider started
//! in-process with its state kept in the user's data directory between runs.

use booking_engine::audit_key::AuditKeySource;
use booking_engine::config::DeskConfig;
use booking_engine::secrets::Secret;
use booking_engine::{Desk, Engine, Error};
use provider_sim::RunningSim;
use provider_sim::embedded;
use std::path::{Path, PathBuf};

pub struct Context {
    pub engine: Engine,
    /// Kept alive for the command's lifetime when running on the demo.
    pub demo: Option<RunningSim>,
}

/// The folder for the demo's state.
pub fn data_dir() -> Result<PathBuf, Error> {
    embedded::data_dir().ok_or_else(|| {
        Error::config("No home folder was found for the demo's data.")
            .with_next_step("Set BOOKDESK_DATA_DIR to a writable folder, or pass --config.")
    })
}

pub async fn open(config: Option<&Path>) -> Result<Context, Error> {
    let context = open_engine(config).await?;
    settle_interrupted(&context.engine).await;
    Ok(context)
}

/// Bookings a previous run left in flight (it was killed, or the machine stopped) are looked for
/// at their services before anything else, and what became of each is said on stderr.
async fn settle_interrupted(engine: &Engine) {
    match engine.reconcile_interrupted().await {
        Ok(list) => {
            for r in list {
                tell!("INTERRUPTED BOOKING: {}", r.message);
            }
        }
        Err(e) => tell!(
            "Interrupted bookings could not be checked: {} {}",
            e.message,
            e.next_step
        ),
    }
}

async fn open_engine(config: Option<&Path>) -> Result<Context, Error> {
    if let Some(path) = config {
        let cfg = DeskConfig::load(path)?;
        let engine = if cfg.cis2.is_some() {
            // Who is asking comes from the sign-in `bookdesk login` kept, checked before the
            // registry is opened.
            let desk = Desk::open(&cfg).await?;
            crate::signin::signed_in(&desk, &cfg)?
        } else {
            Engine::open(cfg).await?
        };
        return Ok(Context { engine, demo: None });
    }
    let demo = embedded::start_embedded(&data_dir()?)
        .await
        .map_err(|e| Error::config(format!("The demo provider could not start: {e}")))?;
    tell!(
        "DEMO: simulated services, not live (embedded demo provider at {}).",
        demo.sim.base_url()
    );
    // Read now: the configuration's folder goes with `demo.config` at the end of this function.
    let mut cfg = DeskConfig::load(&demo.config.path())?;
    cfg.audit_key = AuditKeySource::DemoFile;
    let desk = Desk::open(&cfg).await?;
    desk.use_platform_credentials(
        Secret::new(demo.platform.api_key),
        Secret::new(demo.platform.private_key_pem),
    )?;
    // The simulated Directory of Services' demo account.
    desk.use_dos_password(Secret::new(provider_sim::DEMO_DOS_PASSWORD))?;
    let user = cfg.session()?.user;
    Ok(Context {
        engine: desk.sign_in(user)?,
        demo: Some(demo.sim),
    })
}

/// Forgets the demo's bookings: the provider's state and the desk's registry.
pub fn reset_demo() -> Result<(), Error> {
    embedded::reset_embedded(&data_dir()?)
        .map_err(|e| Error::config(format!("The demo's bookings could not be cleared: {e}")))
}
