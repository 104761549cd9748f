//! BaRS (FHIR R4, through the national API platform): the headers every request carries. The
//! routing and audit headers are base64 JSON FHIR objects naming the target service, our
//! organisation, our software and the signed-in practitioner.
//!
//! The interactions themselves (slot search, `$process-message` booking and cancelling, reads)
//! come next; provider-sim already hosts BaRS services to drive them against.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::auth::Session;

/// The BaRS version the desk speaks, asked for in `Accept`.
pub const VERSION: &str = "1.0.0";
const DOS_SERVICE_ID: &str = "https://fhir.nhs.uk/Id/dos-service-id";
const ODS: &str = "https://fhir.nhs.uk/Id/ods-organization-code";
const SDS_USER_ID: &str = "https://fhir.nhs.uk/Id/sds-user-id";
const SDS_ROLE_PROFILE_ID: &str = "https://fhir.nhs.uk/Id/sds-role-profile-id";

fn encoded(value: &Value) -> String {
    STANDARD.encode(value.to_string())
}

/// One request's ids: `X-Request-Id` is fresh per attempt unless a retry must repeat it;
/// `X-Correlation-Id` ties together the requests of one booking.
#[derive(Debug, Clone, Copy)]
pub struct RequestIds {
    pub request_id: Uuid,
    pub correlation_id: Uuid,
}

/// Every header a BaRS request carries, bearer token aside.
pub fn headers(session: &Session, target: &str, ids: RequestIds) -> Vec<(&'static str, String)> {
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
        ("X-Request-Id", ids.request_id.to_string()),
        ("X-Correlation-Id", ids.correlation_id.to_string()),
        (
            "Accept",
            format!("application/fhir+json; version={VERSION}"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clinical::cda::tests::session;

    fn decoded(headers: &[(&str, String)], name: &str) -> Value {
        let value = &headers.iter().find(|(n, _)| *n == name).expect(name).1;
        let bytes = STANDARD.decode(value).expect("base64");
        serde_json::from_slice(&bytes).expect("JSON")
    }

    #[test]
    fn the_headers_name_target_organisation_software_and_practitioner() {
        let ids = RequestIds {
            request_id: Uuid::new_v4(),
            correlation_id: Uuid::new_v4(),
        };
        let h = headers(&session(), "2000100505", ids);
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
        assert_eq!(get("X-Request-Id"), Some(ids.request_id.to_string()));
        assert_eq!(
            get("X-Correlation-Id"),
            Some(ids.correlation_id.to_string())
        );
        assert_eq!(
            get("Accept").as_deref(),
            Some("application/fhir+json; version=1.0.0")
        );
    }
}
