//! The platform's Endpoint Catalogue, read at the one BaRS root: which DoS services take BaRS
//! requests through the platform, and at which endpoint. Published in the BaRS API from 1.2.0
//! (booking-and-referral-fhir-api, specification/booking-and-referral-1.2.0.yaml to
//! 1.4.0.yaml): `GET /HealthcareService`, `GET /HealthcareService/{id}`, `GET /Endpoint`,
//! `GET /Endpoint/{id}`. Served by the platform itself, so no `NHSD-Target-Identifier` is
//! asked for, and the simulator's receiver faults do not apply (as for the other national
//! directories).

mod entries;
mod search;

use super::outcome::BarsError;
use super::{error_response, headers, proxy, respond, self_link, to_bytes};
use crate::json_util::is_uuid;
use crate::sim::Sim;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, request::Parts};
use axum::response::Response;
use entries::Entry;
use search::Kind;
use serde_json::{Value, json};

/// The published 200 answers' media type (`200-HealthcareServiceBundle`,
/// `200-EndpointBundle`, `200-Atomic*`).
const FHIR_JSON: &str = "application/fhir+json";

/// True for the catalogue's paths below the one root.
pub fn handles(rest: &[&str]) -> bool {
    matches!(rest.first(), Some(&("HealthcareService" | "Endpoint")))
}

enum Read {
    Search(Kind),
    One(Kind, String),
}

/// The published operations, and those this simulator does not offer (catalogue maintenance,
/// which "only the owner" of an entry may do, and Endpoint templates).
fn route(method: &Method, rest: &[&str], path: &str) -> Result<Read, BarsError> {
    let kind = |k: &str| {
        if k == "HealthcareService" {
            Kind::HealthcareService
        } else {
            Kind::Endpoint
        }
    };
    let not_offered = || {
        BarsError::proxy_not_implemented(format!(
            "{method} {path} is published but not simulated: the catalogue here is read-only"
        ))
    };
    match (rest, method) {
        (["Endpoint", "$template"], &Method::GET | &Method::POST) => Err(not_offered()),
        ([k], &Method::GET) => Ok(Read::Search(kind(k))),
        ([k, id], &Method::GET) => Ok(Read::One(kind(k), id.to_string())),
        ([_], &Method::POST)
        | ([_, _], &Method::PUT | &Method::DELETE)
        | (["Endpoint", _, "$template"], &Method::PUT | &Method::DELETE) => Err(not_offered()),
        ([_] | [_, _], _) | (["Endpoint", _, "$template"], _) => Err(
            BarsError::send_method_not_allowed(format!("{method} is not allowed on {path}")),
        ),
        _ => Err(BarsError::proxy_not_found(format!(
            "No API endpoint at {path}"
        ))),
    }
}

/// The headers every catalogue read carries (the operations' `parameters`): a platform token
/// (`security: OAuth_Token`), `X-Request-Id` and `X-Correlation-Id` (UUIDs),
/// `NHSD-End-User-Organisation`, and `Accept`. 1.2.0 and 1.3.0 also list
/// `NHSD-Requesting-Software`, which 1.4.0 drops: it is checked whenever it is sent.
fn check_headers(sim: &Sim, h: &HeaderMap) -> Result<(), BarsError> {
    headers::check_token(h, &sim.platform, sim.clock.now().timestamp())?;
    headers::uuid_header(h, "X-Request-Id")?;
    headers::uuid_header(h, "X-Correlation-Id")?;
    headers::check_end_user_organisation(h)?;
    if h.contains_key(headers::SOFTWARE) {
        headers::check_requesting_software(h)?;
    }
    check_accept(h)
}

/// `AcceptEPC_HParam` (1.4.0): "must specify the type of content the requester can process",
/// e.g. `application/fhir+json`; 1.2.0 and 1.3.0 add a BaRS version, which is let be. Wildcard
/// ranges take FHIR JSON too (RFC 9110 12.5.1).
fn check_accept(h: &HeaderMap) -> Result<(), BarsError> {
    let accept = headers::header(h, "Accept")?
        .ok_or_else(|| BarsError::send_bad_request("The Accept header is missing"))?;
    let fhir_json = accept.split(',').any(|range| {
        let media = range.split(';').next().unwrap_or("").trim();
        ["application/fhir+json", "application/*", "*/*"]
            .iter()
            .any(|m| media.eq_ignore_ascii_case(m))
    });
    if fhir_json {
        Ok(())
    } else {
        Err(BarsError::send_not_acceptable(format!(
            "Accept '{accept}' asks for nothing the catalogue produces: send 'application/fhir+json'"
        )))
    }
}

fn resource(kind: Kind, entry: &Entry<'_>, sim: &Sim) -> Value {
    match kind {
        Kind::HealthcareService => entry.healthcare_service(),
        Kind::Endpoint => entry.endpoint(&sim.root_url(entry.service)),
    }
}

fn full_url(root: &str, kind: Kind, entry: &Entry<'_>) -> String {
    let id = match kind {
        Kind::HealthcareService => &entry.healthcare_service_id,
        Kind::Endpoint => &entry.endpoint_id,
    };
    format!("{root}/{}/{id}", kind.name())
}

/// A searchset as the published `success_bundle.json` examples: id, type, total, timestamp,
/// the self link and each entry's fullUrl and resource. None found is an empty searchset.
fn search_answer(sim: &Sim, kind: Kind, query: Option<&str>) -> Result<Value, BarsError> {
    let all = entries::all(&sim.region);
    let found = search::matching(kind, &all, query)?;
    let root = format!("{}{}", sim.base_url, proxy::PATH);
    let mut link = format!("{root}/{}", kind.name());
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        link = format!("{link}?{q}");
    }
    Ok(json!({
        "resourceType": "Bundle",
        "id": uuid::Uuid::new_v4().to_string(),
        "type": "searchset",
        "total": found.len(),
        "timestamp": sim.clock.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "link": self_link(&link),
        "entry": found
            .iter()
            .map(|e| json!({
                "fullUrl": full_url(&root, kind, e),
                "resource": resource(kind, e, sim),
            }))
            .collect::<Vec<_>>(),
    }))
}

fn read_answer(sim: &Sim, kind: Kind, id: &str) -> Result<Value, BarsError> {
    // The specification's `{id}` is a GUID.
    if !is_uuid(id) {
        return Err(BarsError::send_bad_request(format!(
            "The {} id '{id}' must be a GUID",
            kind.name()
        )));
    }
    entries::all(&sim.region)
        .iter()
        .find(|e| match kind {
            Kind::HealthcareService => e.healthcare_service_id == id,
            Kind::Endpoint => e.endpoint_id == id,
        })
        .map(|e| resource(kind, e, sim))
        .ok_or_else(|| {
            BarsError::proxy_not_found(format!("No {} {id} in the Endpoint Catalogue", kind.name()))
        })
}

/// Answers one catalogue request at the one root.
pub fn serve(
    sim: &Sim,
    parts: &Parts,
    rest: &[&str],
    echo: &[(&'static str, HeaderValue)],
) -> Response {
    let path = parts.uri.path();
    let answer = route(&parts.method, rest, path).and_then(|read| {
        check_headers(sim, &parts.headers)?;
        match read {
            Read::Search(kind) => search_answer(sim, kind, parts.uri.query()),
            Read::One(kind, id) => read_answer(sim, kind, &id),
        }
    });
    match answer {
        Ok(body) => {
            tracing::info!(path, total = body["total"].as_u64(), "catalogue read");
            respond(StatusCode::OK, FHIR_JSON, to_bytes(&body), echo)
        }
        Err(e) => {
            tracing::info!(
                path,
                status = e.status.as_u16(),
                code = e.code,
                "catalogue refused"
            );
            error_response(&e, echo)
        }
    }
}
