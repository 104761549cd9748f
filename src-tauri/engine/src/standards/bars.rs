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
use crate::auth::Session;
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

/// Every header a BaRS request carries, bearer token and `X-Request-Id` aside (the transport
/// adds both). `correlation_id` ties together the requests of one piece of work.
pub fn headers(
    session: &Session,
    target: &str,
    correlation_id: Uuid,
) -> Vec<(&'static str, String)> {
    let user = &session.user;
    let org = &session.organisation;
    vec![
        (
            "NHSD-Target-Identifier",
            encoded(&json!({ "value": target, "system": DOS_SERVICE_ID })),
        ),
        (
            "NHSD-End-User-Organisation",
            encoded(&json!({
                "resourceType": "Organization",
                "identifier": [{ "system": ODS, "value": org.ods.as_str() }],
                "name": org.name,
            })),
        ),
        (
            "NHSD-Requesting-Software",
            encoded(&json!({
                "resourceType": "Device",
                "deviceName": [{ "name": "Booking Desk", "type": "manufacturer-name" }],
                "version": [{ "value": env!("CARGO_PKG_VERSION") }],
            })),
        ),
        (
            "NHSD-Requesting-Practitioner",
            encoded(&json!({
                "resourceType": "Practitioner",
                "id": user.local_id,
                "identifier": [
                    { "system": SDS_USER_ID, "value": user.sds_user_id },
                    { "system": SDS_ROLE_PROFILE_ID, "value": user.sds_role_profile_id },
                ],
                "name": [{ "text": user.name }],
            })),
        ),
        ("X-Correlation-Id", correlation_id.to_string()),
        (
            "Accept",
            format!("application/fhir+json; version={VERSION}"),
        ),
    ]
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
    req.headers = headers(session, target(service)?, request_id);
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
            let mut req = request(session, service, "/Slot", "search-slots", Uuid::new_v4())?
                .param("start", format!("ge{}", instant(uk_start_of_day(from))))
                .param("start", format!("le{}", instant(uk_end_of_day(to))))
                .param("status", "free")
                .param("_include", "Slot:schedule")
                .param("_include:iterate", "Schedule:actor:Practitioner")
                .param("_include:iterate", "Schedule:actor:PractitionerRole")
                .param("_include:iterate", "Schedule:actor:HealthcareService")
                .param("_include:iterate", "HealthcareService:location");
            if let Some(hs) = &service.healthcare_service {
                req = req.param("Schedule.actor:HealthcareService", hs.clone());
            }
            Ok(req)
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
        let who = decoded(&h, "NHSD-Requesting-Practitioner");
        assert_eq!(who["identifier"][0]["value"], "555021935107");
        assert_eq!(who["identifier"][1]["value"], "UNK");
        let get = |n: &str| h.iter().find(|(k, _)| *k == n).map(|(_, v)| v.clone());
        assert_eq!(get("X-Correlation-Id"), Some(correlation.to_string()));
        assert_eq!(
            get("Accept").as_deref(),
            Some("application/fhir+json; version=1.0.0")
        );
    }
}
