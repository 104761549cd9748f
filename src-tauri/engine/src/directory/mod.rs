//! The services Booking Desk can book into, read from a TOML services file (`[[service]]` tables).
//! A deployment fills it from the Directory of Services and Spine Directory Service.

use serde::{Deserialize, Serialize};
use std::path::Path;

use crate::error::{Error, Result};
use crate::ids::{Asid, OdsCode, ServiceId};
use crate::secure_url;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum ServiceKind {
    GpPractice,
    UrgentCare,
    EmergencyDepartment,
    GpOutOfHours,
}

impl ServiceKind {
    pub fn label(self) -> &'static str {
        match self {
            ServiceKind::GpPractice => "GP practice",
            ServiceKind::UrgentCare => "Urgent treatment centre",
            ServiceKind::EmergencyDepartment => "Emergency department",
            ServiceKind::GpOutOfHours => "GP out-of-hours",
        }
    }
}

/// Which booking standard a service speaks; the engine picks the matching module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum Standard {
    GpConnect,
    UecBooking,
    /// The Booking and Referral Standard (FHIR R4), through the national API platform.
    Bars,
}

impl Standard {
    pub fn label(self) -> &'static str {
        match self {
            Standard::GpConnect => "GP Connect",
            Standard::UecBooking => "UEC Booking",
            Standard::Bars => "BaRS",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Service {
    pub id: ServiceId,
    pub name: String,
    pub kind: ServiceKind,
    pub standard: Standard,
    /// The service root URL, e.g. `https://host/B86001/STU3/1/gpconnect`, no trailing `/`.
    pub base_url: String,
    pub ods: OdsCode,
    pub asid: Asid,
    /// UEC Booking: the HealthcareService id that slot searches name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcare_service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// UEC: where the 111 encounter report (CDA) is delivered, standing in for ITK messaging.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_url: Option<String>,
    /// BaRS: the service's Directory of Services id, which `NHSD-Target-Identifier` and the
    /// message's destination name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_identifier: Option<String>,
}

impl Service {
    /// Joins the service root and a path with exactly one `/` between them.
    pub fn url(&self, path: &str) -> String {
        format!(
            "{}/{}",
            self.base_url.trim_end_matches('/'),
            path.trim_start_matches('/')
        )
    }
}

#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Directory {
    services: Vec<Service>,
}

#[derive(Deserialize)]
struct ServicesFile {
    #[serde(default)]
    service: Vec<Service>,
}

impl Directory {
    pub fn new(services: Vec<Service>) -> Result<Self> {
        let mut seen = std::collections::HashSet::new();
        let mut checked = Vec::with_capacity(services.len());
        for mut s in services {
            if !seen.insert(s.id.clone()) {
                return Err(Error::config(format!(
                    "The services directory lists '{}' twice.",
                    s.id
                )));
            }
            secure_url::check(&s.base_url, &format!("Service '{}' base_url", s.id))?;
            if let Some(report) = &s.report_url {
                secure_url::check(report, &format!("Service '{}' report_url", s.id))?;
            }
            s.base_url = s.base_url.trim_end_matches('/').to_string();
            if s.standard == Standard::UecBooking && s.healthcare_service.is_none() {
                return Err(Error::config(format!(
                    "Service '{}' uses UEC Booking and needs a healthcare_service.",
                    s.id
                )));
            }
            if s.standard == Standard::Bars
                && s.target_identifier
                    .as_deref()
                    .is_none_or(|t| t.trim().is_empty())
            {
                return Err(Error::config(format!(
                    "Service '{}' uses BaRS and needs a target_identifier (its DoS service id).",
                    s.id
                )));
            }
            checked.push(s);
        }
        Ok(Self { services: checked })
    }

    pub fn from_toml(text: &str) -> Result<Self> {
        let file: ServicesFile = toml::from_str(text).map_err(|e| {
            Error::config(format!(
                "The services file could not be read{}: {}",
                crate::toml_place::at_line(text, e.span()),
                e.message()
            ))
        })?;
        Self::new(file.service)
    }

    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::config(format!(
                "The services file {} could not be opened: {e}.",
                path.display()
            ))
        })?;
        // Which file: a desk's configuration names it, and IT must find the line in it.
        Self::from_toml(&text).map_err(|e| {
            let message = e.message.replacen(
                "The services file",
                &format!("The services file {}", path.display()),
                1,
            );
            e.with_message(message)
        })
    }

    pub fn all(&self) -> &[Service] {
        &self.services
    }

    /// Every service's id, in directory order.
    pub fn ids(&self) -> Vec<ServiceId> {
        self.services.iter().map(|s| s.id.clone()).collect()
    }

    pub fn get(&self, id: &ServiceId) -> Result<&Service> {
        self.services.iter().find(|s| &s.id == id).ok_or_else(|| {
            Error::new(crate::error::ErrorKind::UnknownService).with_message(format!(
                "There is no service '{id}' in the services directory."
            ))
        })
    }

    pub fn find(&self, id: &str) -> Result<&Service> {
        self.get(&ServiceId::parse(id)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
[[service]]
id = "riverside"
name = "Riverside Medical Practice"
kind = "gp-practice"
standard = "gp-connect"
base_url = "https://prov.example/B86001/STU3/1/gpconnect/"
ods = "B86001"
asid = "918999198001"

[[service]]
id = "leeds-utc"
name = "Leeds UTC"
kind = "urgent-care"
standard = "uec-booking"
base_url = "https://prov.example/uec/leeds-utc/STU3/1/booking"
ods = "RR801"
asid = "918999198002"
healthcare_service = "hs-1"

[[service]]
id = "spen-valley-utc"
name = "Spen Valley UTC"
kind = "urgent-care"
standard = "bars"
base_url = "https://prov.example/bars/spen-valley-utc/FHIR/R4"
ods = "NQ503"
asid = "918999198003"
target_identifier = "2000100505"
"#;

    #[test]
    fn reads_services_and_joins_urls_with_one_slash() {
        let d = Directory::from_toml(FILE).expect("valid");
        let s = d.find("riverside").expect("present");
        assert_eq!(
            s.url("/Slot"),
            "https://prov.example/B86001/STU3/1/gpconnect/Slot"
        );
        assert_eq!(
            d.find("leeds-utc").expect("present").standard,
            Standard::UecBooking
        );
        let bars = d.find("spen-valley-utc").expect("present");
        assert_eq!(bars.standard, Standard::Bars);
        assert_eq!(bars.target_identifier.as_deref(), Some("2000100505"));
        assert_eq!(
            d.find("nowhere").expect_err("absent").kind,
            crate::error::ErrorKind::UnknownService
        );
    }

    #[test]
    fn rejects_bad_directories() {
        let dup = format!(
            "{FILE}{}",
            &FILE[..FILE.find("[[service]]\nid = \"leeds").unwrap_or(0)]
        );
        assert!(Directory::from_toml(&dup).is_err());
        let no_hs = FILE.replace("healthcare_service = \"hs-1\"", "");
        assert!(Directory::from_toml(&no_hs).is_err());
        let no_target = FILE.replace("target_identifier = \"2000100505\"", "");
        assert!(Directory::from_toml(&no_target).is_err());
        let bad_asid = FILE.replace("918999198001", "12");
        assert!(Directory::from_toml(&bad_asid).is_err());
        assert!(Directory::from_toml("[[service]]\nid = 3").is_err());
    }
}
