//! `bookdesk secrets` against a real Secret Service: `tests/with-keyring.sh` runs these inside a
//! private D-Bus session with an unlocked gnome-keyring, as `tests/all.sh` does.

mod support;

use booking_engine::secrets::{Keyring, SecretName};
use provider_sim::SimOptions;
use provider_sim::pki::ThrowawayCa;
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use support::{Desk, Run, TestSim, str_of};

const API_KEY: &str = "bd-api-key-6f1c2e0a9b7d4c1f";
const SIGNING_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-signing-key-body-7c3e91\n-----END PRIVATE KEY-----\n";

fn require_keyring_session() {
    assert!(
        std::env::var_os("BOOKDESK_IN_KEYRING_SESSION").is_some(),
        "these tests need a real Secret Service: run them as `tests/with-keyring.sh cargo test ...`"
    );
}

/// A desk on its own simulator whose configuration names a keyring namespace no other test uses.
fn desk_with_namespace(sim: &TestSim) -> (Desk, String) {
    let namespace = format!(
        "cli-test-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    );
    let mut config = std::fs::read_to_string(sim.config()).expect("config");
    config.push_str(&format!("\n[secrets]\nnamespace = \"{namespace}\"\n"));
    std::fs::write(sim.config(), config).expect("config written");
    (Desk::with_config(&sim.config()), namespace)
}

/// `bookdesk secrets set NAME` with the value on standard input, logging everything.
fn set_from_stdin(desk: &Desk, name: &str, value: &str) -> Run {
    let args = ["secrets", "set", name];
    let mut cmd = desk.command(&args);
    cmd.env("BOOKDESK_LOG", "trace").stdin(Stdio::piped());
    let mut child = cmd.spawn().expect("bookdesk starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(value.as_bytes())
        .expect("value written");
    let out = child.wait_with_output().expect("bookdesk ends");
    Run::from_output(args.iter().map(|s| s.to_string()).collect(), out)
}

fn stored(desk: &Desk) -> Vec<(String, bool)> {
    desk.ok(&["secrets", "status"])
        .as_array()
        .expect("status array")
        .iter()
        .map(|s: &Value| {
            (
                s["name"].as_str().expect("name").to_string(),
                s["stored"].as_bool().expect("stored"),
            )
        })
        .collect()
}

/// Every file under `dir`, read as bytes, searched for `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path)
                && String::from_utf8_lossy(&bytes).contains(needle)
            {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

#[test]
fn secrets_are_stored_read_back_and_removed_through_the_real_keyring_and_never_shown() {
    require_keyring_session();
    let sim = TestSim::start(SimOptions::default());
    let (desk, namespace) = desk_with_namespace(&sim);

    assert!(
        stored(&desk).iter().all(|(_, s)| !s),
        "a fresh namespace has nothing stored"
    );

    let mut runs = vec![
        set_from_stdin(&desk, "api-key", API_KEY),
        set_from_stdin(&desk, "signing-key", SIGNING_KEY),
    ];
    for run in &runs {
        run.expect_code(0);
        assert!(run.stderr.contains("Stored the"), "{}", run.stderr);
    }

    // Not a key: refused before it reaches the keyring, with the reason.
    let bad = set_from_stdin(&desk, "client-key", "password123");
    bad.expect_code(2);
    assert!(bad.stderr.contains("PEM private key"), "{}", bad.stderr);
    let unknown = desk.run(&["secrets", "set", "password"]);
    unknown.expect_code(2);
    assert!(unknown.stderr.contains("api-key"), "{}", unknown.stderr);
    runs.push(bad);

    let status = stored(&desk);
    assert!(status.contains(&("api-key".into(), true)), "{status:?}");
    assert!(status.contains(&("signing-key".into(), true)), "{status:?}");
    assert!(status.contains(&("client-key".into(), false)), "{status:?}");
    let table = desk.run(&["secrets", "status"]);
    table.expect_code(0);
    runs.push(table);

    // Read back from the Secret Service itself, as the engine will.
    let keyring = Keyring::new(&namespace);
    let key = keyring
        .get(SecretName::SigningKey)
        .expect("keyring readable")
        .expect("signing key stored");
    assert_eq!(key.expose(), SIGNING_KEY.trim());
    assert_eq!(
        keyring
            .require(SecretName::ApiKey)
            .expect("api key")
            .expose(),
        API_KEY
    );

    // The values are in no output (trace logging on) and no file the desk or demo wrote.
    for run in &runs {
        for text in [&run.stdout, &run.stderr] {
            assert!(!text.contains(API_KEY), "api key shown by {:?}", run.args);
            assert!(
                !text.contains("signing-key-body"),
                "key shown by {:?}",
                run.args
            );
        }
    }
    let config_dir = sim.config();
    let config_dir = config_dir.parent().expect("config folder");
    for dir in [desk.data_dir(), config_dir] {
        assert_eq!(files_containing(dir, API_KEY), Vec::<String>::new());
        assert_eq!(
            files_containing(dir, "signing-key-body"),
            Vec::<String>::new()
        );
    }

    let removed = desk.run(&["secrets", "delete", "api-key"]);
    removed.expect_code(0);
    assert!(removed.stderr.contains("Removed"), "{}", removed.stderr);
    let again = desk.run(&["secrets", "delete", "api-key"]);
    again.expect_code(0);
    assert!(again.stderr.contains("was not in"), "{}", again.stderr);
    assert!(stored(&desk).contains(&("api-key".into(), false)));
    assert!(keyring.get(SecretName::ApiKey).expect("readable").is_none());
    let missing = keyring.require(SecretName::ApiKey).expect_err("gone");
    assert!(
        missing.next_step.contains("bookdesk secrets set api-key"),
        "{missing:?}"
    );
    keyring.delete(SecretName::SigningKey).expect("cleaned up");
}

#[test]
fn without_a_secret_service_the_error_says_what_to_install() {
    let sim = TestSim::start(SimOptions::default());
    let (desk, _) = desk_with_namespace(&sim);
    let mut cmd = desk.command(&["secrets", "status", "--json"]);
    cmd.env(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/booking-desk-bus",
    );
    let run = Run::from_output(
        vec!["secrets".into(), "status".into()],
        cmd.output().expect("bookdesk runs"),
    );
    let e = run.error(1, "keyring");
    let words = format!("{} {}", e["message"], e["next_step"]);
    assert!(words.contains("gnome-keyring"), "{words}");
}

#[test]
fn mutual_tls_uses_the_client_key_from_the_keyring_and_never_shows_it() {
    require_keyring_session();
    let ca = ThrowawayCa::new("CLI test CA").expect("CA");
    let server = ca.server().expect("server certificate");
    let client = ca.client("desk.example").expect("client certificate");
    let sim = TestSim::start(SimOptions {
        tls: Some(ca.sim_tls(&server)),
        ..SimOptions::default()
    });
    let (desk, namespace) = desk_with_namespace(&sim);
    let folder = sim.config();
    let folder = folder.parent().expect("config folder");
    std::fs::write(folder.join("spine-ca.pem"), &ca.pem).expect("CA written");
    std::fs::write(folder.join("desk-cert.pem"), &client.cert_pem).expect("cert written");
    let mut config = std::fs::read_to_string(sim.config()).expect("config");
    config.push_str(
        "\n[tls]\nca_bundle = \"spine-ca.pem\"\nclient_certificate = \"desk-cert.pem\"\n",
    );
    std::fs::write(sim.config(), config).expect("config written");
    // Not asked of the desk: without its key it cannot start at all, which is the point below.
    let service = "beckside-medical-practice".to_string();
    let capabilities = ["capabilities", "--service", service.as_str()];

    // Configured, but the key is not in the keyring yet: the error names the command to run.
    let e = desk.fails(&capabilities, 1, "keyring");
    assert!(
        str_of(&e, "next_step").contains("bookdesk secrets set client-key"),
        "{e}"
    );

    // The key comes in from a file the user names, kept apart from the desk's folders.
    let import = tempfile::tempdir().expect("tempdir");
    let key_file = import.path().join("desk-key.pem");
    std::fs::write(&key_file, &client.key_pem).expect("key written");
    let key_path = key_file.to_string_lossy().into_owned();
    let mut set = desk.command(&["secrets", "set", "client-key", "--from-file", &key_path]);
    set.env("BOOKDESK_LOG", "trace");
    let set = Run::from_output(
        vec!["secrets".into(), "set".into()],
        set.output().expect("bookdesk runs"),
    );
    set.expect_code(0);

    // Now mutual TLS works, with every log line on.
    let mut cmd = desk.command(&["capabilities", "--service", service.as_str(), "--json"]);
    cmd.env("BOOKDESK_LOG", "trace");
    let run = Run::from_output(
        capabilities.iter().map(|s| s.to_string()).collect(),
        cmd.output().expect("bookdesk runs"),
    );
    run.expect_code(0);
    assert_eq!(run.json()["service_id"], service.as_str(), "{}", run.stdout);

    let body: Vec<&str> = client
        .key_pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 16)
        .collect();
    assert!(!body.is_empty());
    for line in &body {
        for r in [&set, &run] {
            assert!(
                !r.stdout.contains(line) && !r.stderr.contains(line),
                "key shown"
            );
        }
        for dir in [desk.data_dir(), folder] {
            assert_eq!(files_containing(dir, line), Vec::<String>::new());
        }
    }
    Keyring::new(&namespace)
        .delete(SecretName::ClientKey)
        .expect("cleaned up");
}

/// A throwaway RSA key pair (private PKCS#8 PEM, public PEM) for the platform.
fn platform_key_pair() -> (String, String) {
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("keygen");
    (
        key.to_pkcs8_pem(LineEnding::LF).expect("pem").to_string(),
        key.to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("pem"),
    )
}

#[test]
fn bars_books_with_the_platform_keys_from_the_keyring_and_never_shows_them() {
    require_keyring_session();
    let sim = TestSim::start(SimOptions::default());
    let (desk, _namespace) = desk_with_namespace(&sim);
    let utc = sim.service("urgent-care", "bars");
    let search = ["slots", "--service", utc.as_str()];

    // Not in the keyring yet: the service's row says what to store and how.
    let found = desk.ok(&search);
    let e = &found["services"][0]["progress"]["error"];
    assert_eq!(e["kind"], "keyring", "{found}");
    assert!(
        str_of(e, "next_step").contains("bookdesk secrets set api-key"),
        "{e}"
    );

    let (private, public) = platform_key_pair();
    let api_key = format!("cli-bars-{}", std::process::id());
    sim.register_desk_key(&api_key, &public);
    set_from_stdin(&desk, "api-key", &api_key).expect_code(0);
    set_from_stdin(&desk, "signing-key", &private).expect_code(0);

    let slot = desk.slot_ahead(&utc);
    let slot_id = str_of(&slot, "id");
    let mut cmd = desk.command(&[
        "book",
        "--service",
        &utc,
        "--slot",
        slot_id,
        "--nhs",
        "9434765919",
        "--description",
        "Sore throat",
        "--json",
    ]);
    cmd.env("BOOKDESK_LOG", "trace");
    let run = Run::from_output(vec!["book".into()], cmd.output().expect("bookdesk runs"));
    run.expect_code(0);
    let booked = run.json();
    assert_eq!(booked["appointment"]["standard"], "bars", "{booked}");
    let id = str_of(&booked["appointment"], "id").to_string();
    assert!(
        sim.bars_bookings()
            .iter()
            .any(|b| b.appointment["id"] == id.as_str())
    );

    // Neither secret is in the output, the logs or any file the desk wrote.
    let body: Vec<&str> = private
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 16)
        .collect();
    for needle in body.iter().copied().chain([api_key.as_str()]) {
        assert!(
            !run.stdout.contains(needle) && !run.stderr.contains(needle),
            "a secret was shown"
        );
        let folder = sim.config();
        let folder = folder.parent().expect("config folder");
        assert!(
            files_containing(folder, needle).is_empty(),
            "a secret was written"
        );
        assert!(
            files_containing(desk.data_dir(), needle).is_empty(),
            "a secret was written"
        );
    }
}
