//! Tracing a patient on the Personal Demographics Service (PDS) FHIR API: the verified
//! demographics and the registered GP practice, from `GET /Patient/{NHS number}`.
//!
//! Source: NHS Digital's PDS FHIR API description (`personal-demographics.yaml`, repo
//! `NHSDigital/personal-demographics-service-api`, copied in `tests/fixtures/pds/`) and its
//! example patients. The desk uses the application-restricted access mode, with the national
//! API platform's token, as for BaRS.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::Engine;
use crate::auth::permissions::Action;
use crate::error::{Error, ErrorKind, Result};
use crate::fhir::r4::{Patient, Reference};
use crate::fhir::stu3::{Address, HumanName, OperationOutcome};
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

/// How the patient search is named in the audit trail.
pub const AUDIT_SEARCH: &str = "pds:search-patient";

/// What the person knows of a patient without their NHS number: PDS's non-fuzzy search needs at
/// least the family name and the date of birth (`patient-search.yaml`, "Non-fuzzy search").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DemographicSearch {
    pub family: String,
    pub given: Option<String>,
    pub birth_date: chrono::NaiveDate,
    /// `male`, `female`, `other` or `unknown`; PDS advises leaving it out ("Gender").
    pub gender: Option<String>,
    pub postcode: Option<String>,
}

impl DemographicSearch {
    /// The query PDS takes, refusing what it would refuse: a blank family name, a birth date in
    /// the future, a gender outside its four, and wildcards (the desk searches for what the
    /// caller said, not for patterns).
    fn query(&self, today: chrono::NaiveDate) -> Result<Vec<(&'static str, String)>> {
        let text = |what: &str, v: &str| -> Result<String> {
            let v = v.trim();
            if v.is_empty() || v.contains('*') {
                return Err(Error::invalid(format!(
                    "Enter the patient's {what} as the caller gives it."
                )));
            }
            crate::standards::chars::check_chars(what, v)?;
            Ok(v.to_string())
        };
        let mut q = vec![("family", text("family name", &self.family)?)];
        if let Some(g) = self.given.as_deref().filter(|g| !g.trim().is_empty()) {
            q.push(("given", text("given name", g)?));
        }
        if self.birth_date > today {
            return Err(Error::invalid("The date of birth is in the future.")
                .with_next_step("Check the date of birth with the caller."));
        }
        q.push((
            "birthdate",
            format!("eq{}", self.birth_date.format("%Y-%m-%d")),
        ));
        if let Some(g) = self.gender.as_deref().filter(|g| !g.trim().is_empty()) {
            let g = g.trim().to_ascii_lowercase();
            if !matches!(g.as_str(), "male" | "female" | "other" | "unknown") {
                return Err(Error::invalid(
                    "Gender is one of male, female, other or unknown.",
                ));
            }
            q.push(("gender", g));
        }
        if let Some(p) = self.postcode.as_deref().filter(|p| !p.trim().is_empty()) {
            q.push(("address-postalcode", text("postcode", p)?));
        }
        // "Include history - this increases the chance of a match" (application-restricted
        // access mode's advice); non-fuzzy, as it advises too.
        q.push(("_history", "true".into()));
        Ok(q)
    }
}

impl Engine {
    /// Traces the patient with NHS number `nhs` on PDS.
    pub async fn trace_patient(&self, nhs: &NhsNumber) -> Result<TracedPatient> {
        self.may(Action::Search)?;
        let url = format!("{}/Patient/{}", self.pds_base()?, nhs.as_str());
        let result = self.pds_get(&url).await;
        // Who looked up which patient on the national record, whatever the answer.
        self.audit_national(AUDIT_NAME, AUDIT_INTERACTION, Some(nhs), &result)
            .await;
        let resp = result?;
        if !resp.is_success() {
            return Err(refusal(&resp, nhs));
        }
        let patient: Patient = resp.resource_r4()?;
        let t = traced(&patient, nhs).map_err(|e| e.with_trace(resp.trace_id))?;
        self.found.pds.note(nhs, &t);
        Ok(t)
    }

    /// Searches PDS for the one patient with these details. In the application-restricted
    /// access mode the desk uses, PDS answers only a unique match (`patient-search.yaml`):
    /// `None` when nobody matches, an error when more than one does.
    pub async fn search_pds(&self, search: &DemographicSearch) -> Result<Option<TracedPatient>> {
        self.may(Action::Search)?;
        let query = search.query(self.clock().uk_today())?;
        let url = reqwest::Url::parse_with_params(&format!("{}/Patient", self.pds_base()?), &query)
            .map_err(|e| {
                Error::config("The PDS address is not a URL.").with_diagnostics(e.to_string())
            })?;
        let result = self.pds_get(url.as_str()).await;
        let found = match &result {
            Ok(resp) if resp.is_success() => searchset(resp),
            _ => Ok(None),
        };
        let matched = found
            .as_ref()
            .ok()
            .and_then(|p| p.as_ref())
            .and_then(|p| NhsNumber::parse(&p.nhs_number).ok());
        // PDS audits every patient a search matches; so does the desk, with the search's answer.
        self.audit_national(AUDIT_NAME, AUDIT_SEARCH, matched.as_ref(), &result)
            .await;
        let resp = result?;
        if !resp.is_success() {
            return Err(search_refusal(&resp));
        }
        let found = found.map_err(|e| e.with_trace(resp.trace_id))?;
        if let Some(t) = &found
            && let Ok(held) = t.current_number()
        {
            self.found.pds.note(&held, t);
        }
        Ok(found)
    }

    /// The patient's details as they may go to a service: a record PDS holds as restricted
    /// sends no address or contact details, whoever typed them in. A number this session has not
    /// traced is traced now. On a desk without PDS, or when PDS cannot be asked (the lookup
    /// already told the person so), the details stand as given.
    pub(crate) async fn withhold_if_restricted(
        &self,
        patient: crate::views::PatientView,
    ) -> crate::views::PatientView {
        if let Some(nhs) = &patient.nhs_number
            && self.desk().pds_url().is_some()
            && self.found.pds.restricted(nhs).is_none()
            && let Err(e) = self.trace_patient(nhs).await
        {
            tracing::warn!(kind = ?e.kind, "PDS not asked before booking; the details stand as given");
        }
        self.found.pds.withheld(patient)
    }

    fn pds_base(&self) -> Result<String> {
        let base = self.desk().pds_url().ok_or_else(|| {
            Error::config("This desk has no Personal Demographics Service configured.")
                .with_next_step(
                    "Ask your system administrator to add pds_url to the [national] section, or \
                     look the patient up at their GP practice instead.",
                )
        })?;
        Ok(base.trim_end_matches('/').to_string())
    }

    /// A read from PDS with the platform's token; a 401 gets one fresh token, once (a read is
    /// safe to ask again: the token was revoked or expired early).
    async fn pds_get(&self, url: &str) -> Result<FhirResponse> {
        let tokens = self.desk().platform_tokens().await?;
        let token = tokens.access_token().await?;
        let result = self
            .transport()
            .get_national(self.session(), url, PDS, &token, &[])
            .await;
        if !matches!(&result, Ok(r) if r.status == 401) {
            return result;
        }
        tracing::info!("platform token refused by PDS; fetching a new one");
        tokens.invalidate().await;
        let token = tokens.access_token().await?;
        self.transport()
            .get_national(self.session(), url, PDS, &token, &[])
            .await
    }
}

/// A 200 to a search: a `searchset` Bundle of the match (or none), or PDS's
/// `TOO_MANY_MATCHES` OperationOutcome, which it also answers with 200.
fn searchset(resp: &FhirResponse) -> Result<Option<TracedPatient>> {
    let malformed = |what: &str| {
        Error::new(ErrorKind::MalformedResponse)
            .with_message(format!(
                "PDS answered the search with something the desk cannot use: {what}."
            ))
            .with_next_step("Try again; if it happens again, ask the caller for the NHS number.")
    };
    let body: serde_json::Value = resp.json()?;
    match body["resourceType"].as_str() {
        Some("OperationOutcome") => {
            let outcome: OperationOutcome = serde_json::from_value(body.clone()).map_err(|e| {
                malformed("an outcome that is not FHIR").with_diagnostics(e.to_string())
            })?;
            let (code, diagnostics) = spine_code(&outcome);
            if code.as_deref() == Some("TOO_MANY_MATCHES") {
                let mut e = Error::new(ErrorKind::InvalidInput)
                    .with_message("PDS found more than one patient with these details.")
                    .with_next_step(
                        "Add the given name and the postcode, or ask the caller for the NHS number.",
                    )
                    .with_code("TOO_MANY_MATCHES");
                if let Some(d) = diagnostics {
                    e = e.with_diagnostics(d);
                }
                return Err(e);
            }
            Err(malformed("an outcome that is not a search result"))
        }
        Some("Bundle") => {
            let entries = body["entry"].as_array().cloned().unwrap_or_default();
            let mut patients = entries
                .iter()
                .filter_map(|e| e.get("resource"))
                .filter(|r| r["resourceType"] == "Patient");
            let Some(first) = patients.next() else {
                return Ok(None);
            };
            if patients.next().is_some() {
                // The application-restricted mode answers one match at most: more is not ours to pick from.
                return Err(malformed(
                    "more than one patient, where one at most is answered",
                ));
            }
            let patient: Patient = serde_json::from_value(first.clone()).map_err(|e| {
                malformed("a patient record that is not FHIR").with_diagnostics(e.to_string())
            })?;
            let held = held_number(&patient)
                .and_then(|n| NhsNumber::parse(n).ok())
                .ok_or_else(|| malformed("a patient with no valid NHS number"))?;
            traced(&patient, &held).map(Some)
        }
        _ => Err(malformed("neither a Bundle nor an OperationOutcome")),
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
            without_address_or_phone(&mut view);
        }
        view
    }
}

/// What a restricted record never shows or sends.
fn without_address_or_phone(view: &mut crate::views::PatientView) {
    view.address_lines.clear();
    view.postcode = None;
    view.phone = None;
}

/// What this session's PDS traces said of each NHS number (the one asked and the one PDS holds
/// the record under): whether the record is restricted. Kept in memory for the sign-in only.
#[derive(Debug, Default)]
pub struct PdsSeen(Mutex<HashMap<String, bool>>);

impl PdsSeen {
    fn note(&self, asked: &NhsNumber, t: &TracedPatient) {
        let mut seen = self.0.lock().unwrap_or_else(|p| p.into_inner());
        seen.insert(asked.as_str().to_string(), t.restricted);
        seen.insert(t.nhs_number.clone(), t.restricted);
    }

    pub(crate) fn restricted(&self, nhs: &NhsNumber) -> Option<bool> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(nhs.as_str())
            .copied()
    }

    /// `patient` without address or contact details when this session traced their record
    /// as restricted.
    pub(crate) fn withheld(
        &self,
        mut patient: crate::views::PatientView,
    ) -> crate::views::PatientView {
        if patient
            .nhs_number
            .as_ref()
            .and_then(|n| self.restricted(n))
            .unwrap_or(false)
        {
            without_address_or_phone(&mut patient);
        }
        patient
    }
}

/// PDS's refusal of a read in words a call handler can act on; its error codes are those the
/// API description lists for `GET /Patient/{id}`.
fn refusal(resp: &FhirResponse, nhs: &NhsNumber) -> Error {
    let number = nhs.spaced();
    pds_refusal(
        resp,
        |status, code| {
            match (status, code) {
            (404, Some("INVALIDATED_RESOURCE")) => Some(Error::new(ErrorKind::PatientNotFound)
                .with_message(format!(
                    "PDS says the record for NHS number {number} has been invalidated: it is no longer a patient's record."
                ))
                .with_next_step(
                    "Ask the patient for their NHS number again; without one PDS holds, enter their details by hand to book.",
                )),
            (404, _) => Some(Error::new(ErrorKind::PatientNotFound)
                .with_message(format!("PDS has no patient with NHS number {number}."))
                .with_next_step(
                    "Check the number with the caller; without one PDS holds, enter their details by hand to book.",
                )),
            (400, Some("INVALID_RESOURCE_ID")) => Some(Error::new(ErrorKind::InvalidInput)
                .with_message(format!("PDS says {number} is not a valid NHS number."))
                .with_next_step("Check the number with the caller.")),
            _ => None,
        }
        },
        "Try again in a minute; meanwhile the patient can be looked up at their GP practice.",
    )
}

/// PDS's refusal of a search; its codes are those `patient-search.yaml` lists.
fn search_refusal(resp: &FhirResponse) -> Error {
    pds_refusal(
        resp,
        |status, code| {
            match (status, code) {
            (400, Some("INVALID_SEARCH_DATA" | "MISSING_VALUE" | "INVALID_VALUE" | "UNSUPPORTED_SERVICE")) => {
                Some(Error::new(ErrorKind::InvalidInput)
                    .with_message("PDS cannot search on these details.")
                    .with_next_step(
                        "Check the family name and date of birth with the caller, or ask for the NHS number.",
                    ))
            }
            _ => None,
        }
        },
        "Try again in a minute, or ask the caller for the NHS number.",
    )
}

/// An answer PDS refused with: `known` words its own codes; any other is the provider's kind,
/// with PDS named, and `meanwhile` as the next step while PDS is not answering.
fn pds_refusal(
    resp: &FhirResponse,
    known: impl FnOnce(u16, Option<&str>) -> Option<Error>,
    meanwhile: &str,
) -> Error {
    let outcome: Option<OperationOutcome> = if resp.is_fhir_json() {
        serde_json::from_slice(&resp.body).ok()
    } else {
        None
    };
    let (code, diagnostics) = outcome.as_ref().map(spine_code).unwrap_or((None, None));
    let mut err = known(resp.status, code.as_deref()).unwrap_or_else(|| {
        let mut e = Error::from_provider(resp.status, code.as_deref());
        if matches!(e.kind, ErrorKind::AccessDenied) {
            e.message = "PDS refused the desk's access token.".into();
            e.next_step = "Ask your system administrator to check the desk's national API platform registration.".into();
        } else if matches!(e.kind, ErrorKind::Unavailable | ErrorKind::ProviderError) {
            e.message = "PDS is not answering properly just now.".into();
            e.next_step = meanwhile.into();
        }
        e
    });
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
    let held = held_number(p).ok_or_else(|| malformed("it has no NHS number"))?;
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

/// The NHS number a PDS patient record is held under: its NHS number identifier, else its id.
fn held_number(p: &Patient) -> Option<&str> {
    p.identifier
        .iter()
        .find(|i| i.system.as_deref() == Some(NHS_NUMBER_SYSTEM))
        .and_then(|i| i.value.as_deref())
        .or(p.id.as_deref())
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

    fn fixture(path: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../../tests/fixtures/pds/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture")
    }

    fn answer(status: u16, body: Vec<u8>) -> FhirResponse {
        FhirResponse {
            status,
            trace_id: crate::ids::TraceId::new(),
            etag: None,
            location: None,
            content_type: Some("application/fhir+json".into()),
            provider_date: None,
            received_at: chrono::Utc::now(),
            retry_after: None,
            throttle_waited: None,
            body,
        }
    }

    fn jane() -> DemographicSearch {
        DemographicSearch {
            family: "Smith".into(),
            given: Some("Jane".into()),
            birth_date: chrono::NaiveDate::from_ymd_opt(2010, 10, 22).expect("date"),
            gender: Some("Female".into()),
            postcode: Some("LS1 6AE".into()),
        }
    }

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 7).expect("date")
    }

    /// The published search answer: one patient, read as a retrieve's would be.
    #[test]
    fn the_published_search_answer_reads_as_its_one_patient() {
        let t = searchset(&answer(200, fixture("PatientSearch.json")))
            .expect("read")
            .expect("a match");
        assert_eq!(t.nhs_number, "9000000009");
        assert!(t.superseded.is_none(), "{t:?}");
        assert_eq!(t.registered_practice.as_deref(), Some("Y12345"));
        let restricted = searchset(&answer(200, fixture("Sensitive_PatientSearch.json")))
            .expect("read")
            .expect("a match");
        assert!(
            restricted.restricted && restricted.postcode.is_none() && restricted.phone.is_none()
        );
    }

    #[test]
    fn no_match_is_none_and_too_many_is_said_with_what_to_add() {
        let empty = br#"{"resourceType":"Bundle","type":"searchset","total":0}"#.to_vec();
        assert_eq!(searchset(&answer(200, empty)).expect("read"), None);
        let many = searchset(&answer(200, fixture("TOO_MANY_MATCHES.json"))).expect_err("many");
        assert_eq!(many.kind, ErrorKind::InvalidInput);
        assert_eq!(many.code.as_deref(), Some("TOO_MANY_MATCHES"));
        assert!(many.message.contains("more than one patient"), "{many:?}");
        let refused = search_refusal(&answer(400, fixture("INVALID_SEARCH_DATA.json")));
        assert_eq!(refused.kind, ErrorKind::InvalidInput);
        assert_eq!(refused.code.as_deref(), Some("INVALID_SEARCH_DATA"));
        let garbage = searchset(&answer(200, br#"{"resourceType":"Patient"}"#.to_vec()));
        assert_eq!(
            garbage.expect_err("not a search").kind,
            ErrorKind::MalformedResponse
        );
    }

    #[test]
    fn the_query_is_what_pds_takes_and_bad_details_are_refused_before_asking() {
        let q = jane().query(today()).expect("query");
        assert_eq!(
            q,
            vec![
                ("family", "Smith".to_string()),
                ("given", "Jane".to_string()),
                ("birthdate", "eq2010-10-22".to_string()),
                ("gender", "female".to_string()),
                ("address-postalcode", "LS1 6AE".to_string()),
                ("_history", "true".to_string()),
            ]
        );
        let minimal = DemographicSearch {
            given: None,
            gender: None,
            postcode: Some(" ".into()),
            ..jane()
        };
        assert_eq!(minimal.query(today()).expect("query").len(), 3);
        for bad in [
            DemographicSearch {
                family: "  ".into(),
                ..jane()
            },
            DemographicSearch {
                family: "Sm*".into(),
                ..jane()
            },
            DemographicSearch {
                gender: Some("mal".into()),
                ..jane()
            },
            DemographicSearch {
                birth_date: today() + chrono::Days::new(1),
                ..jane()
            },
        ] {
            assert_eq!(
                bad.query(today()).expect_err("refused").kind,
                ErrorKind::InvalidInput,
                "{bad:?}"
            );
        }
    }
}
