//! The signed JWT client assertion the national API platform takes in exchange for an access
//! token ("application-restricted, signed JWT"): RS512 with our registered key id, the API key as
//! issuer and subject, the token endpoint as audience, a fresh `jti` and at most five minutes of
//! life.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::secrets::Secret;

/// The platform refuses assertions that live longer than five minutes.
pub const LIFETIME_SECS: i64 = 300;

/// The `client_assertion_type` form field that goes with a JWT assertion.
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The assertion's claims; public so tests (and the simulator) can decode what was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssertionClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
}

impl AssertionClaims {
    /// Claims for one token request at `now`, with a jti never used before.
    pub fn new(api_key: &str, token_url: &str, now: DateTime<Utc>) -> Self {
        let iat = now.timestamp();
        Self {
            iss: api_key.to_string(),
            sub: api_key.to_string(),
            aud: token_url.to_string(),
            jti: uuid::Uuid::new_v4().to_string(),
            iat,
            exp: iat + LIFETIME_SECS,
        }
    }
}

/// A signing key checked once, so every later signature is expected to succeed.
#[derive(Clone)]
pub struct SigningKey(EncodingKey);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(***)")
    }
}

impl SigningKey {
    /// Parses the PEM and signs a probe with it: `from_rsa_pem` accepts some keys (too short,
    /// not really RSA) that only fail when used, and a bad key should show up at start-up.
    pub fn from_secret(secret: &Secret) -> Result<Self> {
        let key = EncodingKey::from_rsa_pem(secret.expose().trim().as_bytes())
            .map_err(|e| bad_key(&e))?;
        jsonwebtoken::encode(&Header::new(Algorithm::RS512), &"probe", &key)
            .map_err(|e| bad_key(&e))?;
        Ok(Self(key))
    }

    /// Signs `claims` with `kid` in the header.
    pub fn sign(&self, key_id: &str, claims: &AssertionClaims) -> Result<String> {
        let header = Header {
            typ: Some("JWT".into()),
            kid: Some(key_id.to_string()),
            ..Header::new(Algorithm::RS512)
        };
        jsonwebtoken::encode(&header, claims, &self.0).map_err(|e| bad_key(&e))
    }
}

/// Signs a fresh client assertion for one token request.
pub fn sign(
    api_key: &str,
    key_id: &str,
    token_url: &str,
    signing_key: &Secret,
    now: DateTime<Utc>,
) -> Result<String> {
    SigningKey::from_secret(signing_key)?
        .sign(key_id, &AssertionClaims::new(api_key, token_url, now))
}

/// Says what is wrong with the key without a byte of it: only the library's error kind, which
/// names the problem (bad encoding, wrong key type), never the input.
fn bad_key(e: &jsonwebtoken::errors::Error) -> Error {
    Error::new(ErrorKind::Keyring)
        .with_message(
            "The client assertion signing key in the keyring is not a usable RSA private key.",
        )
        .with_next_step(
            "Store the desk's RSA private key (PEM, 2048 bits or more) with \
             `bookdesk secrets set signing-key` or in Settings, then try again.",
        )
        .with_diagnostics(format!("{:?}", e.kind()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_follow_the_platform_rules() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        let a = AssertionClaims::new("key-1", "https://platform/oauth2/token", now);
        let b = AssertionClaims::new("key-1", "https://platform/oauth2/token", now);
        assert_eq!(a.iss, "key-1");
        assert_eq!(a.sub, a.iss);
        assert_eq!(a.aud, "https://platform/oauth2/token");
        assert_eq!(a.iat, 1_800_000_000);
        assert_eq!(a.exp - a.iat, LIFETIME_SECS);
        assert_ne!(a.jti, b.jti);
    }

    #[test]
    fn a_bad_key_is_refused_without_echoing_it() {
        let pem = "-----BEGIN PRIVATE KEY-----\nTk9UQUtFWW5vdGFrZXk=\n-----END PRIVATE KEY-----";
        for value in [pem, "not a pem at all", ""] {
            let e = sign("k", "kid", "https://p/t", &Secret::new(value), Utc::now())
                .expect_err("refused");
            assert_eq!(e.kind, ErrorKind::Keyring);
            let shown = format!(
                "{e} {e:?} {}",
                serde_json::to_string(&e).expect("serialises")
            );
            assert!(!shown.contains("Tk9UQUtFWW5vdGFrZXk"), "{shown}");
            if !value.is_empty() {
                assert!(!shown.contains(value), "{shown}");
            }
        }
    }
}
