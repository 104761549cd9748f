//! UEC Booking interactions over real loopback HTTP.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};

const UTC_409: &str = "calder-valley-utc";
const UTC_422: &str = "airedale-park-utc";
const ED: &str = "leeds-east-ed";

#[tokio::test]
async fn metadata_for_uec() {
    let (sim, desk, svc) = open(ED).await;
    let rid = request_id();
    let resp = send(
        desk.req(&svc, Method::GET, "/metadata", &ix::uec_metadata())
            .header("X-Request-ID", &rid),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-correlation-id"], rid.as_str());
    let cs = body(resp).await;
    assert_eq!(cs["resourceType"], "CapabilityStatement");
    assert_eq!(cs["fhirVersion"], "3.0.1");
    sim.shutdown().await;
}

#[tokio::test]
async fn slot_search_with_includes() {
    let (sim, desk) = open_sim().await;
    for id in [UTC_409, UTC_422, ED] {
        let svc = service(&sim, id);
        let resp = desk.uec_slots(&svc, 72).await;
        assert_eq!(resp.status(), 200, "{id}");
        let bundle = body(resp).await;
        let slots = resources(&bundle, "Slot");
        assert!(!slots.is_empty(), "{id}");
        for s in &slots {
            let sid = s["id"].as_str().expect("id");
            assert!(uuid::Uuid::parse_str(sid).is_ok());
            assert_eq!(s["identifier"][0]["system"], RFC4122);
            assert_eq!(s["identifier"][0]["value"], sid);
            assert!(s["serviceType"][0]["text"].is_string());
            // One service never states the delivery channel.
            assert_eq!(s.get("extension").is_some(), id != UTC_422, "{id}");
        }
        let schedules = resources(&bundle, "Schedule");
        assert!(!schedules.is_empty());
        let actors = strings(&schedules[0]["actor"], "reference");
        assert!(actors.iter().any(|a| a.starts_with("HealthcareService/")));
        assert!(actors.iter().any(|a| a.starts_with("Practitioner/")));
        assert!(actors.iter().any(|a| a.starts_with("PractitionerRole/")));
        assert!(!resources(&bundle, "Practitioner").is_empty());
        let roles = resources(&bundle, "PractitionerRole");
        assert!(roles[0]["code"][0]["coding"][0]["code"].is_string());
        let hs = resources(&bundle, "HealthcareService");
        assert_eq!(
            hs[0]["id"],
            svc.healthcare_service.clone().expect("hs").as_str()
        );
        assert!(hs[0]["providedBy"].is_object());
        assert_eq!(resources(&bundle, "Location").len(), 1);
    }

    let svc = service(&sim, UTC_409);
    let resp = desk.uec_slots(&svc, 15 * 24).await;
    expect_outcome(resp, 422, "INVALID_PARAMETER").await;
    let unknown = "/Slot?schedule.actor:healthcareservice=nope\
                   &start=ge2024-01-01&start=le2024-01-02&status=free";
    let resp = desk.get(&svc, unknown, &ix::uec_slots()).await;
    assert_eq!(resp.status(), 422);
    sim.shutdown().await;
}

#[tokio::test]
async fn book_read_cancel_and_idempotent_replay() {
    let (sim, desk, svc) = open(UTC_409).await;
    let booking = uec_booking(&desk.first_uec_slot(&svc).await, true);
    let rid = request_id();

    let resp = desk.uec_book(&svc, &booking, &rid).await;
    assert_eq!(resp.headers()["x-correlation-id"], rid.as_str());
    let (booked, id) = expect_created(resp, &svc).await;
    assert_eq!(booked["contained"].as_array().map(Vec::len), Some(3));
    let before = sim.appointments().len();

    // The same X-Request-ID again: the same appointment, no second booking.
    let resp = desk.uec_book(&svc, &booking, &rid).await;
    assert_eq!(resp.status(), 201);
    let replay = body(resp).await;
    assert_eq!(replay["id"], id.as_str());
    assert_eq!(sim.appointments().len(), before);

    let resp = desk
        .get(&svc, &format!("/Appointment/{id}"), &ix::uec_read())
        .await;
    let read = expect_version(resp, 200, 1).await;

    let cancel = mutated(&read, |a| a["status"] = json!("cancelled"));
    let put = |if_match: Option<u32>, appointment: &Value| {
        send(
            desk.update(&svc, &id, &ix::uec_cancel(), if_match, appointment)
                .header("X-Request-ID", request_id()),
        )
    };
    let resp = put(None, &cancel).await;
    expect_outcome(resp, 412, "PRECONDITION_FAILED").await;
    assert_eq!(put(Some(7), &cancel).await.status(), 409);

    let changed = mutated(&cancel, |a| a["description"] = json!("Something else"));
    assert_eq!(put(Some(1), &changed).await.status(), 422);

    let cancelled = expect_version(put(Some(1), &cancel).await, 200, 2).await;
    assert_eq!(cancelled["status"], "cancelled");

    let resp = put(Some(2), &cancel).await;
    assert_eq!(resp.status(), 422, "already cancelled");

    // The slot is free again.
    let resp = desk.uec_book(&svc, &booking, &request_id()).await;
    assert_eq!(resp.status(), 201);
    sim.shutdown().await;
}

#[tokio::test]
async fn taken_slot_is_409_or_422_depending_on_the_service() {
    let (sim, desk) = open_sim().await;
    for (id, status) in [(UTC_409, 409), (UTC_422, 422), (ED, 422)] {
        let svc = service(&sim, id);
        let booking = uec_booking(&desk.first_uec_slot(&svc).await, true);
        let first = desk.uec_book(&svc, &booking, &request_id()).await;
        assert_eq!(first.status(), 201, "{id}");
        let second = desk.uec_book(&svc, &booking, &request_id()).await;
        assert_eq!(second.status(), status, "{id}");
        if status == 409 {
            let outcome = expect_outcome(second, 409, "DUPLICATE_REJECTED").await;
            assert_eq!(outcome["issue"][0]["code"], "duplicate", "{id}");
            continue;
        }
        // The 422 as NHS Digital's UEC provider tests expect it (EB_BookAppointment.tstp).
        let outcome = body(second).await;
        let issue = &outcome["issue"][0];
        assert_eq!(issue["severity"], "error", "{id}");
        assert_eq!(issue["code"], "processing", "{id}");
        let coding = &issue["details"]["coding"][0];
        assert_eq!(coding["system"], "http://hl7.org/fhir/issue-type", "{id}");
        assert_eq!(coding["code"], "processing", "{id}");
        assert_eq!(coding["display"], "Processing Failure", "{id}");
        assert_eq!(diagnostics(&outcome), "Slot no longer available", "{id}");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn booking_without_nhs_number_gets_a_local_identifier() {
    let (sim, desk, svc) = open(ED).await;
    let booking = uec_booking(&desk.first_uec_slot(&svc).await, false);
    let resp = desk.uec_book(&svc, &booking, &request_id()).await;
    assert_eq!(resp.status(), 201);
    let booked = body(resp).await;
    let patient = booked["contained"]
        .as_array()
        .expect("contained")
        .iter()
        .find(|c| c["resourceType"] == "Patient")
        .cloned()
        .expect("patient");
    assert!(patient["identifier"][0]["value"].is_string());
    sim.shutdown().await;
}

#[tokio::test]
async fn uec_booking_rules_are_enforced() {
    let (sim, desk, svc) = open(UTC_422).await;
    let good = uec_booking(&desk.first_uec_slot(&svc).await, true);

    // X-Request-ID is required.
    let resp = send(desk.uec_book_req(&svc, &good)).await;
    expect_outcome(resp, 400, "MISSING_OR_INVALID_HEADER").await;

    let cases: Vec<Mutation> = vec![
        Box::new(|b| b["id"] = json!("x")),
        Box::new(|b| b["status"] = json!("proposed")),
        Box::new(|b| b["slot"] = json!([{ "reference": "#S9" }])),
        Box::new(|b| b["supportingInformation"] = json!([])),
        Box::new(|b| b["contained"][1]["status"] = json!("free")),
        Box::new(|b| b["contained"][2]["type"]["coding"][0]["code"] = json!("OTHER")),
        Box::new(|b| b["contained"][0]["identifier"][0]["value"] = json!("9434765918")),
        Box::new(|b| b["start"] = json!("2030-01-01T00:00:00+00:00")),
    ];
    for (i, change) in cases.into_iter().enumerate() {
        let resp = desk
            .uec_book(&svc, &mutated(&good, change), &request_id())
            .await;
        assert_eq!(resp.status(), 422, "case {i}");
    }
    let resp = desk.uec_book(&svc, &good, &request_id()).await;
    assert_eq!(resp.status(), 201);
    sim.shutdown().await;
}

/// The contained Slot names the slot being booked by its id (NHS-Booking-API appointment.md;
/// FHIR_111_UEC finds the slot by it): an id the provider does not know is 422
/// REFERENCE_NOT_FOUND, no id at all is 400, and an RFC 4122 identifier must hold a UUID.
#[tokio::test]
async fn the_contained_slot_is_found_by_its_id() {
    let (sim, desk, svc) = open(UTC_409).await;
    let good = uec_booking(&desk.first_uec_slot(&svc).await, true);

    let unknown = mutated(&good, |b| {
        b["contained"][1]["id"] = json!("S1");
        b["slot"] = json!([{ "reference": "#S1" }]);
    });
    let resp = desk.uec_book(&svc, &unknown, &request_id()).await;
    expect_outcome(resp, 422, "REFERENCE_NOT_FOUND").await;

    let no_id = mutated(&good, |b| {
        if let Some(slot) = b["contained"][1].as_object_mut() {
            slot.remove("id");
        }
    });
    let resp = desk.uec_book(&svc, &no_id, &request_id()).await;
    expect_outcome(resp, 400, "BAD_REQUEST").await;

    let not_uuid = mutated(&good, |b| {
        b["contained"][1]["identifier"] = json!([{ "system": RFC4122, "value": "slot-7" }]);
    });
    let resp = desk.uec_book(&svc, &not_uuid, &request_id()).await;
    expect_outcome(resp, 422, "INVALID_RESOURCE").await;

    let two_slots = mutated(&good, |b| {
        let one = b["slot"][0].clone();
        b["slot"] = json!([one.clone(), one]);
    });
    let resp = desk.uec_book(&svc, &two_slots, &request_id()).await;
    expect_outcome(resp, 422, "INVALID_RESOURCE").await;

    let resp = desk.uec_book(&svc, &good, &request_id()).await;
    assert_eq!(resp.status(), 201);
    sim.shutdown().await;
}

/// NHS Digital's UEC test tool rules on the contained Patient, DocumentReference and the
/// Appointment itself (FHIR_111_UEC consumer_simulator_validator.conf, C41–C71; the
/// EB_BookAppointment.tstp rank 1 phone cases answer 400).
#[tokio::test]
async fn test_tool_rules_on_patient_document_and_appointment() {
    let (sim, desk, svc) = open(ED).await;
    let good = uec_booking(&desk.first_uec_slot(&svc).await, true);
    let rank2 = json!([{ "system": "phone", "value": "07700 900123", "rank": 2 }]);
    let contact_rank1 =
        json!([{ "telecom": [{ "system": "phone", "value": "0113 496 0000", "rank": 1 }] }]);

    let refused: Vec<(&str, u16, &str, Mutation)> = vec![
        (
            "no rank 1 phone",
            400,
            "BAD_REQUEST",
            Box::new(move |b| b["contained"][0]["telecom"] = rank2.clone()),
        ),
        (
            "two rank 1 phones",
            400,
            "BAD_REQUEST",
            Box::new({
                let c = contact_rank1.clone();
                move |b| b["contained"][0]["contact"] = c.clone()
            }),
        ),
        (
            "phone not digits",
            422,
            "INVALID_RESOURCE",
            Box::new(|b| b["contained"][0]["telecom"][0]["value"] = json!("call me")),
        ),
        (
            "two identifiers",
            422,
            "INVALID_RESOURCE",
            Box::new(|b| {
                let id = b["contained"][0]["identifier"][0].clone();
                b["contained"][0]["identifier"] = json!([id.clone(), id]);
            }),
        ),
        (
            "verification not stated",
            422,
            "INVALID_RESOURCE",
            Box::new(|b| {
                b["contained"][0]["identifier"][0]["extension"][0]["valueCodeableConcept"]["coding"]
                    [0]["display"] = json!("Number present but not traced")
            }),
        ),
        (
            "two names",
            422,
            "INVALID_RESOURCE",
            Box::new(|b| {
                let n = b["contained"][0]["name"][0].clone();
                b["contained"][0]["name"] = json!([n.clone(), n]);
            }),
        ),
        (
            "no home address",
            422,
            "INVALID_RESOURCE",
            Box::new(|b| b["contained"][0]["address"][0]["use"] = json!("temp")),
        ),
        (
            "bad postcode",
            422,
            "INVALID_RESOURCE",
            Box::new(|b| b["contained"][0]["address"][0]["postalCode"] = json!("LEEDS")),
        ),
        (
            "bad email",
            422,
            "INVALID_RESOURCE",
            Box::new(|b| {
                if let Some(t) = b["contained"][0]["telecom"].as_array_mut() {
                    t.push(json!({ "system": "email", "value": "nobody" }));
                }
            }),
        ),
        (
            "document display",
            422,
            "INVALID_RESOURCE",
            Box::new(|b| b["contained"][2]["type"]["coding"][0]["display"] = json!("Report")),
        ),
        (
            "document language",
            422,
            "INVALID_RESOURCE",
            Box::new(|b| b["contained"][2]["content"][0]["attachment"]["language"] = json!("fr")),
        ),
        (
            "document id not a UUID",
            422,
            "INVALID_RESOURCE",
            Box::new(|b| b["contained"][2]["identifier"][0]["value"] = json!("doc-1")),
        ),
        (
            "language",
            422,
            "INVALID_RESOURCE",
            Box::new(|b| b["language"] = json!("en")),
        ),
        (
            "no created",
            422,
            "INVALID_RESOURCE",
            Box::new(|b| {
                if let Some(a) = b.as_object_mut() {
                    a.remove("created");
                }
            }),
        ),
        (
            "two participants",
            422,
            "INVALID_RESOURCE",
            Box::new(|b| {
                let p = b["participant"][0].clone();
                b["participant"] = json!([p.clone(), p]);
            }),
        ),
        (
            "two supportingInformation",
            422,
            "INVALID_RESOURCE",
            Box::new(|b| {
                let r = b["supportingInformation"][0].clone();
                b["supportingInformation"] = json!([r.clone(), r]);
            }),
        ),
        (
            "end after the slot",
            422,
            "INVALID_RESOURCE",
            Box::new(|b| b["end"] = json!("2099-01-01T00:00:00+00:00")),
        ),
    ];
    let before = sim.appointments().len();
    for (name, status, code, change) in refused {
        let resp = desk
            .uec_book(&svc, &mutated(&good, change), &request_id())
            .await;
        assert_eq!(resp.status(), status, "{name}");
        expect_outcome(resp, status, code).await;
        assert_eq!(sim.appointments().len(), before, "{name}: nothing booked");
    }

    // Accepted: the phone on a contact instead of the patient, no language, an appointment
    // shorter than its slot (as the published example books one).
    let accepted: Vec<Mutation> = vec![
        Box::new(move |b| {
            b["contained"][0]["telecom"] = json!([]);
            b["contained"][0]["contact"] = contact_rank1.clone();
        }),
        Box::new(|b| {
            if let Some(a) = b.as_object_mut() {
                a.remove("language");
            }
        }),
    ];
    for change in accepted {
        let slot = desk.first_uec_slot(&svc).await;
        let booking = mutated(&uec_booking(&slot, true), change);
        let resp = desk.uec_book(&svc, &booking, &request_id()).await;
        assert_eq!(resp.status(), 201);
    }
    sim.shutdown().await;
}

/// The NHS Booking API's own booking example is accepted. Only what must match a simulated
/// slot is changed: the contained Slot's id, schedule, start and end, the `#` reference to it,
/// and the appointment's start and end (kept 10 minutes long inside the slot, as in the example).
#[tokio::test]
async fn the_published_booking_example_is_accepted() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/uec/appointment_book_example.json"
    );
    let example: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("example")).expect("json");
    let (sim, desk, svc) = open(UTC_422).await;
    let slot = desk.first_uec_slot(&svc).await;
    let start = chrono::DateTime::parse_from_rfc3339(slot["start"].as_str().expect("start"))
        .expect("start");
    let slot_end =
        chrono::DateTime::parse_from_rfc3339(slot["end"].as_str().expect("end")).expect("end");
    let end = (start + chrono::Duration::minutes(10)).min(slot_end);
    let booking = mutated(&example, |b| {
        let contained = b["contained"].as_array_mut().expect("contained");
        let s = contained
            .iter_mut()
            .find(|c| c["resourceType"] == "Slot")
            .expect("slot");
        s["id"] = slot["id"].clone();
        s["schedule"] = slot["schedule"].clone();
        s["start"] = slot["start"].clone();
        s["end"] = slot["end"].clone();
        b["slot"] = json!([{ "reference": format!("#{}", slot["id"].as_str().unwrap_or("")) }]);
        b["start"] = slot["start"].clone();
        b["end"] = json!(end.to_rfc3339());
    });
    let resp = desk.uec_book(&svc, &booking, &request_id()).await;
    let (booked, _) = expect_created(resp, &svc).await;
    assert_eq!(booked["contained"].as_array().map(Vec::len), Some(3));
    assert_eq!(booked["description"], "Reason for calling");
    sim.shutdown().await;
}
