//! Reading an answer: bounded in size, checked for content type, errors turned into [`Error`]s.

use futures::StreamExt;
use serde::de::DeserializeOwned;

use crate::directory::{Service, Standard};
use crate::error::{Error, ErrorKind, Result};
use crate::fhir::stu3::urls;
use crate::fhir::stu3::{OperationOutcome, ResourceKind};
use crate::ids::TraceId;

#[derive(Debug, Clone)]
pub struct FhirResponse {
    pub status: u16,
    pub trace_id: TraceId,
    pub etag: Option<String>,
    pub location: Option<String>,
    pub content_type: Option<String>,
    /// The provider's clock, from its `Date` header.
    pub provider_date: Option<chrono::DateTime<chrono::Utc>>,
    /// Our clock when the answer came, to compare with the provider's.
    pub received_at: chrono::DateTime<chrono::Utc>,
    /// Seconds to wait before asking again, from a throttled answer's `Retry-After`.
    pub retry_after: Option<u64>,
    /// Set when this answer came after waiting out a throttled one.
    pub throttle_waited: Option<std::time::Duration>,
    pub body: Vec<u8>,
}

/// Providers refuse a JWT whose times are further out than this from their own clock.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

pub(super) async fn read(
    resp: reqwest::Response,
    trace_id: TraceId,
    limit: usize,
    received_at: chrono::DateTime<chrono::Utc>,
) -> Result<FhirResponse> {
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let etag = header("etag");
    let location = header("location");
    let content_type = header("content-type");
    let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());
    let provider_date = header("date")
        .and_then(|d| chrono::DateTime::parse_from_rfc2822(&d).ok())
        .map(|d| d.with_timezone(&chrono::Utc));
    let too_large = || {
        Error::new(ErrorKind::ResponseTooLarge)
            .with_status(status)
            .with_trace(trace_id)
    };
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            let err = if e.is_timeout() {
                Error::new(ErrorKind::Timeout)
            } else {
                Error::new(ErrorKind::Unavailable)
                    .with_message("The connection to the service was lost while it was answering.")
            };
            err.with_status(status).with_diagnostics(e.to_string())
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(FhirResponse {
        status,
        trace_id,
        etag,
        location,
        content_type,
        provider_date,
        received_at,
        retry_after,
        throttle_waited: None,
        body,
    })
}

impl FhirResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub(crate) fn is_fhir_json(&self) -> bool {
        self.content_type.as_deref().is_some_and(|ct| {
            let mime = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            mime == "application/fhir+json" || mime == "application/json"
        })
    }

    /// The success response, or the provider's refusal as an [`Error`].
    pub fn error_for_status(self, service: &Service) -> Result<Self> {
        if self.is_success() {
            Ok(self)
        } else {
            Err(self.to_error(service))
        }
    }

    /// The provider's refusal, read from its OperationOutcome when it sent one.
    pub fn to_error(&self, service: &Service) -> Error {
        let outcome = if self.is_fhir_json() {
            serde_json::from_slice::<OperationOutcome>(&self.body).ok()
        } else {
            None
        };
        let (code, diagnostics) = outcome.as_ref().map(spine_code).unwrap_or((None, None));
        let mut err = Error::from_provider(self.status, code.as_deref())
            .with_trace(self.trace_id)
            .with_service(&service.id);
        // BaRS answers a message it already processed with 409 and the issue type
        // `duplicate` (the published REC_409-REC_CONFLICT-duplicate example). GP Connect's
        // DUPLICATE_REJECTED carries the same issue type but means the slot is taken.
        let duplicate = outcome.as_ref().is_some_and(|o| {
            o.issue
                .iter()
                .any(|i| i.code.as_deref() == Some("duplicate"))
        });
        if self.status == 409 && duplicate && service.standard == Standard::Bars {
            err = err.from_bars_duplicate();
        }
        if let Some(d) = diagnostics {
            err = err.with_diagnostics(d);
        }
        if let (429, Some(waited)) = (self.status, self.throttle_waited) {
            err.message = format!(
                "The service is busy: Booking Desk waited {} seconds and asked again, and it is \
                 still asking to slow down.",
                waited.as_secs().max(1)
            );
            err.next_step = "Wait a minute, then try again; nothing was booked.".into();
        }
        if let Some(minutes) = self.clock_skew_minutes() {
            // The likeliest cause of a refused token: say so rather than blame the service.
            err.kind = ErrorKind::Config;
            err.message = format!(
                "This computer's clock is {minutes} minutes out from the service's, so the service refuses its requests."
            );
            err.next_step =
                "Ask IT to correct this computer's clock (time synchronisation), then try again."
                    .into();
        }
        err
    }

    /// How far our clock is from the provider's, in whole minutes, when that is more than the
    /// providers tolerate.
    pub fn clock_skew_minutes(&self) -> Option<i64> {
        let theirs = self.provider_date?;
        let skew = (self.received_at - theirs).num_seconds().abs();
        (skew > MAX_CLOCK_SKEW_SECS).then_some(skew / 60)
    }

    /// The body as a FHIR resource of type `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        if !self.is_fhir_json() {
            return Err(Error::new(ErrorKind::WrongContentType)
                .with_status(self.status)
                .with_trace(self.trace_id)
                .with_diagnostics(format!(
                    "content type {}",
                    self.content_type.as_deref().unwrap_or("(none)")
                )));
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            Error::new(ErrorKind::MalformedResponse)
                .with_status(self.status)
                .with_trace(self.trace_id)
                .with_diagnostics(e.to_string())
        })
    }

    /// The body as a resource of type `T`, refusing any other `resourceType`: an
    /// OperationOutcome sent with 200 must not be read as an empty search result.
    pub fn resource<T: DeserializeOwned + ResourceKind>(&self) -> Result<T> {
        let value: T = self.json()?;
        self.check_type(T::RESOURCE_TYPE)?;
        Ok(value)
    }

    /// [`FhirResponse::resource`] for FHIR R4 (BaRS) resources.
    pub fn resource_r4<T: DeserializeOwned + crate::fhir::r4::ResourceKind>(&self) -> Result<T> {
        let value: T = self.json()?;
        self.check_type(T::RESOURCE_TYPE)?;
        Ok(value)
    }

    /// A second, allocation-free pass that reads only the type name.
    fn check_type(&self, expected: &str) -> Result<()> {
        #[derive(serde::Deserialize)]
        struct Probe<'a> {
            #[serde(rename = "resourceType", borrow)]
            resource_type: Option<std::borrow::Cow<'a, str>>,
        }
        let probe: Probe = serde_json::from_slice(&self.body).map_err(|e| {
            Error::new(ErrorKind::MalformedResponse)
                .with_status(self.status)
                .with_trace(self.trace_id)
                .with_diagnostics(e.to_string())
        })?;
        if probe.resource_type.as_deref() != Some(expected) {
            return Err(Error::new(ErrorKind::MalformedResponse)
                .with_status(self.status)
                .with_trace(self.trace_id)
                .with_diagnostics(format!(
                    "expected a {expected}, got {}",
                    probe.resource_type.as_deref().unwrap_or("no resourceType")
                )));
        }
        Ok(())
    }

    /// The version from `ETag: W/"n"`.
    pub fn version(&self) -> Option<String> {
        let tag = self.etag.as_deref()?.trim();
        let tag = tag.strip_prefix("W/").unwrap_or(tag);
        Some(tag.trim_matches('"').to_string())
    }
}

/// The Spine code and diagnostics of the first issue, accepting both CodeSystem URLs.
pub fn spine_code(outcome: &OperationOutcome) -> (Option<String>, Option<String>) {
    for issue in &outcome.issue {
        let code = issue
            .details
            .iter()
            .flat_map(|d| d.coding.iter())
            .find(|c| {
                c.system
                    .as_deref()
                    .is_some_and(|s| urls::SPINE_ERROR_OR_WARNING_CODE_SYSTEMS.contains(&s))
                    || c.system.is_none()
            })
            .and_then(|c| c.code.clone());
        if code.is_some() || issue.diagnostics.is_some() {
            return (code, issue.diagnostics.clone());
        }
    }
    (None, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::Directory;

    fn answer(status: u16, provider_date: Option<chrono::DateTime<chrono::Utc>>) -> FhirResponse {
        FhirResponse {
            status,
            trace_id: TraceId::new(),
            etag: None,
            location: None,
            content_type: Some("application/fhir+json".into()),
            provider_date,
            received_at: chrono::Utc::now(),
            retry_after: None,
            throttle_waited: None,
            body: br#"{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","details":{"coding":[{"system":"https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1","code":"BAD_REQUEST"}]}}]}"#.to_vec(),
        }
    }

    #[test]
    fn a_clock_far_from_the_providers_is_named_as_the_cause() {
        let dir = Directory::from_toml(
            "[[service]]\nid = \"a\"\nname = \"A\"\nkind = \"gp-practice\"\nstandard = \"gp-connect\"\nbase_url = \"https://p.example/A/STU3/1/gpconnect\"\nods = \"A81001\"\nasid = \"918999198001\"\n",
        )
        .expect("directory");
        let service = &dir.all()[0];
        let now = chrono::Utc::now();
        let skewed = answer(400, Some(now - chrono::Duration::minutes(7))).to_error(service);
        assert_eq!(skewed.kind, ErrorKind::Config);
        assert!(
            skewed.message.contains("clock is 7 minutes out"),
            "{}",
            skewed.message
        );
        assert_eq!(skewed.code.as_deref(), Some("BAD_REQUEST"));
        let close = answer(400, Some(now - chrono::Duration::minutes(2))).to_error(service);
        assert_eq!(close.kind, ErrorKind::Rejected);
        assert_eq!(
            answer(400, None).to_error(service).kind,
            ErrorKind::Rejected
        );
    }

    #[test]
    fn the_published_bars_duplicate_is_its_own_kind_and_a_conflict_is_not() {
        let dir = Directory::from_toml(
            "[[service]]\nid = \"b\"\nname = \"B\"\nkind = \"urgent-care\"\nstandard = \"bars\"\nbase_url = \"https://p.example/bars/b/FHIR/R4\"\nods = \"NQ503\"\nasid = \"918999198002\"\ntarget_identifier = \"2000100505\"\n",
        )
        .expect("directory");
        let service = &dir.all()[0];
        let fixture = |name: &str| {
            let path = format!(
                "{}/../../tests/fixtures/bars/{name}",
                env!("CARGO_MANIFEST_DIR")
            );
            std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
        };
        let mut resp = answer(409, None);
        resp.body = fixture("OperationOutcome_REC_409-REC_CONFLICT-duplicate.json");
        let e = resp.to_error(service);
        assert_eq!(e.kind, ErrorKind::DuplicateMessage);
        assert_eq!(e.code.as_deref(), Some("REC_CONFLICT"));
        resp.body = fixture("OperationOutcome_REC_409-REC_CONFLICT-conflict.json");
        assert_eq!(resp.to_error(service).kind, ErrorKind::VersionConflict);
    }
}
