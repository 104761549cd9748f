//! A throwaway certificate authority, made fresh each time, so the HTTPS mode and the mutual-TLS
//! tests get real certificates without any key ever being kept in the repository.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use crate::{SimError, SimTls};

/// A certificate authority that exists only while this value does.
pub struct ThrowawayCa {
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

/// A certificate issued by a [`ThrowawayCa`], and its private key (PEM).
#[derive(Clone)]
pub struct Issued {
    pub cert_pem: String,
    pub key_pem: String,
}

fn tls_error(e: rcgen::Error) -> SimError {
    SimError::Tls(format!("a throwaway certificate could not be made: {e}"))
}

impl ThrowawayCa {
    pub fn new(name: &str) -> Result<Self, SimError> {
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(tls_error)?;
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().map_err(tls_error)?;
        let cert = params.self_signed(&key).map_err(tls_error)?;
        Ok(Self {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        })
    }

    fn issue(&self, names: &[&str], purpose: ExtendedKeyUsagePurpose) -> Result<Issued, SimError> {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names.clone()).map_err(tls_error)?;
        if let Some(first) = names.first() {
            params.distinguished_name.push(DnType::CommonName, first);
        }
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![purpose];
        let key = KeyPair::generate().map_err(tls_error)?;
        let cert = params.signed_by(&key, &self.issuer).map_err(tls_error)?;
        Ok(Issued {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }

    /// A server certificate for the loopback address, by IP and by name.
    pub fn server(&self) -> Result<Issued, SimError> {
        self.issue(
            &["127.0.0.1", "localhost"],
            ExtendedKeyUsagePurpose::ServerAuth,
        )
    }

    /// A client certificate for a desk.
    pub fn client(&self, name: &str) -> Result<Issued, SimError> {
        self.issue(&[name], ExtendedKeyUsagePurpose::ClientAuth)
    }

    /// HTTPS with `server`'s certificate, requiring clients this CA certified.
    pub fn sim_tls(&self, server: &Issued) -> SimTls {
        SimTls {
            cert_chain_pem: server.cert_pem.clone(),
            key_pem: server.key_pem.clone(),
            client_ca_pem: Some(self.pem.clone()),
        }
    }
}
