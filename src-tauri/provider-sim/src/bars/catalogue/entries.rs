//! What the Endpoint Catalogue holds for each BaRS service of the region: a HealthcareService
//! and the Endpoint it names, shaped as the published examples
//! (booking-and-referral-fhir-api, specification/examples1.4.0/HealthcareService/
//! success_bundle.json and examples1.4.0/Endpoint/success_bundle.json). The examples spell
//! their identifier systems differently from each other, and each resource here is written as
//! its own example writes it.

use crate::seed::{Region, Service, Standard};
use crate::systems;
use serde_json::{Value, json};
use uuid::Uuid;

/// As the HealthcareService example writes the DoS id's system (the BaRS guide and the
/// `NHSD-Target-Identifier` use `https://`).
pub const HS_DOS_SYSTEM: &str = "http://fhir.nhs.uk/Id/dos-service-id";
/// As the HealthcareService example writes the product id's system.
pub const HS_PRODUCT_SYSTEM: &str = "http://fhir.nhs.uk/Id/product-id";
/// As the Endpoint example writes the DoS id's system.
pub const EP_DOS_SYSTEM: &str = "https://fhir.nhs.uk/Id/dos-service-id";
/// As the Endpoint example writes the product id's system (lower-case `id`).
pub const EP_PRODUCT_SYSTEM: &str = "https://fhir.nhs.uk/id/product-id";
/// The receiving product behind every simulated service.
pub const PRODUCT_ID: &str = "BookingDeskProviderSim-BaRS-1.0.0";
/// When the simulated catalogue's entries were registered.
const REGISTERED: &str = "2024-04-01T09:00:00+00:00";

/// One service's catalogue entry.
pub struct Entry<'a> {
    pub service: &'a Service,
    pub dos_id: &'a str,
    /// The HealthcareService's logical id: a GUID, as the specification's `{id}` is.
    pub healthcare_service_id: String,
    pub endpoint_id: String,
}

fn stable_id(kind: &str, dos_id: &str) -> String {
    let name = format!("{EP_DOS_SYSTEM}|{dos_id}/{kind}");
    Uuid::new_v5(&Uuid::NAMESPACE_URL, name.as_bytes()).to_string()
}

/// Every BaRS service with a DoS id, in the region's order.
pub fn all(region: &Region) -> Vec<Entry<'_>> {
    region
        .services
        .iter()
        .filter(|s| s.standard == Standard::Bars)
        .filter_map(|service| {
            let dos_id = service.dos_service_id?;
            Some(Entry {
                service,
                dos_id,
                healthcare_service_id: stable_id("HealthcareService", dos_id),
                endpoint_id: stable_id("Endpoint", dos_id),
            })
        })
        .collect()
}

fn ods_reference(ods: &str) -> Value {
    json!({ "identifier": { "system": systems::ODS_CODE, "value": ods } })
}

impl Entry<'_> {
    /// `(system, value)` of the HealthcareService's identifiers.
    pub fn healthcare_service_identifiers(&self) -> [(&'static str, &str); 2] {
        [
            (HS_DOS_SYSTEM, self.dos_id),
            (HS_PRODUCT_SYSTEM, PRODUCT_ID),
        ]
    }

    /// `(system, value)` of the Endpoint's identifiers.
    pub fn endpoint_identifiers(&self) -> [(&'static str, &str); 2] {
        [
            (EP_DOS_SYSTEM, self.dos_id),
            (EP_PRODUCT_SYSTEM, PRODUCT_ID),
        ]
    }

    pub fn healthcare_service(&self) -> Value {
        json!({
            "resourceType": "HealthcareService",
            "id": self.healthcare_service_id,
            "meta": {
                "lastUpdated": REGISTERED,
                "profile": [
                    "http://hl7.org/fhir/StructureDefinition/HealthcareService",
                    "https://fhir.hl7.org.uk/StructureDefinition/UKCore-HealthcareService",
                ],
            },
            "identifier": self
                .healthcare_service_identifiers()
                .iter()
                .map(|(system, value)| json!({ "system": system, "value": value }))
                .collect::<Vec<_>>(),
            "active": true,
            // An array, as the example has it.
            "providedBy": [ods_reference(self.service.ods)],
            "name": self.service.name,
            "endpoint": [{ "reference": format!("Endpoint/{}", self.endpoint_id) }],
        })
    }

    /// `address`: where the platform sends this service's requests (its receiver's root).
    pub fn endpoint(&self, address: &str) -> Value {
        json!({
            "resourceType": "Endpoint",
            "id": self.endpoint_id,
            "meta": {
                "lastUpdated": REGISTERED,
                "profile": ["http://hl7.org/fhir/StructureDefinition/Endpoint"],
            },
            "identifier": [
                { "value": self.dos_id, "system": EP_DOS_SYSTEM, "display": "Directory of Services (DOS)" },
                { "system": EP_PRODUCT_SYSTEM, "value": PRODUCT_ID },
            ],
            "status": "active",
            "name": format!("{} BaRS endpoint", self.service.name),
            "connectionType": { "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/endpoint-connection-type",
                "code": "hl7-fhir-msg",
                "display": "HL7 FHIR Messaging",
            }] },
            "payloadType": [{ "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/endpoint-payload-type",
                "code": "bars",
                "display": "BaRS",
            }] }],
            // An array, as the example has it.
            "managingOrganization": [ods_reference(self.service.ods)],
            "address": address,
            // "public": the address is given to every requester (the specification's GET
            // /Endpoint: omitted when `header` is private, unless the requester is the owner).
            "header": "public",
            // Still in service: no end.
            "period": { "start": REGISTERED },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::region;

    #[test]
    fn every_bars_service_is_catalogued_under_stable_guids() {
        let r = region();
        let entries = all(&r);
        let bars = r
            .services
            .iter()
            .filter(|s| s.standard == Standard::Bars)
            .count();
        assert_eq!(entries.len(), bars);
        let again = all(&r);
        for (a, b) in entries.iter().zip(&again) {
            assert_eq!(a.healthcare_service_id, b.healthcare_service_id);
            assert!(crate::json_util::is_uuid(&a.endpoint_id));
            assert_ne!(a.healthcare_service_id, a.endpoint_id);
        }
        let hs = entries[0].healthcare_service();
        assert_eq!(
            hs["endpoint"][0]["reference"],
            format!("Endpoint/{}", entries[0].endpoint_id)
        );
    }
}
