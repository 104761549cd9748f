//! What the STU3 types write is valid against HL7's STU3 JSON Schema, even
//! when what they read was not.

#[path = "support/fixtures.rs"]
mod fixtures;
#[path = "support/schema.rs"]
mod schema;

use booking_engine::fhir::stu3::{
    Address, Appointment, AppointmentParticipant, Attachment, CodeableConcept, Coding,
    ContactPoint, DocumentReference, DocumentReferenceContent, Extension, HumanName, Identifier,
    Meta, Organization, Patient, PatientContact, Period, Reference, Resource, Slot, urls,
};
use serde_json::{Value, json};

fn rewritten(name: &str) -> Value {
    let parsed: Resource = serde_json::from_str(&fixtures::gpconnect_text(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::to_value(&parsed).expect("serialises")
}

#[test]
fn every_fixture_rewritten_by_our_types_is_valid_stu3() {
    let names = fixtures::gpconnect_names();
    assert!(
        names.len() >= 19,
        "expected the full fixture set, found {}",
        names.len()
    );
    let mut failures = Vec::new();
    for name in &names {
        let errors = schema::errors(&rewritten(name));
        if !errors.is_empty() {
            failures.push(format!("{name}:\n  {}", errors.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "invalid after rewrite:\n{}",
        failures.join("\n")
    );
}

#[test]
fn quirky_fixtures_are_invalid_as_published_and_valid_once_rewritten() {
    // The slot search example's Location sends telecom as an object: the
    // schema rejects it, and our writer turns it into an array.
    let raw = fixtures::gpconnect_json("search_for_free_slots_response_example.json");
    let raw_location = &raw["entry"][4]["resource"];
    assert_eq!(raw_location["resourceType"], "Location");
    let errors = schema::errors(raw_location);
    assert!(
        errors.iter().any(|e| e.starts_with("/telecom")),
        "expected a /telecom error, got {errors:?}"
    );
    let errors = schema::errors(&raw);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("/entry/4/resource/telecom")),
        "nested failures name the element: {errors:?}"
    );

    let fixed = rewritten("search_for_free_slots_response_example.json");
    assert!(fixed["entry"][4]["resource"]["telecom"].is_array());
    schema::assert_valid(&fixed["entry"][4]["resource"]);
    schema::assert_valid(&fixed);

    // Location.address is 0..1: the published array is rejected too.
    let raw = fixtures::gpconnect_json("read_location_response_example.json");
    let errors = schema::errors(&raw);
    assert!(
        errors.iter().any(|e| e.starts_with("/address")),
        "{errors:?}"
    );
    let fixed = rewritten("read_location_response_example.json");
    assert!(fixed["address"].is_object());
    schema::assert_valid(&fixed);

    // A placeholder where a dateTime belongs.
    let raw = fixtures::gpconnect_json("get_capability_statement_response_example.json");
    assert!(
        schema::errors(&raw)
            .iter()
            .any(|e| e.starts_with("/software/releaseDate"))
    );
}

/// A UEC-style booking: everything the provider needs travels contained.
fn uec_appointment() -> Appointment {
    let patient = Patient {
        id: Some("P1".into()),
        meta: Some(Meta::with_profile(urls::PROFILE_CARECONNECT_PATIENT)),
        identifier: vec![Identifier {
            use_: Some("official".into()),
            extension: vec![Extension::codeable_concept(
                urls::EXT_NHS_NUMBER_VERIFICATION_STATUS,
                CodeableConcept::from_coding(
                    Coding::new(urls::NHS_NUMBER_VERIFICATION_STATUS_SYSTEM, "01")
                        .with_display("Number present and verified"),
                ),
            )],
            ..Identifier::new(urls::NHS_NUMBER, "9476719931")
        }],
        name: vec![HumanName {
            use_: Some("official".into()),
            family: Some("Smith".into()),
            given: vec!["John".into()],
            prefix: vec!["Mr".into()],
            ..HumanName::default()
        }],
        telecom: vec![ContactPoint {
            use_: Some("home".into()),
            rank: Some(1),
            ..ContactPoint::phone("01234 567 890")
        }],
        gender: Some("male".into()),
        birth_date: Some("1974-12-25".into()),
        address: vec![Address {
            use_: Some("home".into()),
            line: vec!["123 High Street".into()],
            city: Some("Leeds".into()),
            postal_code: Some("LS1 4HR".into()),
            ..Address::default()
        }],
        contact: vec![PatientContact {
            relationship: vec![CodeableConcept::from_text("Mother")],
            name: Some(HumanName {
                family: Some("Smith".into()),
                given: vec!["Mary".into()],
                ..HumanName::default()
            }),
            telecom: vec![ContactPoint::phone("01234 588 187")],
            ..PatientContact::default()
        }],
        ..Patient::default()
    };
    let document = DocumentReference {
        id: Some("123".into()),
        meta: Some(Meta::with_profile(
            urls::PROFILE_CARECONNECT_DOCUMENT_REFERENCE,
        )),
        identifier: vec![Identifier::new(
            urls::RFC4122,
            "6b9c59dd-675b-4026-98db-f608ef501e6e",
        )],
        status: Some("current".into()),
        type_: Some(CodeableConcept::from_coding(
            Coding::new(urls::NHS_DOCUMENT_TYPE_OID, "POCD_MT200001GB02")
                .with_display("Integrated Urgent Care Report"),
        )),
        indexed: Some("2024-03-01T08:55:00+00:00".into()),
        content: vec![DocumentReferenceContent {
            attachment: Attachment {
                content_type: Some("application/hl7-v3+xml".into()),
                language: Some("en".into()),
                ..Attachment::default()
            },
            format: None,
        }],
        ..DocumentReference::default()
    };
    let slot = Slot {
        id: Some("slot1".into()),
        identifier: vec![Identifier::new(
            urls::RFC4122,
            "0f1c2d3e-4b5a-4687-9a0b-1c2d3e4f5a6b",
        )],
        schedule: Some(Reference::new("Schedule/SCH1")),
        status: Some("busy".into()),
        start: Some("2024-03-01T09:00:00+00:00".into()),
        end: Some("2024-03-01T09:10:00+00:00".into()),
        ..Slot::default()
    };
    let organisation = Organization {
        id: Some("1".into()),
        meta: Some(Meta::with_profile(urls::PROFILE_GPC_ORGANIZATION)),
        identifier: vec![Identifier::new(urls::ODS_ORGANIZATION_CODE, "A00001")],
        name: Some("NHS 111 Test".into()),
        telecom: vec![ContactPoint::phone("0300 303 5678")],
        ..Organization::default()
    };
    Appointment {
        meta: Some(Meta::with_profile(urls::PROFILE_CARECONNECT_APPOINTMENT)),
        language: Some("en-GB".into()),
        contained: vec![
            document.into(),
            patient.into(),
            slot.into(),
            organisation.into(),
        ],
        extension: vec![Extension::reference(
            urls::EXT_GPC_BOOKING_ORGANISATION,
            Reference::contained("1"),
        )],
        status: Some("booked".into()),
        description: Some("111 Referral".into()),
        supporting_information: vec![Reference::contained("123")],
        start: Some("2024-03-01T09:00:00+00:00".into()),
        end: Some("2024-03-01T09:10:00+00:00".into()),
        minutes_duration: Some(10),
        slot: vec![Reference::contained("slot1")],
        created: Some("2024-03-01T08:55:00+00:00".into()),
        participant: vec![AppointmentParticipant::accepted(Reference {
            identifier: Some(Identifier::new(urls::NHS_NUMBER, "9476719931")),
            display: Some("John Smith".into()),
            ..Reference::contained("P1")
        })],
        requested_period: vec![Period {
            start: Some("2024-03-01T08:00:00+00:00".into()),
            end: Some("2024-03-01T12:00:00+00:00".into()),
        }],
        ..Appointment::default()
    }
}

#[test]
fn hand_built_appointment_with_contained_resources_is_valid() {
    let appointment = uec_appointment();
    let json = serde_json::to_value(&appointment).expect("serialises");
    schema::assert_valid(&json);

    // The contained resources were written with their types and ids.
    let contained: Vec<_> = json["contained"]
        .as_array()
        .expect("contained array")
        .iter()
        .map(|r| (r["resourceType"].as_str(), r["id"].as_str()))
        .collect();
    assert_eq!(
        contained,
        [
            (Some("DocumentReference"), Some("123")),
            (Some("Patient"), Some("P1")),
            (Some("Slot"), Some("slot1")),
            (Some("Organization"), Some("1")),
        ]
    );
    assert_eq!(json["resourceType"], "Appointment");
    assert!(json.get("id").is_none(), "no id on create");

    // And they read back to the same value.
    let back: Appointment = serde_json::from_value(json).expect("re-reads");
    assert_eq!(back, appointment);
}

#[test]
fn the_validator_catches_invalid_resources() {
    let valid = serde_json::to_value(uec_appointment()).expect("serialises");
    assert!(schema::errors(&valid).is_empty());

    let mut wrong_type = valid.clone();
    wrong_type["status"] = json!(5);
    let errors = schema::errors(&wrong_type);
    assert!(
        errors.iter().any(|e| e.starts_with("/status")),
        "{errors:?}"
    );

    let mut bad_code = valid.clone();
    bad_code["status"] = json!("reserved");
    assert!(
        schema::errors(&bad_code)
            .iter()
            .any(|e| e.starts_with("/status"))
    );

    let mut unknown = valid.clone();
    unknown["colour"] = json!("blue");
    assert!(
        !schema::errors(&unknown).is_empty(),
        "unknown elements are rejected"
    );

    let mut missing = valid.clone();
    missing
        .as_object_mut()
        .expect("object")
        .remove("participant");
    assert!(
        !schema::errors(&missing).is_empty(),
        "participant is required"
    );

    let mut object_for_array = valid;
    object_for_array["slot"] = json!({"reference": "#slot1"});
    assert!(
        schema::errors(&object_for_array)
            .iter()
            .any(|e| e.starts_with("/slot"))
    );

    let patient = json!({"resourceType": "Patient", "telecom": {"system": "phone", "value": "1"}});
    assert!(
        schema::errors(&patient)
            .iter()
            .any(|e| e.starts_with("/telecom"))
    );

    // An array where one object belongs, inside a contained resource.
    let mut array_for_object = serde_json::to_value(uec_appointment()).expect("serialises");
    let address = array_for_object["contained"][1]["contact"][0]["name"].take();
    array_for_object["contained"][1]["contact"][0]["name"] = json!([address]);
    let errors = schema::errors(&array_for_object);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("/contained/1/contact/0/name")),
        "{errors:?}"
    );
}

#[test]
#[should_panic(expected = "is not valid STU3")]
fn assert_valid_panics_on_an_invalid_resource() {
    schema::assert_valid(&json!({"resourceType": "Slot", "status": "free"}));
}

#[test]
#[should_panic(expected = "no definition for resourceType")]
fn assert_valid_rejects_an_unknown_resource_type() {
    schema::assert_valid(&json!({"resourceType": "NotAResource"}));
}
