//! A simulated provider for Booking Desk: many GP Connect, UEC Booking and BaRS services of a
//! fictional region on one loopback port, with strict request checking, optional persistence
//! and fault injection. It is the desk's demo default and the engine's test peer.

mod admin;
mod auth;
mod bars;
mod capability;
pub mod clock;
mod config;
mod dispatch;
pub mod embedded;
mod faults;
mod fhir_time;
mod gp_connect;
mod handler;
mod itk;
mod json_util;
mod national;
mod nhs_number;
mod outcome;
mod pds;
pub mod pki;
mod query;
mod resources;
mod routes;
mod seed;
mod seed_bookings;
mod server;
mod sim;
mod slots;
mod state;
mod state_lock;
mod systems;
mod tls;
mod token;
mod uec;

pub use state::{BarsBooking, ReceivedReport};
pub use tls::SimTls;
pub use token::PlatformClient;

use serde::Serialize;
use sim::Sim;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Booking Desk's own ASID, as written into the generated configuration.
pub const CONSUMER_ASID: &str = "200000000359";

/// The key id the generated configuration tells the desk its platform signing key has; see
/// [`RunningSim::register_desk_key`].
pub const DEMO_PLATFORM_KEY_ID: &str = "booking-desk-demo";

/// The simulated Directory of Services' demo account (`userInfo` `username`), which has the
/// `webService` permission. The password goes to the desk's keyring, never to a file.
pub const DEMO_DOS_USERNAME: &str = "bookdesk-demo";
/// The demo account's password.
pub const DEMO_DOS_PASSWORD: &str = "Demo-DoS-1234";
/// A demo account without the `webService` permission: DoS answers fault 303.
pub const DEMO_DOS_UNPRIVILEGED_USERNAME: &str = "bookdesk-no-webservice";
/// The API key the simulated SDS accepts in its `apikey` header.
pub const DEMO_SDS_API_KEY: &str = "bookdesk-demo-sds-key";

/// A service only the national directories hold.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct DirectoryService {
    /// Its DoS service id (`serviceCareSummaryDestination/id`).
    pub dos_service_id: &'static str,
    pub ods: &'static str,
    pub name: &'static str,
}

/// The national directories' special services (see [`RunningSim::dos_url`],
/// [`RunningSim::sds_url`]). None is in [`RunningSim::services`]. Searching DoS from
/// `search_postcode` at a weekday 10:00 finds them: the bookable-looking three with disposition
/// 1005 (Dx05), symptom group 1010 and discriminator 4003; the pharmacy with 1080 (Dx80) and the
/// dental service with 1017 (Dx17), both symptom group 1206 and discriminator 4193.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct NationalCases {
    /// Not bookable (no endpoint; "call to refer" with a phone): a pharmacy.
    pub not_bookable_pharmacy: DirectoryService,
    /// Not bookable: an urgent dental service.
    pub not_bookable_dental: DirectoryService,
    /// A booking endpoint in DoS (`ODS:<ods>`), but nothing in SDS for its ODS code.
    pub no_sds_endpoint: DirectoryService,
    /// SDS gives a working endpoint (Beckside Medical Practice's GP system) with an ASID that
    /// system refuses as `Ssp-To` (403 ACCESS_DENIED).
    pub wrong_sds_asid: DirectoryService,
    /// Two SDS endpoints for every interaction: a fault the desk must not book through.
    pub two_sds_endpoints: DirectoryService,
    /// Jane JACKSON's postcode, in DoS's postcode table.
    pub search_postcode: &'static str,
    /// Jane JACKSON, whose postcode that is (registered at B86001).
    pub search_nhs_number: &'static str,
}

/// The simulated directories' special cases.
/// Whether the simulated Directory of Services takes `date` for a bank holiday.
pub fn is_bank_holiday(date: chrono::NaiveDate) -> bool {
    national::is_bank_holiday(date)
}

pub fn national_cases() -> NationalCases {
    use national::directory::cases as c;
    let dir = national::directory::Directory::build(&seed::region(), "", |_| String::new());
    let pick = |id: &'static str| {
        let s = dir.dos_service(id).expect("seeded directory service");
        DirectoryService {
            dos_service_id: id,
            ods: leak(&s.ods),
            name: leak(&s.name),
        }
    };
    NationalCases {
        not_bookable_pharmacy: pick(c::PHARMACY),
        not_bookable_dental: pick(c::DENTAL),
        no_sds_endpoint: pick(c::NO_SDS_ENDPOINT),
        wrong_sds_asid: pick(c::WRONG_SDS_ASID),
        two_sds_endpoints: pick(c::TWO_SDS_ENDPOINTS),
        search_postcode: "LS1 4AP",
        search_nhs_number: "9434765919",
    }
}

/// The few directory strings [`national_cases`] hands out, kept for the process.
fn leak(s: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static KEPT: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut kept = KEPT
        .get_or_init(|| Mutex::new(HashSet::new()))
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(k) = kept.get(s) {
        return k;
    }
    let k: &'static str = Box::leak(s.to_string().into_boxed_str());
    kept.insert(k);
    k
}

/// How to run the simulator.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub listen: SocketAddr,
    /// Each FHIR request is answered after a uniform random time in this range (milliseconds):
    /// a read is worked out within that time, a write waits it out first.
    pub latency_ms: Option<(u64, u64)>,
    /// Fraction of FHIR requests answered 500 without doing anything.
    pub fail_rate: f64,
    /// Fraction of committing requests whose connection is closed, unanswered, after the commit.
    pub drop_after_commit_rate: f64,
    /// Fraction of GET responses sent as truncated JSON.
    pub malformed_rate: f64,
    /// Where appointments are saved after every change and loaded from at start.
    pub state_file: Option<PathBuf>,
    /// Seeds the fault dice.
    pub seed: u64,
    /// Serve HTTPS with this certificate (and require client certificates when it names a
    /// client CA); plain HTTP when `None`.
    pub tls: Option<SimTls>,
    /// Run the region from this instant instead of the computer's clock (tests at a chosen
    /// day and hour).
    pub start_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Also serve a practice of twelve GPs whose fortnight has about 5,000 free slots
    /// (`moor-road-health-centre`), for measuring the desk against a large answer.
    pub large_practice: bool,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            latency_ms: None,
            fail_rate: 0.0,
            drop_after_commit_rate: 0.0,
            malformed_rate: 0.0,
            state_file: None,
            seed: 1,
            tls: None,
            start_at: None,
            large_practice: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("invalid option: {0}")]
    InvalidOption(String),
    #[error("TLS setup failed: {0}")]
    Tls(String),
}

/// One hosted service, as a consumer's service directory would list it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ServiceEntry {
    pub id: String,
    pub name: String,
    /// gp-practice | urgent-care | emergency-department | gp-out-of-hours
    pub kind: String,
    /// gp-connect | uec-booking | bars
    pub standard: String,
    /// The full service root URL, no trailing slash.
    pub base_url: String,
    pub ods: String,
    pub asid: String,
    /// The HealthcareService id to search slots with (UEC only).
    pub healthcare_service: Option<String>,
    pub address: String,
    pub postcode: String,
    /// UEC: where the service receives 111 encounter reports.
    pub report_url: Option<String>,
    /// BaRS: the DoS id that goes in `NHSD-Target-Identifier` (system
    /// `https://fhir.nhs.uk/Id/dos-service-id`); also the HealthcareService id slot searches name.
    pub target_identifier: Option<String>,
}

/// A fictional patient every GP Connect service knows.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DemoPatient {
    pub nhs_number: String,
    pub family: String,
    pub given: String,
    pub prefix: String,
    pub gender: String,
    /// yyyy-mm-dd
    pub birth_date: String,
    pub address_lines: Vec<String>,
    pub city: String,
    pub postcode: String,
    pub phone: String,
    /// The ODS code of the GP practice the patient is registered at, one of the region's: what
    /// the simulated PDS gives as `generalPractitioner`.
    pub registered_ods: String,
}

/// The demo patients, all with valid NHS numbers.
pub fn demo_patients() -> Vec<DemoPatient> {
    seed::patients()
}

/// The NHS numbers behind the simulated PDS's special answers (`GET /Patient/{id}` at
/// [`RunningSim::pds_url`]). Every demo patient ([`demo_patients`]) is in PDS too, with the same
/// demographics and registered at [`DemoPatient::registered_ods`]. All numbers pass the
/// Modulus 11 check, and none is a demo patient's unless said.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct PdsCases {
    /// A restricted (sensitive) patient: `meta.security` code `R`, and no `address`, `telecom`
    /// or `generalPractitioner`.
    pub restricted: &'static str,
    /// An old NHS number, merged into `superseded_current`: PDS answers it with the current
    /// record, whose `id` and identifier are the new number.
    pub superseded_old: &'static str,
    /// The number `superseded_old` is answered with (David OKONJO, a demo patient).
    pub superseded_current: &'static str,
    /// A patient who has died: `deceasedDateTime` is set.
    pub deceased: &'static str,
    /// An invalidated record: 404 `INVALIDATED_RESOURCE`.
    pub invalidated: &'static str,
    /// A valid number PDS holds nothing for: 404 `RESOURCE_NOT_FOUND`.
    pub absent: &'static str,
}

/// The simulated PDS's special cases.
pub fn pds_cases() -> PdsCases {
    use seed::pds_numbers as n;
    PdsCases {
        restricted: n::RESTRICTED,
        superseded_old: n::SUPERSEDED,
        superseded_current: n::SUPERSEDED_BY,
        deceased: n::DECEASED,
        invalidated: n::INVALIDATED,
        absent: n::ABSENT,
    }
}

/// A simulator serving in the background.
pub struct RunningSim {
    sim: Arc<Sim>,
    /// The simulated national API platform's token endpoint.
    platform: Arc<token::Platform>,
    national: Arc<national::National>,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
}

fn check_rate(name: &str, rate: f64) -> Result<(), SimError> {
    if (0.0..=1.0).contains(&rate) {
        Ok(())
    } else {
        Err(SimError::InvalidOption(format!(
            "{name} must be between 0 and 1"
        )))
    }
}

/// Binds, starts serving in a background task and returns at once.
pub async fn start(opts: SimOptions) -> Result<RunningSim, SimError> {
    check_rate("fail_rate", opts.fail_rate)?;
    check_rate("drop_after_commit_rate", opts.drop_after_commit_rate)?;
    check_rate("malformed_rate", opts.malformed_rate)?;
    // Before binding, so bad TLS material never leaves a port half set up.
    let acceptor = opts.tls.as_ref().map(tls::acceptor).transpose()?;
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|source| SimError::Bind {
            addr: opts.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| SimError::Bind {
        addr: opts.listen,
        source,
    })?;
    // Listening on every interface still needs a URL a local consumer can use.
    let host = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let scheme = if acceptor.is_some() { "https" } else { "http" };
    let base_url = format!("{scheme}://{}", SocketAddr::new(host, addr.port()));

    let clock = opts
        .start_at
        .map_or_else(clock::SimClock::system, clock::SimClock::starting_at);
    let platform = Arc::new(token::Platform::new(&base_url, clock));
    let region = Arc::new(if opts.large_practice {
        seed::region_with_large_practice()
    } else {
        seed::region()
    });
    let store = state::Store::open(region.clone(), opts.state_file.clone(), clock.now());
    let national = Arc::new(national::National {
        directory: national::directory::Directory::build(&region, &base_url, |s| {
            format!("{base_url}{}", s.root_path())
        }),
        clock,
        base_url: base_url.clone(),
        platform: platform.clone(),
        endpoint_lookups: Default::default(),
    });
    let sim = Arc::new(Sim {
        region,
        store,
        clock,
        faults: faults::Faults::new(
            opts.latency_ms,
            opts.fail_rate,
            opts.drop_after_commit_rate,
            opts.malformed_rate,
            opts.seed,
        ),
        platform: platform.clone(),
        base_url,
    });
    let app = admin::router()
        .merge(itk::router())
        .merge(token::router(platform.clone()))
        .merge(pds::router(platform.clone(), clock, &sim.base_url))
        .merge(national::router(national.clone()))
        .fallback(dispatch::fhir)
        .layer(axum::middleware::map_response_with_state(
            sim.clone(),
            clock::date_header,
        ))
        .with_state(sim.clone());
    let (shutdown, rx) = watch::channel(false);
    let task = tokio::spawn(server::serve(listener, app, acceptor, rx));
    tracing::info!(
        url = %sim.base_url,
        client_certificates = opts.tls.as_ref().is_some_and(SimTls::requires_client_certificate),
        "provider simulator listening"
    );
    Ok(RunningSim {
        sim,
        platform,
        national,
        shutdown,
        task,
    })
}

impl RunningSim {
    /// `http://127.0.0.1:PORT`, or `https://` when serving TLS.
    pub fn base_url(&self) -> String {
        self.sim.base_url.clone()
    }

    /// The simulated PDS FHIR API's base URL, `{base_url}/personal-demographics/FHIR/R4` (no
    /// trailing slash): `GET {pds_url}/Patient/{nhs}` with a platform bearer token and an
    /// `X-Request-ID`. See [`pds_cases`].
    pub fn pds_url(&self) -> String {
        format!("{}{}", self.sim.base_url, pds::BASE_PATH)
    }

    /// The simulated national API platform's one BaRS root, `{base_url}/booking-and-referral/FHIR/R4`
    /// (the path of the published API's servers). Every BaRS request sent here goes to the
    /// service whose DoS id its `NHSD-Target-Identifier` names; `GET /HealthcareService` and
    /// `GET /Endpoint` here read the platform's Endpoint Catalogue of those services. The
    /// per-service roots in [`RunningSim::services`] answer as before.
    pub fn bars_proxy_url(&self) -> String {
        format!("{}{}", self.sim.base_url, bars::proxy::PATH)
    }

    /// The simulated Directory of Services SOAP web service (v1.5), `{base_url}/app/api/webservices`:
    /// `POST` a SOAP 1.2 envelope (`application/soap+xml`) with `CheckCapacitySummary` or
    /// `ServiceDetailsById` and the [`DEMO_DOS_USERNAME`] account. See [`national_cases`].
    pub fn dos_url(&self) -> String {
        format!("{}{}", self.sim.base_url, national::DOS_PATH)
    }

    /// The simulated SDS FHIR API's base URL, `{base_url}/spine-directory/FHIR/R4`: `GET
    /// {sds_url}/Endpoint` and `/Device` with the `apikey` header ([`DEMO_SDS_API_KEY`]).
    pub fn sds_url(&self) -> String {
        format!("{}{}", self.sim.base_url, national::SDS_PATH)
    }

    /// Every hosted service with its full service root URL.
    pub fn services(&self) -> Vec<ServiceEntry> {
        self.sim
            .region
            .services
            .iter()
            .map(|s| ServiceEntry {
                id: s.id.to_string(),
                name: s.name.to_string(),
                kind: s.kind.as_str().to_string(),
                standard: s.standard.as_str().to_string(),
                base_url: self.sim.root_url(s),
                ods: s.ods.to_string(),
                asid: s.asid.to_string(),
                healthcare_service: s.healthcare_service.map(str::to_string),
                address: s.address.one_line(),
                postcode: s.address.postcode.to_string(),
                report_url: (s.standard == seed::Standard::UecBooking)
                    .then(|| format!("{}{}", self.sim.base_url, itk::report_path(s.id))),
                target_identifier: s.dos_service_id.map(str::to_string),
            })
            .collect()
    }

    /// The services file (`services.toml`) text.
    pub fn services_toml(&self) -> String {
        self.services_toml_listing(&self.services())
    }

    /// A services file listing `services`: hosted services, or copies of them under other ids,
    /// which make a region as large as a benchmark needs.
    pub fn services_toml_listing(&self, services: &[ServiceEntry]) -> String {
        config::services_toml(&self.sim.base_url, services)
    }

    /// Writes `bookdesk.toml` at `config_path` and `services.toml` beside it. With BaRS services
    /// the configuration also names the platform's token endpoint and the desk's key id, and
    /// the simulated PDS, which is reached with the platform's token. `[national]` always names
    /// the simulated DoS (URL and account name) and SDS; their password and key stay out.
    pub fn write_config(&self, config_path: &Path) -> std::io::Result<()> {
        self.write_config_with_store(config_path, "bookings.sqlite")
    }

    /// As [`RunningSim::write_config`], with the bookings registry at `store` (absolute, or
    /// relative to the configuration file).
    pub fn write_config_with_store(&self, config_path: &Path, store: &str) -> std::io::Result<()> {
        let platform = self
            .sim
            .region
            .has_bars()
            .then(|| self.platform_token_url());
        let pds = platform.is_some().then(|| self.pds_url());
        let bars = platform.is_some().then(|| self.bars_proxy_url());
        let national = config::National {
            pds_url: pds.as_deref(),
            bars_url: bars.as_deref(),
            dos_url: &self.dos_url(),
            dos_username: DEMO_DOS_USERNAME,
            sds_url: &self.sds_url(),
        };
        config::write(
            config_path,
            &self.services_toml(),
            platform.as_deref(),
            &national,
            store,
        )
    }

    /// As `/_admin/faults/lose-next-booking`, for a test in the same process: the next booking
    /// is made and its answer lost, and the checks that follow refused.
    pub fn lose_next_booking(&self) {
        self.sim.faults.lose_next_booking();
    }

    /// Every 111 report the services received.
    pub fn reports(&self) -> Vec<ReceivedReport> {
        self.sim.store.all_reports()
    }

    /// Every stored Appointment of every service; BaRS ones carry a `meta.tag` saying so.
    pub fn appointments(&self) -> Vec<serde_json::Value> {
        self.sim.store.all_appointments()
    }

    /// Every BaRS booking with the messages that made and changed it (clinical entries
    /// included), oldest first.
    pub fn bars_bookings(&self) -> Vec<BarsBooking> {
        self.sim.store.bars_bookings()
    }

    /// The SDS `/Endpoint` searches consumers made, oldest first: (ODS code, interaction id).
    pub fn sds_endpoint_lookups(&self) -> Vec<(String, String)> {
        self.national
            .endpoint_lookups
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Stops accepting, lets open connections finish briefly, and waits for the server task.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        let _ = (&mut self.task).await;
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
