//! One error type for the whole engine. Every error knows what kind it is, what to tell the person
//! at the desk and what they should do next; provider failures also keep the HTTP status, the
//! Spine error code and the trace id that the helpdesk will ask for.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// Something typed at the desk is not acceptable (NHS number, text too long, dates).
    InvalidInput,
    /// The desk's own configuration or services directory is wrong.
    Config,
    /// A fault in the desk itself, not its configuration: a file it could not write, a task that
    /// failed, a lock left broken by an earlier fault.
    Internal,
    /// No service by that id in the directory.
    UnknownService,
    /// The service does not know this patient.
    PatientNotFound,
    /// The appointment (or other record) does not exist at the service.
    NotFound,
    /// The slot was taken by someone else between search and booking.
    SlotTaken,
    /// The appointment changed at the service since we read it.
    VersionConflict,
    /// The service refused the request as invalid or against its rules.
    Rejected,
    /// The service refused us access (token, relationship, consent).
    AccessDenied,
    /// The service failed while handling the request.
    ProviderError,
    /// The service or the proxy in front of it could not be reached.
    Unavailable,
    /// No answer within the time limit.
    Timeout,
    /// The answer was larger than we accept.
    ResponseTooLarge,
    /// The answer was not FHIR JSON.
    WrongContentType,
    /// The answer claimed to be FHIR JSON but could not be read.
    MalformedResponse,
    /// A booking request got no answer and the check afterwards could not settle whether it was made.
    OutcomeUnknown,
    /// The local bookings registry failed.
    Store,
    /// The signed-in user's role may not do this.
    NotPermitted,
    /// Nobody is signed in, so nothing may be sent.
    SignInRequired,
    /// A TLS certificate was not accepted: the service's, or ours by the service.
    Certificate,
    /// The OS keyring could not be used, or a secret the desk needs is not in it.
    Keyring,
    /// The patient already has an upcoming appointment; another needs a deliberate choice.
    AlreadyBooked,
    /// The service had already received this very message (BaRS 409 duplicate) and acted on it.
    DuplicateMessage,
}

impl ErrorKind {
    fn default_text(self) -> (&'static str, &'static str) {
        use ErrorKind::*;
        match self {
            InvalidInput => (
                "Some of the details entered are not valid.",
                "Correct the highlighted details and try again.",
            ),
            Config => (
                "Booking Desk is not set up correctly.",
                "Ask your system administrator to check the configuration file.",
            ),
            Internal => (
                "Booking Desk hit an internal fault.",
                "Try again. If it happens again, close Booking Desk, open it again, and report it \
                 with what you were doing.",
            ),
            UnknownService => (
                "That service is not in the services directory.",
                "Choose a service from the list.",
            ),
            PatientNotFound => (
                "The service has no record of this patient.",
                "Check the NHS number with the caller, or choose another service.",
            ),
            NotFound => (
                "The service has no record of that appointment.",
                "Check the appointment reference, or look at the patient's appointments.",
            ),
            SlotTaken => (
                "That slot has just been taken by someone else.",
                "Pick another slot; the list has been refreshed.",
            ),
            VersionConflict => (
                "The appointment was changed at the service since it was opened here.",
                "Open the appointment again to see the latest version, then repeat the change.",
            ),
            Rejected => (
                "The service did not accept the request.",
                "Check the details; if they look right, call the helpdesk quoting the trace id.",
            ),
            AccessDenied => (
                "The service refused access for this request.",
                "Call the helpdesk quoting the trace id; book with another service meanwhile.",
            ),
            ProviderError => (
                "The service had a problem handling the request.",
                "Try again in a minute; if it keeps failing, choose another service.",
            ),
            Unavailable => (
                "The service could not be reached.",
                "Try again in a minute, or choose another service.",
            ),
            Timeout => (
                "The service did not answer in time.",
                "Try again, or choose another service.",
            ),
            ResponseTooLarge => (
                "The service sent back far more data than expected, so it was not read.",
                "Narrow the search (fewer days); if it persists, call the helpdesk quoting the trace id.",
            ),
            WrongContentType => (
                "The service answered with something other than FHIR data.",
                "Try again later; if it persists, call the helpdesk quoting the trace id.",
            ),
            MalformedResponse => (
                "The service's answer could not be read.",
                "Try again; if it persists, call the helpdesk quoting the trace id.",
            ),
            OutcomeUnknown => (
                "It is not known whether the booking was made: the service did not answer.",
                "Do not book again yet. Check the patient's appointments at this service, or call the service.",
            ),
            Store => (
                "The local bookings record could not be written or read.",
                "Note the booking details on paper and tell your supervisor.",
            ),
            DuplicateMessage => (
                "The service had already received this request, so it did not act on it again.",
                "Check the patient's appointments at this service before doing anything else.",
            ),
            NotPermitted => (
                "Your role does not allow this.",
                "Ask a call handler or clinician to do it.",
            ),
            SignInRequired => (
                "Nobody is signed in to Booking Desk.",
                "Sign in with your own name and role first.",
            ),
            Certificate => (
                "The secure connection to the service was refused: a certificate was not accepted.",
                "Do not try to work around it; call the helpdesk naming the service.",
            ),
            AlreadyBooked => (
                "The patient already has an upcoming appointment.",
                "Check with the patient before booking another.",
            ),
            Keyring => (
                "The system keyring could not be used.",
                "Unlock the keyring (or ask your system administrator to set it up), then try again.",
            ),
        }
    }
}

/// The engine's error. It serialises with snake_case fields for the CLI's `--json` and the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[error("{message} {next_step}")]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub next_step: String,
    pub http_status: Option<u16>,
    /// The Spine error code from the provider's OperationOutcome, for logs and the helpdesk.
    pub code: Option<String>,
    pub trace_id: Option<String>,
    pub service_id: Option<String>,
    /// The provider's own diagnostics text: technical, shown only on request.
    pub diagnostics: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind) -> Self {
        let (message, next_step) = kind.default_text();
        Self {
            kind,
            message: message.to_string(),
            next_step: next_step.to_string(),
            http_status: None,
            code: None,
            trace_id: None,
            service_id: None,
            diagnostics: None,
        }
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    pub fn with_next_step(mut self, next_step: impl Into<String>) -> Self {
        self.next_step = next_step.into();
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    pub fn with_trace(mut self, trace_id: impl ToString) -> Self {
        self.trace_id = Some(trace_id.to_string());
        self
    }

    pub fn with_service(mut self, service_id: impl ToString) -> Self {
        self.service_id = Some(service_id.to_string());
        self
    }

    pub fn with_diagnostics(mut self, diagnostics: impl Into<String>) -> Self {
        self.diagnostics = Some(diagnostics.into());
        self
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput).with_message(message)
    }

    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config).with_message(message)
    }

    /// A fault in the desk itself (I/O, a failed task, a broken lock), not its configuration.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal).with_message(message)
    }

    /// The kind a provider's refusal falls into, from the HTTP status and the Spine code.
    /// Context-dependent kinds (slot taken on a booking, version conflict on an update) are
    /// decided by the caller, who knows which request this was.
    pub fn from_provider(status: u16, code: Option<&str>) -> Self {
        let kind = match (status, code) {
            (_, Some("PATIENT_NOT_FOUND")) => ErrorKind::PatientNotFound,
            (_, Some("NO_RECORD_FOUND")) => ErrorKind::NotFound,
            (_, Some("DUPLICATE_REJECTED")) => ErrorKind::SlotTaken,
            (_, Some("REC_NOT_FOUND")) => ErrorKind::NotFound,
            (_, Some("SEND_TOO_MANY_REQUESTS" | "REC_SERVICE_UNAVAILABLE")) => {
                ErrorKind::Unavailable
            }
            (_, Some("REC_TIMEOUT")) => ErrorKind::Timeout,
            (401 | 403, _) => ErrorKind::AccessDenied,
            (404, _) => ErrorKind::NotFound,
            (409, _) => ErrorKind::VersionConflict,
            (415, _) => ErrorKind::Rejected,
            (502..=504, _) => ErrorKind::Unavailable,
            (500..=599, _) => ErrorKind::ProviderError,
            _ => ErrorKind::Rejected,
        };
        let mut err = Self::new(kind).with_status(status);
        if let Some(code) = code {
            err = err.with_code(code);
            if let Some((message, next)) = code_text(code) {
                err = err.with_message(message).with_next_step(next);
            }
        }
        if status == 504 && code.is_none() {
            err.kind = ErrorKind::Timeout;
            err.message = "The proxy timed out waiting for the service.".into();
        }
        err
    }
}

impl Error {
    /// A provider's 409 whose OperationOutcome says `duplicate` (BaRS: the message was already
    /// processed), in its own words; status, code and trace are kept.
    pub fn from_bars_duplicate(mut self) -> Self {
        let fresh = Self::new(ErrorKind::DuplicateMessage);
        self.kind = fresh.kind;
        self.message = fresh.message;
        self.next_step = fresh.next_step;
        self
    }
}

/// Plain-English words for the Spine codes a call handler may meet; never the raw code.
fn code_text(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "INVALID_NHS_NUMBER" => (
            "The service says the NHS number is not valid.",
            "Check the number with the caller and try again.",
        ),
        "INVALID_PATIENT_DEMOGRAPHICS" => (
            "The service's details for this patient do not match what was sent.",
            "Check the patient's name, date of birth and gender with the caller.",
        ),
        "INVALID_IDENTIFIER_SYSTEM"
        | "INVALID_IDENTIFIER_VALUE"
        | "BAD_REQUEST"
        | "MISSING_OR_INVALID_HEADER"
        | "MESSAGE_NOT_WELL_FORMED"
        | "CONFLICTING_VALUES"
        | "INVALID_RESOURCE"
        | "UNSUPPORTED_MEDIA_TYPE"
        | "REFERENCE_NOT_FOUND" => (
            "The service did not accept the request from Booking Desk.",
            "Try another service; call the helpdesk quoting the trace id.",
        ),
        "INVALID_PARAMETER" => (
            "The service did not accept the search or change as asked.",
            "Check the dates (at most 14 days) and the reason; then try again.",
        ),
        "ACCESS DENIED" | "ACCESS_DENIED" => (
            "The service refused access to Booking Desk.",
            "Call the helpdesk quoting the trace id; book with another service meanwhile.",
        ),
        "NO_RELATIONSHIP" => (
            "This service does not accept bookings from our organisation.",
            "Choose another service.",
        ),
        "NO_PATIENT_CONSENT" => (
            "The patient has not consented to share their record with this service.",
            "Choose another service, or ask the caller about consent.",
        ),
        "NO_ORGANISATION_CONSENT" => (
            "This service has not agreed to share appointments with our organisation.",
            "Choose another service.",
        ),
        "ORGANISATION_NOT_FOUND" | "PRACTITIONER_NOT_FOUND" => (
            "The service could not find a record the booking depends on.",
            "Search again for slots, then choose another one.",
        ),
        "NOT_IMPLEMENTED" => (
            "This service does not support that action.",
            "Do it another way (for example cancel and rebook), or call the service.",
        ),
        "INTERNAL_SERVER_ERROR" | "REC_SERVER_ERROR" | "PROXY_SERVER_ERROR" => (
            "The service had a problem handling the request.",
            "Try again in a minute; if it keeps failing, choose another service.",
        ),
        // BaRS (R4): the same situations, the national API platform's codes.
        "SEND_BAD_REQUEST"
        | "REC_BAD_REQUEST"
        | "PROXY_BAD_REQUEST"
        | "REC_UNPROCESSABLE_ENTITY"
        | "SEND_METHOD_NOT_ALLOWED"
        | "REC_NOT_IMPLEMENTED" => (
            "The service did not accept the request from Booking Desk.",
            "Try another service; call the helpdesk quoting the trace id.",
        ),
        "SEND_UNAUTHORIZED" | "REC_UNAUTHORIZED" => (
            "The national platform did not accept this desk's credentials.",
            "Call the helpdesk: the desk's API key or signing key needs checking.",
        ),
        "SEND_FORBIDDEN" | "REC_FORBIDDEN" => (
            "The service refused access to Booking Desk.",
            "Call the helpdesk quoting the trace id; book with another service meanwhile.",
        ),
        "SEND_NOT_ACCEPTABLE" | "REC_NOT_ACCEPTABLE" => (
            "The service does not speak the version of BaRS Booking Desk uses.",
            "Book with another service, and tell the helpdesk quoting the trace id.",
        ),
        "REC_CONFLICT" => (
            "The service says this conflicts with what it already holds.",
            "Search again: the slot or the appointment has changed.",
        ),
        "SEND_TOO_MANY_REQUESTS" => (
            "The service is busy and asked Booking Desk to slow down.",
            "Wait a minute, then try again; nothing was booked.",
        ),
        "REC_NOT_FOUND" => (
            "The service has no record of that.",
            "Search again, or look at the patient's appointments.",
        ),
        "REC_TIMEOUT" | "REC_SERVICE_UNAVAILABLE" | "PROXY_SERVICE_UNAVAILABLE" => (
            "The service could not answer just now.",
            "Try again in a minute, or choose another service.",
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_codes_map_to_kinds_with_plain_words() {
        let e = Error::from_provider(409, Some("DUPLICATE_REJECTED"));
        assert_eq!(e.kind, ErrorKind::SlotTaken);
        let e = Error::from_provider(400, Some("INVALID_NHS_NUMBER"));
        assert_eq!(e.kind, ErrorKind::Rejected);
        assert!(!e.message.contains("INVALID_NHS_NUMBER"));
        assert_eq!(e.code.as_deref(), Some("INVALID_NHS_NUMBER"));
        assert_eq!(
            Error::from_provider(404, Some("PATIENT_NOT_FOUND")).kind,
            ErrorKind::PatientNotFound
        );
        assert_eq!(
            Error::from_provider(403, None).kind,
            ErrorKind::AccessDenied
        );
        assert_eq!(Error::from_provider(503, None).kind, ErrorKind::Unavailable);
        // BaRS codes read like their STU3 counterparts, never as the raw code.
        let e = Error::from_provider(429, Some("SEND_TOO_MANY_REQUESTS"));
        assert_eq!(e.kind, ErrorKind::Unavailable);
        assert!(e.message.contains("slow down"), "{}", e.message);
        assert_eq!(
            Error::from_provider(404, Some("REC_NOT_FOUND")).kind,
            ErrorKind::NotFound
        );
        let e = Error::from_provider(401, Some("SEND_UNAUTHORIZED"));
        assert_eq!(e.kind, ErrorKind::AccessDenied);
        assert!(!e.message.contains("SEND_"));
        assert_eq!(
            Error::from_provider(409, Some("REC_CONFLICT")).kind,
            ErrorKind::VersionConflict,
            "a booking decides slot-taken itself"
        );
        assert_eq!(Error::from_provider(504, None).kind, ErrorKind::Timeout);
        assert_eq!(
            Error::from_provider(500, None).kind,
            ErrorKind::ProviderError
        );
    }

    #[test]
    fn a_bars_duplicate_is_its_own_kind() {
        let e = Error::from_bars_duplicate(Error::from_provider(409, Some("REC_CONFLICT")));
        assert_eq!(e.kind, ErrorKind::DuplicateMessage);
        assert_eq!(e.code.as_deref(), Some("REC_CONFLICT"));
        assert!(e.message.contains("already received"), "{}", e.message);
    }

    #[test]
    fn error_serialises_with_kebab_kind() {
        let e = Error::new(ErrorKind::SlotTaken)
            .with_status(409)
            .with_trace("t-1");
        let v = serde_json::to_value(&e).expect("serialises");
        assert_eq!(v["kind"], "slot-taken");
        assert_eq!(v["http_status"], 409);
        assert_eq!(v["trace_id"], "t-1");
        assert!(v["next_step"].as_str().is_some_and(|s| !s.is_empty()));
    }
}
