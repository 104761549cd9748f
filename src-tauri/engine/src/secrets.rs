//! The desk's secrets (private keys, the API key) in the OS keyring: the Secret Service on Linux.
//! A value is written to the keyring and read back from it, and nowhere else: it has no
//! `Display`, its `Debug` is masked, and nothing here logs it.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::{Error, ErrorKind, Result};

/// The keyring's service name for every Booking Desk entry.
const SERVICE: &str = "booking-desk";

/// A secret the desk can keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum SecretName {
    /// The private key (PEM) of the desk's TLS client certificate, for mutual TLS with Spine.
    ClientKey,
    /// The RS512 private key (PEM) that signs client assertions for the national API platform.
    SigningKey,
    /// The national API platform's API key (the client id).
    ApiKey,
    /// The password of a shared (PostgreSQL) bookings registry.
    RegistryPassword,
    /// The password of the desk's Directory of Services account (`[national] dos_username`).
    DosPassword,
    /// The key the audit trail is sealed with (64 hexadecimal digits): made by the first desk on
    /// a registry of its own, put by IT on every desk sharing one.
    AuditKey,
    /// The CLI's CIS2 sign-in (its verified ID token and the role chosen), until it expires. Not
    /// among the secrets an administrator sets.
    SignInSession,
}

impl SecretName {
    pub const ALL: [SecretName; 6] = [
        SecretName::ClientKey,
        SecretName::SigningKey,
        SecretName::ApiKey,
        SecretName::RegistryPassword,
        SecretName::DosPassword,
        SecretName::AuditKey,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SecretName::ClientKey => "client-key",
            SecretName::SigningKey => "signing-key",
            SecretName::ApiKey => "api-key",
            SecretName::RegistryPassword => "registry-password",
            SecretName::DosPassword => "dos-password",
            SecretName::AuditKey => "audit-key",
            SecretName::SignInSession => "sign-in-session",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.as_str() == s)
    }

    /// What it is, for people.
    pub fn label(self) -> &'static str {
        match self {
            SecretName::ClientKey => "TLS client certificate private key",
            SecretName::SigningKey => "Client assertion signing key (RS512)",
            SecretName::ApiKey => "National API platform API key",
            SecretName::RegistryPassword => "Shared registry (PostgreSQL) password",
            SecretName::DosPassword => "Directory of Services account password",
            SecretName::AuditKey => "Audit trail key",
            SecretName::SignInSession => "NHS sign-in session",
        }
    }

    /// Keys must be PEM private keys; refusing anything else now saves a confusing failure later.
    fn check(self, value: &str) -> Result<()> {
        let value = value.trim();
        if value.is_empty() {
            return Err(Error::invalid(format!("The {} is empty.", self.label())));
        }
        let is_key = value.starts_with("-----BEGIN") && value.contains("PRIVATE KEY-----");
        match self {
            SecretName::ClientKey | SecretName::SigningKey if !is_key => {
                Err(Error::invalid(format!(
                    "The {} must be a PEM private key (-----BEGIN PRIVATE KEY-----).",
                    self.label()
                )))
            }
            SecretName::ApiKey if value.len() > 512 || value.contains(char::is_whitespace) => Err(
                Error::invalid("The API key must be one word without spaces."),
            ),
            SecretName::AuditKey => audit_key_bytes(&Secret::new(value)).map(|_| ()),
            _ => Ok(()),
        }
    }
}

/// The 32 bytes of an audit key, kept as 64 hexadecimal digits.
pub(crate) fn audit_key_bytes(secret: &Secret) -> Result<[u8; 32]> {
    let text = secret.expose().trim();
    let mut bytes = [0u8; 32];
    let valid = text.len() == 64
        && text.is_ascii()
        && bytes.iter_mut().enumerate().all(|(i, b)| {
            u8::from_str_radix(&text[2 * i..2 * i + 2], 16)
                .map(|v| *b = v)
                .is_ok()
        });
    if !valid {
        return Err(
            Error::config("The audit key is not 64 hexadecimal digits (32 bytes).").with_next_step(
                "Store the registry's audit key again: bookdesk secrets set audit-key (it reads \
                 the key from standard input).",
            ),
        );
    }
    Ok(bytes)
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secret value held in memory. Deliberately not `Display` or `Serialize`; `Debug` is masked.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the one place that must use it (a TLS identity, a signature).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Whether a secret is in the keyring: never its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SecretStatus {
    pub name: SecretName,
    pub label: String,
    pub stored: bool,
}

/// The desk's entries in the OS keyring, kept apart from other desks by a namespace.
#[derive(Debug, Clone)]
pub struct Keyring {
    namespace: String,
}

impl Keyring {
    pub fn new(namespace: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
        }
    }

    /// The namespace the desk's entries are kept under.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    fn entry(&self, name: SecretName) -> Result<keyring::Entry> {
        keyring::Entry::new(SERVICE, &format!("{}/{}", self.namespace, name.as_str()))
            .map_err(|e| keyring_error(name, e))
    }

    /// Stores (or replaces) a secret after checking it looks like what it claims to be.
    pub fn set(&self, name: SecretName, value: &Secret) -> Result<()> {
        name.check(value.expose())?;
        self.entry(name)?
            .set_password(value.expose().trim())
            .map_err(|e| keyring_error(name, e))
    }

    /// The secret, or `None` when it was never stored.
    pub fn get(&self, name: SecretName) -> Result<Option<Secret>> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(Secret(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(name, e)),
        }
    }

    /// The secret, or an error naming the command that stores it.
    pub fn require(&self, name: SecretName) -> Result<Secret> {
        self.get(name)?.ok_or_else(|| {
            Error::new(ErrorKind::Keyring)
                .with_message(format!("The {} is not in the keyring.", name.label()))
                .with_next_step(format!(
                    "Store it with `bookdesk secrets set {name}` or in Settings, then try again."
                ))
        })
    }

    pub fn status(&self, name: SecretName) -> Result<SecretStatus> {
        Ok(SecretStatus {
            name,
            label: name.label().to_string(),
            stored: self.get(name)?.is_some(),
        })
    }

    /// Removes a secret; `false` when there was none.
    pub fn delete(&self, name: SecretName) -> Result<bool> {
        match self.entry(name)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(keyring_error(name, e)),
        }
    }
}

/// Turns the keyring's failures into words that say what to install or unlock.
fn keyring_error(name: SecretName, e: keyring::Error) -> Error {
    let err = Error::new(ErrorKind::Keyring).with_diagnostics(e.to_string());
    match e {
        keyring::Error::PlatformFailure(_) => err
            .with_message(format!(
                "The system keyring could not be reached to use the {}.",
                name.label()
            ))
            .with_next_step(
                "Run Booking Desk in a desktop session with a Secret Service keyring \
                 (on Debian: apt install gnome-keyring, then log in again).",
            ),
        keyring::Error::NoStorageAccess(_) => err
            .with_message("The system keyring is locked or has no default collection.")
            .with_next_step("Unlock the keyring (log in to the desktop again), then retry."),
        _ => err.with_message(format!("The keyring refused the {}.", name.label())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_is_masked() {
        let s = Secret::new("hunter2-value");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert!(!format!("{:?}", Some(s)).contains("hunter2"));
    }

    #[test]
    fn values_are_checked_before_storing() {
        assert!(SecretName::ClientKey.check("not a key").is_err());
        assert!(SecretName::SigningKey.check("").is_err());
        assert!(
            SecretName::SigningKey
                .check("-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----")
                .is_ok()
        );
        assert!(SecretName::ApiKey.check("abc def").is_err());
        assert!(SecretName::ApiKey.check("Wz9aKPb1m").is_ok());
        for n in SecretName::ALL {
            assert_eq!(SecretName::parse(n.as_str()), Some(n));
        }
        assert_eq!(SecretName::parse("password"), None);
    }
}
