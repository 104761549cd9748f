//! The simulated national API platform's side of a test client: a signing key the platform
//! knows, and access tokens fetched from its token endpoint with a signed client assertion.
#![allow(dead_code)]

use super::now;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use provider_sim::RunningSim;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use serde_json::{Value, json};
use std::sync::OnceLock;
use uuid::Uuid;

/// (private PEM, public PEM), made once: RSA key generation is slow.
pub fn keys() -> &'static (String, String) {
    static KEYS: OnceLock<(String, String)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("keygen");
        let private = key.to_pkcs8_pem(LineEnding::LF).expect("pem").to_string();
        let public = key
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("pem");
        (private, public)
    })
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

/// A signed client assertion exchanged at the simulator's token endpoint.
pub async fn fetch_token(sim: &RunningSim, api_key: &str, kid: &str) -> String {
    let now = now().timestamp();
    let claims = json!({
        "iss": api_key, "sub": api_key, "aud": sim.platform_token_url(),
        "jti": Uuid::new_v4().to_string(), "iat": now, "exp": now + 300,
    });
    let header = Header {
        kid: Some(kid.to_string()),
        ..Header::new(Algorithm::RS512)
    };
    let key = EncodingKey::from_rsa_pem(keys().0.as_bytes()).expect("key");
    let assertion = jsonwebtoken::encode(&header, &claims, &key).expect("signs");
    let resp = http()
        .post(sim.platform_token_url())
        .form(&[
            ("grant_type", "client_credentials"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion.as_str()),
        ])
        .send()
        .await
        .expect("token endpoint answers");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    body["access_token"]
        .as_str()
        .expect("access token")
        .to_string()
}
