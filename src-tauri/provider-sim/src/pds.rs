//! The Personal Demographics Service (PDS) FHIR API, R4, in its application-restricted access
//! mode: `GET /Patient/{id}` and the search `GET /Patient?...` at `/personal-demographics/FHIR/R4`
//! on the simulator's own base URL, behind the simulated national API platform (a bearer token
//! from [`crate::token`]).
//!
//! Every rule names its source, all in `NHSDigital/personal-demographics-service-api` at commit
//! f57f5839 (its example patients are copied to the project's `tests/fixtures/pds/`):
//! - YAML: `specification/personal-demographics.yaml` (headers, parameters, error example);
//! - GET: `specification/components/paths/patient-get.yaml` (the operation, its 4XX table,
//!   superseded and restricted patients);
//! - SEARCH: `specification/components/paths/patient-search.yaml` (the search: minimum
//!   parameters, fuzzy search, restricted and invalidated patients, scoring, its 200 and 4XX
//!   tables) with the YAML's query parameters (`components/parameters/FuzzyMatch` ...
//!   `PhoneNumber`) and `specification/components/schemas/PatientSearch.yaml` (the Bundle);
//! - SEARCH EXAMPLE: `sandbox/mocks/PatientSearch.json` and `Sensitive_PatientSearch.json`;
//! - META: `specification/components/schemas/Meta.yaml` (security codes U, R and REDACTED);
//! - EXAMPLE: `sandbox/mocks/Patient.json` and `sandbox/mocks/Sensitive_Patient.json` (the
//!   published examples the specification's `Patient.json` points at);
//! - PROXY: the platform's proxy, `proxies/live/apiproxy/targets/ig3.xml` (order of checks,
//!   mirrored headers) and its `policies/` and `resources/jsc/UpdateInvalidAccessTokenFaultString.js`
//!   (codes, displays and diagnostics of the platform's own refusals);
//! - TESTS: NHS Digital's tests of the live API, `karate-tests/src/test/java/mocks/stubs/
//!   errorResponses/*.json`, `karate-tests/.../invalidHeaders.feature` and
//!   `tests/functional/data/responses/*.json` (the exact OperationOutcomes); for the search
//!   `karate-tests/.../searchForAPatient/searchErrors.feature`, `.../appRestricted/
//!   searchForPatientUsingMOABcascadingTrace.feature`, `.../common/getPatient.feature`,
//!   `.../stubs/searchResponses/TOO_MANY_MATCHES.json` and the sandbox's
//!   `karate-tests/src/test/java/mocks/sandbox/get-patient-search.js` (order of the checks).

use crate::DemoPatient;
use crate::clock::SimClock;
use crate::json_util::is_uuid;
use crate::nhs_number;
use crate::query::Query;
use crate::seed::{self, pds_numbers};
use crate::systems;
use crate::token::{Platform, TokenStatus};
use axum::extract::{Path, RawQuery, Request, State};
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
    /// `{base_url}{BASE_PATH}`: search entries' `fullUrl` is absolute (SEARCH: `PatientSearch.yaml`
    /// `entry[].fullUrl`, "Absolute URL of the resource").
    root: String,
    entries: HashMap<String, Entry>,
}

impl Pds {
    /// Every demo patient (as registered at their practice), the PDS-only patients and the
    /// special numbers of [`seed::pds_numbers`].
    pub fn seeded(platform: Arc<Platform>, clock: SimClock, base_url: &str) -> Self {
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
            root: format!("{base_url}{BASE_PATH}"),
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
    /// (related people, coverage): not PDS's, and said so.
    fn not_simulated(method: &Method, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "not-supported",
            "NOT_IMPLEMENTED",
            "Not implemented",
        )
        .with_diagnostics(format!(
            "provider-sim plays only GET /Patient/{{id}} and GET /Patient?... of PDS, not \
             {method} {path}"
        ))
    }

    /// PROXY `RaiseFault.MaxResultsInvalidAppRestricted` (SEARCH 4XX: 403 INVALID_VALUE,
    /// "Multiple results requested when using the API in application-restricted mode"); the
    /// issue code `token` is the policy's own. TESTS `appRestrictedAndPriviledgedAccess/
    /// getPatient.feature` `@multiMatchError` (the diagnostics).
    fn max_results_app_restricted() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "token",
            "INVALID_VALUE",
            "Cannot retrieve more than one result with application-restricted access token",
        )
        .with_diagnostics(
            "Your app has insufficient permissions to perform this search. Please contact support.",
        )
        .by_platform()
    }

    /// SEARCH 4XX: 400 ADDITIONAL_PROPERTIES, "Unrecognised query parameter". TESTS
    /// `ADDITIONAL_PROPERTIES.json` and `searchErrors.feature` (the diagnostics, one name or
    /// several).
    fn additional_properties(names: &[&str]) -> Self {
        let listed = names
            .iter()
            .map(|n| format!("'{n}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let verb = if names.len() == 1 { "was" } else { "were" };
        Self::new(
            StatusCode::BAD_REQUEST,
            "invariant",
            "ADDITIONAL_PROPERTIES",
            "Additional properties should not be included",
        )
        .with_diagnostics(format!(
            "Invalid request with error - Additional properties are not allowed ({listed} {verb} \
             unexpected)"
        ))
    }

    /// SEARCH 4XX: 400 INVALID_VALUE, "Invalid header or query parameter"; the diagnostics as
    /// SEARCH's example ("Invalid value - 'mal' in field 'gender'") and TESTS `INVALID_VALUE.json`.
    fn invalid_value(value: &str, field: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "value",
            "INVALID_VALUE",
            "Provided value is invalid",
        )
        .with_diagnostics(format!("Invalid value - '{value}' in field '{field}'"))
    }

    /// SEARCH 4XX: 400 MISSING_VALUE, "Missing header or query parameter". TESTS
    /// `searchErrors.feature` ("Unsuccessful search on email/phone only"): a search without a
    /// date of birth.
    fn missing_birthdate() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "required",
            "MISSING_VALUE",
            "Required value is missing",
        )
        .with_diagnostics(
            "Missing value - 'birth_date/birth_date_range_start/birth_date_range_end'",
        )
    }

    /// SEARCH 4XX: 400 INVALID_SEARCH_DATA, "Invalid combination of search parameters". TESTS
    /// `INVALID_SEARCH_DATA.json` (issue `value`, display).
    fn invalid_search_data(reason: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "value",
            "INVALID_SEARCH_DATA",
            "Search data is invalid",
        )
        .with_diagnostics(format!("Invalid search data provided - '{reason}'"))
    }

    /// SEARCH 200: TOO_MANY_MATCHES, "Too many matches were found - user should refine their
    /// search parameters", answered with status 200. TESTS `TOO_MANY_MATCHES.json` and
    /// `tests/functional/data/responses/too_many_matches.json`: severity `information`, issue
    /// `multiple-matches`, no diagnostics.
    fn too_many_matches() -> Self {
        let mut e = Self::new(
            StatusCode::OK,
            "multiple-matches",
            "TOO_MANY_MATCHES",
            "Too Many Matches",
        );
        e.severity = "information";
        e
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

/// The search's query parameters (SEARCH `parameters`, each the YAML's
/// `components/parameters/...`). `managing-organization` is "for internal-use only" and not a
/// parameter of the search; the sandbox's legacy `history` is not in the YAML either.
const SEARCH_PARAMETERS: [&str; 14] = [
    "_fuzzy-match",
    "_exact-match",
    "_history",
    "_max-results",
    "family",
    "given",
    "gender",
    "birthdate",
    "death-date",
    "address-postalcode",
    "address-postcode",
    "general-practitioner",
    "email",
    "phone",
];

/// Parameters whose schema is an array and so may be repeated: YAML `parameters/Given` and
/// `Birthdate` (`type: array`), and `DeathDate` ("To specify a range, use
/// `death-date=ge...&death-date=le...`"). Every other one is a single `string`/`boolean`.
const REPEATABLE: [&str; 3] = ["given", "birthdate", "death-date"];

/// YAML `parameters/Family` and `Given`: "Max 35 characters".
const MAX_NAME_CHARS: usize = 35;

/// YAML `parameters/MaxResults`: "For application-restricted access, this must be 1, and the
/// default is 1."
const APP_RESTRICTED_MAX_RESULTS: usize = 1;

/// A date bound, YAML `parameters/Birthdate` and `DeathDate`: `<eq|ge|le>yyyy-mm-dd`.
#[derive(Debug, Clone, Copy)]
enum Bound {
    Eq(chrono::NaiveDate),
    Ge(chrono::NaiveDate),
    Le(chrono::NaiveDate),
}

impl Bound {
    /// `eq`, `ge` or `le` and a real calendar date. No prefix means `eq`: TESTS
    /// `appRestrictedAndPriviledgedAccess/getPatient.feature` search the live API with
    /// `birthdate=2010-10-22`, and the sandbox's `isValidDate` takes `(eq|ge|le)?`.
    fn parse(value: &str) -> Option<Bound> {
        let (make, date): (fn(chrono::NaiveDate) -> Bound, &str) =
            if let Some(d) = value.strip_prefix("eq") {
                (Bound::Eq, d)
            } else if let Some(d) = value.strip_prefix("ge") {
                (Bound::Ge, d)
            } else if let Some(d) = value.strip_prefix("le") {
                (Bound::Le, d)
            } else {
                (Bound::Eq, value)
            };
        let shaped = date.len() == 10
            && date.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        if !shaped {
            return None;
        }
        chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .ok()
            .map(make)
    }

    fn holds(self, date: chrono::NaiveDate) -> bool {
        match self {
            Bound::Eq(d) => date == d,
            Bound::Ge(d) => date >= d,
            Bound::Le(d) => date <= d,
        }
    }
}

/// A validated search.
#[derive(Debug, Default)]
struct Search {
    fuzzy: bool,
    exact: bool,
    max_results: usize,
    family: Option<String>,
    given: Vec<String>,
    gender: Option<String>,
    birthdate: Vec<Bound>,
    death_date: Vec<Bound>,
    postcode: Option<String>,
    general_practitioner: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

/// YAML `parameters/FuzzyMatch`, `ExactMatch` and `History`: `type: boolean`.
fn parse_flag(q: &Query, name: &str) -> Result<bool, PdsError> {
    match q.all(name).first().copied() {
        None => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(v) => Err(PdsError::invalid_value(v, name)),
    }
}

/// YAML `parameters/Family`, `Given`, `AddressPostalcode`: "Use `*` as a wildcard but not in
/// the first two characters" (and `Family`'s example: "Wildcards must contain at least two
/// characters").
fn wildcard_placed_well(value: &str) -> bool {
    !value.chars().take(2).any(|c| c == '*') && value.chars().any(|c| c != '*')
}

/// `pattern` against `text`, `*` standing for any run of characters, both compared as given
/// (callers fold case first).
fn glob(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|i| glob(rest, &text[i..])),
        Some((c, rest)) => text
            .split_first()
            .is_some_and(|(t, tail)| t == c && glob(rest, tail)),
    }
}

/// Names are "Not case sensitive" (YAML `parameters/Family`, `Given`); a wildcard matches the
/// start of the name ("Wildcards will match against the start of the name string", SEARCH
/// `Names`).
fn name_matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.to_uppercase().chars().collect();
    let n: Vec<char> = name.to_uppercase().chars().collect();
    glob(&p, &n)
}

/// Postcodes: "Not case sensitive. Spaces are ignored" and `*` as a wildcard (YAML
/// `parameters/AddressPostalcode`: `LS1*` matches `LS16AE`, `LS1 6AE` and `LS1 6AB`).
fn postcode_key(s: &str) -> Vec<char> {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// American Soundex, which a fuzzy search uses to match homophones such as `Smith` and `Smythe`
/// (SEARCH `Fuzzy search`).
fn soundex(s: &str) -> String {
    fn digit(c: char) -> Option<char> {
        match c {
            'B' | 'F' | 'P' | 'V' => Some('1'),
            'C' | 'G' | 'J' | 'K' | 'Q' | 'S' | 'X' | 'Z' => Some('2'),
            'D' | 'T' => Some('3'),
            'L' => Some('4'),
            'M' | 'N' => Some('5'),
            'R' => Some('6'),
            _ => None,
        }
    }
    let mut letters = s
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_uppercase());
    let Some(first) = letters.next() else {
        return String::new();
    };
    let mut out = String::from(first);
    let mut last = digit(first);
    for c in letters {
        if out.len() == 4 {
            break;
        }
        match digit(c) {
            Some(d) if last != Some(d) => {
                out.push(d);
                last = Some(d);
            }
            Some(_) => {}
            // H and W do not separate equal codes; vowels do.
            None if c == 'H' || c == 'W' => {}
            None => last = None,
        }
    }
    while out.len() < 4 {
        out.push('0');
    }
    out
}

/// A fuzzy name match: `Some(0)` for the same name, `Some(1)` for a homophone (a partial match,
/// scored below 1.0: SEARCH `Scoring`), `None` otherwise.
fn fuzzy_name(query: &str, name: &str) -> Option<u32> {
    if query.eq_ignore_ascii_case(name) {
        Some(0)
    } else if !soundex(query).is_empty() && soundex(query) == soundex(name) {
        Some(1)
    } else {
        None
    }
}

/// The query string as PDS's checks take it, in the order the platform and then Spine apply
/// them. `max_results` is what the platform leaves after its own check.
fn parse_search(q: &Query, max_results: usize) -> Result<Search, PdsError> {
    let names = q.names();
    // SEARCH 4XX ADDITIONAL_PROPERTIES: "Unrecognised query parameter"; TESTS
    // `searchErrors.feature` ("All invalid params": several listed at once).
    let unknown: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !SEARCH_PARAMETERS.contains(n))
        .collect();
    if !unknown.is_empty() {
        return Err(PdsError::additional_properties(&unknown));
    }
    // SEARCH 4XX UNSUPPORTED_SERVICE: "No search parameters provided" (TESTS
    // `searchErrors.feature`, "Too few search params - No params"). The result controls
    // (`_fuzzy-match` ...) are not search parameters; the platform adds `_max-results=1` to
    // every application-restricted search, so this cannot hinge on it.
    if !names.iter().any(|n| !n.starts_with('_')) {
        return Err(PdsError::unsupported_service());
    }
    // A repeated single-valued parameter breaks its schema (`type: string`): SEARCH 4XX
    // INVALID_VALUE, "Invalid header or query parameter".
    for name in &names {
        let values = q.all(name);
        if values.len() > 1 && !REPEATABLE.contains(name) {
            return Err(PdsError::invalid_value(values[1], name));
        }
    }
    let one = |name: &str| {
        q.all(name)
            .first()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let mut s = Search {
        fuzzy: parse_flag(q, "_fuzzy-match")?,
        exact: parse_flag(q, "_exact-match")?,
        max_results,
        family: one("family"),
        given: q
            .all("given")
            .iter()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect(),
        gender: one("gender"),
        email: one("email"),
        phone: one("phone"),
        general_practitioner: one("general-practitioner"),
        ..Search::default()
    };
    // YAML `parameters/History`: the simulator holds no history (no previous names or
    // addresses), so `_history` only has to be a boolean.
    parse_flag(q, "_history")?;
    // SEARCH 4XX INVALID_VALUE; TESTS `searchErrors.feature` ("Invalid date format"): dates are
    // checked before the date of birth is required.
    for (field, into) in [
        ("birthdate", &mut s.birthdate),
        ("death-date", &mut s.death_date),
    ] {
        for value in q.all(field) {
            let bound =
                Bound::parse(value.trim()).ok_or_else(|| PdsError::invalid_value(value, field))?;
            into.push(bound);
        }
    }
    // YAML `parameters/Gender`: `enum: male, female, other, unknown`; SEARCH's 4XX example
    // refuses `mal`. The sandbox (`get-patient-search.js`) takes `Female` as `female`.
    if let Some(g) = &s.gender {
        let lower = g.to_ascii_lowercase();
        if !["male", "female", "other", "unknown"].contains(&lower.as_str()) {
            return Err(PdsError::invalid_value(g, "gender"));
        }
        s.gender = Some(lower);
    }
    // YAML `parameters/Family` and `Given`: "Max 35 characters", and wildcards not in the
    // first two characters; `AddressPostalcode` the same wildcard rule.
    let names_given = s
        .family
        .iter()
        .map(|f| ("family", f))
        .chain(s.given.iter().map(|g| ("given", g)));
    for (field, value) in names_given {
        if value.chars().count() > MAX_NAME_CHARS || !wildcard_placed_well(value) {
            return Err(PdsError::invalid_value(value, field));
        }
    }
    // YAML `parameters/AddressPostcode`: "If both address-postcode and address-postalcode are
    // provided, an INVALID_SEARCH_DATA error will be returned." (The diagnostics are the
    // simulator's own wording.)
    let postalcode = one("address-postalcode");
    let postcode = one("address-postcode");
    if postalcode.is_some() && postcode.is_some() {
        return Err(PdsError::invalid_search_data(
            "address-postcode and address-postalcode cannot both be provided",
        ));
    }
    let (field, code) = match (postalcode, postcode) {
        (Some(c), _) => ("address-postalcode", Some(c)),
        (None, c) => ("address-postcode", c),
    };
    if let Some(c) = &code
        && !wildcard_placed_well(c)
    {
        return Err(PdsError::invalid_value(c, field));
    }
    s.postcode = code;
    // SEARCH `Non-fuzzy search` / `Fuzzy search`: every minimum includes the date of birth; its
    // absence is MISSING_VALUE (TESTS `searchErrors.feature`, "Unsuccessful search on
    // email/phone only" and "but system only flags birthdate").
    if s.birthdate.is_empty() {
        return Err(PdsError::missing_birthdate());
    }
    if s.fuzzy {
        // SEARCH `Fuzzy search`: "You must use one of the following search parameter
        // combinations: given name, family name and date of birth; family name, date of birth,
        // gender and postcode; given name, date of birth, gender and postcode", and YAML
        // `parameters/Family` ...: no wildcards "in fuzzy search mode". TESTS
        // `searchForPatientUsingMOABcascadingTrace.feature` (`given=Joe*` fuzzy): the diagnostics.
        let given = !s.given.is_empty();
        let family = s.family.is_some();
        let gender_and_postcode = s.gender.is_some() && s.postcode.is_some();
        let combination = [
            (given, family),
            (family, gender_and_postcode),
            (given, gender_and_postcode),
        ]
        .iter()
        .any(|&(a, b)| a && b);
        let wildcard = s
            .family
            .iter()
            .chain(&s.given)
            .chain(&s.postcode)
            .any(|v| v.contains('*'));
        if !combination || wildcard {
            return Err(PdsError::invalid_search_data(
                "A fuzzy search was requested however the data given did not meet the fuzzy \
                 search criteria",
            ));
        }
    } else if s.family.is_none() {
        // SEARCH `Non-fuzzy search`: "The minimum search parameters are: family name ... date
        // of birth". TESTS `searchErrors.feature` ("Missing params other than birthdate").
        return Err(PdsError::invalid_search_data(
            "No searches were performed as the search criteria did not meet the minimum \
             requirements",
        ));
    }
    Ok(s)
}

/// How `r` meets `s`: `None` when it does not match, else the number of criteria met only in
/// part (a wildcard, a homophone, transposed names, or in a fuzzy search a date of death or
/// practice that disagrees), each taking 0.1 off a score of 1.0 (SEARCH `Scoring`: "A score
/// of 1.0 indicates an exact match. A score of less than 1.0 indicates a partial match.").
fn assess(s: &Search, r: &Record) -> Option<u32> {
    let p = &r.patient;
    // SEARCH `Restricted patients`: "If `address-postalcode`, `address-postcode`, or
    // `general-practitioner` are included in the search parameters, no restricted patients are
    // returned even if a match is identified."
    if r.restricted && (s.postcode.is_some() || s.general_practitioner.is_some()) {
        return None;
    }
    let mut partial = 0;
    let wildcard = |v: &str| u32::from(v.contains('*'));
    if s.fuzzy {
        // SEARCH `Fuzzy search`: homophones by Soundex, and "checks for transposed names, such
        // as `Adam Thomas` and `Thomas Adam`".
        let first_given = s.given.first().map(String::as_str);
        let straight = || -> Option<u32> {
            let f = s
                .family
                .as_deref()
                .map_or(Some(0), |f| fuzzy_name(f, &p.family))?;
            let g = first_given.map_or(Some(0), |g| fuzzy_name(g, &p.given))?;
            Some(f + g)
        };
        let transposed = || -> Option<u32> {
            let f = fuzzy_name(s.family.as_deref()?, &p.given)?;
            let g = fuzzy_name(first_given?, &p.family)?;
            Some(f + g + 1)
        };
        partial += straight().or_else(transposed)?;
    } else {
        if let Some(f) = &s.family {
            if !name_matches(f, &p.family) {
                return None;
            }
            partial += wildcard(f);
        }
        if let Some(g) = s.given.first() {
            if !name_matches(g, &p.given) {
                return None;
            }
            partial += wildcard(g);
        }
    }
    // YAML `parameters/Given`: later `given` values are the middle names, which "may impact
    // your search results if they are not recorded in the PDS"; the seeded records have none.
    if s.given.len() > 1 {
        return None;
    }
    if let Some(g) = &s.gender
        && *g != p.gender
    {
        return None;
    }
    // YAML `parameters/Birthdate`: every bound holds (`ge` and `le` make a range).
    let born = chrono::NaiveDate::parse_from_str(&p.birth_date, "%Y-%m-%d").ok()?;
    if !s.birthdate.iter().all(|b| b.holds(born)) {
        return None;
    }
    // YAML `parameters/DeathDate`: "For a fuzzy search, this is ignored for matching but
    // included in the score calculation." A living patient has no date of death to match.
    if !s.death_date.is_empty() {
        let died = r
            .deceased
            .and_then(|d| chrono::NaiveDate::parse_from_str(d.get(..10)?, "%Y-%m-%d").ok());
        let holds = died.is_some_and(|d| s.death_date.iter().all(|b| b.holds(d)));
        match (holds, s.fuzzy) {
            (true, _) => {}
            (false, true) => partial += 1,
            (false, false) => return None,
        }
    }
    if let Some(code) = &s.postcode {
        if !glob(&postcode_key(code), &postcode_key(&p.postcode)) {
            return None;
        }
        partial += wildcard(code);
    }
    // YAML `parameters/GeneralPractitioner`: "Not case sensitive. For a fuzzy search, this is
    // ignored for matching but included in the score calculation"; SEARCH `General
    // practitioner`: "it must match exactly".
    if let Some(gp) = &s.general_practitioner
        && !gp.eq_ignore_ascii_case(&p.registered_ods)
    {
        if !s.fuzzy {
            return None;
        }
        partial += 1;
    }
    // SEARCH `Phone number and email address`: "only exact matches will be returned" and
    // "Wildcards are not supported". The seeded numbers are written with a space the published
    // examples do not have (`01632960587`), so spaces are ignored on both sides.
    if let Some(phone) = &s.phone {
        let digits = |v: &str| v.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        if digits(phone) != digits(&p.phone) {
            return None;
        }
    }
    // SEARCH `Phone number and email address`: exact, not case sensitive. The seeded records
    // hold no email address, so a search by email matches no one.
    if s.email.is_some() {
        return None;
    }
    Some(partial)
}

/// `total` matches as SEARCH's 200 answers them: a `searchset` Bundle (`PatientSearch.yaml`,
/// SEARCH EXAMPLE), with no `entry` when nothing matched (TESTS `oasExamples.feature`:
/// `{ resourceType, type, total: 0, timestamp }`).
fn searchset(pds: &Pds, matches: &[(&Record, u32)]) -> Value {
    let timestamp = pds
        .clock
        .now()
        .format("%Y-%m-%dT%H:%M:%S+00:00")
        .to_string();
    let mut bundle = json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": timestamp,
        "total": matches.len(),
    });
    if !matches.is_empty() {
        let entries: Vec<Value> = matches
            .iter()
            .map(|(r, partial)| {
                let score = f64::from(10 - (*partial).min(10)) / 10.0;
                json!({
                    "fullUrl": format!("{}/Patient/{}", pds.root, r.patient.nhs_number),
                    "search": { "score": score },
                    // SEARCH `Patient data returned`: the usual name, the home address, contact
                    // details, registered GP and the restricted flag, as `patient_json` writes a
                    // record; a restricted one without `address`, `telecom` and
                    // `generalPractitioner` (SEARCH `Restricted patients`).
                    "resource": patient_json(r),
                })
            })
            .collect();
        bundle["entry"] = json!(entries);
    }
    bundle
}

/// `GET /Patient?...`, in the order the platform then Spine check a request.
fn search(pds: &Pds, headers: &HeaderMap, raw: Option<&str>) -> Result<Response, PdsError> {
    check_token(headers, pds)?;
    check_request_id_format(headers)?;
    let query = Query::parse(raw);
    // PROXY `ig3.xml` flow `application_restricted`: `_max-results` left out is set to 1
    // (`AssignMessage.SetMaxResultsToOne`); any other value than `1` is refused
    // (`RaiseFault.MaxResultsInvalidAppRestricted`) before Spine sees the request.
    if let Ok(q) = &query
        && !matches!(q.all("_max-results").as_slice(), [] | ["1"])
    {
        return Err(PdsError::max_results_app_restricted());
    }
    check_request_id_present(headers)?;
    // A query string that cannot be decoded: SEARCH 4XX INVALID_VALUE, "Invalid header or query
    // parameter".
    let query = query.map_err(|e| {
        PdsError::new(
            StatusCode::BAD_REQUEST,
            "value",
            "INVALID_VALUE",
            "Provided value is invalid",
        )
        .with_diagnostics(e)
    })?;
    let s = parse_search(&query, APP_RESTRICTED_MAX_RESULTS)?;
    let mut matches: Vec<(&Record, u32)> = pds
        .entries
        .values()
        // SEARCH `Invalidated patients`: "not returned in search results"; a superseded
        // number's record is the current one, held once under its own number.
        .filter_map(|e| match e {
            Entry::Current(r) => Some(r.as_ref()),
            Entry::SupersededBy(_) | Entry::Invalidated => None,
        })
        .filter_map(|r| assess(&s, r).map(|partial| (r, partial)))
        // YAML `parameters/ExactMatch`: "only returns results where the `score` field is 1.0".
        .filter(|(_, partial)| !s.exact || *partial == 0)
        .collect();
    // SEARCH `Scoring`: "sorted in descending score order - best match first".
    matches.sort_by(|(a, pa), (b, pb)| {
        pa.cmp(pb)
            .then_with(|| a.patient.nhs_number.cmp(&b.patient.nhs_number))
    });
    // YAML `parameters/MaxResults`: "If too many patients match the search criteria, we return a
    // `TOO_MANY_MATCHES` error"; SEARCH `Application-restricted access mode`: "only if it's a
    // unique match".
    if matches.len() > s.max_results {
        return Err(PdsError::too_many_matches());
    }
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, FHIR_JSON)],
        Json(searchset(pds, &matches)),
    )
        .into_response())
}

async fn search_patients(
    State(pds): State<Arc<Pds>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let answer = search(&pds, &headers, raw.as_deref()).unwrap_or_else(PdsError::into_response);
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
    base_url: &str,
) -> Router<S> {
    let pds = Arc::new(Pds::seeded(platform, clock, base_url));
    Router::new()
        .route(
            &format!("{BASE_PATH}/Patient"),
            get(search_patients).fallback(fallback),
        )
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
        let base = "http://127.0.0.1:1";
        Pds::seeded(Arc::new(Platform::new(base, clock)), clock, base)
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
    fn soundex_codes_homophones_alike() {
        assert_eq!(soundex("Smith"), "S530");
        assert_eq!(soundex("Smythe"), "S530");
        assert_eq!(soundex("Robert"), "R163");
        assert_eq!(soundex("Ashcraft"), "A261");
        assert_eq!(soundex("Tymczak"), "T522");
        assert_eq!(soundex("Pfister"), "P236");
        assert_ne!(soundex("Jackson"), soundex("Johnson"));
    }

    #[test]
    fn wildcards_and_dates_follow_the_yaml() {
        assert!(name_matches("Sm*t*", "Smythe") && name_matches("Sm*t*", "SMITH"));
        assert!(!name_matches("Sm*t", "Smythe"));
        assert!(glob(&postcode_key("ls1*"), &postcode_key("LS1 6AE")));
        assert!(glob(&postcode_key("ls16ae"), &postcode_key("LS1 6AE")));
        assert!(!wildcard_placed_well("S*") && !wildcard_placed_well("*mith"));
        assert!(wildcard_placed_well("Sm*"));
        let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date");
        assert!(Bound::parse("ge2010-10-22").is_some_and(|b| b.holds(day("2010-10-23"))));
        assert!(Bound::parse("le2010-10-22").is_some_and(|b| !b.holds(day("2010-10-23"))));
        assert!(Bound::parse("2010-10-22").is_some_and(|b| b.holds(day("2010-10-22"))));
        for bad in ["20101022", "eq2010-13-01", "gt2010-10-22", "eq2010-1-22"] {
            assert!(Bound::parse(bad).is_none(), "{bad}");
        }
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
