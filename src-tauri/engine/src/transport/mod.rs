//! Everything on the wire: the Spine Secure Proxy headers, a fresh JWT per request, time and
//! size limits, content-type checks, and turning failures into typed errors. Standards modules
//! say what to send; this module sends it.

pub mod query;
mod response;

pub mod tls;

pub use response::{FhirResponse, spine_code};
pub use tls::TlsSetup;

use reqwest::Method;
use serde::Serialize;
use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use crate::api_platform::token::AccessToken;
use crate::auth::{Session, jwt};
use crate::clock::Clock;
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
    /// UEC and BaRS `X-Request-ID`: a retried POST must reuse the first attempt's id.
    pub request_id: Option<uuid::Uuid>,
    /// How the request proves who sends it.
    pub auth: Auth,
    /// Headers the standard adds (BaRS: routing and audit headers, versioned Accept and
    /// Content-Type); they replace the transport's own of the same name.
    pub headers: Vec<(&'static str, String)>,
    /// The appointment a request about one names when its path does not (a BaRS cancellation
    /// goes to `$process-message`); recorded in the audit trail.
    pub about_appointment: Option<String>,
}

/// Who vouches for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// Spine Secure Proxy headers and a fresh unsigned JWT per request (GP Connect, UEC).
    SpineJwt,
    /// The national API platform's OAuth2 bearer token (BaRS).
    PlatformToken,
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
            auth: Auth::SpineJwt,
            headers: Vec::new(),
            about_appointment: None,
        }
    }

    /// The appointment this request reads or changes: the one named, else the one its path
    /// addresses (`/Appointment/{id}`). A search or a booking POST names none.
    pub fn appointment_id(&self) -> Option<String> {
        if let Some(id) = &self.about_appointment {
            return Some(id.clone());
        }
        let id = self
            .path
            .trim_start_matches('/')
            .strip_prefix("Appointment/")?;
        (!id.is_empty() && !id.contains('/')).then(|| id.to_string())
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

#[derive(Clone)]
pub struct Transport {
    client: reqwest::Client,
    settings: HttpSettings,
    /// The desk's clock: the JWT's times and the answers' arrival.
    clock: Arc<dyn Clock>,
    /// Whether a client certificate is offered, to explain a service that hangs up on us.
    presents_certificate: bool,
}

impl Transport {
    /// A client that verifies every service's certificate against the web roots plus the
    /// configured bundle, and presents the desk's certificate when there is one.
    pub fn new(settings: HttpSettings, tls: &TlsSetup) -> Result<Self> {
        let builder = reqwest::Client::builder()
            .timeout(settings.timeout())
            .connect_timeout(settings.connect_timeout())
            .pool_idle_timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("BookingDesk/", env!("CARGO_PKG_VERSION")));
        let client = tls.apply(builder).build().map_err(|e| {
            // The builder's own words only: its sources could describe the key it was given.
            Error::config("The HTTP client could not start with the [tls] settings.")
                .with_diagnostics(e.to_string())
        })?;
        Ok(Self {
            client,
            settings,
            clock: crate::clock::system(),
            presents_certificate: tls.presents_certificate(),
        })
    }

    /// The same client, reading the time from `clock`.
    pub(crate) fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn settings(&self) -> &HttpSettings {
        &self.settings
    }

    /// The HTTP client, for other calls that must share its TLS setup (the platform's token
    /// service).
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends and maps every failure (transport or provider) to an [`Error`]. `platform_token`
    /// is required for requests with [`Auth::PlatformToken`].
    pub async fn send(
        &self,
        session: &Session,
        service: &Service,
        req: FhirRequest,
        platform_token: Option<&AccessToken>,
    ) -> Result<FhirResponse> {
        let resp = self
            .send_raw(session, service, req, platform_token)
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
        platform_token: Option<&AccessToken>,
    ) -> Result<FhirResponse, SendFailure> {
        let trace = TraceId::new();
        // Nothing is sent for someone whose sign-in has ended.
        if let Err(error) = session.check_current(self.clock.now()) {
            return Err(SendFailure {
                error: error.with_trace(trace),
                maybe_delivered: false,
            });
        }
        let mut url = service.url(&req.path);
        if !req.query.is_empty() {
            url.push('?');
            url.push_str(&query::build(&req.query));
        }
        // Checked again here, whatever built the directory: nothing leaves in clear.
        if let Err(error) = crate::secure_url::check(&url, &format!("address of {}", service.name))
        {
            return Err(SendFailure {
                error: error.with_trace(trace),
                maybe_delivered: false,
            });
        }
        let mut builder = self.client.request(req.method.clone(), &url);
        builder = match (req.auth, platform_token) {
            (Auth::SpineJwt, _) => {
                let token = jwt::token(session, &service.base_url, req.scope, self.clock.now());
                builder
                    .header("Ssp-TraceID", trace.to_string())
                    .header("Ssp-From", session.system.asid.as_str())
                    .header("Ssp-To", service.asid.as_str())
                    .header("Ssp-InteractionID", &req.interaction)
                    .header("Authorization", format!("Bearer {token}"))
            }
            (Auth::PlatformToken, Some(token)) => {
                builder.header("Authorization", token.authorization())
            }
            (Auth::PlatformToken, None) => {
                return Err(SendFailure {
                    error: Error::config("This service needs a national API platform token.")
                        .with_service(&service.id),
                    maybe_delivered: false,
                });
            }
        };
        let has = |name: &str| {
            req.headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
        };
        for (name, value) in &req.headers {
            builder = builder.header(*name, value);
        }
        if !has("Accept") {
            builder = builder.header("Accept", FHIR_JSON);
        }
        if let Some(body) = req.body.clone() {
            if !has("Content-Type") {
                builder = builder.header("Content-Type", "application/fhir+json;charset=utf-8");
            }
            builder = builder.body(body);
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
            let error = classify(&e, self.presents_certificate);
            // A certificate failure means the TLS handshake never completed, and a TLS server
            // reads no request before that. In TLS 1.3 the refusal of our certificate arrives
            // only after the request was written, so is_connect() alone would say otherwise.
            let delivered = !e.is_connect() && error.kind != ErrorKind::Certificate;
            if error.kind == ErrorKind::Certificate {
                tracing::warn!(service = %service.id, trace_id = %trace, "TLS certificate not accepted");
            }
            fail(error, delivered)
        })?;
        let result = response::read(resp, trace, self.settings.max_body_bytes, self.clock.now())
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

    /// Reads from a national API (PDS, the BaRS endpoint catalogue), which is not a bookable
    /// service: the platform's bearer token, a fresh `X-Request-ID`, the trace id as
    /// `X-Correlation-ID` and any `extra` headers the API asks for. A refusal comes back as the
    /// response, for the caller to read in its API's own terms.
    pub async fn get_national(
        &self,
        session: &Session,
        url: &str,
        what: &str,
        token: &AccessToken,
        extra: &[(&str, String)],
    ) -> Result<FhirResponse> {
        session.check_current(self.clock.now())?;
        crate::secure_url::check(url, what)?;
        let trace = TraceId::new();
        let mut request = self
            .client
            .get(url)
            .header("Authorization", token.authorization())
            .header("Accept", FHIR_JSON)
            .header("X-Request-ID", uuid::Uuid::new_v4().to_string())
            .header("X-Correlation-ID", trace.to_string());
        for (name, value) in extra {
            request = request.header(*name, value);
        }
        self.ask_national(request, what, trace).await
    }

    /// Posts a SOAP request (the Directory of Services). The body carries the desk's DoS
    /// account: neither it nor the answer is logged. A fault comes back as the response.
    pub async fn post_soap(
        &self,
        url: &str,
        what: &str,
        content_type: &str,
        body: String,
    ) -> Result<FhirResponse> {
        crate::secure_url::check(url, what)?;
        let request = self
            .client
            .post(url)
            .header("Content-Type", content_type)
            .header("Accept", "application/soap+xml, text/xml")
            .body(body);
        self.ask_national(request, what, TraceId::new()).await
    }

    /// Reads from a national API that takes the platform's API key (`apikey`), not a token:
    /// the Spine Directory Service. A refusal comes back as the response.
    pub async fn get_with_api_key(
        &self,
        url: &str,
        what: &str,
        api_key: &crate::secrets::Secret,
    ) -> Result<FhirResponse> {
        crate::secure_url::check(url, what)?;
        let trace = TraceId::new();
        let request = self
            .client
            .get(url)
            .header("apikey", api_key.expose())
            .header("Accept", FHIR_JSON)
            .header("X-Correlation-Id", trace.to_string());
        self.ask_national(request, what, trace).await
    }

    /// Sends a request to a national service over the same verified TLS and size limit, and
    /// reads its answer whatever its status.
    async fn ask_national(
        &self,
        request: reqwest::RequestBuilder,
        what: &str,
        trace: TraceId,
    ) -> Result<FhirResponse> {
        let resp = request
            .send()
            .await
            // An address can name the patient (`/Patient/{NHS number}`): never in an error's text.
            .map_err(|e| classify(&e.without_url(), self.presents_certificate).with_trace(trace))?;
        let result = response::read(resp, trace, self.settings.max_body_bytes, self.clock.now())
            .await
            .map_err(|e| e.with_trace(trace))?;
        tracing::info!(api = what, status = result.status, trace_id = %trace, "national API answered");
        Ok(result)
    }

    /// Delivers a document that is not FHIR (the CDA encounter report) by POST, over the same
    /// verified TLS; any 2xx is delivery.
    pub async fn post_document(&self, url: &str, content_type: &str, body: String) -> Result<()> {
        let trace = TraceId::new();
        crate::secure_url::check(url, "report address")?;
        let resp = self
            .client
            .post(url)
            .header("Content-Type", content_type)
            .header("Ssp-TraceID", trace.to_string())
            .body(body)
            .send()
            .await
            .map_err(|e| classify(&e, self.presents_certificate).with_trace(trace))?;
        let status = resp.status().as_u16();
        if resp.status().is_success() {
            return Ok(());
        }
        Err(Error::from_provider(status, None)
            .with_trace(trace)
            .with_message(format!(
                "The service did not accept the report (HTTP {status})."
            )))
    }
}

/// Names what went wrong on the wire in words a call handler can act on. `presented` says
/// whether we offered a client certificate.
fn classify(e: &reqwest::Error, presented: bool) -> Error {
    let diagnostics = technical_detail(e);
    if let Some(tls) = chain(e).find_map(|c| c.downcast_ref::<rustls::Error>()) {
        return tls_error(tls).with_diagnostics(diagnostics);
    }
    if e.is_timeout() {
        Error::new(ErrorKind::Timeout)
    } else if e.is_connect() {
        // Without an alert, a service that hangs up mid-handshake on a desk presenting no
        // certificate is most likely one that requires it (servers that send no alert do this).
        if !presented && e.url().is_some_and(|u| u.scheme() == "https") && hung_up(e) {
            return refused_certificate(
                "The service closed the secure connection before it was set up; it most likely \
                 needs this desk's certificate.",
            )
            .with_diagnostics(diagnostics);
        }
        Error::new(ErrorKind::Unavailable).with_diagnostics(diagnostics)
    } else {
        Error::new(ErrorKind::Unavailable)
            .with_message("The connection to the service was lost before it answered.")
            .with_diagnostics(diagnostics)
    }
}

/// The error and everything under it. `io::Error::source` skips the error it wraps (where
/// rustls puts its own), so that one is stepped into by hand.
fn chain<'a>(
    e: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(e), |&e: &&'a (dyn StdError + 'static)| {
        match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => e.source(),
        }
    })
}

/// What lies under the top error, which is left out because its URL can carry a patient's
/// identifiers in the query.
fn technical_detail(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for text in chain(e).skip(1).map(|c| c.to_string()) {
        // Wrappers often repeat the error they wrap; say each thing once.
        if !parts.last().is_some_and(|prev| prev.contains(&text)) {
            parts.push(text);
        }
    }
    if parts.is_empty() {
        e.to_string()
    } else {
        parts.join(": ")
    }
}

/// Whether the peer closed or reset the connection.
fn hung_up(e: &reqwest::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionReset, UnexpectedEof};
    chain(e).any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| {
            matches!(
                io.kind(),
                UnexpectedEof | ConnectionReset | ConnectionAborted
            )
        })
    })
}

const SERVER_CERT_NEXT: &str = "Do not try to work around it. Check that [tls] ca_bundle names the \
     Spine CA bundle; if it does, call the helpdesk naming the service.";

fn refused_certificate(message: &str) -> Error {
    Error::new(ErrorKind::Certificate)
        .with_message(message)
        .with_next_step(
            "Check that [tls] client_certificate names this desk's certificate and that \
             `bookdesk secrets status` shows its key is stored; then call the helpdesk naming \
             the service.",
        )
}

/// A TLS failure: their certificate not trusted, ours refused, or no agreement at all.
fn tls_error(e: &rustls::Error) -> Error {
    use rustls::AlertDescription as A;
    use rustls::CertificateError as C;
    let untrusted = |message: &str| {
        Error::new(ErrorKind::Certificate)
            .with_message(message)
            .with_next_step(SERVER_CERT_NEXT)
    };
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            C::Expired
            | C::ExpiredContext { .. }
            | C::NotValidYet
            | C::NotValidYetContext { .. } => untrusted(
                "The service's certificate is out of date (or this computer's clock is \
                     wrong), so Booking Desk did not connect.",
            ),
            C::NotValidForName | C::NotValidForNameContext { .. } => untrusted(
                "The service's certificate is for a different address, so Booking Desk did not \
                 connect.",
            ),
            C::Revoked => untrusted(
                "The service's certificate has been revoked, so Booking Desk did not connect.",
            ),
            _ => untrusted(
                "The service's certificate is not from a trusted authority, so Booking Desk did \
                 not connect.",
            ),
        },
        rustls::Error::NoCertificatesPresented => untrusted(
            "The service's certificate is not from a trusted authority, so Booking Desk did \
                 not connect.",
        ),
        rustls::Error::AlertReceived(
            A::CertificateRequired
            | A::BadCertificate
            | A::UnknownCA
            | A::CertificateUnknown
            | A::CertificateExpired
            | A::CertificateRevoked
            | A::UnsupportedCertificate,
        ) => refused_certificate("The service refused this desk's certificate."),
        _ => Error::new(ErrorKind::Unavailable)
            .with_message("A secure connection to the service could not be set up."),
    }
}
