//! The HTTP client's TLS: the built-in web roots plus the configured CA bundle, and the desk's
//! client certificate for mutual TLS. Certificate verification is always on: nothing here (or
//! anywhere in the engine) can turn it off. The client key is read from the keyring or handed in,
//! held only in memory, and never put into a log line or an error.

use std::fmt;
use std::path::Path;

use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};

use crate::config::TlsSettings;
use crate::error::{Error, ErrorKind, Result};
use crate::secrets::{Keyring, Secret, SecretName};

/// What the desk's HTTP client trusts and what it presents. Cheap to clone; its `Debug` says
/// only how many extra roots there are and whether there is a client certificate.
#[derive(Clone, Default)]
pub struct TlsSetup {
    extra_roots: Vec<reqwest::Certificate>,
    identity: Option<reqwest::Identity>,
}

impl fmt::Debug for TlsSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsSetup")
            .field("extra_roots", &self.extra_roots.len())
            .field("client_certificate", &self.identity.is_some())
            .finish()
    }
}

impl TlsSetup {
    /// The built-in web roots only, and no client certificate.
    pub fn web_roots() -> Self {
        Self::default()
    }

    /// The configured bundle and client certificate; the certificate's key comes from the
    /// keyring under `namespace`, which is touched only when a client certificate is configured.
    pub fn from_keyring(settings: &TlsSettings, namespace: &str) -> Result<Self> {
        Self::build(settings, || {
            Keyring::new(namespace).require(SecretName::ClientKey)
        })
    }

    /// The configured bundle and client certificate, with the certificate's key given directly
    /// (tests, or a caller that already holds it). A key without a configured certificate is
    /// not used.
    pub fn with_client_key(settings: &TlsSettings, client_key: Option<&Secret>) -> Result<Self> {
        Self::build(settings, || client_key.cloned().ok_or_else(missing_key))
    }

    /// Whether the client presents a certificate when a service asks for one.
    pub fn presents_certificate(&self) -> bool {
        self.identity.is_some()
    }

    /// How many roots the CA bundle added to the built-in ones.
    pub fn extra_roots(&self) -> usize {
        self.extra_roots.len()
    }

    fn build(settings: &TlsSettings, key: impl FnOnce() -> Result<Secret>) -> Result<Self> {
        // The bundle and the certificate file are checked before the key is fetched, so a wrong
        // path is reported as such rather than as a keyring problem.
        let extra_roots = match &settings.ca_bundle {
            Some(path) => read_bundle(path)?,
            None => Vec::new(),
        };
        let identity = match &settings.client_certificate {
            Some(path) => {
                let (pem, chain) = read_client_chain(path)?;
                Some(identity(path, &pem, chain, &key()?)?)
            }
            None => None,
        };
        Ok(Self {
            extra_roots,
            identity,
        })
    }

    /// Adds the roots and the identity to a client under construction.
    pub(super) fn apply(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        // The bundle adds to the web roots, never replaces them.
        let mut builder = builder.use_rustls_tls().tls_built_in_root_certs(true);
        for root in &self.extra_roots {
            builder = builder.add_root_certificate(root.clone());
        }
        if let Some(identity) = &self.identity {
            builder = builder.identity(identity.clone());
        }
        builder
    }
}

fn missing_key() -> Error {
    Error::new(ErrorKind::Keyring)
        .with_message(format!(
            "The {} is not in the keyring.",
            SecretName::ClientKey.label()
        ))
        .with_next_step(format!(
            "Store it with `bookdesk secrets set {}` or in Settings, then try again.",
            SecretName::ClientKey
        ))
}

/// `setting` is the `[tls]` key that names the file, so the next step can point at it.
fn read_pem_file(path: &Path, what: &str, setting: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        Error::config(format!(
            "The {what} {} could not be read: {e}.",
            path.display()
        ))
        .with_next_step(format!(
            "Check [tls] {setting} in the configuration file, and that the {what} is there and \
             readable."
        ))
    })
}

/// Every certificate in the bundle, each checked to be usable as a trust anchor now so that a
/// bad bundle is named here rather than failing later as a vague client error.
fn read_bundle(path: &Path) -> Result<Vec<reqwest::Certificate>> {
    let bad = |detail: &str| {
        Error::config(format!("The CA bundle {} {detail}.", path.display())).with_next_step(
            "Point [tls] ca_bundle at the PEM file of trusted CA certificates (e.g. the Spine CA \
             bundle from the helpdesk).",
        )
    };
    let bytes = read_pem_file(path, "CA bundle", "ca_bundle")?;
    let ders = CertificateDer::pem_slice_iter(&bytes)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| bad("is not a valid PEM file").with_diagnostics(e.to_string()))?;
    if ders.is_empty() {
        return Err(bad("contains no certificates"));
    }
    let mut scratch = RootCertStore::empty();
    ders.iter()
        .map(|der| {
            scratch.add(der.clone()).map_err(|e| {
                bad("contains a certificate that cannot be used").with_diagnostics(e.to_string())
            })?;
            reqwest::Certificate::from_der(der)
                .map_err(|e| bad("could not be loaded").with_diagnostics(e.to_string()))
        })
        .collect()
}

/// The client certificate file's text and its certificates. A private key in that file is
/// refused: the key belongs in the keyring only.
fn read_client_chain(path: &Path) -> Result<(Vec<u8>, Vec<CertificateDer<'static>>)> {
    let bad = |detail: &str| {
        Error::config(format!(
            "The client certificate {} {detail}.",
            path.display()
        ))
        .with_next_step(
            "Point [tls] client_certificate at the PEM file of this desk's certificate (and any \
             intermediates).",
        )
    };
    let bytes = read_pem_file(path, "client certificate", "client_certificate")?;
    if PrivateKeyDer::from_pem_slice(&bytes).is_ok() {
        return Err(Error::config(format!(
            "The client certificate file {} also contains a private key.",
            path.display()
        ))
        .with_next_step(format!(
            "Remove the key from the file (keep only certificates) and store it with \
             `bookdesk secrets set {}` instead.",
            SecretName::ClientKey
        )));
    }
    let chain = CertificateDer::pem_slice_iter(&bytes)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| bad("is not a valid PEM file").with_diagnostics(e.to_string()))?;
    if chain.is_empty() {
        return Err(bad("contains no certificates"));
    }
    Ok((bytes, chain))
}

/// The certificate and key as one identity, after checking they belong together. Parse errors
/// about the key are replaced by fixed words: their text could quote part of the key.
fn identity(
    path: &Path,
    chain_pem: &[u8],
    chain: Vec<CertificateDer<'static>>,
    key: &Secret,
) -> Result<reqwest::Identity> {
    let unusable_key = || {
        Error::new(ErrorKind::Keyring)
            .with_message(format!(
                "The {} in the keyring is not a usable PEM private key.",
                SecretName::ClientKey.label()
            ))
            .with_next_step(format!(
                "Store the key that belongs to the client certificate with \
                 `bookdesk secrets set {}`, then try again.",
                SecretName::ClientKey
            ))
    };
    let key_der =
        PrivateKeyDer::from_pem_slice(key.expose().as_bytes()).map_err(|_| unusable_key())?;
    let provider = rustls::crypto::ring::default_provider();
    match rustls::sign::CertifiedKey::from_der(chain, key_der, &provider) {
        Ok(_) => {}
        Err(rustls::Error::InconsistentKeys(_)) => {
            return Err(Error::config(format!(
                "The client certificate {} does not belong to the {} in the keyring.",
                path.display(),
                SecretName::ClientKey.label()
            ))
            .with_next_step(format!(
                "Store the matching key with `bookdesk secrets set {}`, or point [tls] \
                 client_certificate at the certificate issued for that key.",
                SecretName::ClientKey
            )));
        }
        Err(rustls::Error::InvalidCertificate(e)) => {
            return Err(Error::config(format!(
                "The client certificate {} cannot be read as a certificate.",
                path.display()
            ))
            .with_diagnostics(format!("{e:?}")));
        }
        Err(_) => return Err(unusable_key()),
    }
    // The identity is built from the certificate text and the key text side by side, in memory.
    let mut pem = Vec::with_capacity(chain_pem.len() + key.expose().len() + 1);
    pem.extend_from_slice(chain_pem);
    pem.push(b'\n');
    pem.extend_from_slice(key.expose().as_bytes());
    reqwest::Identity::from_pem(&pem).map_err(|_| unusable_key())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn settings(ca: Option<PathBuf>, cert: Option<PathBuf>) -> TlsSettings {
        TlsSettings {
            ca_bundle: ca,
            client_certificate: cert,
        }
    }

    #[test]
    fn nothing_configured_means_web_roots_only() {
        let setup = TlsSetup::with_client_key(&settings(None, None), None).expect("setup");
        assert_eq!(setup.extra_roots(), 0);
        assert!(!setup.presents_certificate());
        // A key without a certificate is simply not used.
        let key = Secret::new("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----");
        let setup = TlsSetup::with_client_key(&settings(None, None), Some(&key)).expect("setup");
        assert!(!setup.presents_certificate());
        assert_eq!(
            format!("{setup:?}"),
            "TlsSetup { extra_roots: 0, client_certificate: false }"
        );
    }

    #[test]
    fn bad_bundles_are_config_errors_naming_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("missing-ca.pem");
        let empty = dir.path().join("empty-ca.pem");
        let garbage = dir.path().join("garbage-ca.pem");
        let not_a_cert = dir.path().join("not-a-cert.pem");
        std::fs::write(&empty, "").expect("write");
        std::fs::write(&garbage, "hello, not PEM at all\n").expect("write");
        std::fs::write(
            &not_a_cert,
            "-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n",
        )
        .expect("write");
        for path in [missing, empty, garbage, not_a_cert] {
            let e = TlsSetup::with_client_key(&settings(Some(path.clone()), None), None)
                .expect_err("refused");
            assert_eq!(e.kind, ErrorKind::Config, "{path:?}");
            assert!(
                e.message.contains(&path.display().to_string()),
                "{}",
                e.message
            );
            assert!(e.next_step.contains("ca_bundle"), "{}", e.next_step);
        }
    }

    #[test]
    fn certificate_without_key_names_the_command() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cert = dir.path().join("client.pem");
        std::fs::write(&cert, "x").expect("write");
        // A certificate file that is not PEM is reported before the key is looked for.
        let e = TlsSetup::with_client_key(&settings(None, Some(cert.clone())), None)
            .expect_err("refused");
        assert_eq!(e.kind, ErrorKind::Config);

        let key = rcgen::KeyPair::generate().expect("key");
        let issued = rcgen::CertificateParams::new(vec!["desk.example".to_string()])
            .expect("params")
            .self_signed(&key)
            .expect("cert");
        std::fs::write(&cert, issued.pem()).expect("write");
        let e = TlsSetup::with_client_key(&settings(None, Some(cert.clone())), None)
            .expect_err("no key");
        assert_eq!(e.kind, ErrorKind::Keyring);
        assert!(e.next_step.contains("bookdesk secrets set client-key"));

        let secret = Secret::new(key.serialize_pem());
        let setup = TlsSetup::with_client_key(&settings(None, Some(cert.clone())), Some(&secret))
            .expect("identity");
        assert!(setup.presents_certificate());

        // Someone else's key does not belong to this certificate.
        let other = Secret::new(rcgen::KeyPair::generate().expect("key").serialize_pem());
        let e = TlsSetup::with_client_key(&settings(None, Some(cert.clone())), Some(&other))
            .expect_err("mismatch");
        assert_eq!(e.kind, ErrorKind::Config);
        assert!(!format!("{e:?}").contains(other.expose().lines().nth(1).expect("body")));

        // The key never goes into the certificate file.
        std::fs::write(&cert, format!("{}{}", issued.pem(), key.serialize_pem())).expect("write");
        let e = TlsSetup::with_client_key(&settings(None, Some(cert)), Some(&secret))
            .expect_err("key in file");
        assert_eq!(e.kind, ErrorKind::Config);
        assert!(e.next_step.contains("secrets set client-key"));
    }
}
