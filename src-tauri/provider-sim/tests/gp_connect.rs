//! GP Connect interactions over real loopback HTTP.

mod common;

use common::*;
use serde_json::{Value, json};

const PRACTICE: &str = "beckside-medical-practice";
const JANE: &str = "9434765919";

/// `appointment` cancelled, with the reason GP Connect requires for it.
fn cancellation(appointment: &Value, reason: &str) -> Value {
    mutated(appointment, |a| {
        a["status"] = json!("cancelled");
        a["extension"].as_array_mut().expect("extensions").push(json!({
            "url": "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-AppointmentCancellationReason-1",
            "valueString": reason
        }));
    })
}

#[tokio::test]
async fn metadata_is_a_capability_statement() {
    let (sim, desk, svc) = open(PRACTICE).await;
    let resp = desk.get(&svc, "/metadata", &ix::gp_metadata()).await;
    assert_eq!(resp.status(), 200);
    assert_fhir_json(&resp);
    let cs = body(resp).await;
    assert_eq!(cs["resourceType"], "CapabilityStatement");
    assert_eq!(cs["fhirVersion"], "3.0.1");
    let types = strings(&cs["rest"][0]["resource"], "type");
    for t in ["Patient", "Slot", "Appointment", "Location"] {
        assert!(types.contains(&t), "{t}");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn find_patient_found_empty_and_invalid() {
    let (sim, desk, svc) = open(PRACTICE).await;
    let resp = desk
        .search_patients(&svc, &format!("{NHS_NUMBER}|{JANE}"))
        .await;
    let found = body(resp).await;
    let patients = resources(&found, "Patient");
    assert_eq!(patients.len(), 1);
    let p = &patients[0];
    assert_eq!(p["identifier"][0]["value"], JANE);
    assert_eq!(p["name"][0]["family"], "JACKSON");
    assert_eq!(p["name"][0]["given"][0], "Jane");
    assert_eq!(p["gender"], "female");
    assert_eq!(p["birthDate"], "1982-03-12");
    assert_eq!(p["address"][0]["postalCode"], "LS1 4AP");
    assert!(p["telecom"].is_array());

    // A valid number nobody here knows: an empty bundle, not an error.
    let resp = desk
        .search_patients(&svc, &format!("{NHS_NUMBER}|9434765870"))
        .await;
    assert_eq!(resp.status(), 200);
    let empty = body(resp).await;
    assert_eq!(empty["type"], "searchset");
    assert!(resources(&empty, "Patient").is_empty());

    for (identifier, code) in [
        (format!("{NHS_NUMBER}|9434765918"), "INVALID_NHS_NUMBER"),
        (
            "https://example.org/other|9434765919".to_string(),
            "INVALID_IDENTIFIER_SYSTEM",
        ),
    ] {
        let resp = desk.search_patients(&svc, &identifier).await;
        expect_outcome(resp, 400, code).await;
    }
    let resp = desk.get(&svc, "/Patient", &ix::gp_find_patient()).await;
    expect_outcome(resp, 400, "BAD_REQUEST").await;
    sim.shutdown().await;
}

#[tokio::test]
async fn every_demo_patient_is_known_at_every_gp_connect_service() {
    let (sim, desk) = open_sim().await;
    for svc in sim.services().iter().filter(|s| s.standard == "gp-connect") {
        for p in provider_sim::demo_patients() {
            let id = desk.find_patient_id(svc, &p.nhs_number).await;
            assert!(!id.is_empty());
        }
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn slot_search_returns_slots_and_includes() {
    let (sim, desk, svc) = open(PRACTICE).await;
    let resp = desk.gp_slots(&svc, 14).await;
    assert_eq!(resp.status(), 200);
    let bundle = body(resp).await;
    let slots = resources(&bundle, "Slot");
    assert!(!slots.is_empty());
    let starts: Vec<&str> = slots.iter().filter_map(|s| s["start"].as_str()).collect();
    let mut sorted = starts.clone();
    sorted.sort_by_key(|s| chrono::DateTime::parse_from_rfc3339(s).expect("instant"));
    assert_eq!(starts, sorted, "soonest first");
    for s in &slots {
        assert_eq!(s["status"], "free");
        assert!(
            s["id"]
                .as_str()
                .expect("id")
                .chars()
                .all(|c| c.is_ascii_digit())
        );
        assert!(s["serviceType"][0]["text"].is_string());
        assert_eq!(
            s["extension"][0]["url"],
            "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-DeliveryChannel-2"
        );
    }
    let schedules = resources(&bundle, "Schedule");
    assert!(!schedules.is_empty());
    assert_eq!(
        schedules[0]["extension"][0]["valueCodeableConcept"]["coding"][0]["system"],
        "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-SDSJobRoleName-1"
    );
    assert!(schedules[0]["serviceCategory"]["text"].is_string());
    assert!(!resources(&bundle, "Practitioner").is_empty());
    let locations = resources(&bundle, "Location");
    assert_eq!(locations.len(), 1);
    assert!(locations[0]["telecom"].is_array());
    let orgs = resources(&bundle, "Organization");
    assert_eq!(orgs[0]["identifier"][0]["value"], "B86001");

    expect_outcome(desk.gp_slots(&svc, 15).await, 422, "INVALID_PARAMETER").await;
    let resp = desk.get(&svc, "/Slot?status=free", &ix::gp_slots()).await;
    assert_eq!(resp.status(), 422);
    sim.shutdown().await;
}

#[tokio::test]
async fn book_read_amend_cancel() {
    let (sim, desk, svc) = open(PRACTICE).await;
    let target = desk.gp_target(&svc, JANE).await;
    let GpTarget {
        patient,
        slot,
        location,
    } = &target;

    let (booked, id) = expect_created(desk.gp_book(&svc, &target.booking()).await, &svc).await;
    let urls = strings(&booked["extension"], "url");
    assert!(urls.iter().any(|u| u.ends_with("DeliveryChannel-2")));
    assert!(urls.iter().any(|u| u.ends_with("PractitionerRole-1")));
    assert!(booked["serviceCategory"]["text"].is_string());
    assert_eq!(
        booked["serviceType"][0]["text"],
        slot["serviceType"][0]["text"]
    );
    let participants = booked["participant"].as_array().expect("participants");
    assert!(participants.iter().any(|p| {
        p["actor"]["reference"]
            .as_str()
            .is_some_and(|r| r.starts_with("Practitioner/"))
            && p["actor"]["display"].is_string()
    }));
    assert!(participants.iter().any(
        |p| p["actor"]["reference"] == format!("Location/{location}")
            && p["actor"]["display"].is_string()
    ));

    // The slot is gone from search.
    assert!(!desk.gp_offers(&svc, slot).await);

    let resp = desk
        .get(&svc, &format!("/Appointment/{id}"), &ix::gp_read())
        .await;
    let read = expect_version(resp, 200, 1).await;
    assert_eq!(read, booked);

    let put = |ix: Ix, if_match: Option<u32>, appointment: &Value| {
        send(desk.update(&svc, &id, &ix, if_match, appointment))
    };
    let amended = mutated(&read, |a| {
        a["description"] = json!("Cough for three weeks, now wheezy");
        a["comment"] = json!("Patient prefers a morning call");
    });
    let amended = expect_version(put(ix::gp_amend(), Some(1), &amended).await, 200, 2).await;
    assert_eq!(amended["meta"]["versionId"], "2");
    assert_eq!(amended["description"], "Cough for three weeks, now wheezy");

    // A stale version is refused.
    let stale = mutated(&amended, |a| a["description"] = json!("Another change"));
    let resp = put(ix::gp_amend(), Some(1), &stale).await;
    let outcome = expect_outcome(resp, 409, "CONFLICT").await;
    assert!(diagnostics(&outcome).contains("version conflict"));

    // Only description and comment may change.
    let moved = mutated(&amended, |a| {
        a["start"] = json!("2099-01-01T09:00:00+00:00")
    });
    let resp = put(ix::gp_amend(), None, &moved).await;
    expect_outcome(resp, 422, "INVALID_RESOURCE").await;

    // Cancelling needs a reason.
    let no_reason = mutated(&amended, |a| a["status"] = json!("cancelled"));
    let resp = put(ix::gp_cancel(), Some(2), &no_reason).await;
    expect_outcome(resp, 422, "INVALID_PARAMETER").await;

    let cancel = cancellation(&amended, "Patient feels better");
    let cancelled = expect_version(put(ix::gp_cancel(), Some(2), &cancel).await, 200, 3).await;
    assert_eq!(cancelled["status"], "cancelled");

    // The slot is free again, and a cancelled appointment cannot be amended.
    assert!(desk.gp_offers(&svc, slot).await);
    let late = mutated(&cancelled, |a| a["description"] = json!("Too late"));
    assert_eq!(put(ix::gp_amend(), None, &late).await.status(), 422);

    // The patient's appointments include it (cancelled ones too) and its Location.
    let today = uk_today();
    let path = format!(
        "/Patient/{patient}/Appointment?start={}&start={}",
        enc(&format!("ge{}", today - chrono::Duration::days(2))),
        enc(&format!("le{}", today + chrono::Duration::days(30)))
    );
    let patient_appointments = ix::gp_patient_appointments();
    let resp = desk.get(&svc, &path, &patient_appointments).await;
    assert_eq!(resp.status(), 200);
    let list = body(resp).await;
    let appts = resources(&list, "Appointment");
    assert!(
        appts
            .iter()
            .any(|a| a["id"] == id.as_str() && a["status"] == "cancelled")
    );
    assert!(
        appts.iter().any(|a| a["id"] == "1000"),
        "the seeded past booking"
    );
    assert_eq!(resources(&list, "Location").len(), 1);

    let unknown = "/Patient/999999/Appointment?start=ge2024-01-01&start=le2024-01-02";
    let resp = desk.get(&svc, unknown, &patient_appointments).await;
    expect_outcome(resp, 404, "PATIENT_NOT_FOUND").await;
    let unbounded = format!("/Patient/{patient}/Appointment");
    let resp = desk.get(&svc, &unbounded, &patient_appointments).await;
    assert_eq!(resp.status(), 422);
    sim.shutdown().await;
}

#[tokio::test]
async fn past_appointments_cannot_be_amended_or_cancelled() {
    let (sim, desk, svc) = open(PRACTICE).await;
    let resp = desk.get(&svc, "/Appointment/1000", &ix::gp_read()).await;
    assert_eq!(resp.status(), 200);
    let past = body(resp).await;
    let amend = mutated(&past, |a| a["description"] = json!("Changed"));
    let resp = send(desk.update(&svc, "1000", &ix::gp_amend(), None, &amend)).await;
    expect_outcome(resp, 422, "INVALID_RESOURCE").await;

    let cancel = cancellation(&past, "No longer needed");
    let resp = send(desk.update(&svc, "1000", &ix::gp_cancel(), None, &cancel)).await;
    assert_eq!(resp.status(), 422);

    let resp = desk.get(&svc, "/Appointment/424242", &ix::gp_read()).await;
    expect_outcome(resp, 404, "NO_RECORD_FOUND").await;
    sim.shutdown().await;
}

#[tokio::test]
async fn booking_rules_are_enforced() {
    let (sim, desk, svc) = open(PRACTICE).await;
    let good = desk.gp_target(&svc, JANE).await.booking();

    let breaks_the_profile: Vec<Mutation> = vec![
        Box::new(|b| b["reason"] = json!([{ "text": "x" }])),
        Box::new(|b| b["description"] = json!("x".repeat(101))),
        Box::new(|b| b["id"] = json!("5")),
        Box::new(|b| b["end"] = b["start"].clone()),
        Box::new(|b| b["extension"] = json!([])),
    ];
    for change in breaks_the_profile {
        let resp = desk.gp_book(&svc, &mutated(&good, change)).await;
        expect_outcome(resp, 422, "INVALID_RESOURCE").await;
    }
    let no_such_slot = mutated(&good, |b| b["slot"] = json!([{ "reference": "Slot/1" }]));
    let resp = desk.gp_book(&svc, &no_such_slot).await;
    expect_outcome(resp, 422, "REFERENCE_NOT_FOUND").await;
    let no_such_patient = mutated(&good, |b| {
        b["participant"][0]["actor"]["reference"] = json!("Patient/99999")
    });
    let resp = desk.gp_book(&svc, &no_such_patient).await;
    expect_outcome(resp, 404, "PATIENT_NOT_FOUND").await;

    assert_eq!(desk.gp_book(&svc, &good).await.status(), 201);
    let resp = desk.gp_book(&svc, &good).await;
    expect_outcome(resp, 409, "DUPLICATE_REJECTED").await;
    sim.shutdown().await;
}

#[tokio::test]
async fn concurrent_bookings_of_one_slot_yield_exactly_one() {
    let (sim, desk, svc) = open("chapel-lane-surgery").await;
    let booking = desk.gp_target(&svc, JANE).await.booking();

    let attempts = (0..10).map(|_| desk.gp_book(&svc, &booking));
    let statuses: Vec<u16> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        9,
        "{statuses:?}"
    );
    sim.shutdown().await;
}

/// The booking organisation: CareConnect-GPC-Organization-1 with name and telecom, referenced
/// as a contained resource, its type (when sent) coded as a GP Connect organisation type
/// (gpconnect appointments_use_case_book_an_appointment.md; gpconnect-provider-testing
/// AppointmentBook.feature answers 422 INVALID_RESOURCE).
#[tokio::test]
async fn booking_organisation_rules_are_enforced() {
    let (sim, desk, svc) = open(PRACTICE).await;
    let good = desk.gp_target(&svc, JANE).await.booking();
    let refused: Vec<(&str, Mutation)> = vec![
        (
            "no telecom",
            Box::new(|b| {
                if let Some(org) = b["contained"][0].as_object_mut() {
                    org.remove("telecom");
                }
            }),
        ),
        (
            "empty telecom",
            Box::new(|b| b["contained"][0]["telecom"] = json!([])),
        ),
        (
            "no name",
            Box::new(|b| {
                if let Some(org) = b["contained"][0].as_object_mut() {
                    org.remove("name");
                }
            }),
        ),
        (
            "no profile",
            Box::new(|b| b["contained"][0]["meta"] = json!({})),
        ),
        (
            "type from another code system",
            Box::new(|b| {
                b["contained"][0]["type"][0]["coding"][0]["system"] =
                    json!("http://hl7.org/fhir/organization-type");
            }),
        ),
        (
            "absolute reference",
            Box::new(|b| {
                b["extension"][0]["valueReference"]["reference"] = json!("Organization/1");
            }),
        ),
    ];
    for (name, change) in refused {
        let resp = desk.gp_book(&svc, &mutated(&good, change)).await;
        assert_eq!(resp.status(), 422, "{name}");
        expect_outcome(resp, 422, "INVALID_RESOURCE").await;
    }
    // No organisation type searched, none booked: accepted.
    let untyped = mutated(&good, |b| {
        if let Some(org) = b["contained"][0].as_object_mut() {
            org.remove("type");
        }
    });
    assert_eq!(desk.gp_book(&svc, &untyped).await.status(), 201);
    sim.shutdown().await;
}

/// GP Connect's own booking example is accepted. Only what must match the simulated practice
/// is changed: the slot reference, start and end, and the Patient and Location ids.
#[tokio::test]
async fn the_published_booking_example_is_accepted() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/gpconnect/book_appt_request_example.json"
    );
    let example: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("example")).expect("json");
    let (sim, desk, svc) = open(PRACTICE).await;
    let target = desk.gp_target(&svc, JANE).await;
    let booking = mutated(&example, |b| {
        b["slot"] =
            json!([{ "reference": format!("Slot/{}", target.slot["id"].as_str().unwrap_or("")) }]);
        b["start"] = target.slot["start"].clone();
        b["end"] = target.slot["end"].clone();
        b["participant"][0]["actor"]["reference"] = json!(format!("Patient/{}", target.patient));
        b["participant"][1]["actor"]["reference"] = json!(format!("Location/{}", target.location));
    });
    let resp = desk.gp_book(&svc, &booking).await;
    let (booked, _) = expect_created(resp, &svc).await;
    assert_eq!(booked["description"], "Free text description.");
    assert_eq!(
        booked["contained"][0]["telecom"][0]["value"],
        "0300 303 5678"
    );
    sim.shutdown().await;
}
