//! The national API platform's one BaRS root. The published API's `servers` (booking-and-
//! referral-fhir-api, specification/booking-and-referral-1.2.0.yaml to 1.4.0.yaml) are
//! `https://{sandbox.,int.,}api.service.nhs.uk/booking-and-referral/FHIR/R4`; its overview: "This
//! API redirects the request to the service associated with the service identifier header".
//! Here that is the BaRS service whose DoS id the `NHSD-Target-Identifier` names.

use super::outcome::BarsError;
use super::{headers, respond, to_bytes};
use crate::seed::Service;
use crate::sim::Sim;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, request::Parts};
use axum::response::Response;
use serde_json::{Value, json};

/// The root's path on the simulator, as on the live platform.
pub const PATH: &str = "/booking-and-referral/FHIR/R4";

/// The path segments below the one root, or `None` for paths elsewhere.
pub fn rest(path: &str) -> Option<Vec<&str>> {
    let below = path.strip_prefix(PATH)?;
    if below.is_empty() {
        return Some(Vec::new());
    }
    let below = below.strip_prefix('/')?;
    Some(below.split('/').collect())
}

/// The receiver a request at the one root goes to. The platform checks its token and the
/// request and correlation ids before it looks the target up (the live proxy's
/// `proxies/default.xml` "Checks" flow, `ValidateRequest.js`, then `bref-target.xml`
/// `CheckTarget`); an unknown target is its 404 (`RaiseFault.404ProxyNotFound`).
pub fn resolve<'a>(sim: &'a Sim, h: &HeaderMap) -> Result<&'a Service, BarsError> {
    headers::check_token(h, &sim.platform, sim.clock.now().timestamp())?;
    headers::uuid_header(h, "X-Request-Id")?;
    headers::uuid_header(h, "X-Correlation-Id")?;
    headers::target_service(h, &sim.region)
}

/// `GET metadata` with no target is the platform's own CapabilityStatement, answered before any
/// check (`proxies/default.xml`: the "CapabilityStatement" flow and route rule, conditioned on
/// `request.header.NHSD-Target-Identifier = null`). With a target it goes to the receiver.
pub fn is_platform_metadata(parts: &Parts, rest: &[&str]) -> bool {
    parts.method == Method::GET
        && rest == ["metadata"]
        && !parts.headers.contains_key("NHSD-Target-Identifier")
}

/// As the live proxy's `AssignMessage.AddCapabilityStatement` answers it (`application/json`),
/// naming this root and what it serves.
pub fn platform_metadata(sim: &Sim, echo: &[(&'static str, HeaderValue)]) -> Response {
    respond(
        StatusCode::OK,
        "application/json",
        to_bytes(&statement(&format!("{}{PATH}", sim.base_url))),
        echo,
    )
}

fn search(kind: &str, params: &[&str]) -> Value {
    json!({
        "type": kind,
        "interaction": [{ "code": "read" }, { "code": "search-type" }],
        "searchParam": params
            .iter()
            .map(|p| json!({ "name": p, "type": "token" }))
            .collect::<Vec<_>>(),
    })
}

fn statement(root: &str) -> Value {
    json!({
        "resourceType": "CapabilityStatement",
        "url": root,
        "name": "BaRS FHIR Server CapabilityStatement",
        "status": "active",
        "kind": "instance",
        "publisher": "NHS England",
        "implementation": { "description": "BaRS FHIR Server", "url": root },
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [{
            "mode": "server",
            "security": { "service": [{ "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                "code": "OAuth",
                "display": "OAuth",
            }] }] },
            "resource": [
                { "type": "CapabilityStatement", "interaction": [{ "code": "read" }] },
                search("Appointment", &["patient:identifier"]),
                search("Slot", &["status", "start", "Schedule.actor:HealthcareService"]),
                search("HealthcareService", &[
                    "HealthcareService.identifier",
                    "HealthcareService.providedBy",
                ]),
                search("Endpoint", &[
                    "_has:HealthcareService.Identifier",
                    "_has:HealthcareService.Id",
                    "Endpoint.identifier",
                ]),
            ],
            "operation": [{
                "name": "$process-message",
                "definition": "http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message",
            }],
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_below_the_one_root() {
        assert_eq!(
            rest("/booking-and-referral/FHIR/R4/Appointment/a"),
            Some(vec!["Appointment", "a"])
        );
        assert_eq!(rest("/booking-and-referral/FHIR/R4"), Some(vec![]));
        assert_eq!(rest("/booking-and-referral/FHIR/R4x/Slot"), None);
        assert_eq!(rest("/bars/spen-valley-utc/FHIR/R4/Slot"), None);
    }
}
