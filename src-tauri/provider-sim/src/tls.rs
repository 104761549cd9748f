//! HTTPS for the simulator: a server certificate and key, and optionally a client CA. With a
//! client CA every client must present a certificate issued by it (mutual TLS, as Spine asks);
//! without one no client certificate is asked for.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use rustls::server::WebPkiClientVerifier;
use tokio_rustls::TlsAcceptor;

use crate::SimError;

/// The simulator's TLS material, all PEM text.
#[derive(Clone)]
pub struct SimTls {
    /// The server certificate, then any intermediates.
    pub cert_chain_pem: String,
    /// The server certificate's private key.
    pub key_pem: String,
    /// When set, client certificates are required and must chain to one of these.
    pub client_ca_pem: Option<String>,
}

impl fmt::Debug for SimTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Even a test key stays out of logs, so no one learns to paste real ones there.
        f.debug_struct("SimTls")
            .field(
                "cert_chain_pem",
                &format_args!("{} bytes", self.cert_chain_pem.len()),
            )
            .field("key_pem", &format_args!("***"))
            .field("client_ca", &self.client_ca_pem.is_some())
            .finish()
    }
}

fn read(path: &Path, what: &str) -> Result<String, SimError> {
    std::fs::read_to_string(path)
        .map_err(|e| SimError::Tls(format!("cannot read the {what} {}: {e}", path.display())))
}

impl SimTls {
    /// Reads the PEM files named on the command line.
    pub fn from_files(
        cert_chain: &Path,
        key: &Path,
        client_ca: Option<&Path>,
    ) -> Result<Self, SimError> {
        Ok(Self {
            cert_chain_pem: read(cert_chain, "server certificate")?,
            key_pem: read(key, "server key")?,
            client_ca_pem: client_ca.map(|p| read(p, "client CA")).transpose()?,
        })
    }

    /// Whether clients must present a certificate.
    pub fn requires_client_certificate(&self) -> bool {
        self.client_ca_pem.is_some()
    }
}

fn certificates(pem: &str, what: &str) -> Result<Vec<CertificateDer<'static>>, SimError> {
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| SimError::Tls(format!("the {what} is not valid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(SimError::Tls(format!(
            "the {what} contains no certificates"
        )));
    }
    Ok(certs)
}

/// The acceptor for the accept loop. Uses ring explicitly rather than a process-wide default,
/// so an embedding application's choice of crypto provider does not matter.
pub(crate) fn acceptor(tls: &SimTls) -> Result<TlsAcceptor, SimError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = certificates(&tls.cert_chain_pem, "server certificate")?;
    // Key parse errors are not quoted: their text could include part of the key.
    let key = PrivateKeyDer::from_pem_slice(tls.key_pem.as_bytes())
        .map_err(|_| SimError::Tls("the server key is not a PEM private key".into()))?;
    let verifier = match &tls.client_ca_pem {
        Some(pem) => {
            let mut roots = RootCertStore::empty();
            for ca in certificates(pem, "client CA")? {
                roots
                    .add(ca)
                    .map_err(|e| SimError::Tls(format!("the client CA cannot be used: {e}")))?;
            }
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| SimError::Tls(format!("the client CA cannot be used: {e}")))?
        }
        None => WebPkiClientVerifier::no_client_auth(),
    };
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SimError::Tls(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| SimError::Tls(format!("the server certificate and key do not fit: {e}")))?;
    // The server speaks HTTP/1.1 only; saying so stops a client choosing h2.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
