//! The national API platform's client-credentials flow against the simulator's token endpoint:
//! the signed assertion's claims, the token cache (reuse, renewal near expiry, one fetch for many
//! callers) and every refusal turned into an error the desk can act on, without ever carrying a
//! key or a token.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use booking_engine::api_platform::client_assertion::{self, ASSERTION_TYPE, AssertionClaims};
use booking_engine::api_platform::token::{AccessToken, Clock, TokenCache};
use booking_engine::config::{HttpSettings, PlatformSettings};
use booking_engine::secrets::Secret;
use booking_engine::{Error, ErrorKind};
use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use provider_sim::{PlatformClient, RunningSim, SimOptions};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use serde_json::Value;

const API_KEY: &str = "DeskApiKey0123456789";
const KID: &str = "desk-key-1";

struct KeyPair {
    private: String,
    public: String,
}

/// Two throwaway RSA key pairs, made once per run: generation is slow in debug builds.
fn keys() -> &'static [KeyPair; 2] {
    static KEYS: OnceLock<[KeyPair; 2]> = OnceLock::new();
    KEYS.get_or_init(|| {
        let pair = || {
            let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("keygen");
            KeyPair {
                private: key.to_pkcs8_pem(LineEnding::LF).expect("pem").to_string(),
                public: key
                    .to_public_key()
                    .to_public_key_pem(LineEnding::LF)
                    .expect("pem"),
            }
        };
        [pair(), pair()]
    })
}

/// The real time moved on by however much a test says, so assertions stay acceptable to the
/// simulator (which keeps the real time) while the cache believes time has passed.
#[derive(Default)]
struct ShiftedClock {
    offset_secs: AtomicI64,
}

impl ShiftedClock {
    fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + TimeDelta::seconds(self.offset_secs.load(Ordering::SeqCst))
    }
}

/// A simulator with our public key registered under [`KID`] for [`API_KEY`].
async fn platform(token_lifetime_secs: u64) -> (RunningSim, PlatformSettings) {
    let sim = provider_sim::start(SimOptions::default())
        .await
        .expect("simulator starts");
    sim.register_platform_client(
        PlatformClient::new(API_KEY, KID, &keys()[0].public)
            .with_token_lifetime(token_lifetime_secs),
    )
    .expect("registers");
    let settings = PlatformSettings {
        token_url: sim.platform_token_url(),
        key_id: KID.into(),
    };
    (sim, settings)
}

fn cache(settings: &PlatformSettings, key: usize, clock: Arc<ShiftedClock>) -> TokenCache {
    TokenCache::with_clock(
        settings.clone(),
        Secret::new(API_KEY),
        Secret::new(keys()[key].private.clone()),
        &HttpSettings::default(),
        clock,
    )
    .expect("cache builds")
}

async fn admin_tokens(sim: &RunningSim) -> Value {
    reqwest::get(format!("{}/_admin/platform-tokens", sim.base_url()))
        .await
        .expect("admin answers")
        .json()
        .await
        .expect("json")
}

/// Every way an error can be shown or stored.
fn all_text(e: &Error) -> String {
    format!(
        "{e}\n{e:?}\n{}",
        serde_json::to_string(e).expect("serialises")
    )
}

/// Neither private key, nor any line of one, nor the API key appears.
fn assert_no_secrets(text: &str) {
    for pair in keys() {
        for line in pair.private.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!text.contains(line), "a private key line leaked: {text}");
        }
    }
    assert!(!text.contains(API_KEY), "the API key leaked: {text}");
}

#[tokio::test]
async fn the_assertion_carries_every_claim_the_platform_requires() {
    let token_url = "https://int.api.service.nhs.uk/oauth2/token";
    let signing_key = Secret::new(keys()[0].private.clone());
    let now = Utc::now();
    let first = client_assertion::sign(API_KEY, KID, token_url, &signing_key, now).expect("signs");
    let second = client_assertion::sign(API_KEY, KID, token_url, &signing_key, now).expect("signs");

    let mut validation = Validation::new(Algorithm::RS512);
    validation.set_audience(&[token_url]);
    validation.set_issuer(&[API_KEY]);
    validation.sub = Some(API_KEY.into());
    validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    let public = DecodingKey::from_rsa_pem(keys()[0].public.as_bytes()).expect("public key");
    let decode = |jwt: &str| {
        jsonwebtoken::decode::<AssertionClaims>(jwt, &public, &validation).expect("verifies")
    };
    let (a, b) = (decode(&first), decode(&second));
    assert_eq!(a.header.alg, Algorithm::RS512);
    assert_eq!(a.header.typ.as_deref(), Some("JWT"));
    assert_eq!(a.header.kid.as_deref(), Some(KID));
    assert_eq!(a.claims.iss, API_KEY);
    assert_eq!(a.claims.sub, API_KEY);
    assert_eq!(a.claims.aud, token_url);
    assert_eq!(a.claims.iat, now.timestamp());
    assert_eq!(a.claims.exp, a.claims.iat + 300);
    assert!(
        uuid::Uuid::parse_str(&a.claims.jti).is_ok(),
        "jti is a UUID"
    );
    assert_ne!(a.claims.jti, b.claims.jti, "a fresh jti every time");
    // Signed by the other key, it does not verify with ours.
    let other = client_assertion::sign(
        API_KEY,
        KID,
        token_url,
        &Secret::new(keys()[1].private.clone()),
        now,
    )
    .expect("signs");
    assert!(jsonwebtoken::decode::<AssertionClaims>(&other, &public, &validation).is_err());

    // What the cache actually sent, as the simulator recorded it.
    let (sim, settings) = platform(5).await;
    let clock = Arc::new(ShiftedClock::default());
    let desk = cache(&settings, 0, clock.clone());
    desk.access_token().await.expect("first token");
    clock.advance(10);
    desk.access_token().await.expect("second token");
    let recorded = admin_tokens(&sim).await;
    assert_eq!(recorded["issued"], 2);
    let sent = recorded["assertions"].as_array().expect("assertions");
    assert_eq!(sent.len(), 2);
    for s in sent {
        assert_eq!(s["header"]["alg"], "RS512");
        assert_eq!(s["header"]["typ"], "JWT");
        assert_eq!(s["header"]["kid"], KID);
        assert_eq!(s["claims"]["iss"], API_KEY);
        assert_eq!(s["claims"]["sub"], API_KEY);
        assert_eq!(s["claims"]["aud"], sim.platform_token_url());
        let (iat, exp) = (s["claims"]["iat"].as_i64(), s["claims"]["exp"].as_i64());
        assert_eq!(exp, iat.map(|i| i + 300));
    }
    assert_ne!(sent[0]["claims"]["jti"], sent[1]["claims"]["jti"]);
}

#[tokio::test]
async fn a_fresh_token_is_reused_and_renewed_near_expiry() {
    let (sim, settings) = platform(599).await;
    let clock = Arc::new(ShiftedClock::default());
    let desk = cache(&settings, 0, clock.clone());
    let first = desk.access_token().await.expect("token");
    assert_eq!(sim.platform_tokens_issued(), 1);
    let again = desk.access_token().await.expect("token");
    assert_eq!(again.expose(), first.expose());
    assert_eq!(
        sim.platform_tokens_issued(),
        1,
        "the second call was cached"
    );
    let lifetime = first.expires_at() - clock.now();
    assert!(
        lifetime <= TimeDelta::seconds(599) && lifetime > TimeDelta::seconds(590),
        "{lifetime}"
    );
    // A minute before expiry the token is still used...
    clock.advance(530);
    assert_eq!(
        desk.access_token().await.expect("token").expose(),
        first.expose()
    );
    assert_eq!(sim.platform_tokens_issued(), 1);

    // ...and renewed once less than the margin is left. A short life keeps the moved clock
    // within what the platform accepts as "now" for the new assertion.
    let (sim, settings) = platform(20).await;
    let clock = Arc::new(ShiftedClock::default());
    let desk = cache(&settings, 0, clock.clone());
    let first = desk.access_token().await.expect("token");
    clock.advance(16);
    assert_eq!(
        desk.access_token().await.expect("token").expose(),
        first.expose()
    );
    assert_eq!(sim.platform_tokens_issued(), 1);
    clock.advance(3);
    let renewed = desk.access_token().await.expect("token");
    assert_ne!(renewed.expose(), first.expose());
    assert_eq!(
        sim.platform_tokens_issued(),
        2,
        "renewed past expiry minus margin"
    );
    assert_eq!(
        desk.access_token().await.expect("token").expose(),
        renewed.expose()
    );
    assert_eq!(sim.platform_tokens_issued(), 2);
}

/// Ten callers asking for a token at the same moment.
fn ten_at_once(
    desk: &TokenCache,
) -> Vec<tokio::task::JoinHandle<booking_engine::Result<AccessToken>>> {
    let barrier = Arc::new(tokio::sync::Barrier::new(10));
    (0..10)
        .map(|_| {
            let (desk, barrier) = (desk.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                desk.access_token().await
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_on_a_cold_cache_share_one_fetch() {
    let (sim, settings) = platform(599).await;
    let desk = cache(&settings, 0, Arc::new(ShiftedClock::default()));
    let callers = ten_at_once(&desk);
    let mut tokens = Vec::new();
    for c in callers {
        tokens.push(c.await.expect("joins").expect("token").expose().to_string());
    }
    assert!(tokens.iter().all(|t| *t == tokens[0]));
    assert_eq!(sim.platform_tokens_issued(), 1);
}

#[tokio::test]
async fn a_key_the_platform_does_not_know_is_access_denied() {
    let (sim, settings) = platform(599).await;
    let desk = cache(&settings, 1, Arc::new(ShiftedClock::default()));
    let e = desk.access_token().await.expect_err("refused");
    assert_eq!(e.kind, ErrorKind::AccessDenied);
    assert_eq!(e.http_status, Some(401));
    assert_eq!(e.code.as_deref(), Some("invalid_client"));
    assert!(e.message.contains("refused"), "{}", e.message);
    for step in ["API key", "key id", "public key"] {
        assert!(e.next_step.contains(step), "{}", e.next_step);
    }
    assert_no_secrets(&all_text(&e));
    assert_eq!(sim.platform_tokens_issued(), 0);
}

#[tokio::test]
async fn an_unknown_kid_is_access_denied() {
    let (sim, mut settings) = platform(599).await;
    settings.key_id = "desk-key-9".into();
    let desk = cache(&settings, 0, Arc::new(ShiftedClock::default()));
    let e = desk.access_token().await.expect_err("refused");
    assert_eq!(e.kind, ErrorKind::AccessDenied);
    assert_eq!(e.code.as_deref(), Some("invalid_client"));
    assert!(e.diagnostics.as_deref().is_some_and(|d| d.contains("kid")));
    assert_no_secrets(&all_text(&e));
    assert_eq!(sim.platform_tokens_issued(), 0);

    // Once the key is registered under that kid (through the admin hook), the same cache
    // succeeds: a refusal is not remembered beyond the callers that waited for it.
    let registered = reqwest::Client::new()
        .post(format!("{}/_admin/platform-clients", sim.base_url()))
        .json(&serde_json::json!({
            "api_key": API_KEY,
            "key_id": "desk-key-9",
            "public_key_pem": keys()[0].public,
        }))
        .send()
        .await
        .expect("admin answers");
    assert_eq!(registered.status(), 200);
    desk.access_token().await.expect("token after registration");
    assert_eq!(sim.platform_tokens_issued(), 1);
}

#[tokio::test]
async fn the_platform_refuses_a_replayed_assertion() {
    let (sim, settings) = platform(599).await;
    let assertion = client_assertion::sign(
        API_KEY,
        KID,
        &settings.token_url,
        &Secret::new(keys()[0].private.clone()),
        Utc::now(),
    )
    .expect("signs");
    let http = reqwest::Client::new();
    let send = || {
        http.post(&settings.token_url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_assertion_type", ASSERTION_TYPE),
                ("client_assertion", &assertion),
            ])
            .send()
    };
    let first = send().await.expect("answers");
    assert_eq!(first.status(), 200);
    let body: Value = first.json().await.expect("json");
    assert_eq!(body["expires_in"], "599", "the platform sends a string");
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["access_token"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(
        body["issued_at"]
            .as_str()
            .is_some_and(|t| t.parse::<i64>().is_ok())
    );

    let replay = send().await.expect("answers");
    assert_eq!(replay.status(), 400);
    let body: Value = replay.json().await.expect("json");
    assert_eq!(body["error"], "invalid_request");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("jti"))
    );
    assert_eq!(sim.platform_tokens_issued(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn callers_waiting_on_a_failed_fetch_share_its_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("addr");
    let hits = Arc::new(AtomicI64::new(0));
    let counted = hits.clone();
    // Slow enough that every caller is queued before the refusal comes back.
    let app = Router::new().route(
        "/oauth2/token",
        post(move || {
            let counted = counted.clone();
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(300)).await;
                axum::http::StatusCode::SERVICE_UNAVAILABLE
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let settings = PlatformSettings {
        token_url: format!("http://{addr}/oauth2/token"),
        key_id: KID.into(),
    };
    let desk = cache(&settings, 0, Arc::new(ShiftedClock::default()));
    let callers = ten_at_once(&desk);
    for c in callers {
        let e = c.await.expect("joins").expect_err("down");
        assert_eq!(e.kind, ErrorKind::Unavailable);
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "one request for ten callers"
    );
    // A later call tries again rather than repeating the old failure.
    assert!(desk.access_token().await.is_err());
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_token_endpoint_that_is_down_is_unavailable() {
    let (sim, settings) = platform(599).await;
    sim.shutdown().await;
    let desk = cache(&settings, 0, Arc::new(ShiftedClock::default()));
    let e = desk.access_token().await.expect_err("nothing listens");
    assert_eq!(e.kind, ErrorKind::Unavailable);
    assert_no_secrets(&all_text(&e));
}

#[tokio::test]
async fn a_token_endpoint_that_never_answers_is_a_timeout() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("addr");
    // Accepts and holds connections without a word.
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let settings = PlatformSettings {
        token_url: format!("http://{addr}/oauth2/token"),
        key_id: KID.into(),
    };
    let http = HttpSettings {
        timeout_secs: 1,
        ..HttpSettings::default()
    };
    let desk = TokenCache::new(
        settings,
        Secret::new(API_KEY),
        Secret::new(keys()[0].private.clone()),
        &http,
    )
    .expect("cache builds");
    let e = tokio::time::timeout(Duration::from_secs(10), desk.access_token())
        .await
        .expect("gives up by itself")
        .expect_err("no answer");
    assert_eq!(e.kind, ErrorKind::Timeout);
    silent.abort();
}

/// A token endpoint that answers every request with `status` and `body`.
async fn scripted(status: u16, body: &'static str) -> PlatformSettings {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("addr");
    let app = Router::new().route(
        "/oauth2/token",
        post(move || async move {
            (
                axum::http::StatusCode::from_u16(status).expect("status"),
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                body,
            )
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    PlatformSettings {
        token_url: format!("http://{addr}/oauth2/token"),
        key_id: KID.into(),
    }
}

#[tokio::test]
async fn token_answers_are_read_strictly_and_never_shown() {
    let fetch = |settings: PlatformSettings| async move {
        cache(&settings, 0, Arc::new(ShiftedClock::default()))
            .access_token()
            .await
    };
    // A number for expires_in is as good as the platform's string.
    let token = fetch(
        scripted(
            200,
            r#"{"access_token":"tok-n3mb3r","expires_in":120,"token_type":"Bearer"}"#,
        )
        .await,
    )
    .await
    .expect("token");
    assert_eq!(token.authorization(), "Bearer tok-n3mb3r");
    assert!(
        !format!("{token:?}").contains("tok-n3mb3r"),
        "token Debug is masked"
    );

    for body in [
        "<html>busy</html>",
        r#"{"expires_in":"599","token_type":"Bearer"}"#,
        r#"{"access_token":"tok-n0-expiry","token_type":"Bearer"}"#,
    ] {
        let e = fetch(scripted(200, body).await)
            .await
            .expect_err("unreadable");
        assert_eq!(e.kind, ErrorKind::MalformedResponse, "{body}");
        assert!(!all_text(&e).contains("tok-n0-expiry"));
    }
    let e = fetch(
        scripted(
            400,
            r#"{"error":"invalid_request","error_description":"Invalid exp claim"}"#,
        )
        .await,
    )
    .await
    .expect_err("refused");
    assert_eq!(e.kind, ErrorKind::AccessDenied);
    assert_eq!(e.http_status, Some(400));
    let e = fetch(scripted(503, "").await).await.expect_err("down");
    assert_eq!(e.kind, ErrorKind::Unavailable);
}

#[tokio::test]
async fn a_signing_key_that_is_not_rsa_is_refused_up_front() {
    let settings = PlatformSettings {
        token_url: "https://int.api.service.nhs.uk/oauth2/token".into(),
        key_id: KID.into(),
    };
    let ec = rcgen::KeyPair::generate().expect("ec key").serialize_pem();
    for bad in [
        ec.as_str(),
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
    ] {
        let e = TokenCache::new(
            settings.clone(),
            Secret::new(API_KEY),
            Secret::new(bad),
            &HttpSettings::default(),
        )
        .expect_err("refused");
        assert_eq!(e.kind, ErrorKind::Keyring);
        let text = all_text(&e);
        for line in bad.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!text.contains(line), "{text}");
        }
    }
}
