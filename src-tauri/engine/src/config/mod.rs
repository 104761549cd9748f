//! The desk's configuration file (TOML): who is working, for which organisation, which services
//! file and which bookings store. Relative paths are relative to the configuration file.

use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::auth::cis2::Cis2Settings;
use crate::auth::{Organisation, Proof, Session, SystemIdentity, User};
use crate::directory::Directory;
use crate::error::{Error, ErrorKind, Result};
use crate::toml_place::at_line;

mod managed;
pub use managed::{ConfigFiles, Located, locate, not_configured};

/// Limits on every network call.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    /// Whole request, from connecting to the last byte of the answer.
    pub timeout_secs: u64,
    pub connect_timeout_secs: u64,
    /// Larger answers are refused, not read.
    pub max_body_bytes: usize,
    /// How many services one search asks at once.
    pub search_concurrency: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            timeout_secs: 15,
            connect_timeout_secs: 5,
            max_body_bytes: 16 * 1024 * 1024,
            // A region's services at once: each is its own host, and the slowest sets the pace.
            search_concurrency: 50,
        }
    }
}

impl HttpSettings {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.max(1))
    }
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout_secs.max(1))
    }

    /// A zero limit would read no answer at all, or search no service and wait for ever.
    fn check(&self) -> Result<()> {
        for (key, value) in [
            ("max_body_bytes", self.max_body_bytes),
            ("search_concurrency", self.search_concurrency),
        ] {
            if value == 0 {
                return Err(Error::config(format!(
                    "[http] {key} is 0 in the configuration; it must be at least 1."
                ))
                .with_next_step(format!(
                    "Remove {key} to use the default, or set a positive number."
                )));
            }
        }
        Ok(())
    }
}

/// Where the desk's secrets live in the OS keyring.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsSettings {
    /// Keeps two desks (or tests) on one machine apart: entries are `<namespace>/<secret>`.
    pub namespace: String,
}

impl Default for SecretsSettings {
    fn default() -> Self {
        Self {
            namespace: "default".into(),
        }
    }
}

/// Transport security beyond the built-in web roots. Paths are resolved against the
/// configuration file's folder. The client certificate's private key is never in a file: it is
/// the keyring's `client-key` secret.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsSettings {
    /// Extra trusted roots (PEM), e.g. the Spine CA.
    pub ca_bundle: Option<PathBuf>,
    /// Our certificate chain (PEM) for mutual TLS.
    pub client_certificate: Option<PathBuf>,
}

/// The national API platform's OAuth2 client-credentials flow (used by BaRS). The API key and
/// the RS512 signing key are keyring secrets (`api-key`, `signing-key`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformSettings {
    pub token_url: String,
    /// The `kid` of our public key registered with the platform.
    pub key_id: String,
}

/// The national services the desk asks, by their service roots (issue 20). Each is reached with
/// the national API platform's token, so `[platform]` is needed beside them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NationalSettings {
    /// The Personal Demographics Service FHIR API, e.g.
    /// `https://api.service.nhs.uk/personal-demographics/FHIR/R4`.
    pub pds_url: Option<String>,
    /// The Spine Directory Service FHIR API, e.g.
    /// `https://api.service.nhs.uk/spine-directory/FHIR/R4`: reached with the platform's API key.
    pub sds_url: Option<String>,
    /// The Directory of Services SOAP web service, e.g.
    /// `https://www.directoryofservices.nhs.uk/app/api/webservices`.
    pub dos_url: Option<String>,
    /// The desk's DoS account; its password is the keyring's `dos-password`.
    pub dos_username: Option<String>,
    /// The BaRS API's one root on the national API platform, e.g.
    /// `https://api.service.nhs.uk/booking-and-referral/FHIR/R4`: it routes each request by
    /// `NHSD-Target-Identifier` through its endpoint catalogue.
    pub bars_url: Option<String>,
}

impl NationalSettings {
    fn addresses(&self) -> impl Iterator<Item = &str> {
        [&self.pds_url, &self.sds_url, &self.dos_url, &self.bars_url]
            .into_iter()
            .filter_map(|u| u.as_deref())
    }

    /// Refused at start rather than at the first search.
    fn check(&self, has_platform: bool) -> Result<()> {
        for (url, key) in [
            (&self.pds_url, "[national] pds_url"),
            (&self.sds_url, "[national] sds_url"),
            (&self.dos_url, "[national] dos_url"),
            (&self.bars_url, "[national] bars_url"),
        ] {
            if let Some(url) = url {
                crate::secure_url::check(url, key)?;
            }
        }
        for (url, what) in [
            (
                &self.pds_url,
                "The Personal Demographics Service is reached with the national API platform's token",
            ),
            (
                &self.sds_url,
                "The Spine Directory Service is reached with the national API platform's API key",
            ),
        ] {
            if url.is_some() && !has_platform {
                return Err(Error::config(format!(
                    "{what}, and the configuration has no [platform] section."
                ))
                .with_next_step("Add [platform] token_url and key_id, or remove the address."));
            }
        }
        if self.dos_url.is_some()
            != self
                .dos_username
                .as_deref()
                .is_some_and(|u| !u.trim().is_empty())
        {
            return Err(Error::config(
                "The Directory of Services needs both dos_url and dos_username in [national].",
            )
            .with_next_step("Add the missing one, or remove both."));
        }
        Ok(())
    }
}

/// Which desk this is, as the centre's reports name it, and how long it keeps patients' details.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeskSettings {
    /// e.g. "Leeds floor 2, desk 14"; the machine's host name when not set.
    pub name: Option<String>,
    /// Days NHS numbers and clinical handovers are kept in the registry before they are purged
    /// (counts and pseudonyms stay for reports).
    pub keep_patient_details_days: u32,
    /// Minutes without use after which the desk hides the patient and asks the person to sign
    /// in again.
    pub idle_lock_minutes: u32,
}

/// The registry's retention of patient details unless configured.
pub const KEEP_PATIENT_DETAILS_DAYS: u32 = 30;

/// A desk left this long locks unless configured otherwise.
pub const IDLE_LOCK_MINUTES: u32 = 10;

impl Default for DeskSettings {
    fn default() -> Self {
        Self {
            name: None,
            keep_patient_details_days: KEEP_PATIENT_DETAILS_DAYS,
            idle_lock_minutes: IDLE_LOCK_MINUTES,
        }
    }
}

/// Said when neither the configuration nor the machine names the desk.
pub const UNKNOWN_DESK: &str = "unknown desk";

impl DeskSettings {
    /// The configured name, else the machine's host name, else "unknown desk".
    pub fn resolved_name(&self) -> String {
        let configured = self
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        configured
            .map(str::to_string)
            .or_else(host_name)
            .unwrap_or_else(|| UNKNOWN_DESK.to_string())
    }
}

/// The machine's host name: `/etc/hostname` (Linux), else `HOSTNAME` (set by some shells and
/// containers); never an empty one.
fn host_name() -> Option<String> {
    let from_file = std::fs::read_to_string("/etc/hostname").ok();
    [from_file, std::env::var("HOSTNAME").ok()]
        .into_iter()
        .flatten()
        .map(|n| n.trim().to_string())
        .find(|n| !n.is_empty())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    /// The local services list (services.toml): optional where the Directory of Services and
    /// SDS find the services; it then adds services not yet in the directory, or overrides.
    #[serde(default)]
    directory: Option<PathBuf>,
    store: String,
    /// Who works at a desk whose every service is a simulator on this machine (the demo, tests);
    /// anywhere else people sign in with CIS2 and this section is refused.
    user: Option<User>,
    cis2: Option<Cis2Settings>,
    organisation: Organisation,
    /// Other organisations whose staff work at this desk (a centre shared by providers):
    /// `[[other_organisation]]`, each as `[organisation]`.
    #[serde(default, rename = "other_organisation")]
    other_organisations: Vec<Organisation>,
    system: SystemIdentity,
    #[serde(default)]
    http: HttpSettings,
    #[serde(default)]
    secrets: SecretsSettings,
    #[serde(default)]
    tls: TlsSettings,
    platform: Option<PlatformSettings>,
    #[serde(default)]
    national: NationalSettings,
    #[serde(default)]
    desk: DeskSettings,
    /// In the configuration IT deploys for every desk: what each person's own file may change.
    #[serde(default)]
    managed: ManagedSettings,
}

/// `[managed]`: what a person's own configuration may set over the managed one. Nothing unless
/// named; a section name (`"desk"`) allows every key in it, a dotted key (`"desk.name"`) that one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ManagedSettings {
    pub user_may_set: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DeskConfig {
    /// The local services list, when the configuration names one.
    pub directory_path: Option<PathBuf>,
    pub directory: Directory,
    /// A SQLite file path (or `sqlite://` URL) for one desk, or a `postgres://` URL for a registry
    /// shared by many desks.
    pub store: String,
    /// Who works at a simulator-only desk when the configuration says so (the demo CLI).
    pub user: Option<User>,
    /// How people prove who they are: NHS CIS2. Required unless every service is a simulator on
    /// this machine.
    pub cis2: Option<Cis2Settings>,
    pub organisation: Organisation,
    /// Other organisations a CIS2 role may act for here; the role chosen at sign-in says which
    /// (the desk's own `organisation` when it is that one's).
    pub other_organisations: Vec<Organisation>,
    pub system: SystemIdentity,
    pub http: HttpSettings,
    pub secrets: SecretsSettings,
    pub tls: TlsSettings,
    pub platform: Option<PlatformSettings>,
    pub national: NationalSettings,
    pub desk: DeskSettings,
    pub managed: ManagedSettings,
    /// Where the audit key is kept: the keyring, except for the demo (set by the front that
    /// opens it; never read from a file, so a configuration cannot move the key out of it).
    pub audit_key: AuditKeySource,
}

/// Where the desk's audit key is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AuditKeySource {
    /// The OS keyring's `audit-key` secret.
    #[default]
    Keyring,
    /// `<registry>.audit-key` beside a SQLite registry, owner-only: the demo's only.
    DemoFile,
}

impl DeskConfig {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::config(format!(
                "The configuration file {} could not be opened: {e}.",
                path.display()
            ))
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::from_toml(&text, base)
    }

    /// `base` is the folder relative paths are resolved against.
    pub fn from_toml(text: &str, base: &Path) -> Result<Self> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            Error::config(format!(
                "The configuration could not be read{}: {}",
                at_line(text, e.span()),
                e.message()
            ))
        })?;
        let directory_path = raw.directory.as_ref().map(|d| base.join(d));
        let directory = match &directory_path {
            Some(path) => Directory::load(path)?,
            None if raw.national.dos_url.is_some() => Directory::default(),
            None => {
                return Err(Error::config(
                    "The configuration names no services: neither a services list (directory) \
                     nor the Directory of Services ([national] dos_url).",
                )
                .with_next_step(
                    "Add dos_url and dos_username to [national] (with sds_url), or directory = \
                     \"services.toml\" with the services this desk books.",
                ));
            }
        };
        let store = if raw.store.contains("://") {
            raw.store
        } else {
            base.join(&raw.store).to_string_lossy().into_owned()
        };
        if url::Url::parse(&raw.system.endpoint).is_err() {
            return Err(Error::config("The system endpoint must be a URL."));
        }
        if let Some(p) = &raw.platform {
            crate::secure_url::check(&p.token_url, "platform token_url")?;
        }
        raw.national.check(raw.platform.is_some())?;
        // Refused here, at start, rather than when the first booking is made.
        for o in std::iter::once(&raw.organisation).chain(&raw.other_organisations) {
            o.check()?;
            check_own_dos_id(o, &directory, raw.platform.is_some())?;
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(twice) = std::iter::once(&raw.organisation)
            .chain(&raw.other_organisations)
            .find(|o| !seen.insert(o.ods.as_str().to_ascii_uppercase()))
        {
            return Err(Error::config(format!(
                "The organisation {} is named twice in the configuration.",
                twice.ods.as_str()
            ))
            .with_next_step("Keep one [organisation] or [[other_organisation]] section for it."));
        }
        raw.http.check()?;
        if raw.desk.keep_patient_details_days == 0 {
            return Err(Error::config(
                "keep_patient_details_days in [desk] must be at least 1.",
            )
            .with_next_step(
                "Set it to how many days bookings' NHS numbers stay in the registry (30 unless \
                 your centre's policy says otherwise).",
            ));
        }
        if raw.desk.idle_lock_minutes == 0 {
            return Err(Error::config("idle_lock_minutes in [desk] must be at least 1.")
                .with_next_step("Set it to the minutes a desk may be left before it locks (10 unless your centre's policy says otherwise)."));
        }
        if let Some(c) = &raw.cis2 {
            c.check()?;
        }
        let simulated_only =
            everything_on_this_machine(&directory, raw.platform.as_ref(), &raw.national);
        if raw.user.is_some() && (raw.cis2.is_some() || !simulated_only) {
            return Err(Error::config(
                "The [user] section cannot say who works at this desk: people sign in with their \
                 NHS smartcard or authenticator (CIS2).",
            )
            .with_next_step("Remove the [user] section; add a [cis2] section if there is none."));
        }
        let tls = TlsSettings {
            ca_bundle: raw.tls.ca_bundle.map(|p| base.join(p)),
            client_certificate: raw.tls.client_certificate.map(|p| base.join(p)),
        };
        Ok(Self {
            directory_path,
            directory,
            store,
            user: raw.user,
            cis2: raw.cis2,
            organisation: raw.organisation,
            other_organisations: raw.other_organisations,
            system: raw.system,
            http: raw.http,
            secrets: raw.secrets,
            tls,
            platform: raw.platform,
            national: raw.national,
            desk: raw.desk,
            managed: raw.managed,
            audit_key: Default::default(),
        })
    }

    /// The ODS codes of every organisation people may act for here, the desk's own first.
    pub fn organisation_codes(&self) -> Vec<&str> {
        organisation_codes(&self.organisation, &self.other_organisations)
    }

    /// The session for the configured user; an error when the configuration names nobody.
    pub fn session(&self) -> Result<Session> {
        let user = self.user.clone().ok_or_else(|| {
            Error::new(ErrorKind::SignInRequired)
                .with_message("The configuration does not say who is working at this desk.")
                .with_next_step(
                    "Add a [user] section with your own name, SDS user id, role profile id, local id and role.",
                )
        })?;
        Session::new(
            user,
            self.organisation.clone(),
            self.system.clone(),
            Proof::Unproved,
        )
    }
}

/// Whether every service (and the platform's token service) is on this machine: only then may
/// someone work without proving who they are, since nothing they send can reach a real service.
fn everything_on_this_machine(
    directory: &Directory,
    platform: Option<&PlatformSettings>,
    national: &NationalSettings,
) -> bool {
    let local = |u: &str| {
        url::Url::parse(u)
            .ok()
            .and_then(|u| u.host_str().map(crate::secure_url::is_loopback_host))
            .unwrap_or(false)
    };
    directory.all().iter().all(|s| local(&s.base_url))
        && platform.is_none_or(|p| local(&p.token_url))
        && national.addresses().all(local)
}

impl DeskConfig {
    /// Whether people may work here without CIS2: no `[cis2]`, and only simulators on this
    /// machine to reach.
    pub fn unproved_sign_in_allowed(&self) -> bool {
        self.cis2.is_none()
            && everything_on_this_machine(&self.directory, self.platform.as_ref(), &self.national)
    }
}

/// BaRS services send their answers to the desk's own DoS service, which every BaRS message
/// names (`MessageHeader.source.endpoint`): a desk that speaks BaRS must say what it is.
/// The ODS codes of `own` and `others`, in that order.
pub(crate) fn organisation_codes<'a>(
    own: &'a Organisation,
    others: &'a [Organisation],
) -> Vec<&'a str> {
    std::iter::once(own)
        .chain(others)
        .map(|o| o.ods.as_str())
        .collect()
}

fn check_own_dos_id(org: &Organisation, directory: &Directory, platform: bool) -> Result<()> {
    let has = org
        .dos_service_id
        .as_deref()
        .is_some_and(|id| !id.trim().is_empty());
    let bars = directory
        .all()
        .iter()
        .any(|s| s.standard == crate::directory::Standard::Bars);
    if has || !(bars || platform) {
        return Ok(());
    }
    Err(Error::config(
        "[organisation] needs dos_service_id, this desk's own Directory of Services id: BaRS \
         services send their answers to it.",
    )
    .with_next_step(
        "Add dos_service_id = \"<your service's DoS id>\" to the [organisation] section, or \
         remove the BaRS services and the [platform] section.",
    ))
}

/// What a configuration that loads sets up, for `bookdesk config check`: nothing is contacted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConfigSummary {
    pub services_listed: usize,
    pub services_file: Option<PathBuf>,
    pub store: String,
    pub sign_in: &'static str,
    pub platform: bool,
    pub national: Vec<&'static str>,
    /// What each person's own file may set over this one (`[managed] user_may_set`).
    pub user_may_set: Vec<String>,
}

impl DeskConfig {
    /// What this configuration sets up, in words a centre's IT team checks it against.
    pub fn summary(&self) -> ConfigSummary {
        let n = &self.national;
        ConfigSummary {
            services_listed: self.directory.all().len(),
            services_file: self.directory_path.clone(),
            store: if self.store.contains("://") {
                "a shared PostgreSQL registry".into()
            } else {
                self.store.clone()
            },
            sign_in: if self.cis2.is_some() {
                "NHS CIS2"
            } else {
                "typed (simulators on this machine only)"
            },
            platform: self.platform.is_some(),
            national: [
                (n.pds_url.is_some(), "PDS"),
                (n.dos_url.is_some(), "Directory of Services"),
                (n.sds_url.is_some(), "SDS"),
                (n.bars_url.is_some(), "BaRS"),
            ]
            .into_iter()
            .filter_map(|(on, name)| on.then_some(name))
            .collect(),
            user_may_set: self.managed.user_may_set.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zero_http_limit_is_refused_naming_its_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("services.toml"),
            "[[service]]\nid = \"a\"\nname = \"A\"\nkind = \"gp-practice\"\nstandard = \"gp-connect\"\nbase_url = \"http://127.0.0.1:1/A1/STU3/1/gpconnect\"\nods = \"A81001\"\nasid = \"918999198001\"\n",
        )
        .expect("write");
        let head = "directory = \"services.toml\"\nstore = \"bookings.sqlite\"\n[system]\nasid = \"200000000359\"\nendpoint = \"https://desk.example/fhir\"\n[organisation]\nods = \"RYA\"\nname = \"NHS 111 North West\"\ntelecom = \"0300 123 4567\"\n";
        for key in ["search_concurrency", "max_body_bytes"] {
            let cfg = format!("{head}[http]\n{key} = 0\n");
            let e = DeskConfig::from_toml(&cfg, dir.path()).expect_err("zero refused");
            assert_eq!(e.kind, ErrorKind::Config);
            assert!(e.message.contains(key), "{}", e.message);
            let cfg = format!("{head}[http]\n{key} = 1\n");
            assert!(DeskConfig::from_toml(&cfg, dir.path()).is_ok(), "{key} = 1");
        }
    }

    #[test]
    fn a_file_that_cannot_be_read_says_at_which_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = "store = \"bookings.sqlite\"\n\n[national]\nbars_uri = \"https://x\"\n";
        let e = DeskConfig::from_toml(text, dir.path()).expect_err("unknown key");
        assert!(e.message.contains("at line 4, column 1"), "{}", e.message);
        assert!(e.message.contains("bars_uri"), "{}", e.message);
        assert_eq!(at_line("a\nbc", Some(3..4)), " at line 2, column 2");
        assert_eq!(at_line("a", None), "");
    }

    #[test]
    fn a_services_list_is_optional_where_the_directory_of_services_finds_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let head = "store = \"bookings.sqlite\"\n[system]\nasid = \"200000000359\"\nendpoint = \"https://desk.example/fhir\"\n[organisation]\nods = \"RYA\"\nname = \"NHS 111 North West\"\ntelecom = \"0300 123 4567\"\ndos_service_id = \"2000072489\"\n";
        let national = "[platform]\ntoken_url = \"https://api.service.nhs.uk/oauth2/token\"\nkey_id = \"desk-1\"\n[national]\ndos_url = \"https://www.directoryofservices.nhs.uk/app/api/webservices\"\ndos_username = \"nhs111-leeds\"\nsds_url = \"https://api.service.nhs.uk/spine-directory/FHIR/R4\"\n";
        let c = DeskConfig::from_toml(&format!("{head}{national}"), dir.path())
            .expect("the national directories alone");
        assert!(c.directory.all().is_empty());
        assert!(c.directory_path.is_none());
        let e = DeskConfig::from_toml(head, dir.path()).expect_err("no services at all");
        assert_eq!(e.kind, ErrorKind::Config);
        assert!(e.next_step.contains("dos_url"), "{e:?}");
        // A DoS address without its account, or SDS without the platform, is refused at start.
        let half = national.replace("dos_username = \"nhs111-leeds\"\n", "");
        assert!(DeskConfig::from_toml(&format!("{head}{half}"), dir.path()).is_err());
    }

    #[test]
    fn loads_config_and_resolves_relative_paths() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("services.toml"),
            "[[service]]\nid = \"a\"\nname = \"A\"\nkind = \"gp-practice\"\nstandard = \"gp-connect\"\nbase_url = \"http://127.0.0.1:1/A1/STU3/1/gpconnect\"\nods = \"A81001\"\nasid = \"918999198001\"\n",
        )
        .expect("write");
        let cfg = r#"
directory = "services.toml"
store = "bookings.sqlite"
[user]
name = "Alex Taylor"
sds_user_id = "555021935107"
sds_role_profile_id = "UNK"
local_id = "alex.taylor"
role = "call-handler"
[organisation]
ods = "RYA"
name = "NHS 111 North West"
telecom = "0300 123 4567"
[system]
asid = "200000000359"
endpoint = "https://desk.example/fhir"
[http]
timeout_secs = 3
"#;
        let path = dir.path().join("bookdesk.toml");
        std::fs::write(&path, cfg).expect("write");
        let c = DeskConfig::load(&path).expect("loads");
        assert_eq!(c.directory.all().len(), 1);
        assert!(c.store.ends_with("bookings.sqlite"));
        assert!(c.store.starts_with(dir.path().to_string_lossy().as_ref()));
        assert_eq!(c.http.timeout_secs, 3);
        assert_eq!(c.http.search_concurrency, 50);
        assert_eq!(c.secrets.namespace, "default");
        assert!(c.platform.is_none());
        assert!(c.session().is_ok());
        assert!(c.desk.name.is_none());
        assert!(
            !c.desk.resolved_name().is_empty(),
            "the host name, or unknown desk"
        );

        let named = format!("{cfg}[desk]\nname = \"  Leeds desk 14 \"\n");
        std::fs::write(&path, named).expect("write");
        let c = DeskConfig::load(&path).expect("loads with a desk name");
        assert_eq!(c.desk.resolved_name(), "Leeds desk 14");
        let wrong = format!("{cfg}[desk]\nlabel = \"x\"\n");
        std::fs::write(&path, wrong).expect("write");
        assert!(
            DeskConfig::load(&path).is_err(),
            "unknown desk setting refused"
        );

        let nobody = cfg.replace("[user]", "[ignored]");
        std::fs::write(&path, nobody).expect("write");
        assert!(DeskConfig::load(&path).is_err(), "unknown section refused");
        let start = cfg.find("[user]").expect("user");
        let end = cfg.find("[organisation]").expect("org");
        let nobody = format!("{}{}", &cfg[..start], &cfg[end..]);
        std::fs::write(&path, nobody).expect("write");
        let c = DeskConfig::load(&path).expect("loads without a user");
        assert_eq!(
            c.session().expect_err("no user").kind,
            ErrorKind::SignInRequired
        );

        let no_phone = cfg.replace("telecom = \"0300 123 4567\"\n", "");
        std::fs::write(&path, no_phone).expect("write");
        let e = DeskConfig::load(&path).expect_err("no organisation telecom");
        assert_eq!(e.kind, ErrorKind::Config);
        assert!(
            e.message.contains("telecom") && e.message.contains("[organisation]"),
            "says what to add: {}",
            e.message
        );
        let blank_phone = cfg.replace("telecom = \"0300 123 4567\"", "telecom = \"  \"");
        std::fs::write(&path, blank_phone).expect("write");
        assert!(DeskConfig::load(&path).is_err(), "a blank telecom is none");

        let bad = cfg.replace("role = \"call-handler\"", "role = \"wizard\"");
        std::fs::write(&path, bad).expect("write");
        let e = DeskConfig::load(&path).expect_err("bad role");
        assert_eq!(e.kind, crate::error::ErrorKind::Config);
    }

    #[test]
    fn a_typed_user_is_refused_where_cis2_is_configured_or_a_real_service_is_reachable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let services = |url: &str| {
            format!(
                "[[service]]\nid = \"a\"\nname = \"A\"\nkind = \"gp-practice\"\nstandard = \"gp-connect\"\nbase_url = \"{url}\"\nods = \"A81001\"\nasid = \"918999198001\"\n"
            )
        };
        let head = "directory = \"services.toml\"\nstore = \"bookings.sqlite\"\n[system]\nasid = \"200000000359\"\nendpoint = \"https://desk.example/fhir\"\n[organisation]\nods = \"RYA\"\nname = \"NHS 111 North West\"\ntelecom = \"0300 123 4567\"\n";
        let user = "[user]\nname = \"Alex Taylor\"\nsds_user_id = \"555021935107\"\nsds_role_profile_id = \"UNK\"\nlocal_id = \"alex.taylor\"\nrole = \"supervisor\"\n";
        let cis2 = "[cis2]\nissuer = \"https://am.nhsidentity.spineservices.nhs.uk/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare\"\nclient_id = \"booking-desk\"\n";
        let load = |url: &str, cfg: String| {
            std::fs::write(dir.path().join("services.toml"), services(url)).expect("write");
            DeskConfig::from_toml(&cfg, dir.path())
        };
        let local = "http://127.0.0.1:1/A1/STU3/1/gpconnect";
        let real = "https://gpc.example.nhs.uk/A81001/STU3/1/gpconnect";

        let demo =
            load(local, format!("{head}{user}")).expect("simulators only: typed user allowed");
        assert!(demo.unproved_sign_in_allowed());

        for (url, cfg, why) in [
            (local, format!("{head}{user}{cis2}"), "CIS2 configured"),
            (real, format!("{head}{user}"), "a real service reachable"),
        ] {
            let e = load(url, cfg).expect_err(why);
            assert_eq!(e.kind, ErrorKind::Config, "{why}");
            assert!(
                e.message.contains("[user]") && e.message.contains("CIS2"),
                "{why}: {}",
                e.message
            );
        }

        let proved = load(real, format!("{head}{cis2}")).expect("CIS2 desk without [user]");
        assert!(!proved.unproved_sign_in_allowed());
        assert!(proved.cis2.is_some());
        let unconfigured = load(real, head.to_string()).expect("loads; nobody can sign in yet");
        assert!(
            !unconfigured.unproved_sign_in_allowed(),
            "no CIS2 and a real service: no typed sign-in"
        );
    }

    #[test]
    fn a_desk_speaking_bars_names_its_own_dos_service() {
        let dir = tempfile::tempdir().expect("tempdir");
        let gp = "[[service]]\nid = \"a\"\nname = \"A\"\nkind = \"gp-practice\"\nstandard = \"gp-connect\"\nbase_url = \"http://127.0.0.1:1/A1/STU3/1/gpconnect\"\nods = \"A81001\"\nasid = \"918999198001\"\n";
        let bars = "[[service]]\nid = \"b\"\nname = \"B\"\nkind = \"urgent-care\"\nstandard = \"bars\"\nbase_url = \"http://127.0.0.1:1/bars/b/FHIR/R4\"\nods = \"NQ503\"\nasid = \"918999198002\"\ntarget_identifier = \"2000100505\"\n";
        let head = "directory = \"services.toml\"\nstore = \"bookings.sqlite\"\n[system]\nasid = \"200000000359\"\nendpoint = \"https://desk.example/fhir\"\n[organisation]\nods = \"RYA\"\nname = \"NHS 111 North West\"\ntelecom = \"0300 123 4567\"\n";
        let platform =
            "[platform]\ntoken_url = \"http://127.0.0.1:1/oauth2/token\"\nkey_id = \"k1\"\n";
        let load = |services: &str, cfg: String| {
            std::fs::write(dir.path().join("services.toml"), services).expect("write");
            DeskConfig::from_toml(&cfg, dir.path())
        };
        assert!(
            load(gp, head.to_string()).is_ok(),
            "no BaRS, no DoS id needed"
        );
        let e = load(&format!("{gp}{bars}"), head.to_string()).expect_err("BaRS without it");
        assert_eq!(e.kind, ErrorKind::Config);
        assert!(e.message.contains("dos_service_id"), "{}", e.message);
        let e = load(gp, format!("{head}{platform}")).expect_err("platform without it");
        assert!(e.message.contains("dos_service_id"), "{}", e.message);
        let named = head.replace(
            "name = \"NHS",
            "dos_service_id = \"2000072489\"\nname = \"NHS",
        );
        let c = load(&format!("{gp}{bars}"), format!("{named}{platform}")).expect("loads");
        assert_eq!(c.organisation.dos_service_id.as_deref(), Some("2000072489"));

        // Plain HTTP off this machine is refused, for a service and for the platform alike.
        let remote_gp = gp.replace("http://127.0.0.1:1", "http://prov.example");
        let e = load(&remote_gp, head.to_string()).expect_err("plain http to a service");
        assert_eq!(e.kind, ErrorKind::Config);
        assert!(e.message.contains("Service 'a' base_url"), "{}", e.message);
        let remote_platform = platform.replace("http://127.0.0.1:1", "http://platform.example");
        let e = load(&format!("{gp}{bars}"), format!("{named}{remote_platform}"))
            .expect_err("plain http to the platform");
        assert!(e.message.contains("platform token_url"), "{}", e.message);
        let tls = remote_gp.replace("http://", "https://");
        assert!(load(&tls, head.to_string()).is_ok(), "https anywhere");
    }
}
