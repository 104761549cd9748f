//! Whether a service takes BaRS: the national API platform's Endpoint Catalogue, read as
//! `GET {BaRS root}/HealthcareService?HealthcareService.identifier=<dos-service-id system>|{id}`.
//! A service it lists is booked through the one BaRS root, the platform routing each request
//! by `NHSD-Target-Identifier` (the DoS service id).
//!
//! Source: NHS Digital's BaRS API description, versions 1.2.0 to 1.4.0
//! (`NHSDigital/booking-and-referral-fhir-api`, `specification/booking-and-referral-1.x.0.yaml`,
//! and its HealthcareService example bundle).

use serde_json::Value;

use crate::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::standards::bars;

const CATALOGUE: &str = "the BaRS endpoint catalogue";
/// The catalogue's example writes the system with `http://`; the BaRS guide with `https://`.
const DOS_SERVICE_ID_SYSTEMS: [&str; 2] = [
    "https://fhir.nhs.uk/Id/dos-service-id",
    "http://fhir.nhs.uk/Id/dos-service-id",
];

impl Engine {
    /// Whether the catalogue lists the DoS service `dos_id` as taking BaRS. `Ok(false)` when
    /// the desk has no BaRS root configured.
    pub(crate) async fn in_bars_catalogue(&self, dos_id: &str) -> Result<bool> {
        let Some(root) = self.desk().bars_url() else {
            return Ok(false);
        };
        let url = url::Url::parse_with_params(
            &format!("{}/HealthcareService", root.trim_end_matches('/')),
            [(
                "HealthcareService.identifier",
                format!("{}|{dos_id}", DOS_SERVICE_ID_SYSTEMS[0]),
            )],
        )
        .map_err(|_| Error::config("The bars_url in [national] is not a URL."))?;
        let tokens = self.desk().platform_tokens().await?;
        let token = tokens.access_token().await?;
        // The headers every BaRS request carries, less the target (the platform itself answers
        // this) and those every national read already sends.
        let headers: Vec<(&str, String)> =
            bars::headers(self.session(), dos_id, uuid::Uuid::new_v4())
                .into_iter()
                .filter(|(name, _)| {
                    ![
                        "NHSD-Target-Identifier",
                        "X-Correlation-Id",
                        "X-Request-Id",
                        "Accept",
                    ]
                    .iter()
                    .any(|sent| name.eq_ignore_ascii_case(sent))
                })
                .collect();
        let resp = self
            .transport()
            .get_national(self.session(), url.as_str(), CATALOGUE, &token, &headers)
            .await?;
        if !resp.is_success() {
            let outcome: Option<crate::fhir::stu3::OperationOutcome> =
                serde_json::from_slice(&resp.body).ok();
            let (code, diagnostics) = outcome
                .as_ref()
                .map(crate::transport::spine_code)
                .unwrap_or((None, None));
            let mut e = Error::from_provider(resp.status, code.as_deref()).with_status(resp.status);
            if let Some(d) = diagnostics {
                e = e.with_diagnostics(d);
            }
            if let Some(c) = code {
                e = e.with_code(c);
            }
            e.message = format!("{CATALOGUE} could not be read (HTTP {}).", resp.status);
            e.next_step = "Try again in a minute; meanwhile refer the patient by phone.".into();
            return Err(e.with_trace(resp.trace_id));
        }
        let bundle: Value = serde_json::from_slice(&resp.body).map_err(|_| {
            Error::new(ErrorKind::MalformedResponse)
                .with_message(format!(
                    "{CATALOGUE} answered with something that is not FHIR JSON."
                ))
                .with_next_step("Try again in a minute; meanwhile refer the patient by phone.")
        })?;
        Ok(lists(&bundle, dos_id))
    }
}

/// Whether a searchset lists a HealthcareService identified by the DoS id `dos_id`.
fn lists(bundle: &Value, dos_id: &str) -> bool {
    bundle
        .get("entry")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("resource"))
        .filter(|r| r.get("resourceType").and_then(Value::as_str) == Some("HealthcareService"))
        .filter_map(|r| r.get("identifier").and_then(Value::as_array))
        .flatten()
        .any(|i| {
            i.get("system")
                .and_then(Value::as_str)
                .is_some_and(|s| DOS_SERVICE_ID_SYSTEMS.contains(&s))
                && i.get("value").and_then(Value::as_str) == Some(dos_id)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published example bundle, as the platform answers a search.
    #[test]
    fn the_published_example_lists_its_service_by_its_dos_id() {
        let text = std::fs::read_to_string(format!(
            "{}/../../tests/fixtures/bars-catalogue/HealthcareService-success_bundle.json",
            env!("CARGO_MANIFEST_DIR")
        ));
        let Ok(text) = text else {
            panic!("the published catalogue example is in tests/fixtures/bars-catalogue");
        };
        let bundle: Value = serde_json::from_str(&text).expect("JSON");
        let id = bundle["entry"][0]["resource"]["identifier"]
            .as_array()
            .and_then(|ids| {
                ids.iter().find(|i| {
                    i["system"]
                        .as_str()
                        .is_some_and(|s| s.ends_with("/Id/dos-service-id"))
                })
            })
            .and_then(|i| i["value"].as_str())
            .expect("a DoS id")
            .to_string();
        assert!(lists(&bundle, &id));
        assert!(!lists(&bundle, "0"));
        assert!(!lists(
            &serde_json::json!({"resourceType": "Bundle", "entry": []}),
            &id
        ));
    }
}
