//! The Personal Demographics Service (PDS) FHIR API, R4, in its application-restricted access
//! mode: `GET /Patient/{id}` at `/personal-demographics/FHIR/R4` on the simulator's own base URL,
//! behind the simulated national API platform (a bearer token from [`crate::token`]).
//!
//! Every rule names its source, all in `NHSDigital/personal-demographics-service-api` at commit
//! f57f5839 (its example patients are copied to the project's `tests/fixtures/pds/`):
//! - YAML: `specification/personal-demographics.yaml` (headers, parameters, error example);
//! - GET: `specification/components/paths/patient-get.yaml` (the operation, its 4XX table,
//!   superseded and restricted patients);
//! - META: `specification/components/schemas/Meta.yaml` (security codes U, R and REDACTED);
//! - EXAMPLE: `sandbox/mocks/Patient.json` and `sandbox/mocks/Sensitive_Patient.json` (the
//!   published examples the specification's `Patient.json` points at);
//! - PROXY: the platform's proxy, `proxies/live/apiproxy/targets/ig3.xml` (order of checks,
//!   mirrored headers) and its `policies/` and `resources/jsc/UpdateInvalidAccessTokenFaultString.js`
//!   (codes, displays and diagnostics of the platform's own refusals);
//! - TESTS: NHS Digital's tests of the live API, `karate-tests/src/test/java/mocks/stubs/
//!   errorResponses/*.json`, `karate-tests/.../invalidHeaders.feature` and
//!   `tests/functional/data/responses/*.json` (the exact OperationOutcomes).

use crate::DemoPatient;
use crate::clock::SimClock;
use crate::json_util::is_uuid;
use crate::nhs_number;
use crate::seed::{self, pds_numbers};
use crate::systems;
use crate::token::{Platform, TokenStatus};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// Where PDS is served, as on the platform (YAML `servers`: `.../personal-demographics/FHIR/R4`).
pub const BASE_PATH: &str = "/personal-demographics/FHIR/R4";

/// Successful answers and Spine's own errors (GET: `content: application/fhir+json`).
const FHIR_JSON: &str = "application/fhir+json";
/// The platform's own refusals (PROXY: `AssignMessage.Errors.OAuthPolicyResponse` and
/// `AssignMessage.Errors.CatchAllMessage`, `Payload contentType="application/json"`).
const PLATFORM_JSON: &str = "application/json";

/// YAML `components/examples/OperationOutcome` and every published error answer.
const SPINE_CODES: &str = "https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode";
/// META: `security[].system`.
const CONFIDENTIALITY: &str = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
const VERIFICATION_EXTENSION: &str =
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus";
const VERIFICATION_SYSTEM: &str =
    "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatus";
const DEATH_NOTIFICATION_EXTENSION: &str =
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-DeathNotificationStatus";
const DEATH_NOTIFICATION_SYSTEM: &str =
    "https://fhir.hl7.org.uk/CodeSystem/UKCore-DeathNotificationStatus";

/// A current PDS record.
struct Record {
    patient: DemoPatient,
    version: u32,
    restricted: bool,
    deceased: Option<&'static str>,
}

/// What PDS holds under an NHS number.
enum Entry {
    Current(Box<Record>),
    /// GET: "Some patients are marked as superseded ... the new details are automatically
    /// returned in place of the requested details": no redirect, the current record is answered.
    SupersededBy(&'static str),
    /// GET 4XX: "Patient did exist for given NHS number, but has been invalidated and not
    /// superseded by another NHS number"; META: REDACTED "is never returned; you receive a 404".
    Invalidated,
}

/// The simulated PDS: its records and the platform whose tokens it accepts.
pub struct Pds {
    platform: Arc<Platform>,
    clock: SimClock,
    entries: HashMap<String, Entry>,
}

impl Pds {
    /// Every demo patient (as registered at their practice), the PDS-only patients and the
    /// special numbers of [`seed::pds_numbers`].
    pub fn seeded(platform: Arc<Platform>, clock: SimClock) -> Self {
        let mut entries = HashMap::new();
        for patient in seed::patients() {
            let record = Record {
                patient,
                version: 1,
                restricted: false,
                deceased: None,
            };
            entries.insert(
                record.patient.nhs_number.clone(),
                Entry::Current(Box::new(record)),
            );
        }
        for only in seed::pds_only_patients() {
            let record = Record {
                patient: only.patient,
                version: only.version,
                restricted: only.restricted,
                deceased: only.deceased,
            };
            entries.insert(
                record.patient.nhs_number.clone(),
                Entry::Current(Box::new(record)),
            );
        }
        entries.insert(
            pds_numbers::SUPERSEDED.to_string(),
            Entry::SupersededBy(pds_numbers::SUPERSEDED_BY),
        );
        entries.insert(pds_numbers::INVALIDATED.to_string(), Entry::Invalidated);
        Pds {
            platform,
            clock,
            entries,
        }
    }

    /// The record to answer for `nhs`, following merges.
    fn lookup(&self, nhs: &str) -> Result<&Record, PdsError> {
        let mut nhs = nhs;
        // A merge chain is short; the bound only guards against a loop in the seed.
        for _ in 0..8 {
            match self.entries.get(nhs) {
                Some(Entry::Current(r)) => return Ok(r),
                Some(Entry::SupersededBy(next)) => nhs = next,
                Some(Entry::Invalidated) => return Err(PdsError::invalidated()),
                None => return Err(PdsError::not_found()),
            }
        }
        Err(PdsError::not_found())
    }
}

/// A refusal as an OperationOutcome with one issue coded from Spine-ErrorOrWarningCode.
#[derive(Debug)]
struct PdsError {
    status: StatusCode,
    severity: &'static str,
    /// FHIR issue type.
    issue: &'static str,
    code: &'static str,
    display: &'static str,
    diagnostics: Option<String>,
    /// Refused by the platform's proxy (`application/json`) rather than by Spine.
    by_platform: bool,
}

impl PdsError {
    fn new(
        status: StatusCode,
        issue: &'static str,
        code: &'static str,
        display: &'static str,
    ) -> Self {
        PdsError {
            status,
            severity: "error",
            issue,
            code,
            display,
            diagnostics: None,
            by_platform: false,
        }
    }

    fn with_diagnostics(mut self, d: impl Into<String>) -> Self {
        self.diagnostics = Some(d.into());
        self
    }

    fn by_platform(mut self) -> Self {
        self.by_platform = true;
        self
    }

    /// GET 4XX: 401 ACCESS_DENIED, "Access token missing, invalid or expired". Issue type,
    /// display and diagnostics: PROXY `AssignMessage.Errors.OAuthPolicyResponse` and
    /// `UpdateInvalidAccessTokenFaultString.js`; TESTS `ACCESS_DENIED.json`.
    fn access_denied(diagnostics: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "forbidden",
            "ACCESS_DENIED",
            "Access Denied - Unauthorised",
        )
        .with_diagnostics(diagnostics)
        .by_platform()
    }

    /// GET 4XX: 400 INVALID_VALUE, "Invalid header parameter". PROXY
    /// `AssignMessage.Errors.InvalidRequestID`; TESTS `invalid_x-request_id.json` and
    /// `empty_x-request_id.json` (a header sent empty is invalid, not missing).
    fn invalid_request_id(value: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "value",
            "INVALID_VALUE",
            "Provided value is invalid",
        )
        .with_diagnostics(format!(
            "Invalid value - '{value}' in header 'X-Request-ID'"
        ))
        .by_platform()
    }

    /// GET 4XX: 400 MISSING_VALUE, "Missing header parameter". YAML: X-Request-ID "is a
    /// mandatory header"; TESTS `missing_x-request_id.json` (answered by Spine).
    fn missing_request_id() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "required",
            "MISSING_VALUE",
            "Required value is missing",
        )
        .with_diagnostics(
            "Invalid request with error - X-Request-ID header must be supplied to access this \
             resource",
        )
    }

    /// GET 4XX: 400 INVALID_RESOURCE_ID, "Invalid NHS number"; YAML `parameters/Id`: "Always 10
    /// digits and must be a valid NHS number". TESTS `INVALID_RESOURCE_ID.json` (no diagnostics).
    fn invalid_resource_id() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "value",
            "INVALID_RESOURCE_ID",
            "Resource Id is invalid",
        )
    }

    /// GET 4XX: 400 UNSUPPORTED_SERVICE, "Missing NHS number". TESTS `UNSUPPORTED_SERVICE.json`.
    fn unsupported_service() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "processing",
            "UNSUPPORTED_SERVICE",
            "Unsupported Service",
        )
    }

    /// GET 4XX: 404 RESOURCE_NOT_FOUND, "Patient does not exist for given NHS number". TESTS
    /// `RESOURCE_NOT_FOUND.json`: issue `not-found`, severity `information`.
    fn not_found() -> Self {
        let mut e = Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "RESOURCE_NOT_FOUND",
            "Resource not found",
        );
        e.severity = "information";
        e
    }

    /// GET 4XX: 404 INVALIDATED_RESOURCE. TESTS `INVALIDATED_RESOURCE.json`.
    fn invalidated() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "processing",
            "INVALIDATED_RESOURCE",
            "Resource that has been marked as invalid was requested - invalid resources cannot \
             be retrieved",
        )
    }

    /// PROXY `RaiseFault.PatchMethodNotAllowedAppRestricted` / `RaiseFault.PostMethodNotAllowed`:
    /// 403 INVALID_METHOD in the application-restricted access mode.
    fn invalid_method(verb: &'static str) -> Self {
        let display = match verb {
            "update" => "Cannot update resource with application-restricted access token",
            _ => "Cannot create resource with application-restricted access token",
        };
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "INVALID_METHOD",
            display,
        )
        .with_diagnostics(
            "Your app has insufficient permissions to use this method. Please contact support.",
        )
        .by_platform()
    }

    /// PROXY `AssignMessage.Errors.UnsupportedRequest`: a path the API does not have.
    fn unsupported_request(path: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "value",
            "UNSUPPORTED_REQUEST",
            "The request is not one that is supported.",
        )
        .with_diagnostics(format!("Unsupported path - '{path}'"))
        .by_platform()
    }

    /// The simulator's own answer for an interaction PDS has but the simulator does not play
    /// (search, related people, coverage): not PDS's, and said so.
    fn not_simulated(method: &Method, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "not-supported",
            "NOT_IMPLEMENTED",
            "Not implemented",
        )
        .with_diagnostics(format!(
            "provider-sim plays only GET /Patient/{{id}} of PDS, not {method} {path}"
        ))
    }

    fn to_json(&self) -> Value {
        let mut issue = json!({
            "severity": self.severity,
            "code": self.issue,
            "details": { "coding": [{
                "system": SPINE_CODES,
                "version": "1",
                "code": self.code,
                "display": self.display,
            }] },
        });
        if let Some(d) = &self.diagnostics {
            issue["diagnostics"] = json!(d);
        }
        json!({ "resourceType": "OperationOutcome", "issue": [issue] })
    }

    fn into_response(self) -> Response {
        let content_type = if self.by_platform {
            PLATFORM_JSON
        } else {
            FHIR_JSON
        };
        (
            self.status,
            [(header::CONTENT_TYPE, content_type)],
            Json(self.to_json()),
        )
            .into_response()
    }
}

/// A header's value as sent (trimmed), or `None` when absent; a value that is not text counts
/// as present and unreadable (`Some("")` never matches a UUID).
fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .map(|v| v.to_str().map(str::trim).unwrap_or(""))
}

/// The platform checks the token before anything else (PROXY `ig3.xml`: `VerifyAccessToken` is
/// the first step). Diagnostics as `UpdateInvalidAccessTokenFaultString.js` and TESTS
/// `invalidHeaders.feature` write them; "Access Token expired" is the platform's own fault
/// string for an expired token. Only tokens the simulated platform issued are accepted, as for
/// BaRS (`crate::bars::headers::check_token`).
fn check_token(headers: &HeaderMap, pds: &Pds) -> Result<(), PdsError> {
    let Some(auth) = header_text(headers, "Authorization") else {
        return Err(PdsError::access_denied("Missing Authorization header"));
    };
    if auth.is_empty() {
        return Err(PdsError::access_denied("Empty Authorization header"));
    }
    let mut words = auth.split_whitespace();
    let scheme = words.next().unwrap_or("");
    let Some(token) = words.next() else {
        return Err(PdsError::access_denied("Missing access token"));
    };
    if scheme != "Bearer" {
        return Err(PdsError::access_denied(format!(
            "Invalid token type '{scheme}', must be 'Bearer'"
        )));
    }
    match pds
        .platform
        .token_status(token, pds.clock.now().timestamp())
    {
        TokenStatus::Valid => Ok(()),
        TokenStatus::Expired => Err(PdsError::access_denied("Access Token expired")),
        TokenStatus::Unknown => Err(PdsError::access_denied("Invalid Access Token")),
    }
}

/// PROXY `ig3.xml`: an X-Request-ID that is sent must match the YAML's UUID pattern
/// (`^[0-9a-fA-F]{8}-...-[0-9a-fA-F]{12}$`), else 400 INVALID_VALUE from the platform.
fn check_request_id_format(headers: &HeaderMap) -> Result<(), PdsError> {
    match header_text(headers, "X-Request-ID") {
        Some(id) if !is_uuid(id) => Err(PdsError::invalid_request_id(id)),
        _ => Ok(()),
    }
}

/// YAML `parameters/RequestID`: required; missing is Spine's 400 MISSING_VALUE.
fn check_request_id_present(headers: &HeaderMap) -> Result<(), PdsError> {
    match header_text(headers, "X-Request-ID") {
        None => Err(PdsError::missing_request_id()),
        Some(_) => Ok(()),
    }
}

/// YAML `parameters/RequestID` and `CorrelationID`: both "Mirrored back in a response header";
/// PROXY `ig3.xml` mirrors each when it is not empty, on success and on every refusal alike.
fn mirror(request: &HeaderMap, mut response: Response) -> Response {
    for name in ["X-Request-ID", "X-Correlation-ID"] {
        let Some(value) = request.get(name) else {
            continue;
        };
        if value.as_bytes().iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            response.headers_mut().insert(n, v);
        }
    }
    response
}

/// An object id for a part of a record (EXAMPLE: `name[].id`, `address[].id`,
/// `generalPractitioner[].id`; the schema asks it back unchanged in an update): stable per
/// patient and part.
fn object_id(nhs: &str, part: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in nhs.bytes().chain(part.bytes()) {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    format!("{h:08X}")
}

/// The Patient as EXAMPLE `Patient.json` shapes it; a restricted one as
/// `Sensitive_Patient.json`: security R and, as GET and META say, without `address`, `telecom`
/// and `generalPractitioner`.
fn patient_json(r: &Record) -> Value {
    let p = &r.patient;
    let nhs = p.nhs_number.as_str();
    // META: "U - unrestricted", "R - restricted".
    let (code, display) = if r.restricted {
        ("R", "restricted")
    } else {
        ("U", "unrestricted")
    };
    let mut patient = json!({
        "resourceType": "Patient",
        "id": nhs,
        "identifier": [{
            "system": systems::NHS_NUMBER,
            "value": nhs,
            "extension": [{
                "url": VERIFICATION_EXTENSION,
                "valueCodeableConcept": { "coding": [{
                    "system": VERIFICATION_SYSTEM,
                    "version": "1.0.0",
                    "code": "01",
                    "display": "Number present and verified",
                }] },
            }],
        }],
        "meta": {
            "versionId": r.version.to_string(),
            "security": [{ "system": CONFIDENTIALITY, "code": code, "display": display }],
        },
        "name": [{
            "id": object_id(nhs, "name"),
            "use": "usual",
            "given": [p.given],
            "family": p.family,
            "prefix": [p.prefix],
        }],
        "gender": p.gender,
        "birthDate": p.birth_date,
    });
    if let Some(when) = r.deceased {
        // EXAMPLE: `deceasedDateTime` with the DeathNotificationStatus extension, code 2.
        patient["deceasedDateTime"] = json!(when);
        patient["extension"] = json!([{
            "url": DEATH_NOTIFICATION_EXTENSION,
            "extension": [
                {
                    "url": "deathNotificationStatus",
                    "valueCodeableConcept": { "coding": [{
                        "system": DEATH_NOTIFICATION_SYSTEM,
                        "version": "1.0.0",
                        "code": "2",
                        "display": "Formal - death notice received from Registrar of Deaths",
                    }] },
                },
                { "url": "systemEffectiveDate", "valueDateTime": when },
            ],
        }]);
    }
    if r.restricted {
        return patient;
    }
    // EXAMPLE: the registered practice as an Organization reference by ODS code.
    patient["generalPractitioner"] = json!([{
        "id": object_id(nhs, "generalPractitioner"),
        "type": "Organization",
        "identifier": { "system": systems::ODS_CODE, "value": p.registered_ods },
    }]);
    let phone_use = if p.phone.starts_with("07") {
        "mobile"
    } else {
        "home"
    };
    patient["telecom"] = json!([{
        "id": object_id(nhs, "telecom"),
        "system": "phone",
        "value": p.phone,
        "use": phone_use,
    }]);
    // EXAMPLE: the town is the last line; PDS addresses have no `city`.
    let mut lines = p.address_lines.clone();
    lines.push(p.city.clone());
    patient["address"] = json!([{
        "id": object_id(nhs, "address"),
        "use": "home",
        "line": lines,
        "postalCode": p.postcode,
    }]);
    patient
}

/// `GET /Patient/{id}`, in the order the platform then Spine check a request.
fn retrieve(pds: &Pds, headers: &HeaderMap, id: &str) -> Result<Response, PdsError> {
    check_token(headers, pds)?;
    check_request_id_format(headers)?;
    check_request_id_present(headers)?;
    if !nhs_number::is_valid(id) {
        return Err(PdsError::invalid_resource_id());
    }
    let record = pds.lookup(id)?;
    // ETag: `W/"<version>"`, the record's `meta.versionId` (YAML `components/parameters/ETag`).
    let etag = format!("W/\"{}\"", record.version);
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, FHIR_JSON),
            (header::ETAG, etag.as_str()),
        ],
        Json(patient_json(record)),
    )
        .into_response())
}

async fn get_patient(
    State(pds): State<Arc<Pds>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let answer = retrieve(&pds, &headers, &id).unwrap_or_else(PdsError::into_response);
    mirror(&headers, answer)
}

/// Every other request under [`BASE_PATH`].
fn other(pds: &Pds, method: &Method, headers: &HeaderMap, path: &str) -> PdsError {
    if let Err(e) = check_token(headers, pds) {
        return e;
    }
    // PROXY `ig3.xml`: paths outside `/Patient/.*|/Patient\?.*|/Patient|/Coverage|...` are
    // refused before the request id is looked at.
    let known = path == "/Patient"
        || path.starts_with("/Patient/")
        || path == "/Coverage"
        || path == "/_ping"
        || path == "/_status";
    if !known {
        return PdsError::unsupported_request(path);
    }
    if let Err(e) = check_request_id_format(headers) {
        return e;
    }
    // PROXY `ig3.xml` flow `application_restricted`: no PATCH, no POST.
    if *method == Method::PATCH {
        return PdsError::invalid_method("update");
    }
    if *method == Method::POST {
        return PdsError::invalid_method("create");
    }
    if *method == Method::GET && path == "/Patient/" {
        if let Err(e) = check_request_id_present(headers) {
            return e;
        }
        return PdsError::unsupported_service();
    }
    PdsError::not_simulated(method, path)
}

async fn fallback(State(pds): State<Arc<Pds>>, request: Request) -> Response {
    let path = request.uri().path();
    let suffix = path.strip_prefix(BASE_PATH).unwrap_or(path);
    let answer = other(&pds, request.method(), request.headers(), suffix).into_response();
    mirror(request.headers(), answer)
}

/// PDS's routes, with their own state, to merge into the app.
pub fn router<S: Clone + Send + Sync + 'static>(
    platform: Arc<Platform>,
    clock: SimClock,
) -> Router<S> {
    let pds = Arc::new(Pds::seeded(platform, clock));
    Router::new()
        .route(
            &format!("{BASE_PATH}/Patient/{{id}}"),
            get(get_patient).fallback(fallback),
        )
        .route(&format!("{BASE_PATH}/{{*rest}}"), any(fallback))
        .with_state(pds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pds() -> Pds {
        let clock = SimClock::system();
        Pds::seeded(Arc::new(Platform::new("http://127.0.0.1:1", clock)), clock)
    }

    #[test]
    fn every_demo_patient_is_held_with_their_practice() {
        let pds = pds();
        for p in seed::patients() {
            let r = pds.lookup(&p.nhs_number).expect("held");
            let json = patient_json(r);
            assert_eq!(json["id"], p.nhs_number.as_str());
            assert_eq!(
                json["generalPractitioner"][0]["identifier"]["value"],
                p.registered_ods.as_str()
            );
        }
    }

    #[test]
    fn merges_and_invalidations_are_followed() {
        let pds = pds();
        let current = pds.lookup(pds_numbers::SUPERSEDED).expect("merged");
        assert_eq!(current.patient.nhs_number, pds_numbers::SUPERSEDED_BY);
        assert_eq!(
            pds.lookup(pds_numbers::INVALIDATED).err().map(|e| e.code),
            Some("INVALIDATED_RESOURCE")
        );
        assert_eq!(
            pds.lookup(pds_numbers::ABSENT).err().map(|e| e.code),
            Some("RESOURCE_NOT_FOUND")
        );
    }

    #[test]
    fn a_restricted_record_leaves_out_where_the_patient_is() {
        let pds = pds();
        let json = patient_json(pds.lookup(pds_numbers::RESTRICTED).expect("held"));
        assert_eq!(json["meta"]["security"][0]["code"], "R");
        for key in ["address", "telecom", "generalPractitioner"] {
            assert!(json.get(key).is_none(), "{key}");
        }
        assert!(json.get("name").is_some() && json.get("birthDate").is_some());
    }
}
