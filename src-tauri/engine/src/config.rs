//! The desk's configuration file (TOML): who is working, for which organisation, which services
//! file and which bookings store. Relative paths are relative to the configuration file.

use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::auth::{Organisation, Session, SystemIdentity, User};
use crate::directory::Directory;
use crate::error::{Error, Result};

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
            search_concurrency: 8,
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    directory: PathBuf,
    store: String,
    user: User,
    organisation: Organisation,
    system: SystemIdentity,
    #[serde(default)]
    http: HttpSettings,
}

#[derive(Debug, Clone)]
pub struct DeskConfig {
    pub directory_path: PathBuf,
    pub directory: Directory,
    /// A SQLite file path (later also a `postgres://` URL).
    pub store: String,
    pub session: Session,
    pub http: HttpSettings,
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
                "The configuration could not be read: {}",
                e.message()
            ))
        })?;
        let directory_path = base.join(&raw.directory);
        let directory = Directory::load(&directory_path)?;
        let store = if raw.store.contains("://") {
            raw.store
        } else {
            base.join(&raw.store).to_string_lossy().into_owned()
        };
        let session = Session::new(raw.user, raw.organisation, raw.system)?;
        Ok(Self {
            directory_path,
            directory,
            store,
            session,
            http: raw.http,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(c.http.search_concurrency, 8);

        let bad = cfg.replace("role = \"call-handler\"", "role = \"wizard\"");
        std::fs::write(&path, bad).expect("write");
        let e = DeskConfig::load(&path).expect_err("bad role");
        assert_eq!(e.kind, crate::error::ErrorKind::Config);
    }
}
