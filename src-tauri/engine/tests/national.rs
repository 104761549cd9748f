//! Issue 20: services found the way 111 finds them — the Directory of Services by triage
//! outcome and postcode, each booking endpoint from SDS — and booked with no services.toml,
//! over real HTTP to provider-sim's DoS and SDS (written from the published descriptions, not
//! from the engine).

#[path = "support/harness.rs"]
mod harness;

use booking_engine::ErrorKind;
use booking_engine::directory::{Directory, Standard};
use booking_engine::ids::ServiceId;
use booking_engine::national::dos::{Age, CareNeed, Sex};
use booking_engine::national::find::{HowBooked, ServiceOption, ServicesFound};
use booking_engine::reconcile::Settled;
use booking_engine::standards::SearchWindow;
use booking_engine::views::AppointmentStatus;
use harness::{Harness, book_request, jane, open_desk, slots_ahead, start};
use provider_sim::{SimOptions, national_cases};

/// Jane, 44, at home in Leeds, after a Pathways outcome of Dx05 ("speak to a primary care
/// service"): the simulated DoS profiles its practices, UTCs and hubs for it.
fn jane_needs_primary_care() -> CareNeed {
    CareNeed {
        postcode: national_cases().search_postcode.into(),
        age: Age::Years(44),
        sex: Sex::Female,
        disposition: Some(1005),
        symptom_group: Some(1010),
        symptom_discriminators: vec![4003],
        search_distance_km: None,
        surgery: Some("B86001".into()),
        search_at: Some(a_tuesday_morning()),
    }
}

/// 10:00 (UK) on the first Tuesday after the tests' instant that is not a bank holiday: the
/// DoS searches as if then (`searchDateTime`), so which services are open does not depend on
/// the day the tests run.
fn a_tuesday_morning() -> chrono::DateTime<chrono::Utc> {
    use chrono::{Datelike, TimeZone};
    let london = chrono_tz::Europe::London;
    let mut day =
        harness::test_instant().with_timezone(&london).date_naive() + chrono::Duration::days(1);
    while day.weekday() != chrono::Weekday::Tue
        || booking_engine::national::bank_holidays::is_bank_holiday(day)
    {
        day += chrono::Duration::days(1);
    }
    london
        .from_local_datetime(&day.and_hms_opt(10, 0, 0).expect("10:00"))
        .single()
        .expect("one 10:00")
        .with_timezone(&chrono::Utc)
}

/// The harness's desk with no services.toml at all: everything comes from the directories.
async fn with_no_local_services(h: &Harness) -> booking_engine::Engine {
    let mut config = h.config.clone();
    config.directory = Directory::new(Vec::new()).expect("empty directory");
    open_desk(&h.sim, &config).await
}

fn option<'a>(found: &'a ServicesFound, dos_id: &str) -> &'a ServiceOption {
    found
        .services
        .iter()
        .find(|o| o.service.dos_id == dos_id)
        .unwrap_or_else(|| panic!("DoS returned {dos_id}: {:#?}", found.services))
}

fn booked_as(o: &ServiceOption) -> (Standard, ServiceId) {
    match &o.booking {
        HowBooked::Book {
            standard,
            service_id,
            configured,
        } => {
            assert!(!configured, "{o:?} came from services.toml");
            (*standard, service_id.clone())
        }
        other => panic!("{} is not bookable: {other:?}", o.service.name),
    }
}

/// The first service found that the desk books by `standard`, by its own id.
fn found_by(found: &ServicesFound, standard: Standard) -> ServiceId {
    found
        .services
        .iter()
        .filter(|o| matches!(&o.booking, HowBooked::Book { standard: s, .. } if *s == standard))
        .map(booked_as)
        .next()
        .unwrap_or_else(|| panic!("a {standard:?} service: {:#?}", found.services))
        .1
}

#[tokio::test]
async fn from_a_triage_outcome_to_a_booking_at_a_gp_practice_and_a_utc_the_desk_found_itself() {
    let h = start(SimOptions::default()).await;
    let engine = with_no_local_services(&h).await;
    assert!(engine.directory().all().is_empty());
    let found = engine
        .find_services(&jane_needs_primary_care(), Some(jane().as_str()))
        .await
        .expect("DoS answers");
    assert!(!found.services.is_empty());
    // Nearest and most suitable first, with distances from Jane's postcode.
    assert!(
        found
            .services
            .iter()
            .all(|o| o.service.distance_miles.is_some()),
        "{:#?}",
        found.services
    );

    // Every bookable service of the region the DoS returned is bookable by what SDS says, by
    // the standard SDS has its endpoint for.
    let standards: Vec<Standard> = found
        .services
        .iter()
        .filter_map(|o| match &o.booking {
            HowBooked::Book { standard, .. } => Some(*standard),
            _ => None,
        })
        .collect();
    for standard in [Standard::GpConnect, Standard::UecBooking, Standard::Bars] {
        assert!(
            standards.contains(&standard),
            "{standard:?} in {standards:?}: {:#?}",
            found
                .services
                .iter()
                .map(|o| (&o.service.name, &o.booking))
                .collect::<Vec<_>>()
        );
        let (_, id) = found
            .services
            .iter()
            .filter(|o| matches!(&o.booking, HowBooked::Book { standard: s, .. } if *s == standard))
            .map(booked_as)
            .next()
            .expect("one of each standard");
        let service = engine
            .service(&id)
            .expect("the found service is known this session");
        assert_eq!(service.standard, standard);
        if standard == Standard::Bars {
            // Through the platform's one BaRS root, addressed by the DoS id.
            assert_eq!(
                service.base_url,
                h.sim.bars_proxy_url().trim_end_matches('/')
            );
            assert!(service.target_identifier.is_some());
        } else {
            // The address and ASID are SDS's: the sim's own record of where the service lives.
            let hosted = h
                .sim
                .services()
                .into_iter()
                .find(|s| s.ods == service.ods.as_str())
                .expect("a hosted service");
            assert_eq!(service.base_url, hosted.base_url.trim_end_matches('/'));
            assert_eq!(service.asid.as_str(), hosted.asid);
        }

        let slot = slots_ahead(&engine, &id).await.remove(0);
        let booked = engine
            .book(book_request(&id, vec![slot.id.clone()], jane()))
            .await
            .expect("booked");
        assert_eq!(booked.appointment.status, AppointmentStatus::Booked);
        let held = if standard == Standard::Bars {
            h.sim
                .bars_bookings()
                .into_iter()
                .map(|b| b.appointment)
                .find(|a| a["id"] == booked.appointment.id.as_str())
        } else {
            h.sim
                .appointments()
                .into_iter()
                .find(|a| a["id"] == booked.appointment.id.as_str())
        }
        .expect("the service holds the appointment");
        assert_eq!(held["status"], "booked");
        if standard == Standard::Bars {
            continue;
        }
        // SDS was asked for the booking's own interaction, not the slot search's endpoint reused.
        let book = match standard {
            Standard::GpConnect => {
                "urn:nhs:names:services:gpconnect:fhir:rest:create:appointment-1"
            }
            _ => "urn:nhs:names:services:careconnect:fhir:rest:create:appointment",
        };
        assert!(
            h.sim
                .sds_endpoint_lookups()
                .iter()
                .any(|(ods, interaction)| ods == service.ods.as_str() && interaction == book),
            "{:?}",
            h.sim.sds_endpoint_lookups()
        );
    }
}

#[tokio::test]
async fn a_service_with_no_endpoint_a_wrong_entry_or_two_endpoints_is_never_booked_blindly() {
    let h = start(SimOptions::default()).await;
    let engine = with_no_local_services(&h).await;
    let cases = national_cases();
    let found = engine
        .find_services(&jane_needs_primary_care(), Some(jane().as_str()))
        .await
        .expect("DoS answers");

    let none = option(&found, cases.no_sds_endpoint.dos_service_id);
    match &none.booking {
        HowBooked::CannotBook { reason, next_step } => {
            assert!(reason.contains("no booking endpoint"), "{reason}");
            assert!(next_step.contains("phone"), "{next_step}");
        }
        other => panic!("{other:?}"),
    }
    let two = option(&found, cases.two_sds_endpoints.dos_service_id);
    match &two.booking {
        HowBooked::CannotBook { reason, .. } => {
            assert!(reason.contains("two booking endpoints"), "{reason}")
        }
        other => panic!("{other:?}"),
    }

    // SDS's entry looks right but names an ASID the practice's system is not: the practice
    // refuses the desk, and the desk says so rather than offering its slots.
    let wrong = option(&found, cases.wrong_sds_asid.dos_service_id);
    let (_, id) = booked_as(wrong);
    let today = engine.clock().uk_today();
    let window =
        booking_engine::standards::SearchWindow::new(today, today + chrono::Duration::days(7))
            .expect("window");
    let refused = engine
        .search_service(&id, &window)
        .await
        .expect_err("refused");
    assert_eq!(refused.kind, ErrorKind::AccessDenied, "{refused:?}");
    assert!(
        refused.next_step.contains("Spine Directory Service"),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_service_is_named_by_its_dos_id_or_ods_code_and_looked_up_when_not_configured() {
    let h = start(SimOptions::default()).await;
    let engine = with_no_local_services(&h).await;
    let cases = national_cases();
    // A UEC Booking centre by its DoS id, a practice by its ODS code: found, then searched.
    let utc = h
        .sim
        .services()
        .into_iter()
        .find(|s| s.standard == "uec-booking")
        .expect("a UEC Booking service");
    let by_dos = engine
        .resolve_service(utc.healthcare_service.as_deref().expect("its DoS id"), None)
        .await
        .expect("found by DoS id");
    assert_eq!(
        engine.service(&by_dos).expect("known").standard,
        Standard::UecBooking
    );
    assert!(!slots_ahead(&engine, &by_dos).await.is_empty());
    let by_ods = engine
        .resolve_service("B86001", None)
        .await
        .expect("found by ODS code");
    assert_eq!(
        engine.service(&by_ods).expect("known").standard,
        Standard::GpConnect
    );

    let e = engine
        .resolve_service(cases.not_bookable_dental.dos_service_id, None)
        .await
        .expect_err("no booking endpoint");
    assert_eq!(e.kind, ErrorKind::Rejected);
    assert!(e.next_step.contains("phone"), "{e:?}");
    let e = engine
        .resolve_service(cases.no_sds_endpoint.ods, None)
        .await
        .expect_err("nothing in SDS");
    assert!(e.message.contains("no booking endpoint"), "{e:?}");
    for unknown in ["2999999999", "not a service!"] {
        let e = engine
            .resolve_service(unknown, None)
            .await
            .expect_err("unknown");
        assert_eq!(e.kind, ErrorKind::UnknownService, "{unknown}: {e:?}");
    }
}

#[tokio::test]
async fn a_pharmacy_without_a_booking_endpoint_is_a_call_to_refer_with_its_phone() {
    let h = start(SimOptions::default()).await;
    let engine = with_no_local_services(&h).await;
    let cases = national_cases();
    // Dx80-like repeat-prescription need: the simulated DoS returns its pharmacy.
    let need = CareNeed {
        disposition: Some(1080),
        symptom_group: Some(1206),
        symptom_discriminators: vec![4193],
        ..jane_needs_primary_care()
    };
    let found = engine
        .find_services(&need, Some(jane().as_str()))
        .await
        .expect("DoS answers");
    let pharmacy = option(&found, cases.not_bookable_pharmacy.dos_service_id);
    assert_eq!(pharmacy.booking, HowBooked::CallToRefer);
    assert!(pharmacy.service.phone.is_some(), "{pharmacy:?}");
}

#[tokio::test]
async fn a_configured_service_is_booked_by_its_own_entry_and_bad_searches_say_what_to_fix() {
    let h = start(SimOptions::default()).await;
    // With the region's services.toml, the DoS's services that it lists are booked by it.
    let found = h
        .engine
        .find_services(&jane_needs_primary_care(), Some(jane().as_str()))
        .await
        .expect("DoS answers");
    assert!(
        found.services.iter().any(
            |o| matches!(&o.booking, HowBooked::Book { configured: true, service_id, .. }
                if h.engine.directory().get(service_id).is_ok())
        ),
        "{:#?}",
        found.services
    );

    let unknown_postcode = CareNeed {
        postcode: "ZZ99 9ZZ".into(),
        ..jane_needs_primary_care()
    };
    let e = h
        .engine
        .find_services(&unknown_postcode, None)
        .await
        .expect_err("unknown postcode");
    assert_eq!(e.kind, ErrorKind::InvalidInput, "{e:?}");
    assert!(e.next_step.contains("postcode"), "{e:?}");

    let too_far = CareNeed {
        search_distance_km: Some(120),
        ..jane_needs_primary_care()
    };
    assert_eq!(
        h.engine
            .find_services(&too_far, None)
            .await
            .expect_err("refused")
            .kind,
        ErrorKind::InvalidInput
    );

    // The wrong password: the DoS refuses the account, and the desk says who can fix it.
    let desk = booking_engine::Desk::open(&h.config)
        .await
        .expect("desk opens")
        .with_clock(harness::test_clock())
        .expect("clock");
    desk.use_dos_password(booking_engine::secrets::Secret::new("not-the-password"))
        .expect("password");
    let engine = desk
        .sign_in(h.config.session().expect("session").user)
        .expect("signed in");
    let e = engine
        .find_services(&jane_needs_primary_care(), None)
        .await
        .expect_err("refused");
    assert_eq!(e.kind, ErrorKind::AccessDenied, "{e:?}");
    assert!(e.next_step.contains("password"), "{e:?}");
}

#[tokio::test]
async fn a_desk_without_the_directories_says_what_to_configure() {
    let h = start(SimOptions::default()).await;
    let mut config = h.config.clone();
    config.national.dos_url = None;
    config.national.dos_username = None;
    let engine = open_desk(&h.sim, &config).await;
    let e = engine
        .find_services(&jane_needs_primary_care(), None)
        .await
        .expect_err("no DoS");
    assert_eq!(e.kind, ErrorKind::Config);
    assert!(e.next_step.contains("dos_url"), "{e:?}");
}

#[tokio::test]
async fn a_desk_with_no_services_list_sees_checks_settles_and_cancels_what_it_booked_after_a_restart()
 {
    let h = start(SimOptions::default()).await;
    let first = with_no_local_services(&h).await;
    let found = first
        .find_services(&jane_needs_primary_care(), Some(jane().as_str()))
        .await
        .expect("DoS answers");
    let (uec, bars) = (
        found_by(&found, Standard::UecBooking),
        found_by(&found, Standard::Bars),
    );
    let uec_slot = slots_ahead(&first, &uec).await.remove(0);
    let booked = first
        .book(book_request(&uec, vec![uec_slot.id.clone()], jane()))
        .await
        .expect("booked at the found UEC service");
    // A BaRS booking whose run stopped with its request never sent: the intent alone.
    let bars_slot = slots_ahead(&first, &bars).await.remove(0);
    first
        .store()
        .begin_booking(&booking_engine::store::BookingIntent {
            request_id: uuid::Uuid::new_v4().to_string(),
            recorded_at: harness::test_instant(),
            service_id: bars.to_string(),
            slot_ids: vec![bars_slot.id.to_string()],
            slot_start: bars_slot.start.to_rfc3339(),
            nhs_number: Some(jane().as_str().to_string()),
            user_local_id: "alex.taylor".into(),
            user_name: "Alex Taylor".into(),
            desk: first.desk().name().to_string(),
        })
        .await
        .expect("intent written");
    drop(first);

    // The next start: a session that has found nothing yet.
    let next = with_no_local_services(&h).await;
    assert!(next.service(&uec).is_err(), "nothing is found this session");
    // The interrupted booking is settled at the service the DoS and SDS give again, not left
    // as "no longer in the directory" at every start.
    let settled = next.reconcile_interrupted().await.expect("reconciled");
    assert_eq!(settled.len(), 1, "{settled:?}");
    assert_eq!(settled[0].settled, Settled::NotBooked, "{settled:?}");
    assert!(settled[0].service_name.is_some(), "{settled:?}");

    // The patient's appointments: the booking at the found service, from the registry, under
    // the name the DoS's search gave (its lookup by id gives none).
    let today = next.clock().uk_today();
    let window = SearchWindow::new(today, today + chrono::Duration::days(9)).expect("window");
    let listed = next.patient_appointments_everywhere(&jane(), &window).await;
    assert!(listed.failures.is_empty(), "{:?}", listed.failures);
    let seen = listed
        .appointments
        .iter()
        .find(|a| a.service_id == uec && a.id == booked.appointment.id)
        .unwrap_or_else(|| panic!("{:?}", listed.appointments));
    assert_eq!(seen.service_name, booked.appointment.service_name);
    assert!(!seen.service_name.starts_with("DoS service"), "{seen:?}");

    // The already-booked check sees it too: a second booking elsewhere is refused, naming it.
    let mut again = book_request(&bars, vec![bars_slot.id.clone()], jane());
    again.book_anyway = false;
    let e = next.book(again).await.expect_err("already booked");
    assert_eq!(e.kind, ErrorKind::AlreadyBooked, "{e:?}");
    assert!(e.message.contains(booked.appointment.id.as_str()), "{e:?}");

    // Another start cancels it by the desk's id for the service alone, as the registry holds
    // it: the endpoint is looked up for the patient the booking was for.
    let third = with_no_local_services(&h).await;
    let cancelled = third
        .cancel(&uec, &booked.appointment.id, "Patient no longer needs it")
        .await
        .expect("cancelled");
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
    assert!(
        h.sim
            .sds_endpoint_lookups()
            .iter()
            .any(|(_, i)| i == "urn:nhs:names:services:careconnect:fhir:rest:update:appointment"),
        "{:?}",
        h.sim.sds_endpoint_lookups()
    );
}

#[tokio::test]
async fn a_bars_service_is_not_called_call_to_refer_when_the_catalogue_could_not_be_read() {
    let h = start(SimOptions::default()).await;
    let mut config = h.config.clone();
    config.directory = Directory::new(Vec::new()).expect("empty directory");
    // The DoS account, but no platform key: the BaRS endpoint catalogue cannot be asked.
    let desk = booking_engine::Desk::open(&config)
        .await
        .expect("desk opens")
        .with_clock(harness::test_clock())
        .expect("clock");
    desk.use_dos_password(booking_engine::secrets::Secret::new(
        provider_sim::DEMO_DOS_PASSWORD,
    ))
    .expect("password");
    let engine = desk
        .sign_in(config.session().expect("session").user)
        .expect("signed in");
    let found = engine
        .find_services(&jane_needs_primary_care(), Some(jane().as_str()))
        .await
        .expect("DoS answers");
    let bars = h
        .sim
        .services()
        .into_iter()
        .filter(|s| s.standard == "bars")
        .filter_map(|s| s.target_identifier)
        .find_map(|dos| found.services.iter().find(|o| o.service.dos_id == dos))
        .expect("a BaRS service among those found");
    match &bars.booking {
        HowBooked::CannotBook { reason, next_step } => {
            assert!(reason.contains("BaRS could not be checked"), "{reason}");
            assert!(next_step.contains("api-key"), "{next_step}");
        }
        other => panic!("{} is {other:?}", bars.service.name),
    }
}

#[tokio::test]
async fn the_111_report_goes_where_the_dos_says_a_found_uec_service_takes_it() {
    let h = start(SimOptions::default()).await;
    let engine = with_no_local_services(&h).await;
    let found = engine
        .find_services(&jane_needs_primary_care(), Some(jane().as_str()))
        .await
        .expect("DoS answers");
    let uec = found_by(&found, Standard::UecBooking);
    let slot = slots_ahead(&engine, &uec).await.remove(0);
    let booked = engine
        .book(booking_engine::booking::BookRequest {
            slot_start: Some(slot.start),
            clinical: Some(harness::triage_summary()),
            ..book_request(&uec, vec![slot.id.clone()], jane())
        })
        .await
        .expect("booked");
    let sent = booked.clinical.expect("the summary went");
    assert!(sent.report_delivered, "{:?}", sent.report_problem);
    let report_id = sent.report_id.expect("a report id");
    assert!(
        h.sim.reports().iter().any(|r| r.report_id == report_id),
        "the service received report {report_id}"
    );
}
