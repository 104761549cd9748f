//! Transport security over real HTTPS on loopback: the provider simulator serves TLS with
//! throwaway certificates made here, requires a client certificate, and the engine must connect
//! only when both sides' certificates are right. Verification is never off: without the CA
//! bundle the throwaway CA is not trusted. The client key is handed in directly (no keyring) and
//! must never show up in an error.

use booking_engine::config::DeskConfig;
use booking_engine::ids::{NhsNumber, ServiceId};
use booking_engine::secrets::Secret;
use booking_engine::standards::gp_connect;
use booking_engine::transport::{FhirRequest, SendFailure, TlsSetup, Transport};
use booking_engine::{Desk, Engine, Error, ErrorKind};
use provider_sim::pki::{Issued, ThrowawayCa};
use provider_sim::{RunningSim, SimOptions, SimTls};
use rcgen::KeyPair;
use tempfile::TempDir;

type Ca = ThrowawayCa;
type Leaf = Issued;

fn ca(name: &str) -> Ca {
    ThrowawayCa::new(name).expect("CA")
}

fn server_leaf(ca: &Ca) -> Leaf {
    ca.server().expect("server certificate")
}

fn client_leaf(ca: &Ca) -> Leaf {
    ca.client("bookingdesk.nhs111.example")
        .expect("client certificate")
}

/// Everything one test needs: the desk's CA, its server and client certificates, and an
/// unrelated CA with a server certificate of its own.
struct Pki {
    ca: Ca,
    server: Leaf,
    client: Leaf,
    stranger_ca: Ca,
    stranger_server: Leaf,
}

fn pki() -> Pki {
    let ca = ca("Booking Desk test CA");
    let server = server_leaf(&ca);
    let client = client_leaf(&ca);
    let stranger_ca = ca_named_stranger();
    let stranger_server = server_leaf(&stranger_ca);
    Pki {
        ca,
        server,
        client,
        stranger_ca,
        stranger_server,
    }
}

fn ca_named_stranger() -> Ca {
    ca("Unrelated test CA")
}

impl Pki {
    fn client_key(&self) -> Secret {
        Secret::new(self.client.key_pem.clone())
    }

    /// HTTPS with the given server certificate, requiring clients certified by our CA.
    fn sim_tls(&self, server: &Leaf) -> SimTls {
        self.ca.sim_tls(server)
    }
}

/// A simulator serving `tls` and a desk configuration pointing at it, with `tls_section`
/// appended; `ca.pem` and `client.pem` are written beside the configuration.
struct Setup {
    sim: RunningSim,
    config: DeskConfig,
    dir: TempDir,
}

async fn setup(pki: &Pki, tls: SimTls, tls_section: &str) -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = provider_sim::start(SimOptions {
        tls: Some(tls),
        ..SimOptions::default()
    })
    .await
    .expect("simulator starts");
    assert!(
        sim.base_url().starts_with("https://127.0.0.1:"),
        "{}",
        sim.base_url()
    );
    std::fs::write(dir.path().join("ca.pem"), &pki.ca.pem).expect("write CA");
    std::fs::write(dir.path().join("client.pem"), &pki.client.cert_pem).expect("write cert");
    let path = dir.path().join("bookdesk.toml");
    sim.write_config(&path).expect("config written");
    let mut text = std::fs::read_to_string(&path).expect("config");
    text.push_str("\n[tls]\n");
    text.push_str(tls_section);
    std::fs::write(&path, text).expect("config rewritten");
    let config = DeskConfig::load(&path).expect("config loads");
    Setup { sim, config, dir }
}

const BOTH: &str = "ca_bundle = \"ca.pem\"\nclient_certificate = \"client.pem\"\n";
const CA_ONLY: &str = "ca_bundle = \"ca.pem\"\n";
const CERT_ONLY: &str = "client_certificate = \"client.pem\"\n";

impl Setup {
    /// An engine whose client key is handed in rather than read from a keyring.
    async fn engine(&self, key: &Secret) -> Result<Engine, Error> {
        let tls = TlsSetup::with_client_key(&self.config.tls, Some(key))?;
        let user = self.config.user.clone().expect("configured user");
        Desk::open_with_tls(&self.config, tls).await?.sign_in(user)
    }

    fn gp_service(&self) -> ServiceId {
        self.sim
            .services()
            .into_iter()
            .find(|s| s.standard == "gp-connect")
            .map(|s| ServiceId::parse(&s.id).expect("id"))
            .expect("a GP Connect service")
    }

    /// One raw send, to see whether the transport thinks the request may have landed.
    async fn send_raw(&self, key: &Secret, req: FhirRequest) -> Result<u16, SendFailure> {
        let tls = TlsSetup::with_client_key(&self.config.tls, Some(key)).expect("tls");
        let transport = Transport::new(self.config.http.clone(), &tls).expect("transport");
        let session = self.config.session().expect("session");
        let service = self
            .config
            .directory
            .get(&self.gp_service())
            .expect("service");
        transport
            .send_raw(&session, service, req, None)
            .await
            .map(|r| r.status)
    }
}

fn jane() -> NhsNumber {
    NhsNumber::parse("9434765919").expect("valid")
}

/// The key's base64 body lines: none may appear in anything an error shows or serialises.
fn assert_key_absent(e: &Error, key: &Secret) {
    let shown = [
        format!("{e:?}"),
        e.to_string(),
        serde_json::to_string(e).expect("serialises"),
    ];
    for line in key.expose().lines().filter(|l| !l.starts_with("-----")) {
        for text in &shown {
            assert!(!text.contains(line), "the client key leaked into: {text}");
        }
    }
}

fn assert_refused(e: &Error, key: &Secret) {
    assert_eq!(e.kind, ErrorKind::Certificate, "{e:?}");
    assert!(
        e.message.contains("refused this desk's certificate"),
        "{}",
        e.message
    );
    assert!(
        e.next_step.contains("[tls] client_certificate"),
        "{}",
        e.next_step
    );
    assert!(
        e.next_step.contains("bookdesk secrets status"),
        "{}",
        e.next_step
    );
    assert!(
        e.diagnostics.is_some(),
        "technical detail kept for the helpdesk"
    );
    assert_key_absent(e, key);
}

fn assert_untrusted(e: &Error, key: &Secret) {
    assert_eq!(e.kind, ErrorKind::Certificate, "{e:?}");
    assert!(
        e.message.contains("not from a trusted authority"),
        "{}",
        e.message
    );
    assert!(e.next_step.contains("ca_bundle"), "{}", e.next_step);
    assert!(
        e.diagnostics.is_some(),
        "technical detail kept for the helpdesk"
    );
    assert_key_absent(e, key);
}

#[tokio::test]
async fn trusted_service_and_our_certificate_connect() {
    let pki = pki();
    let s = setup(&pki, pki.sim_tls(&pki.server), BOTH).await;
    let key = pki.client_key();
    let engine = s.engine(&key).await.expect("engine opens");
    let service = s.gp_service();

    let caps = engine
        .capabilities(&service)
        .await
        .expect("capability statement");
    assert_eq!(caps.fhir_version.as_deref(), Some("3.0.1"));
    assert!(
        caps.resources.iter().any(|r| r.starts_with("Appointment")),
        "{caps:?}"
    );
    let patient = engine
        .find_patient(&service, &jane())
        .await
        .expect("patient search")
        .expect("the demo practice knows Jane");
    assert_eq!(patient.nhs_number, Some(jane()));
    assert!(s.dir.path().join("bookings.sqlite").exists());
    s.sim.shutdown().await;
}

#[tokio::test]
async fn no_client_certificate_is_refused_and_nothing_was_delivered() {
    let pki = pki();
    let s = setup(&pki, pki.sim_tls(&pki.server), CA_ONLY).await;
    let key = pki.client_key();
    // No client certificate is configured, so the keyring is not consulted: Desk::open works.
    let user = s.config.user.clone().expect("user");
    let engine = Desk::open(&s.config)
        .await
        .expect("desk opens")
        .sign_in(user)
        .expect("signed in");
    let e = engine
        .capabilities(&s.gp_service())
        .await
        .expect_err("refused");
    assert_refused(&e, &key);
    assert!(e.trace_id.is_some() && e.service_id.is_some(), "{e:?}");

    // A refused handshake means the provider never read the request, even a POST.
    let before = s.sim.appointments().len();
    let post = FhirRequest::new(
        "/Appointment",
        "urn:nhs:names:services:gpconnect:fhir:rest:create:appointment-1".into(),
        "patient/*.write",
    )
    .with_body(
        reqwest::Method::POST,
        &serde_json::json!({ "resourceType": "Appointment" }),
    )
    .expect("request");
    let failure = s.send_raw(&key, post).await.expect_err("refused");
    assert!(!failure.maybe_delivered, "{:?}", failure.error);
    assert_refused(&failure.error, &key);
    assert_eq!(s.sim.appointments().len(), before);
    s.sim.shutdown().await;
}

#[tokio::test]
async fn client_certificate_from_another_ca_is_refused() {
    let pki = pki();
    let s = setup(&pki, pki.sim_tls(&pki.server), BOTH).await;
    // Our certificate file now holds one the service's CA never issued.
    let stranger = client_leaf(&pki.stranger_ca);
    std::fs::write(s.dir.path().join("client.pem"), &stranger.cert_pem).expect("write");
    let key = Secret::new(stranger.key_pem.clone());
    let engine = s.engine(&key).await.expect("engine opens");
    let e = engine
        .capabilities(&s.gp_service())
        .await
        .expect_err("refused");
    assert_refused(&e, &key);
    let failure = s
        .send_raw(&key, gp_connect::metadata())
        .await
        .expect_err("refused");
    assert!(!failure.maybe_delivered);
    s.sim.shutdown().await;
}

#[tokio::test]
async fn server_certificate_from_an_unknown_ca_is_not_trusted() {
    let pki = pki();
    let s = setup(&pki, pki.sim_tls(&pki.stranger_server), BOTH).await;
    let key = pki.client_key();
    let engine = s.engine(&key).await.expect("engine opens");
    let e = engine
        .capabilities(&s.gp_service())
        .await
        .expect_err("untrusted");
    assert_untrusted(&e, &key);
    let failure = s
        .send_raw(&key, gp_connect::metadata())
        .await
        .expect_err("untrusted");
    assert!(!failure.maybe_delivered, "{:?}", failure.error);
    assert_untrusted(&failure.error, &key);
    s.sim.shutdown().await;
}

#[tokio::test]
async fn without_the_ca_bundle_the_throwaway_ca_is_not_trusted() {
    let pki = pki();
    let s = setup(&pki, pki.sim_tls(&pki.server), CERT_ONLY).await;
    let key = pki.client_key();
    let engine = s.engine(&key).await.expect("engine opens");
    let e = engine
        .capabilities(&s.gp_service())
        .await
        .expect_err("verification is never off");
    assert_untrusted(&e, &key);
    s.sim.shutdown().await;
}

#[tokio::test]
async fn a_bad_ca_bundle_is_a_configuration_error_naming_the_file() {
    let pki = pki();
    let s = setup(
        &pki,
        pki.sim_tls(&pki.server),
        "ca_bundle = \"certs/nowhere.pem\"\nclient_certificate = \"client.pem\"\n",
    )
    .await;
    let key = pki.client_key();
    let missing = s.dir.path().join("certs/nowhere.pem");
    let e = s.engine(&key).await.err().expect("refused");
    assert_eq!(e.kind, ErrorKind::Config, "{e:?}");
    assert!(
        e.message.contains(&missing.display().to_string()),
        "{}",
        e.message
    );
    assert!(e.next_step.contains("[tls]"), "{}", e.next_step);
    assert_key_absent(&e, &key);
    // Nothing was created on disk for a desk that could not start.
    assert!(!s.dir.path().join("bookings.sqlite").exists());

    // A file that is there but holds no certificates.
    let mut config = s.config.clone();
    let garbage = s.dir.path().join("garbage.pem");
    std::fs::write(&garbage, "this is not a certificate\n").expect("write");
    config.tls.ca_bundle = Some(garbage.clone());
    let e = TlsSetup::with_client_key(&config.tls, Some(&key)).expect_err("refused");
    assert_eq!(e.kind, ErrorKind::Config);
    assert!(
        e.message.contains(&garbage.display().to_string()),
        "{}",
        e.message
    );
    s.sim.shutdown().await;
}

#[tokio::test]
async fn the_client_key_never_appears_in_errors() {
    let pki = pki();
    let s = setup(&pki, pki.sim_tls(&pki.server), BOTH).await;
    let key = pki.client_key();
    // A certificate configured but no key: the error names the command that stores it.
    let e = TlsSetup::with_client_key(&s.config.tls, None).expect_err("no key");
    assert_eq!(e.kind, ErrorKind::Keyring);
    assert!(
        e.next_step.contains("bookdesk secrets set client-key"),
        "{}",
        e.next_step
    );

    // A key that does not belong to the certificate.
    let wrong = Secret::new(KeyPair::generate().expect("key").serialize_pem());
    let e = TlsSetup::with_client_key(&s.config.tls, Some(&wrong)).expect_err("mismatch");
    assert_eq!(e.kind, ErrorKind::Config, "{e:?}");
    assert_key_absent(&e, &wrong);

    // Something that is not a key at all, with a recognisable body.
    let junk = Secret::new(
        "-----BEGIN PRIVATE KEY-----\nTm90QUtleUF0QWxsQnV0U2VjcmV0\n-----END PRIVATE KEY-----\n",
    );
    let e = TlsSetup::with_client_key(&s.config.tls, Some(&junk)).expect_err("not a key");
    assert_eq!(e.kind, ErrorKind::Keyring, "{e:?}");
    assert_key_absent(&e, &junk);

    // The debug form of a working setup says nothing about the key either.
    let setup = TlsSetup::with_client_key(&s.config.tls, Some(&key)).expect("setup");
    assert!(setup.presents_certificate());
    assert_eq!(setup.extra_roots(), 1);
    let shown = format!("{setup:?}");
    for line in key.expose().lines().filter(|l| !l.starts_with("-----")) {
        assert!(!shown.contains(line));
    }
    s.sim.shutdown().await;
}

/// A "service" that reads the client's hello and hangs up without a word, as some TLS
/// terminators do to a client that will not present a certificate.
async fn hang_up_server() -> std::net::SocketAddr {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut hello = [0u8; 512];
            let _ = stream.read(&mut hello).await;
        }
    });
    addr
}

#[tokio::test]
async fn a_hang_up_mid_handshake_is_explained_only_without_a_certificate() {
    let pki = pki();
    let key = pki.client_key();
    let hang_up = hang_up_server().await;
    let mut outcomes = Vec::new();
    for section in [CA_ONLY, BOTH] {
        let mut s = setup(&pki, pki.sim_tls(&pki.server), section).await;
        // Point every service at the hang-up server instead of the simulator.
        let sim_addr = s.sim.base_url().replacen("https://", "", 1);
        let services = s.dir.path().join("services.toml");
        let text = std::fs::read_to_string(&services).expect("services");
        std::fs::write(&services, text.replace(&sim_addr, &hang_up.to_string())).expect("write");
        s.config = DeskConfig::load(&s.dir.path().join("bookdesk.toml")).expect("config");
        let failure = s
            .send_raw(&key, gp_connect::metadata())
            .await
            .expect_err("hung up");
        assert!(!failure.maybe_delivered, "{:?}", failure.error);
        assert_key_absent(&failure.error, &key);
        outcomes.push(failure.error);
        s.sim.shutdown().await;
    }
    let (without, with) = (&outcomes[0], &outcomes[1]);
    assert_eq!(without.kind, ErrorKind::Certificate, "{without:?}");
    assert!(
        without.message.contains("needs this desk's certificate"),
        "{}",
        without.message
    );
    assert!(without.next_step.contains("[tls] client_certificate"));
    // Having presented one, a hang-up is just an unavailable service.
    assert_eq!(with.kind, ErrorKind::Unavailable, "{with:?}");
}
