//! The Spine Directory Service FHIR API (R4): `GET /Endpoint` and `GET /Device` at
//! `/spine-directory/FHIR/R4`, behind an API key.
//!
//! Sources, all in `NHSDigital/spine-directory-service-api` at commit dc9c89d (its OpenAPI and
//! examples are copied to the project's `tests/fixtures/sds/`):
//! - YAML: `specification/spine-directory-service.yaml` (paths, parameters, `apikey` header,
//!   status codes; "returns all ... found that match ... (which may be 0)");
//! - EXAMPLES: `specification/components/examples/{Endpoint,Device}*.json` (resource shapes);
//! - ADAPTOR: the service behind the platform, `docker/sds-api/spine-directory-service/sds/
//!   request/` (`base_handler.py`, `routing_reliability_handler.py`,
//!   `accredited_system_handler.py`, `error_handler.py`, `content_type_validator.py`,
//!   `tracking_ids_headers_reader.py`, `fhir_json_mapper.py`): parameter rules, error texts,
//!   OperationOutcome shape, X-Correlation-Id, Accept;
//! - PROXY: `proxies/live/apiproxy/targets/target.xml` (the API key is verified first) and
//!   `policies/AssignMessage.OAuthPolicyErrorResponse.xml` (the platform's 401 shape);
//!   `tests/api_tests.py` `test_endpoints_are_secured` (no key: 401 OperationOutcome).

use super::National;
use super::directory::SdsRecord;
use crate::DEMO_SDS_API_KEY;
use crate::json_util::is_uuid;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

pub const BASE_PATH: &str = "/spine-directory/FHIR/R4";

const ODS: &str = "https://fhir.nhs.uk/Id/ods-organization-code";
const INTERACTION: &str = "https://fhir.nhs.uk/Id/nhsServiceInteractionId";
const PARTY_KEY: &str = "https://fhir.nhs.uk/Id/nhsMhsPartyKey";
const ASID: &str = "https://fhir.nhs.uk/Id/nhsSpineASID";
const INTERACTION_EXTENSION: &str =
    "https://fhir.nhs.uk/StructureDefinition/Extension-SDS-NhsServiceInteractionId";
/// ADAPTOR `error_handler.py`: `SpineCoding.SPINE_SYSTEM`.
const SPINE_CODES: &str = "https://fhir.nhs.uk/STU3/ValueSet/Spine-ErrorOrWarningCode-1";
/// PROXY `AssignMessage.OAuthPolicyErrorResponse.xml`.
const PLATFORM_CODES: &str = "https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode";
const UUID_PATTERN: &str =
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/// A refusal: status and OperationOutcome.
struct SdsError {
    status: StatusCode,
    body: Value,
    platform: bool,
}

/// ADAPTOR `error_handler.py`, `write_error`: one issue coded from Spine's codes; the adaptor's
/// diagnostics are tornado's `HTTPError` text, `HTTP {status}: {reason} ({message})`.
fn adaptor_error(
    status: StatusCode,
    issue: &str,
    code: &str,
    display: &str,
    diagnostics: String,
) -> SdsError {
    SdsError {
        status,
        body: json!({
            "resourceType": "OperationOutcome",
            "issue": [{
                "severity": "error",
                "code": issue,
                "details": { "coding": [{ "system": SPINE_CODES, "code": code, "display": display }] },
                "diagnostics": diagnostics,
            }],
        }),
        platform: false,
    }
}

fn bad_request(message: &str) -> SdsError {
    adaptor_error(
        StatusCode::BAD_REQUEST,
        "required",
        "BAD_REQUEST",
        "Bad request",
        format!("HTTP 400: Bad Request ({message})"),
    )
}

/// PROXY: the platform's 401 for a missing or unknown API key (`application/json`).
fn unauthorized(reason: &str) -> SdsError {
    SdsError {
        status: StatusCode::UNAUTHORIZED,
        body: json!({
            "resourceType": "OperationOutcome",
            "issue": [{
                "severity": "error",
                "code": "forbidden",
                "details": { "coding": [{
                    "system": PLATFORM_CODES,
                    "version": "1",
                    "code": "ACCESS_DENIED",
                    "display": reason,
                }] },
            }],
        }),
        platform: true,
    }
}

impl SdsError {
    fn into_response(self, correlation: Option<&str>) -> Response {
        let mut body = self.body;
        if let Some(id) = correlation.filter(|_| !self.platform) {
            body["id"] = json!(id);
        }
        let media = if self.platform {
            "application/json"
        } else {
            "application/fhir+json"
        };
        let mut r = (
            self.status,
            [(header::CONTENT_TYPE, media)],
            body.to_string(),
        )
            .into_response();
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET"));
        }
        r
    }
}

/// PROXY: the key is checked before anything else: the demo key, or any application key the
/// platform has registered. Apigee's own fault strings.
fn check_api_key(headers: &HeaderMap, platform: &crate::token::Platform) -> Result<(), SdsError> {
    match headers.get("apikey").and_then(|v| v.to_str().ok()) {
        None => Err(unauthorized(
            "Failed to resolve API Key variable request.header.apikey",
        )),
        Some(k) if k == DEMO_SDS_API_KEY || platform.knows_api_key(k) => Ok(()),
        Some(_) => Err(unauthorized("Invalid ApiKey")),
    }
}

/// ADAPTOR `tracking_ids_headers_reader.py`: an X-Correlation-Id sent must be a UUID; one is
/// made when none is sent; it is answered back either way.
fn correlation_id(headers: &HeaderMap) -> Result<String, SdsError> {
    match headers
        .get("X-Correlation-Id")
        .and_then(|v| v.to_str().ok())
    {
        None | Some("") => Ok(uuid::Uuid::new_v4().to_string()),
        Some(id) if is_uuid(id) => Ok(id.to_string()),
        Some(_) => Err(bad_request(&format!(
            "Invalid X-Correlation-Id header. Should be an UUIDv4 matching regex '{UUID_PATTERN}'"
        ))),
    }
}

/// ADAPTOR `content_type_validator.py`: `*/*` or `application/fhir+json` answer FHIR JSON,
/// `application/json` plain JSON, anything else 406.
fn accept(headers: &HeaderMap) -> Result<&'static str, SdsError> {
    let asked = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/fhir+json")
        .to_ascii_lowercase();
    let types: Vec<&str> = asked.split(',').map(str::trim).collect();
    if types.contains(&"*/*") || types.contains(&"application/fhir+json") {
        Ok("application/fhir+json")
    } else if types.contains(&"application/json") {
        Ok("application/json")
    } else {
        Err(adaptor_error(
            StatusCode::NOT_ACCEPTABLE,
            "not-supported",
            "MISSING_OR_INVALID_HEADER",
            "There is a required header missing or invalid",
            "Accept type not supported".to_string(),
        ))
    }
}

/// The query's parameters, decoded, in order.
fn params(query: Option<&str>) -> Vec<(String, String)> {
    let decode = |s: &str| -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                    match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        Some(b) => {
                            out.push(b);
                            i += 2;
                        }
                        None => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// ADAPTOR `base_handler.py`, `get_optional_query_param`: the last value of `name` whose system
/// is `system` and whose value after `|` is not blank.
fn value_of(params: &[(String, String)], name: &str, system: &str) -> Option<String> {
    params
        .iter()
        .filter(|(k, _)| k == name)
        .filter_map(|(_, v)| v.split_once('|'))
        .filter(|(s, v)| *s == system && !v.trim().is_empty())
        .map(|(_, v)| v.to_string())
        .next_back()
}

fn invalid_param(name: &str, system: &str) -> SdsError {
    bad_request(&format!(
        "Missing or invalid '{name}' query parameter. Should be '{name}={system}|value'"
    ))
}

fn invalid_identifier() -> SdsError {
    bad_request(&format!(
        "Missing or invalid 'identifier' query parameter. Should be one or both of: \
         ['identifier={INTERACTION}|value', 'identifier={PARTY_KEY}|value'"
    ))
}

/// ADAPTOR `_validate_query_params` of both handlers: only the named parameters, each with
/// its system.
fn validate(params: &[(String, String)], allowed: &[&str]) -> Result<(), SdsError> {
    for (k, v) in params {
        if !allowed.contains(&k.as_str()) {
            return Err(bad_request(&format!("Illegal query parameter '{k}'")));
        }
        let system_is = |s: &str| v.starts_with(&format!("{s}|"));
        match k.as_str() {
            "organization" | "manufacturing-organization" if !system_is(ODS) => {
                return Err(invalid_param(k, ODS));
            }
            "identifier" if !system_is(INTERACTION) && !system_is(PARTY_KEY) => {
                return Err(invalid_identifier());
            }
            _ => {}
        }
    }
    Ok(())
}

/// A stable made-up id for a resource.
fn resource_id(kind: &str, r: &SdsRecord) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in kind
        .bytes()
        .chain(r.party_key.bytes())
        .chain(r.interaction.bytes())
    {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let x = format!("{h:016X}{:016X}", h.rotate_left(17) ^ 0x9E37_79B9_7F4A_7C15);
    format!(
        "{}-{}-{}-{}-{}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

fn interaction_extension(interaction: &str) -> Value {
    json!({
        "url": INTERACTION_EXTENSION,
        "valueReference": { "identifier": { "system": INTERACTION, "value": interaction } },
    })
}

/// EXAMPLES `Endpoint.json`, with the service root URL as the address (GP Connect's SDS page:
/// "MHS records ... contain the endpoint of the target practice, as defined by the FHIR service
/// root URL").
fn endpoint(r: &SdsRecord) -> Value {
    let fqdn = r
        .address
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("");
    json!({
        "resourceType": "Endpoint",
        "id": resource_id("Endpoint", r),
        "status": "active",
        "connectionType": {
            "system": "http://terminology.hl7.org/CodeSystem/endpoint-connection-type",
            "code": "hl7-fhir-msg",
            "display": "HL7 FHIR Messaging",
        },
        "payloadType": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/endpoint-payload-type",
            "code": "any",
            "display": "Any",
        }] }],
        "address": r.address,
        "managingOrganization": { "identifier": { "system": ODS, "value": r.ods } },
        "identifier": [
            { "system": "https://fhir.nhs.uk/Id/nhsMhsFQDN", "value": fqdn },
            { "system": PARTY_KEY, "value": r.party_key },
        ],
        "extension": [interaction_extension(&r.interaction)],
    })
}

/// EXAMPLES `Device.json`: the ASID and party key, the interactions, the owner.
fn device(r: &SdsRecord, interactions: Vec<&str>) -> Value {
    json!({
        "resourceType": "Device",
        "id": resource_id("Device", r),
        "identifier": [
            { "system": ASID, "value": r.asid },
            { "system": PARTY_KEY, "value": r.party_key },
        ],
        "extension": interactions.into_iter().map(interaction_extension).collect::<Vec<_>>(),
        "owner": { "identifier": { "system": ODS, "value": r.ods } },
    })
}

/// ADAPTOR `fhir_json_mapper.py`, `build_bundle_resource`.
fn bundle(resources: Vec<Value>, base: &str, self_url: &str) -> Value {
    let entries: Vec<Value> = resources
        .into_iter()
        .map(|r| {
            json!({
                "fullUrl": format!("{base}/{}", r["id"].as_str().unwrap_or("")),
                "resource": r,
                "search": { "mode": "match" },
            })
        })
        .collect();
    json!({
        "resourceType": "Bundle",
        "id": uuid::Uuid::new_v4().to_string(),
        "type": "searchset",
        "total": entries.len(),
        "link": [{ "relation": "self", "url": self_url }],
        "entry": entries,
    })
}

/// ADAPTOR `routing_reliability_handler.py`: organization with interaction and/or party key,
/// or interaction with party key.
fn find_endpoints(n: &National, p: &[(String, String)]) -> Result<Vec<Value>, SdsError> {
    validate(p, &["organization", "identifier"])?;
    let org = value_of(p, "organization", ODS);
    let interaction = value_of(p, "identifier", INTERACTION);
    let party = value_of(p, "identifier", PARTY_KEY);
    let usable = match &org {
        Some(_) => interaction.is_some() || party.is_some(),
        None => interaction.is_some() && party.is_some(),
    };
    if !usable {
        let (o, k, s) = (
            format!("organization={ODS}|value"),
            format!("identifier={PARTY_KEY}|value"),
            format!("identifier={INTERACTION}|value"),
        );
        return Err(bad_request(&format!(
            "Missing or invalid query parameters. Should one of following combinations: \
             ['{o}&{s}&{k}''{o}&{s}''{o}&{k}''{s}&{k}']"
        )));
    }
    Ok(n.directory
        .sds
        .iter()
        .filter(|r| org.as_deref().is_none_or(|o| r.ods.eq_ignore_ascii_case(o)))
        .filter(|r| interaction.as_deref().is_none_or(|i| r.interaction == i))
        .filter(|r| party.as_deref().is_none_or(|k| r.party_key == k))
        .map(endpoint)
        .collect())
}

/// ADAPTOR `accredited_system_handler.py`: organization and interaction required, party key
/// (and manufacturing organisation) optional. One Device per ASID.
fn find_devices(n: &National, p: &[(String, String)]) -> Result<Vec<Value>, SdsError> {
    validate(
        p,
        &["organization", "identifier", "manufacturing-organization"],
    )?;
    let org = value_of(p, "organization", ODS).ok_or_else(|| invalid_param("organization", ODS))?;
    let interaction = value_of(p, "identifier", INTERACTION)
        .ok_or_else(|| invalid_param("identifier", INTERACTION))?;
    let party = value_of(p, "identifier", PARTY_KEY);
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for r in n.directory.sds.iter().filter(|r| {
        r.ods.eq_ignore_ascii_case(&org)
            && r.interaction == interaction
            && party.as_deref().is_none_or(|k| r.party_key == k)
    }) {
        if seen.contains(&r.asid.as_str()) {
            continue;
        }
        seen.push(&r.asid);
        let all: Vec<&str> = n
            .directory
            .sds
            .iter()
            .filter(|x| x.asid == r.asid)
            .map(|x| x.interaction.as_str())
            .collect();
        out.push(device(r, all));
    }
    Ok(out)
}

fn handle(n: &National, req: &Request) -> Result<(Value, &'static str), SdsError> {
    let path = req.uri().path().strip_prefix(BASE_PATH).unwrap_or("");
    let p = params(req.uri().query());
    let base = format!("{}{BASE_PATH}{path}", n.base_url);
    let self_url = match req.uri().query() {
        Some(q) => format!("{base}?{}", params_text(q)),
        None => base.clone(),
    };
    let found = match path {
        "/Endpoint" | "/Device" if req.method() != Method::GET => {
            return Err(adaptor_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "not-supported",
                "NOT_IMPLEMENTED",
                "Not implemented",
                "HTTP operation not supported".to_string(),
            ));
        }
        "/Endpoint" => {
            // For tests: which interactions consumers looked endpoints up for.
            if let (Some(ods), Some(interaction)) = (
                value_of(&p, "organization", ODS),
                value_of(&p, "identifier", INTERACTION),
            ) {
                n.endpoint_lookups
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push((ods, interaction));
            }
            find_endpoints(n, &p)?
        }
        "/Device" => find_devices(n, &p)?,
        _ => {
            return Err(adaptor_error(
                StatusCode::NOT_FOUND,
                "not-found",
                "NO_RECORD_FOUND",
                "No record found",
                "HTTP endpoint not found".to_string(),
            ));
        }
    };
    let media = accept(req.headers())?;
    Ok((bundle(found, &base, &self_url), media))
}

/// The self link carries the query decoded, as the adaptor's `unquote(full_url)` does.
fn params_text(q: &str) -> String {
    params(Some(q))
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Every request under [`BASE_PATH`].
pub async fn serve(State(n): State<Arc<National>>, req: Request) -> Response {
    if let Err(e) = check_api_key(req.headers(), &n.platform) {
        return e.into_response(None);
    }
    // ADAPTOR `error_handler.py`: an error answer made for an unusable id carries a fresh one.
    let (correlation, refused) = match correlation_id(req.headers()) {
        Ok(id) => (id, None),
        Err(e) => (uuid::Uuid::new_v4().to_string(), Some(e)),
    };
    let result = match refused {
        Some(e) => Err(e),
        None => handle(&n, &req),
    };
    let mut response = match result {
        Ok((bundle, media)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, media)],
            bundle.to_string(),
        )
            .into_response(),
        Err(e) => {
            tracing::info!(status = e.status.as_u16(), "SDS request refused");
            e.into_response(Some(&correlation))
        }
    };
    if let Ok(v) = HeaderValue::from_str(&correlation) {
        response.headers_mut().insert("X-Correlation-Id", v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_decoded_and_picked_by_system() {
        let p = params(Some(
            "organization=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fods-organization-code%7CB86001\
             &identifier=https://fhir.nhs.uk/Id/nhsMhsPartyKey|B86001-9198101",
        ));
        assert_eq!(value_of(&p, "organization", ODS).as_deref(), Some("B86001"));
        assert_eq!(
            value_of(&p, "identifier", PARTY_KEY).as_deref(),
            Some("B86001-9198101")
        );
        assert_eq!(value_of(&p, "identifier", INTERACTION), None);
        assert!(validate(&p, &["organization", "identifier"]).is_ok());
        assert!(validate(&p, &["identifier"]).is_err());
    }
}
