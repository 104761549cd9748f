//! Every resource Booking Desk writes is valid STU3 (HL7's JSON Schema) and follows the
//! standard's profile rules.

#[path = "support/fixtures.rs"]
mod fixtures;
#[path = "support/schema.rs"]
mod schema;

use booking_engine::auth::{Organisation, Role, Session, SystemIdentity, User};
use booking_engine::directory::ServiceKind;
use booking_engine::fhir::stu3::Appointment;
use booking_engine::ids::{Asid, NhsNumber, OdsCode, ServiceId, SlotId};
use booking_engine::standards::{SearchWindow, gp_connect, uec_booking};
use booking_engine::transport::FhirRequest;
use booking_engine::views::{
    DeliveryChannel, LocationView, PatientView, PractitionerView, SlotView,
};
use chrono::{DateTime, FixedOffset};
use serde_json::Value;

fn session() -> Session {
    Session::new(
        User {
            name: "Alex Taylor".into(),
            sds_user_id: "555021935107".into(),
            sds_role_profile_id: "555021936106".into(),
            local_id: "alex.taylor".into(),
            role: Role::CallHandler,
        },
        Organisation {
            ods: OdsCode::parse("RYA").expect("ods"),
            name: "NHS 111 North West".into(),
            telecom: Some("0300 000 0000".into()),
            dos_service_id: Some("2000072489".into()),
        },
        SystemIdentity {
            asid: Asid::parse("200000000359").expect("asid"),
            endpoint: "https://desk.example/fhir".into(),
        },
        booking_engine::auth::Proof::Unproved,
    )
    .expect("session")
}

fn d(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("time")
}

fn slot(id: &str, start: &str, end: &str) -> SlotView {
    SlotView {
        service_id: ServiceId::parse("beckside").expect("id"),
        service_name: "Beckside".into(),
        service_kind: ServiceKind::GpPractice,
        id: SlotId::parse(id).expect("slot"),
        schedule_id: Some("14".into()),
        start: t(start),
        end: t(end),
        delivery_channel: Some(DeliveryChannel::InPerson),
        slot_type: Some("General GP Appointment".into()),
        schedule_type: Some("General GP Appointments".into()),
        practitioner: Some(PractitionerView {
            id: Some("2".into()),
            name: Some("Dr Sarah Black".into()),
            role: Some("General Medical Practitioner".into()),
            gender: Some("female".into()),
        }),
        location: Some(LocationView {
            id: Some("17".into()),
            name: Some("The Trevelyan Practice".into()),
            address: Some("Trevelyan Square, Leeds, LS1 6AE".into()),
        }),
        source: None,
    }
}

fn patient(nhs: Option<&str>) -> PatientView {
    PatientView {
        id: None,
        nhs_number: nhs.map(|n| NhsNumber::parse(n).expect("nhs")),
        family: "Jackson".into(),
        given: vec!["Jane".into()],
        prefix: Some("Miss".into()),
        gender: Some("female".into()),
        birth_date: Some(chrono::NaiveDate::from_ymd_opt(1982, 3, 12).expect("date")),
        address_lines: vec!["24 High Street".into(), "Leeds".into()],
        postcode: Some("LS1 4AP".into()),
        phone: Some("07700 900123".into()),
    }
}

fn body(req: &FhirRequest) -> Value {
    serde_json::from_slice(req.body.as_deref().expect("has a body")).expect("json body")
}

#[test]
fn gp_connect_booking_is_valid_and_follows_the_profile() {
    let slots = [
        slot(
            "1",
            "2026-12-02T10:00:00+00:00",
            "2026-12-02T10:10:00+00:00",
        ),
        slot(
            "2",
            "2026-12-02T10:10:00+00:00",
            "2026-12-02T10:20:00+00:00",
        ),
    ];
    let a = gp_connect::booking(
        &session(),
        &slots,
        "7",
        "Sore throat and fever for 3 days",
        Some("Call back on 07700 900123"),
        t("2026-12-01T09:00:00+00:00"),
    )
    .expect("built");
    let req = gp_connect::book(&a).expect("request");
    let v = body(&req);
    schema::assert_valid(&v);
    assert_eq!(v["resourceType"], "Appointment");
    assert!(v.get("id").is_none());
    assert_eq!(v["status"], "booked");
    assert_eq!(
        v["meta"]["profile"][0],
        "https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Appointment-1"
    );
    assert_eq!(v["start"], "2026-12-02T10:00:00+00:00");
    assert_eq!(v["end"], "2026-12-02T10:20:00+00:00");
    assert_eq!(v["slot"][1]["reference"], "Slot/2");
    assert!(v.get("reason").is_none() && v.get("specialty").is_none());
    let refs: Vec<&str> = v["participant"]
        .as_array()
        .expect("participants")
        .iter()
        .filter_map(|p| p["actor"]["reference"].as_str())
        .collect();
    assert_eq!(refs, ["Patient/7", "Location/17", "Practitioner/2"]);
    assert_eq!(v["contained"][0]["resourceType"], "Organization");
    assert_eq!(v["contained"][0]["identifier"][0]["value"], "RYA");
    assert_eq!(v["contained"][0]["telecom"][0]["value"], "0300 000 0000");
    assert_eq!(v["contained"][0]["telecom"][0]["system"], "phone");
    assert_eq!(v["contained"][0]["name"], "NHS 111 North West");
    // The booking organisation's type is the organisation type the slot search sent.
    let window = SearchWindow::new(d("2026-12-01"), d("2026-12-14")).expect("window");
    let search = gp_connect::free_slots(&window, "RYA");
    assert_eq!(search.len(), 1, "a plain fortnight is one request");
    let org_type = search[0]
        .query
        .iter()
        .filter(|(k, _)| k == "searchFilter")
        .find_map(|(_, v)| {
            v.strip_prefix("https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-OrganisationType-1|")
        })
        .expect("the search sends an organisation type");
    assert_eq!(
        v["contained"][0]["type"],
        serde_json::json!([{ "coding": [{
            "system": "https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-OrganisationType-1",
            "code": org_type
        }] }])
    );
    let ext = &v["extension"][0];
    assert_eq!(
        ext["url"],
        "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-BookingOrganisation-1"
    );
    assert_eq!(
        ext["valueReference"]["reference"],
        format!("#{}", v["contained"][0]["id"].as_str().expect("id"))
    );
    assert_eq!(req.method, reqwest::Method::POST);
}

/// GP Connect's booking organisation SHALL carry a phone number: a session without one is
/// refused, and a booking is never built without it.
#[test]
fn gp_connect_booking_organisation_needs_a_phone_number() {
    let good = session();
    let mut no_phone = good.organisation.clone();
    no_phone.telecom = None;
    let e = Session::new(
        good.user.clone(),
        no_phone.clone(),
        good.system.clone(),
        good.proof.clone(),
    )
    .expect_err("no telecom");
    assert!(e.message.contains("telecom"), "{}", e.message);
    let mut blank = good.organisation.clone();
    blank.telecom = Some("  ".into());
    assert!(
        Session::new(
            good.user.clone(),
            blank,
            good.system.clone(),
            good.proof.clone()
        )
        .is_err()
    );

    let built_by_hand = Session {
        organisation: no_phone,
        ..good
    };
    let slots = [slot(
        "1",
        "2026-12-02T10:00:00+00:00",
        "2026-12-02T10:10:00+00:00",
    )];
    let e = gp_connect::booking(
        &built_by_hand,
        &slots,
        "7",
        "Sore throat",
        None,
        t("2026-12-01T09:00:00+00:00"),
    )
    .expect_err("no booking without the organisation's phone");
    assert_eq!(e.kind, booking_engine::error::ErrorKind::Config);
}

#[test]
fn gp_connect_amend_and_cancel_change_only_what_they_may() {
    let read: Appointment =
        serde_json::from_value(fixtures::gpconnect_json("read_appt_response_example.json"))
            .expect("fixture");
    let original = serde_json::to_value(&read).expect("json");

    let amend =
        gp_connect::amend(read.clone(), Some("5"), None, Some("New comment")).expect("amend");
    let v = body(&amend);
    schema::assert_valid(&v);
    assert_eq!(amend.if_match.as_deref(), Some("W/\"5\""));
    assert_eq!(v["comment"], "New comment");
    let mut expected = original.clone();
    expected["comment"] = "New comment".into();
    assert_eq!(v, expected, "only the comment changed");

    let cancel = gp_connect::cancel(read.clone(), Some("5"), "Feeling better").expect("cancel");
    let v = body(&cancel);
    schema::assert_valid(&v);
    assert_eq!(v["status"], "cancelled");
    let reason = v["extension"]
        .as_array()
        .expect("extensions")
        .iter()
        .find(|e| {
            e["url"]
                == "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-AppointmentCancellationReason-1"
        })
        .expect("reason extension");
    assert_eq!(reason["valueString"], "Feeling better");
    assert_eq!(v["description"], original["description"]);
    assert_eq!(v["start"], original["start"]);
    assert!(
        gp_connect::cancel(read, None, "  ").is_err(),
        "a reason is required"
    );
}

#[test]
fn uec_booking_contains_patient_slot_and_document_reference() {
    let s = slot(
        "1db79eb3-72f8-4569-a8dc-af8759797e0f",
        "2026-12-02T15:00:00+00:00",
        "2026-12-02T15:15:00+00:00",
    );
    let doc = uuid::Uuid::new_v4();
    let a = uec_booking::booking(
        &s,
        &patient(Some("9434765919")),
        "111 referral: cut hand",
        None,
        doc,
        t("2026-12-01T09:00:00+00:00"),
    )
    .expect("built");
    let rid = uuid::Uuid::new_v4();
    let req = uec_booking::book(&a, rid).expect("request");
    assert_eq!(req.request_id, Some(rid));
    let v = body(&req);
    schema::assert_valid(&v);
    assert!(v.get("id").is_none());
    assert_eq!(v["language"], "en-GB");
    let contained = v["contained"].as_array().expect("contained");
    let find = |t: &str| contained.iter().find(|c| c["resourceType"] == t).expect(t);
    let (p, sl, dr) = (find("Patient"), find("Slot"), find("DocumentReference"));
    for c in contained {
        schema::assert_valid(c);
    }
    assert_eq!(
        v["participant"][0]["actor"]["reference"],
        format!("#{}", p["id"].as_str().expect("id"))
    );
    assert_eq!(
        v["slot"][0]["reference"],
        format!("#{}", sl["id"].as_str().expect("id"))
    );
    assert_eq!(
        v["supportingInformation"][0]["reference"],
        format!("#{}", dr["id"].as_str().expect("id"))
    );
    assert_eq!(
        p["identifier"][0]["system"],
        "https://fhir.nhs.uk/Id/nhs-number"
    );
    assert_eq!(p["identifier"][0]["value"], "9434765919");
    assert!(
        p["identifier"][0]["extension"][0]["url"]
            .as_str()
            .is_some_and(|u| u.contains("NHSNumberVerificationStatus"))
    );
    assert_eq!(p["name"][0]["use"], "official");
    assert_eq!(p["birthDate"], "1982-03-12");
    assert_eq!(p["address"][0]["postalCode"], "LS1 4AP");
    assert_eq!(p["telecom"][0]["rank"], 1);
    assert_eq!(sl["status"], "busy");
    // The contained Slot is the offered slot itself: its id is the slot's logical id, the one
    // reference points at it, and no identifier claims another value.
    assert_eq!(sl["id"], "1db79eb3-72f8-4569-a8dc-af8759797e0f");
    assert_eq!(
        v["slot"],
        serde_json::json!([{ "reference": "#1db79eb3-72f8-4569-a8dc-af8759797e0f" }])
    );
    assert_eq!(
        sl["meta"]["profile"],
        serde_json::json!(["https://fhir.hl7.org.uk/STU3/StructureDefinition/CareConnect-Slot-1"])
    );
    assert!(sl.get("identifier").is_none());
    assert_eq!(sl["start"], "2026-12-02T15:00:00+00:00");
    assert_eq!(sl["end"], "2026-12-02T15:15:00+00:00");
    assert_eq!(sl["schedule"]["reference"], "Schedule/14");
    assert_eq!(dr["status"], "current");
    assert_eq!(dr["identifier"][0]["value"], doc.to_string());
    assert_eq!(dr["type"]["coding"][0]["code"], "POCD_MT200001GB02");
    assert_eq!(
        dr["content"][0]["attachment"]["contentType"],
        "application/hl7-v3+xml"
    );
    assert!(dr["indexed"].is_string());

    // Without an NHS number no identifier is sent.
    let anon = uec_booking::booking(
        &s,
        &patient(None),
        "x",
        None,
        doc,
        t("2026-12-01T09:00:00+00:00"),
    )
    .expect("built");
    let v = serde_json::to_value(&anon).expect("json");
    schema::assert_valid(&v);
    let p = v["contained"]
        .as_array()
        .and_then(|c| c.iter().find(|r| r["resourceType"] == "Patient"))
        .expect("patient");
    assert!(p.get("identifier").is_none());
}

/// UEC providers refuse a booking without a rank 1 phone number (400), so the desk asks for
/// one before sending anything.
#[test]
fn uec_booking_needs_a_phone_number() {
    let s = slot(
        "1db79eb3-72f8-4569-a8dc-af8759797e0f",
        "2026-12-02T15:00:00+00:00",
        "2026-12-02T15:15:00+00:00",
    );
    for phone in [None, Some("  ".to_string())] {
        let mut p = patient(Some("9434765919"));
        p.phone = phone;
        let e = uec_booking::booking(
            &s,
            &p,
            "111 referral: cut hand",
            None,
            uuid::Uuid::new_v4(),
            t("2026-12-01T09:00:00+00:00"),
        )
        .expect_err("no phone");
        assert_eq!(e.kind, booking_engine::error::ErrorKind::InvalidInput);
        assert!(e.message.contains("phone"), "{}", e.message);
    }
}

#[test]
fn uec_cancel_changes_only_the_status() {
    let s = slot(
        "abc",
        "2026-12-02T15:00:00+00:00",
        "2026-12-02T15:15:00+00:00",
    );
    let mut a = uec_booking::booking(
        &s,
        &patient(Some("9434765919")),
        "x",
        None,
        uuid::Uuid::new_v4(),
        t("2026-12-01T09:00:00+00:00"),
    )
    .expect("built");
    a.id = Some("42".into());
    let before = serde_json::to_value(&a).expect("json");
    let req = uec_booking::cancel(a, "3", uuid::Uuid::new_v4()).expect("cancel");
    assert_eq!(req.if_match.as_deref(), Some("W/\"3\""));
    assert!(req.request_id.is_some());
    let v = body(&req);
    schema::assert_valid(&v);
    let mut expected = before;
    expected["status"] = "cancelled".into();
    assert_eq!(v, expected);
}
