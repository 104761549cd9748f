//! Everything on the wire: the Spine Secure Proxy headers, a fresh JWT per request, time and
//! size limits, content-type checks, and turning failures into typed errors. Standards modules
//! say what to send; this module sends it.

pub mod query;
mod response;

pub use response::FhirResponse;

use chrono::Utc;
use reqwest::Method;
use serde::Serialize;
use std::time::Duration;

use crate::auth::{Session, jwt};
use crate::config::HttpSettings;
use crate::directory::Service;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::TraceId;

const FHIR_JSON: &str = "application/fhir+json";

/// One FHIR interaction with one service.
#[derive(Debug, Clone)]
pub struct FhirRequest {
    pub method: Method,
    /// Relative to the service root, e.g. `/Appointment/12`.
    pub path: String,
    pub query: Vec<(String, String)>,
    /// The full `Ssp-InteractionID`.
    pub interaction: String,
    /// The JWT's `requested_scope`.
    pub scope: &'static str,
    pub body: Option<Vec<u8>>,
    /// `W/"n"` for a versioned update.
    pub if_match: Option<String>,
    /// UEC `X-Request-ID`: a retried POST must reuse the first attempt's id.
    pub request_id: Option<uuid::Uuid>,
}

impl FhirRequest {
    /// A GET; [`FhirRequest::with_body`] turns it into a POST or PUT.
    pub fn new(path: impl Into<String>, interaction: String, scope: &'static str) -> Self {
        Self {
            method: Method::GET,
            path: path.into(),
            query: Vec::new(),
            interaction,
            scope,
            body: None,
            if_match: None,
            request_id: None,
        }
    }

    pub fn with_body<T: Serialize>(mut self, method: Method, body: &T) -> Result<Self> {
        self.method = method;
        self.body = Some(
            serde_json::to_vec(body)
                .map_err(|e| Error::invalid(format!("The request could not be prepared: {e}")))?,
        );
        Ok(self)
    }

    pub fn param(mut self, name: &str, value: impl Into<String>) -> Self {
        self.query.push((name.to_string(), value.into()));
        self
    }
}

/// How a send failed, for callers that must know whether the provider may have acted on it.
#[derive(Debug)]
pub struct SendFailure {
    pub error: Error,
    /// False only when the connection was never made, so the provider cannot have seen it.
    pub maybe_delivered: bool,
}

#[derive(Debug, Clone)]
pub struct Transport {
    client: reqwest::Client,
    settings: HttpSettings,
}

impl Transport {
    pub fn new(settings: HttpSettings) -> Result<Self> {
        // rustls with the platform's web roots: certificates are always verified.
        let client = reqwest::Client::builder()
            .timeout(settings.timeout())
            .connect_timeout(settings.connect_timeout())
            .pool_idle_timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("BookingDesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::config(format!("The HTTP client could not start: {e}")))?;
        Ok(Self { client, settings })
    }

    pub fn settings(&self) -> &HttpSettings {
        &self.settings
    }

    /// Sends and maps every failure (transport or provider) to an [`Error`].
    pub async fn send(
        &self,
        session: &Session,
        service: &Service,
        req: FhirRequest,
    ) -> Result<FhirResponse> {
        let resp = self
            .send_raw(session, service, req)
            .await
            .map_err(|f| f.error)?;
        resp.error_for_status(service)
    }

    /// Sends; a provider's error status is returned as a response, not an error, so callers can
    /// treat some statuses specially. Transport failures say whether the request may have landed.
    pub async fn send_raw(
        &self,
        session: &Session,
        service: &Service,
        req: FhirRequest,
    ) -> Result<FhirResponse, SendFailure> {
        let trace = TraceId::new();
        let mut url = service.url(&req.path);
        if !req.query.is_empty() {
            url.push('?');
            url.push_str(&query::build(&req.query));
        }
        let token = jwt::token(session, &service.base_url, req.scope, Utc::now());
        let mut builder = self
            .client
            .request(req.method.clone(), &url)
            .header("Ssp-TraceID", trace.to_string())
            .header("Ssp-From", session.system.asid.as_str())
            .header("Ssp-To", service.asid.as_str())
            .header("Ssp-InteractionID", &req.interaction)
            .header("Authorization", format!("Bearer {token}"))
            .header("Accept", FHIR_JSON);
        if let Some(body) = req.body.clone() {
            builder = builder
                .header("Content-Type", "application/fhir+json;charset=utf-8")
                .body(body);
        }
        if let Some(tag) = &req.if_match {
            builder = builder.header("If-Match", tag);
        }
        if let Some(id) = req.request_id {
            builder = builder.header("X-Request-ID", id.to_string());
        }
        let fail = |error: Error, maybe_delivered: bool| SendFailure {
            error: error.with_trace(trace).with_service(&service.id),
            maybe_delivered,
        };
        let resp = builder.send().await.map_err(|e| {
            let delivered = !e.is_connect();
            fail(classify(&e), delivered)
        })?;
        let result = response::read(resp, trace, self.settings.max_body_bytes)
            .await
            .map_err(|e| fail(e, true))?;
        tracing::info!(
            service = %service.id,
            interaction = %req.interaction,
            status = result.status,
            trace_id = %trace,
            request_id = ?req.request_id,
            "provider answered"
        );
        Ok(result)
    }
}

/// Names what went wrong on the wire in words a call handler can act on.
fn classify(e: &reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::new(ErrorKind::Timeout)
    } else if e.is_connect() {
        Error::new(ErrorKind::Unavailable)
    } else {
        Error::new(ErrorKind::Unavailable)
            .with_message("The connection to the service was lost before it answered.")
            .with_diagnostics(e.to_string())
    }
}
