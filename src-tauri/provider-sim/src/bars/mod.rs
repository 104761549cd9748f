//! BaRS, the Booking and Referral Standard (FHIR R4), as receiving services behind the
//! national API platform. Two ways in: the platform's one root ([`proxy`],
//! `/booking-and-referral/FHIR/R4`), which routes by `NHSD-Target-Identifier` and also answers
//! Endpoint Catalogue reads ([`catalogue`]); and each service's own root,
//! `/bars/{service}/FHIR/R4`, where the target must name the service of that root. The
//! platform's checks (token, headers, Accept) and the receiver's run in that order, and every
//! failure is an OperationOutcome coded from the platform's http-error-codes.
//!
//! Interactions: `GET metadata`, `GET Slot`, `POST $process-message` (booking-request: book or
//! cancel), `GET Appointment/{id}`, `GET Appointment?patient:identifier=`.

mod appointments;
mod catalogue;
mod headers;
mod message;
pub mod outcome;
pub mod proxy;
mod resources;
mod rules;
mod slots;

use crate::capability;
use crate::faults::{DropSignal, garble};
use crate::seed::{Region, Service};
use crate::sim::Sim;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header as h, request::Parts};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use outcome::BarsError;
use serde_json::{Value, json};
use std::sync::Arc;

const PREFIX: &str = "/bars/";
/// Successful answers name the BaRS version they are in; errors are plain FHIR JSON.
const FHIR_JSON_VERSIONED: &str = "application/fhir+json; version=1.0.0";
const FHIR_JSON: &str = "application/fhir+json";
const BODY_LIMIT: usize = 1024 * 1024;

/// True for paths under the BaRS roots.
pub fn handles(path: &str) -> bool {
    path.starts_with(PREFIX) || proxy::rest(path).is_some()
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Metadata,
    SearchSlots,
    ProcessMessage,
    ReadAppointment(String),
    SearchAppointments,
    /// In the specification, but not offered by this receiver.
    NotImplemented(&'static str),
}

impl Op {
    fn name(&self) -> &'static str {
        match self {
            Op::Metadata => "metadata",
            Op::SearchSlots => "search-slots",
            Op::ProcessMessage => "process-message",
            Op::ReadAppointment(_) => "read-appointment",
            Op::SearchAppointments => "search-appointments",
            Op::NotImplemented(_) => "not-implemented",
        }
    }
}

/// What an interaction handler works with.
pub struct Ctx<'a> {
    pub sim: &'a Sim,
    pub service: &'a Service,
    pub query: Option<&'a str>,
    pub now: DateTime<Utc>,
    /// The service root URL.
    pub root: String,
}

/// A successful answer; `committed` when it changed a booking.
pub struct Answer {
    pub body: Value,
    pub committed: bool,
}

impl Answer {
    fn read(body: Value) -> Answer {
        Answer {
            body,
            committed: false,
        }
    }
}

/// Percent-encodes a query value for the self links.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn self_link(url: &str) -> Value {
    json!([{ "relation": "self", "url": url }])
}

/// Where a request was sent: a service's own root, or the platform's one root (which routes by
/// the target identifier).
enum Root<'a> {
    Service(&'a Service),
    Proxy,
}

fn route<'a>(region: &'a Region, method: &Method, path: &str) -> Result<(Root<'a>, Op), BarsError> {
    let not_found = || BarsError::proxy_not_found(format!("No API endpoint at {path}"));
    if let Some(rest) = proxy::rest(path) {
        return Ok((Root::Proxy, operation(method, &rest, path)?));
    }
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let ["bars", id, "FHIR", "R4", rest @ ..] = segments.as_slice() else {
        return Err(not_found());
    };
    let service = region.bars_service(id).ok_or_else(not_found)?;
    Ok((Root::Service(service), operation(method, rest, path)?))
}

/// The interaction a path below a root names; the same at every root.
fn operation(method: &Method, rest: &[&str], path: &str) -> Result<Op, BarsError> {
    let op = match (rest, method) {
        (["metadata"], &Method::GET) => Op::Metadata,
        (["Slot"], &Method::GET) => Op::SearchSlots,
        (["$process-message" | "%24process-message"], &Method::POST) => Op::ProcessMessage,
        (["Appointment"], &Method::GET) => Op::SearchAppointments,
        (["Appointment", id], &Method::GET) => Op::ReadAppointment(id.to_string()),
        (["Appointment"], &Method::POST)
        | (["Appointment", _], &Method::PUT | &Method::PATCH | &Method::DELETE) => {
            Op::NotImplemented("Appointments are booked and cancelled with $process-message here")
        }
        (["ServiceRequest"] | ["ServiceRequest", _], &Method::GET) => {
            Op::NotImplemented("This service takes bookings, not referrals")
        }
        (["MessageDefinition"], &Method::GET) => {
            Op::NotImplemented("MessageDefinitions are not published by this service")
        }
        (["metadata"] | ["Slot"] | ["Appointment"] | ["Appointment", _], _)
        | (["$process-message" | "%24process-message"], _) => {
            return Err(BarsError::send_method_not_allowed(format!(
                "{method} is not allowed on {path}"
            )));
        }
        _ => {
            return Err(BarsError::proxy_not_found(format!(
                "No API endpoint at {path}"
            )));
        }
    };
    Ok(op)
}

async fn read_json(parts: &Parts, body: Body) -> Result<Value, BarsError> {
    headers::check_content_type(&parts.headers)?;
    let too_large = || BarsError::rec_too_large("The request body is larger than 1 MiB");
    let declared = headers::header(&parts.headers, "Content-Length")?
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    if declared > BODY_LIMIT {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| too_large())?;
    serde_json::from_slice(&bytes).map_err(|e| {
        BarsError::rec_bad_request("invalid", format!("The request body is not JSON: {e}"))
    })
}

/// The service's CapabilityStatement with its own URLs.
fn metadata(ctx: &Ctx<'_>) -> Value {
    let mut v = capability::statement(ctx.service);
    v["url"] = json!(format!("{}/metadata", ctx.root));
    v["implementation"]["url"] = json!(ctx.root);
    v["messaging"][0]["endpoint"] = json!([{
        "protocol": { "system": "http://terminology.hl7.org/CodeSystem/message-transport", "code": "http" },
        "address": ctx.root,
    }]);
    v
}

async fn process(
    sim: &Sim,
    service: &Service,
    op: &Op,
    parts: &Parts,
    body: Body,
) -> Result<Answer, BarsError> {
    let now = sim.clock.now();
    headers::check_token(&parts.headers, &sim.platform, now.timestamp())?;
    let caller = headers::check(&parts.headers, &sim.region, service, *op == Op::Metadata)?;
    headers::check_accept(&parts.headers)?;
    let ctx = Ctx {
        sim,
        service,
        query: parts.uri.query(),
        now,
        root: sim.root_url(service),
    };
    match op {
        Op::Metadata => Ok(Answer::read(metadata(&ctx))),
        Op::SearchSlots => slots::search(&ctx).map(Answer::read),
        Op::SearchAppointments => appointments::search(&ctx).map(Answer::read),
        Op::ReadAppointment(id) => appointments::read(&ctx, id).map(Answer::read),
        Op::ProcessMessage => {
            headers::check_use_context(&parts.headers)?;
            let body = read_json(parts, body).await?;
            message::process(&ctx, &body, &caller.request_id)
        }
        Op::NotImplemented(why) => Err(BarsError::rec_not_implemented(*why)),
    }
}

/// The request's X-Request-Id and X-Correlation-Id, mirrored on every answer.
pub fn mirrored(headers: &HeaderMap) -> Vec<(&'static str, HeaderValue)> {
    ["X-Request-Id", "X-Correlation-Id"]
        .into_iter()
        .filter_map(|name| headers.get(name).map(|v| (name, v.clone())))
        .collect()
}

pub fn respond(
    status: StatusCode,
    content_type: &'static str,
    body: Vec<u8>,
    echo: &[(&'static str, HeaderValue)],
) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(h::CONTENT_TYPE, HeaderValue::from_static(content_type));
    for (name, value) in echo {
        headers.insert(*name, value.clone());
    }
    (status, headers, body).into_response()
}

pub fn to_bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_else(|_| b"{}".to_vec())
}

pub fn error_response(e: &BarsError, echo: &[(&'static str, HeaderValue)]) -> Response {
    respond(e.status, FHIR_JSON, to_bytes(&e.to_json()), echo)
}

/// Every request under `/bars/` comes here, with the same fault injection as the other
/// standards: latency, failures, garbled GET answers and connections dropped after a booking
/// or cancellation has been committed.
pub async fn dispatch(sim: Arc<Sim>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let echo = mirrored(&parts.headers);
    if let Some(rest) = proxy::rest(parts.uri.path()) {
        // The platform's own answers at its one root, before any routing to a receiver.
        if catalogue::handles(&rest) {
            return catalogue::serve(&sim, &parts, &rest, &echo);
        }
        if proxy::is_platform_metadata(&parts, &rest) {
            return proxy::platform_metadata(&sim, &echo);
        }
    }
    let routed =
        route(&sim.region, &parts.method, parts.uri.path()).and_then(|(root, op)| match root {
            Root::Service(service) => Ok((service, op)),
            Root::Proxy => proxy::resolve(&sim, &parts.headers).map(|service| (service, op)),
        });
    let (service, op) = match routed {
        Ok(r) => r,
        Err(e) => {
            tracing::info!(
                path = parts.uri.path(),
                status = e.status.as_u16(),
                code = e.code,
                "no such BaRS endpoint or target"
            );
            return error_response(&e, &echo);
        }
    };
    let request_id = parts
        .headers
        .get("X-Request-Id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();

    if sim.faults.throttled() {
        tracing::warn!(service = service.id, request_id = %request_id, "throttled");
        let e = BarsError::send_too_many_requests("Rate limit reached: retry after 1 second");
        let mut resp = error_response(&e, &echo);
        resp.headers_mut()
            .insert(h::RETRY_AFTER, HeaderValue::from_static("1"));
        return resp;
    }
    if sim.faults.fail() {
        tracing::warn!(service = service.id, request_id = %request_id, "injected failure");
        let e = BarsError::rec_server_error(
            "Injected failure: an unexpected exception occurred at the receiver",
        );
        return error_response(&e, &echo);
    }

    let result = process(&sim, service, &op, &parts, body).await;
    match &result {
        Ok(answer) => tracing::info!(
            service = service.id,
            op = op.name(),
            committed = answer.committed,
            request_id = %request_id,
            "handled"
        ),
        Err(e) => tracing::info!(
            service = service.id,
            op = op.name(),
            status = e.status.as_u16(),
            code = e.code,
            request_id = %request_id,
            "rejected"
        ),
    }

    if parts.method == Method::GET && sim.faults.malformed() {
        let full = match &result {
            Ok(answer) => to_bytes(&answer.body),
            Err(e) => to_bytes(&e.to_json()),
        };
        tracing::warn!(service = service.id, request_id = %request_id, "injected malformed body");
        return respond(StatusCode::OK, FHIR_JSON_VERSIONED, garble(&full), &echo);
    }

    match result {
        Ok(answer) => {
            if answer.committed
                && sim.faults.drop_after_commit()
                && let Some(signal) = parts.extensions.get::<DropSignal>()
            {
                tracing::warn!(service = service.id, request_id = %request_id, "injected drop after commit");
                signal.fire();
                // Never answer: the connection is closed under us.
                return std::future::pending().await;
            }
            respond(
                StatusCode::OK,
                FHIR_JSON_VERSIONED,
                to_bytes(&answer.body),
                &echo,
            )
        }
        Err(e) => error_response(&e, &echo),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::region;

    #[test]
    fn routes() {
        let r = region();
        let root = "/bars/spen-valley-utc/FHIR/R4";
        let op = |m: Method, rest: &str| route(&r, &m, &format!("{root}{rest}")).map(|(_, op)| op);
        assert_eq!(op(Method::GET, "/Slot").ok(), Some(Op::SearchSlots));
        assert_eq!(
            op(Method::POST, "/$process-message").ok(),
            Some(Op::ProcessMessage)
        );
        assert_eq!(
            op(Method::POST, "/%24process-message").ok(),
            Some(Op::ProcessMessage)
        );
        assert_eq!(
            op(Method::GET, "/Appointment/abc").ok(),
            Some(Op::ReadAppointment("abc".into()))
        );
        assert!(matches!(
            op(Method::PUT, "/Appointment/abc"),
            Ok(Op::NotImplemented(_))
        ));
        assert_eq!(
            op(Method::GET, "/$process-message").err().map(|e| e.code),
            Some("SEND_METHOD_NOT_ALLOWED")
        );
        assert_eq!(
            op(Method::GET, "/Nope").err().map(|e| e.code),
            Some("NOT_FOUND")
        );
        // A UEC service is not a BaRS one.
        assert!(route(&r, &Method::GET, "/bars/calder-valley-utc/FHIR/R4/metadata").is_err());
    }
}
