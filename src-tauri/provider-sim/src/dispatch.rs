//! The FHIR entry point: route, inject faults, check headers, token and body, run the
//! interaction and write the HTTP response.

use crate::auth::{self, header};
use crate::faults::{DropSignal, garble};
use crate::handler::{Ctx, Reply};
use crate::outcome::FhirError;
use crate::routes::{self, Op, Route};
use crate::seed::Standard;
use crate::sim::Sim;
use crate::{bars, gp_connect, uec};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header as h, request::Parts};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::Arc;

pub const FHIR_JSON: &str = "application/fhir+json;charset=utf-8";
/// Largest request body accepted.
const BODY_LIMIT: usize = 1024 * 1024;

fn check_content_type(headers: &HeaderMap) -> Result<(), FhirError> {
    let wrong = || FhirError::unsupported_media_type("Content-Type must be application/fhir+json");
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
            k.trim().eq_ignore_ascii_case("charset")
                && v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        });
        if !ok {
            return Err(wrong());
        }
    }
    Ok(())
}

async fn read_json(parts: &Parts, body: Body) -> Result<Value, FhirError> {
    check_content_type(&parts.headers)?;
    let too_large = || FhirError::payload_too_large("The request body is larger than 1 MiB");
    let declared = header(&parts.headers, "Content-Length")?
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    if declared > BODY_LIMIT {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| too_large())?;
    serde_json::from_slice(&bytes)
        .map_err(|e| FhirError::not_well_formed(format!("The request body is not JSON: {e}")))
}

async fn process(
    sim: &Sim,
    route: &Route<'_>,
    parts: &Parts,
    body: Body,
) -> Result<(Op, Reply), FhirError> {
    let service = route.service;
    auth::check_ssp(&parts.headers, service)?;
    let candidate = auth::choose_interaction(&parts.headers, &route.candidates)?;
    let now = sim.clock.now();
    auth::check_jwt(
        &parts.headers,
        &service.root_path(),
        candidate.scope,
        now.timestamp(),
    )?;
    let body = if matches!(parts.method, Method::POST | Method::PUT) {
        Some(read_json(parts, body).await?)
    } else {
        None
    };
    let ctx = Ctx {
        sim,
        service,
        headers: &parts.headers,
        query: parts.uri.query(),
        body,
        now,
    };
    let reply = match service.standard {
        Standard::GpConnect => gp_connect::handle(&ctx, &candidate.op),
        Standard::UecBooking => uec::handle(&ctx, &candidate.op),
        // BaRS requests are routed to `bars::dispatch` before they get here.
        Standard::Bars => Err(FhirError::not_implemented("BaRS is not served here")),
    }?;
    Ok((candidate.op.clone(), reply))
}

fn respond(
    status: StatusCode,
    body: Vec<u8>,
    location: Option<String>,
    version: Option<u64>,
    correlation: Option<&HeaderValue>,
) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(h::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    if let Some(v) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(h::LOCATION, v);
    }
    if let Some(v) = version.and_then(|n| HeaderValue::from_str(&format!("W/\"{n}\"")).ok()) {
        headers.insert(h::ETAG, v);
    }
    if let Some(c) = correlation {
        headers.insert("X-Correlation-ID", c.clone());
    }
    (status, headers, body).into_response()
}

fn to_bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_else(|_| b"{}".to_vec())
}

fn error_response(e: &FhirError, correlation: Option<&HeaderValue>) -> Response {
    respond(e.status, to_bytes(&e.to_json()), None, None, correlation)
}

/// Every request that is not an admin call comes here, and is answered when its latency is up.
/// A read is worked out first and waits out the rest, as a service on a machine of its own
/// answers at that time whatever its own work: on a shared machine the simulator's work would
/// otherwise add to every answer's time and compete with the desk's. A write waits first, so
/// that what it changes is changed as the answer leaves (the slow-booking tests rely on it).
pub async fn fhir(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    let received = tokio::time::Instant::now();
    let latency = sim.faults.latency();
    let read = req.method() == Method::GET;
    if !read {
        tokio::time::sleep(latency).await;
    }
    let response = answer(sim, req).await;
    if read {
        tokio::time::sleep_until(received + latency).await;
    }
    response
}

async fn answer(sim: Arc<Sim>, req: Request) -> Response {
    // BaRS has its own headers, security and error shapes from the first check on.
    if bars::handles(req.uri().path()) {
        return bars::dispatch(sim, req).await;
    }
    let (parts, body) = req.into_parts();
    let route = match routes::resolve(&sim.region, &parts.method, parts.uri.path()) {
        Ok(r) => r,
        Err(e) => {
            tracing::info!(
                path = parts.uri.path(),
                status = e.status.as_u16(),
                "no such endpoint"
            );
            return error_response(&e, None);
        }
    };
    let service = route.service;
    // UEC providers echo the consumer's X-Request-ID so calls can be matched up in logs.
    let correlation = match service.standard {
        Standard::UecBooking => parts.headers.get("X-Request-ID").cloned(),
        Standard::GpConnect | Standard::Bars => None,
    };
    let trace = parts
        .headers
        .get("Ssp-TraceID")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();

    if sim.faults.fail() {
        tracing::warn!(service = service.id, trace = %trace, "injected failure");
        let e = FhirError::internal("Injected failure: the provider could not process the request");
        return error_response(&e, correlation.as_ref());
    }

    let result = process(&sim, &route, &parts, body).await;
    match &result {
        Ok((op, reply)) => tracing::info!(
            service = service.id,
            op = op.name(),
            status = reply.status.as_u16(),
            trace = %trace,
            "handled"
        ),
        Err(e) => tracing::info!(
            service = service.id,
            status = e.status.as_u16(),
            code = e.spine,
            trace = %trace,
            "rejected"
        ),
    }

    if parts.method == Method::GET && sim.faults.malformed() {
        let full = match &result {
            Ok((_, reply)) => to_bytes(&reply.body),
            Err(e) => to_bytes(&e.to_json()),
        };
        tracing::warn!(service = service.id, trace = %trace, "injected malformed body");
        return respond(
            StatusCode::OK,
            garble(&full),
            None,
            None,
            correlation.as_ref(),
        );
    }

    if let Ok((Op::PatientAppointments(_), _)) = &result
        && sim.faults.check_refused()
    {
        tracing::warn!(service = service.id, trace = %trace, "injected refusal of the check");
        let e = FhirError::internal("Injected failure: the appointments could not be read");
        return error_response(&e, correlation.as_ref());
    }

    match result {
        Ok((op, reply)) => {
            if reply.committed && op == Op::Book && sim.faults.booking_held() {
                tracing::warn!(service = service.id, trace = %trace, "injected held answer");
                return std::future::pending().await;
            }
            let lost = reply.committed && op == Op::Book && sim.faults.booking_lost();
            if reply.committed
                && op.commits()
                && (lost || sim.faults.drop_after_commit())
                && let Some(signal) = parts.extensions.get::<DropSignal>()
            {
                tracing::warn!(service = service.id, trace = %trace, "injected drop after commit");
                signal.fire();
                // Never answer: the connection is closed under us.
                return std::future::pending().await;
            }
            respond(
                reply.status,
                to_bytes(&reply.body),
                reply.location,
                reply.version,
                correlation.as_ref(),
            )
        }
        Err(e) => error_response(&e, correlation.as_ref()),
    }
}
