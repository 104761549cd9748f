//! The messages the desk writes for BaRS (booking-request new, and cancelled) held against
//! what is published: the API's booking example, the implementation guide's own examples
//! (BOOKREQ01, BOOKREQ02) and its booking MessageDefinitions, new and cancelled. The same
//! resource types, the same required elements, every reference resolving to an entry inside
//! the message, and the MessageDefinition's cardinalities.

#[path = "support/session.rs"]
mod session;

use booking_engine::fhir::r4::Bundle;
use booking_engine::standards::bars_message::{self, Booking, Recipient, urn};
use booking_engine::standards::bars_slots;
use booking_engine::views::SlotView;
use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures");

fn text(path: &str) -> String {
    let path = format!("{FIXTURES}/{path}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// A MessageDefinition's foci: resource type to (min, max), max `None` for `*`.
fn cardinalities(file: &str) -> BTreeMap<String, (usize, Option<usize>)> {
    let xml = text(&format!("bars-guide/{file}"));
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    let value = |node: roxmltree::Node<'_, '_>, name: &str| {
        node.children()
            .find(|c| c.has_tag_name(name))
            .and_then(|c| c.attribute("value"))
            .unwrap_or_else(|| panic!("focus.{name}"))
            .to_string()
    };
    doc.root_element()
        .children()
        .filter(|n| n.has_tag_name("focus"))
        .map(|f| {
            let min = value(f, "min").parse().expect("min");
            let max = value(f, "max");
            (value(f, "code"), (min, max.parse().ok()))
        })
        .collect()
}

/// The resource types of a message, counted; the Bundle itself counts once.
fn counts(message: &Value) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::from([("Bundle".to_string(), 1)]);
    for e in message["entry"].as_array().expect("entries") {
        let t = e["resource"]["resourceType"].as_str().expect("type");
        *out.entry(t.to_string()).or_default() += 1;
    }
    out
}

fn assert_cardinalities(message: &Value, definition: &str) {
    let have = counts(message);
    for (kind, (min, max)) in cardinalities(definition) {
        let n = have.get(&kind).copied().unwrap_or(0);
        assert!(n >= min, "{definition}: {kind} {n} < {min}\n{message:#}");
        if let Some(max) = max {
            assert!(n <= max, "{definition}: {kind} {n} > {max}\n{message:#}");
        }
    }
}

/// Every reference resolves to an entry: by its fullUrl, or (a relative `Type/id`) against
/// the root of the entry it is in, as FHIR resolves references inside a Bundle.
fn assert_references_resolve(message: &Value) {
    let entries = message["entry"].as_array().expect("entries");
    let urls: Vec<&str> = entries
        .iter()
        .map(|e| e["fullUrl"].as_str().expect("fullUrl"))
        .collect();
    for e in entries {
        let base = e["fullUrl"].as_str().expect("fullUrl");
        let root = base
            .rsplitn(3, '/')
            .nth(2)
            .filter(|_| base.starts_with("http"));
        let mut stack = vec![&e["resource"]];
        while let Some(v) = stack.pop() {
            match v {
                Value::Object(o) => {
                    if let Some(Value::String(r)) = o.get("reference") {
                        let absolute = root.map(|root| format!("{root}/{r}"));
                        assert!(
                            urls.contains(&r.as_str())
                                || absolute.is_some_and(|a| urls.contains(&a.as_str())),
                            "{r} in {base} resolves to no entry"
                        );
                    }
                    stack.extend(o.values());
                }
                Value::Array(a) => stack.extend(a.iter()),
                _ => {}
            }
        }
    }
}

fn resources<'a>(message: &'a Value, kind: &str) -> Vec<&'a Value> {
    message["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

/// The elements the published example has at the top of each resource type, present in
/// ours too (the example's optional extras, which the desk does not know, aside).
fn assert_required_elements(ours: &Value, example: &Value, optional: &[&str]) {
    let mut kinds: Vec<&str> = example["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["resource"]["resourceType"].as_str())
        .collect();
    kinds.dedup();
    for kind in kinds {
        let theirs = resources(example, kind);
        let mine = resources(ours, kind);
        assert!(!mine.is_empty(), "no {kind} entry, the example has one");
        for element in theirs[0].as_object().expect("object").keys() {
            let wanted = format!("{kind}.{element}");
            if optional.contains(&wanted.as_str()) || element == "id" {
                continue;
            }
            assert!(
                mine.iter().any(|r| r.get(element).is_some()),
                "{wanted} is in the published example but not in ours"
            );
        }
    }
    for element in ["meta", "type", "timestamp", "entry"] {
        assert!(ours.get(element).is_some(), "Bundle.{element}");
    }
}

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2021-10-06T08:00:00+00:00").expect("t")
}

fn recipient() -> Recipient<'static> {
    Recipient {
        name: "Spen Valley UTC",
        ods: "NQ503",
        endpoint: bars_message::endpoint("2000099999"),
    }
}

/// The first slot of the published slot search example, with what the search said about it.
fn searched_slot() -> SlotView {
    let raw: Value = serde_json::from_str(&text("bars/slots_GET-success.json")).expect("JSON");
    let bundle: Bundle = serde_json::from_value(raw.clone()).expect("bundle");
    let toml = "[[service]]\nid = \"spen-valley-utc\"\nname = \"Spen Valley UTC\"\n\
                kind = \"urgent-care\"\nstandard = \"bars\"\n\
                base_url = \"https://prov.example/bars/spen-valley-utc/FHIR/R4\"\n\
                ods = \"NQ503\"\nasid = \"918999198302\"\ntarget_identifier = \"2000099999\"\n";
    let dir = booking_engine::directory::Directory::from_toml(toml).expect("directory");
    let mut views = bars_slots::slot_views(&bundle, &dir.all()[0]);
    bars_slots::attach_sources(&mut views, &raw);
    views.remove(0)
}

fn booking(call_back: Option<&str>) -> Value {
    let session = session::session();
    let slot = searched_slot();
    let patient = session::patient();
    let patient_url = urn(Uuid::new_v4());
    bars_message::booking(
        &session,
        &recipient(),
        bars_message::parties(&session, &recipient()),
        Booking {
            slot: &slot,
            healthcare_service: "2000099999",
            patient: &patient,
            call_back,
            description: "Sore throat and fever",
            comment: None,
            clinical: None,
        },
        &patient_url,
        now(),
    )
}

#[test]
fn a_booking_has_the_shape_of_the_published_examples_and_its_message_definition() {
    let ours = booking(Some("0113 496 0000"));
    assert_cardinalities(&ours, "BARS-MessageDefinition-Booking-Request.xml");
    assert_references_resolve(&ours);
    let example: Value =
        serde_json::from_str(&text("bars/process_message_request_Booking_POST.json"))
            .expect("example");
    // Ethnicity, religion, language and the GP surgery are not known at the desk; the
    // example's Location has no more than a name.
    assert_required_elements(
        &ours,
        &example,
        &[
            "Patient.extension",
            "Patient.communication",
            "Patient.generalPractitioner",
            "Slot.serviceCategory",
            "Slot.appointmentType",
            "Schedule.identifier",
            "Location.position",
        ],
    );
    // The guide's example of the same message agrees on the types.
    let guide = text("bars-guide/BOOKREQ01_-_Booking_Request_New_Full.xml");
    for kind in counts(&ours).keys() {
        assert!(
            guide.contains(&format!("<{kind}>")) || guide.contains(&format!("<{kind} ")),
            "{kind} is not in the guide's booking example"
        );
    }
}

#[test]
fn every_resource_is_stamped_and_the_bundle_names_its_application_version() {
    let ours = booking(None);
    assert_eq!(ours["meta"]["versionId"], "1.0.0");
    assert!(ours["meta"]["lastUpdated"].is_string());
    assert_eq!(
        ours["meta"]["profile"][0],
        "https://fhir.nhs.uk/StructureDefinition/BARSBundleMessage"
    );
    for e in ours["entry"].as_array().expect("entries") {
        assert!(
            e["resource"]["meta"]["lastUpdated"].is_string(),
            "{} has no meta.lastUpdated",
            e["resource"]["resourceType"]
        );
    }
}

#[test]
fn the_slot_goes_back_as_searched_with_its_schedule_and_service_in_the_message() {
    let ours = booking(None);
    let slot = resources(&ours, "Slot")[0];
    assert_eq!(slot["id"], "slot001", "the service's own slot");
    let schedule_ref = slot["schedule"]["reference"].as_str().expect("schedule");
    let schedule = ours["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["fullUrl"] == schedule_ref)
        .expect("Slot.schedule is an entry of the message");
    assert_eq!(schedule["resource"]["id"], "sched1111");
    let hs = resources(&ours, "HealthcareService");
    assert_eq!(hs.len(), 1);
    assert_eq!(hs[0]["id"], "2000099999");
    assert_eq!(resources(&ours, "PractitionerRole").len(), 1);
    assert_eq!(resources(&ours, "Practitioner").len(), 1);
    assert_eq!(resources(&ours, "Location").len(), 1);
}

#[test]
fn the_header_names_the_desks_own_service_and_the_sender_has_its_own_phone() {
    let ours = booking(Some("0113 496 0000"));
    let header = &ours["entry"][0]["resource"];
    assert_eq!(
        header["source"]["endpoint"],
        "https://fhir.nhs.uk/Id/dos-service-id|2000072489"
    );
    let sender_url = header["sender"]["reference"].as_str().expect("sender");
    let sender = ours["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["fullUrl"] == sender_url)
        .expect("the sender is an entry");
    assert_eq!(sender["resource"]["resourceType"], "Organization");
    assert!(
        !sender["resource"].to_string().contains("0113 496 0000"),
        "the patient's call-back number is not the organisation's"
    );
}

#[test]
fn the_patient_has_one_home_address_and_one_first_number_to_call() {
    let ours = booking(Some("0113 496 0000"));
    let p = resources(&ours, "Patient")[0];
    assert_eq!(p["name"].as_array().expect("names").len(), 1);
    assert_eq!(p["name"][0]["use"], "official");
    assert_eq!(p["birthDate"], "1982-03-12");
    let addresses = p["address"].as_array().expect("address");
    assert_eq!(addresses.len(), 1);
    assert_eq!(addresses[0]["use"], "home");
    assert_eq!(addresses[0]["postalCode"], "LS1 4AP");
    let contacts = p["contact"].as_array().expect("contact");
    for c in contacts {
        assert_eq!(
            c["extension"][0]["url"],
            "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-ContactRank"
        );
    }
    let first: Vec<&Value> = contacts
        .iter()
        .filter(|c| c["extension"][0]["valuePositiveInt"] == 1)
        .flat_map(|c| c["telecom"].as_array().into_iter().flatten())
        .filter(|t| t["system"] == "phone" && t["rank"] == 1)
        .collect();
    assert_eq!(first.len(), 1, "{contacts:?}");
    assert_eq!(first[0]["value"], "0113 496 0000");
}

#[test]
fn a_cancellation_has_the_shape_of_the_cancelled_message_definition() {
    let root = "https://prov.example/bars/spen-valley-utc/FHIR/R4";
    let current = json!({
        "resourceType": "Appointment", "id": "a1", "status": "booked",
        "start": "2021-10-06T10:00:00+00:00", "end": "2021-10-06T10:30:00+00:00",
        "slot": [{ "reference": "Slot/slot001" }],
        "participant": [{
            "actor": {
                "reference": "Patient/p1",
                "identifier": { "system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919" }
            },
            "status": "accepted"
        }],
    });
    let session = session::session();
    let ours = bars_message::cancellation(
        &session,
        &recipient(),
        current,
        &format!("{root}/Appointment/a1"),
        "Patient feels better",
        now(),
    )
    .expect("message");
    assert_cardinalities(&ours, "BARSMessageDefinitionBookingRequestCancelled.xml");
    let header = &ours["entry"][0]["resource"];
    assert_eq!(
        header["definition"],
        "https://fhir.nhs.uk/MessageDefinition/bars-message-booking-request-cancelled"
    );
    let patient = resources(&ours, "Patient")[0];
    assert_eq!(patient["identifier"][0]["value"], "9434765919");
    // The Appointment's participant names the Patient entry.
    let patient_entry = ours["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["resource"]["resourceType"] == "Patient")
        .expect("patient");
    assert_eq!(patient_entry["fullUrl"], format!("{root}/Patient/p1"));
    for e in ours["entry"].as_array().expect("entries") {
        assert!(e["resource"]["meta"]["lastUpdated"].is_string());
    }
}
