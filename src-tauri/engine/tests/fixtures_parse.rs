//! The STU3 types read every published GP Connect example, with the quirks
//! those examples carry, and read hostile variations of them tolerantly.

#[path = "support/fixtures.rs"]
mod fixtures;

use booking_engine::fhir::stu3::{
    Appointment, Bundle, CapabilityStatement, Location, OperationOutcome, Organization, Parameters,
    Patient, Practitioner, Resource, ResourceKind, Schedule, Slot, extension_by_url, urls,
};
use serde_json::{Value, json};

/// Every fixture file must appear here and have its own content test below.
const CHECKED: &[&str] = &[
    "amend_appt_request_example.json",
    "amend_appt_response_example.json",
    "book_appt_request_example.json",
    "book_appt_response_example.json",
    "cancel_appt_request_example.json",
    "cancel_appt_response_example.json",
    "find_organization_response_example.json",
    "find_patient_response_example.json",
    "find_practitioner_response_example.json",
    "get_capability_statement_response_example.json",
    "read_appt_response_example.json",
    "read_location_response_example.json",
    "read_organization_response_example.json",
    "read_patient_response_example.json",
    "read_practitioner_response_example.json",
    "register_patient_request_example.json",
    "register_patient_response_example.json",
    "retrieve_patients_appts_response_example.json",
    "search_for_free_slots_response_example.json",
];

fn resource(name: &str) -> Resource {
    serde_json::from_str(&fixtures::gpconnect_text(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn typed<T: ResourceKind>(name: &str) -> T {
    resource(name).downcast::<T>().unwrap_or_else(|r| {
        panic!(
            "{name}: expected {}, read {}",
            T::RESOURCE_TYPE,
            r.resource_type()
        )
    })
}

fn bundle(name: &str) -> Bundle {
    typed(name)
}

fn ext_code<'a>(exts: &'a [booking_engine::fhir::stu3::Extension], url: &str) -> Option<&'a str> {
    extension_by_url(exts, url).and_then(|e| e.value_code.as_deref())
}

#[test]
fn every_fixture_parses_as_a_known_resource() {
    let names = fixtures::gpconnect_names();
    assert_eq!(
        names, CHECKED,
        "fixture set changed: add content checks for new files"
    );
    for name in &names {
        let r = resource(name);
        assert!(
            !r.is_other(),
            "{name} read as an unknown resource: {}",
            r.resource_type()
        );
        if let Resource::Bundle(b) = &r {
            for inner in b.resources() {
                assert!(
                    !inner.is_other(),
                    "{name}: entry {} unknown",
                    inner.resource_type()
                );
            }
        }
    }
}

#[test]
fn reserialising_is_stable() {
    // parse → write → parse gives the same value: nothing is half-read.
    for name in CHECKED {
        let first = resource(name);
        let written = serde_json::to_string(&first).expect("serialises");
        let second: Resource = serde_json::from_str(&written).expect("re-reads");
        assert_eq!(first, second, "{name}");
    }
}

#[test]
fn appointments_round_trip_without_loss() {
    // Amend and cancel PUT back the whole resource we read, so every element
    // GP Connect puts in an Appointment must survive a read and write.
    for name in CHECKED.iter().filter(|n| n.contains("appt")) {
        let original = fixtures::gpconnect_json(name);
        let written = serde_json::to_value(resource(name)).expect("serialises");
        assert_eq!(
            written, original,
            "{name} changed in a read/write round trip"
        );
    }
}

// ---------------------------------------------------------------- appointments

#[test]
fn book_request() {
    let a: Appointment = typed("book_appt_request_example.json");
    assert_eq!(a.id, None);
    assert_eq!(a.status.as_deref(), Some("booked"));
    assert_eq!(
        a.meta.as_ref().map(|m| m.profile.clone()),
        Some(vec![urls::PROFILE_GPC_APPOINTMENT.to_owned()])
    );
    assert_eq!(a.description.as_deref(), Some("Free text description."));
    assert_eq!(a.comment.as_deref(), Some("Free text comment."));
    assert_eq!(a.start.as_deref(), Some("2017-05-30T10:00:00+01:00"));
    assert_eq!(a.end.as_deref(), Some("2017-05-30T10:25:00+01:00"));
    assert_eq!(a.created.as_deref(), Some("2017-05-25T13:48:41+01:00"));
    assert_eq!(a.slot.len(), 1);
    assert_eq!(a.slot[0].type_and_id(), Some(("Slot", "1")));

    let booking_org = extension_by_url(&a.extension, urls::EXT_GPC_BOOKING_ORGANISATION)
        .and_then(|e| e.value_reference.as_ref())
        .expect("booking organisation extension");
    assert_eq!(booking_org.reference.as_deref(), Some("#1"));
    let org = a
        .resolve_contained("#1")
        .and_then(|r| r.downcast_ref::<Organization>())
        .expect("contained booking organisation");
    assert_eq!(org.name.as_deref(), Some("Test Organization Name"));
    assert_eq!(org.ods_code(), Some("A00001"));
    assert_eq!(org.telecom[0].value.as_deref(), Some("0300 303 5678"));
    assert_eq!(
        org.type_[0].coding[0].system.as_deref(),
        Some(urls::GPC_ORGANISATION_TYPE)
    );

    let actors: Vec<_> = a
        .participant
        .iter()
        .map(|p| p.actor.as_ref().and_then(|r| r.reference.as_deref()))
        .collect();
    assert_eq!(actors, [Some("Patient/1"), Some("Location/32")]);
    assert!(
        a.participant
            .iter()
            .all(|p| p.status.as_deref() == Some("accepted"))
    );
}

#[test]
fn book_response_carries_provider_extensions() {
    let a: Appointment = typed("book_appt_response_example.json");
    assert_eq!(a.id.as_deref(), Some("9"));
    assert_eq!(
        a.meta.as_ref().and_then(|m| m.version_id.as_deref()),
        Some("636068818095315079")
    );
    assert_eq!(
        ext_code(&a.extension, urls::EXT_GPC_DELIVERY_CHANNEL),
        Some("In-person")
    );
    let role = extension_by_url(&a.extension, urls::EXT_GPC_PRACTITIONER_ROLE)
        .and_then(|e| e.value_codeable_concept.as_ref())
        .and_then(|cc| cc.coding_in_systems(&urls::SDS_JOB_ROLE_NAME_SYSTEMS))
        .expect("practitioner role");
    assert_eq!(role.code.as_deref(), Some("R0260"));
    assert_eq!(
        role.display.as_deref(),
        Some("General Medical Practitioner")
    );
    assert_eq!(
        a.service_category.as_ref().and_then(|c| c.text.as_deref()),
        Some("General GP Appointments")
    );
    assert_eq!(
        a.service_type[0].text.as_deref(),
        Some("General GP Appointment")
    );
    // This example's contained organisation has no type.
    let org = a
        .resolve_contained("#1")
        .and_then(|r| r.downcast_ref::<Organization>());
    assert!(org.expect("contained org").type_.is_empty());
}

#[test]
fn amend_request_and_response() {
    let req: Appointment = typed("amend_appt_request_example.json");
    assert_eq!(req.id.as_deref(), Some("9"));
    assert_eq!(
        req.description.as_deref(),
        Some("Free text description updated.")
    );
    assert!(extension_by_url(&req.extension, urls::EXT_GPC_DELIVERY_CHANNEL).is_none());

    let resp: Appointment = typed("amend_appt_response_example.json");
    assert_eq!(resp.description, req.description);
    assert_eq!(
        resp.meta.as_ref().and_then(|m| m.version_id.as_deref()),
        Some("6360688180953112345")
    );
    assert_eq!(resp.extension.len(), 3);
    assert_eq!(
        ext_code(&resp.extension, urls::EXT_GPC_DELIVERY_CHANNEL),
        Some("In-person")
    );
}

#[test]
fn cancel_request_and_response() {
    for name in [
        "cancel_appt_request_example.json",
        "cancel_appt_response_example.json",
    ] {
        let a: Appointment = typed(name);
        assert_eq!(a.status.as_deref(), Some("cancelled"), "{name}");
        let reason = extension_by_url(&a.extension, urls::EXT_GPC_APPOINTMENT_CANCELLATION_REASON)
            .and_then(|e| e.value_string.as_deref());
        assert_eq!(reason, Some("Free text cancellation reason."), "{name}");
    }
    let resp: Appointment = typed("cancel_appt_response_example.json");
    assert_eq!(
        ext_code(&resp.extension, urls::EXT_GPC_DELIVERY_CHANNEL),
        Some("In-person")
    );
}

#[test]
fn read_appointment() {
    let a: Appointment = typed("read_appt_response_example.json");
    assert_eq!(a.id.as_deref(), Some("148"));
    let slots: Vec<_> = a.slot.iter().filter_map(|s| s.type_and_id()).collect();
    assert_eq!(slots, [("Slot", "544"), ("Slot", "545"), ("Slot", "546")]);
    let practitioner = a
        .participant_of_type("Practitioner")
        .expect("practitioner participant");
    assert_eq!(
        practitioner.actor.as_ref().and_then(|r| r.type_and_id()),
        Some(("Practitioner", "2"))
    );
    assert!(a.participant_of_type("Location").is_some());
    assert!(a.participant_of_type("HealthcareService").is_none());
}

#[test]
fn patients_appointments() {
    let b = bundle("retrieve_patients_appts_response_example.json");
    assert_eq!(b.type_.as_deref(), Some("searchset"));
    let appts: Vec<&Appointment> = b.appointments().collect();
    let ids: Vec<_> = appts.iter().map(|a| a.id.as_deref()).collect();
    assert_eq!(ids, [Some("148"), Some("149")]);
    assert_eq!(
        appts[0].comment.as_deref(),
        Some("Test Appointment Comment 148")
    );
    assert_eq!(appts[1].comment, None);
    assert_eq!(appts[1].slot.len(), 1);
    let second_org = appts[1]
        .resolve_contained("#1")
        .and_then(|r| r.downcast_ref::<Organization>())
        .and_then(|o| o.name.as_deref());
    assert_eq!(second_org, Some("Test Organization Name 2"));
    assert_eq!(b.slots().count(), 0);
}

// ---------------------------------------------------------------- slot search

#[test]
fn free_slot_search_bundle() {
    let b = bundle("search_for_free_slots_response_example.json");
    assert_eq!(b.type_.as_deref(), Some("searchset"));
    assert_eq!(b.entry.len(), 6);

    let slots: Vec<&Slot> = b.slots().collect();
    assert_eq!(slots.len(), 2);
    assert_eq!(slots[0].id.as_deref(), Some("1584"));
    assert_eq!(slots[1].id.as_deref(), Some("1644"));
    assert_eq!(slots[0].status.as_deref(), Some("free"));
    assert_eq!(slots[0].start.as_deref(), Some("2016-08-15T11:30:00+01:00"));
    assert_eq!(slots[1].end.as_deref(), Some("2016-08-15T11:50:00+01:00"));
    assert_eq!(
        slots[1].service_type[0].text.as_deref(),
        Some("NHS Health Check")
    );
    assert_eq!(
        ext_code(&slots[0].extension, urls::EXT_GPC_DELIVERY_CHANNEL),
        Some("In-person")
    );

    // Slot → Schedule → actors, resolved through the bundle.
    let schedule_ref = slots[0]
        .schedule
        .as_ref()
        .and_then(|r| r.reference.as_deref());
    let schedule = b
        .find_of::<Schedule>(schedule_ref.expect("slot has a schedule"))
        .expect("schedule included");
    assert_eq!(schedule.id.as_deref(), Some("14"));
    assert_eq!(b.schedules().count(), 1);
    let actors: Vec<_> = schedule
        .actor
        .iter()
        .filter_map(|r| r.type_and_id())
        .collect();
    assert_eq!(actors, [("Location", "17"), ("Practitioner", "2")]);
    assert_eq!(
        schedule
            .service_category
            .as_ref()
            .and_then(|c| c.text.as_deref()),
        Some("General GP Appointments")
    );
    let horizon = schedule
        .planning_horizon
        .as_ref()
        .expect("planning horizon");
    assert_eq!(horizon.start.as_deref(), Some("2016-08-15T09:00:00+01:00"));
    assert_eq!(horizon.end.as_deref(), Some("2016-08-15T12:00:00+01:00"));
    assert!(
        extension_by_url(&schedule.extension, urls::EXT_GPC_PRACTITIONER_ROLE).is_some(),
        "schedule carries the practitioner role"
    );

    let practitioner = b
        .find_of::<Practitioner>("Practitioner/2")
        .expect("practitioner");
    assert_eq!(practitioner.name[0].display(), "Mrs Sarah Black");
    assert_eq!(practitioner.gender.as_deref(), Some("female"));

    // This example sends Location.telecom and Organization.telecom/address
    // as single objects: they must still be read.
    let location = b.find_of::<Location>("Location/17").expect("location");
    assert_eq!(location.name.as_deref(), Some("The Trevelyan Practice"));
    assert_eq!(location.telecom.len(), 1);
    assert_eq!(location.telecom[0].value.as_deref(), Some("03003035678"));
    assert_eq!(location.telecom[0].use_.as_deref(), Some("work"));
    let address = location.address.as_ref().expect("location address");
    assert_eq!(address.line, ["Trevelyan Square", "Boar Ln", "Leeds"]);
    assert_eq!(address.postal_code.as_deref(), Some("LS1 6AE"));
    let managing = location
        .managing_organization
        .as_ref()
        .and_then(|r| r.reference.as_deref());

    let org = b
        .find_of::<Organization>(managing.expect("managing organisation"))
        .expect("organisation included");
    assert_eq!(org.ods_code(), Some("A00001"));
    assert_eq!(org.telecom.len(), 1);
    assert_eq!(org.address.len(), 1);
    assert_eq!(org.address[0].district.as_deref(), Some("West Yorkshire"));

    // References given as absolute URLs resolve too.
    assert!(
        b.find("https://provider.example/A00001/STU3/1/gpconnect/Location/17")
            .is_some()
    );
    assert!(b.find("Location/17/_history/3").is_some());
    assert!(b.find("Location/99").is_none());
    assert!(
        b.find("Schedule/17").is_none(),
        "type and id must both match"
    );
}

// ---------------------------------------------------------------- patients

fn assert_jane_jackson(p: &Patient, line1: &str) {
    assert_eq!(p.nhs_number(), Some("9476719931"));
    let status = p.identifier[0]
        .extension
        .iter()
        .find(|e| urls::NHS_NUMBER_VERIFICATION_STATUS_EXTENSIONS.contains(&e.url.as_str()))
        .and_then(|e| e.value_codeable_concept.as_ref())
        .and_then(|cc| cc.coding.first())
        .and_then(|c| c.code.as_deref());
    assert_eq!(status, Some("01"));
    let name = p.official_name().expect("name");
    assert_eq!(name.family.as_deref(), Some("Jackson"));
    assert_eq!(name.given, ["Jane"]);
    assert_eq!(name.prefix, ["Miss"]);
    assert_eq!(p.gender.as_deref(), Some("female"));
    assert_eq!(p.birth_date.as_deref(), Some("1952-05-31"));
    assert_eq!(p.address[0].line[0], line1);
    assert_eq!(p.address[0].use_.as_deref(), Some("home"));
    assert_eq!(p.address[0].type_.as_deref(), Some("physical"));
    assert_eq!(p.telecom[0].value.as_deref(), Some("01454587554"));
}

#[test]
fn read_patient() {
    let p: Patient = typed("read_patient_response_example.json");
    assert_eq!(p.id.as_deref(), Some("2"));
    assert_eq!(p.active, Some(true));
    assert_jane_jackson(&p, "Trevelyan Square");
    assert_eq!(
        p.managing_organization
            .as_ref()
            .and_then(|r| r.type_and_id()),
        Some(("Organization", "14"))
    );
    // Nested (complex) extensions.
    let comms = p
        .extension
        .iter()
        .find(|e| {
            e.url
                .ends_with("Extension-CareConnect-GPC-NHSCommunication-1")
        })
        .expect("communication extension");
    let language = extension_by_url(&comms.extension, "language")
        .and_then(|e| e.value_codeable_concept.as_ref())
        .and_then(|cc| cc.coding[0].display.as_deref());
    assert_eq!(language, Some("Bengali"));
    let interpreter =
        extension_by_url(&comms.extension, "interpreterRequired").and_then(|e| e.value_boolean);
    assert_eq!(interpreter, Some(false));
}

#[test]
fn find_patient() {
    let b = bundle("find_patient_response_example.json");
    let patients: Vec<&Patient> = b.patients().collect();
    assert_eq!(patients.len(), 1);
    assert_jane_jackson(patients[0], "Trevelyan Square");
    let branch = patients[0]
        .extension
        .iter()
        .flat_map(|e| e.extension.iter())
        .find(|e| e.url == "preferredBranchSurgery")
        .and_then(|e| e.value_reference.as_ref())
        .and_then(|r| r.type_and_id());
    assert_eq!(
        branch,
        Some(("Location", "785b4ff5-aced-4bdf-b7ed-34f92131ce97"))
    );
}

#[test]
fn register_patient_request_is_parameters() {
    let params: Parameters = typed("register_patient_request_example.json");
    let p = params
        .get("registerPatient")
        .and_then(|p| p.resource.as_ref())
        .and_then(|r| r.downcast_ref::<Patient>())
        .expect("registerPatient parameter holds a Patient");
    assert_eq!(p.id, None);
    assert_jane_jackson(p, "1 Withings Lane");
    assert_eq!(
        p.official_name().and_then(|n| n.text.as_deref()),
        Some("Minnie DAWES")
    );
    let uses: Vec<_> = p.telecom.iter().map(|t| t.use_.as_deref()).collect();
    assert_eq!(uses, [Some("home"), Some("mobile")]);
}

#[test]
fn register_patient_response() {
    let b = bundle("register_patient_response_example.json");
    assert_eq!(
        b.meta.as_ref().map(|m| m.profile.as_slice()),
        Some([urls::PROFILE_GPC_SEARCHSET_BUNDLE.to_owned()].as_slice())
    );
    let p = b.patients().next().expect("registered patient");
    assert_jane_jackson(p, "1 Withings Lane");
    let period = p
        .extension
        .iter()
        .flat_map(|e| e.extension.iter())
        .find(|e| e.url == "registrationPeriod")
        .and_then(|e| e.value_period.as_ref())
        .and_then(|p| p.start.as_deref());
    assert_eq!(period, Some("2017-09-07T14:17:44+01:00"));
    assert_eq!(p.telecom.len(), 2);
}

// ------------------------------------------------- organisations, locations...

#[test]
fn read_and_find_organization() {
    let direct: Organization = typed("read_organization_response_example.json");
    let b = bundle("find_organization_response_example.json");
    let found = b.organizations().next().expect("one organisation");
    assert_eq!(b.organizations().count(), 1);
    assert_eq!(
        &direct, found,
        "read and search return the same organisation"
    );
    assert_eq!(direct.id.as_deref(), Some("23"));
    assert_eq!(direct.ods_code(), Some("A00001"));
    assert_eq!(direct.name.as_deref(), Some("The Trevelyan Practice"));
    assert_eq!(direct.address[0].line, ["Trevelyan Square", "Boar Ln"]);
    assert_eq!(direct.address[0].city.as_deref(), Some("Leeds"));
    assert_eq!(direct.telecom[0].system.as_deref(), Some("phone"));
}

#[test]
fn read_location_with_address_array() {
    // STU3 Location.address is 0..1; this example sends an array.
    let l: Location = typed("read_location_response_example.json");
    assert_eq!(l.id.as_deref(), Some("17"));
    assert_eq!(l.name.as_deref(), Some("Trevelyan Surgery"));
    let address = l.address.as_ref().expect("address taken from the array");
    assert_eq!(address.city.as_deref(), Some("Leeds"));
    assert_eq!(address.postal_code.as_deref(), Some("LS1 6AE"));
    assert_eq!(l.telecom[0].value.as_deref(), Some("03003035678"));
    assert_eq!(
        l.managing_organization
            .as_ref()
            .and_then(|r| r.type_and_id()),
        Some(("Organization", "14"))
    );
}

#[test]
fn read_and_find_practitioner() {
    let direct: Practitioner = typed("read_practitioner_response_example.json");
    let b = bundle("find_practitioner_response_example.json");
    assert_eq!(b.practitioners().next(), Some(&direct));
    assert_eq!(direct.id.as_deref(), Some("15"));
    assert_eq!(
        direct.identifier[0].system.as_deref(),
        Some(urls::SDS_USER_ID)
    );
    assert_eq!(direct.identifier[0].value.as_deref(), Some("111122223333"));
    assert_eq!(direct.name[0].display(), "Mrs Sarah Black");
}

#[test]
fn capability_statement() {
    let c: CapabilityStatement = typed("get_capability_statement_response_example.json");
    assert_eq!(c.fhir_version.as_deref(), Some("3.0.1"));
    assert_eq!(c.version.as_deref(), Some("1.2.7"));
    assert_eq!(c.kind.as_deref(), Some("capability"));
    assert_eq!(c.accept_unknown.as_deref(), Some("both"));
    assert_eq!(c.date.as_deref(), Some("2020-01-15"));
    assert_eq!(c.format, ["application/fhir+json", "application/fhir+xml"]);
    assert_eq!(c.profile.len(), 15);
    let software = c.software.as_ref().expect("software");
    assert_eq!(software.name.as_deref(), Some("[Provider Software Name]"));
    assert_eq!(software.release_date, None, "placeholder date is dropped");

    let rest = &c.rest[0];
    assert_eq!(rest.mode.as_deref(), Some("server"));
    assert_eq!(rest.security.as_ref().and_then(|s| s.cors), Some(true));
    let types: Vec<_> = rest
        .resource
        .iter()
        .filter_map(|r| r.type_.as_deref())
        .collect();
    assert_eq!(
        types,
        [
            "Patient",
            "Organization",
            "Practitioner",
            "Location",
            "Appointment",
            "Slot"
        ]
    );
    assert!(c.supports("Appointment", "create"));
    assert!(c.supports("Appointment", "update"));
    assert!(c.supports("Slot", "search-type"));
    assert!(!c.supports("Slot", "create"));
    assert!(!c.supports("Schedule", "read"));
    let slot = c.server_resource("Slot").expect("Slot");
    assert_eq!(slot.search_include.len(), 4);
    let params: Vec<_> = slot
        .search_param
        .iter()
        .filter_map(|p| p.name.as_deref())
        .collect();
    assert_eq!(params, ["start", "end", "status", "searchFilter"]);
    assert_eq!(slot.search_param[0].type_.as_deref(), Some("date"));
    assert_eq!(
        c.server_resource("Appointment")
            .and_then(|r| r.update_create),
        Some(false)
    );
    let register = c
        .operation("gpc.registerpatient")
        .expect("register operation");
    assert!(
        register
            .definition
            .reference
            .as_deref()
            .is_some_and(|r| r.ends_with("GPConnect-RegisterPatient-Operation-1"))
    );
    assert!(c.operation("gpc.unknown").is_none());
}

// ---------------------------------------------------------------- tolerance

#[test]
fn unknown_elements_are_ignored() {
    let json = json!({
        "resourceType": "Slot",
        "id": "s1",
        "implicitRules": "https://example.org/rules",
        "modifierExtension": [{"url": "https://example.org/m", "valueBoolean": true}],
        "futureElement": {"deep": [1, 2, {"x": null}]},
        "schedule": {"reference": "Schedule/1", "type": "Schedule", "_reference": {"id": "x"}},
        "status": "free",
        "_status": {"extension": []},
        "start": "2024-03-01T09:00:00Z",
        "end": "2024-03-01T09:10:00+00:00"
    });
    let slot: Slot = serde_json::from_value::<Resource>(json)
        .expect("parses")
        .downcast()
        .expect("a Slot");
    assert_eq!(slot.id.as_deref(), Some("s1"));
    assert_eq!(slot.status.as_deref(), Some("free"));
    assert_eq!(
        slot.schedule.and_then(|r| r.reference).as_deref(),
        Some("Schedule/1")
    );
    assert_eq!(slot.end.as_deref(), Some("2024-03-01T09:10:00+00:00"));
}

#[test]
fn unknown_resource_types_in_a_bundle_are_kept_aside() {
    let json = json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": 2,
        "entry": [
            {"fullUrl": "https://p.example/Slot/1", "resource": {"resourceType": "Slot", "id": "1", "status": "free"}, "search": {"mode": "match"}},
            {"resource": {"resourceType": "Basic", "id": "b", "code": {"text": "?"}}},
            {"resource": {"id": "no-type"}},
            {"resource": {"resourceType": "Practitioner", "id": "2", "name": {"family": "Black"}}},
            {"fullUrl": "urn:uuid:00000000-0000-0000-0000-000000000001"}
        ]
    });
    let b: Bundle = serde_json::from_value(json).expect("an unknown type does not fail the bundle");
    assert_eq!(b.total, Some(2));
    assert_eq!(b.resources().count(), 4);
    assert_eq!(b.resources().filter(|r| r.is_other()).count(), 2);
    assert_eq!(b.slots().count(), 1);
    assert_eq!(
        b.practitioners()
            .next()
            .map(|p| p.name[0].display())
            .as_deref(),
        Some("Black")
    );
    let basic = b
        .find("Basic/b")
        .expect("unknown types still resolve by type and id");
    assert_eq!(basic.resource_type(), "Basic");
    assert_eq!(basic.id(), Some("b"));
    assert_eq!(
        b.find("https://p.example/Slot/1")
            .map(Resource::resource_type),
        Some("Slot")
    );
    assert_eq!(
        b.entry[0].search.as_ref().and_then(|s| s.mode.as_deref()),
        Some("match")
    );

    // Unknown resources are written back exactly as read.
    let written = serde_json::to_value(&b).expect("serialises");
    assert_eq!(
        written["entry"][1]["resource"],
        json!({"resourceType": "Basic", "id": "b", "code": {"text": "?"}})
    );
    assert_eq!(written["entry"][0]["resource"]["resourceType"], "Slot");
}

#[test]
fn unknown_contained_resource_is_kept_aside() {
    let json = json!({
        "resourceType": "Appointment",
        "status": "booked",
        "contained": [
            {"resourceType": "Flag", "id": "f1"},
            {"resourceType": "Patient", "id": "P1", "gender": "male"}
        ],
        "participant": [{"actor": {"reference": "#P1"}, "status": "accepted"}]
    });
    let a: Appointment = serde_json::from_value(json).expect("parses");
    assert!(a.contained[0].is_other());
    assert_eq!(
        a.resolve_contained("#f1").map(Resource::resource_type),
        Some("Flag")
    );
    let p = a
        .resolve_contained("#P1")
        .and_then(|r| r.downcast_ref::<Patient>());
    assert_eq!(p.and_then(|p| p.gender.as_deref()), Some("male"));
    assert!(
        a.participant_of_type("Patient").is_some(),
        "contained actors count by type"
    );
}

#[test]
fn single_objects_are_read_where_arrays_belong() {
    // The shapes the UEC Booking standard's own examples use, and worse.
    let json = json!({
        "resourceType": "Patient",
        "meta": {"profile": urls::PROFILE_CARECONNECT_PATIENT},
        "identifier": {
            "extension": {"url": urls::EXT_NHS_NUMBER_VERIFICATION_STATUS,
                          "valueCodeableConcept": {"coding": {"system": urls::NHS_NUMBER_VERIFICATION_STATUS_SYSTEM, "code": "01"}}},
            "system": urls::NHS_NUMBER,
            "value": "9476719931"
        },
        "name": {"use": "official", "prefix": "Mr", "given": "John", "family": "Smith"},
        "telecom": {"system": "phone", "value": "01234 567 890", "use": "home", "rank": 1},
        "address": {"use": "home", "line": "123 High Street", "postalCode": "LS1 4HR"},
        "contact": {"name": [{"family": "Smith", "given": ["Mary"]}], "telecom": {"system": "phone", "value": "01234 588 187"}},
        "generalPractitioner": {"reference": "Organization/1"}
    });
    let p: Patient = serde_json::from_value::<Resource>(json)
        .expect("parses")
        .downcast()
        .expect("a Patient");
    assert_eq!(
        p.meta.as_ref().map(|m| m.profile.as_slice()),
        Some([urls::PROFILE_CARECONNECT_PATIENT.to_owned()].as_slice())
    );
    assert_eq!(p.nhs_number(), Some("9476719931"));
    assert_eq!(
        p.identifier[0].extension[0]
            .value_codeable_concept
            .as_ref()
            .map(|cc| cc.coding.len()),
        Some(1)
    );
    assert_eq!(p.name[0].display(), "Mr John Smith");
    assert_eq!(p.telecom[0].rank, Some(1));
    assert_eq!(p.address[0].line, ["123 High Street"]);
    assert_eq!(p.contact.len(), 1);
    assert_eq!(
        p.contact[0].name.as_ref().map(|n| n.display()).as_deref(),
        Some("Mary Smith")
    );
    assert_eq!(p.contact[0].telecom.len(), 1);
    assert_eq!(p.general_practitioner.len(), 1);

    // Writing always produces the STU3 arrays.
    let written = serde_json::to_value(&p).expect("serialises");
    assert!(written["meta"]["profile"].is_array());
    assert!(written["identifier"].is_array());
    assert!(written["identifier"][0]["extension"].is_array());
    assert!(written["name"].is_array());
    assert!(written["name"][0]["given"].is_array());
    assert!(written["name"][0]["prefix"].is_array());
    assert!(written["telecom"].is_array());
    assert!(written["address"][0]["line"].is_array());
    assert!(written["contact"].is_array());
    assert!(written["contact"][0]["name"].is_object());
    assert_eq!(written["resourceType"], "Patient");
}

#[test]
fn arrays_are_read_where_one_value_belongs() {
    let json = json!({
        "resourceType": "Bundle",
        "entry": [
            {"resource": {
                "resourceType": "Location", "id": "L1",
                "address": [{"city": "Leeds"}, {"city": "York"}],
                "type": [{"text": "GP surgery"}],
                "managingOrganization": [{"reference": "Organization/1"}]
            }},
            {"resource": {
                "resourceType": "Slot", "id": "S1",
                "serviceCategory": [{"text": "Urgent care"}, {"text": "ignored"}],
                "schedule": [{"reference": "Schedule/1"}]
            }},
            {"resource": {
                "resourceType": "Practitioner", "id": "P1",
                "name": [{"family": ["Black", "Smith"], "given": "Sarah"}]
            }}
        ]
    });
    let b: Bundle = serde_json::from_value(json).expect("parses");
    let l = b.locations().next().expect("location");
    assert_eq!(
        l.address.as_ref().and_then(|a| a.city.as_deref()),
        Some("Leeds")
    );
    assert_eq!(
        l.type_.as_ref().and_then(|t| t.text.as_deref()),
        Some("GP surgery")
    );
    assert_eq!(
        l.managing_organization
            .as_ref()
            .and_then(|r| r.type_and_id()),
        Some(("Organization", "1"))
    );
    let s = b.slots().next().expect("slot");
    assert_eq!(
        s.service_category.as_ref().and_then(|c| c.text.as_deref()),
        Some("Urgent care")
    );
    assert_eq!(
        s.schedule.as_ref().and_then(|r| r.type_and_id()),
        Some(("Schedule", "1"))
    );
    let p = b.practitioners().next().expect("practitioner");
    assert_eq!(p.name[0].family.as_deref(), Some("Black"));

    let written = serde_json::to_value(l).expect("serialises");
    assert!(
        written["address"].is_object(),
        "STU3 Location.address is written as one object"
    );
}

#[test]
fn bare_string_narrative_is_read() {
    let json = json!({"resourceType": "Appointment", "text": "<div>Appointment</div>", "language": "en-GB"});
    let a: Appointment = serde_json::from_value::<Resource>(json)
        .expect("parses")
        .downcast()
        .expect("Appointment");
    assert_eq!(
        a.text.map(|t| t.div).as_deref(),
        Some("<div>Appointment</div>")
    );
    assert_eq!(a.language.as_deref(), Some("en-GB"));
}

#[test]
fn a_broken_known_resource_is_an_error_naming_its_type() {
    let err = serde_json::from_str::<Resource>(r#"{"resourceType": "Slot", "start": 5}"#)
        .expect_err("a number is not a dateTime");
    assert!(err.to_string().contains("Slot"), "{err}");
    let err = serde_json::from_str::<Resource>(
        r#"{"resourceType": "Appointment", "participant": [{"actor": "Patient/1"}]}"#,
    )
    .expect_err("a Reference is an object");
    assert!(err.to_string().contains("Appointment"), "{err}");
}

#[test]
fn reading_as_resource_tells_an_outcome_from_an_appointment() {
    // A provider may answer with an OperationOutcome where an Appointment was
    // expected; only the Resource path notices.
    let text = r#"{"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "conflict",
        "details": {"coding": [{"system": "https://fhir.nhs.uk/STU3/ValueSet/Spine-ErrorOrWarningCode-1", "code": "DUPLICATE_REJECTED"}]},
        "diagnostics": "Slot already booked"}]}"#;
    let r: Resource = serde_json::from_str(text).expect("parses");
    assert_eq!(r.resource_type(), "OperationOutcome");
    let r = r.downcast::<Appointment>().expect_err("not an Appointment");
    let oo: OperationOutcome = r.downcast().expect("an OperationOutcome");
    assert_eq!(
        oo.spine_code(),
        Some("DUPLICATE_REJECTED"),
        "the older ValueSet URL is accepted"
    );
    assert_eq!(
        oo.issue[0].diagnostics.as_deref(),
        Some("Slot already booked")
    );

    let current = text.replace("STU3/ValueSet/", "STU3/CodeSystem/");
    let oo: OperationOutcome = serde_json::from_str(&current).expect("parses");
    assert_eq!(oo.spine_code(), Some("DUPLICATE_REJECTED"));
}

#[test]
fn empty_and_null_values_read_as_absent() {
    let json = json!({"resourceType": "Organization", "telecom": null, "address": [], "name": null, "type": []});
    let o: Organization = serde_json::from_value(json).expect("parses");
    assert_eq!(o, Organization::default());
    assert_eq!(
        serde_json::to_value(&o).expect("serialises"),
        json!({"resourceType": "Organization"})
    );
}

#[test]
fn non_object_json_is_not_a_known_resource() {
    let r: Resource = serde_json::from_value(Value::String("oops".into())).expect("kept aside");
    assert!(r.is_other());
    assert_eq!(r.resource_type(), "");
    assert_eq!(r.id(), None);
}
