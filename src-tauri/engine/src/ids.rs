//! Identifiers that carry meaning. An invalid one cannot be constructed, so code that holds one
//! never has to check it again.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

use crate::error::{Error, ErrorKind};

/// A 10-digit NHS number that passes the Modulus 11 check.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct NhsNumber(String);

impl NhsNumber {
    /// Accepts the digits with or without spaces or hyphens (`943 476 5919`, `943-476-5919`).
    pub fn parse(input: &str) -> Result<Self, Error> {
        let digits: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let invalid = |why: &str| {
            Error::new(ErrorKind::InvalidInput)
                .with_message(format!("That is not a valid NHS number: {why}."))
                .with_next_step(
                    "Read the number back to the caller digit by digit, or book without an NHS number.",
                )
        };
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("it must be 10 digits"));
        }
        let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        let sum: u32 = d
            .iter()
            .take(9)
            .zip((2..=10).rev())
            .map(|(x, w)| x * w)
            .sum();
        let check = match 11 - (sum % 11) {
            11 => 0,
            10 => return Err(invalid("the check digit does not match")),
            c => c,
        };
        if check != d[9] {
            return Err(invalid("the check digit does not match"));
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `943 476 5919`, the way NHS screens show it.
    pub fn spaced(&self) -> String {
        format!("{} {} {}", &self.0[..3], &self.0[3..6], &self.0[6..])
    }

    /// `943***5919`: enough for a support log line to be matched, not enough to identify anyone.
    pub fn redacted(&self) -> String {
        format!("{}***{}", &self.0[..3], &self.0[6..])
    }
}

// Never print the number by accident through `{:?}` in a log line.
impl fmt::Debug for NhsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NhsNumber({})", self.redacted())
    }
}

impl fmt::Display for NhsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.spaced())
    }
}

impl<'de> Deserialize<'de> for NhsNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        NhsNumber::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// Declares a string newtype that must match `valid`; `what` names it in the error message.
macro_rules! checked_id {
    ($(#[$doc:meta])* $name:ident, $what:literal, $valid:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn parse(input: &str) -> Result<Self, Error> {
                let s = input.trim();
                let valid: fn(&str) -> bool = $valid;
                if valid(s) {
                    Ok(Self(s.to_string()))
                } else {
                    Err(Error::new(ErrorKind::InvalidInput)
                        .with_message(format!("'{}' is not a valid {}.", s, $what)))
                }
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
            }
        }
    };
}

/// A FHIR logical id: 1–64 of `A-Z a-z 0-9 - .`.
fn is_fhir_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

checked_id!(
    /// An ODS organisation code (e.g. `RYA`, `B86001`).
    OdsCode,
    "ODS code",
    |s| (3..=10).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
);
checked_id!(
    /// A Spine Accredited System ID: 12 digits.
    Asid,
    "ASID",
    |s| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
);
checked_id!(
    /// Our own name for a service in the directory (kebab-case).
    ServiceId,
    "service id",
    |s| !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
);
checked_id!(
    /// A provider's Slot logical id.
    SlotId,
    "slot id",
    is_fhir_id
);
checked_id!(
    /// A provider's Appointment logical id.
    AppointmentId,
    "appointment id",
    is_fhir_id
);

/// A UUID that ties one request to the provider's and the proxy's logs (`Ssp-TraceID`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct TraceId(uuid::Uuid);

impl TraceId {
    pub fn new() -> Self {
        Self(uuid::Uuid::new_v4())
    }
}

impl Default for TraceId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nhs_numbers_pass_and_fail_modulus_11() {
        for good in ["9434765919", "943 476 5919", "943-476-5919", "9476719931"] {
            assert!(NhsNumber::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "9434765918",
            "943476591",
            "94347659190",
            "abcdefghij",
            "",
            "1234567890",
        ] {
            let err = NhsNumber::parse(bad).expect_err(bad);
            assert_eq!(err.kind, ErrorKind::InvalidInput);
        }
    }

    #[test]
    fn nhs_number_is_spaced_and_redacted() {
        let n = NhsNumber::parse("9434765919").expect("valid");
        assert_eq!(n.spaced(), "943 476 5919");
        assert_eq!(format!("{n:?}"), "NhsNumber(943***5919)");
        assert!(!format!("{n:?}").contains("4765919"));
    }

    #[test]
    fn checked_ids_reject_garbage() {
        assert!(Asid::parse("200000000359").is_ok());
        assert!(Asid::parse("2000").is_err());
        assert!(OdsCode::parse("RYA").is_ok());
        assert!(OdsCode::parse("R Y").is_err());
        assert!(ServiceId::parse("leeds-utc").is_ok());
        assert!(ServiceId::parse("Leeds UTC").is_err());
        assert!(SlotId::parse("1584").is_ok());
        assert!(SlotId::parse("../x").is_err());
        assert!(AppointmentId::parse(&"a".repeat(65)).is_err());
    }
}
