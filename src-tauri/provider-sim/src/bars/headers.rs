//! What the national API platform and a BaRS receiver check on every request: the platform's
//! bearer token, the routing and audit headers (base64 JSON FHIR objects), the request and
//! correlation ids, and the BaRS version the sender asks for.

use super::outcome::BarsError;
use crate::json_util::{arr_of, is_uuid, str_of};
use crate::seed::{Region, Service};
use crate::systems;
use crate::token::{Platform, TokenStatus};
use axum::http::HeaderMap;
use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::Value;

/// The one BaRS version this receiver speaks.
pub const BARS_VERSION: &str = "1.0.0";
pub const DOS_SERVICE_ID: &str = "https://fhir.nhs.uk/Id/dos-service-id";

/// Standard base64, as the specification asks; padding is not insisted on.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A header as text; `Ok(None)` when absent or empty, an error when repeated or not text.
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, BarsError> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(BarsError::send_bad_request(format!(
            "The {name} header is repeated"
        )));
    }
    let text = first
        .to_str()
        .map_err(|_| BarsError::send_bad_request(format!("The {name} header is not valid text")))?;
    Ok(Some(text.trim()).filter(|t| !t.is_empty()))
}

fn required<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, BarsError> {
    header(headers, name)?
        .ok_or_else(|| BarsError::send_bad_request(format!("The {name} header is missing")))
}

/// The platform answers for the token before the receiver sees anything.
pub fn check_token(headers: &HeaderMap, platform: &Platform, now: i64) -> Result<(), BarsError> {
    let Some(auth) = header(headers, "Authorization")? else {
        return Err(BarsError::send_unauthorized(
            "unknown",
            "No access token was provided: send 'Authorization: Bearer <token>' with a token \
             from the platform's token endpoint",
        ));
    };
    let token = match auth.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("Bearer") && !t.trim().is_empty() => {
            t.trim()
        }
        _ => {
            return Err(BarsError::send_unauthorized(
                "security",
                "The Authorization header must be 'Bearer <access token>'",
            ));
        }
    };
    match platform.token_status(token, now) {
        TokenStatus::Valid => Ok(()),
        TokenStatus::Expired => Err(BarsError::send_unauthorized(
            "expired",
            "The access token has expired: get a new one from the token endpoint",
        )),
        TokenStatus::Unknown => Err(BarsError::send_unauthorized(
            "security",
            "The access token is invalid: it was not issued by the platform's token endpoint",
        )),
    }
}

/// A base64 JSON object header, or a 400 naming the header and what it must hold.
fn json_header(headers: &HeaderMap, name: &str, must: &str) -> Result<Value, BarsError> {
    let raw = required(headers, name)?;
    let bad = || BarsError::send_bad_request(format!("The {name} header must be {must}"));
    let bytes = BASE64.decode(raw).map_err(|_| bad())?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if v.is_object() { Ok(v) } else { Err(bad()) }
}

/// A required header holding a UUID.
pub fn uuid_header(headers: &HeaderMap, name: &str) -> Result<String, BarsError> {
    let v = required(headers, name)?;
    if is_uuid(v) {
        Ok(v.to_string())
    } else {
        Err(BarsError::send_bad_request(format!(
            "The {name} header must be a UUID"
        )))
    }
}

/// What the checked headers give the interaction.
pub struct Caller {
    pub request_id: String,
}

const TARGET: &str = "NHSD-Target-Identifier";

/// The DoS id in `NHSD-Target-Identifier`, `None` when the header is absent. The platform's
/// `CheckTargets.js` reads base64 JSON with `system` and `value`; anything else is its 400
/// "malformed target identifier".
pub fn read_target(headers: &HeaderMap) -> Result<Option<String>, BarsError> {
    let Some(raw) = header(headers, TARGET)? else {
        return Ok(None);
    };
    let malformed = || {
        BarsError::proxy_bad_request(format!(
            "The {TARGET} header is malformed: it must be base64 JSON \
             {{\"value\": \"<DoS id>\", \"system\": \"{DOS_SERVICE_ID}\"}}"
        ))
    };
    let bytes = BASE64.decode(raw).map_err(|_| malformed())?;
    let target: Value = serde_json::from_slice(&bytes).map_err(|_| malformed())?;
    let value = str_of(&target, "value")
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(malformed)?;
    if str_of(&target, "system") != Some(DOS_SERVICE_ID) {
        return Err(malformed());
    }
    Ok(Some(value.to_string()))
}

fn target_missing() -> BarsError {
    BarsError::send_bad_request(format!("The {TARGET} header is missing"))
}

/// The platform's 404 when its Endpoint Catalogue has no receiver for the target.
fn unregistered(value: &str) -> BarsError {
    BarsError::proxy_not_found(format!(
        "No endpoint is registered for the {TARGET} DoS service {value}"
    ))
}

/// The one proxy root: the receiver registered under the target's DoS id, as the platform
/// looks it up (`CheckTargets.js`, `get_target_url_from_kvm_nhsd_target_identifier`).
pub fn target_service<'a>(
    headers: &HeaderMap,
    region: &'a Region,
) -> Result<&'a Service, BarsError> {
    let value = read_target(headers)?.ok_or_else(target_missing)?;
    region
        .bars_service_by_dos(&value)
        .ok_or_else(|| unregistered(&value))
}

/// The target identifier must name this service's DoS id. Optional only where `optional` (the
/// capability statement), but checked whenever sent.
fn check_target(
    headers: &HeaderMap,
    region: &Region,
    service: &Service,
    optional: bool,
) -> Result<(), BarsError> {
    let Some(value) = read_target(headers)? else {
        return if optional {
            Ok(())
        } else {
            Err(target_missing())
        };
    };
    if service.dos_service_id == Some(value.as_str()) {
        return Ok(());
    }
    Err(match region.bars_service_by_dos(&value) {
        Some(other) => BarsError::proxy_not_found(format!(
            "{TARGET} names DoS service {value} ({}), whose endpoint is not this one",
            other.name
        )),
        None => unregistered(&value),
    })
}

fn has_ods_identifier(org: &Value) -> bool {
    arr_of(org, "identifier").iter().any(|i| {
        str_of(i, "system") == Some(systems::ODS_CODE)
            && str_of(i, "value").is_some_and(|v| !v.trim().is_empty())
    })
}

/// `NHSD-End-User-Organisation`: base64 JSON of an Organization with an ODS code (the API
/// specification's `RequestingOrganisation_HParam` and its example).
pub fn check_end_user_organisation(headers: &HeaderMap) -> Result<(), BarsError> {
    const ORG: &str = "NHSD-End-User-Organisation";
    let org_must = format!(
        "base64 JSON of an Organization with an identifier of system {}",
        systems::ODS_CODE
    );
    let org = json_header(headers, ORG, &org_must)?;
    if str_of(&org, "resourceType") != Some("Organization") || !has_ods_identifier(&org) {
        return Err(BarsError::send_bad_request(format!(
            "The {ORG} header must be {org_must}"
        )));
    }
    Ok(())
}

pub const SOFTWARE: &str = "NHSD-Requesting-Software";

/// The API specification (booking-and-referral-fhir-api, specification/schemas/
/// RequestingSoftware.yaml and its example): a Device whose identifier, "though arbitrary,
/// should be consistent across instances of a product".
pub fn check_requesting_software(headers: &HeaderMap) -> Result<(), BarsError> {
    let device_must = "base64 JSON of a Device with an identifier";
    let device = json_header(headers, SOFTWARE, device_must)?;
    let identified = arr_of(&device, "identifier")
        .iter()
        .any(|i| str_of(i, "value").is_some_and(|v| !v.trim().is_empty()));
    if str_of(&device, "resourceType") != Some("Device") || !identified {
        return Err(BarsError::send_bad_request(format!(
            "The {SOFTWARE} header must be {device_must}"
        )));
    }
    Ok(())
}

/// Every header but the token and Accept. `metadata` relaxes only the target identifier.
pub fn check(
    headers: &HeaderMap,
    region: &Region,
    service: &Service,
    metadata: bool,
) -> Result<Caller, BarsError> {
    let request_id = uuid_header(headers, "X-Request-Id")?;
    uuid_header(headers, "X-Correlation-Id")?;
    check_target(headers, region, service, metadata)?;

    check_end_user_organisation(headers)?;
    check_requesting_software(headers)?;

    // The API specification (specification/schemas/RequestingPractitioner.yaml): "an object
    // based on a FHIR 'PractitionerRole' resource".
    const PRACTITIONER: &str = "NHSD-Requesting-Practitioner";
    let practitioner_must = "base64 JSON of a PractitionerRole";
    let practitioner = json_header(headers, PRACTITIONER, practitioner_must)?;
    if str_of(&practitioner, "resourceType") != Some("PractitionerRole") {
        return Err(BarsError::send_bad_request(format!(
            "The {PRACTITIONER} header must be {practitioner_must}"
        )));
    }
    Ok(Caller { request_id })
}

/// `use-context` on `$process-message`: required by the API specification
/// (specification/booking-and-referral.yaml, `use-context_HParam`, "for usage statistics for
/// the BaRS Proxy"), in its example's form `a4t2|validation|servicerequest-response|new`: four
/// parts separated by `|`.
pub fn check_use_context(headers: &HeaderMap) -> Result<(), BarsError> {
    let value = required(headers, "use-context")?;
    let parts: Vec<&str> = value.split('|').map(str::trim).collect();
    if parts.len() != 4 || parts.iter().any(|p| p.is_empty()) {
        return Err(BarsError::send_bad_request(format!(
            "The use-context header '{value}' must be <use case>|<workflow>|<event>|<reason>, \
             e.g. a1t1|booking|booking-request|new"
        )));
    }
    Ok(())
}

/// `application/fhir+json; version=1.0.0`, possibly among other media ranges.
pub fn check_accept(headers: &HeaderMap) -> Result<(), BarsError> {
    let accept = required(headers, "Accept")?;
    let wanted = format!("application/fhir+json; version={BARS_VERSION}");
    let mut versions = Vec::new();
    let mut fhir_json = false;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim();
        if !media.eq_ignore_ascii_case("application/fhir+json") {
            continue;
        }
        fhir_json = true;
        for param in parts {
            if let Some((k, v)) = param.split_once('=')
                && k.trim().eq_ignore_ascii_case("version")
            {
                versions.push(v.trim().trim_matches('"').to_string());
            }
        }
    }
    if versions.iter().any(|v| v == BARS_VERSION) {
        return Ok(());
    }
    if !fhir_json {
        return Err(BarsError::send_not_acceptable(format!(
            "Accept '{accept}' asks for nothing this API produces: send '{wanted}'"
        )));
    }
    match versions.first() {
        None => Err(BarsError::send_not_acceptable(format!(
            "The Accept header must name the BaRS version: '{wanted}'"
        ))),
        Some(v) => Err(BarsError::rec_not_acceptable(format!(
            "This service speaks BaRS version {BARS_VERSION}, not {v}: send '{wanted}'"
        ))),
    }
}

/// `application/fhir+json`, optionally with `charset=utf-8` and this BaRS version.
pub fn check_content_type(headers: &HeaderMap) -> Result<(), BarsError> {
    let wrong = || {
        BarsError::rec_bad_request(
            "invalid",
            format!("Content-Type must be application/fhir+json; version={BARS_VERSION}"),
        )
    };
    let ct = header(headers, "Content-Type")
        .map_err(|_| wrong())?
        .ok_or_else(wrong)?;
    let mut parts = ct.split(';');
    if !parts
        .next()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/fhir+json"))
    {
        return Err(wrong());
    }
    for param in parts {
        let ok = param.split_once('=').is_some_and(|(k, v)| {
            let (k, v) = (k.trim(), v.trim().trim_matches('"'));
            (k.eq_ignore_ascii_case("charset") && v.eq_ignore_ascii_case("utf-8"))
                || (k.eq_ignore_ascii_case("version") && v == BARS_VERSION)
        });
        if !ok {
            return Err(wrong());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(v: &'static str) -> Result<(), &'static str> {
        let mut h = HeaderMap::new();
        h.insert("Accept", HeaderValue::from_static(v));
        check_accept(&h).map_err(|e| e.code)
    }

    #[test]
    fn accept_needs_this_version() {
        assert_eq!(accept("application/fhir+json; version=1.0.0"), Ok(()));
        assert_eq!(accept("application/fhir+json;version=\"1.0.0\""), Ok(()));
        assert_eq!(
            accept("application/xml, application/fhir+json; version=1.0.0"),
            Ok(())
        );
        assert_eq!(
            accept("application/fhir+json; version=1.6.0"),
            Err("REC_NOT_ACCEPTABLE")
        );
        assert_eq!(accept("application/fhir+json"), Err("SEND_NOT_ACCEPTABLE"));
        assert_eq!(accept("application/json"), Err("SEND_NOT_ACCEPTABLE"));
        assert_eq!(
            check_accept(&HeaderMap::new()).err().map(|e| e.code),
            Some("SEND_BAD_REQUEST")
        );
    }

    #[test]
    fn content_type_may_carry_charset_and_version() {
        let ct = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert("Content-Type", HeaderValue::from_static(v));
            check_content_type(&h).is_ok()
        };
        assert!(ct("application/fhir+json"));
        assert!(ct("application/fhir+json; version=1.0.0; charset=utf-8"));
        assert!(!ct("application/json"));
        assert!(!ct("application/fhir+json; version=2"));
    }
}
