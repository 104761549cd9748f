//! Where the engine comes from: the configuration found (a file named, or the managed one with
//! the person's own over it), or else the embedded demo in a build that has it.

use booking_engine::config::Located;
use booking_engine::{Desk, Engine, Error};
use std::path::Path;

pub struct Context {
    pub engine: Engine,
    /// Kept alive for the command's lifetime when running on the demo.
    #[cfg(feature = "demo")]
    pub demo: Option<booking_demo::Demo>,
}

impl Context {
    /// Stops the demo services, if the command ran on them.
    pub async fn close(self) {
        #[cfg(feature = "demo")]
        if let Some(demo) = self.demo {
            demo.shutdown().await;
        }
    }
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
    let cfg = match booking_engine::config::locate(config)? {
        Located::Found(cfg, _) => cfg,
        Located::Nothing => return open_demo().await,
    };
    let engine = if cfg.cis2.is_some() {
        // Who is asking comes from the sign-in `bookdesk login` kept, checked before the
        // registry is opened.
        let desk = Desk::open(&cfg).await?;
        crate::signin::signed_in(&desk, &cfg)?
    } else {
        Engine::open(*cfg).await?
    };
    Ok(Context {
        engine,
        #[cfg(feature = "demo")]
        demo: None,
    })
}

#[cfg(feature = "demo")]
async fn open_demo() -> Result<Context, Error> {
    let demo = booking_demo::Demo::start().await?;
    tell!(
        "DEMO: simulated services, not live (embedded demo provider at {}).",
        demo.provider_url()
    );
    Ok(Context {
        engine: demo.open_engine().await?,
        demo: Some(demo),
    })
}

#[cfg(not(feature = "demo"))]
async fn open_demo() -> Result<Context, Error> {
    Err(booking_engine::config::not_configured())
}
