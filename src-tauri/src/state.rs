//! What the app holds while it runs: the desk, who is signed in (if anyone), and the demo
//! provider when no configuration was found (in a build with the demo). A start-up failure is
//! kept and shown, not a crash.

use booking_engine::auth::cis2::{ProvedIdentity, RoleChoice};
use booking_engine::auth::idle::IdleLock;
use booking_engine::auth::{Organisation, User};
use booking_engine::config::{DeskConfig, Located};
use booking_engine::secrets::Keyring;
use booking_engine::{Desk, Engine, Error, ErrorKind};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Instant;
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
    /// The desk was left too long: the person must sign in again before anything else, and the
    /// screen hides the patient meanwhile.
    pub locked: bool,
    /// Minutes unused after which the desk locks.
    pub idle_lock_minutes: u32,
    pub sign_in: SignInMode,
}

/// How people sign in at this desk.
#[derive(Debug, Clone, Copy, Serialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum SignInMode {
    /// NHS CIS2: the smartcard or authenticator, in the system browser.
    Cis2,
    /// By name: only the demo, or a desk whose every service is a simulator on this machine.
    Named,
    /// Neither: the configuration has no `[cis2]` and reaches real services.
    Unconfigured,
}

/// The answer to a CIS2 sign-in: signed in, or the person's roles here to choose one from.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Cis2SignIn {
    SignedIn(Box<SignedIn>),
    ChooseRole {
        name: String,
        choices: Vec<RoleChoice>,
    },
}

/// The answer to a sign-in: who is signed in now, and what became of any bookings an earlier
/// run left in flight.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SignedIn {
    pub info: AppInfo,
    pub interrupted: Interrupted,
    /// The same person as was signed in before (after the desk locked, say): their screen may
    /// carry on where it was. Anyone else starts afresh.
    pub same_person: bool,
}

struct Ready {
    desk: Desk,
    keyring: Keyring,
    /// The signed-in person's engine. Nothing can reach a provider without one.
    engine: RwLock<Option<Engine>>,
    /// The demo, kept running as long as the app.
    demo: Option<DemoRunning>,
    settler: Settler,
    idle: IdleLock,
    /// A person proved by CIS2 who has yet to choose which of their roles to work in.
    pending: std::sync::Mutex<Option<ProvedIdentity>>,
}

/// The demo services this app runs on: their address, and what keeps them running.
pub struct DemoRunning {
    url: String,
    _keep: Box<dyn std::any::Any + Send + Sync>,
}

impl DemoRunning {
    pub fn new(url: String, keep: impl std::any::Any + Send + Sync) -> Self {
        Self {
            url,
            _keep: Box::new(keep),
        }
    }
}

/// Shows the provider's sign-in page; the system browser unless tests give their own.
pub type Browser = Arc<dyn Fn(&str) -> Result<(), Error> + Send + Sync>;

/// The monotonic clock the idle lock is measured on; tests set their own.
pub type Monotonic = Arc<dyn Fn() -> Instant + Send + Sync>;

pub struct AppState {
    /// Opened once, in the background from the moment the app starts, so the window and the
    /// page load meanwhile; a command that arrives first waits for it.
    ready: Arc<OnceCell<Result<Ready, Error>>>,
    config: Option<PathBuf>,
    /// Asks the person where to save a file, in the system's dialog: set when the window's app
    /// starts (not in headless tests).
    choose_file: std::sync::OnceLock<ChooseFile>,
    now: RwLock<Monotonic>,
    browser: RwLock<Browser>,
    /// Wakes a sign-in waiting on the browser when the person gives up on it.
    give_up: tokio::sync::Notify,
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
            now: RwLock::new(Arc::new(Instant::now)),
            browser: RwLock::new(Arc::new(booking_engine::auth::cis2::open_system_browser)),
            give_up: tokio::sync::Notify::new(),
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
    pub fn from_engine(engine: Engine, demo: Option<DemoRunning>) -> Self {
        let idle = IdleLock::new(engine.desk().idle_lock_minutes(), Instant::now());
        let ready = Ready {
            desk: engine.desk().clone(),
            keyring: Keyring::new("default"),
            engine: RwLock::new(Some(engine)),
            demo,
            settler: Settler::default(),
            idle,
            pending: Default::default(),
        };
        Self {
            ready: Arc::new(OnceCell::new_with(Some(Ok(ready)))),
            config: None,
            choose_file: std::sync::OnceLock::new(),
            now: RwLock::new(Arc::new(Instant::now)),
            browser: RwLock::new(Arc::new(booking_engine::auth::cis2::open_system_browser)),
            give_up: tokio::sync::Notify::new(),
        }
    }

    /// Measures idleness on `now` instead of the system's monotonic clock (tests).
    pub fn set_monotonic_clock(&self, now: Monotonic) {
        if let Ok(mut n) = self.now.write() {
            *n = now;
        }
    }

    /// Shows sign-in pages with `browser` instead of the system browser (tests).
    pub fn set_browser(&self, browser: Browser) {
        if let Ok(mut b) = self.browser.write() {
            *b = browser;
        }
    }

    fn browser(&self) -> Browser {
        self.browser
            .read()
            .map(|b| Arc::clone(&b))
            .unwrap_or_else(|_| Arc::new(booking_engine::auth::cis2::open_system_browser))
    }

    fn now(&self) -> Instant {
        self.now
            .read()
            .map(|n| n())
            .unwrap_or_else(|_| Instant::now())
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

    /// The desk, once it has opened.
    pub async fn desk(&self) -> Option<&Desk> {
        self.ready().await.ok().map(|r| &r.desk)
    }

    /// The signed-in person's engine, or a sign-in-required error.
    pub async fn engine(&self) -> Result<Engine, Error> {
        let ready = self.ready().await?;
        let engine = ready
            .engine
            .read()
            .map_err(|_| poisoned())?
            .clone()
            .ok_or_else(|| Error::new(ErrorKind::SignInRequired))?;
        // Every command in the person's name is a use of the desk; one after the desk was left
        // too long is refused. Work already under way holds its engine and finishes.
        ready.idle.touch(self.now())?;
        Ok(engine)
    }

    /// The person is still at the desk (typing, reading): the UI says so now and then, so a
    /// long read is not taken for an empty desk. Refused once the desk has locked.
    pub async fn still_here(&self) -> Result<(), Error> {
        self.engine().await.map(drop)
    }

    /// Locks the desk at once (the person is stepping away).
    pub async fn lock(&self) -> Result<AppInfo, Error> {
        self.ready().await?.idle.lock();
        tracing::info!("desk locked");
        self.info().await
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
        let locked = user.is_some() && ready.idle.is_locked(self.now());
        Ok(AppInfo {
            demo: ready.demo.is_some(),
            provider_url: ready.demo.as_ref().map(|d| d.url.clone()),
            user,
            organisation: ready.desk.organisation().clone(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            locked,
            idle_lock_minutes: ready.idle.minutes(),
            sign_in: if ready.desk.cis2_settings().is_some() {
                SignInMode::Cis2
            } else if ready.desk.unproved_sign_in_allowed() {
                SignInMode::Named
            } else {
                SignInMode::Unconfigured
            },
        })
    }

    /// Signs `user` in, replacing whoever was signed in; at the first sign-in of the run, also
    /// settles the bookings an earlier run left in flight. Their check failing does not stop
    /// the sign-in: the answer carries the failure instead.
    pub async fn sign_in(&self, user: User) -> Result<SignedIn, Error> {
        let ready = self.ready().await?;
        let engine = ready.desk.sign_in(user)?;
        self.enter(ready, engine).await
    }

    /// Signs in with CIS2: the provider's page in the browser, the ID token checked, and the
    /// person's roles here. One role signs them in; several are offered to choose from.
    pub async fn sign_in_cis2(&self) -> Result<Cis2SignIn, Error> {
        let ready = self.ready().await?;
        let identity = self.prove_at_provider(ready).await?;
        let mut choices = ready.desk.choices(&identity)?;
        if choices.len() == 1 {
            let engine = ready.desk.sign_in_proved(&identity, &choices.remove(0))?;
            return Ok(Cis2SignIn::SignedIn(Box::new(
                self.enter(ready, engine).await?,
            )));
        }
        let name = identity.name().to_string();
        *ready.pending.lock().map_err(|_| poisoned())? = Some(identity);
        Ok(Cis2SignIn::ChooseRole { name, choices })
    }

    /// The role a person proved by [`AppState::sign_in_cis2`] chose, by its role profile id
    /// and desk role: only one of those offered.
    pub async fn choose_role(&self, choice: RoleChoice) -> Result<SignedIn, Error> {
        let ready = self.ready().await?;
        let identity = ready
            .pending
            .lock()
            .map_err(|_| poisoned())?
            .take()
            .ok_or_else(|| {
                Error::new(ErrorKind::SignInRequired)
                    .with_message("There is no sign-in waiting for a role to be chosen.")
                    .with_next_step("Sign in again.")
            })?;
        let engine = ready.desk.sign_in_proved(&identity, &choice)?;
        self.enter(ready, engine).await
    }

    /// A clinician proves who they are, in the browser, to approve a late slot for the person
    /// signed in.
    pub async fn approve_with_cis2(&self) -> Result<booking_engine::clinical::Approver, Error> {
        let engine = self.engine().await?;
        let browser = self.browser();
        self.unless_given_up(engine.desk().approver_signing_in(|url| browser(url)))
            .await
    }

    async fn prove_at_provider(&self, ready: &Ready) -> Result<ProvedIdentity, Error> {
        let browser = self.browser();
        self.unless_given_up(async {
            let cis2 = ready.desk.cis2().await?;
            cis2.sign_in(|url| browser(url)).await
        })
        .await
    }

    /// Stops the sign-in waiting on the browser, if there is one: its loopback listener closes,
    /// and it answers that it was cancelled. With none waiting, nothing is kept for the next.
    pub fn cancel_sign_in(&self) {
        self.give_up.notify_waiters();
    }

    /// `work`, unless [`AppState::cancel_sign_in`] comes first.
    async fn unless_given_up<T>(
        &self,
        work: impl std::future::Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        // Listening from before the work starts, so a cancel while it runs is never missed.
        let given_up = self.give_up.notified();
        tokio::select! {
            done = work => done,
            () = given_up => Err(Error::new(ErrorKind::SignInRequired)
                .with_message("The sign-in was cancelled.")
                .with_next_step("Sign in again when you are ready.")),
        }
    }

    /// `engine` is the desk's person now; the desk unlocks for them.
    async fn enter(&self, ready: &Ready, engine: Engine) -> Result<SignedIn, Error> {
        let same_person = {
            let mut current = ready.engine.write().map_err(|_| poisoned())?;
            let before = current.replace(engine.clone());
            before.is_some_and(|b| same_person(&b.session().user, &engine.session().user))
        };
        ready.idle.unlock(self.now());
        tracing::info!("signed in");
        let interrupted = match ready
            .settler
            .settle_once(engine.reconcile_interrupted())
            .await
        {
            Some(first) => first,
            // Someone else takes the desk: what the last person left unknown is settled now,
            // and this person told, rather than left until a later look or start.
            None if !same_person => Interrupted {
                left_open: engine.settle_left_open().await,
                ..Interrupted::default()
            },
            None => Interrupted::default(),
        };
        Ok(SignedIn {
            info: self.info().await?,
            interrupted,
            same_person,
        })
    }

    pub async fn sign_out(&self) -> Result<AppInfo, Error> {
        let ready = self.ready().await?;
        *ready.engine.write().map_err(|_| poisoned())? = None;
        tracing::info!("signed out");
        self.info().await
    }
}

/// The same person in the same role: their screen may carry on after a lock.
fn same_person(a: &User, b: &User) -> bool {
    a.sds_user_id == b.sds_user_id
        && a.name == b.name
        && a.role == b.role
        && a.sds_role_profile_id == b.sds_role_profile_id
}

/// A command panicked while holding the lock; say so rather than carry on in an unknown state.
fn poisoned() -> Error {
    Error::internal("Booking Desk hit an internal fault and must be restarted.")
        .with_next_step("Close Booking Desk and open it again.")
}

async fn open(config: Option<PathBuf>) -> Result<Ready, Error> {
    let started = std::time::Instant::now();
    let (desk, config, demo) = match booking_engine::config::locate(config.as_deref())? {
        Located::Found(config, _) => (Desk::open(&config).await?, *config, None),
        Located::Nothing => open_demo().await?,
    };
    tracing::info!(ms = started.elapsed().as_millis(), "desk open");
    let idle = IdleLock::new(desk.idle_lock_minutes(), Instant::now());
    Ok(Ready {
        desk,
        keyring: Keyring::new(config.secrets.namespace.clone()),
        engine: RwLock::new(None),
        demo,
        settler: Settler::default(),
        idle,
        pending: Default::default(),
    })
}

/// No configuration was found: the demo, in a build that has it.
#[cfg(feature = "demo")]
async fn open_demo() -> Result<(Desk, DeskConfig, Option<DemoRunning>), Error> {
    let demo = booking_demo::Demo::start().await?;
    // The demo's throwaway platform key takes a prime search of random length: made when a BaRS
    // service is first asked, not while the window opens, on two cores with the page.
    let desk = demo
        .open_desk(booking_demo::PlatformKey::WhenNeeded)
        .await?;
    let config = demo.config.clone();
    Ok((
        desk,
        config,
        Some(DemoRunning::new(demo.provider_url(), demo)),
    ))
}

/// No configuration was found, and this build has no demo: say what to configure, and where.
#[cfg(not(feature = "demo"))]
async fn open_demo() -> Result<(Desk, DeskConfig, Option<DemoRunning>), Error> {
    Err(booking_engine::config::not_configured())
}
