//! GP Connect interactions over real loopback HTTP.

mod common;

use common::*;
use provider_sim::{SimOptions, start};
use reqwest::Method;
use serde_json::{Value, json};

const PRACTICE: &str = "beckside-medical-practice";
const JANE: &str = "9434765919";

#[tokio::test]
async fn metadata_is_a_capability_statement() {
    let sim = start(SimOptions::default()).await.expect("start");
    let desk = Desk::new();
    let svc = service(&sim, PRACTICE);
    let resp = desk
        .req(&svc, Method::GET, "/metadata", &ix::gp_metadata())
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"],
        "application/fhir+json;charset=utf-8"
    );
    let cs = body(resp).await;
    assert_eq!(cs["resourceType"], "CapabilityStatement");
    assert_eq!(cs["fhirVersion"], "3.0.1");
    let types: Vec<&str> = cs["rest"][0]["resource"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|r| r["type"].as_str())
        .collect();
    for t in ["Patient", "Slot", "Appointment", "Location"] {
        assert!(types.contains(&t), "{t}");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn find_patient_found_empty_and_invalid() {
    let sim = start(SimOptions::default()).await.expect("start");
    let desk = Desk::new();
    let svc = service(&sim, PRACTICE);
    let search = |value: &str| {
        let path = format!("/Patient?identifier={}", enc(value));
        desk.req(&svc, Method::GET, &path, &ix::gp_find_patient())
            .send()
    };

    let found = body(
        search(&format!("https://fhir.nhs.uk/Id/nhs-number|{JANE}"))
            .await
            .expect("send"),
    )
    .await;
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
    let resp = search("https://fhir.nhs.uk/Id/nhs-number|9434765870")
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    let empty = body(resp).await;
    assert_eq!(empty["type"], "searchset");
    assert!(resources(&empty, "Patient").is_empty());

    let resp = search("https://fhir.nhs.uk/Id/nhs-number|9434765918")
        .await
        .expect("send");
    assert_eq!(resp.status(), 400);
    assert_eq!(spine_code(&body(resp).await), "INVALID_NHS_NUMBER");

    let resp = search("https://example.org/other|9434765919")
        .await
        .expect("send");
    assert_eq!(resp.status(), 400);
    assert_eq!(spine_code(&body(resp).await), "INVALID_IDENTIFIER_SYSTEM");

    let resp = desk
        .req(&svc, Method::GET, "/Patient", &ix::gp_find_patient())
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 400);
    assert_eq!(spine_code(&body(resp).await), "BAD_REQUEST");
    sim.shutdown().await;
}

#[tokio::test]
async fn every_demo_patient_is_known_at_every_gp_connect_service() {
    let sim = start(SimOptions::default()).await.expect("start");
    let desk = Desk::new();
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
    let sim = start(SimOptions::default()).await.expect("start");
    let desk = Desk::new();
    let svc = service(&sim, PRACTICE);
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

    let resp = desk.gp_slots(&svc, 15).await;
    assert_eq!(resp.status(), 422);
    assert_eq!(spine_code(&body(resp).await), "INVALID_PARAMETER");

    let resp = desk
        .req(&svc, Method::GET, "/Slot?status=free", &ix::gp_slots())
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 422);
    sim.shutdown().await;
}

#[tokio::test]
async fn book_read_amend_cancel() {
    let sim = start(SimOptions::default()).await.expect("start");
    let desk = Desk::new();
    let svc = service(&sim, PRACTICE);
    let patient = desk.find_patient_id(&svc, JANE).await;
    let bundle = body(desk.gp_slots(&svc, 14).await).await;
    let slot = bookable(&bundle);
    let location = resources(&bundle, "Location")[0]["id"]
        .as_str()
        .expect("location id")
        .to_string();

    let resp = desk
        .gp_book(&svc, &gp_booking(&slot, &patient, &location))
        .await;
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["etag"], "W/\"1\"");
    let location_header = resp.headers()["location"]
        .to_str()
        .expect("text")
        .to_string();
    let booked = body(resp).await;
    let id = booked["id"].as_str().expect("id").to_string();
    assert_eq!(
        location_header,
        format!("{}/Appointment/{id}/_history/1", svc.base_url)
    );
    assert_eq!(booked["meta"]["versionId"], "1");
    let urls: Vec<&str> = booked["extension"]
        .as_array()
        .expect("extensions")
        .iter()
        .filter_map(|e| e["url"].as_str())
        .collect();
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
    let again = body(desk.gp_slots(&svc, 14).await).await;
    assert!(
        !resources(&again, "Slot")
            .iter()
            .any(|s| s["id"] == slot["id"])
    );

    let resp = desk
        .req(
            &svc,
            Method::GET,
            &format!("/Appointment/{id}"),
            &ix::gp_read(),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "W/\"1\"");
    let read = body(resp).await;
    assert_eq!(read, booked);

    let mut amended = read.clone();
    amended["description"] = json!("Cough for three weeks, now wheezy");
    amended["comment"] = json!("Patient prefers a morning call");
    let resp = with_body(
        desk.req(
            &svc,
            Method::PUT,
            &format!("/Appointment/{id}"),
            &ix::gp_amend(),
        )
        .header("If-Match", "W/\"1\""),
        &amended,
    )
    .send()
    .await
    .expect("send");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "W/\"2\"");
    let amended = body(resp).await;
    assert_eq!(amended["meta"]["versionId"], "2");
    assert_eq!(amended["description"], "Cough for three weeks, now wheezy");

    // A stale version is refused.
    let mut stale = amended.clone();
    stale["description"] = json!("Another change");
    let resp = with_body(
        desk.req(
            &svc,
            Method::PUT,
            &format!("/Appointment/{id}"),
            &ix::gp_amend(),
        )
        .header("If-Match", "W/\"1\""),
        &stale,
    )
    .send()
    .await
    .expect("send");
    assert_eq!(resp.status(), 409);
    let outcome = body(resp).await;
    assert_eq!(spine_code(&outcome), "CONFLICT");
    assert!(
        outcome["issue"][0]["diagnostics"]
            .as_str()
            .is_some_and(|d| d.contains("version conflict"))
    );

    // Only description and comment may change.
    let mut moved = amended.clone();
    moved["start"] = json!("2099-01-01T09:00:00+00:00");
    let resp = with_body(
        desk.req(
            &svc,
            Method::PUT,
            &format!("/Appointment/{id}"),
            &ix::gp_amend(),
        ),
        &moved,
    )
    .send()
    .await
    .expect("send");
    assert_eq!(resp.status(), 422);
    assert_eq!(spine_code(&body(resp).await), "INVALID_RESOURCE");

    // Cancelling needs a reason.
    let mut no_reason = amended.clone();
    no_reason["status"] = json!("cancelled");
    let resp = with_body(
        desk.req(
            &svc,
            Method::PUT,
            &format!("/Appointment/{id}"),
            &ix::gp_cancel(),
        )
        .header("If-Match", "W/\"2\""),
        &no_reason,
    )
    .send()
    .await
    .expect("send");
    assert_eq!(resp.status(), 422);
    assert_eq!(spine_code(&body(resp).await), "INVALID_PARAMETER");

    let mut cancel = amended.clone();
    cancel["status"] = json!("cancelled");
    cancel["extension"]
        .as_array_mut()
        .expect("extensions")
        .push(json!({
            "url": "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-AppointmentCancellationReason-1",
            "valueString": "Patient feels better"
        }));
    let resp = with_body(
        desk.req(
            &svc,
            Method::PUT,
            &format!("/Appointment/{id}"),
            &ix::gp_cancel(),
        )
        .header("If-Match", "W/\"2\""),
        &cancel,
    )
    .send()
    .await
    .expect("send");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "W/\"3\"");
    let cancelled = body(resp).await;
    assert_eq!(cancelled["status"], "cancelled");

    // The slot is free again, and a cancelled appointment cannot be amended.
    let again = body(desk.gp_slots(&svc, 14).await).await;
    assert!(
        resources(&again, "Slot")
            .iter()
            .any(|s| s["id"] == slot["id"])
    );
    let mut late = cancelled.clone();
    late["description"] = json!("Too late");
    let resp = with_body(
        desk.req(
            &svc,
            Method::PUT,
            &format!("/Appointment/{id}"),
            &ix::gp_amend(),
        ),
        &late,
    )
    .send()
    .await
    .expect("send");
    assert_eq!(resp.status(), 422);

    // The patient's appointments include it (cancelled ones too) and its Location.
    let today = chrono::Utc::now().date_naive();
    let path = format!(
        "/Patient/{patient}/Appointment?start={}&start={}",
        enc(&format!("ge{}", today - chrono::Duration::days(2))),
        enc(&format!("le{}", today + chrono::Duration::days(30)))
    );
    let resp = desk
        .req(&svc, Method::GET, &path, &ix::gp_patient_appointments())
        .send()
        .await
        .expect("send");
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

    let resp = desk
        .req(
            &svc,
            Method::GET,
            "/Patient/999999/Appointment?start=ge2024-01-01&start=le2024-01-02",
            &ix::gp_patient_appointments(),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 404);
    assert_eq!(spine_code(&body(resp).await), "PATIENT_NOT_FOUND");
    let resp = desk
        .req(
            &svc,
            Method::GET,
            &format!("/Patient/{patient}/Appointment"),
            &ix::gp_patient_appointments(),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 422);
    sim.shutdown().await;
}

#[tokio::test]
async fn past_appointments_cannot_be_amended_or_cancelled() {
    let sim = start(SimOptions::default()).await.expect("start");
    let desk = Desk::new();
    let svc = service(&sim, PRACTICE);
    let resp = desk
        .req(&svc, Method::GET, "/Appointment/1000", &ix::gp_read())
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    let past = body(resp).await;
    let mut amend = past.clone();
    amend["description"] = json!("Changed");
    let resp = with_body(
        desk.req(&svc, Method::PUT, "/Appointment/1000", &ix::gp_amend()),
        &amend,
    )
    .send()
    .await
    .expect("send");
    assert_eq!(resp.status(), 422);
    assert_eq!(spine_code(&body(resp).await), "INVALID_RESOURCE");

    let mut cancel = past.clone();
    cancel["status"] = json!("cancelled");
    cancel["extension"].as_array_mut().expect("ext").push(json!({
        "url": "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-AppointmentCancellationReason-1",
        "valueString": "No longer needed"
    }));
    let resp = with_body(
        desk.req(&svc, Method::PUT, "/Appointment/1000", &ix::gp_cancel()),
        &cancel,
    )
    .send()
    .await
    .expect("send");
    assert_eq!(resp.status(), 422);

    let resp = desk
        .req(&svc, Method::GET, "/Appointment/424242", &ix::gp_read())
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 404);
    assert_eq!(spine_code(&body(resp).await), "NO_RECORD_FOUND");
    sim.shutdown().await;
}

#[tokio::test]
async fn booking_rules_are_enforced() {
    let sim = start(SimOptions::default()).await.expect("start");
    let desk = Desk::new();
    let svc = service(&sim, PRACTICE);
    let patient = desk.find_patient_id(&svc, JANE).await;
    let bundle = body(desk.gp_slots(&svc, 14).await).await;
    let slot = bookable(&bundle);
    let location = resources(&bundle, "Location")[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let good = gp_booking(&slot, &patient, &location);

    let expect = |status: u16, code: &'static str, mutate: Box<dyn Fn(&mut Value)>| {
        let mut b = good.clone();
        mutate(&mut b);
        let desk = &desk;
        let svc = &svc;
        async move {
            let resp = desk.gp_book(svc, &b).await;
            assert_eq!(resp.status(), status, "{code}");
            assert_eq!(spine_code(&body(resp).await), code);
        }
    };
    expect(
        422,
        "INVALID_RESOURCE",
        Box::new(|b| b["reason"] = json!([{ "text": "x" }])),
    )
    .await;
    expect(
        422,
        "INVALID_RESOURCE",
        Box::new(|b| b["description"] = json!("x".repeat(101))),
    )
    .await;
    expect(422, "INVALID_RESOURCE", Box::new(|b| b["id"] = json!("5"))).await;
    expect(
        422,
        "INVALID_RESOURCE",
        Box::new(|b| b["end"] = b["start"].clone()),
    )
    .await;
    expect(
        422,
        "INVALID_RESOURCE",
        Box::new(|b| b["extension"] = json!([])),
    )
    .await;
    expect(
        422,
        "REFERENCE_NOT_FOUND",
        Box::new(|b| b["slot"] = json!([{ "reference": "Slot/1" }])),
    )
    .await;
    expect(
        404,
        "PATIENT_NOT_FOUND",
        Box::new(|b| b["participant"][0]["actor"]["reference"] = json!("Patient/99999")),
    )
    .await;

    let resp = desk.gp_book(&svc, &good).await;
    assert_eq!(resp.status(), 201);
    let resp = desk.gp_book(&svc, &good).await;
    assert_eq!(resp.status(), 409);
    assert_eq!(spine_code(&body(resp).await), "DUPLICATE_REJECTED");
    sim.shutdown().await;
}

#[tokio::test]
async fn concurrent_bookings_of_one_slot_yield_exactly_one() {
    let sim = start(SimOptions::default()).await.expect("start");
    let desk = Desk::new();
    let svc = service(&sim, "chapel-lane-surgery");
    let patient = desk.find_patient_id(&svc, JANE).await;
    let bundle = body(desk.gp_slots(&svc, 14).await).await;
    let slot = bookable(&bundle);
    let location = resources(&bundle, "Location")[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let booking = gp_booking(&slot, &patient, &location);

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
