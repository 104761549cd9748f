//! BaRS (FHIR R4, through the national API platform): the requests. Every request carries the
//! routing and audit headers (base64 JSON FHIR objects naming the target service, our
//! organisation, our software and the signed-in practitioner) and the platform's bearer token,
//! which the transport adds. Bookings and cancellations are messages to `$process-message`; see
//! [`super::bars_message`]. Answers are read by [`super::bars_slots`] and
//! [`super::bars_appointments`].

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{SearchWindow, WindowMeasure, uk_end_of_day, uk_start_of_day};
use crate::auth::{Role, Session};
use crate::directory::Service;
use crate::error::{Error, Result};
use crate::ids::{AppointmentId, NhsNumber};
use crate::transport::{Auth, FhirRequest};

/// The BaRS version the desk speaks, asked for in `Accept` and named in `Content-Type`.
pub const VERSION: &str = "1.0.0";
pub const DOS_SERVICE_ID: &str = "https://fhir.nhs.uk/Id/dos-service-id";
const ODS: &str = "https://fhir.nhs.uk/Id/ods-organization-code";
const SDS_USER_ID: &str = "https://fhir.nhs.uk/Id/sds-user-id";
const SDS_ROLE_PROFILE_ID: &str = "https://fhir.nhs.uk/Id/sds-role-profile-id";
const NHS_NUMBER: &str = "https://fhir.nhs.uk/Id/nhs-number";

fn encoded(value: &Value) -> String {
    STANDARD.encode(value.to_string())
}

/// The software identifier the `NHSD-Requesting-Software` Device carries: arbitrary, the API
/// specification says, but the same across every installation of the product.
const DEVICE_ID_SYSTEM: &str = "https://fhir.nhs.uk/Id/booking-desk-device";
const DEVICE_ID: &str = "BOOKING-DESK";

tokio::task_local! {
    /// The `X-Correlation-Id` of the piece of work under way (a booking with its checks and
    /// retries; a cancellation), shared by every request it makes.
    static WORK: Uuid;
}

/// Runs `work` as one piece of work: every BaRS request in it carries one `X-Correlation-Id`.
/// Inside a piece of work already under way (the slot check of a booking), it is part of it.
pub async fn in_one_piece_of_work<F: std::future::Future>(work: F) -> F::Output {
    match WORK.try_with(|id| *id) {
        Ok(_) => work.await,
        Err(_) => WORK.scope(Uuid::new_v4(), work).await,
    }
}

/// The correlation id of the work under way, or a fresh one for a request on its own.
pub fn correlation_id() -> Uuid {
    WORK.try_with(|id| *id).unwrap_or_else(|_| Uuid::new_v4())
}

/// Every header a BaRS request carries, bearer token and `X-Request-Id` aside (the transport
/// adds both). `correlation_id` ties together the requests of one piece of work.
pub fn headers(
    session: &Session,
    target: &str,
    correlation_id: Uuid,
) -> Vec<(&'static str, String)> {
    let user = &session.user;
    let org = &session.organisation;
    let ods = json!([{ "system": ODS, "value": org.ods.as_str() }]);
    vec![
        (
            "NHSD-Target-Identifier",
            encoded(&json!({ "value": target, "system": DOS_SERVICE_ID })),
        ),
        (
            "NHSD-End-User-Organisation",
            encoded(&json!({
                "resourceType": "Organization",
                "identifier": ods,
                "name": org.name,
            })),
        ),
        (
            "NHSD-Requesting-Software",
            encoded(&json!({
                "resourceType": "Device",
                "identifier": [{ "system": DEVICE_ID_SYSTEM, "value": DEVICE_ID }],
                "deviceName": [{ "name": "Booking Desk", "type": "manufacturer-name" }],
                "version": [{ "value": env!("CARGO_PKG_VERSION") }],
            })),
        ),
        (
            // A PractitionerRole, as the API specification describes the header: the user's
            // SDS role profile, the person themself by their SDS user id.
            "NHSD-Requesting-Practitioner",
            encoded(&json!({
                "resourceType": "PractitionerRole",
                "id": user.local_id,
                "identifier": [
                    { "system": SDS_ROLE_PROFILE_ID, "value": user.sds_role_profile_id },
                ],
                "practitioner": {
                    "identifier": { "system": SDS_USER_ID, "value": user.sds_user_id },
                    "display": user.name,
                },
                "organization": {
                    "identifier": { "system": ODS, "value": org.ods.as_str() },
                    "display": org.name,
                },
                "code": [{ "text": role_text(user.role) }],
            })),
        ),
        ("X-Correlation-Id", correlation_id.to_string()),
        (
            "Accept",
            format!("application/fhir+json; version={VERSION}"),
        ),
    ]
}

/// The role the user acts in, in words.
fn role_text(role: Role) -> &'static str {
    match role {
        Role::CallHandler => "Call handler",
        Role::Clinician => "Clinician",
        Role::Supervisor => "Supervisor",
        Role::Administrator => "Desk administrator",
    }
}

/// `use-context` for a booking-request message: the use case (Application 1, `a1t1`, 111 to
/// ED, as the booking MessageDefinitions name it), the workflow, the event and the reason, in
/// the form of the API specification's example (`a4t2|validation|servicerequest-response|new`).
pub fn use_context(reason: &str) -> String {
    format!("a1t1|booking|booking-request|{reason}")
}

/// The service's DoS id, which the directory requires of every BaRS service.
pub fn target(service: &Service) -> Result<&str> {
    service
        .target_identifier
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            Error::config(format!(
                "Service '{}' has no target_identifier for BaRS.",
                service.id
            ))
        })
}

/// The service's HealthcareService as its slot search takes it: the configured one, else its
/// DoS id (the API specification's example of the parameter is a DoS service id).
pub fn healthcare_service(service: &Service) -> Result<String> {
    match service
        .healthcare_service
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
    {
        Some(hs) => Ok(hs.to_string()),
        None => target(service).map(str::to_string),
    }
}

/// A request to `path` under the service root. `request_id` goes out as `X-Request-Id`; a
/// retried message must repeat it, so the service can tell a repeat from a new request.
fn request(
    session: &Session,
    service: &Service,
    path: &str,
    interaction: &str,
    request_id: Uuid,
) -> Result<FhirRequest> {
    let mut req = FhirRequest::new(path, format!("bars:{interaction}"), "");
    req.auth = Auth::PlatformToken;
    req.request_id = Some(request_id);
    req.headers = headers(session, target(service)?, correlation_id());
    Ok(req)
}

pub fn metadata(session: &Session, service: &Service) -> Result<FhirRequest> {
    request(session, service, "/metadata", "metadata", Uuid::new_v4())
}

/// An instant with its offset, as BaRS slot searches take.
fn instant(t: chrono::DateTime<chrono::FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// Free slots in the window, with the Schedule and whoever it names included. BaRS services
/// take at most 14 days between the two instants, and a window of 14 days counts both its first
/// and its last day, so a long window is asked in parts (see [`SearchWindow::spans`]).
pub fn free_slots(
    session: &Session,
    service: &Service,
    window: &SearchWindow,
) -> Result<Vec<FhirRequest>> {
    window
        .spans(WindowMeasure::Instants)
        .into_iter()
        .map(|(from, to)| {
            Ok(
                request(session, service, "/Slot", "search-slots", Uuid::new_v4())?
                    .param("start", format!("ge{}", instant(uk_start_of_day(from))))
                    .param("start", format!("le{}", instant(uk_end_of_day(to))))
                    .param("status", "free")
                    .param(
                        "Schedule.actor:HealthcareService",
                        healthcare_service(service)?,
                    )
                    .param("_include", "Slot:schedule")
                    .param("_include:iterate", "Schedule:actor:Practitioner")
                    .param("_include:iterate", "Schedule:actor:PractitionerRole")
                    .param("_include:iterate", "Schedule:actor:HealthcareService")
                    .param("_include:iterate", "HealthcareService:location"),
            )
        })
        .collect()
}

pub fn read(session: &Session, service: &Service, id: &AppointmentId) -> Result<FhirRequest> {
    request(
        session,
        service,
        &format!("/Appointment/{id}"),
        "read-appointment",
        Uuid::new_v4(),
    )
}

/// The patient's appointments at the service, by NHS number.
pub fn patient_appointments(
    session: &Session,
    service: &Service,
    nhs: &NhsNumber,
) -> Result<FhirRequest> {
    Ok(request(
        session,
        service,
        "/Appointment",
        "search-appointments",
        Uuid::new_v4(),
    )?
    .param(
        "patient:identifier",
        format!("{NHS_NUMBER}|{}", nhs.as_str()),
    ))
}

/// A message (booking or cancellation) to `$process-message`.
pub fn process_message(
    session: &Session,
    service: &Service,
    message: &Value,
    interaction: &str,
    request_id: Uuid,
) -> Result<FhirRequest> {
    let reason = message["entry"][0]["resource"]["reason"]["coding"][0]["code"]
        .as_str()
        .unwrap_or("new");
    let mut req = request(
        session,
        service,
        "/$process-message",
        interaction,
        request_id,
    )?
    .with_body(Method::POST, message)?;
    req.headers.push((
        "Content-Type",
        format!("application/fhir+json; version={VERSION}"),
    ));
    req.headers.push(("use-context", use_context(reason)));
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clinical::cda::tests::session;
    use chrono::NaiveDate;

    #[test]
    fn slot_searches_name_uk_days_with_their_offsets() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        assert_eq!(
            instant(uk_start_of_day(d("2026-12-01"))),
            "2026-12-01T00:00:00+00:00"
        );
        assert_eq!(
            instant(uk_end_of_day(d("2026-07-01"))),
            "2026-07-01T23:59:59+01:00"
        );
    }

    fn decoded(headers: &[(&str, String)], name: &str) -> Value {
        let value = &headers.iter().find(|(n, _)| *n == name).expect(name).1;
        let bytes = STANDARD.decode(value).expect("base64");
        serde_json::from_slice(&bytes).expect("JSON")
    }

    #[test]
    fn the_headers_name_target_organisation_software_and_practitioner() {
        let correlation = Uuid::new_v4();
        let h = headers(&session(), "2000100505", correlation);
        let target = decoded(&h, "NHSD-Target-Identifier");
        assert_eq!(target["value"], "2000100505");
        assert_eq!(target["system"], DOS_SERVICE_ID);
        let org = decoded(&h, "NHSD-End-User-Organisation");
        assert_eq!(org["resourceType"], "Organization");
        assert_eq!(org["identifier"][0]["value"], "RYA");
        assert_eq!(
            decoded(&h, "NHSD-Requesting-Software")["resourceType"],
            "Device"
        );
        let software = decoded(&h, "NHSD-Requesting-Software");
        assert_eq!(software["identifier"][0]["value"], DEVICE_ID);
        let who = decoded(&h, "NHSD-Requesting-Practitioner");
        assert_eq!(who["resourceType"], "PractitionerRole");
        assert_eq!(who["identifier"][0]["system"], SDS_ROLE_PROFILE_ID);
        assert_eq!(who["identifier"][0]["value"], "UNK");
        assert_eq!(who["practitioner"]["identifier"]["value"], "555021935107");
        assert_eq!(who["code"][0]["text"], "Call handler");
        let get = |n: &str| h.iter().find(|(k, _)| *k == n).map(|(_, v)| v.clone());
        assert_eq!(get("X-Correlation-Id"), Some(correlation.to_string()));
        assert_eq!(
            get("Accept").as_deref(),
            Some("application/fhir+json; version=1.0.0")
        );
    }

    fn bars_service() -> Service {
        let toml = "[[service]]\nid = \"s\"\nname = \"S\"\nkind = \"urgent-care\"\n\
                    standard = \"bars\"\nbase_url = \"https://prov.example/bars/s/FHIR/R4\"\n\
                    ods = \"NQ503\"\nasid = \"918999198302\"\ntarget_identifier = \"2000100505\"\n";
        crate::directory::Directory::from_toml(toml)
            .expect("directory")
            .all()[0]
            .clone()
    }

    #[tokio::test]
    async fn a_slot_search_names_the_service_and_its_parts_share_one_correlation_id() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let window = SearchWindow {
            from: day("2026-12-01"),
            to: day("2026-12-20"),
        };
        let reqs = in_one_piece_of_work(async {
            free_slots(&session(), &bars_service(), &window).expect("requests")
        })
        .await;
        assert_eq!(reqs.len(), 2, "20 days are asked in two parts");
        let correlation = |r: &FhirRequest| {
            r.headers
                .iter()
                .find(|(n, _)| *n == "X-Correlation-Id")
                .map(|(_, v)| v.clone())
        };
        assert_eq!(correlation(&reqs[0]), correlation(&reqs[1]));
        assert_ne!(
            correlation(&reqs[0]),
            reqs[0].request_id.map(|id| id.to_string()),
            "not a copy of the request id"
        );
        for r in &reqs {
            assert!(
                r.query
                    .iter()
                    .any(|(k, v)| k == "Schedule.actor:HealthcareService" && v == "2000100505"),
                "{:?}",
                r.query
            );
        }
    }

    #[test]
    fn a_message_names_its_use_context() {
        let message = json!({ "entry": [{ "resource": {
            "resourceType": "MessageHeader",
            "reason": { "coding": [{ "code": "update" }] }
        } }] });
        let req = process_message(
            &session(),
            &bars_service(),
            &message,
            "cancel",
            Uuid::new_v4(),
        )
        .expect("request");
        let context = req.headers.iter().find(|(n, _)| *n == "use-context");
        assert_eq!(
            context.map(|(_, v)| v.as_str()),
            Some("a1t1|booking|booking-request|update")
        );
    }
}
