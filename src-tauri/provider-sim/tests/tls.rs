//! HTTPS mode: the simulator serves TLS with throwaway certificates made here, asks for client
//! certificates only when given a client CA, survives clients that fail the handshake, and keeps
//! its faults and graceful shutdown working over TLS.

mod common;

use common::*;
use provider_sim::pki::{Issued, ThrowawayCa};
use provider_sim::{SimError, SimOptions, SimTls, start};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const PRACTICE: &str = "beckside-medical-practice";

struct Pki {
    ca: ThrowawayCa,
    server: Issued,
    client: Issued,
}

fn pki() -> Pki {
    let ca = ThrowawayCa::new("provider-sim test CA").expect("CA");
    let server = ca.server().expect("server certificate");
    let client = ca.client("desk.example").expect("client certificate");
    Pki { ca, server, client }
}

impl Pki {
    fn tls(&self, require_client: bool) -> SimTls {
        SimTls {
            cert_chain_pem: self.server.cert_pem.clone(),
            key_pem: self.server.key_pem.clone(),
            client_ca_pem: require_client.then(|| self.ca.pem.clone()),
        }
    }

    /// A consumer that trusts the test CA only (no web roots), with or without our certificate.
    fn desk(&self, with_certificate: bool) -> Desk {
        let mut builder = reqwest::Client::builder()
            .no_proxy()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(
                reqwest::Certificate::from_pem(self.ca.pem.as_bytes()).expect("CA"),
            );
        if with_certificate {
            let pem = format!("{}{}", self.client.cert_pem, self.client.key_pem);
            builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).expect("id"));
        }
        Desk {
            http: builder.build().expect("client"),
        }
    }
}

async fn start_tls(tls: SimTls, drop_after_commit_rate: f64) -> provider_sim::RunningSim {
    start(SimOptions {
        tls: Some(tls),
        drop_after_commit_rate,
        ..options()
    })
    .await
    .expect("simulator starts")
}

#[tokio::test]
async fn https_urls_everywhere() {
    let pki = pki();
    let sim = start_tls(pki.tls(true), 0.0).await;
    assert!(
        sim.base_url().starts_with("https://127.0.0.1:"),
        "{}",
        sim.base_url()
    );
    assert!(
        sim.services()
            .iter()
            .all(|s| s.base_url.starts_with("https://"))
    );
    let text = sim.services_toml();
    assert!(text.contains("base_url = \"https://127.0.0.1:"));
    assert!(!text.contains("http://"));

    // Resources name themselves by the https URL too.
    let desk = pki.desk(true);
    let svc = service(&sim, PRACTICE);
    let resp = desk
        .search_patients(&svc, &format!("{NHS_NUMBER}|9434765919"))
        .await;
    assert_eq!(resp.status(), 200);
    let bundle = body(resp).await;
    let full_url = bundle["entry"][0]["fullUrl"].as_str().expect("fullUrl");
    assert!(full_url.starts_with(&svc.base_url), "{full_url}");
    sim.shutdown().await;
}

#[tokio::test]
async fn client_certificate_required_and_checked() {
    let pki = pki();
    let sim = start_tls(pki.tls(true), 0.0).await;
    let svc = service(&sim, PRACTICE);

    let resp = pki
        .desk(true)
        .get(&svc, "/metadata", &ix::gp_metadata())
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(body(resp).await["resourceType"], "CapabilityStatement");

    let refused = pki
        .desk(false)
        .req(&svc, reqwest::Method::GET, "/metadata", &ix::gp_metadata())
        .send()
        .await;
    assert!(refused.is_err(), "no certificate, no answer: {refused:?}");

    // A certificate from another CA is refused as well.
    let other_ca = ThrowawayCa::new("another CA").expect("CA");
    let other = other_ca.client("desk.example").expect("client certificate");
    let pem = format!("{}{}", other.cert_pem, other.key_pem);
    let stranger = reqwest::Client::builder()
        .no_proxy()
        .use_rustls_tls()
        .add_root_certificate(reqwest::Certificate::from_pem(pki.ca.pem.as_bytes()).expect("CA"))
        .identity(reqwest::Identity::from_pem(pem.as_bytes()).expect("id"))
        .build()
        .expect("client");
    let refused = Desk { http: stranger }
        .req(&svc, reqwest::Method::GET, "/metadata", &ix::gp_metadata())
        .send()
        .await;
    assert!(refused.is_err(), "{refused:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn without_a_client_ca_no_certificate_is_asked_for() {
    let pki = pki();
    let sim = start_tls(pki.tls(false), 0.0).await;
    let svc = service(&sim, PRACTICE);
    let resp = pki
        .desk(false)
        .get(&svc, "/metadata", &ix::gp_metadata())
        .await;
    assert_eq!(resp.status(), 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn failed_handshakes_end_only_their_connection() {
    let pki = pki();
    let sim = start_tls(pki.tls(true), 0.0).await;
    let svc = service(&sim, PRACTICE);
    let good = pki.desk(true);
    // A keep-alive connection opened before the failures must outlive them.
    assert_eq!(
        good.get(&svc, "/metadata", &ix::gp_metadata())
            .await
            .status(),
        200
    );

    // Plain HTTP to the TLS port, a client that does not trust us, one without a certificate,
    // and bytes that are not TLS at all.
    let plain = sim.base_url().replacen("https://", "http://", 1);
    let resp = reqwest::Client::new()
        .get(format!("{plain}/_admin/appointments"))
        .send()
        .await;
    assert!(resp.is_err() || resp.is_ok_and(|r| !r.status().is_success()));
    let distrustful = reqwest::Client::builder()
        .use_rustls_tls()
        .build()
        .expect("client");
    assert!(
        distrustful
            .get(format!("{}/_admin/appointments", sim.base_url()))
            .send()
            .await
            .is_err()
    );
    assert!(
        pki.desk(false)
            .req(&svc, reqwest::Method::GET, "/metadata", &ix::gp_metadata())
            .send()
            .await
            .is_err()
    );
    let addr = sim.base_url().replacen("https://", "", 1);
    {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut raw = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("connect");
        raw.write_all(b"\x16\x03\x01\x00\x05hello-not-tls")
            .await
            .expect("write");
        let mut sink = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), raw.read_to_end(&mut sink)).await;
        assert!(
            read.is_ok(),
            "the server closes a broken handshake promptly"
        );
    }

    assert_eq!(
        good.get(&svc, "/metadata", &ix::gp_metadata())
            .await
            .status(),
        200
    );
    assert_eq!(
        pki.desk(true)
            .get(&svc, "/metadata", &ix::gp_metadata())
            .await
            .status(),
        200
    );
    // Shutdown with a TLS keep-alive connection open still finishes promptly.
    tokio::time::timeout(Duration::from_secs(10), sim.shutdown())
        .await
        .expect("graceful shutdown");
}

#[tokio::test]
async fn drop_after_commit_works_over_tls() {
    let pki = pki();
    let sim = start_tls(pki.tls(true), 1.0).await;
    let desk = pki.desk(true);
    let svc = service(&sim, PRACTICE);
    let target = desk.gp_target(&svc, "9434765919").await;
    let before = sim.appointments().len();
    let result = desk.gp_book_req(&svc, &target.booking()).send().await;
    assert!(result.is_err(), "the connection should drop: {result:?}");
    assert_eq!(sim.appointments().len(), before + 1);
    // Reads on the same client still work.
    assert_eq!(
        desk.get(&svc, "/metadata", &ix::gp_metadata())
            .await
            .status(),
        200
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn bad_tls_material_is_refused_at_start() {
    let pki = pki();
    let expect_tls_error = |r: Result<provider_sim::RunningSim, SimError>| match r {
        Err(SimError::Tls(message)) => message,
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("started with bad TLS material"),
    };
    let mut bad_key = pki.tls(true);
    bad_key.key_pem =
        "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJpdHM=\n-----END PRIVATE KEY-----\n".into();
    let message = expect_tls_error(
        start(SimOptions {
            tls: Some(bad_key.clone()),
            ..options()
        })
        .await,
    );
    assert!(!message.contains("c2VjcmV0LWJpdHM"), "{message}");
    assert!(!format!("{bad_key:?}").contains("c2VjcmV0LWJpdHM"));

    let mut mismatched = pki.tls(true);
    mismatched.key_pem = pki.client.key_pem.clone();
    expect_tls_error(
        start(SimOptions {
            tls: Some(mismatched),
            ..options()
        })
        .await,
    );

    let mut no_ca = pki.tls(true);
    no_ca.client_ca_pem = Some("not a certificate".into());
    expect_tls_error(
        start(SimOptions {
            tls: Some(no_ca),
            ..options()
        })
        .await,
    );
}

#[test]
fn binary_serves_https_with_tls_flags() {
    let pki = pki();
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let cert = write("server.pem", &pki.server.cert_pem);
    let key = write("server-key.pem", &pki.server.key_pem);
    let client_ca = write("client-ca.pem", &pki.ca.pem);
    let config = dir.path().join("bookdesk.toml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_provider-sim"))
        .args(["--tls-cert".as_ref(), cert.as_os_str()])
        .args(["--tls-key".as_ref(), key.as_os_str()])
        .args(["--client-ca".as_ref(), client_ca.as_os_str()])
        .args(["--write-config".as_ref(), config.as_os_str()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    let read = BufReader::new(stdout).read_line(&mut first);
    let _ = child.kill();
    let _ = child.wait();
    read.expect("read");
    assert!(first.trim().starts_with("https://127.0.0.1:"), "{first}");
    let services = std::fs::read_to_string(dir.path().join("services.toml")).expect("services");
    assert!(services.contains("base_url = \"https://127.0.0.1:"));

    // A certificate without its key is a usage error.
    let out = Command::new(env!("CARGO_BIN_EXE_provider-sim"))
        .args(["--tls-cert".as_ref(), cert.as_os_str()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run");
    assert!(!out.success());
    // A key file that is not there is named.
    let out = Command::new(env!("CARGO_BIN_EXE_provider-sim"))
        .args(["--tls-cert".as_ref(), cert.as_os_str()])
        .args([
            "--tls-key".as_ref(),
            dir.path().join("nope.pem").as_os_str(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.pem"));
}
