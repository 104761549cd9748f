//! Sign-in with NHS CIS2 against a real OpenID provider (tests/oidc: oidc-provider, OpenID
//! Certified, with CIS2's claims), signing in through its own pages: who is asking is proved,
//! never typed.

#[path = "support/harness.rs"]
mod harness;
#[path = "support/oidc.rs"]
mod oidc;

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use booking_engine::auth::Role;
use booking_engine::auth::cis2::{
    Cis2, Cis2Settings, ProvedIdentity, RoleChoice, RoleMapping, RoleRule,
};
use booking_engine::booking::BookRequest;
use booking_engine::clinical::{ClinicalApproval, Timeframe};
use booking_engine::clock::ClockFrom;
use booking_engine::config::DeskConfig;
use booking_engine::secrets::Secret;
use booking_engine::store::BookingEvent;
use booking_engine::{Desk, ErrorKind};
use chrono::Duration;
use harness::{Harness, service_of, slots_ahead, start, test_clock, test_instant};
use provider_sim::SimOptions;

fn settings(issuer: &str, client_id: &str) -> Cis2Settings {
    // The centre's own choices for the roles the national catalogue has none for.
    let roles = RoleMapping {
        supervisor: RoleRule {
            job_roles: vec!["R0001".into()],
            activities: Vec::new(),
        },
        administrator: RoleRule {
            job_roles: vec!["R8013".into()],
            activities: Vec::new(),
        },
        ..RoleMapping::default()
    };
    toml::from_str::<Cis2Settings>(&format!(
        "issuer = \"{issuer}\"\nclient_id = \"{client_id}\"\nsign_in_timeout_secs = 30\n"
    ))
    .map(|s| Cis2Settings { roles, ..s })
    .expect("settings")
}

/// The harness's desk, set up for CIS2 at `issuer` (no [user]: nobody is named).
async fn cis2_desk(h: &Harness, issuer: &str) -> Desk {
    cis2_desk_with(h, issuer, |_| {}).await
}

/// [`cis2_desk`] with `change` made to its configuration.
async fn cis2_desk_with(h: &Harness, issuer: &str, change: impl FnOnce(&mut DeskConfig)) -> Desk {
    let mut config = h.config.clone();
    change(&mut config);
    config.user = None;
    config.cis2 = Some(settings(issuer, "booking-desk"));
    config.store = h
        .dir
        .path()
        .join("cis2.sqlite")
        .to_string_lossy()
        .into_owned();
    Desk::open(&config)
        .await
        .expect("desk opens")
        .with_clock(test_clock())
        .expect("clock")
}

/// Signs `user` in at the desk's provider, through its pages, and the roles offered here.
async fn signs_in(
    desk: &Desk,
    user: &'static str,
) -> (
    ProvedIdentity,
    Result<Vec<RoleChoice>, booking_engine::Error>,
) {
    let identity = desk
        .cis2()
        .await
        .expect("discovered")
        .sign_in(oidc::browser(user))
        .await
        .expect("signed in");
    let choices = desk.choices(&identity);
    (identity, choices)
}

/// Books Jane into the practice's first slot as `engine`'s person; the registry's record of it.
async fn books_for_jane(h: &Harness, engine: &booking_engine::Engine) -> BookingEvent {
    let gp = service_of(h, "gp-practice", "gp-connect");
    let slot = slots_ahead(engine, &gp)
        .await
        .into_iter()
        .next()
        .expect("slot");
    engine
        .book(harness::jane_books(&gp, &slot, "Earache"))
        .await
        .expect("booked");
    let events = engine.store().events().await.expect("events");
    events.last().expect("recorded").clone()
}

/// The desk's side of CIS2, found at `issuer` as `client_id`, with its clock at `at`.
async fn discovered(issuer: &str, client_id: &str, at: chrono::DateTime<chrono::Utc>) -> Cis2 {
    Cis2::discover(
        &settings(issuer, client_id),
        reqwest::Client::new(),
        Arc::new(ClockFrom::new(at)),
    )
    .await
    .expect("discovered")
}

/// The nonce an ID token carries (to check it again as if it answered another sign-in).
fn nonce_of(token: &Secret) -> String {
    let payload = token.expose().split('.').nth(1).expect("payload");
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("b64")).expect("json");
    claims["nonce"].as_str().expect("nonce").to_string()
}

#[tokio::test]
async fn a_call_handler_with_one_role_profile_signs_in_and_every_request_carries_who_they_are() {
    let h = start(SimOptions::default()).await;
    let idp = oidc::start(test_instant(), &[]);
    let desk = cis2_desk(&h, &idp.issuer).await;
    // Nobody can be named at a desk that signs people in with CIS2.
    let named = desk
        .sign_in(h.config.session().expect("user").user)
        .err()
        .expect("typed identity refused");
    assert!(named.message.contains("CIS2"), "{}", named.message);

    let (identity, choices) = signs_in(&desk, "handler").await;
    assert_eq!(identity.name(), "Amira Okafor");
    assert_eq!(identity.sds_user_id(), "555000000101");
    let choices = choices.expect("a role here");
    assert_eq!(choices.len(), 1);
    assert_eq!(choices[0].role, Role::CallHandler);
    let engine = desk.sign_in_proved(&identity, &choices[0]).expect("engine");
    let user = &engine.session().user;
    assert_eq!(user.sds_user_id, "555000000101");
    assert_eq!(user.sds_role_profile_id, "555000002101");
    assert_eq!(user.role, Role::CallHandler);

    // A request reaches the service as this person: the registry keeps who booked.
    let booked = books_for_jane(&h, &engine).await;
    assert_eq!(booked.user_name, "Amira Okafor");
    assert_eq!(booked.user_role, "call-handler");
}

#[tokio::test]
async fn a_person_with_several_role_profiles_chooses_one_and_only_ones_offered_here() {
    let h = start(SimOptions::default()).await;
    let idp = oidc::start(test_instant(), &[]);
    let desk = cis2_desk(&h, &idp.issuer).await;
    let (identity, choices) = signs_in(&desk, "multi").await;
    assert_eq!(identity.profiles().len(), 3);
    // Their profile at another organisation (RX9) is not offered at this desk (RYA).
    let choices = choices.expect("roles here");
    let offered: Vec<(Role, &str)> = choices
        .iter()
        .map(|c| (c.role, c.profile.role_profile_id.as_str()))
        .collect();
    assert_eq!(
        offered,
        [
            (Role::CallHandler, "555000002103"),
            (Role::Clinician, "555000002108")
        ]
    );
    let engine = desk
        .sign_in_proved(&identity, &choices[1])
        .expect("as clinician");
    assert_eq!(engine.session().user.role, Role::Clinician);
    assert_eq!(engine.session().user.sds_role_profile_id, "555000002108");
    // A choice the person was not offered is refused, even if a front makes one up.
    let mut made_up = choices[0].clone();
    made_up.role = Role::Supervisor;
    let err = desk
        .sign_in_proved(&identity, &made_up)
        .err()
        .expect("not offered");
    assert_eq!(err.kind, ErrorKind::NotPermitted);
}

#[tokio::test]
async fn a_role_at_another_organisation_the_desk_serves_acts_for_that_organisation() {
    let h = start(SimOptions::default()).await;
    let idp = oidc::start(test_instant(), &[]);
    // A centre shared by two ambulance trusts: RX9's staff work here too.
    let desk = cis2_desk_with(&h, &idp.issuer, |config| {
        config.other_organisations = vec![booking_engine::auth::Organisation {
            ods: booking_engine::ids::OdsCode::parse("RX9").expect("ods"),
            name: "East Midlands Ambulance Service".into(),
            telecom: Some("0300 300 0300".into()),
            dos_service_id: config.organisation.dos_service_id.clone(),
        }];
    })
    .await;
    let identity = desk
        .cis2()
        .await
        .expect("discovered")
        .sign_in(oidc::browser("multi"))
        .await
        .expect("signed in");
    let choices = desk.choices(&identity).expect("roles here");
    let at: Vec<(&str, &str)> = choices
        .iter()
        .map(|c| {
            (
                c.profile.org_code.as_str(),
                c.profile.role_profile_id.as_str(),
            )
        })
        .collect();
    assert_eq!(
        at,
        [
            ("RYA", "555000002103"),
            ("RYA", "555000002108"),
            ("RX9", "555000002104")
        ]
    );
    let rx9 = choices
        .iter()
        .find(|c| c.profile.org_code == "RX9")
        .expect("RX9");
    let engine = desk
        .sign_in_proved(&identity, rx9)
        .expect("as RX9's clinician");
    assert_eq!(engine.session().organisation.ods.as_str(), "RX9");
    assert_eq!(
        engine.session().organisation.telecom.as_deref(),
        Some("0300 300 0300")
    );

    // The booking is made, and recorded, for RX9.
    assert_eq!(books_for_jane(&h, &engine).await.organisation_ods, "RX9");
}

#[tokio::test]
async fn a_person_whose_roles_map_to_none_cannot_sign_in_and_is_told_why() {
    let h = start(SimOptions::default()).await;
    let idp = oidc::start(test_instant(), &[]);
    let desk = cis2_desk(&h, &idp.issuer).await;
    let (_, choices) = signs_in(&desk, "norole").await;
    let err = choices.expect_err("no desk role");
    assert_eq!(err.kind, ErrorKind::NotPermitted);
    assert!(
        err.message.contains("Healthcare Student"),
        "{}",
        err.message
    );
    assert!(
        err.next_step.contains("Registration Authority"),
        "{}",
        err.next_step
    );
}

#[tokio::test]
async fn a_token_for_another_sign_in_another_app_or_past_its_expiry_is_refused() {
    let idp = oidc::start(test_instant(), &[]);
    let desk_side = discovered(&idp.issuer, "booking-desk", test_instant()).await;
    let identity = desk_side
        .sign_in(oidc::browser("clinician"))
        .await
        .expect("signed in");
    let token = identity.id_token().clone();
    let nonce = nonce_of(&token);
    assert!(
        desk_side.verify(&token, &nonce).is_ok(),
        "the token itself is good"
    );

    let err = desk_side
        .verify(&token, "another-sign-in")
        .expect_err("wrong nonce");
    assert_eq!(err.kind, ErrorKind::SignInRequired);
    assert!(err.message.contains("nonce"), "{}", err.message);

    let later = discovered(
        &idp.issuer,
        "booking-desk",
        test_instant() + Duration::hours(2),
    )
    .await;
    let err = later.verify(&token, &nonce).expect_err("expired");
    assert!(err.message.contains("expired"), "{}", err.message);

    // A token the provider made for another application is not this desk's.
    let other_app = discovered(&idp.issuer, "other-desk", test_instant()).await;
    let theirs = other_app
        .sign_in(oidc::browser("clinician"))
        .await
        .expect("signed in to the other app");
    let err = desk_side
        .verify(theirs.id_token(), &nonce_of(theirs.id_token()))
        .expect_err("wrong audience");
    assert!(err.message.contains("audience"), "{}", err.message);
}

#[tokio::test]
async fn a_token_from_another_issuer_or_not_signed_by_the_published_keys_is_refused() {
    let idp = oidc::start(test_instant(), &[]);
    let impostor = oidc::start(test_instant(), &["--unpublished-signing-key"]);
    let trusted = discovered(&idp.issuer, "booking-desk", test_instant()).await;
    // Signing in at a provider whose signing key is not among its published keys fails.
    let at_impostor = discovered(&impostor.issuer, "booking-desk", test_instant()).await;
    let err = at_impostor
        .sign_in(oidc::browser("clinician"))
        .await
        .expect_err("unpublished key");
    assert_eq!(err.kind, ErrorKind::SignInRequired);
    assert!(err.message.contains("published keys"), "{}", err.message);
    // A good token from another provider is not the trusted provider's to vouch for.
    let elsewhere = oidc::start(test_instant(), &[]);
    let there = discovered(&elsewhere.issuer, "booking-desk", test_instant())
        .await
        .sign_in(oidc::browser("clinician"))
        .await
        .expect("signed in elsewhere");
    let err = trusted
        .verify(there.id_token(), &nonce_of(there.id_token()))
        .expect_err("another issuer");
    assert!(err.message.contains("issuer"), "{}", err.message);
}

#[tokio::test]
async fn a_provider_that_is_down_is_named_and_nothing_signs_in() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let port = free.local_addr().expect("addr").port();
    drop(free);
    let err = Cis2::discover(
        &settings(&format!("http://127.0.0.1:{port}"), "booking-desk"),
        reqwest::Client::new(),
        Arc::new(ClockFrom::new(test_instant())),
    )
    .await
    .err()
    .expect("unreachable");
    assert_eq!(err.kind, ErrorKind::Unavailable);
    assert!(
        err.message.contains("could not be reached"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn the_session_ends_with_the_id_token_and_nothing_more_is_sent() {
    let h = start(SimOptions::default()).await;
    let idp = oidc::start(test_instant(), &["--id-token-ttl", "2"]);
    let desk = cis2_desk(&h, &idp.issuer).await;
    let (identity, choices) = signs_in(&desk, "handler").await;
    let choice = choices.expect("role").remove(0);
    let engine = desk.sign_in_proved(&identity, &choice).expect("engine");
    let gp = service_of(&h, "gp-practice", "gp-connect");
    assert!(!slots_ahead(&engine, &gp).await.is_empty());
    // Until the desk's own clock passes the token's expiry (the provider's clock started a
    // little earlier, so a fixed sleep could end before it).
    for _ in 0..300 {
        if engine.clock().now() > identity.expires_at() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        engine.clock().now() > identity.expires_at(),
        "the token expired"
    );
    let before = h.sim.appointments();
    let today = engine.clock().uk_today();
    let window = booking_engine::standards::SearchWindow::new(today, today + Duration::days(1))
        .expect("window");
    let err = engine
        .search_service(&gp, &window)
        .await
        .expect_err("signed out by expiry");
    assert_eq!(err.kind, ErrorKind::SignInRequired);
    assert_eq!(h.sim.appointments(), before);
    assert!(
        desk.sign_in_proved(&identity, &choice).is_err(),
        "nor can the old token sign in again"
    );
}

#[tokio::test]
async fn a_call_handlers_late_slot_needs_a_clinicians_own_sign_in_to_approve_it() {
    let h = start(SimOptions::default()).await;
    let idp = oidc::start(test_instant(), &[]);
    let desk = cis2_desk(&h, &idp.issuer).await;
    let (handler, choices) = signs_in(&desk, "handler").await;
    let as_handler = choices.expect("role").remove(0);
    let engine = desk.sign_in_proved(&handler, &as_handler).expect("engine");

    let gp = service_of(&h, "gp-practice", "gp-connect");
    let slot = slots_ahead(&engine, &gp)
        .await
        .into_iter()
        .next()
        .expect("slot");
    let late = |approval: Option<ClinicalApproval>| BookRequest {
        timeframe: Some(Timeframe {
            assessed_at: (test_instant() - Duration::hours(1)).fixed_offset(),
            within_minutes: 120,
        }),
        clinical_approval: approval,
        ..harness::jane_books(&gp, &slot, "Abdominal pain")
    };
    let err = engine.book(late(None)).await.expect_err("no approval");
    assert_eq!(err.kind, ErrorKind::NotPermitted);
    // The call handler cannot approve it themselves: their own sign-in is no clinician's.
    assert!(desk.approver_proved(&handler, &as_handler).is_err());
    // Nor may anyone approve by name at a CIS2 desk.
    let named = h.config.session().expect("user").user;
    assert!(desk.approver_unproved(named).is_err());

    let (clinician, choices) = signs_in(&desk, "clinician").await;
    let as_clinician = choices.expect("role").remove(0);
    let approver = desk
        .approver_proved(&clinician, &as_clinician)
        .expect("approved");
    assert_eq!(approver.sds_user_id, "555000000102");
    let booked = engine
        .book(late(Some(ClinicalApproval {
            ticket: approver.ticket.clone(),
            reason: "Reviewed on the call; safe to wait until tomorrow.".into(),
        })))
        .await
        .expect("approved booking");
    let events = engine.store().events().await.expect("events");
    let event = events
        .iter()
        .find(|e| e.appointment_id.as_deref() == Some(booked.appointment.id.as_str()))
        .expect("recorded");
    let by = event.approved_by.as_deref().expect("approver");
    assert!(
        by.contains("555000000102") && by.contains("555000002102"),
        "{by}"
    );
    assert!(by.contains("Clinical Practitioner Access Role"), "{by}");
    assert_eq!(event.user_name, "Amira Okafor");
}
