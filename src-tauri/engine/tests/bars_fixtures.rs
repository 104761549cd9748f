//! The R4 types read every published BaRS example (with the quirks those
//! examples carry), write them back without nulls or empty elements, and
//! the R4 message Bundle our engine builds reads as the same types and
//! passes `r4::check`.

#[path = "support/session.rs"]
mod test_session;
use test_session::session;

use std::collections::BTreeSet;

use booking_engine::clinical::ClinicalSummary;
use booking_engine::clinical::bars::message_bundle;
use booking_engine::fhir::r4::{
    self, Appointment, Bundle, CapabilityStatement, Encounter, Flag, HealthcareService, Location,
    MessageHeader, Observation, OperationOutcome, Organization, Patient, Practitioner,
    PractitionerRole, Resource, ResourceKind, Schedule, ServiceRequest, Slot, extension_by_url,
    urls,
};
use booking_engine::ids::NhsNumber;
use booking_engine::standards::bars_message::{Recipient, endpoint};
use booking_engine::views::PatientView;
use chrono::DateTime;
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/bars");

/// Every fixture file must appear here and be read by a content test below.
const CHECKED: &[&str] = &[
    "OperationOutcome_PROXY-NONE_400-BAD_REQUEST-invalid.json",
    "OperationOutcome_PROXY-NONE_400-BAD_REQUEST-required.json",
    "OperationOutcome_PROXY-NONE_400-BAD_REQUEST-structure.json",
    "OperationOutcome_PROXY-NONE_404-NOT_FOUND-multiple-matches.json",
    "OperationOutcome_PROXY-NONE_404-NOT_FOUND-not-found.json",
    "OperationOutcome_PROXY-NONE_409-BAD_REQUEST-duplicate.json",
    "OperationOutcome_PROXY-NONE_500-SERVER_ERROR-exception.json",
    "OperationOutcome_PROXY-NONE_500-SERVER_ERROR-transient.json",
    "OperationOutcome_PROXY-NONE_503-SERVICE_UNAVAILABLE-transient.json",
    "OperationOutcome_REC_400-REC_BAD_REQUEST-invalid.json",
    "OperationOutcome_REC_400-REC_BAD_REQUEST-invariant.json",
    "OperationOutcome_REC_400-REC_BAD_REQUEST-not-supported.json",
    "OperationOutcome_REC_400-REC_BAD_REQUEST-required.json",
    "OperationOutcome_REC_400-REC_BAD_REQUEST-value.json",
    "OperationOutcome_REC_401-REC_UNAUTHORIZED-forbidden.json",
    "OperationOutcome_REC_403-REC_FORBIDDEN-forbidden.json",
    "OperationOutcome_REC_403-REC_FORBIDDEN-security.json",
    "OperationOutcome_REC_404-REC_NOT_FOUND-not-found.json",
    "OperationOutcome_REC_406-REC_NOT_ACCEPTABLE-processing.json",
    "OperationOutcome_REC_408-REC_TIMEOUT-timeout.json",
    "OperationOutcome_REC_409-REC_CONFLICT-conflict.json",
    "OperationOutcome_REC_409-REC_CONFLICT-duplicate.json",
    "OperationOutcome_REC_422-REC_UNPROCESSABLE_ENTITY-not-supported.json",
    "OperationOutcome_REC_422-REC_UNPROCESSABLE_ENTITY-too-costly.json",
    "OperationOutcome_REC_500-REC_SERVER_ERROR-exception.json",
    "OperationOutcome_REC_500-REC_SERVER_ERROR-no-store.json",
    "OperationOutcome_REC_500-REC_SERVER_ERROR-too_costly.json",
    "OperationOutcome_REC_500-REC_SERVER_ERROR-transient.json",
    "OperationOutcome_REC_501-REC_NOT_IMPLEMENTED-not-supported.json",
    "OperationOutcome_REC_503-REC_SERVICE_UNAVAILABLE-transient.json",
    "OperationOutcome_SEND_400-SEND_BAD_REQUEST-invalid.json",
    "OperationOutcome_SEND_400-SEND_BAD_REQUEST-required.json",
    "OperationOutcome_SEND_400-SEND_BAD_REQUEST-value.json",
    "OperationOutcome_SEND_401-SEND_UNAUTHORIZED-expired.json",
    "OperationOutcome_SEND_401-SEND_UNAUTHORIZED-login.json",
    "OperationOutcome_SEND_401-SEND_UNAUTHORIZED-security.json",
    "OperationOutcome_SEND_401-SEND_UNAUTHORIZED-unknown.json",
    "OperationOutcome_SEND_403-SEND_FORBIDDEN-forbidden.json",
    "OperationOutcome_SEND_405-SEND_METHOD_NOT_ALLOWED-not-supported.json",
    "OperationOutcome_SEND_406-SEND_NOT_ACCEPTABLE-processing.json",
    "OperationOutcome_SEND_429-SEND_TOO_MANY_REQUESTS-throttled.json",
    "appointment_GET-success.json",
    "appointment_PATCH-body.json",
    "appointment_POST-success.json",
    "appointment_PUT-body.json",
    "appointment_id_GET-success.json",
    "metadata_BaRS_API_Capability_Statement.json",
    "process_message_POST-body.json",
    "process_message_POST-success.json",
    "process_message_request_Booking_POST.json",
    "process_message_request_ValidationRequest_POST.json",
    "process_message_request_ValidationResponse_POST.json",
    "process_message_response_Booking_HTTP_Response.json",
    "process_message_response_ValidationRequest_HTTP_Response.json",
    "slots_GET-success.json",
];

// ------------------------------------------------------------------ helpers

fn names() -> Vec<String> {
    let dir = std::fs::read_dir(DIR).unwrap_or_else(|e| panic!("listing {DIR}: {e}"));
    let mut names: Vec<String> = dir
        .map(|entry| entry.expect("directory entry").file_name())
        .filter_map(|name| name.into_string().ok())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    names
}

fn text(name: &str) -> String {
    let path = format!("{DIR}/{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

fn json(name: &str) -> Value {
    serde_json::from_str(&text(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn resource(name: &str) -> Resource {
    serde_json::from_str(&text(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
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

/// The entry `reference` points at, as a `T`.
fn resolve<'a, T: ResourceKind>(bundle: &'a Bundle, reference: Option<&r4::Reference>) -> &'a T {
    let reference = reference.expect("a reference");
    bundle
        .resolve(reference)
        .and_then(|r| r.downcast_ref::<T>())
        .unwrap_or_else(|| {
            panic!(
                "{:?} does not resolve to a {}",
                reference.reference,
                T::RESOURCE_TYPE
            )
        })
}

/// Where `value` holds a null, an empty array, object or string: what a
/// strict writer never emits.
fn empties(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Null => out.push(path.to_owned()),
        Value::String(s) if s.is_empty() => out.push(path.to_owned()),
        Value::Array(a) if a.is_empty() => out.push(path.to_owned()),
        Value::Object(o) if o.is_empty() => out.push(path.to_owned()),
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                empties(v, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(o) => {
            for (k, v) in o {
                empties(v, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

fn problems(r: &Resource) -> Vec<String> {
    r4::check(r).iter().map(ToString::to_string).collect()
}

// ------------------------------------------------------------- every file

#[test]
fn every_fixture_is_listed_and_parses_as_its_type() {
    let mut checked: Vec<&str> = CHECKED.to_vec();
    checked.sort_unstable();
    assert_eq!(
        names(),
        checked,
        "fixture set changed: add content checks for new files"
    );
    let mut unknown_entries = BTreeSet::new();
    for name in CHECKED {
        let r = resource(name);
        let expected = if name.starts_with("OperationOutcome_") {
            "OperationOutcome"
        } else if name.starts_with("metadata_") {
            "CapabilityStatement"
        } else if name.starts_with("process_message_")
            || name.starts_with("slots_")
            || *name == "appointment_GET-success.json"
        {
            "Bundle"
        } else {
            "Appointment"
        };
        assert_eq!(r.resource_type(), expected, "{name}");
        assert!(!r.is_other(), "{name} read as an unknown resource");
        if let Resource::Bundle(b) = &r {
            let kind = if name.starts_with("process_message_") {
                "message"
            } else {
                "searchset"
            };
            assert_eq!(b.type_.as_deref(), Some(kind), "{name}");
            for inner in b.resources().filter(|r| r.is_other()) {
                unknown_entries.insert(inner.resource_type().to_owned());
            }
        }
    }
    // The only entries kept as raw JSON are the types BaRS types do not need.
    assert_eq!(
        unknown_entries.into_iter().collect::<Vec<_>>(),
        ["CarePlan", "Consent"]
    );
}

#[test]
fn reserialising_is_stable_and_writes_no_empties() {
    for name in CHECKED {
        let first = resource(name);
        let written = serde_json::to_value(&first).expect("serialises");
        let mut found = Vec::new();
        empties(&written, first.resource_type(), &mut found);
        assert!(found.is_empty(), "{name} writes empty elements: {found:?}");
        let second = Resource::from_value(written).expect("re-reads");
        assert_eq!(first, second, "{name}");
    }
}

#[test]
fn round_trips_are_lossless_except_for_known_quirks() {
    // Everything the examples send is modelled (or kept raw), so writing
    // back what was read gives the same JSON. The exceptions are the
    // example's own mistakes, which a strict writer corrects.
    let lossy = [
        // A Slot with `"Schedule"` (capital S): read, and written as `schedule`.
        "process_message_POST-success.json",
        "process_message_response_Booking_HTTP_Response.json",
    ];
    for name in CHECKED {
        let original = json(name);
        let written = serde_json::to_value(resource(name)).expect("serialises");
        if lossy.contains(name) {
            assert_ne!(written, original, "{name}");
        } else {
            assert_eq!(
                written, original,
                "{name} changed in a read/write round trip"
            );
        }
    }
}

// ---------------------------------------------------------- OperationOutcome

/// What a file name says: `OperationOutcome_{origin}_{status}-{code}-{issue type}.json`.
struct Named<'a> {
    origin: &'a str,
    status: u16,
    code: &'a str,
    issue_type: &'a str,
}

fn named(name: &str) -> Named<'_> {
    let stem = name
        .strip_prefix("OperationOutcome_")
        .and_then(|s| s.strip_suffix(".json"))
        .expect("an OperationOutcome file name");
    let (origin, rest) = stem.split_once('_').expect("origin");
    let mut parts = rest.splitn(3, '-');
    let mut next = || parts.next().expect("name part");
    Named {
        origin,
        status: next().parse().expect("an HTTP status"),
        code: next(),
        issue_type: next(),
    }
}

#[test]
fn every_operation_outcome_carries_its_error_code() {
    let mut seen = 0;
    for name in CHECKED
        .iter()
        .filter(|n| n.starts_with("OperationOutcome_"))
    {
        let n = named(name);
        assert!((400..600).contains(&n.status), "{name}");
        let oo: OperationOutcome = typed(name);
        assert_eq!(oo.issue.len(), 1, "{name}");
        let issue = &oo.issue[0];
        assert_eq!(issue.severity.as_deref(), Some("error"), "{name}");
        // One example writes the issue type with a space where its file
        // name (and FHIR's IssueType code) has a separator: kept as sent.
        let issue_type = match n.issue_type {
            "too_costly" => "too costly",
            t => t,
        };
        assert_eq!(issue.code.as_deref(), Some(issue_type), "{name}");
        let coding = issue
            .details
            .as_ref()
            .and_then(|d| d.coding.first())
            .expect("details.coding");
        assert_eq!(
            coding.system.as_deref(),
            Some(urls::HTTP_ERROR_CODES),
            "{name}"
        );
        assert_eq!(coding.code.as_deref(), Some(n.code), "{name}");
        assert_eq!(oo.error_code(), Some(n.code), "{name}");
        assert_eq!(issue.error_coding(), Some(coding), "{name}");
        // SEND_ and REC_ errors say who failed; the proxy's own carry no prefix.
        match n.origin {
            "SEND" => assert!(n.code.starts_with("SEND_"), "{name}"),
            "REC" => assert!(n.code.starts_with("REC_"), "{name}"),
            "PROXY-NONE" => assert!(
                [
                    "BAD_REQUEST",
                    "NOT_FOUND",
                    "SERVER_ERROR",
                    "SERVICE_UNAVAILABLE"
                ]
                .contains(&n.code),
                "{name}"
            ),
            other => panic!("{name}: unexpected origin {other}"),
        }
        assert!(
            issue.diagnostics.as_deref().is_some_and(|d| !d.is_empty()),
            "{name}"
        );
        assert!(issue.expression.is_empty(), "{name}");
        seen += 1;
    }
    assert_eq!(seen, 41);
}

#[test]
fn the_other_spelling_of_the_error_code_system_is_read_too() {
    let oo: OperationOutcome = serde_json::from_value(serde_json::json!({
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "conflict", "expression": "Appointment.slot",
            "details": {"coding": {"system": urls::HTTP_ERROR_CODES_CAMEL, "code": "REC_CONFLICT"}}}]
    }))
    .expect("reads");
    assert_eq!(oo.error_code(), Some("REC_CONFLICT"));
    // A lone expression string is read as the array R4 defines.
    assert_eq!(oo.issue[0].expression, ["Appointment.slot"]);
}

// ---------------------------------------------------------------- booking

#[test]
fn the_booking_request_is_a_booking_request_message_focused_on_an_appointment() {
    let name = "process_message_request_Booking_POST.json";
    let b: Bundle = typed(name);
    // The POST body example is the same document.
    assert_eq!(typed::<Bundle>("process_message_POST-body.json"), b);
    assert_eq!(
        b.id.as_deref(),
        Some("777a156c-af3c-4748-a8a3-7e95e4b0df9a")
    );
    assert_eq!(b.timestamp.as_deref(), Some("2021-10-11T12:15:10+00:00"));
    assert_eq!(
        b.meta.as_ref().map(|m| m.profile.clone()),
        Some(vec![
            "https://fhir.nhs.uk/StructureDefinition/BARSBundleMessage".to_owned()
        ])
    );
    assert!(b.entry.iter().all(|e| e.full_url.is_some()));

    let h = b.message_header().expect("MessageHeader first");
    let event = h.event_coding.as_ref().expect("eventCoding");
    assert_eq!(event.system.as_deref(), Some(urls::MESSAGE_EVENTS_BARS));
    assert_eq!(h.event_code(), Some("booking-request"));
    assert_eq!(
        h.definition.as_deref(),
        Some(urls::MESSAGE_DEFINITION_BOOKING_REQUEST)
    );
    let reason = h
        .reason
        .as_ref()
        .and_then(|r| r.coding.first())
        .expect("reason");
    assert_eq!(reason.system.as_deref(), Some(urls::MESSAGE_REASON_BARS));
    assert_eq!(reason.code.as_deref(), Some("new"));
    let source = h.source.as_ref().expect("source");
    assert_eq!(source.software.as_deref(), Some("My software name"));
    assert_eq!(source.version.as_deref(), Some("2.1.45"));
    assert_eq!(
        source.contact.as_ref().and_then(|c| c.value.as_deref()),
        Some("+44 (0113) 123 4567")
    );
    assert_eq!(
        source.endpoint.as_deref(),
        Some("http://fhir.nhs.uk/Id/dos-service-id|2222222222")
    );
    assert_eq!(
        h.destination[0].endpoint.as_deref(),
        Some("http://fhir.nhs.uk/Id/dos-service-id|111111111")
    );
    let receiver: &Organization = resolve(&b, h.destination[0].receiver.as_ref());
    assert_eq!(
        receiver.name.as_deref(),
        Some("ORIGINAL Receiving/performing Organization")
    );
    let sender: &Organization = resolve(&b, h.sender.as_ref());
    assert_eq!(sender.name.as_deref(), Some("ORIGINAL Sender Organization"));

    // The focus resolves to the Appointment entry, and from it the rest.
    assert_eq!(h.focus.len(), 1);
    let a: &Appointment = resolve(&b, h.focus.first());
    assert_eq!(a.status.as_deref(), Some("booked"));
    assert_eq!(a.start.as_deref(), Some("2021-10-12T12:30:30+00:00"));
    assert_eq!(a.end.as_deref(), Some("2021-10-12T12:40:30+00:00"));
    assert_eq!(a.description.as_deref(), Some("Reason for calling-"));
    assert_eq!(a.participant[0].status.as_deref(), Some("accepted"));

    let patient: &Patient = resolve(&b, a.participant[0].actor.as_ref());
    assert_eq!(patient.nhs_number(), Some("9476719931"));
    assert_eq!(
        patient.official_name().map(|n| n.display()),
        Some("Mr Peter Chalmers".to_owned())
    );
    assert_eq!(patient.birth_date.as_deref(), Some("1974-12-25"));
    assert_eq!(patient.contact.len(), 2);
    let rank = extension_by_url(
        &patient.contact[1].extension,
        "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-ContactRank",
    );
    assert_eq!(rank.and_then(|e| e.value_positive_int), Some(2));
    assert_eq!(patient.communication[0].preferred, Some(true));
    let surgery: &Organization = resolve(&b, patient.general_practitioner.first());
    // The example spells the ODS system in lower case; it is still read.
    assert_eq!(surgery.ods_code(), Some("G82080"));

    let slot: &Slot = resolve(&b, a.slot.first());
    assert_eq!(slot.status.as_deref(), Some("busy"));
    assert_eq!(
        slot.service_category[0].coding[0].code.as_deref(),
        Some("14")
    );
    let schedule: &Schedule = resolve(&b, slot.schedule.as_ref());
    let actors: Vec<&str> = schedule
        .actor
        .iter()
        .map(|r| b.resolve(r).expect("actor resolves").resource_type())
        .collect();
    assert_eq!(
        actors,
        ["HealthcareService", "PractitionerRole", "Practitioner"]
    );
    let service: &HealthcareService = resolve(&b, schedule.actor.first());
    let location: &Location = resolve(&b, service.location.first());
    let position = location.position.as_ref().expect("position");
    assert_eq!(position.latitude, Some(-37.22866));

    // And what Booking Desk would send this way passes the base rules.
    assert_eq!(problems(&b.into()), Vec::<String>::new());
}

#[test]
fn the_booking_response_is_read_despite_its_quirks() {
    let name = "process_message_response_Booking_HTTP_Response.json";
    let b: Bundle = typed(name);
    assert_eq!(typed::<Bundle>("process_message_POST-success.json"), b);
    let h = b.message_header().expect("MessageHeader first");
    assert_eq!(h.event_code(), Some("booking-request"));
    // An older event system than the request's.
    assert_eq!(
        h.event_coding.as_ref().and_then(|c| c.system.as_deref()),
        Some("https://fhir.nhs.uk/CodeSystem/message-event-servicerequest")
    );
    assert_eq!(h.focus[0].type_.as_deref(), Some("Appointment"));
    let a: &Appointment = resolve(&b, h.focus.first());
    assert_eq!(
        a.id.as_deref(),
        Some("e284470a-6695-4c95-b2ad-fa26b3a486c7")
    );
    assert_eq!(
        a.based_on[0].type_and_id(),
        Some(("ServiceRequest", "71d2b38e-b81c-4894-a522-6a65265b1d58"))
    );
    assert_eq!(a.based_on[0].type_.as_deref(), Some("serviceRequest"));
    // The provider's Slot is found by `Slot/{id}`; its `"Schedule"` is read.
    let slot: &Slot = b
        .find_of(a.slot[0].reference.as_deref().expect("slot"))
        .expect("slot resolves by type and id");
    assert_eq!(
        slot.schedule.as_ref().and_then(|r| r.reference.as_deref()),
        Some("Schedule/{ScheduleItem}")
    );
    // A malformed receiver reference simply does not resolve.
    let receiver = h.destination[0].receiver.as_ref().expect("receiver");
    assert!(b.resolve(receiver).is_none());

    // What the base rules make of it: placeholder ids and a participant
    // without a status. Booking Desk would never write these.
    assert_eq!(
        problems(&b.into()),
        [
            "Bundle.entry[1].resource.participant[0].status: Appointment.participant.status is required",
            "Bundle.entry[4].resource.id: '{ScheduleItem}' is not a valid id (1-64 of A-Z a-z 0-9 - .)",
            "Bundle.entry[5].resource.id: '[HealcareServiceid]' is not a valid id (1-64 of A-Z a-z 0-9 - .)",
            "Bundle.entry[6].resource.id: '[Practitionerid]' is not a valid id (1-64 of A-Z a-z 0-9 - .)",
            "Bundle.entry[7].resource.id: '[PractitionerRoleid]' is not a valid id (1-64 of A-Z a-z 0-9 - .)",
            "Bundle.entry[8].resource.id: '[Locationid]' is not a valid id (1-64 of A-Z a-z 0-9 - .)",
        ]
    );
}

// ------------------------------------------------------------- validation

#[test]
fn the_validation_request_carries_the_clinical_content() {
    let name = "process_message_request_ValidationRequest_POST.json";
    let b: Bundle = typed(name);
    let h = b.message_header().expect("MessageHeader first");
    assert_eq!(h.event_code(), Some("servicerequest-request"));
    let cdss = extension_by_url(
        &h.extension,
        "https://fhir.nhs.uk/StructureDefinition/CDSSExtension",
    )
    .expect("CDSS extension");
    assert_eq!(
        extension_by_url(&cdss.extension, "RequesterCDSSsoftware")
            .and_then(|e| e.value_string.as_deref()),
        Some("Pathways")
    );

    let sr: &ServiceRequest = resolve(&b, h.focus.first());
    assert_eq!(sr.status.as_deref(), Some("active"));
    assert_eq!(sr.intent.as_deref(), Some("plan"));
    assert_eq!(sr.category[0].coding[0].code.as_deref(), Some("validation"));
    assert_eq!(
        sr.occurrence_period.as_ref().and_then(|p| p.end.as_deref()),
        Some("2021-11-26T15:20:00+00:00")
    );
    let performer: &HealthcareService = resolve(&b, sr.performer.first());
    assert_eq!(performer.dos_service_id(), Some("111111111"));
    let encounter: &Encounter = resolve(&b, sr.encounter.as_ref());
    assert_eq!(encounter.status.as_deref(), Some("triaged"));
    assert_eq!(
        encounter.class.as_ref().and_then(|c| c.code.as_deref()),
        Some("EMER")
    );
    let patient: &Patient = resolve(&b, sr.subject.as_ref());
    assert_eq!(patient.nhs_number(), Some("3478526985"));
    let requester: &Practitioner = resolve(&b, sr.requester.as_ref());
    assert!(!requester.name.is_empty());
    let place: &Location = resolve(&b, sr.location_reference.first());
    assert_eq!(
        place
            .address
            .as_ref()
            .and_then(|a| a.postal_code.as_deref()),
        Some("LS1 6PT")
    );

    let obs: Vec<&Observation> = b.resources_of().collect();
    assert_eq!(obs.len(), 1);
    assert_eq!(obs[0].status.as_deref(), Some("final"));
    assert_eq!(
        obs[0]
            .code
            .as_ref()
            .and_then(|c| c.coding[0].code.as_deref()),
        Some("271594007")
    );
    let flags: Vec<&Flag> = b.resources_of().collect();
    assert_eq!(flags[0].status.as_deref(), Some("active"));
    assert_eq!(flags[0].category[0].coding[0].code.as_deref(), Some("SS"));
    assert_eq!(
        flags[0]
            .code
            .as_ref()
            .and_then(|c| c.coding[0].code.as_deref()),
        Some("S")
    );
    let roles: Vec<&PractitionerRole> = b.resources_of().collect();
    assert_eq!(roles.len(), 2);

    // CarePlan and Consent are kept exactly as sent.
    let original = json(name);
    for (i, e) in b.entry.iter().enumerate() {
        if let Some(Resource::Other(raw)) = &e.resource {
            assert_eq!(raw, &original["entry"][i]["resource"], "entry {i}");
        }
    }
    assert_eq!(problems(&b.into()), Vec::<String>::new());
}

#[test]
fn the_validation_response_answers_the_request() {
    let reply: Bundle = typed("process_message_request_ValidationResponse_POST.json");
    let answered: Bundle = typed("process_message_response_ValidationRequest_HTTP_Response.json");
    let h = reply.message_header().expect("MessageHeader first");
    assert_eq!(h.event_code(), Some("servicerequest-response"));
    let response = h.response.as_ref().expect("response");
    assert_eq!(response.code.as_deref(), Some("ok"));
    // response.identifier is the id of the Bundle it answers.
    assert_eq!(response.identifier, answered.id);
    let outcome: &Encounter = resolve(&reply, h.focus.first());
    assert_eq!(outcome.status.as_deref(), Some("finished"));
    assert_eq!(
        outcome.reason_code[0].coding[0].code.as_deref(),
        Some("validation-triage-outcome")
    );
    assert_eq!(problems(&reply.into()), Vec::<String>::new());

    // The request as the receiver got it: no definition, and a performer
    // reference missing its `urn:uuid:` prefix (so it does not resolve).
    let h = answered.message_header().expect("MessageHeader first");
    assert_eq!(h.definition, None);
    let sr: &ServiceRequest = resolve(&answered, h.focus.first());
    assert_eq!(sr.authored_on.as_deref(), Some("2021-11-26T15:00:00+00:00"));
    assert_eq!(
        sr.reason_code[0].coding[0].code.as_deref(),
        Some("1122334455")
    );
    assert!(answered.resolve(&sr.performer[0]).is_none());
    assert_eq!(problems(&answered.into()), Vec::<String>::new());
}

// ---------------------------------------------------- appointments, slots

#[test]
fn appointment_search_returns_a_searchset_of_appointments() {
    let b: Bundle = typed("appointment_GET-success.json");
    assert_eq!(b.total, Some(2));
    assert_eq!(b.link[0].relation.as_deref(), Some("self"));
    let appointments: Vec<&Appointment> = b.resources_of().collect();
    assert_eq!(appointments.len(), 2);
    for (e, a) in b.entry.iter().zip(&appointments) {
        assert_eq!(
            e.search.as_ref().and_then(|s| s.mode.as_deref()),
            Some("match")
        );
        let id = a.id.as_deref().expect("id");
        assert!(e.full_url.as_deref().is_some_and(|u| u.ends_with(id)));
        assert_eq!(a.status.as_deref(), Some("booked"));
        let p = &a.participant[0];
        assert_eq!(p.status.as_deref(), Some("accepted"));
        assert_eq!(p.type_[0].coding[0].code.as_deref(), Some("ATND"));
        assert_eq!(a.based_on[0].type_.as_deref(), Some("ServiceRequest"));
    }
    // Found by the URL the search gave.
    let url = b.entry[1].full_url.as_deref().expect("fullUrl");
    assert_eq!(b.find_of::<Appointment>(url), Some(appointments[1]));
    assert_eq!(problems(&b.into()), Vec::<String>::new());
}

#[test]
fn single_appointments_read_write_and_patch() {
    let read: Appointment = typed("appointment_id_GET-success.json");
    assert_eq!(
        read.id.as_deref(),
        Some("91607239-b002-470a-8709-6b25bd50fdd1")
    );
    assert_eq!(read.status.as_deref(), Some("booked"));
    assert_eq!(read.minutes_duration, None);
    assert_eq!(
        read.slot[0].reference.as_deref(),
        Some("urn:uuid:deb4c4b3-870b-4599-84df-5e54cef7afda")
    );
    assert_eq!(
        read.based_on[0].type_and_id(),
        Some(("ServiceRequest", "236bb75d-90ef-461f-b71e-fde7f899802c"))
    );
    // POST's answer and PUT's body are the appointment as read.
    assert_eq!(typed::<Appointment>("appointment_POST-success.json"), read);
    assert_eq!(typed::<Appointment>("appointment_PUT-body.json"), read);
    assert_eq!(problems(&read.into()), Vec::<String>::new());

    // A PATCH body carries only what changes: no participants, no times.
    let patch: Appointment = typed("appointment_PATCH-body.json");
    assert_eq!(patch.status.as_deref(), Some("booked"));
    assert!(patch.participant.is_empty() && patch.start.is_none());
    assert_eq!(
        patch.meta.as_ref().and_then(|m| m.last_updated.as_deref()),
        Some("2021-11-11T12:11:30+00:00")
    );
}

#[test]
fn slot_search_returns_free_slots_with_their_schedule_and_actors() {
    let b: Bundle = typed("slots_GET-success.json");
    assert_eq!(b.total, Some(8));
    assert_eq!(b.entry.len(), 8);
    let slots: Vec<&Slot> = b.resources_of().collect();
    assert_eq!(slots.len(), 3);
    for s in &slots {
        assert_eq!(s.status.as_deref(), Some("free"));
        let channel = extension_by_url(
            &s.extension,
            "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-DeliveryChannel",
        );
        assert_eq!(
            channel.and_then(|e| e.value_code.as_deref()),
            Some("Telephone")
        );
        assert_eq!(
            s.appointment_type
                .as_ref()
                .and_then(|t| t.coding[0].code.as_deref()),
            Some("EMERGENCY")
        );
        let schedule: &Schedule = resolve(&b, s.schedule.as_ref());
        assert_eq!(schedule.id.as_deref(), Some("sched1111"));
    }
    assert_eq!(
        slots[1].start.as_deref(),
        Some("2021-10-06T10:00:00.000+00:00")
    );
    assert_eq!(
        slots[1].end.as_deref(),
        Some("2021-10-06T10:30:00.000+00:00")
    );

    let schedule: &Schedule = resolve(&b, slots[0].schedule.as_ref());
    assert_eq!(
        schedule.service_type[0].coding[0].code.as_deref(),
        Some("117")
    );
    let service: &HealthcareService = resolve(&b, schedule.actor.first());
    assert_eq!(service.id.as_deref(), Some("2000099999"));
    let role: &PractitionerRole = resolve(&b, schedule.actor.get(1));
    let doctor: &Practitioner = resolve(&b, role.practitioner.as_ref());
    assert_eq!(
        r4::identifier_value(
            &doctor.identifier,
            "https://fhir.nhs.uk/Id/sds-role-profile-id"
        ),
        Some("R0260")
    );
    let place: &Location = resolve(&b, service.location.first());
    assert_eq!(place.name.as_deref(), Some("Healthcare Service Location"));
    assert_eq!(problems(&b.into()), Vec::<String>::new());
}

// ------------------------------------------------------------ capabilities

#[test]
fn the_capability_statement_lists_resources_operations_and_messages() {
    let cs: CapabilityStatement = typed("metadata_BaRS_API_Capability_Statement.json");
    assert_eq!(cs.fhir_version.as_deref(), Some("4.0.1"));
    assert_eq!(cs.kind.as_deref(), Some("instance"));
    assert_eq!(cs.date.as_deref(), Some("2024-01-09"));
    let software = cs.software.as_ref().expect("software");
    assert_eq!(software.name.as_deref(), Some("NHS Digital"));
    assert_eq!(software.version.as_deref(), Some("1.2.0"));
    assert_eq!(cs.format, ["xml", "json"]);

    let types: Vec<&str> = cs.rest[0]
        .resource
        .iter()
        .filter_map(|r| r.type_.as_deref())
        .collect();
    assert_eq!(
        types,
        [
            "CapabilityStatement",
            "MessageDefinition",
            "Appointment",
            "ServiceRequest",
            "Slot"
        ]
    );
    assert!(cs.supports("Appointment", "read"));
    assert!(cs.supports("Appointment", "search-type"));
    assert!(cs.supports("Slot", "search-type"));
    assert!(!cs.supports("Slot", "create"));
    assert!(!cs.supports("Patient", "read"));
    let slot = cs.server_resource("Slot").expect("Slot");
    assert!(slot.search_include.iter().any(|i| i == "Slot:schedule"));
    assert_eq!(slot.versioning.as_deref(), Some("no-version"));
    let system: Vec<&str> = cs.rest[0]
        .interaction
        .iter()
        .filter_map(|i| i.code.as_deref())
        .collect();
    assert_eq!(system, ["transaction", "search-system"]);

    for name in ["$process-message", "process-message"] {
        let op = cs.operation(name).expect("operation");
        assert_eq!(
            op.definition.as_deref(),
            Some("http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message")
        );
    }
    assert!(cs.supports_message(urls::MESSAGE_DEFINITION_BOOKING_REQUEST, "receiver"));
    assert!(cs.supports_message(urls::MESSAGE_DEFINITION_BOOKING_REQUEST, "sender"));
    assert!(!cs.supports_message("https://example.org/nothing", "receiver"));
    assert_eq!(
        cs.messaging[0].endpoint[0].address.as_deref(),
        Some("https://int.api.service.nhs.uk/booking-and-referral/FHIR/R4")
    );
    assert_eq!(cs.contact[0].telecom[0].system.as_deref(), Some("email"));
}

// ------------------------------------------- what Booking Desk writes

fn patient() -> PatientView {
    PatientView {
        id: None,
        nhs_number: Some(NhsNumber::parse("9434765919").expect("nhs")),
        family: "Jackson".into(),
        given: vec!["Jane".into()],
        prefix: Some("Miss".into()),
        gender: Some("female".into()),
        birth_date: chrono::NaiveDate::from_ymd_opt(1990, 5, 1),
        address_lines: vec!["1 Trevelyan Square".into()],
        postcode: Some("LS1 6AE".into()),
        phone: None,
    }
}

fn summary() -> ClinicalSummary {
    serde_json::from_str(include_str!("../../../tests/fixtures/triage-summary.json"))
        .expect("the example summary parses")
}

fn engine_bundle(summary: &ClinicalSummary, patient: &PatientView) -> Value {
    message_bundle(
        summary,
        patient,
        &session(),
        &Recipient {
            name: "Calder Valley UTC",
            ods: "NQ501",
            endpoint: endpoint("2000100505"),
        },
        DateTime::parse_from_rfc3339("2026-12-01T09:45:00+00:00").expect("time"),
    )
}

#[test]
fn the_engines_booking_request_reads_as_r4_and_passes_the_base_rules() {
    let written = engine_bundle(&summary(), &patient());
    // The JSON as written (nulls and empties included) and the parsed form.
    assert_eq!(
        r4::check_json(&written)
            .expect("a resource")
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        Vec::<String>::new()
    );
    let b: Bundle = serde_json::from_value(written.clone()).expect("reads as an R4 Bundle");
    // Nothing is lost reading it: every element is modelled or kept raw.
    assert_eq!(serde_json::to_value(&b).expect("serialises"), written);
    let other: Vec<&str> = b
        .resources()
        .filter(|r| r.is_other())
        .map(Resource::resource_type)
        .collect();
    assert_eq!(other, ["AllergyIntolerance"]);

    let h: &MessageHeader = b.message_header().expect("MessageHeader first");
    assert_eq!(h.event_code(), Some("booking-request"));
    assert_eq!(
        h.event_coding.as_ref().and_then(|c| c.system.as_deref()),
        Some(urls::MESSAGE_EVENTS_BARS)
    );
    assert_eq!(
        h.definition.as_deref(),
        Some(urls::MESSAGE_DEFINITION_BOOKING_REQUEST)
    );
    let sr: &ServiceRequest = resolve(&b, h.focus.first());
    assert_eq!(sr.intent.as_deref(), Some("plan"));
    assert_eq!(sr.reason_code[0].coding[0].code.as_deref(), Some("Dx05"));
    let patient: &Patient = resolve(&b, sr.subject.as_ref());
    assert_eq!(patient.nhs_number(), Some("9434765919"));
    let receiver: &Organization = resolve(&b, h.destination[0].receiver.as_ref());
    assert_eq!(receiver.ods_code(), Some("NQ501"));
    let encounter: &Encounter = resolve(&b, sr.encounter.as_ref());
    assert_eq!(encounter.status.as_deref(), Some("triaged"));
    // Every supporting reference resolves to an entry.
    for r in &sr.supporting_info {
        assert!(b.resolve(r).is_some(), "{:?}", r.reference);
    }
    assert_eq!(problems(&b.into()), Vec::<String>::new());
}

/// A patient known only by a family name: R4 JSON forbids an empty `given` array, so the
/// bundle leaves it out.
#[test]
fn a_patient_without_given_names_writes_no_empty_array() {
    let mut p = patient();
    p.given.clear();
    let written = engine_bundle(&summary(), &p);
    assert_eq!(
        r4::check_json(&written)
            .expect("a resource")
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        Vec::<String>::new()
    );
}
