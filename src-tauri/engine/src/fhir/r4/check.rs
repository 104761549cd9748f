//! Checks what we write against the R4 base rules BaRS receivers rely on:
//! required elements, codes from required value sets, a few base
//! invariants (Bundle `bdl-*`, Appointment `app-*`), `id` syntax, and the
//! JSON rules every element follows (no nulls, no empty strings, arrays or
//! objects).
//!
//! Not a full validator: no profiles (UK Core, BaRS), no terminology
//! server, and resources kept as [`Resource::Other`] get only the `id` and
//! JSON checks. It exists so that a writer's mistake fails a test here,
//! not a live booking.

use std::fmt;

use chrono::DateTime;
use serde::Serialize;
use serde_json::Value;

use super::bundle::Bundle;
use super::clinical::{Encounter, Flag, Observation, ServiceRequest};
use super::individuals::Patient;
use super::messaging::MessageHeader;
use super::resource::Resource;
use super::scheduling::{Appointment, Slot};

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where, FHIRPath-style from the checked resource, e.g.
    /// `Bundle.entry[1].resource.participant[0].status`.
    pub path: String,
    /// Which rule, e.g. `Appointment.participant.status is required`.
    pub what: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.what)
    }
}

/// Every problem with `resource` (nested entries and contained resources
/// included), in document order by rule kind; empty when it passes.
pub fn check(resource: &Resource) -> Vec<Problem> {
    let root = root_path(resource);
    let mut c = Checker::default();
    match serde_json::to_value(resource) {
        Ok(json) => c.json(&json, &root),
        Err(e) => c.push(&root, format!("cannot be serialised: {e}")),
    }
    c.resource(resource, &root);
    c.problems
}

/// [`check`] for JSON built by hand: the JSON rules run on `value` exactly
/// as given (parsing would hide a `null`), the rest on its parsed form. An
/// error when `value` does not read as a resource at all.
pub fn check_json(value: &Value) -> Result<Vec<Problem>, serde_json::Error> {
    let resource = Resource::from_value(value.clone())?;
    let root = root_path(&resource);
    let mut c = Checker::default();
    c.json(value, &root);
    c.resource(&resource, &root);
    Ok(c.problems)
}

fn root_path(resource: &Resource) -> String {
    match resource.resource_type() {
        "" => "Resource".to_owned(),
        t => t.to_owned(),
    }
}

/// A required binding: the codes a base element must take.
struct ValueSet {
    name: &'static str,
    codes: &'static [&'static str],
}

const BUNDLE_TYPE: ValueSet = ValueSet {
    name: "BundleType",
    codes: &[
        "document",
        "message",
        "transaction",
        "transaction-response",
        "batch",
        "batch-response",
        "history",
        "searchset",
        "collection",
    ],
};
const RESPONSE_TYPE: ValueSet = ValueSet {
    name: "ResponseType",
    codes: &["ok", "transient-error", "fatal-error"],
};
const APPOINTMENT_STATUS: ValueSet = ValueSet {
    name: "AppointmentStatus",
    codes: &[
        "proposed",
        "pending",
        "booked",
        "arrived",
        "fulfilled",
        "cancelled",
        "noshow",
        "entered-in-error",
        "checked-in",
        "waitlist",
    ],
};
const PARTICIPATION_STATUS: ValueSet = ValueSet {
    name: "ParticipationStatus",
    codes: &["accepted", "declined", "tentative", "needs-action"],
};
const PARTICIPANT_REQUIRED: ValueSet = ValueSet {
    name: "ParticipantRequired",
    codes: &["required", "optional", "information-only"],
};
const SLOT_STATUS: ValueSet = ValueSet {
    name: "SlotStatus",
    codes: &[
        "busy",
        "free",
        "busy-unavailable",
        "busy-tentative",
        "entered-in-error",
    ],
};
const REQUEST_STATUS: ValueSet = ValueSet {
    name: "RequestStatus",
    codes: &[
        "draft",
        "active",
        "on-hold",
        "revoked",
        "completed",
        "entered-in-error",
        "unknown",
    ],
};
const REQUEST_INTENT: ValueSet = ValueSet {
    name: "RequestIntent",
    codes: &[
        "proposal",
        "plan",
        "directive",
        "order",
        "original-order",
        "reflex-order",
        "filler-order",
        "instance-order",
        "option",
    ],
};
const REQUEST_PRIORITY: ValueSet = ValueSet {
    name: "RequestPriority",
    codes: &["routine", "urgent", "asap", "stat"],
};
const ENCOUNTER_STATUS: ValueSet = ValueSet {
    name: "EncounterStatus",
    codes: &[
        "planned",
        "arrived",
        "triaged",
        "in-progress",
        "onleave",
        "finished",
        "cancelled",
        "entered-in-error",
        "unknown",
    ],
};
const OBSERVATION_STATUS: ValueSet = ValueSet {
    name: "ObservationStatus",
    codes: &[
        "registered",
        "preliminary",
        "final",
        "amended",
        "corrected",
        "cancelled",
        "entered-in-error",
        "unknown",
    ],
};
const FLAG_STATUS: ValueSet = ValueSet {
    name: "FlagStatus",
    codes: &["active", "inactive", "entered-in-error"],
};
const ADMINISTRATIVE_GENDER: ValueSet = ValueSet {
    name: "AdministrativeGender",
    codes: &["male", "female", "other", "unknown"],
};

#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
}

/// True when `value` would write nothing useful: absent, `null`, blank
/// text, `{}` or `[]`.
fn blank<T: Serialize>(value: Option<&T>) -> bool {
    let Some(value) = value else { return true };
    match serde_json::to_value(value) {
        Ok(Value::Null) => true,
        Ok(Value::String(s)) => s.trim().is_empty(),
        Ok(Value::Object(o)) => o.is_empty(),
        Ok(Value::Array(a)) => a.is_empty(),
        Ok(_) => false,
        Err(_) => true,
    }
}

/// FHIR `id`: 1 to 64 of `A-Z a-z 0-9 - .`.
fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// FHIR `instant`: to the second at least, always with a zone.
fn valid_instant(s: &str) -> bool {
    // RFC 3339 also allows a space or lower-case `t`; FHIR does not.
    s.get(10..11) == Some("T") && DateTime::parse_from_rfc3339(s).is_ok()
}

impl Checker {
    fn push(&mut self, path: &str, what: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_owned(),
            what: what.into(),
        });
    }

    /// `element` (e.g. `Slot.start`) must be present and not blank.
    fn required<T: Serialize>(&mut self, path: &str, element: &str, value: Option<&T>) -> bool {
        let missing = blank(value);
        if missing {
            self.push(path, format!("{element} is required"));
        }
        !missing
    }

    /// A code, when present, must be in the required value set.
    fn code(&mut self, path: &str, element: &str, value: Option<&str>, vs: &ValueSet) {
        if let Some(code) = value.filter(|c| !vs.codes.contains(c)) {
            self.push(
                path,
                format!(
                    "{element} '{code}' is not in the required value set {}",
                    vs.name
                ),
            );
        }
    }

    fn required_code(&mut self, path: &str, element: &str, value: Option<&str>, vs: &ValueSet) {
        if self.required(path, element, value.as_ref()) {
            self.code(path, element, value, vs);
        }
    }

    fn instant(&mut self, path: &str, element: &str, value: Option<&str>) {
        if let Some(v) = value.filter(|v| !valid_instant(v)) {
            self.push(
                path,
                format!("{element} '{v}' is not an instant (seconds and a zone offset)"),
            );
        }
    }

    /// The JSON rules, over the whole serialised tree.
    fn json(&mut self, value: &Value, path: &str) {
        match value {
            Value::Null => self.push(path, "null is not allowed"),
            Value::String(s) if s.trim().is_empty() => {
                self.push(path, "a string must have non-whitespace content")
            }
            Value::Array(items) if items.is_empty() => {
                self.push(path, "an empty array must be left out")
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.json(item, &format!("{path}[{i}]"));
                }
            }
            Value::Object(members) if members.is_empty() => {
                self.push(path, "an empty object must be left out")
            }
            Value::Object(members) => {
                for (key, member) in members {
                    self.json(member, &format!("{path}.{key}"));
                }
            }
            _ => {}
        }
    }

    fn resource(&mut self, resource: &Resource, at: &str) {
        if let Some(id) = resource.id().filter(|id| !valid_id(id)) {
            self.push(
                &format!("{at}.id"),
                format!("'{id}' is not a valid id (1-64 of A-Z a-z 0-9 - .)"),
            );
        }
        let contained = match resource {
            Resource::Appointment(r) => {
                self.appointment(r, at);
                &r.contained
            }
            Resource::Bundle(r) => {
                self.bundle(r, at);
                return;
            }
            Resource::CapabilityStatement(r) => &r.contained,
            Resource::Encounter(r) => {
                self.encounter(r, at);
                &r.contained
            }
            Resource::Flag(r) => {
                self.flag(r, at);
                &r.contained
            }
            Resource::HealthcareService(r) => &r.contained,
            Resource::Location(r) => &r.contained,
            Resource::MessageHeader(r) => {
                self.message_header(r, at);
                &r.contained
            }
            Resource::Observation(r) => {
                self.observation(r, at);
                &r.contained
            }
            Resource::OperationOutcome(r) => &r.contained,
            Resource::Organization(r) => &r.contained,
            Resource::Patient(r) => {
                self.patient(r, at);
                &r.contained
            }
            Resource::Practitioner(r) => &r.contained,
            Resource::PractitionerRole(r) => &r.contained,
            Resource::Schedule(r) => &r.contained,
            Resource::ServiceRequest(r) => {
                self.service_request(r, at);
                &r.contained
            }
            Resource::Slot(r) => {
                self.slot(r, at);
                &r.contained
            }
            Resource::Other(_) => return,
        };
        for (i, inner) in contained.iter().enumerate() {
            self.resource(inner, &format!("{at}.contained[{i}]"));
        }
    }

    fn bundle(&mut self, b: &Bundle, at: &str) {
        let type_ = b.type_.as_deref();
        self.required_code(&format!("{at}.type"), "Bundle.type", type_, &BUNDLE_TYPE);
        self.instant(
            &format!("{at}.timestamp"),
            "Bundle.timestamp",
            b.timestamp.as_deref(),
        );
        if b.total.is_some() && !matches!(type_, Some("searchset" | "history")) {
            self.push(
                &format!("{at}.total"),
                "total only when a search or history (bdl-1)",
            );
        }
        let message = type_ == Some("message");
        if message && b.message_header().is_none() {
            self.push(
                &format!("{at}.entry[0]"),
                "a message must have a MessageHeader as the first resource (bdl-12)",
            );
        }
        let mut seen: Vec<(&str, Option<&str>)> = Vec::new();
        for (i, e) in b.entry.iter().enumerate() {
            let here = format!("{at}.entry[{i}]");
            if e.search.is_some() && type_ != Some("searchset") {
                self.push(
                    &format!("{here}.search"),
                    "entry.search only when a search (bdl-2)",
                );
            }
            if e.resource.is_none() && e.response.is_none() {
                self.push(
                    &here,
                    "an entry must have a resource unless it is a response (bdl-5)",
                );
            }
            match e.full_url.as_deref() {
                None if message => self.push(
                    &format!("{here}.fullUrl"),
                    "every entry of a message needs a fullUrl",
                ),
                None => {}
                Some(url) => {
                    if url.contains("/_history/") {
                        self.push(
                            &format!("{here}.fullUrl"),
                            "fullUrl cannot be a version-specific reference (bdl-8)",
                        );
                    }
                    let version = e
                        .resource
                        .as_ref()
                        .and_then(|r| r.meta())
                        .and_then(|m| m.version_id.as_deref());
                    if seen.contains(&(url, version)) {
                        self.push(
                            &format!("{here}.fullUrl"),
                            format!("fullUrl '{url}' is not unique in the Bundle (bdl-7)"),
                        );
                    }
                    seen.push((url, version));
                }
            }
            if let Some(r) = &e.resource {
                self.resource(r, &format!("{here}.resource"));
            }
        }
    }

    fn message_header(&mut self, h: &MessageHeader, at: &str) {
        if h.event_coding.is_none() && h.event_uri.is_none() {
            self.push(
                &format!("{at}.eventCoding"),
                "MessageHeader.event[x] is required (BaRS: eventCoding)",
            );
        } else if h.event_uri.is_none() {
            self.required(
                &format!("{at}.eventCoding"),
                "MessageHeader.eventCoding",
                h.event_coding.as_ref(),
            );
        }
        for (i, d) in h.destination.iter().enumerate() {
            self.required(
                &format!("{at}.destination[{i}].endpoint"),
                "MessageHeader.destination.endpoint",
                d.endpoint.as_ref(),
            );
        }
        let source = format!("{at}.source");
        if self.required(&source, "MessageHeader.source", h.source.as_ref()) {
            let endpoint = h.source.as_ref().and_then(|s| s.endpoint.as_ref());
            self.required(
                &format!("{source}.endpoint"),
                "MessageHeader.source.endpoint",
                endpoint,
            );
        }
        if let Some(r) = &h.response {
            self.required(
                &format!("{at}.response.identifier"),
                "MessageHeader.response.identifier",
                r.identifier.as_ref(),
            );
            self.required_code(
                &format!("{at}.response.code"),
                "MessageHeader.response.code",
                r.code.as_deref(),
                &RESPONSE_TYPE,
            );
        }
    }

    fn appointment(&mut self, a: &Appointment, at: &str) {
        let status = a.status.as_deref();
        self.required_code(
            &format!("{at}.status"),
            "Appointment.status",
            status,
            &APPOINTMENT_STATUS,
        );
        if a.participant.is_empty() {
            self.push(
                &format!("{at}.participant"),
                "Appointment.participant is required (1..*)",
            );
        }
        for (i, p) in a.participant.iter().enumerate() {
            let here = format!("{at}.participant[{i}]");
            self.required_code(
                &format!("{here}.status"),
                "Appointment.participant.status",
                p.status.as_deref(),
                &PARTICIPATION_STATUS,
            );
            self.code(
                &format!("{here}.required"),
                "Appointment.participant.required",
                p.required.as_deref(),
                &PARTICIPANT_REQUIRED,
            );
            if p.type_.is_empty() && blank(p.actor.as_ref()) {
                self.push(&here, "a participant needs a type or an actor (app-1)");
            }
        }
        self.instant(
            &format!("{at}.start"),
            "Appointment.start",
            a.start.as_deref(),
        );
        self.instant(&format!("{at}.end"), "Appointment.end", a.end.as_deref());
        let (start, end) = (a.start.is_some(), a.end.is_some());
        if start != end {
            self.push(at, "start and end are both given or both absent (app-2)");
        } else if !start && !matches!(status, Some("proposed" | "cancelled" | "waitlist")) {
            self.push(
                at,
                "only proposed, cancelled or waitlisted appointments may lack start and end (app-3)",
            );
        }
        if a.cancelation_reason.is_some() && !matches!(status, Some("cancelled" | "noshow")) {
            self.push(
                &format!("{at}.cancelationReason"),
                "cancelationReason only on a cancelled or no-show appointment (app-4)",
            );
        }
    }

    fn slot(&mut self, s: &Slot, at: &str) {
        self.required(
            &format!("{at}.schedule"),
            "Slot.schedule",
            s.schedule.as_ref(),
        );
        self.required_code(
            &format!("{at}.status"),
            "Slot.status",
            s.status.as_deref(),
            &SLOT_STATUS,
        );
        for (name, value) in [("start", &s.start), ("end", &s.end)] {
            let path = format!("{at}.{name}");
            let element = format!("Slot.{name}");
            if self.required(&path, &element, value.as_ref()) {
                self.instant(&path, &element, value.as_deref());
            }
        }
    }

    fn service_request(&mut self, r: &ServiceRequest, at: &str) {
        self.required_code(
            &format!("{at}.status"),
            "ServiceRequest.status",
            r.status.as_deref(),
            &REQUEST_STATUS,
        );
        self.required_code(
            &format!("{at}.intent"),
            "ServiceRequest.intent",
            r.intent.as_deref(),
            &REQUEST_INTENT,
        );
        self.code(
            &format!("{at}.priority"),
            "ServiceRequest.priority",
            r.priority.as_deref(),
            &REQUEST_PRIORITY,
        );
        self.required(
            &format!("{at}.subject"),
            "ServiceRequest.subject",
            r.subject.as_ref(),
        );
    }

    fn encounter(&mut self, e: &Encounter, at: &str) {
        self.required_code(
            &format!("{at}.status"),
            "Encounter.status",
            e.status.as_deref(),
            &ENCOUNTER_STATUS,
        );
        self.required(&format!("{at}.class"), "Encounter.class", e.class.as_ref());
    }

    fn observation(&mut self, o: &Observation, at: &str) {
        self.required_code(
            &format!("{at}.status"),
            "Observation.status",
            o.status.as_deref(),
            &OBSERVATION_STATUS,
        );
        self.required(&format!("{at}.code"), "Observation.code", o.code.as_ref());
    }

    fn flag(&mut self, f: &Flag, at: &str) {
        self.required_code(
            &format!("{at}.status"),
            "Flag.status",
            f.status.as_deref(),
            &FLAG_STATUS,
        );
        self.required(&format!("{at}.code"), "Flag.code", f.code.as_ref());
        self.required(&format!("{at}.subject"), "Flag.subject", f.subject.as_ref());
    }

    fn patient(&mut self, p: &Patient, at: &str) {
        // Nothing in Patient is required; gender's binding is.
        self.code(
            &format!("{at}.gender"),
            "Patient.gender",
            p.gender.as_deref(),
            &ADMINISTRATIVE_GENDER,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::bundle::BundleEntry;
    use super::super::datatypes::Reference;
    use super::super::messaging::{MessageDestination, MessageResponse, MessageSource};
    use super::super::scheduling::AppointmentParticipant;
    use super::*;
    use crate::fhir::stu3::{CodeableConcept, Coding};
    use serde_json::json;

    const BOOKING_REQUEST: &str = include_str!(
        "../../../../../tests/fixtures/bars/process_message_request_Booking_POST.json"
    );

    fn paths(problems: &[Problem]) -> Vec<&str> {
        problems.iter().map(|p| p.path.as_str()).collect()
    }

    fn appointment() -> Appointment {
        Appointment {
            status: Some("booked".into()),
            start: Some("2026-12-01T10:00:00+00:00".into()),
            end: Some("2026-12-01T10:10:00+00:00".into()),
            participant: vec![AppointmentParticipant::accepted(Reference::new(
                "urn:uuid:788660eb-d2c9-4773-abd4-318484673fb2",
            ))],
            ..Appointment::default()
        }
    }

    fn header() -> MessageHeader {
        MessageHeader {
            event_coding: Some(Coding::new(
                super::super::urls::MESSAGE_EVENTS_BARS,
                "booking-request",
            )),
            destination: vec![MessageDestination {
                endpoint: Some("https://provider.example/bars".into()),
                ..MessageDestination::default()
            }],
            source: Some(MessageSource {
                endpoint: Some("https://desk.example/fhir".into()),
                ..MessageSource::default()
            }),
            focus: vec![Reference::new("urn:uuid:2")],
            ..MessageHeader::default()
        }
    }

    fn message(entries: Vec<BundleEntry>) -> Bundle {
        Bundle {
            type_: Some("message".into()),
            timestamp: Some("2026-12-01T09:45:00+00:00".into()),
            entry: entries,
            ..Bundle::default()
        }
    }

    #[test]
    fn the_bars_booking_request_example_passes() {
        let r: Resource = serde_json::from_str(BOOKING_REQUEST).expect("parses");
        assert_eq!(check(&r), vec![]);
        let v: Value = serde_json::from_str(BOOKING_REQUEST).expect("json");
        assert_eq!(check_json(&v).expect("a resource"), vec![]);
    }

    #[test]
    fn good_resources_pass() {
        let b = message(vec![
            BundleEntry::new("urn:uuid:1", header()),
            BundleEntry::new("urn:uuid:2", appointment()),
            BundleEntry::new(
                "urn:uuid:3",
                Slot {
                    schedule: Some(Reference::new("urn:uuid:4")),
                    status: Some("busy".into()),
                    start: Some("2026-12-01T10:00:00.000Z".into()),
                    end: Some("2026-12-01T10:10:00Z".into()),
                    ..Slot::default()
                },
            ),
            BundleEntry::new(
                "urn:uuid:5",
                ServiceRequest {
                    status: Some("active".into()),
                    intent: Some("plan".into()),
                    priority: Some("urgent".into()),
                    subject: Some(Reference::new("urn:uuid:6")),
                    ..ServiceRequest::default()
                },
            ),
            BundleEntry::new(
                "urn:uuid:6",
                Patient {
                    gender: Some("female".into()),
                    ..Patient::default()
                },
            ),
            BundleEntry::new(
                "urn:uuid:7",
                Encounter {
                    status: Some("triaged".into()),
                    class: Some(Coding::new(
                        "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                        "VR",
                    )),
                    ..Encounter::default()
                },
            ),
            BundleEntry::new(
                "urn:uuid:8",
                Observation {
                    status: Some("final".into()),
                    code: Some(CodeableConcept::from_text("Temperature")),
                    value_string: Some("38.9 Cel".into()),
                    ..Observation::default()
                },
            ),
            BundleEntry::new(
                "urn:uuid:9",
                Flag {
                    status: Some("active".into()),
                    code: Some(CodeableConcept::from_text("Lives alone")),
                    subject: Some(Reference::new("urn:uuid:6")),
                    ..Flag::default()
                },
            ),
            BundleEntry::new("urn:uuid:10", Patient::default()),
        ]);
        assert_eq!(check(&b.into()), vec![]);
        // A reply, with its response element.
        let reply = MessageHeader {
            response: Some(MessageResponse {
                identifier: Some("86e3371d-1c15-4862-9552-d9560f8292ba".into()),
                code: Some("ok".into()),
                details: None,
            }),
            ..header()
        };
        assert_eq!(check(&reply.into()), vec![]);
    }

    #[test]
    fn missing_required_elements_are_named() {
        let problems = check(&Appointment::default().into());
        assert_eq!(
            paths(&problems),
            [
                "Appointment.status",
                "Appointment.participant",
                "Appointment"
            ]
        );
        assert!(problems[0].what.contains("Appointment.status is required"));
        assert!(problems[2].what.contains("app-3"));

        let problems = check(&Slot::default().into());
        assert_eq!(
            paths(&problems),
            ["Slot.schedule", "Slot.status", "Slot.start", "Slot.end"]
        );

        let problems = check(&ServiceRequest::default().into());
        assert_eq!(
            paths(&problems),
            [
                "ServiceRequest.status",
                "ServiceRequest.intent",
                "ServiceRequest.subject"
            ]
        );
        assert_eq!(
            paths(&check(&Encounter::default().into())),
            ["Encounter.status", "Encounter.class"]
        );
        assert_eq!(
            paths(&check(&Observation::default().into())),
            ["Observation.status", "Observation.code"]
        );
        assert_eq!(
            paths(&check(&Flag::default().into())),
            ["Flag.status", "Flag.code", "Flag.subject"]
        );
        assert_eq!(check(&Patient::default().into()), vec![]);
        assert_eq!(paths(&check(&Bundle::default().into())), ["Bundle.type"]);
        let problems = check(&MessageHeader::default().into());
        assert_eq!(
            paths(&problems),
            ["MessageHeader.eventCoding", "MessageHeader.source"]
        );
        let no_endpoint = MessageHeader {
            source: Some(MessageSource {
                name: Some("NHS 111".into()),
                ..MessageSource::default()
            }),
            destination: vec![MessageDestination {
                name: Some("Calder Valley UTC".into()),
                ..MessageDestination::default()
            }],
            ..header()
        };
        assert_eq!(
            paths(&check(&no_endpoint.into())),
            [
                "MessageHeader.destination[0].endpoint",
                "MessageHeader.source.endpoint"
            ]
        );
    }

    #[test]
    fn participants_need_a_status_from_the_value_set() {
        let mut a = appointment();
        a.participant.push(AppointmentParticipant {
            actor: Some(Reference::new("urn:uuid:9")),
            ..AppointmentParticipant::default()
        });
        a.participant.push(AppointmentParticipant {
            status: Some("Accepted".into()),
            required: Some("mandatory".into()),
            ..AppointmentParticipant::default()
        });
        let problems = check(&a.into());
        assert_eq!(
            paths(&problems),
            [
                "Appointment.participant[1].status",
                "Appointment.participant[2].status",
                "Appointment.participant[2].required",
                "Appointment.participant[2]",
            ]
        );
        assert!(problems[1].what.contains("'Accepted'"));
        assert!(problems[1].what.contains("ParticipationStatus"));
        assert!(problems[3].what.contains("app-1"));
    }

    #[test]
    fn codes_outside_required_value_sets_are_reported() {
        let cases: Vec<(Resource, &str, &str)> = vec![
            (
                Appointment {
                    status: Some("confirmed".into()),
                    ..appointment()
                }
                .into(),
                "Appointment.status",
                "AppointmentStatus",
            ),
            (
                Slot {
                    status: Some("available".into()),
                    schedule: Some(Reference::new("Schedule/1")),
                    start: Some("2026-12-01T10:00:00Z".into()),
                    end: Some("2026-12-01T10:10:00Z".into()),
                    ..Slot::default()
                }
                .into(),
                "Slot.status",
                "SlotStatus",
            ),
            (
                Bundle {
                    type_: Some("Message".into()),
                    ..Bundle::default()
                }
                .into(),
                "Bundle.type",
                "BundleType",
            ),
            (
                ServiceRequest {
                    status: Some("active".into()),
                    intent: Some("referral".into()),
                    subject: Some(Reference::new("urn:uuid:6")),
                    ..ServiceRequest::default()
                }
                .into(),
                "ServiceRequest.intent",
                "RequestIntent",
            ),
            (
                ServiceRequest {
                    status: Some("open".into()),
                    intent: Some("plan".into()),
                    subject: Some(Reference::new("urn:uuid:6")),
                    ..ServiceRequest::default()
                }
                .into(),
                "ServiceRequest.status",
                "RequestStatus",
            ),
            (
                Encounter {
                    status: Some("triage".into()),
                    class: Some(Coding::new("x", "VR")),
                    ..Encounter::default()
                }
                .into(),
                "Encounter.status",
                "EncounterStatus",
            ),
            (
                Observation {
                    status: Some("done".into()),
                    code: Some(CodeableConcept::from_text("Temperature")),
                    ..Observation::default()
                }
                .into(),
                "Observation.status",
                "ObservationStatus",
            ),
            (
                Flag {
                    status: Some("on".into()),
                    code: Some(CodeableConcept::from_text("x")),
                    subject: Some(Reference::new("urn:uuid:6")),
                    ..Flag::default()
                }
                .into(),
                "Flag.status",
                "FlagStatus",
            ),
            (
                Patient {
                    gender: Some("F".into()),
                    ..Patient::default()
                }
                .into(),
                "Patient.gender",
                "AdministrativeGender",
            ),
        ];
        for (resource, path, value_set) in cases {
            let problems = check(&resource);
            assert_eq!(paths(&problems), [path], "{problems:?}");
            assert!(problems[0].what.contains(value_set), "{}", problems[0]);
        }
    }

    #[test]
    fn message_bundle_rules() {
        // Header not first, an entry without fullUrl, a duplicate fullUrl.
        let mut b = message(vec![
            BundleEntry::new("urn:uuid:2", appointment()),
            BundleEntry::new("urn:uuid:1", header()),
            BundleEntry::new("urn:uuid:2", Patient::default()),
        ]);
        b.entry.push(BundleEntry {
            resource: Some(Patient::default().into()),
            ..BundleEntry::default()
        });
        b.total = Some(4);
        let problems = check(&b.into());
        assert_eq!(
            paths(&problems),
            [
                "Bundle.total",
                "Bundle.entry[0]",
                "Bundle.entry[2].fullUrl",
                "Bundle.entry[3].fullUrl",
            ]
        );
        assert!(problems[1].what.contains("bdl-12"));
        assert!(problems[2].what.contains("bdl-7"));

        // A searchset needs no fullUrl; problems inside entries carry the
        // entry's path.
        let search = Bundle {
            type_: Some("searchset".into()),
            total: Some(1),
            entry: vec![BundleEntry {
                resource: Some(Slot::default().into()),
                ..BundleEntry::default()
            }],
            ..Bundle::default()
        };
        let problems = check(&search.into());
        assert_eq!(problems[0].path, "Bundle.entry[0].resource.schedule");
        assert_eq!(problems[0].what, "Slot.schedule is required");
    }

    #[test]
    fn ids_instants_and_json_rules() {
        let a = Appointment {
            id: Some("[Appointment id]".into()),
            start: Some("2026-12-01 10:00:00+00:00".into()),
            end: Some("2026-12-01T10:10".into()),
            description: Some(" ".into()),
            slot: vec![Reference::default()],
            ..appointment()
        };
        let problems = check(&a.into());
        assert_eq!(
            paths(&problems),
            [
                "Appointment.description",
                "Appointment.slot[0]",
                "Appointment.id",
                "Appointment.start",
                "Appointment.end",
            ]
        );
        // Hand-built JSON is checked as written: nulls and empty arrays too.
        let v = json!({
            "resourceType": "Flag", "status": "active", "code": {"text": "x"},
            "subject": {"reference": "urn:uuid:6"}, "category": [], "period": null
        });
        let problems = check_json(&v).expect("a resource");
        assert_eq!(paths(&problems), ["Flag.category", "Flag.period"]);
        // Unknown resources get the JSON and id checks only.
        let other = json!({"resourceType": "AllergyIntolerance", "id": "a b", "note": [{}]});
        let problems = check_json(&other).expect("a resource");
        assert_eq!(
            paths(&problems),
            ["AllergyIntolerance.note[0]", "AllergyIntolerance.id"]
        );
        assert!(check_json(&json!({"resourceType": "Slot", "status": 3})).is_err());
    }

    #[test]
    fn contained_resources_are_checked() {
        let a = Appointment {
            contained: vec![Slot::default().into()],
            ..appointment()
        };
        let problems = check(&a.into());
        assert_eq!(problems.len(), 4);
        assert_eq!(problems[0].path, "Appointment.contained[0].schedule");
    }

    #[test]
    fn problems_display_path_and_rule() {
        let p = &check(&Flag::default().into())[0];
        assert_eq!(p.to_string(), "Flag.status: Flag.status is required");
    }
}
