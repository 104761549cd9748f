//! Access tokens from the national API platform (OAuth2 client credentials with a signed JWT
//! client assertion), cached until shortly before they expire. Callers that need a token while
//! one is being fetched wait for that fetch instead of starting their own.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;
use tokio::sync::Mutex;

use super::client_assertion::{self, AssertionClaims, SigningKey};
use crate::config::{HttpSettings, PlatformSettings};
use crate::error::{Error, ErrorKind, Result};
use crate::secrets::{Keyring, Secret, SecretName};

/// A token is renewed when less than this is left (or a tenth of its life, if that is less), so
/// a request never leaves with a token that expires on the way.
const SAFETY_MARGIN_SECS: i64 = 60;
/// A token answer is a few hundred bytes; anything much bigger is not one.
const MAX_RESPONSE_BYTES: usize = 64 * 1024;

// Where the cache gets the time: the desk's clock; tests move it instead of sleeping.
pub use crate::clock::{Clock, SystemClock};

/// A bearer token for the platform. Its value is masked in `Debug` and never serialised.
#[derive(Clone)]
pub struct AccessToken {
    value: Secret,
    expires_at: DateTime<Utc>,
    lifetime: TimeDelta,
}

impl AccessToken {
    /// The token itself, for the `Authorization` header and nothing else.
    pub fn expose(&self) -> &str {
        self.value.expose()
    }

    /// `Bearer <token>`.
    pub fn authorization(&self) -> String {
        format!("Bearer {}", self.value.expose())
    }

    /// When the platform will stop accepting it (by our clock when it was fetched).
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// Whether it still has more than the safety margin left at `now`.
    fn fresh_at(&self, now: DateTime<Utc>) -> bool {
        let margin = TimeDelta::seconds(SAFETY_MARGIN_SECS).min(self.lifetime / 10);
        self.expires_at - now > margin
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("value", &"***")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The cached token, and the last failed fetch so callers who queued behind it share its result
/// instead of each trying again in turn.
#[derive(Default)]
struct Slot {
    token: Option<AccessToken>,
    failure: Option<(Instant, Error)>,
}

struct Inner {
    settings: PlatformSettings,
    api_key: Secret,
    signing_key: SigningKey,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    slot: Mutex<Slot>,
}

/// Fetches and caches the platform's access token. Cheap to clone; clones share the cache.
#[derive(Clone)]
pub struct TokenCache {
    inner: Arc<Inner>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("token_url", &self.inner.settings.token_url)
            .field("key_id", &self.inner.settings.key_id)
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    /// The platform's API key, which the Spine Directory Service takes as `apikey`.
    pub(crate) fn api_key(&self) -> &Secret {
        &self.inner.api_key
    }

    /// A cache on the system clock. The signing key is checked now, not at the first request.
    pub fn new(
        settings: PlatformSettings,
        api_key: Secret,
        signing_key: Secret,
        http: &HttpSettings,
    ) -> Result<Self> {
        Self::with_clock(settings, api_key, signing_key, http, Arc::new(SystemClock))
    }

    /// The API key and signing key from the OS keyring, fetching through `http` (see
    /// [`TokenCache::with_client`]).
    pub fn from_keyring(
        settings: PlatformSettings,
        keyring: &Keyring,
        http: reqwest::Client,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        let api_key = keyring.require(SecretName::ApiKey)?;
        let signing_key = keyring.require(SecretName::SigningKey)?;
        Self::with_client(settings, api_key, signing_key, http, clock)
    }

    /// A cache on the given clock: it dates the assertions and decides when a token is stale.
    pub fn with_clock(
        settings: PlatformSettings,
        api_key: Secret,
        signing_key: Secret,
        http: &HttpSettings,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        // No redirects: the assertion must only ever go to the configured token URL.
        let client = reqwest::Client::builder()
            .timeout(http.timeout())
            .connect_timeout(http.connect_timeout())
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("BookingDesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::internal(format!("The HTTP client could not start: {e}")))?;
        Self::with_client(settings, api_key, signing_key, client, clock)
    }

    /// A cache that fetches through `client`, e.g. the desk's own, so the token service is
    /// reached with the same trusted roots and client certificate as the services. The client
    /// must not follow redirects: the assertion may only go to the configured token URL.
    pub fn with_client(
        settings: PlatformSettings,
        api_key: Secret,
        signing_key: Secret,
        http: reqwest::Client,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        check_settings(&settings)?;
        if api_key.expose().trim().is_empty() {
            return Err(Error::new(ErrorKind::Keyring)
                .with_message("The national API platform API key in the keyring is empty.")
                .with_next_step(
                    "Store the API key with `bookdesk secrets set api-key` or in Settings.",
                ));
        }
        let signing_key = SigningKey::from_secret(&signing_key)?;
        Ok(Self {
            inner: Arc::new(Inner {
                settings,
                api_key: Secret::new(api_key.expose().trim()),
                signing_key,
                http,
                clock,
                slot: Mutex::new(Slot::default()),
            }),
        })
    }

    /// The cached token while it has time left, otherwise a new one. While a fetch is in flight
    /// every other caller waits for it and gets its result.
    pub async fn access_token(&self) -> Result<AccessToken> {
        let queued_at = Instant::now();
        let mut slot = self.inner.slot.lock().await;
        if let Some(token) = &slot.token
            && token.fresh_at(self.inner.clock.now())
        {
            return Ok(token.clone());
        }
        // A fetch that failed while we waited answers for us too: retrying at once would only
        // make every waiter sit through the same timeout one after another.
        if let Some((failed_at, error)) = &slot.failure
            && *failed_at >= queued_at
        {
            return Err(error.clone());
        }
        match self.fetch().await {
            Ok(token) => {
                slot.token = Some(token.clone());
                slot.failure = None;
                Ok(token)
            }
            Err(error) => {
                slot.token = None;
                slot.failure = Some((Instant::now(), error.clone()));
                Err(error)
            }
        }
    }

    /// Forgets the cached token, e.g. after the API answered 401 to it.
    pub async fn invalidate(&self) {
        self.inner.slot.lock().await.token = None;
    }

    async fn fetch(&self) -> Result<AccessToken> {
        let inner = &self.inner;
        // The signed assertion is a credential: never in clear off this machine.
        crate::secure_url::check(&inner.settings.token_url, "platform token_url")?;
        let now = inner.clock.now();
        let claims = AssertionClaims::new(inner.api_key.expose(), &inner.settings.token_url, now);
        let assertion = Secret::new(inner.signing_key.sign(&inner.settings.key_id, &claims)?);
        let form = [
            ("grant_type", "client_credentials"),
            ("client_assertion_type", client_assertion::ASSERTION_TYPE),
            ("client_assertion", assertion.expose()),
        ];
        let resp = inner
            .http
            .post(&inner.settings.token_url)
            .header("Accept", "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        let status = resp.status().as_u16();
        let body = read_body(resp).await?;
        if !(200..300).contains(&status) {
            return Err(refusal(
                status,
                &body,
                &[inner.api_key.expose(), assertion.expose()],
            ));
        }
        let token = parse_token(&body, now)?;
        tracing::info!(
            token_url = %inner.settings.token_url,
            expires_at = %token.expires_at,
            "national API platform access token fetched"
        );
        Ok(token)
    }
}

/// The token URL must be one we can send a private assertion to: HTTPS, or plain HTTP only to
/// this machine (the simulator).
fn check_settings(settings: &PlatformSettings) -> Result<()> {
    let url = url::Url::parse(&settings.token_url)
        .map_err(|_| Error::config("The national API platform token URL is not a URL."))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
        return Err(Error::config(
            "The national API platform token URL must start with https://.",
        ));
    }
    if settings.key_id.trim().is_empty() {
        return Err(Error::config(
            "The national API platform key id (kid) is missing from the configuration.",
        ));
    }
    Ok(())
}

fn transport_error(e: &reqwest::Error) -> Error {
    let err = if e.is_timeout() {
        Error::new(ErrorKind::Timeout)
            .with_message("The national API platform did not answer the token request in time.")
            .with_next_step("Try again in a minute.")
    } else {
        Error::new(ErrorKind::Unavailable)
            .with_message("The national API platform's token service could not be reached.")
            .with_next_step(
                "Check the network connection and try again in a minute; if it persists, ask \
                 your system administrator to check the platform token URL.",
            )
    };
    // reqwest's text names the URL and the cause, never the form body.
    err.with_diagnostics(e.to_string())
}

async fn read_body(mut resp: reqwest::Response) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| transport_error(&e))? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(malformed("The answer is far larger than a token response."));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn malformed(diagnostics: &str) -> Error {
    Error::new(ErrorKind::MalformedResponse)
        .with_message("The national API platform's token answer could not be read.")
        .with_next_step("Try again; if it persists, call the helpdesk.")
        .with_diagnostics(diagnostics)
}

/// An error status from the token endpoint. The platform's description goes into the
/// diagnostics unless it repeats something of ours (it should not, but it is not ours to trust).
fn refusal(status: u16, body: &[u8], ours: &[&str]) -> Error {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| {
        json.as_ref()
            .and_then(|j| j.get(name))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let code = field("error");
    let description = field("error_description")
        .filter(|d| !ours.iter().any(|s| !s.is_empty() && d.contains(s)))
        .map(|d| d.chars().take(300).collect::<String>());
    let mut err = match status {
        400 | 401 | 403 => Error::new(ErrorKind::AccessDenied)
            .with_message("The national API platform refused Booking Desk's credentials.")
            .with_next_step(
                "Ask your system administrator to check the API key and the key id (kid) in \
                 the keyring and configuration, that the desk's public key is registered with \
                 the platform under that key id, and that this computer's clock is right.",
            ),
        429 => Error::new(ErrorKind::Unavailable)
            .with_message("The national API platform is limiting requests from Booking Desk.")
            .with_next_step("Wait a minute, then try again."),
        500..=599 => Error::new(ErrorKind::Unavailable)
            .with_message("The national API platform's token service is not working.")
            .with_next_step("Try again in a few minutes."),
        _ => Error::new(ErrorKind::MalformedResponse)
            .with_message("The national API platform answered the token request unexpectedly.")
            .with_next_step("Try again; if it persists, call the helpdesk."),
    }
    .with_status(status);
    if let Some(code) = code {
        err = err.with_code(code);
    }
    if let Some(description) = description {
        err = err.with_diagnostics(description);
    }
    err
}

/// The success answer. `expires_in` (and `issued_at`) come as strings from the platform, as
/// numbers from other OAuth servers: both are accepted.
fn parse_token(body: &[u8], requested_at: DateTime<Utc>) -> Result<AccessToken> {
    let json: Value =
        serde_json::from_slice(body).map_err(|_| malformed("The answer is not JSON."))?;
    let value = json
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| malformed("The answer has no access_token."))?;
    let expires_in = json
        .get("expires_in")
        .and_then(|v| match v {
            Value::String(s) => s.trim().parse::<i64>().ok(),
            other => other.as_i64(),
        })
        .filter(|n| *n > 0)
        .ok_or_else(|| malformed("The answer has no usable expires_in."))?;
    if let Some(kind) = json.get("token_type")
        && !kind
            .as_str()
            .is_some_and(|k| k.eq_ignore_ascii_case("bearer"))
    {
        return Err(malformed("The token_type is not Bearer."));
    }
    let lifetime = TimeDelta::seconds(expires_in);
    Ok(AccessToken {
        value: Secret::new(value),
        // Counted from when we asked, so time spent waiting for the answer is not overlooked.
        expires_at: requested_at + lifetime,
        lifetime,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("time")
    }

    #[test]
    fn expires_in_as_string_or_number() {
        let t = parse_token(
            br#"{"access_token":"abc","expires_in":"599","token_type":"Bearer","issued_at":"1"}"#,
            at(0),
        )
        .expect("parses");
        assert_eq!(t.expires_at(), at(599));
        let t = parse_token(br#"{"access_token":"abc","expires_in":30}"#, at(0)).expect("parses");
        assert_eq!(t.expires_at(), at(30));
        for bad in [
            &br#"{"expires_in":"599"}"#[..],
            br#"{"access_token":"abc"}"#,
            br#"{"access_token":"abc","expires_in":"soon"}"#,
            br#"{"access_token":"abc","expires_in":60,"token_type":"MAC"}"#,
            b"<html>",
        ] {
            let e = parse_token(bad, at(0)).expect_err("refused");
            assert_eq!(e.kind, ErrorKind::MalformedResponse);
        }
    }

    #[test]
    fn margin_is_a_minute_or_a_tenth_of_short_lives() {
        let t = parse_token(br#"{"access_token":"a","expires_in":599}"#, at(0)).expect("token");
        assert!(t.fresh_at(at(539)));
        assert!(!t.fresh_at(at(540)));
        let t = parse_token(br#"{"access_token":"a","expires_in":20}"#, at(0)).expect("token");
        assert!(t.fresh_at(at(17)));
        assert!(!t.fresh_at(at(18)));
    }

    #[test]
    fn token_debug_is_masked() {
        let t = parse_token(br#"{"access_token":"s3cr3t-tok","expires_in":599}"#, at(0))
            .expect("token");
        assert!(!format!("{t:?}").contains("s3cr3t"));
        assert_eq!(t.authorization(), "Bearer s3cr3t-tok");
    }

    #[test]
    fn refusals_map_to_kinds_and_drop_echoes() {
        let e = refusal(
            401,
            br#"{"error":"invalid_client","error_description":"bad kid"}"#,
            &["key"],
        );
        assert_eq!(e.kind, ErrorKind::AccessDenied);
        assert_eq!(e.code.as_deref(), Some("invalid_client"));
        assert_eq!(e.diagnostics.as_deref(), Some("bad kid"));
        let e = refusal(
            400,
            br#"{"error":"invalid_request","error_description":"jwt eyJ.x.y refused"}"#,
            &["eyJ.x.y"],
        );
        assert_eq!(e.kind, ErrorKind::AccessDenied);
        assert!(e.diagnostics.is_none());
        assert_eq!(refusal(503, b"", &[]).kind, ErrorKind::Unavailable);
        assert_eq!(refusal(302, b"", &[]).kind, ErrorKind::MalformedResponse);
    }

    #[test]
    fn token_url_must_be_https_or_loopback() {
        let s = |url: &str| PlatformSettings {
            token_url: url.into(),
            key_id: "k1".into(),
        };
        assert!(check_settings(&s("https://api.service.nhs.uk/oauth2/token")).is_ok());
        assert!(check_settings(&s("http://127.0.0.1:9000/oauth2/token")).is_ok());
        assert!(check_settings(&s("http://platform.example/oauth2/token")).is_err());
        assert!(check_settings(&s("token")).is_err());
        let mut no_kid = s("https://api.service.nhs.uk/oauth2/token");
        no_kid.key_id = " ".into();
        assert!(check_settings(&no_kid).is_err());
    }
}
