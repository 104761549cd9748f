//! A stand-in for the national API platform's OAuth2 token endpoint ("application-restricted,
//! signed JWT"): a client proves itself with an RS512 client assertion signed by a key whose
//! public half was registered under a key id (kid) for its API key, and gets a bearer token.
//! Checks are as strict as the platform's, so a desk that works here works there.

use crate::{RunningSim, SimError};
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use rand::Rng;
use rand::distributions::Alphanumeric;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

pub const TOKEN_PATH: &str = "/oauth2/token";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The platform refuses assertions meant to live longer than this.
const MAX_ASSERTION_LIFETIME: i64 = 300;
/// Clock difference tolerated between client and platform, in seconds.
const CLOCK_SKEW: i64 = 60;
/// The platform's usual token lifetime.
pub const DEFAULT_TOKEN_LIFETIME_SECS: u64 = 599;
/// Accepted assertions kept for inspection; older ones are dropped.
const KEEP_ASSERTIONS: usize = 100;
/// Expired tokens are remembered this long, so a late caller hears "expired", not "unknown".
const REMEMBER_EXPIRED_SECS: i64 = 3600;

/// An application registered with the platform: its API key and one of its public keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformClient {
    pub api_key: String,
    pub key_id: String,
    /// `-----BEGIN PUBLIC KEY-----` (or `RSA PUBLIC KEY`).
    pub public_key_pem: String,
    /// Lifetime of the tokens issued to this client.
    #[serde(default = "default_lifetime")]
    pub token_lifetime_secs: u64,
}

fn default_lifetime() -> u64 {
    DEFAULT_TOKEN_LIFETIME_SECS
}

impl PlatformClient {
    pub fn new(
        api_key: impl Into<String>,
        key_id: impl Into<String>,
        public_key_pem: impl Into<String>,
    ) -> Self {
        Self {
            api_key: api_key.into(),
            key_id: key_id.into(),
            public_key_pem: public_key_pem.into(),
            token_lifetime_secs: DEFAULT_TOKEN_LIFETIME_SECS,
        }
    }

    pub fn with_token_lifetime(mut self, secs: u64) -> Self {
        self.token_lifetime_secs = secs;
        self
    }
}

struct Registered {
    client: PlatformClient,
    key: DecodingKey,
}

/// An access token the endpoint issued.
struct Issued {
    expires_at: i64,
}

/// What the platform makes of a bearer token presented to an API behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    Valid,
    Expired,
    Unknown,
}

#[derive(Default)]
struct Ledger {
    clients: Vec<Registered>,
    /// `(api key, jti)` → the assertion's `exp`: a jti is remembered while its assertion lives.
    seen: HashMap<(String, String), i64>,
    issued: u64,
    /// Header and claims of accepted assertions, newest last.
    accepted: Vec<Value>,
    /// Every access token issued and not long expired, so the APIs behind the platform (BaRS)
    /// accept exactly these.
    tokens: HashMap<String, Issued>,
}

/// The token endpoint's registrations and memory of used assertions.
pub struct Platform {
    token_url: String,
    clock: crate::clock::SimClock,
    ledger: Mutex<Ledger>,
}

/// A refusal in the OAuth2 error format.
#[derive(Debug)]
struct Refusal {
    status: StatusCode,
    error: &'static str,
    description: String,
}

fn invalid_request(description: impl Into<String>) -> Refusal {
    Refusal {
        status: StatusCode::BAD_REQUEST,
        error: "invalid_request",
        description: description.into(),
    }
}

fn invalid_client(description: impl Into<String>) -> Refusal {
    Refusal {
        status: StatusCode::UNAUTHORIZED,
        error: "invalid_client",
        description: description.into(),
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (
            self.status,
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({ "error": self.error, "error_description": self.description })),
        )
            .into_response()
    }
}

impl Platform {
    /// `base_url` is the simulator's own `http://host:port`.
    pub fn new(base_url: &str, clock: crate::clock::SimClock) -> Self {
        Self {
            token_url: format!("{base_url}{TOKEN_PATH}"),
            clock,
            ledger: Mutex::new(Ledger::default()),
        }
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        // A panic elsewhere leaves the ledger consistent: every change is one statement.
        self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a client key, replacing an earlier one with the same API key and kid.
    pub fn register(&self, client: PlatformClient) -> Result<(), SimError> {
        if client.api_key.trim().is_empty() || client.key_id.trim().is_empty() {
            return Err(SimError::InvalidOption(
                "a platform client needs an API key and a key id".into(),
            ));
        }
        if client.token_lifetime_secs == 0 {
            return Err(SimError::InvalidOption(
                "a platform client's token lifetime must be at least one second".into(),
            ));
        }
        let key =
            DecodingKey::from_rsa_pem(client.public_key_pem.trim().as_bytes()).map_err(|e| {
                SimError::InvalidOption(format!("the public key is not an RSA PEM key: {e}"))
            })?;
        let mut ledger = self.ledger();
        ledger
            .clients
            .retain(|r| !(r.client.api_key == client.api_key && r.client.key_id == client.key_id));
        ledger.clients.push(Registered { client, key });
        Ok(())
    }

    /// Whether `api_key` is a registered application's key.
    pub fn knows_api_key(&self, api_key: &str) -> bool {
        self.ledger()
            .clients
            .iter()
            .any(|r| r.client.api_key == api_key)
    }

    pub fn issued(&self) -> u64 {
        self.ledger().issued
    }

    /// Forgets every token issued, as a platform does when it revokes them: APIs then answer 401.
    pub fn revoke_all(&self) {
        self.ledger().tokens.clear();
    }

    /// Whether `token` is one this endpoint issued and still alive at `now`.
    pub fn token_status(&self, token: &str, now: i64) -> TokenStatus {
        match self.ledger().tokens.get(token) {
            Some(t) if now < t.expires_at => TokenStatus::Valid,
            Some(_) => TokenStatus::Expired,
            None => TokenStatus::Unknown,
        }
    }

    /// Checks one token request's form and answers with a token or the refusal.
    fn exchange(&self, form: &[(String, String)], now: i64) -> Result<(String, u64), Refusal> {
        let field = |name: &str| -> Result<Option<&str>, Refusal> {
            let mut values = form.iter().filter(|(k, _)| k == name);
            let first = values.next().map(|(_, v)| v.as_str());
            if values.next().is_some() {
                return Err(invalid_request(format!("{name} is repeated")));
            }
            Ok(first.filter(|v| !v.is_empty()))
        };
        match field("grant_type")? {
            None => return Err(invalid_request("grant_type is missing")),
            Some("client_credentials") => {}
            Some(_) => {
                return Err(Refusal {
                    status: StatusCode::BAD_REQUEST,
                    error: "unsupported_grant_type",
                    description: "grant_type must be client_credentials".into(),
                });
            }
        }
        match field("client_assertion_type")? {
            None => return Err(invalid_request("client_assertion_type is missing")),
            Some(ASSERTION_TYPE) => {}
            Some(_) => {
                return Err(invalid_request(format!(
                    "client_assertion_type must be {ASSERTION_TYPE}"
                )));
            }
        }
        let assertion = field("client_assertion")?
            .ok_or_else(|| invalid_request("client_assertion is missing"))?;

        let header = jsonwebtoken::decode_header(assertion)
            .map_err(|_| invalid_request("client_assertion is not a JWT"))?;
        if header.alg != Algorithm::RS512 {
            return Err(invalid_request(
                "client_assertion must be signed with RS512",
            ));
        }
        let kid = header
            .kid
            .clone()
            .filter(|k| !k.is_empty())
            .ok_or_else(|| invalid_request("Missing 'kid' header in client_assertion JWT"))?;
        // The key to verify with depends on who the assertion claims to be from.
        let issuer = unverified_issuer(assertion)?;

        let mut ledger = self.ledger();
        if !ledger.clients.iter().any(|r| r.client.api_key == issuer) {
            return Err(invalid_client("Invalid iss claim: unknown API key"));
        }
        let (key, lifetime) = ledger
            .clients
            .iter()
            .find(|r| r.client.api_key == issuer && r.client.key_id == kid)
            .map(|r| (r.key.clone(), r.client.token_lifetime_secs))
            .ok_or_else(|| {
                invalid_client(format!(
                    "Invalid 'kid' header in client_assertion JWT: no public key is registered \
                     under {kid} for this application"
                ))
            })?;

        // Signature and algorithm only; every claim is checked below for clear refusals.
        let mut validation = Validation::new(Algorithm::RS512);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<Value>(assertion, &key, &validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidSignature => invalid_client(
                    "The client_assertion signature does not verify with the registered public key",
                ),
                _ => invalid_request("client_assertion could not be read"),
            })?
            .claims;

        let text = |name: &str| claims.get(name).and_then(Value::as_str).unwrap_or_default();
        if text("sub") != issuer {
            return Err(invalid_client(
                "Invalid sub claim: it must equal iss, the API key",
            ));
        }
        if text("aud") != self.token_url {
            return Err(invalid_client(format!(
                "Invalid aud claim: it must be {}",
                self.token_url
            )));
        }
        let number = |name: &str| {
            claims
                .get(name)
                .and_then(Value::as_i64)
                .ok_or_else(|| invalid_request(format!("Missing or non-numeric {name} claim")))
        };
        let exp = number("exp")?;
        let iat = number("iat")?;
        if exp <= iat || exp - iat > MAX_ASSERTION_LIFETIME {
            return Err(invalid_request(
                "Invalid exp claim: it must be after iat and at most 5 minutes after it",
            ));
        }
        if exp <= now {
            return Err(invalid_request("Invalid exp claim: the JWT has expired"));
        }
        if exp > now + MAX_ASSERTION_LIFETIME + CLOCK_SKEW || iat > now + CLOCK_SKEW {
            return Err(invalid_request(
                "Invalid exp or iat claim: the JWT is dated in the future",
            ));
        }
        let jti = text("jti");
        if jti.is_empty() {
            return Err(invalid_request("Missing jti claim"));
        }

        ledger.seen.retain(|_, exp| *exp + CLOCK_SKEW > now);
        let seen_key = (issuer, jti.to_string());
        if ledger.seen.contains_key(&seen_key) {
            return Err(invalid_request(
                "Non-unique jti claim in client_assertion JWT",
            ));
        }
        ledger.seen.insert(seen_key, exp);
        ledger.issued += 1;
        ledger
            .accepted
            .push(json!({ "header": header, "claims": claims }));
        if ledger.accepted.len() > KEEP_ASSERTIONS {
            ledger.accepted.remove(0);
        }
        let token: String = rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(32)
            .map(char::from)
            .collect();
        ledger
            .tokens
            .retain(|_, t| t.expires_at + REMEMBER_EXPIRED_SECS > now);
        let expires_at = now.saturating_add(i64::try_from(lifetime).unwrap_or(i64::MAX));
        ledger.tokens.insert(token.clone(), Issued { expires_at });
        Ok((token, lifetime))
    }
}

/// `iss` from the payload before the signature is checked: only to pick the key to check with.
fn unverified_issuer(jwt: &str) -> Result<String, Refusal> {
    let payload = jwt
        .split('.')
        .nth(1)
        .ok_or_else(|| invalid_request("client_assertion is not a JWT"))?;
    let claims: Value = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| invalid_request("client_assertion claims are not base64url JSON"))?;
    claims
        .get("iss")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| invalid_request("Missing iss claim in client_assertion JWT"))
}

async fn token(
    State(platform): State<Arc<Platform>>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return invalid_request("The body must be application/x-www-form-urlencoded")
            .into_response();
    };
    let now = platform.clock.now();
    match platform.exchange(&form, now.timestamp()) {
        Ok((access_token, lifetime)) => {
            tracing::info!("platform access token issued");
            (
                StatusCode::OK,
                [(header::CACHE_CONTROL, "no-store")],
                // The platform sends both numbers as strings.
                Json(json!({
                    "access_token": access_token,
                    "expires_in": lifetime.to_string(),
                    "token_type": "Bearer",
                    "issued_at": now.timestamp_millis().to_string(),
                })),
            )
                .into_response()
        }
        Err(refusal) => {
            tracing::info!(error = refusal.error, reason = %refusal.description, "token request refused");
            refusal.into_response()
        }
    }
}

async fn register(
    State(platform): State<Arc<Platform>>,
    Json(client): Json<PlatformClient>,
) -> (StatusCode, Json<Value>) {
    match platform.register(client) {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "registered": true, "token_url": platform.token_url })),
        ),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": e.to_string() })),
        ),
    }
}

async fn tokens(State(platform): State<Arc<Platform>>) -> Json<Value> {
    let ledger = platform.ledger();
    Json(json!({ "issued": ledger.issued, "assertions": ledger.accepted }))
}

/// The token endpoint and its test hooks, on their own state so the FHIR side is untouched.
pub fn router<S: Clone + Send + Sync + 'static>(platform: Arc<Platform>) -> Router<S> {
    Router::new()
        .route(TOKEN_PATH, post(token))
        .route("/_admin/platform-clients", post(register))
        .route("/_admin/platform-tokens", get(tokens))
        .with_state(platform)
}

impl RunningSim {
    /// `http://127.0.0.1:PORT/oauth2/token`: the `aud` assertions must carry.
    pub fn platform_token_url(&self) -> String {
        self.platform.token_url.clone()
    }

    /// Registers an application's public key with the simulated platform.
    pub fn register_platform_client(&self, client: PlatformClient) -> Result<(), SimError> {
        self.platform.register(client)
    }

    /// Registers the desk's public key under the key id the written `bookdesk.toml` names
    /// ([`crate::DEMO_PLATFORM_KEY_ID`]), for the API key the desk signs its assertions with.
    /// Tokens it then obtains are accepted by every BaRS service.
    pub fn register_desk_key(&self, api_key: &str, public_key_pem: &str) -> Result<(), SimError> {
        self.platform.register(PlatformClient::new(
            api_key,
            crate::DEMO_PLATFORM_KEY_ID,
            public_key_pem,
        ))
    }

    /// Revokes every access token issued so far.
    pub fn revoke_platform_tokens(&self) {
        self.platform.revoke_all();
    }

    /// The platform answers the next `n` BaRS requests 429 (rate limit reached, retry after 1 s).
    pub fn throttle_bars(&self, n: u32) {
        self.sim.faults.throttle(n);
    }

    /// How many access tokens the token endpoint has issued.
    pub fn platform_tokens_issued(&self) -> u64 {
        self.platform.issued()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header};
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    use std::sync::OnceLock;

    const BASE: &str = "http://127.0.0.1:9";
    const NOW: i64 = 1_800_000_000;

    /// (private PEM, public PEM), made once: RSA key generation is slow in debug builds.
    fn keys() -> &'static [(String, String); 2] {
        static KEYS: OnceLock<[(String, String); 2]> = OnceLock::new();
        KEYS.get_or_init(|| {
            let pair = || {
                let mut rng = rsa::rand_core::OsRng;
                let key = rsa::RsaPrivateKey::new(&mut rng, 2048).expect("keygen");
                let private = key.to_pkcs8_pem(LineEnding::LF).expect("pem").to_string();
                let public = key
                    .to_public_key()
                    .to_public_key_pem(LineEnding::LF)
                    .expect("pem");
                (private, public)
            };
            [pair(), pair()]
        })
    }

    fn platform() -> Platform {
        let p = Platform::new(BASE, crate::clock::SimClock::system());
        p.register(PlatformClient::new("app-key", "kid-1", &keys()[0].1).with_token_lifetime(42))
            .expect("registers");
        p
    }

    fn claims() -> Value {
        json!({
            "iss": "app-key", "sub": "app-key", "aud": format!("{BASE}{TOKEN_PATH}"),
            "jti": uuid::Uuid::new_v4().to_string(), "iat": NOW, "exp": NOW + 300,
        })
    }

    fn assertion(key: usize, kid: Option<&str>, claims: &Value) -> String {
        let header = Header {
            kid: kid.map(str::to_string),
            ..Header::new(Algorithm::RS512)
        };
        let key = EncodingKey::from_rsa_pem(keys()[key].0.as_bytes()).expect("key");
        jsonwebtoken::encode(&header, claims, &key).expect("signs")
    }

    fn form(assertion: &str) -> Vec<(String, String)> {
        vec![
            ("grant_type".into(), "client_credentials".into()),
            ("client_assertion_type".into(), ASSERTION_TYPE.into()),
            ("client_assertion".into(), assertion.into()),
        ]
    }

    fn refused(p: &Platform, form: &[(String, String)]) -> (StatusCode, &'static str, String) {
        let r = p.exchange(form, NOW).expect_err("refused");
        (r.status, r.error, r.description)
    }

    #[test]
    fn a_good_assertion_gets_a_token_once() {
        let p = platform();
        let a = assertion(0, Some("kid-1"), &claims());
        let (token, lifetime) = p.exchange(&form(&a), NOW).expect("token");
        assert_eq!(token.len(), 32);
        assert_eq!(lifetime, 42);
        assert_eq!(p.issued(), 1);
        assert_eq!(p.token_status(&token, NOW), TokenStatus::Valid);
        assert_eq!(p.token_status(&token, NOW + 42), TokenStatus::Expired);
        assert_eq!(p.token_status("made-up", NOW), TokenStatus::Unknown);
        let (status, error, why) = refused(&p, &form(&a));
        assert_eq!(
            (status, error),
            (StatusCode::BAD_REQUEST, "invalid_request")
        );
        assert!(why.contains("jti"), "{why}");
        assert_eq!(p.issued(), 1);
    }

    #[test]
    fn identity_failures_are_invalid_client() {
        let p = platform();
        let cases = [
            assertion(1, Some("kid-1"), &claims()),
            assertion(0, Some("kid-2"), &claims()),
            assertion(0, Some("kid-1"), &{
                let mut c = claims();
                c["iss"] = json!("someone-else");
                c["sub"] = json!("someone-else");
                c
            }),
            assertion(0, Some("kid-1"), &{
                let mut c = claims();
                c["sub"] = json!("other");
                c
            }),
            assertion(0, Some("kid-1"), &{
                let mut c = claims();
                c["aud"] = json!("https://elsewhere/oauth2/token");
                c
            }),
        ];
        for a in cases {
            let (status, error, _) = refused(&p, &form(&a));
            assert_eq!(
                (status, error),
                (StatusCode::UNAUTHORIZED, "invalid_client")
            );
        }
        assert_eq!(p.issued(), 0);
    }

    #[test]
    fn claim_and_form_failures_are_invalid_request() {
        let p = platform();
        let with = |f: &dyn Fn(&mut Value)| {
            let mut c = claims();
            f(&mut c);
            assertion(0, Some("kid-1"), &c)
        };
        let cases = [
            with(&|c| c["exp"] = json!(NOW + 301)),
            with(&|c| c["exp"] = json!(NOW)),
            with(&|c| {
                c["iat"] = json!(NOW - 400);
                c["exp"] = json!(NOW - 100);
            }),
            with(&|c| {
                c["iat"] = json!(NOW + 200);
                c["exp"] = json!(NOW + 500);
            }),
            with(&|c| {
                c.as_object_mut().expect("object").remove("iat");
            }),
            with(&|c| {
                c.as_object_mut().expect("object").remove("jti");
            }),
            assertion(0, None, &claims()),
            "not-a-jwt".into(),
        ];
        for a in cases {
            let (status, error, why) = refused(&p, &form(&a));
            assert_eq!(
                (status, error),
                (StatusCode::BAD_REQUEST, "invalid_request"),
                "{why}"
            );
        }
        let good = assertion(0, Some("kid-1"), &claims());
        let mut f = form(&good);
        f[0].1 = "password".into();
        assert_eq!(refused(&p, &f).1, "unsupported_grant_type");
        let mut f = form(&good);
        f[1].1 = "urn:other".into();
        assert_eq!(refused(&p, &f).1, "invalid_request");
        let mut f = form(&good);
        f.push(("grant_type".into(), "client_credentials".into()));
        assert_eq!(refused(&p, &f).1, "invalid_request");
        assert_eq!(refused(&p, &form(&good)[..2]).1, "invalid_request");
        assert_eq!(p.issued(), 0);
    }

    #[test]
    fn registration_needs_an_rsa_public_key() {
        let p = Platform::new(BASE, crate::clock::SimClock::system());
        assert!(
            p.register(PlatformClient::new("k", "kid", "not a key"))
                .is_err()
        );
        assert!(
            p.register(PlatformClient::new("", "kid", &keys()[0].1))
                .is_err()
        );
        assert!(
            p.register(PlatformClient::new("k", "kid", &keys()[0].1).with_token_lifetime(0))
                .is_err()
        );
        assert!(
            p.register(PlatformClient::new("k", "kid", &keys()[0].1))
                .is_ok()
        );
    }
}
