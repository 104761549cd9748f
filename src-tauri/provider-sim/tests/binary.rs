//! The `provider-sim` binary: URL on the first line of stdout, and --write-config.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn prints_url_first_and_writes_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("conf").join("bookdesk.toml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_provider-sim"))
        .arg("--write-config")
        .arg(&config)
        .arg("--seed")
        .arg("7")
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

    let url = first.trim();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(url[17..].parse::<u16>().is_ok(), "{url}");

    let bookdesk = std::fs::read_to_string(&config).expect("bookdesk.toml");
    for needle in [
        "directory = \"services.toml\"",
        "store = \"bookings.sqlite\"",
        "[user]",
        "sds_user_id = \"555021935107\"",
        "sds_role_profile_id = \"555021936106\"",
        "local_id = \"alex.taylor\"",
        "role = \"call-handler\"",
        "[organisation]",
        "ods = \"RYA\"",
        "telecom = \"0300 123 4567\"",
        "[system]",
        "asid = \"200000000359\"",
        "endpoint = \"https://bookingdesk.nhs111.example/fhir\"",
    ] {
        assert!(bookdesk.contains(needle), "{needle}");
    }
    let services = std::fs::read_to_string(dir.path().join("conf").join("services.toml"))
        .expect("services.toml");
    assert!(services.contains("[[service]]"));
    assert!(services.contains(&format!("base_url = \"{url}/B86001/STU3/1/gpconnect\"")));
    assert!(services.contains(&format!(
        "base_url = \"{url}/uec/calder-valley-utc/STU3/1/booking\""
    )));
    assert!(services.contains("standard = \"uec-booking\""));
    assert!(services.contains("kind = \"gp-out-of-hours\""));
}

#[test]
fn rejects_bad_options() {
    let out = Command::new(env!("CARGO_BIN_EXE_provider-sim"))
        .args(["--fail-rate", "2"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let out = Command::new(env!("CARGO_BIN_EXE_provider-sim"))
        .args(["--latency-ms", "9..3"])
        .output()
        .expect("run");
    assert!(!out.status.success());
}
