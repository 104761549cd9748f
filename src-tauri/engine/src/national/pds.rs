//! Tracing a patient on the Personal Demographics Service (PDS) FHIR API: the verified
//! demographics and the registered GP practice, from `GET /Patient/{NHS number}`.
//!
//! Source: NHS Digital's PDS FHIR API description (`personal-demographics.yaml`, repo
//! `NHSDigital/personal-demographics-service-api`, copied in `tests/fixtures/pds/`) and its
//! example patients. The desk uses the application-restricted access mode, with the national
//! API platform's token, as for BaRS.

use crate::Engine;
use crate::auth::permissions::Action;
use crate::error::{Error, ErrorKind, Result};
use crate::fhir::r4::{Patient, Reference};
use crate::fhir::stu3::{Address, HumanName};
use crate::ids::NhsNumber;
use crate::transport::{FhirResponse, spine_code};
use crate::views::TracedPatient;

/// What PDS calls itself in messages and the audit.
const PDS: &str = "the Personal Demographics Service (PDS)";
const NHS_NUMBER_SYSTEM: &str = "https://fhir.nhs.uk/Id/nhs-number";
const ODS_SYSTEM: &str = "https://fhir.nhs.uk/Id/ods-organization-code";
/// How PDS and its read are named in the audit trail, in place of a service and an interaction.
pub const AUDIT_NAME: &str = "pds";
pub const AUDIT_INTERACTION: &str = "pds:read-patient";

impl Engine {
    /// Traces the patient with NHS number `nhs` on PDS.
    pub async fn trace_patient(&self, nhs: &NhsNumber) -> Result<TracedPatient> {
        self.may(Action::Search)?;
        let base = self.desk().pds_url().ok_or_else(|| {
            Error::config("This desk has no Personal Demographics Service configured.")
                .with_next_step(
                    "Ask your system administrator to add pds_url to the [national] section, or \
                     look the patient up at their GP practice instead.",
                )
        })?;
        let url = format!("{}/Patient/{}", base.trim_end_matches('/'), nhs.as_str());
        let tokens = self.desk().platform_tokens().await?;
        let token = tokens.access_token().await?;
        let mut result = self
            .transport()
            .get_national(self.session(), &url, PDS, &token, &[])
            .await;
        if matches!(&result, Ok(r) if r.status == 401) {
            // Revoked or expired early: one fresh token, once (a read is safe to ask again).
            tracing::info!("platform token refused by PDS; fetching a new one");
            tokens.invalidate().await;
            let token = tokens.access_token().await?;
            result = self
                .transport()
                .get_national(self.session(), &url, PDS, &token, &[])
                .await;
        }
        // Who looked up which patient on the national record, whatever the answer.
        self.audit_national(AUDIT_NAME, AUDIT_INTERACTION, nhs, &result)
            .await;
        let resp = result?;
        if !resp.is_success() {
            return Err(refusal(&resp, nhs));
        }
        let patient: Patient = resp.resource_r4()?;
        traced(&patient, nhs).map_err(|e| e.with_trace(resp.trace_id))
    }
}

impl TracedPatient {
    /// The NHS number PDS holds the record under.
    pub fn current_number(&self) -> Result<NhsNumber> {
        NhsNumber::parse(&self.nhs_number)
    }

    /// The patient as the desk shows and sends them, from PDS alone.
    pub fn view(&self) -> crate::views::PatientView {
        crate::views::PatientView {
            id: None,
            nhs_number: self.current_number().ok(),
            family: self.family.clone(),
            given: self.given.clone(),
            prefix: self.prefix.clone(),
            gender: self.gender.clone(),
            birth_date: self
                .birth_date
                .as_deref()
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            address_lines: self.address_lines.clone(),
            postcode: self.postcode.clone(),
            phone: self.phone.clone(),
        }
    }

    /// A practice's record of the patient, held to what PDS says: PDS's NHS number, and for a
    /// restricted record no address or phone, whatever the practice sent.
    pub fn govern(&self, mut view: crate::views::PatientView) -> crate::views::PatientView {
        view.nhs_number = self.current_number().ok().or(view.nhs_number);
        if self.restricted {
            view.address_lines.clear();
            view.postcode = None;
            view.phone = None;
        }
        view
    }
}

/// PDS's refusal in words a call handler can act on; its error codes are those the API
/// description lists for `GET /Patient/{id}`.
fn refusal(resp: &FhirResponse, nhs: &NhsNumber) -> Error {
    let outcome = if resp.is_fhir_json() {
        serde_json::from_slice(&resp.body).ok()
    } else {
        None
    };
    let (code, diagnostics) = outcome.as_ref().map(spine_code).unwrap_or((None, None));
    let number = nhs.spaced();
    let mut err = match (resp.status, code.as_deref()) {
        (404, Some("INVALIDATED_RESOURCE")) => Error::new(ErrorKind::PatientNotFound)
            .with_message(format!(
                "PDS says the record for NHS number {number} has been invalidated: it is no longer a patient's record."
            ))
            .with_next_step(
                "Ask the patient for their NHS number again; without one PDS holds, enter their details by hand to book.",
            ),
        (404, _) => Error::new(ErrorKind::PatientNotFound)
            .with_message(format!("PDS has no patient with NHS number {number}."))
            .with_next_step(
                "Check the number with the caller; without one PDS holds, enter their details by hand to book.",
            ),
        (400, Some("INVALID_RESOURCE_ID")) => Error::new(ErrorKind::InvalidInput)
            .with_message(format!("PDS says {number} is not a valid NHS number."))
            .with_next_step("Check the number with the caller."),
        (status, code) => {
            let mut e = Error::from_provider(status, code);
            if matches!(e.kind, ErrorKind::AccessDenied) {
                e.message = "PDS refused the desk's access token.".into();
                e.next_step = "Ask your system administrator to check the desk's national API platform registration.".into();
            } else if matches!(e.kind, ErrorKind::Unavailable | ErrorKind::ProviderError) {
                e.message = "PDS is not answering properly just now.".into();
                e.next_step = "Try again in a minute; meanwhile the patient can be looked up at their GP practice.".into();
            }
            e
        }
    };
    err = err.with_status(resp.status).with_trace(resp.trace_id);
    if let Some(code) = code {
        err = err.with_code(code);
    }
    if let Some(d) = diagnostics {
        err = err.with_diagnostics(d);
    }
    err
}

/// The patient PDS returned, as the desk shows and uses them.
fn traced(p: &Patient, asked: &NhsNumber) -> Result<TracedPatient> {
    let malformed = |what: &str| {
        Error::new(ErrorKind::MalformedResponse)
            .with_message(format!(
                "PDS answered with a patient record the desk cannot use: {what}."
            ))
            .with_next_step(
                "Try again; if it happens again, look the patient up at their GP practice.",
            )
    };
    let held = p
        .identifier
        .iter()
        .find(|i| i.system.as_deref() == Some(NHS_NUMBER_SYSTEM))
        .and_then(|i| i.value.as_deref())
        .or(p.id.as_deref())
        .ok_or_else(|| malformed("it has no NHS number"))?;
    let held = NhsNumber::parse(held).map_err(|_| malformed("its NHS number is not valid"))?;
    // The security label says whether the record is restricted; with none, PDS's default is
    // unrestricted (`U`).
    let restricted = p.meta.as_ref().is_some_and(|m| {
        m.security
            .iter()
            .any(|c| matches!(c.code.as_deref(), Some("R" | "V" | "REDACTED")))
    });
    let name = usual(&p.name);
    // A restricted record's address and contact details are never used, whatever PDS sent.
    let home = (!restricted).then(|| home(&p.address)).flatten();
    let phone = (!restricted)
        .then(|| {
            p.telecom
                .iter()
                .find(|t| t.system.as_deref() == Some("phone"))
                .and_then(|t| t.value.clone())
        })
        .flatten();
    Ok(TracedPatient {
        superseded: (held != *asked).then(|| asked.as_str().to_string()),
        nhs_number: held.as_str().to_string(),
        family: name.and_then(|n| n.family.clone()).unwrap_or_default(),
        given: name.map(|n| n.given.clone()).unwrap_or_default(),
        prefix: name.and_then(|n| n.prefix.first().cloned()),
        gender: p.gender.clone(),
        birth_date: p.birth_date.clone(),
        address_lines: home.map(|a| a.line.clone()).unwrap_or_default(),
        postcode: home.and_then(|a| a.postal_code.clone()),
        phone,
        registered_practice: (!restricted)
            .then(|| p.general_practitioner.iter().find_map(ods_code))
            .flatten(),
        restricted,
        deceased: p.deceased_date_time.clone(),
    })
}

/// The name PDS marks `usual`, else the first.
fn usual(names: &[HumanName]) -> Option<&HumanName> {
    names
        .iter()
        .find(|n| n.use_.as_deref() == Some("usual"))
        .or(names.first())
}

/// The home address, else the first.
fn home(addresses: &[Address]) -> Option<&Address> {
    addresses
        .iter()
        .find(|a| a.use_.as_deref() == Some("home"))
        .or(addresses.first())
}

fn ods_code(r: &Reference) -> Option<String> {
    r.identifier
        .as_ref()
        .filter(|i| i.system.as_deref() == Some(ODS_SYSTEM))
        .and_then(|i| i.value.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str) -> Patient {
        let text = std::fs::read_to_string(format!(
            "{}/../../tests/fixtures/pds/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture");
        serde_json::from_str(&text).expect("an R4 Patient")
    }

    /// NHS Digital's own example patient reads with its practice and home address.
    #[test]
    fn the_published_patient_reads_with_its_practice_and_address() {
        let p = read("Patient.json");
        let nhs = NhsNumber::parse(p.id.as_deref().expect("id")).expect("valid");
        let t = traced(&p, &nhs).expect("traced");
        assert_eq!(t.nhs_number, nhs.as_str());
        assert!(t.superseded.is_none());
        assert!(!t.restricted);
        assert_eq!(t.registered_practice.as_deref(), Some("Y12345"), "{t:?}");
        assert!(t.postcode.is_some(), "{t:?}");
        assert!(!t.family.is_empty());
    }

    /// The published restricted example: no address, phone or practice used, even if sent.
    #[test]
    fn a_restricted_record_gives_no_address_phone_or_practice() {
        let mut p = read("Sensitive_Patient.json");
        let nhs = NhsNumber::parse(p.id.as_deref().expect("id")).expect("valid");
        // Whatever a PDS sent by mistake is still not used.
        p.address = read("Patient.json").address;
        let t = traced(&p, &nhs).expect("traced");
        assert!(t.restricted, "{t:?}");
        assert!(t.address_lines.is_empty() && t.postcode.is_none() && t.phone.is_none());
        assert!(t.registered_practice.is_none());
    }

    #[test]
    fn a_record_under_another_number_names_the_number_superseded() {
        let p = read("Patient.json");
        let asked = NhsNumber::parse("9434765919").expect("valid");
        let t = traced(&p, &asked).expect("traced");
        assert_eq!(t.superseded.as_deref(), Some("9434765919"));
        assert_ne!(t.nhs_number, "9434765919");
    }
}
