//! A real OpenID provider for the sign-in tests: `tests/oidc/provider.mjs` (oidc-provider, OpenID
//! Certified, with CIS2's claims), started per test at the tests' instant, and its browser
//! (`tests/oidc/browse.mjs`), which signs in through the provider's own pages.
#![allow(dead_code)] // each test binary uses a different part

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use booking_engine::Result;
use chrono::{DateTime, Utc};

fn oidc_dir() -> PathBuf {
    // Found from whichever crate's tests use this file.
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|d| d.join("tests/oidc"))
        .find(|d| d.join("provider.mjs").is_file())
        .expect("tests/oidc in the repository")
}

/// A running provider; stopped when dropped.
pub struct Provider {
    pub issuer: String,
    child: Child,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a provider whose clock reads `now`, with any of provider.mjs's other flags.
pub fn start(now: DateTime<Utc>, flags: &[&str]) -> Provider {
    let mut args = vec!["--now".to_string(), now.to_rfc3339()];
    args.extend(flags.iter().map(|f| f.to_string()));
    start_with(&args)
}

/// Starts a provider on the real clock, for a desk that runs on it (the desktop's tests).
pub fn start_now() -> Provider {
    start_with(&[])
}

fn start_with(args: &[String]) -> Provider {
    let dir = oidc_dir();
    assert!(
        dir.join("node_modules").is_dir(),
        "tests/oidc has no node_modules: run tests/setup.sh (or npm ci --prefix tests/oidc)"
    );
    let mut child = Command::new("node")
        .arg(dir.join("provider.mjs"))
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node runs the OpenID provider (run tests/setup.sh)");
    let stdout = child.stdout.take().expect("stdout");
    // Read on a thread so a provider that never starts fails the test instead of hanging it.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let Ok(line) = rx.recv_timeout(std::time::Duration::from_secs(60)) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the OpenID provider did not say it was ready within 60 seconds");
    };
    let issuer = line
        .trim()
        .strip_prefix("OIDC_PROVIDER_READY ")
        .unwrap_or_else(|| panic!("the provider did not start: {line:?}"))
        .to_string();
    Provider { issuer, child }
}

/// A browser that signs in as `user` (password `<user>-pass`, as tests/oidc/users.json has it)
/// at whatever page the desk opens, and goes back to the desk's loopback address.
pub fn browser(user: &'static str) -> impl FnOnce(&str) -> Result<()> {
    move |url: &str| {
        let mut child = Command::new("node")
            .arg(oidc_dir().join("browse.mjs"))
            .arg(url)
            .env("OIDC_TEST_USER", user)
            .env("OIDC_TEST_PASSWORD", format!("{user}-pass"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs the test browser");
        // Reaped in the background: the desk waits for the browser, not the other way round.
        std::thread::spawn(move || child.wait());
        Ok(())
    }
}
