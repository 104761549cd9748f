//! Where a service's booking endpoint is, from the Spine Directory Service (SDS) FHIR API:
//! `/Endpoint` by ODS code and interaction id gives the address and the MHS party key, and
//! `/Device` by party key gives the ASID the service answers to.
//!
//! Sources: NHS Digital's SDS FHIR API description (`spine-directory-service.yaml`, repo
//! `NHSDigital/spine-directory-service-api`, and its examples, copied in `tests/fixtures/sds/`);
//! GP Connect's Spine Directory Service guidance (`nhsconnect/gpconnect`,
//! integration_spine_directory_service): look up each interaction, never reuse an endpoint
//! across interactions, cache for the session only. Two booking endpoints for one service are
//! a fault, and the booking stops (`nhsd-a2si/docs-uec-appts`, dos_wfoverview).

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Engine;
use crate::error::{Error, ErrorKind, Result};

const SDS: &str = "the Spine Directory Service (SDS)";
const ODS_SYSTEM: &str = "https://fhir.nhs.uk/Id/ods-organization-code";
const INTERACTION_SYSTEM: &str = "https://fhir.nhs.uk/Id/nhsServiceInteractionId";
const PARTY_KEY_SYSTEM: &str = "https://fhir.nhs.uk/Id/nhsMhsPartyKey";
const ASID_SYSTEM: &str = "https://fhir.nhs.uk/Id/nhsSpineASID";

/// A service's endpoint for one interaction, as SDS holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SpineEndpoint {
    pub ods: String,
    pub interaction: String,
    /// The FHIR service root URL.
    pub address: String,
    pub party_key: String,
    pub asid: String,
}

/// The session's SDS answers. Keyed by patient as well as ODS code and interaction: GP
/// Connect's guidance keeps an answer for one patient's care only.
#[derive(Debug, Default)]
pub struct SdsCache {
    held: Mutex<HashMap<(String, String, String), SpineEndpoint>>,
}

impl SdsCache {
    fn get(&self, key: &(String, String, String)) -> Option<SpineEndpoint> {
        self.held
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned()
    }

    fn put(&self, key: (String, String, String), e: SpineEndpoint) {
        self.held
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, e);
    }
}

impl Engine {
    /// The endpoint of the service with ODS code `ods` for `interaction`, for the patient
    /// `patient` (their NHS number, or a name for "no patient yet").
    pub async fn spine_endpoint(
        &self,
        ods: &str,
        interaction: &str,
        patient: &str,
    ) -> Result<SpineEndpoint> {
        let ods = ods.trim().to_ascii_uppercase();
        let key = (patient.to_string(), ods.clone(), interaction.to_string());
        if let Some(hit) = self.sds_cache().get(&key) {
            return Ok(hit);
        }
        let base = self.desk().sds_url().ok_or_else(|| {
            Error::config("This desk has no Spine Directory Service configured.").with_next_step(
                "Ask your system administrator to add sds_url to the [national] section, or book \
                 the service by its entry in services.toml.",
            )
        })?;
        let base = base.trim_end_matches('/');
        let api_key = self.desk().platform_tokens().await?.api_key().clone();
        let organization = format!("{ODS_SYSTEM}|{ods}");
        let by_interaction = format!("{INTERACTION_SYSTEM}|{interaction}");
        let url = url::Url::parse_with_params(
            &format!("{base}/Endpoint"),
            [
                ("organization", organization.as_str()),
                ("identifier", by_interaction.as_str()),
            ],
        )
        .map_err(|_| Error::config("The sds_url in [national] is not a URL."))?;
        let endpoints = self.sds_bundle(url.as_str(), &api_key).await?;
        let (address, party_key) = match endpoints.as_slice() {
            [] => return Err(no_endpoint(&ods)),
            [one] => (
                one.get("address")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| wrong_entry(&ods, "its endpoint has no address"))?,
                identifier(one, PARTY_KEY_SYSTEM)
                    .ok_or_else(|| wrong_entry(&ods, "its endpoint has no party key"))?,
            ),
            _ => return Err(two_endpoints(&ods)),
        };
        if url::Url::parse(&address).is_err() {
            return Err(wrong_entry(&ods, "its endpoint's address is not a URL"));
        }
        let by_party = format!("{PARTY_KEY_SYSTEM}|{party_key}");
        let url = url::Url::parse_with_params(
            &format!("{base}/Device"),
            [
                ("organization", organization.as_str()),
                ("identifier", by_interaction.as_str()),
                ("identifier", by_party.as_str()),
            ],
        )
        .map_err(|_| Error::config("The sds_url in [national] is not a URL."))?;
        let devices = self.sds_bundle(url.as_str(), &api_key).await?;
        let mut asids: Vec<String> = devices
            .iter()
            .filter_map(|d| identifier(d, ASID_SYSTEM))
            .collect();
        asids.dedup();
        let asid = match asids.as_slice() {
            [one] if one.len() == 12 && one.bytes().all(|b| b.is_ascii_digit()) => one.clone(),
            [] => {
                return Err(wrong_entry(
                    &ods,
                    "no system (ASID) answers at its endpoint",
                ));
            }
            [_] => return Err(wrong_entry(&ods, "its system's ASID is not 12 digits")),
            _ => {
                return Err(wrong_entry(
                    &ods,
                    "two systems (ASIDs) answer at its endpoint",
                ));
            }
        };
        let found = SpineEndpoint {
            ods,
            interaction: interaction.to_string(),
            address,
            party_key,
            asid,
        };
        self.sds_cache().put(key, found.clone());
        Ok(found)
    }

    /// The resources of an SDS search answer.
    async fn sds_bundle(&self, url: &str, api_key: &crate::secrets::Secret) -> Result<Vec<Value>> {
        let resp = self.transport().get_with_api_key(url, SDS, api_key).await?;
        if !resp.is_success() {
            return Err(refusal(resp.status, &resp.body));
        }
        let bundle: Value = serde_json::from_slice(&resp.body).map_err(|_| {
            Error::new(ErrorKind::MalformedResponse)
                .with_message(format!(
                    "{SDS} answered with something that is not FHIR JSON."
                ))
                .with_next_step(
                    "Try again in a minute; if it happens again, refer the patient by phone.",
                )
        })?;
        if bundle.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
            return Err(Error::new(ErrorKind::MalformedResponse)
                .with_message(format!("{SDS} answered without a search result."))
                .with_next_step(
                    "Try again in a minute; if it happens again, refer the patient by phone.",
                ));
        }
        Ok(bundle
            .get("entry")
            .and_then(Value::as_array)
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|e| e.get("resource").cloned())
                    .collect()
            })
            .unwrap_or_default())
    }
}

fn identifier(resource: &Value, system: &str) -> Option<String> {
    resource
        .get("identifier")?
        .as_array()?
        .iter()
        .find(|i| i.get("system").and_then(Value::as_str) == Some(system))
        .and_then(|i| i.get("value")?.as_str())
        .map(str::to_string)
}

fn no_endpoint(ods: &str) -> Error {
    Error::new(ErrorKind::NotFound)
        .with_message(format!(
            "{SDS} has no booking endpoint for the service with ODS code {ods}."
        ))
        .with_next_step("Refer the patient by phone: the service cannot be booked from the desk.")
}

fn two_endpoints(ods: &str) -> Error {
    Error::new(ErrorKind::Config)
        .with_message(format!(
            "{SDS} has two booking endpoints for the service with ODS code {ods}, and the desk cannot tell which is right."
        ))
        .with_next_step("Refer the patient by phone, and report the service's directory entry to the national service desk.")
}

fn wrong_entry(ods: &str, what: &str) -> Error {
    Error::new(ErrorKind::Config)
        .with_message(format!(
            "{SDS}'s entry for the service with ODS code {ods} is wrong: {what}."
        ))
        .with_next_step("Refer the patient by phone, and report the service's directory entry to the national service desk.")
}

/// An error answer (OperationOutcome, per the API description's responses).
fn refusal(status: u16, body: &[u8]) -> Error {
    let diagnostics = serde_json::from_slice::<Value>(body).ok().and_then(|o| {
        o.get("issue")?
            .as_array()?
            .first()?
            .get("diagnostics")?
            .as_str()
            .map(str::to_string)
    });
    let mut e = Error::from_provider(status, None).with_status(status);
    match status {
        401 | 403 => {
            e.message = format!("{SDS} refused the desk's API key.");
            e.next_step = "Ask your system administrator to check the national API platform's API key in the keyring.".into();
        }
        400 => {
            e.message = format!("{SDS} refused the desk's question.");
            e.next_step =
                "Refer the patient by phone; report this to your system administrator.".into();
        }
        _ => {
            e.message = format!("{SDS} is not answering properly just now.");
            e.next_step = "Try again in a minute; meanwhile refer the patient by phone.".into();
        }
    }
    if let Some(d) = diagnostics {
        e = e.with_diagnostics(d);
    }
    e
}
