//! Running `bookdesk` as a user would: a fresh process per command, each test with its own
//! data folder, and (when needed) a simulated provider owned by the test.
#![allow(dead_code)] // not every test uses every helper

use chrono::{DateTime, Duration, FixedOffset, Local, NaiveDate, Utc};
use provider_sim::{RunningSim, SimOptions};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const JANE: &str = "9434765919";
pub const DAVID: &str = "9476719931";
pub const AMIR: &str = "9434765269";
pub const MARGARET: &str = "9434760186";

pub fn bookdesk_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_bookdesk"))
}

pub fn today() -> NaiveDate {
    Local::now().date_naive()
}

pub fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

/// `slots` arguments for `scope` (`--all` or `--service ID`, maybe with filters) over the
/// given days (offsets from today, inclusive).
pub fn slots_args(scope: &[&str], from: i64, to: i64) -> Vec<String> {
    let mut args = vec!["slots".to_string()];
    args.extend(scope.iter().map(|s| s.to_string()));
    args.extend(["--from".to_string(), day(from), "--to".to_string(), day(to)]);
    args
}

/// `book` arguments for a patient known by NHS number.
pub fn book_args<'a>(
    service: &'a str,
    slot: &'a str,
    nhs: &'a str,
    description: &'a str,
) -> Vec<&'a str> {
    book_args_for(service, slot, ["--nhs", nhs], description)
}

/// `book` arguments naming the patient with `patient`: `["--nhs", number]` or
/// `["--patient", file]`.
pub fn book_args_for<'a>(
    service: &'a str,
    slot: &'a str,
    patient: [&'a str; 2],
    description: &'a str,
) -> Vec<&'a str> {
    let mut args = vec!["book", "--service", service, "--slot", slot];
    args.extend(patient);
    args.extend(["--description", description]);
    args
}

/// Arguments for a command on one appointment (`show`, `amend`, `cancel`), then `more`.
pub fn appointment_args<'a>(
    command: &'a str,
    service: &'a str,
    id: &'a str,
    more: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![command, "--service", service, "--appointment", id];
    args.extend(more);
    args
}

/// A configuration whose people sign in with CIS2, listing `services.toml` beside it.
pub const CIS2_CONFIG: &str = "directory = \"services.toml\"\nstore = \"bookings.sqlite\"\n[cis2]\nissuer = \"https://cis2.example/realms/Healthcare\"\nclient_id = \"booking-desk\"\n[organisation]\nods = \"RYA\"\nname = \"NHS 111 North West\"\ntelecom = \"0300 123 4567\"\n[system]\nasid = \"200000000359\"\nendpoint = \"https://desk.example/fhir\"\n";

/// `services.toml` in `dir`, listing one GP Connect practice, "a".
pub fn write_one_service(dir: &Path) {
    std::fs::write(
        dir.join("services.toml"),
        "[[service]]\nid = \"a\"\nname = \"A\"\nkind = \"gp-practice\"\nstandard = \"gp-connect\"\nbase_url = \"https://a.example/A81001/STU3/1/gpconnect\"\nods = \"A81001\"\nasid = \"918999198001\"\n",
    )
    .expect("services");
}

fn to_strings(args: &[impl AsRef<str>]) -> Vec<String> {
    args.iter().map(|a| a.as_ref().to_string()).collect()
}

/// What one `bookdesk` process did.
#[derive(Debug)]
pub struct Run {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from_output(args: Vec<String>, out: Output) -> Self {
        Run {
            args,
            // A signal leaves no code; -1 can never pass an exit-code assertion.
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn json(&self) -> Value {
        let v: Value = serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout of {:?} is not JSON ({e}):\n{}\nstderr:\n{}",
                self.args, self.stdout, self.stderr
            )
        });
        assert_snake_case_keys(&v, "$");
        v
    }

    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code of {:?}\nstdout:\n{}\nstderr:\n{}",
            self.args, self.stdout, self.stderr
        );
        self
    }

    /// The error object a failing `--json` command prints, checked for its documented shape.
    pub fn error(&self, code: i32, kind: &str) -> Value {
        self.expect_code(code);
        let e = self.json();
        let documented = [
            "kind",
            "http_status",
            "code",
            "message",
            "next_step",
            "trace_id",
        ];
        assert_has_keys(&e, "error", &documented);
        assert_eq!(e["kind"], kind, "{e}");
        assert!(!str_of(&e, "message").is_empty(), "{e}");
        assert!(!str_of(&e, "next_step").is_empty(), "{e}");
        e
    }
}

/// A `bookdesk` process still running.
pub struct Pending {
    args: Vec<String>,
    child: std::process::Child,
}

impl Pending {
    /// Kills the process as a crash or a power-button would: SIGKILL, no chance to tidy up.
    pub fn kill(mut self) {
        self.child.kill().expect("bookdesk killed");
        let _ = self.child.wait();
    }

    /// Whether it has exited already.
    pub fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    pub fn wait(self) -> Run {
        let out = self.child.wait_with_output().expect("bookdesk finishes");
        Run::from_output(self.args, out)
    }
}

/// One desk: its own data folder, on the demo or on a configuration file.
pub struct Desk {
    data: tempfile::TempDir,
    config: Option<PathBuf>,
}

impl Desk {
    pub fn demo() -> Self {
        Desk {
            data: tempfile::tempdir().expect("tempdir"),
            config: None,
        }
    }

    pub fn with_config(config: &Path) -> Self {
        Desk {
            data: tempfile::tempdir().expect("tempdir"),
            config: Some(config.to_path_buf()),
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    pub fn command(&self, args: &[impl AsRef<str>]) -> Command {
        let mut cmd = Command::new(bookdesk_bin());
        // Nothing from the developer's own environment may leak into a test.
        cmd.env_remove("BOOKDESK_CONFIG")
            .env_remove("BOOKDESK_LOG")
            .env("BOOKDESK_DATA_DIR", self.data.path())
            // Nor the machine's: no managed or personal configuration unless a test writes one.
            .env(
                "BOOKDESK_SYSTEM_CONFIG",
                self.data.path().join("system-bookdesk.toml"),
            )
            .env(
                "BOOKDESK_USER_CONFIG",
                self.data.path().join("user-bookdesk.toml"),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(c) = &self.config {
            cmd.arg("--config").arg(c);
        }
        cmd.args(args.iter().map(AsRef::as_ref));
        cmd
    }

    pub fn run(&self, args: &[impl AsRef<str>]) -> Run {
        let out = self.command(args).output().expect("bookdesk runs");
        Run::from_output(to_strings(args), out)
    }

    /// Runs with `--json` added, whatever the outcome.
    pub fn run_json(&self, args: &[impl AsRef<str>]) -> Run {
        let mut a = to_strings(args);
        a.push("--json".to_string());
        self.run(&a)
    }

    /// Starts a command without waiting, for running several at once.
    pub fn spawn(&self, args: &[impl AsRef<str>]) -> Pending {
        Pending {
            args: to_strings(args),
            child: self.command(args).spawn().expect("bookdesk starts"),
        }
    }

    /// Runs with `--json`, asserts exit 0 and returns the parsed output.
    pub fn ok(&self, args: &[impl AsRef<str>]) -> Value {
        self.run_json(args).expect_code(0).json()
    }

    /// Runs with `--json` expecting failure with this exit code and error kind.
    pub fn fails(&self, args: &[impl AsRef<str>], code: i32, kind: &str) -> Value {
        self.run_json(args).error(code, kind)
    }

    pub fn show(&self, service: &str, id: &str) -> Value {
        self.ok(&appointment_args("show", service, id, &[]))
    }

    pub fn cancel(&self, service: &str, id: &str, reason: &str) -> Value {
        let args = appointment_args("cancel", service, id, &["--reason", reason]);
        self.ok(&args)
    }

    /// A slot search's whole answer; see `slots_args` for the arguments.
    pub fn search(&self, scope: &[&str], from: i64, to: i64) -> Value {
        self.ok(&slots_args(scope, from, to))
    }

    /// Free slots of one service over the given days (offsets from today, inclusive).
    pub fn slots(&self, service: &str, from: i64, to: i64) -> Vec<Value> {
        let v = self.search(&["--service", service], from, to);
        v["slots"].as_array().expect("slots array").clone()
    }

    /// A free slot of the service starting at least a day from now, so nothing starts mid-test.
    pub fn slot_ahead(&self, service: &str) -> Value {
        let limit = Utc::now() + Duration::days(1);
        self.slots(service, 0, 6)
            .into_iter()
            .find(|s| start_of(s) > limit)
            .unwrap_or_else(|| panic!("{service} has a free slot more than a day ahead"))
    }

    pub fn services(&self) -> Vec<Value> {
        self.ok(&["services"])
            .as_array()
            .expect("services array")
            .clone()
    }

    /// The first service of this kind and standard in the directory.
    pub fn service_of(&self, kind: &str, standard: &str) -> String {
        self.services()
            .iter()
            .find(|s| s["kind"] == kind && s["standard"] == standard)
            .map(|s| str_of(s, "id").to_string())
            .unwrap_or_else(|| panic!("the directory has a {kind} {standard} service"))
    }

    /// The first service of this kind in the directory.
    pub fn service_of_kind(&self, kind: &str) -> String {
        self.services()
            .iter()
            .find(|s| s["kind"] == kind)
            .map(|s| str_of(s, "id").to_string())
            .unwrap_or_else(|| panic!("the directory has a {kind} service"))
    }
}

pub fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is a string in {v}"))
}

pub fn start_of(slot: &Value) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(str_of(slot, "start")).expect("start is RFC 3339")
}

/// Fails naming the first of `keys` that `v` (found at `at`) lacks.
pub fn assert_has_keys(v: &Value, at: &str, keys: &[&str]) {
    for key in keys {
        assert!(v.get(key).is_some(), "{at} lacks {key}: {v}");
    }
}

/// Every object key, at any depth, is snake_case: the CLI's JSON is for scripts.
pub fn assert_snake_case_keys(v: &Value, at: &str) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let ok = k.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && k.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                assert!(ok, "key {k:?} at {at} is not snake_case");
                assert_snake_case_keys(child, &format!("{at}.{k}"));
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                assert_snake_case_keys(child, &format!("{at}[{i}]"));
            }
        }
        _ => {}
    }
}

/// A simulated provider owned by the test, with a desk configuration pointing at it.
pub struct TestSim {
    // Taken in drop so the simulator can be shut down on its own runtime.
    sim: Option<RunningSim>,
    runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
}

impl TestSim {
    pub fn start(opts: SimOptions) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let opts = SimOptions {
            state_file: Some(dir.path().join("provider-state.json")),
            ..opts
        };
        let sim = runtime
            .block_on(provider_sim::start(opts))
            .expect("simulator starts");
        sim.write_config(&dir.path().join("bookdesk.toml"))
            .expect("config written");
        TestSim {
            sim: Some(sim),
            runtime,
            dir,
        }
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("bookdesk.toml")
    }

    fn running(&self) -> &RunningSim {
        self.sim.as_ref().expect("simulator running")
    }

    pub fn base_url(&self) -> String {
        self.running().base_url()
    }

    pub fn appointments(&self) -> Vec<Value> {
        self.running().appointments()
    }

    /// The 111 reports the simulated services received.
    pub fn reports(&self) -> Vec<provider_sim::ReceivedReport> {
        self.running().reports()
    }

    /// Every appointment (any status) the simulator holds for this slot.
    pub fn holding(&self, slot_id: &str) -> Vec<Value> {
        self.appointments()
            .into_iter()
            .filter(|a| resource_slot_ids(a).iter().any(|s| s == slot_id))
            .collect()
    }

    /// Registers the desk's platform public key for `api_key` (see `RunningSim::register_desk_key`).
    pub fn register_desk_key(&self, api_key: &str, public_key_pem: &str) {
        self.running()
            .register_desk_key(api_key, public_key_pem)
            .expect("key registered");
    }

    /// BaRS bookings as the simulated services hold them.
    pub fn bars_bookings(&self) -> Vec<provider_sim::BarsBooking> {
        self.running().bars_bookings()
    }

    /// A service of this kind and standard, as the simulator hosts it.
    pub fn service(&self, kind: &str, standard: &str) -> String {
        self.running()
            .services()
            .into_iter()
            .find(|s| s.kind == kind && s.standard == standard)
            .map(|s| s.id)
            .unwrap_or_else(|| panic!("the simulator hosts a {kind} {standard} service"))
    }
}

impl Drop for TestSim {
    fn drop(&mut self) {
        if let Some(sim) = self.sim.take() {
            self.runtime.block_on(sim.shutdown());
        }
    }
}

/// The slot ids an Appointment resource books: GP Connect refers to `Slot/ID`; UEC contains
/// the Slot and carries the provider's slot id as its identifier.
pub fn resource_slot_ids(appointment: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for r in appointment["slot"].as_array().into_iter().flatten() {
        let Some(reference) = r["reference"].as_str() else {
            continue;
        };
        if let Some(id) = reference.strip_prefix("Slot/") {
            out.push(id.to_string());
        } else if let Some(local) = reference.strip_prefix('#') {
            // UEC: the contained Slot's id is the offered slot's logical id.
            out.push(local.to_string());
        }
    }
    out
}
