//! Spine Secure Proxy headers and the consumer's JWT, checked on every FHIR request.

use crate::json_util::{arr_of, is_uuid, str_of};
use crate::outcome::FhirError;
use crate::routes::Candidate;
use crate::seed::Service;
use crate::systems;
use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// The JWT lifetime every consumer must use, in seconds.
const TOKEN_LIFETIME: i64 = 300;
/// How far `iat` may be from our clock, in seconds.
const MAX_CLOCK_SKEW: i64 = 300;

/// A header as text; `Ok(None)` when absent, an error when repeated or not visible ASCII.
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, FhirError> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(FhirError::invalid_header(format!(
            "The {name} header is repeated"
        )));
    }
    first
        .to_str()
        .map(|s| Some(s.trim()))
        .map_err(|_| FhirError::invalid_header(format!("The {name} header is not valid text")))
}

fn required<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, FhirError> {
    match header(headers, name)? {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(FhirError::invalid_header(format!(
            "The {name} header is missing"
        ))),
    }
}

fn is_asid(s: &str) -> bool {
    s.len() == 12 && s.chars().all(|c| c.is_ascii_digit())
}

/// Ssp-TraceID, Ssp-From and Ssp-To.
pub fn check_ssp(headers: &HeaderMap, service: &Service) -> Result<(), FhirError> {
    let trace = required(headers, "Ssp-TraceID")?;
    if !is_uuid(trace) {
        return Err(FhirError::invalid_header("Ssp-TraceID must be a UUID"));
    }
    let from = required(headers, "Ssp-From")?;
    if !is_asid(from) {
        return Err(FhirError::invalid_header(
            "Ssp-From must be the consumer's 12-digit ASID",
        ));
    }
    let to = required(headers, "Ssp-To")?;
    if !is_asid(to) {
        return Err(FhirError::invalid_header(
            "Ssp-To must be the provider's 12-digit ASID",
        ));
    }
    if to != service.asid {
        return Err(FhirError::access_denied(format!(
            "Ssp-To {to} is not the ASID of this service"
        )));
    }
    Ok(())
}

/// Picks the interaction the Ssp-InteractionID header names among those the route allows.
pub fn choose_interaction<'c>(
    headers: &HeaderMap,
    candidates: &'c [Candidate],
) -> Result<&'c Candidate, FhirError> {
    let id = required(headers, "Ssp-InteractionID")?;
    candidates
        .iter()
        .find(|c| c.interaction == id)
        .ok_or_else(|| {
            let expected: Vec<&str> = candidates.iter().map(|c| c.interaction.as_str()).collect();
            FhirError::invalid_header(format!(
                "Ssp-InteractionID '{id}' does not match this request; expected {}",
                expected.join(" or ")
            ))
        })
}

fn decode_part(part: &str, what: &str) -> Result<Value, FhirError> {
    let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| {
        FhirError::bad_request(format!("JWT {what} is not base64url without padding"))
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|_| FhirError::bad_request(format!("JWT {what} is not JSON")))
}

fn claim_err(claim: &str, why: &str) -> FhirError {
    FhirError::bad_request(format!("JWT claim {claim} {why}"))
}

fn non_empty_str<'a>(claims: &'a Value, claim: &str) -> Result<&'a str, FhirError> {
    match str_of(claims, claim) {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(claim_err(claim, "is missing or empty")),
    }
}

fn has_identifier(resource: &Value, system: &str) -> bool {
    arr_of(resource, "identifier").iter().any(|i| {
        str_of(i, "system") == Some(system)
            && str_of(i, "value").is_some_and(|v| !v.trim().is_empty())
    })
}

fn resource_claim<'a>(claims: &'a Value, claim: &str, kind: &str) -> Result<&'a Value, FhirError> {
    let v = claims
        .get(claim)
        .filter(|v| v.is_object())
        .ok_or_else(|| claim_err(claim, "is missing"))?;
    if str_of(v, "resourceType") != Some(kind) {
        return Err(claim_err(claim, &format!("must be a {kind} resource")));
    }
    Ok(v)
}

/// Checks the bearer token: an unsigned JWT with the claims GP Connect and UEC Booking require.
pub fn check_jwt(
    headers: &HeaderMap,
    root_path: &str,
    scope: &str,
    now: i64,
) -> Result<(), FhirError> {
    let auth = header(headers, "Authorization")
        .map_err(|e| FhirError::bad_request(e.diagnostics))?
        .ok_or_else(|| FhirError::bad_request("The Authorization header is missing"))?;
    let token = match auth.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("Bearer") => t.trim(),
        _ => {
            return Err(FhirError::bad_request(
                "The Authorization header must be 'Bearer <JWT>'",
            ));
        }
    };
    let parts: Vec<&str> = token.split('.').collect();
    let [head, body, signature] = parts.as_slice() else {
        return Err(FhirError::bad_request("The bearer token is not a JWT"));
    };
    if !signature.is_empty() {
        return Err(FhirError::bad_request(
            "The JWT must be unsigned (alg none, empty signature)",
        ));
    }
    let head = decode_part(head, "header")?;
    if str_of(&head, "alg") != Some("none") {
        return Err(FhirError::bad_request("JWT header alg must be \"none\""));
    }
    if head.get("typ").is_some() && str_of(&head, "typ") != Some("JWT") {
        return Err(FhirError::bad_request("JWT header typ must be \"JWT\""));
    }
    let claims = decode_part(body, "payload")?;
    if !claims.is_object() {
        return Err(FhirError::bad_request("JWT payload is not a JSON object"));
    }
    check_claims(&claims, root_path, scope, now)
}

fn check_claims(claims: &Value, root_path: &str, scope: &str, now: i64) -> Result<(), FhirError> {
    non_empty_str(claims, "iss")?;
    let sub = non_empty_str(claims, "sub")?;
    let aud = non_empty_str(claims, "aud")?;
    if !(aud.starts_with("https://") || aud.starts_with("http://")) || !aud.ends_with(root_path) {
        return Err(claim_err(
            "aud",
            &format!("must be this service's root URL (ending {root_path})"),
        ));
    }
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or_else(|| claim_err("iat", "must be a number of seconds"))?;
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or_else(|| claim_err("exp", "must be a number of seconds"))?;
    if exp.checked_sub(iat) != Some(TOKEN_LIFETIME) {
        return Err(FhirError::bad_request("exp must be iat + 300"));
    }
    let skew = now.checked_sub(iat).map(i64::unsigned_abs);
    if skew.is_none_or(|s| s > MAX_CLOCK_SKEW.unsigned_abs()) {
        return Err(claim_err(
            "iat",
            "is more than 5 minutes from the provider's clock",
        ));
    }
    if str_of(claims, "reason_for_request") != Some("directcare") {
        return Err(claim_err("reason_for_request", "must be \"directcare\""));
    }
    if str_of(claims, "requested_scope") != Some(scope) {
        return Err(claim_err(
            "requested_scope",
            &format!("must be \"{scope}\" for this interaction"),
        ));
    }
    resource_claim(claims, "requesting_device", "Device")?;
    let org = resource_claim(claims, "requesting_organization", "Organization")?;
    if !has_identifier(org, systems::ODS_CODE) {
        return Err(claim_err(
            "requesting_organization",
            "must have an ODS code identifier",
        ));
    }
    let practitioner = resource_claim(claims, "requesting_practitioner", "Practitioner")?;
    if str_of(practitioner, "id") != Some(sub) {
        return Err(claim_err(
            "requesting_practitioner",
            "id must equal the sub claim",
        ));
    }
    for system in [systems::SDS_USER_ID, systems::SDS_ROLE_PROFILE_ID] {
        if !has_identifier(practitioner, system) {
            return Err(claim_err(
                "requesting_practitioner",
                &format!("must have an identifier with system {system}"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(now: i64) -> Value {
        json!({
            "iss": "https://desk.example/fhir",
            "sub": "1",
            "aud": "http://127.0.0.1:1/B86001/STU3/1/gpconnect",
            "iat": now,
            "exp": now + 300,
            "reason_for_request": "directcare",
            "requested_scope": "patient/*.read",
            "requesting_device": { "resourceType": "Device" },
            "requesting_organization": {
                "resourceType": "Organization",
                "identifier": [{ "system": systems::ODS_CODE, "value": "RYA" }]
            },
            "requesting_practitioner": {
                "resourceType": "Practitioner",
                "id": "1",
                "identifier": [
                    { "system": systems::SDS_USER_ID, "value": "1" },
                    { "system": systems::SDS_ROLE_PROFILE_ID, "value": "2" }
                ]
            }
        })
    }

    const ROOT: &str = "/B86001/STU3/1/gpconnect";

    #[test]
    fn accepts_good_claims() {
        assert!(check_claims(&claims(1000), ROOT, "patient/*.read", 1000).is_ok());
    }

    #[test]
    fn rejects_bad_claims() {
        let check = |mutate: &dyn Fn(&mut Value)| {
            let mut c = claims(1000);
            mutate(&mut c);
            check_claims(&c, ROOT, "patient/*.read", 1000)
                .err()
                .map(|e| e.diagnostics)
        };
        assert_eq!(
            check(&|c| c["exp"] = json!(1000 + 301)).as_deref(),
            Some("exp must be iat + 300")
        );
        assert!(check(&|c| c["aud"] = json!("http://x/other")).is_some_and(|d| d.contains("aud")));
        assert!(check(&|c| c["requested_scope"] = json!("patient/*.write")).is_some());
        assert!(check(&|c| c["reason_for_request"] = json!("secondary")).is_some());
        assert!(check(&|c| c["requesting_practitioner"]["id"] = json!("2")).is_some());
        assert!(check(&|c| c["requesting_organization"]["identifier"] = json!([])).is_some());
        assert!(
            check(&|c| {
                c["iat"] = json!(0);
                c["exp"] = json!(300)
            })
            .is_some_and(|d| d.contains("iat"))
        );
        // Extreme values are refused, not a panic.
        assert!(
            check(&|c| {
                c["iat"] = json!(i64::MIN);
                c["exp"] = json!(i64::MIN + 300)
            })
            .is_some()
        );
        assert!(check(&|c| c["exp"] = json!(i64::MAX)).is_some());
    }
}
