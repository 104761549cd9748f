//! Which service and interaction a request path and method address, and which interaction ids
//! and JWT scopes each accepts (SPEC §2 tables).

use crate::outcome::FhirError;
use crate::seed::{Region, Service, Standard};
use axum::http::{Method, StatusCode};

pub const GPC_PREFIX: &str = "urn:nhs:names:services:gpconnect:fhir:";
pub const UEC_PREFIX: &str = "urn:nhs:names:services:careconnect:fhir:rest:";

/// Every GP Connect interaction the tables below accept (after [`GPC_PREFIX`]): what SDS lists
/// for a GP Connect service.
pub const GPC_INTERACTIONS: &[&str] = &[
    "rest:read:metadata-1",
    "rest:search:patient-1",
    "rest:search:slot-1",
    "rest:create:appointment-1",
    "rest:read:appointment-1",
    "rest:update:appointment-1",
    "rest:cancel:appointment-1",
    "rest:search:patient_appointments-1",
];

/// Every UEC Booking interaction the tables below accept (after [`UEC_PREFIX`]).
pub const UEC_INTERACTIONS: &[&str] = &[
    "read:metadata",
    "search:slot",
    "create:appointment",
    "read:appointment",
    "update:appointment",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Metadata,
    FindPatient,
    SearchSlots,
    Book,
    Read(String),
    Amend(String),
    Cancel(String),
    PatientAppointments(String),
}

impl Op {
    /// Committing operations are the ones a dropped connection can leave the consumer unsure of.
    pub fn commits(&self) -> bool {
        matches!(self, Op::Book | Op::Amend(_) | Op::Cancel(_))
    }

    pub fn name(&self) -> &'static str {
        match self {
            Op::Metadata => "metadata",
            Op::FindPatient => "find-patient",
            Op::SearchSlots => "search-slots",
            Op::Book => "book",
            Op::Read(_) => "read-appointment",
            Op::Amend(_) => "amend-appointment",
            Op::Cancel(_) => "cancel-appointment",
            Op::PatientAppointments(_) => "patient-appointments",
        }
    }
}

/// One interaction a request may be: the operation, its full interaction id and its JWT scope.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub op: Op,
    pub interaction: String,
    pub scope: &'static str,
}

pub struct Route<'a> {
    pub service: &'a Service,
    pub candidates: Vec<Candidate>,
}

fn gpc(op: Op, suffix: &str, scope: &'static str) -> Candidate {
    Candidate {
        op,
        interaction: format!("{GPC_PREFIX}{suffix}"),
        scope,
    }
}

fn uec(op: Op, suffix: &str, scope: &'static str) -> Candidate {
    Candidate {
        op,
        interaction: format!("{UEC_PREFIX}{suffix}"),
        scope,
    }
}

enum Lookup {
    Found(Vec<Candidate>),
    /// The path exists but not for this method.
    WrongMethod,
    Unknown,
}

fn gp_connect(method: &Method, rest: &[&str]) -> Lookup {
    let found = |c: Vec<Candidate>| Lookup::Found(c);
    match (rest, method) {
        (["metadata"], &Method::GET) => found(vec![gpc(
            Op::Metadata,
            "rest:read:metadata-1",
            "organization/*.read",
        )]),
        (["Patient"], &Method::GET) => found(vec![gpc(
            Op::FindPatient,
            "rest:search:patient-1",
            "patient/*.read",
        )]),
        (["Slot"], &Method::GET) => found(vec![gpc(
            Op::SearchSlots,
            "rest:search:slot-1",
            "organization/*.read",
        )]),
        (["Appointment"], &Method::POST) => found(vec![gpc(
            Op::Book,
            "rest:create:appointment-1",
            "patient/*.write",
        )]),
        (["Appointment", id], &Method::GET) => found(vec![gpc(
            Op::Read(id.to_string()),
            "rest:read:appointment-1",
            "patient/*.read",
        )]),
        (["Appointment", id], &Method::PUT) => found(vec![
            gpc(
                Op::Amend(id.to_string()),
                "rest:update:appointment-1",
                "patient/*.write",
            ),
            gpc(
                Op::Cancel(id.to_string()),
                "rest:cancel:appointment-1",
                "patient/*.write",
            ),
        ]),
        (["Patient", id, "Appointment"], &Method::GET) => found(vec![gpc(
            Op::PatientAppointments(id.to_string()),
            "rest:search:patient_appointments-1",
            "patient/*.read",
        )]),
        (["metadata"] | ["Patient"] | ["Slot"] | ["Appointment"], _)
        | (["Appointment", _] | ["Patient", _, "Appointment"], _) => Lookup::WrongMethod,
        _ => Lookup::Unknown,
    }
}

fn uec_booking(method: &Method, rest: &[&str]) -> Lookup {
    let found = |c: Vec<Candidate>| Lookup::Found(c);
    match (rest, method) {
        (["metadata"], &Method::GET) => found(vec![uec(
            Op::Metadata,
            "read:metadata",
            "organization/slot.read",
        )]),
        (["Slot"], &Method::GET) => found(vec![uec(
            Op::SearchSlots,
            "search:slot",
            "organization/slot.read",
        )]),
        (["Appointment"], &Method::POST) => found(vec![uec(
            Op::Book,
            "create:appointment",
            "patient/appointment.write",
        )]),
        (["Appointment", id], &Method::GET) => found(vec![uec(
            Op::Read(id.to_string()),
            "read:appointment",
            "patient/appointment.read",
        )]),
        (["Appointment", id], &Method::PUT) => found(vec![uec(
            Op::Cancel(id.to_string()),
            "update:appointment",
            "patient/appointment.write",
        )]),
        (["metadata"] | ["Slot"] | ["Appointment"] | ["Appointment", _], _) => Lookup::WrongMethod,
        _ => Lookup::Unknown,
    }
}

/// Finds the service and candidate interactions for a request, or the 404/405 to answer.
pub fn resolve<'a>(
    region: &'a Region,
    method: &Method,
    path: &str,
) -> Result<Route<'a>, FhirError> {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let not_found = || FhirError::no_record_found(format!("No FHIR endpoint at {path}"));
    let (service, rest) = match segments.as_slice() {
        ["uec", id, "STU3", "1", "booking", rest @ ..] => (region.uec_service(id), rest),
        [ods, "STU3", "1", "gpconnect", rest @ ..] => (region.gp_service_by_ods(ods), rest),
        _ => return Err(not_found()),
    };
    let service = service
        .ok_or_else(|| FhirError::no_record_found(format!("No service is hosted at {path}")))?;
    let lookup = match service.standard {
        Standard::GpConnect => gp_connect(method, rest),
        Standard::UecBooking => uec_booking(method, rest),
        // BaRS paths never reach this table (see `bars::dispatch`).
        Standard::Bars => Lookup::Unknown,
    };
    match lookup {
        Lookup::Found(candidates) => Ok(Route {
            service,
            candidates,
        }),
        Lookup::WrongMethod => Err(FhirError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "not-supported",
            "NOT_IMPLEMENTED",
            format!("{method} is not supported on {path}"),
        )),
        Lookup::Unknown => Err(not_found()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::region;

    #[test]
    fn resolves_both_standards() {
        let r = region();
        let route =
            resolve(&r, &Method::PUT, "/B86001/STU3/1/gpconnect/Appointment/7").expect("route");
        assert_eq!(route.service.id, "beckside-medical-practice");
        assert_eq!(route.candidates.len(), 2);
        let route = resolve(
            &r,
            &Method::GET,
            "/uec/calder-valley-utc/STU3/1/booking/Slot",
        )
        .expect("route");
        assert_eq!(route.candidates[0].op, Op::SearchSlots);
        assert!(resolve(&r, &Method::GET, "/B86001/STU3/1/gpconnect//Slot").is_err());
        assert!(resolve(&r, &Method::GET, "/ZZZ999/STU3/1/gpconnect/metadata").is_err());
        let e = resolve(
            &r,
            &Method::DELETE,
            "/B86001/STU3/1/gpconnect/Appointment/1",
        )
        .err()
        .map(|e| e.status);
        assert_eq!(e, Some(StatusCode::METHOD_NOT_ALLOWED));
        // The lists SDS is built from hold every interaction the tables accept.
        let paths = [
            (Method::GET, "metadata"),
            (Method::GET, "Patient"),
            (Method::GET, "Slot"),
            (Method::POST, "Appointment"),
            (Method::GET, "Appointment/1"),
            (Method::PUT, "Appointment/1"),
            (Method::GET, "Patient/1/Appointment"),
        ];
        for (method, rest) in &paths {
            for (root, prefix, list) in [
                ("/B86001/STU3/1/gpconnect", GPC_PREFIX, GPC_INTERACTIONS),
                (
                    "/uec/calder-valley-utc/STU3/1/booking",
                    UEC_PREFIX,
                    UEC_INTERACTIONS,
                ),
            ] {
                if let Ok(route) = resolve(&r, method, &format!("{root}/{rest}")) {
                    for c in route.candidates {
                        let suffix = c.interaction.strip_prefix(prefix).unwrap_or("");
                        assert!(list.contains(&suffix), "{}", c.interaction);
                    }
                }
            }
        }
        // UEC has no patient search.
        assert!(
            resolve(
                &r,
                &Method::GET,
                "/uec/calder-valley-utc/STU3/1/booking/Patient"
            )
            .is_err()
        );
    }
}
