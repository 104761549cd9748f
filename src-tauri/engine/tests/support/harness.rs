//! A running provider-sim on loopback and an engine configured against it, as a desk would be.
#![allow(dead_code)] // each test binary uses a different part of the harness

use booking_engine::Engine;
use booking_engine::config::DeskConfig;
use booking_engine::ids::{NhsNumber, ServiceId};
use booking_engine::standards::SearchWindow;
use booking_engine::views::SlotView;
use chrono::{Duration, Local};
use provider_sim::{RunningSim, SimOptions};

pub struct Harness {
    pub sim: RunningSim,
    pub engine: Engine,
    pub config: DeskConfig,
    pub dir: tempfile::TempDir,
}

pub async fn start(opts: SimOptions) -> Harness {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = provider_sim::start(opts).await.expect("simulator starts");
    let path = dir.path().join("bookdesk.toml");
    sim.write_config(&path).expect("config written");
    let config = DeskConfig::load(&path).expect("config loads");
    let engine = Engine::open(config.clone()).await.expect("engine opens");
    Harness {
        sim,
        engine,
        config,
        dir,
    }
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
    Engine::open(config).await.expect("engine opens")
}

pub fn service_of(h: &Harness, kind: &str, standard: &str) -> ServiceId {
    h.sim
        .services()
        .into_iter()
        .find(|s| s.kind == kind && s.standard == standard)
        .map(|s| ServiceId::parse(&s.id).expect("id"))
        .expect("demo region has such a service")
}

pub fn jane() -> NhsNumber {
    NhsNumber::parse("9434765919").expect("valid")
}

/// Free slots from tomorrow on, so nothing starts while a test runs.
pub async fn slots_ahead(engine: &Engine, service: &ServiceId) -> Vec<SlotView> {
    let today = Local::now().date_naive();
    let window =
        SearchWindow::new(today + Duration::days(1), today + Duration::days(8)).expect("window");
    let slots = engine
        .search_service(service, &window)
        .await
        .expect("search");
    assert!(!slots.is_empty(), "demo service {service} offers slots");
    slots
}
