//! The catalogue's published search parameters (booking-and-referral-fhir-api,
//! specification/booking-and-referral-1.2.0.yaml to 1.4.0.yaml): on `GET /HealthcareService`,
//! `HealthcareService.identifier` (`HealthcareServiceIdentifier_QParam`, e.g.
//! `https://fhir.nhs.uk/Id/dos-service-id|1000099999`) and `HealthcareService.providedBy`
//! (`HCProvidedBy_QParam`, e.g. `https://fhir.nhs.uk/Id/ods-organization-code|A001`); on
//! `GET /Endpoint`, `_has:HealthcareService.Identifier`, `_has:HealthcareService.Id`
//! (`EndpointHas_Qparam`) and `Endpoint.identifier` (`EndpointIdentifier_QParam`). All are
//! optional and none may be empty (`allowEmptyValue: false`). Values are FHIR tokens
//! (`system|value`, `|value` or `value`); a comma separates alternatives and repeated
//! parameters must all match (FHIR R4 search).

use super::entries::Entry;
use crate::bars::outcome::BarsError;
use crate::query::Query;
use crate::systems;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    HealthcareService,
    Endpoint,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::HealthcareService => "HealthcareService",
            Kind::Endpoint => "Endpoint",
        }
    }

    fn parameters(self) -> &'static [&'static str] {
        match self {
            Kind::HealthcareService => &[HS_IDENTIFIER, HS_PROVIDED_BY],
            Kind::Endpoint => &[HAS_HS_IDENTIFIER, HAS_HS_ID, EP_IDENTIFIER],
        }
    }
}

const HS_IDENTIFIER: &str = "HealthcareService.identifier";
const HS_PROVIDED_BY: &str = "HealthcareService.providedBy";
const HAS_HS_IDENTIFIER: &str = "_has:HealthcareService.Identifier";
const HAS_HS_ID: &str = "_has:HealthcareService.Id";
const EP_IDENTIFIER: &str = "Endpoint.identifier";

/// A FHIR token. `system`: `None` for any system, `Some("")` for none.
#[derive(Debug, PartialEq, Eq)]
struct Token<'q> {
    system: Option<&'q str>,
    value: &'q str,
}

fn bad(name: &str, why: &str) -> BarsError {
    BarsError::send_bad_request(format!("The {name} parameter {why}"))
}

fn token<'q>(name: &str, raw: &'q str) -> Result<Token<'q>, BarsError> {
    let raw = raw.trim();
    let (system, value) = match raw.split_once('|') {
        Some((s, v)) => (Some(s.trim()), v.trim()),
        None => (None, raw),
    };
    if value.is_empty() || value.contains('|') {
        return Err(bad(
            name,
            "must be a token, system|value or value, e.g. https://fhir.nhs.uk/Id/dos-service-id|1000099999",
        ));
    }
    Ok(Token { system, value })
}

/// The same system however the published material writes it: the examples have both
/// `http://` and `https://` and both `Id` and `id` for the fhir.nhs.uk systems.
fn same_system(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.trim()
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .to_ascii_lowercase()
    };
    norm(a) == norm(b)
}

impl Token<'_> {
    fn matches(&self, identifiers: &[(&str, &str)]) -> bool {
        identifiers.iter().any(|(system, value)| {
            *value == self.value
                && match self.system {
                    None => true,
                    Some("") => false,
                    Some(s) => same_system(s, system),
                }
        })
    }
}

/// Whether one value of a parameter (its comma-separated alternatives) matches the entry.
fn one_value(name: &str, raw: &str, entry: &Entry<'_>) -> Result<bool, BarsError> {
    let mut any = false;
    for alternative in raw.split(',') {
        let hit = if name == HAS_HS_ID {
            let id = alternative.trim();
            if id.is_empty() {
                return Err(bad(name, "must name a HealthcareService id"));
            }
            id == entry.healthcare_service_id
        } else {
            let t = token(name, alternative)?;
            match name {
                HS_IDENTIFIER | HAS_HS_IDENTIFIER => {
                    t.matches(&entry.healthcare_service_identifiers())
                }
                HS_PROVIDED_BY => t.matches(&[(systems::ODS_CODE, entry.service.ods)]),
                _ => t.matches(&entry.endpoint_identifiers()),
            }
        };
        any |= hit;
    }
    Ok(any)
}

/// The entries whose `kind` resource matches every parameter of `query`.
pub fn matching<'e, 'a>(
    kind: Kind,
    entries: &'e [Entry<'a>],
    query: Option<&str>,
) -> Result<Vec<&'e Entry<'a>>, BarsError> {
    let q = Query::parse(query).map_err(BarsError::send_bad_request)?;
    let allowed = kind.parameters();
    for name in q.names() {
        if !allowed.contains(&name) {
            return Err(BarsError::send_bad_request(format!(
                "{name} is not a search parameter of /{}: use {}",
                kind.name(),
                allowed.join(", ")
            )));
        }
        if q.all(name).iter().any(|v| v.trim().is_empty()) {
            return Err(bad(name, "may not be empty"));
        }
    }
    let mut out = Vec::new();
    for entry in entries {
        let mut all = true;
        for name in q.names() {
            for raw in q.all(name) {
                all &= one_value(name, raw, entry)?;
            }
        }
        if all {
            out.push(entry);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::entries::all;
    use super::*;
    use crate::seed::region;

    fn ids(kind: Kind, query: &str) -> Result<Vec<String>, &'static str> {
        let r = region();
        let entries = all(&r);
        matching(kind, &entries, Some(query))
            .map(|found| found.iter().map(|e| e.dos_id.to_string()).collect())
            .map_err(|e| e.code)
    }

    #[test]
    fn tokens() {
        assert_eq!(
            token("x", "a|b").ok(),
            Some(Token {
                system: Some("a"),
                value: "b"
            })
        );
        assert_eq!(
            token("x", "b").ok(),
            Some(Token {
                system: None,
                value: "b"
            })
        );
        assert!(token("x", "a|").is_err());
        assert!(token("x", "a|b|c").is_err());
        assert!(same_system(
            "http://fhir.nhs.uk/Id/product-id",
            "https://fhir.nhs.uk/id/product-id"
        ));
        assert!(!same_system(
            "https://fhir.nhs.uk/Id/dos-service-id",
            "https://fhir.nhs.uk/Id/ods-organization-code"
        ));
    }

    #[test]
    fn both_dos_systems_and_bare_values_find_a_service() {
        let one = Ok(vec!["2000100505".to_string()]);
        for q in [
            "HealthcareService.identifier=https://fhir.nhs.uk/Id/dos-service-id|2000100505",
            "HealthcareService.identifier=http%3A%2F%2Ffhir.nhs.uk%2FId%2Fdos-service-id%7C2000100505",
            "HealthcareService.identifier=2000100505",
            "HealthcareService.identifier=9|9,2000100505",
        ] {
            assert_eq!(ids(Kind::HealthcareService, q), one, "{q}");
        }
        assert_eq!(
            ids(
                Kind::HealthcareService,
                "HealthcareService.identifier=https://fhir.nhs.uk/Id/ods-organization-code|2000100505"
            ),
            Ok(vec![])
        );
        assert_eq!(
            ids(
                Kind::HealthcareService,
                "HealthcareService.identifier=|2000100505"
            ),
            Ok(vec![])
        );
    }

    #[test]
    fn unknown_and_empty_parameters_are_refused() {
        assert_eq!(
            ids(Kind::HealthcareService, "identifier=2000100505"),
            Err("SEND_BAD_REQUEST")
        );
        assert_eq!(
            ids(Kind::Endpoint, "HealthcareService.identifier=2000100505"),
            Err("SEND_BAD_REQUEST")
        );
        assert_eq!(
            ids(Kind::Endpoint, "Endpoint.identifier="),
            Err("SEND_BAD_REQUEST")
        );
    }
}
