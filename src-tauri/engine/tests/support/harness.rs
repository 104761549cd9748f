//! A running provider-sim on loopback and an engine configured against it, as a desk would be.
#![allow(dead_code)] // each test binary uses a different part of the harness

use std::sync::{Arc, OnceLock};

use booking_engine::clinical::ClinicalSummary;
use booking_engine::config::DeskConfig;
use booking_engine::ids::{NhsNumber, ServiceId};
use booking_engine::secrets::Secret;
use booking_engine::standards::SearchWindow;
use booking_engine::views::SlotView;
use booking_engine::{Desk, Engine};

use booking_engine::clock::{Clock, ClockFrom};
use chrono::{DateTime, Duration, Utc};
use provider_sim::{RunningSim, SimOptions};

pub struct Harness {
    pub sim: RunningSim,
    pub engine: Engine,
    pub config: DeskConfig,
    pub dir: tempfile::TempDir,
}

/// The instant every harness test runs at (see [`provider_sim::clock::test_instant`]).
pub fn test_instant() -> DateTime<Utc> {
    provider_sim::clock::test_instant()
}

/// A clock for a desk, reading [`test_instant`] now and running on from there.
pub fn test_clock() -> Arc<dyn Clock> {
    Arc::new(ClockFrom::new(test_instant()))
}

pub async fn start(mut opts: SimOptions) -> Harness {
    let dir = tempfile::tempdir().expect("tempdir");
    opts.start_at = opts.start_at.or_else(|| Some(test_instant()));
    let sim = provider_sim::start(opts).await.expect("simulator starts");
    let path = dir.path().join("bookdesk.toml");
    sim.write_config(&path).expect("config written");
    let config = DeskConfig::load(&path).expect("config loads");
    let engine = open_desk(&sim, &config).await;
    Harness {
        sim,
        engine,
        config,
        dir,
    }
}

/// A throwaway platform key pair (private, public PEM), made once per test binary: RSA key
/// generation is slow.
fn platform_key() -> &'static (String, String) {
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    static KEY: OnceLock<(String, String)> = OnceLock::new();
    KEY.get_or_init(|| {
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("keygen");
        (
            key.to_pkcs8_pem(LineEnding::LF).expect("pem").to_string(),
            key.to_public_key()
                .to_public_key_pem(LineEnding::LF)
                .expect("pem"),
        )
    })
}

/// The desk of `config`, signed in as its user, with platform credentials the simulator knows
/// (in place of the keyring's, which the keyring tests cover).
pub async fn open_desk(sim: &RunningSim, config: &DeskConfig) -> Engine {
    let (desk, api_key, private) = desk_with_registered_key(sim, config).await;
    desk.use_platform_credentials(api_key, private)
        .expect("credentials");
    signed_in(&desk, config)
}

/// As [`open_desk`], with the platform credentials made only when a BaRS service is first
/// asked; `made` turns true then.
pub async fn open_desk_making_credentials_when_needed(
    sim: &RunningSim,
    config: &DeskConfig,
    made: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Engine {
    let (desk, api_key, private) = desk_with_registered_key(sim, config).await;
    desk.use_platform_credentials_when_needed(async move {
        made.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok((api_key, private))
    })
    .expect("credentials to come");
    signed_in(&desk, config)
}

/// The desk of `config`, and an API key and signing key the simulator's platform knows.
async fn desk_with_registered_key(sim: &RunningSim, config: &DeskConfig) -> (Desk, Secret, Secret) {
    let (private, public) = platform_key();
    let api_key = format!("harness-{}", uuid::Uuid::new_v4());
    sim.register_desk_key(&api_key, public)
        .expect("key registered");
    let desk = Desk::open(config)
        .await
        .expect("desk opens")
        .with_clock(test_clock())
        .expect("a new desk takes a clock");
    // The simulated Directory of Services' demo account (the keyring holds it on a real desk).
    desk.use_dos_password(Secret::new(provider_sim::DEMO_DOS_PASSWORD))
        .expect("DoS password");
    (desk, Secret::new(api_key), Secret::new(private.clone()))
}

fn signed_in(desk: &Desk, config: &DeskConfig) -> Engine {
    desk.sign_in(config.session().expect("session").user)
        .expect("signed in")
}

/// Another engine (another desk) sharing nothing but the provider.
pub async fn second_desk(h: &Harness) -> Engine {
    let mut config = h.config.clone();
    config.store = h
        .dir
        .path()
        .join("desk2.sqlite")
        .to_string_lossy()
        .into_owned();
    open_desk(&h.sim, &config).await
}

pub fn service_of(h: &Harness, kind: &str, standard: &str) -> ServiceId {
    h.sim
        .services()
        .into_iter()
        .find(|s| s.kind == kind && s.standard == standard)
        .map(|s| ServiceId::parse(&s.id).expect("id"))
        .expect("demo region has such a service")
}

/// The example triage summary, assessed just now with a long timeframe, so neither stands in
/// the way of a test's booking.
pub fn triage_summary() -> ClinicalSummary {
    let mut s: ClinicalSummary = serde_json::from_str(include_str!(
        "../../../../tests/fixtures/triage-summary.json"
    ))
    .expect("the example summary parses");
    s.triage.assessed_at = test_instant().fixed_offset();
    s.triage.timeframe_minutes = 14 * 24 * 60;
    s
}

pub fn jane() -> NhsNumber {
    NhsNumber::parse("9434765919").expect("valid")
}

/// Today (in the UK, at the test's instant) and the six days after it: a week's search.
pub fn this_week() -> SearchWindow {
    let today = test_clock().uk_today();
    SearchWindow::new(today, today + Duration::days(6)).expect("window")
}

/// Free slots from tomorrow on, so nothing starts while a test runs.
pub async fn slots_ahead(engine: &Engine, service: &ServiceId) -> Vec<SlotView> {
    let today = engine.clock().uk_today();
    let window =
        SearchWindow::new(today + Duration::days(1), today + Duration::days(8)).expect("window");
    let slots = engine
        .search_service(service, &window)
        .await
        .expect("search");
    assert!(!slots.is_empty(), "demo service {service} offers slots");
    slots
}

/// The desk of `config` at the test's instant, signed in as the configuration's user, with no
/// platform credentials (as `Engine::open` opens a desk, but on the test clock).
pub async fn open_engine(config: &DeskConfig) -> Engine {
    let desk = Desk::open(config)
        .await
        .expect("desk opens")
        .with_clock(test_clock())
        .expect("a new desk takes a clock");
    signed_in(&desk, config)
}

/// Jane's booking of `slot`, booked beside anything she already has: the plain request the
/// tests vary.
pub fn jane_books(
    service: &ServiceId,
    slot: &SlotView,
    description: &str,
) -> booking_engine::booking::BookRequest {
    booking_engine::booking::BookRequest {
        slot_start: Some(slot.start),
        nhs_number: Some(jane()),
        book_anyway: true,
        ..booking_engine::booking::BookRequest::new(
            service.clone(),
            vec![slot.id.clone()],
            description,
        )
    }
}

/// A plain booking of `slots` at `service` for the patient `nhs`: a description, no triage
/// summary, booked beside any other appointment.
pub fn book_request(
    service: &ServiceId,
    slots: Vec<booking_engine::ids::SlotId>,
    nhs: NhsNumber,
) -> booking_engine::booking::BookRequest {
    booking_engine::booking::BookRequest {
        nhs_number: Some(nhs),
        comment: Some("Call back on 07700 900123".into()),
        book_anyway: true,
        ..booking_engine::booking::BookRequest::new(
            service.clone(),
            slots,
            "Sore throat and fever for 3 days",
        )
    }
}
