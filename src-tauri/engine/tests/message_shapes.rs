//! Each message the desk writes, built with the engine's own builders, set beside the published
//! example of its standard: the same resource types (contained ones included), every element
//! the example carries (bar the few named below, with why), extensions by URL, references of
//! the same form at the same places, and every `#id` resolving to a contained resource.

#[path = "support/fixtures.rs"]
mod fixtures;
#[path = "support/session.rs"]
mod session;

use std::collections::{BTreeMap, BTreeSet};

use booking_engine::directory::ServiceKind;
use booking_engine::fhir::stu3::Appointment;
use booking_engine::ids::{ServiceId, SlotId};
use booking_engine::standards::{gp_connect, uec_booking};
use booking_engine::transport::FhirRequest;
use booking_engine::views::{LocationView, PractitionerView, SlotView};
use chrono::{DateTime, FixedOffset};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// The messages
// ---------------------------------------------------------------------------------------------

fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("time")
}

fn slot(id: &str) -> SlotView {
    SlotView {
        service_id: ServiceId::parse("beckside").expect("id"),
        service_name: "Beckside".into(),
        service_kind: ServiceKind::GpPractice,
        id: SlotId::parse(id).expect("slot"),
        schedule_id: Some("14".into()),
        start: t("2026-12-02T15:00:00+00:00"),
        end: t("2026-12-02T15:15:00+00:00"),
        delivery_channel: None,
        slot_type: None,
        schedule_type: None,
        practitioner: Some(PractitionerView {
            id: Some("2".into()),
            name: Some("Dr Sarah Black".into()),
            role: None,
            gender: None,
        }),
        location: Some(LocationView {
            id: Some("17".into()),
            name: Some("The Trevelyan Practice".into()),
            address: None,
        }),
        source: None,
    }
}

fn body(req: &FhirRequest) -> Value {
    serde_json::from_slice(req.body.as_deref().expect("has a body")).expect("json body")
}

fn created() -> DateTime<FixedOffset> {
    t("2026-12-01T09:00:00+00:00")
}

fn gp_booking() -> Appointment {
    gp_connect::booking(
        &session::session(),
        &[slot("1584")],
        "7",
        "Sore throat and fever for 3 days",
        Some("Call back on 07700 900123"),
        created(),
    )
    .expect("built")
}

fn uec_booking() -> Appointment {
    uec_booking::booking(
        &slot("1db79eb3-72f8-4569-a8dc-af8759797e0f"),
        &session::patient(),
        "111 referral: cut hand",
        None,
        uuid::Uuid::new_v4(),
        created(),
    )
    .expect("built")
}

/// What the provider hands back when the booking is read: the same resource with its id.
fn as_read(mut booked: Appointment) -> Appointment {
    booked.id = Some("42".into());
    booked
}

// ---------------------------------------------------------------------------------------------
// The comparison
// ---------------------------------------------------------------------------------------------

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn contained(v: &Value) -> Vec<&Value> {
    v["contained"]
        .as_array()
        .map(|c| c.iter().collect())
        .unwrap_or_default()
}

fn contained_types(v: &Value) -> Vec<String> {
    let mut types: Vec<String> = contained(v)
        .iter()
        .filter_map(|c| c["resourceType"].as_str().map(str::to_string))
        .collect();
    types.sort();
    types
}

fn extension_urls(v: &Value) -> BTreeSet<String> {
    v["extension"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|x| x["url"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Every `reference` string with the path it sits at (array positions dropped).
fn references(v: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(o) => {
            for (k, child) in o {
                if k == "contained" {
                    continue;
                }
                let here = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (k.as_str(), child) {
                    ("reference", Value::String(r)) => out.push((path.to_string(), r.clone())),
                    _ => references(child, &here, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| references(i, path, out)),
        _ => {}
    }
}

/// A reference's form: `#Type` for a contained resource, `Type` for a relative one.
fn form(message: &Value, reference: &str) -> String {
    if let Some(local) = reference.strip_prefix('#') {
        let target = contained(message)
            .into_iter()
            .find(|c| c["id"].as_str() == Some(local));
        let kind = target.and_then(|c| c["resourceType"].as_str());
        return format!("#{}", kind.unwrap_or("<unresolved>"));
    }
    reference.split('/').next().unwrap_or_default().to_string()
}

fn forms(message: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut found = Vec::new();
    references(message, "", &mut found);
    let mut by_path: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, r) in found {
        by_path.entry(path).or_default().insert(form(message, &r));
    }
    by_path
}

/// Every `#id` names a contained resource and every contained resource is referred to (FHIR's
/// dom-3); a relative reference is `Type/id`.
fn assert_references_resolve(name: &str, message: &Value) {
    let mut found = Vec::new();
    references(message, "", &mut found);
    let ids: BTreeSet<&str> = contained(message)
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    let mut used = BTreeSet::new();
    for (path, r) in &found {
        if let Some(local) = r.strip_prefix('#') {
            assert!(ids.contains(local), "{name}: {path} → {r} is not contained");
            used.insert(local);
        } else {
            let (kind, id) = r.split_once('/').unwrap_or_default();
            assert!(
                kind.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && !id.is_empty(),
                "{name}: {path} → {r} is not Type/id"
            );
        }
    }
    assert_eq!(used, ids, "{name}: every contained resource is referred to");
}

/// `ours` against the published `example`; `optional` names elements (`Type.element`) the
/// example shows but the standard does not require, which the desk has no value for.
fn assert_same_shape(name: &str, ours: &Value, example: &Value, optional: &[&str]) {
    assert_references_resolve(&format!("{name} (published example)"), example);
    assert_references_resolve(name, ours);
    assert_eq!(
        ours["resourceType"], example["resourceType"],
        "{name}: resource type"
    );
    assert_eq!(
        contained_types(ours),
        contained_types(example),
        "{name}: contained resource types"
    );
    let kind = example["resourceType"].as_str().unwrap_or_default();
    let wanted = |kind: &str, key: &str| !optional.contains(&format!("{kind}.{key}").as_str());
    for key in keys(example).iter().filter(|k| wanted(kind, k)) {
        assert!(ours.get(key).is_some(), "{name}: {kind}.{key} is missing");
    }
    for theirs in contained(example) {
        let kind = theirs["resourceType"].as_str().unwrap_or_default();
        let mine = contained(ours)
            .into_iter()
            .find(|c| c["resourceType"].as_str() == Some(kind))
            .expect("same contained types");
        for key in keys(theirs).iter().filter(|k| wanted(kind, k)) {
            assert!(
                mine.get(key).is_some(),
                "{name}: contained {kind}.{key} is missing"
            );
        }
    }
    let missing: Vec<String> = extension_urls(example)
        .difference(&extension_urls(ours))
        .cloned()
        .collect();
    assert!(
        missing.is_empty(),
        "{name}: extensions missing: {missing:?}"
    );
    let ours_forms = forms(ours);
    for (path, theirs) in forms(example) {
        let mine = ours_forms.get(&path).cloned().unwrap_or_default();
        assert!(
            mine.is_superset(&theirs),
            "{name}: {path} refers to {theirs:?} in the example, to {mine:?} here"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The messages against their examples
// ---------------------------------------------------------------------------------------------

#[test]
fn gp_connect_book_matches_the_published_example() {
    let req = gp_connect::book(&gp_booking()).expect("request");
    let example = fixtures::gpconnect_json("book_appt_request_example.json");
    assert_same_shape("GP Connect book", &body(&req), &example, &[]);
}

#[test]
fn gp_connect_amend_matches_the_published_example() {
    let req = gp_connect::amend(
        as_read(gp_booking()),
        Some("2"),
        Some("Sore throat, fever and a rash"),
        None,
    )
    .expect("amend");
    let example = fixtures::gpconnect_json("amend_appt_request_example.json");
    assert_same_shape("GP Connect amend", &body(&req), &example, &[]);
}

#[test]
fn gp_connect_cancel_matches_the_published_example() {
    let req =
        gp_connect::cancel(as_read(gp_booking()), Some("2"), "Feeling better").expect("cancel");
    let example = fixtures::gpconnect_json("cancel_appt_request_example.json");
    assert_same_shape("GP Connect cancel", &body(&req), &example, &[]);
}

/// The example's contained Slot also carries an RFC 4122 identifier: CareConnect-Slot-1 makes
/// it optional, and the slot's logical id (the contained id) is what names it.
const UEC_OPTIONAL: &[&str] = &["Slot.identifier"];

#[test]
fn uec_book_matches_the_published_example() {
    let req = uec_booking::book(&uec_booking(), uuid::Uuid::new_v4()).expect("request");
    let example = fixtures::uec_json("appointment_book_example.json");
    let ours = body(&req);
    assert_same_shape("UEC book", &ours, &example, UEC_OPTIONAL);
    // As in the example, the contained Slot's id is the offered slot's logical id.
    let slot = contained(&ours)
        .into_iter()
        .find(|c| c["resourceType"] == "Slot")
        .expect("slot");
    assert_eq!(slot["id"], "1db79eb3-72f8-4569-a8dc-af8759797e0f");
}

#[test]
fn uec_cancel_matches_the_published_example() {
    let req =
        uec_booking::cancel(as_read(uec_booking()), "2", uuid::Uuid::new_v4()).expect("cancel");
    let example = fixtures::uec_json("appointment_cancel_example.json");
    let ours = body(&req);
    assert_same_shape("UEC cancel", &ours, &example, UEC_OPTIONAL);
    assert_eq!(ours["status"], example["status"]);
}

type Breakage = Box<dyn Fn(&mut Value)>;

/// The checker itself: a message with a dangling `#` reference, or missing a contained
/// resource or element the example has, is caught.
#[test]
fn the_comparison_catches_what_it_claims_to() {
    let example = fixtures::uec_json("appointment_book_example.json");
    let req = uec_booking::book(&uec_booking(), uuid::Uuid::new_v4()).expect("request");
    let good = body(&req);
    let breakages: Vec<(&str, Breakage)> = vec![
        (
            "dangling slot reference",
            Box::new(|v| v["slot"][0]["reference"] = "#S1".into()),
        ),
        (
            "no DocumentReference",
            Box::new(|v| {
                if let Some(c) = v["contained"].as_array_mut() {
                    c.retain(|r| r["resourceType"] != "DocumentReference");
                }
                v["supportingInformation"] = Value::Array(Vec::new());
            }),
        ),
        (
            "no created",
            Box::new(|v| {
                if let Some(o) = v.as_object_mut() {
                    o.remove("created");
                }
            }),
        ),
        (
            "slot as a relative reference",
            Box::new(|v| v["slot"][0]["reference"] = "Slot/1".into()),
        ),
    ];
    for (what, change) in breakages {
        let mut broken = good.clone();
        change(&mut broken);
        let caught = std::panic::catch_unwind(|| {
            assert_same_shape(what, &broken, &example, UEC_OPTIONAL);
        });
        assert!(caught.is_err(), "{what} was not caught");
    }
}
