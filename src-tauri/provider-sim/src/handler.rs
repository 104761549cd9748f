//! What every interaction handler receives and returns, plus the pieces both standards share.

use crate::auth::header;
use crate::json_util::is_fhir_id;
use crate::outcome::FhirError;
use crate::seed::Service;
use crate::sim::Sim;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::Value;

pub struct Ctx<'a> {
    pub sim: &'a Sim,
    pub service: &'a Service,
    pub headers: &'a HeaderMap,
    pub query: Option<&'a str>,
    pub body: Option<Value>,
    pub now: DateTime<Utc>,
}

impl Ctx<'_> {
    pub fn body(&self) -> Result<&Value, FhirError> {
        self.body
            .as_ref()
            .ok_or_else(|| FhirError::bad_request("A request body is required"))
    }

    pub fn root_url(&self) -> String {
        self.sim.root_url(self.service)
    }

    /// `{root}/Appointment/{id}/_history/{version}`, the Location of a created appointment.
    pub fn history_url(&self, id: &str, version: u64) -> String {
        format!("{}/Appointment/{id}/_history/{version}", self.root_url())
    }
}

/// A successful FHIR answer before it is turned into HTTP.
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub location: Option<String>,
    pub version: Option<u64>,
    /// The request changed stored state (a fault may then drop the connection).
    pub committed: bool,
}

impl Reply {
    pub fn ok(body: Value) -> Reply {
        Reply {
            status: StatusCode::OK,
            body,
            location: None,
            version: None,
            committed: false,
        }
    }

    pub fn created(body: Value, location: String, version: u64) -> Reply {
        Reply {
            status: StatusCode::CREATED,
            body,
            location: Some(location),
            version: Some(version),
            committed: true,
        }
    }

    pub fn with_version(mut self, version: u64) -> Reply {
        self.version = Some(version);
        self
    }

    pub fn committed(mut self) -> Reply {
        self.committed = true;
        self
    }
}

/// `GET /Appointment/{id}` for either standard.
pub fn read_appointment(ctx: &Ctx<'_>, id: &str) -> Result<Reply, FhirError> {
    let missing = || FhirError::no_record_found(format!("No appointment with id {id}"));
    if !is_fhir_id(id) {
        return Err(missing());
    }
    ctx.sim.store.with(ctx.now, |txn| {
        let a = txn.appointment(ctx.service.id, id).ok_or_else(missing)?;
        Ok(Reply::ok(a.resource.clone()).with_version(a.version))
    })
}

/// The version an `If-Match` header names: `W/"n"` (or a strong `"n"`).
pub fn if_match(headers: &HeaderMap) -> Result<Option<u64>, FhirError> {
    let Some(raw) =
        header(headers, "If-Match").map_err(|e| FhirError::bad_request(e.diagnostics))?
    else {
        return Ok(None);
    };
    let quoted = raw.strip_prefix("W/").unwrap_or(raw);
    quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .and_then(|s| s.parse::<u64>().ok())
        .map(Some)
        .ok_or_else(|| FhirError::bad_request(format!("If-Match '{raw}' is not W/\"<version>\"")))
}

/// A stored appointment whose version must match If-Match (when given), else 409.
pub fn check_version(expected: Option<u64>, actual: u64) -> Result<(), FhirError> {
    match expected {
        Some(v) if v != actual => Err(FhirError::version_conflict(format!(
            "version conflict: If-Match names version {v} but the appointment is at version {actual}"
        ))),
        _ => Ok(()),
    }
}

/// The stored `meta` for a new version of a resource.
pub fn meta(version: u64, now: DateTime<Utc>, profile: String) -> Value {
    serde_json::json!({
        "versionId": version.to_string(),
        "lastUpdated": crate::fhir_time::format_london(now),
        "profile": [profile],
    })
}

/// True when `s` has at most `max` characters.
pub fn within(s: &str, max: usize) -> bool {
    s.chars().count() <= max
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn parses_if_match() {
        let mut h = HeaderMap::new();
        assert!(matches!(if_match(&h), Ok(None)));
        h.insert("If-Match", HeaderValue::from_static("W/\"3\""));
        assert!(matches!(if_match(&h), Ok(Some(3))));
        h.insert("If-Match", HeaderValue::from_static("\"4\""));
        assert!(matches!(if_match(&h), Ok(Some(4))));
        h.insert("If-Match", HeaderValue::from_static("W/3"));
        assert!(if_match(&h).is_err());
    }
}
