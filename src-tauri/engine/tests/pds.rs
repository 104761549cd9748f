//! Issue 20.1: the patient traced on the Personal Demographics Service, over real HTTP to
//! provider-sim's PDS (written from NHS Digital's PDS API description, not from the engine).

#[path = "support/harness.rs"]
mod harness;

use booking_engine::ErrorKind;
use booking_engine::directory::Standard;
use booking_engine::ids::NhsNumber;
use booking_engine::national::pds::DemographicSearch;
use booking_engine::views::TracedPatient;
use harness::{Harness, jane, open_desk, service_of, slots_ahead, start};
use provider_sim::{SimOptions, pds_cases};

/// The harness's desk with PDS at `pds_url`, or none.
async fn with_pds(h: &Harness, pds_url: Option<String>) -> booking_engine::Engine {
    let mut config = h.config.clone();
    config.national.pds_url = pds_url;
    open_desk(&h.sim, &config).await
}

async fn trace(
    engine: &booking_engine::Engine,
    nhs: &str,
) -> booking_engine::Result<TracedPatient> {
    engine
        .trace_patient(&NhsNumber::parse(nhs).expect("valid"))
        .await
}

#[tokio::test]
async fn a_patient_is_traced_with_their_registered_practice_and_home_address() {
    let h = start(SimOptions::default()).await;
    let engine = with_pds(&h, Some(h.sim.pds_url())).await;
    let t = trace(&engine, jane().as_str()).await.expect("traced");
    assert_eq!(t.nhs_number, jane().as_str());
    assert!(t.superseded.is_none() && !t.restricted && t.deceased.is_none());
    assert_eq!(t.family, "JACKSON", "{t:?}");
    assert!(t.postcode.is_some() && !t.address_lines.is_empty(), "{t:?}");
    // Who looked the patient up on the national record is in the audit trail.
    let entries = engine.store().audit_entries().await.expect("entries");
    let read = entries
        .iter()
        .rfind(|e| e.service_id == "pds")
        .expect("the PDS read is audited");
    assert_eq!(read.interaction, "pds:read-patient");
    assert_eq!(read.nhs_number.as_deref(), Some(jane().as_str()));
    assert_eq!(read.outcome, "http 200");
    assert_eq!(read.user_name, h.config.user.as_ref().expect("user").name);
    // The practice PDS names is one of the region's GP Connect practices.
    let practice = t.registered_practice.as_deref().expect("a practice");
    assert!(
        engine
            .directory()
            .all()
            .iter()
            .any(|s| s.standard == Standard::GpConnect && s.ods.as_str() == practice),
        "{practice} is not a GP Connect practice in the directory"
    );
}

#[tokio::test]
async fn restricted_superseded_and_deceased_records_are_said_as_pds_holds_them() {
    let h = start(SimOptions::default()).await;
    let engine = with_pds(&h, Some(h.sim.pds_url())).await;
    let cases = pds_cases();

    let restricted = trace(&engine, cases.restricted).await.expect("traced");
    assert!(restricted.restricted, "{restricted:?}");
    assert!(restricted.address_lines.is_empty() && restricted.postcode.is_none());
    assert!(restricted.phone.is_none() && restricted.registered_practice.is_none());

    let merged = trace(&engine, cases.superseded_old).await.expect("traced");
    assert_eq!(merged.nhs_number, cases.superseded_current);
    assert_eq!(merged.superseded.as_deref(), Some(cases.superseded_old));

    let died = trace(&engine, cases.deceased).await.expect("traced");
    assert!(died.deceased.is_some(), "{died:?}");

    // The platform revokes the desk's token: one fresh token, and the read goes through.
    h.sim.revoke_platform_tokens();
    let again = trace(&engine, cases.deceased)
        .await
        .expect("traced with a fresh token");
    assert_eq!(again, died);
}

#[tokio::test]
async fn a_number_pds_does_not_hold_or_has_invalidated_is_not_found_with_what_to_do() {
    let h = start(SimOptions::default()).await;
    let engine = with_pds(&h, Some(h.sim.pds_url())).await;
    let cases = pds_cases();

    let absent = trace(&engine, cases.absent).await.expect_err("not held");
    assert_eq!(absent.kind, ErrorKind::PatientNotFound, "{absent:?}");
    assert!(
        absent.message.starts_with("PDS has no patient"),
        "{}",
        absent.message
    );
    assert!(absent.next_step.contains("enter their details by hand"));
    assert_eq!(absent.http_status, Some(404));
    let entries = engine.store().audit_entries().await.expect("entries");
    assert!(
        entries.iter().any(|e| e.service_id == "pds"
            && e.nhs_number.as_deref() == Some(cases.absent)
            && e.outcome == "http 404"),
        "a refused read is audited too"
    );

    let invalidated = trace(&engine, cases.invalidated)
        .await
        .expect_err("invalidated");
    assert_eq!(invalidated.kind, ErrorKind::PatientNotFound);
    assert!(
        invalidated.message.contains("invalidated"),
        "{}",
        invalidated.message
    );
    assert_eq!(invalidated.code.as_deref(), Some("INVALIDATED_RESOURCE"));
}

#[tokio::test]
async fn without_pds_or_with_pds_down_the_desk_says_what_to_do() {
    let h = start(SimOptions::default()).await;
    // The simulator's own configuration names its PDS.
    assert_eq!(h.config.national.pds_url, Some(h.sim.pds_url()));
    let none = trace(&with_pds(&h, None).await, jane().as_str())
        .await
        .expect_err("no PDS");
    assert_eq!(none.kind, ErrorKind::Config);
    assert!(none.next_step.contains("pds_url"), "{}", none.next_step);

    // Nothing listens on port 9 of this machine.
    let down = with_pds(
        &h,
        Some("http://127.0.0.1:9/personal-demographics/FHIR/R4".into()),
    )
    .await;
    let e = trace(&down, jane().as_str()).await.expect_err("down");
    assert!(
        matches!(e.kind, ErrorKind::Unavailable | ErrorKind::Timeout),
        "{e:?}"
    );
    // The address names the patient: it is in no part of the error.
    assert!(!format!("{e:?}").contains(jane().as_str()), "{e:?}");
    assert!(!e.next_step.is_empty());
}

/// The desk's patient lookup with PDS: PDS's number and restrictions govern, the registered
/// practice is asked first, a patient no practice holds is PDS's, and with PDS down the
/// practices are still asked and the person told.
#[tokio::test]
async fn the_patient_lookup_traces_on_pds_first_and_asks_the_registered_practice() {
    let h = start(SimOptions::default()).await;
    let engine = with_pds(&h, Some(h.sim.pds_url())).await;
    let cases = pds_cases();
    let ods_of = |m: &booking_engine::views::PatientMatch| {
        let id = m.service_id.as_ref().expect("a practice's record");
        engine
            .directory()
            .get(id)
            .expect("in the directory")
            .ods
            .as_str()
            .to_string()
    };

    let jane_found = engine
        .lookup_patient(&jane())
        .await
        .expect("asked")
        .expect("found");
    let traced = jane_found.traced.as_ref().expect("traced on PDS");
    assert_eq!(Some(ods_of(&jane_found)), traced.registered_practice);
    assert!(jane_found.pds_error.is_none());

    // An old number: the current record, at David's own practice (B87003), under his number.
    let old = NhsNumber::parse(cases.superseded_old).expect("valid");
    let david = engine
        .lookup_patient(&old)
        .await
        .expect("asked")
        .expect("found");
    assert_eq!(
        david.patient.nhs_number.as_ref().map(|n| n.as_str()),
        Some(cases.superseded_current)
    );
    assert_eq!(ods_of(&david), "B87003");
    assert_eq!(
        david.traced.as_ref().and_then(|t| t.superseded.as_deref()),
        Some(cases.superseded_old)
    );

    // Restricted, and held by no practice here: PDS's details, with no address or phone.
    let restricted = NhsNumber::parse(cases.restricted).expect("valid");
    let helen = engine
        .lookup_patient(&restricted)
        .await
        .expect("asked")
        .expect("found");
    assert!(helen.service_id.is_none() && helen.service_name.is_none());
    assert!(helen.traced.as_ref().is_some_and(|t| t.restricted));
    assert!(helen.patient.address_lines.is_empty() && helen.patient.postcode.is_none());
    assert!(helen.patient.phone.is_none());

    // A number PDS does not hold is not looked for at the practices.
    let absent = NhsNumber::parse(cases.absent).expect("valid");
    let e = engine.lookup_patient(&absent).await.expect_err("not held");
    assert_eq!(e.kind, ErrorKind::PatientNotFound);

    // PDS down: the practices are asked, and the answer says PDS was not.
    let down = with_pds(
        &h,
        Some("http://127.0.0.1:9/personal-demographics/FHIR/R4".into()),
    )
    .await;
    let found = down
        .lookup_patient(&jane())
        .await
        .expect("asked")
        .expect("found at a practice");
    assert!(found.traced.is_none());
    assert!(found.pds_error.is_some());
}

fn born(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// Issue 20.1: without an NHS number, PDS's search finds the one patient with the caller's
/// details (the application-restricted mode answers a unique match only).
#[tokio::test]
async fn a_patient_without_a_number_is_found_by_name_and_birth_date() {
    let h = start(SimOptions::default()).await;
    let engine = with_pds(&h, Some(h.sim.pds_url())).await;
    let search = DemographicSearch {
        family: "Jackson".into(),
        given: Some("Jane".into()),
        birth_date: born(1982, 3, 12),
        gender: None,
        postcode: Some("LS1 4AP".into()),
    };
    let found = engine
        .search_pds(&search)
        .await
        .expect("searched")
        .expect("a match");
    assert_eq!(found.nhs_number, jane().as_str());
    assert_eq!(found.family, "JACKSON");
    assert!(found.registered_practice.is_some(), "{found:?}");
    // Whom the search matched is in the audit trail, under the search.
    let entries = engine.store().audit_entries().await.expect("entries");
    let audited = entries
        .iter()
        .rfind(|e| e.service_id == "pds")
        .expect("audited");
    assert_eq!(audited.interaction, "pds:search-patient");
    assert_eq!(audited.nhs_number.as_deref(), Some(jane().as_str()));

    // Nobody with these details: none, and nothing is guessed.
    let nobody = DemographicSearch {
        birth_date: born(1983, 3, 12),
        ..search.clone()
    };
    assert_eq!(engine.search_pds(&nobody).await.expect("searched"), None);
    // Refused before asking: no family name.
    let blank = DemographicSearch {
        family: " ".into(),
        ..search
    };
    let e = engine.search_pds(&blank).await.expect_err("refused");
    assert_eq!(e.kind, ErrorKind::InvalidInput);
}

/// Issue 20.1: a restricted record's address and phone go to no service, even when the call
/// handler typed them in. UEC Booking and BaRS take no booking without a home postcode, so the
/// desk refuses there before sending anything and says to phone. The same typed details for
/// an unrestricted patient do go, so the rule is PDS's.
#[tokio::test]
async fn a_restricted_record_sends_no_address_or_phone_typed_in() {
    let h = start(SimOptions::default()).await;
    let engine = with_pds(&h, Some(h.sim.pds_url())).await;
    let cases = pds_cases();
    let typed = |nhs: &str, family: &str| booking_engine::views::PatientView {
        id: None,
        nhs_number: Some(NhsNumber::parse(nhs).expect("valid")),
        family: family.into(),
        given: vec!["Helen".into()],
        prefix: None,
        gender: Some("female".into()),
        birth_date: Some(born(1980, 3, 14)),
        address_lines: vec!["12 Quarry Hill Lane".into(), "Leeds".into()],
        postcode: Some("LS9 7QQ".into()),
        phone: Some("07700 900999".into()),
    };
    let ed = service_of(&h, "emergency-department", "uec-booking");
    let utc = service_of(&h, "urgent-care", "bars");
    let held_before = h.sim.appointments().len();
    for service in [&ed, &utc] {
        let slot = slots_ahead(&engine, service).await.remove(0);
        let mut req = harness::jane_books(service, &slot, "Chest pain");
        req.nhs_number = Some(NhsNumber::parse(cases.restricted).expect("valid"));
        req.patient = Some(typed(cases.restricted, "RESTRICTED"));
        req.clinical = Some(harness::triage_summary());
        let e = engine.book(req).await.expect_err("refused before sending");
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{e:?}");
        assert!(e.message.contains("restricted"), "{}", e.message);
        assert!(e.next_step.contains("Phone"), "{}", e.next_step);
        // Without the typed details the desk finds PDS's, which have no address: refused too.
        let mut req = harness::jane_books(service, &slot, "Chest pain");
        req.nhs_number = Some(NhsNumber::parse(cases.restricted).expect("valid"));
        let e = engine.book(req).await.expect_err("refused before sending");
        assert!(e.message.contains("restricted"), "{}", e.message);
    }
    assert_eq!(
        h.sim.appointments().len(),
        held_before,
        "nothing was booked"
    );
    assert!(h.sim.reports().is_empty(), "no report went");

    // Jane's record is not restricted: what was typed for her goes.
    let slot = slots_ahead(&engine, &ed).await.remove(0);
    let mut req = harness::jane_books(&ed, &slot, "Chest pain");
    req.patient = Some(typed(jane().as_str(), "JACKSON"));
    engine.book(req).await.expect("booked");
    let held = serde_json::to_string(&h.sim.appointments()).expect("json");
    assert!(
        held.contains("Quarry Hill") && held.contains("LS9 7QQ"),
        "an unrestricted patient's address goes"
    );
}
