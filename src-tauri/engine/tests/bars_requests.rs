//! The desk's BaRS request headers and platform token, as provider-sim's BaRS services check
//! them over real HTTP: the contract the BaRS interactions are built on.

#[path = "support/session.rs"]
mod test_session;
use test_session::session;

use booking_engine::api_platform::token::TokenCache;
use booking_engine::config::{HttpSettings, PlatformSettings};
use booking_engine::secrets::Secret;
use booking_engine::standards::bars::headers;
use chrono::{Duration, SecondsFormat, Utc};
use provider_sim::{DEMO_PLATFORM_KEY_ID, SimOptions};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use serde_json::Value;

const API_KEY: &str = "bars-requests-test-key";

#[tokio::test]
async fn the_bars_services_accept_the_desks_headers_and_token() {
    let sim = provider_sim::start(SimOptions::default())
        .await
        .expect("simulator");
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("keygen");
    let private = key.to_pkcs8_pem(LineEnding::LF).expect("pem").to_string();
    let public = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .expect("pem");
    sim.register_desk_key(API_KEY, &public).expect("registered");
    let tokens = TokenCache::new(
        PlatformSettings {
            token_url: sim.platform_token_url(),
            key_id: DEMO_PLATFORM_KEY_ID.into(),
        },
        Secret::new(API_KEY),
        Secret::new(private),
        &HttpSettings::default(),
    )
    .expect("token cache");
    let token = tokens.access_token().await.expect("token");

    let service = sim
        .services()
        .into_iter()
        .find(|s| s.standard == "bars" && s.kind == "urgent-care")
        .expect("a BaRS urgent treatment centre");
    let target = service.target_identifier.clone().expect("target");
    let http = reqwest::Client::new();
    let get = |path: &str, skip: Option<&str>| {
        let mut req = http
            .get(format!("{}/{path}", service.base_url))
            .header("Authorization", token.authorization());
        req = req.header("X-Request-Id", uuid::Uuid::new_v4().to_string());
        for (name, value) in headers(&session(), &target, uuid::Uuid::new_v4()) {
            if Some(name) != skip {
                req = req.header(name, value);
            }
        }
        req.send()
    };

    let metadata = get("metadata", None).await.expect("answer");
    assert_eq!(metadata.status(), 200);
    let body: Value = metadata.json().await.expect("JSON");
    assert_eq!(body["resourceType"], "CapabilityStatement");

    let from = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let to = (Utc::now() + Duration::days(7)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let path = format!(
        "Slot?start=ge{from}&start=le{to}&status=free&Schedule.actor:HealthcareService={target}\
         &_include=Slot:schedule&_include=Schedule:actor:HealthcareService",
        from = from.replace('+', "%2B"),
        to = to.replace('+', "%2B")
    );
    let slots = get(&path, None).await.expect("answer");
    assert_eq!(slots.status(), 200);
    let bundle: Value = slots.json().await.expect("JSON");
    assert_eq!(bundle["type"], "searchset");
    assert!(
        bundle["entry"]
            .as_array()
            .is_some_and(|e| e.iter().any(|x| x["resource"]["resourceType"] == "Slot"))
    );

    // The answer reads as the desk's slot views, each at the service it was asked of.
    let parsed: booking_engine::fhir::r4::Bundle =
        serde_json::from_value(bundle).expect("R4 bundle");
    let entry = directory_entry(&service.id, &service.base_url);
    let views = booking_engine::standards::bars_slots::slot_views(&parsed, &entry);
    assert!(!views.is_empty());
    assert!(views.iter().all(|v| v.service_id.as_str() == service.id));
    assert!(
        views
            .iter()
            .all(|v| v.start >= Utc::now() - Duration::minutes(30))
    );

    // Each header matters: without the practitioner the service says which one is missing.
    let refused = get(&path, Some("NHSD-Requesting-Practitioner"))
        .await
        .expect("answer");
    assert_eq!(refused.status(), 400);
    let outcome: Value = refused.json().await.expect("JSON");
    assert!(outcome.to_string().contains("NHSD-Requesting-Practitioner"));
}

/// A directory entry for a BaRS service.
fn directory_entry(id: &str, base_url: &str) -> booking_engine::directory::Service {
    let toml = format!(
        "[[service]]\nid = \"{id}\"\nname = \"Spen Valley UTC\"\nkind = \"urgent-care\"\n\
         standard = \"bars\"\nbase_url = \"{base_url}\"\nods = \"NQ503\"\nasid = \"918999198302\"\n\
         target_identifier = \"2000100505\"\n"
    );
    let dir = booking_engine::directory::Directory::from_toml(&toml).expect("directory");
    dir.all()[0].clone()
}

#[test]
fn the_published_slot_search_example_reads_as_slot_views() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/bars/slots_GET-success.json"
    ))
    .expect("fixture");
    let bundle: booking_engine::fhir::r4::Bundle = serde_json::from_str(&text).expect("bundle");
    let service = directory_entry("spen-valley-utc", "https://x/bars/s/FHIR/R4");
    let views = booking_engine::standards::bars_slots::slot_views(&bundle, &service);
    assert!(!views.is_empty());
    assert!(
        views.windows(2).all(|w| w[0].start <= w[1].start),
        "soonest first"
    );
    let first = &views[0];
    assert_eq!(first.service_id.as_str(), "spen-valley-utc");
    assert_eq!(
        first.delivery_channel,
        Some(booking_engine::views::DeliveryChannel::Telephone)
    );
    assert!(first.schedule_id.is_some());
    assert!(first.location.is_some(), "{first:?}");
    assert!(first.practitioner.is_some(), "{first:?}");
}
