//! The contained Patient of a UEC booking, checked as NHS Digital's UEC test tool checks it.
//!
//! Source of every rule here unless it says otherwise: `nhsdigitalmait/FHIR_111_UEC`,
//! `validator_config/consumer_simulator_validator.conf`, SUBSET appointment (the SCAL
//! requirement is named on each rule), and the published example Patient in
//! `nhsconnect/NHS-Booking-API`, `pages/fhir_resources/appointment.md`.

use crate::fhir_time::parse_date;
use crate::json_util::{arr_of, str_of};
use crate::nhs_number;
use crate::outcome::FhirError;
use crate::systems::{self, care_connect};
use serde_json::Value;

const EXT_VERIFICATION: &str = "https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-NHSNumberVerificationStatus-1";
const VERIFICATION_SYSTEM: &str =
    "https://fhir.hl7.org.uk/STU3/CodeSystem/CareConnect-NHSNumberVerificationStatus-1";
const VERIFIED: &str = "Number present and verified";

fn invalid(d: impl Into<String>) -> FhirError {
    FhirError::invalid_resource(d)
}

/// Returns whether the patient came without an identifier (the provider then assigns one).
pub fn check_patient(p: &Value) -> Result<bool, FhirError> {
    // C52 (C-PATIENT-RES-CLAIM-META-SECT).
    let profile = care_connect("CareConnect-Patient-1");
    let claims = p["meta"]["profile"]
        .as_array()
        .is_some_and(|list| list.iter().any(|x| x.as_str() == Some(profile.as_str())));
    if !claims {
        return Err(invalid(format!(
            "The contained Patient's meta.profile must include {profile}"
        )));
    }
    let needs_local_id = check_identifier(p)?;
    check_name(p)?;
    check_phone(p)?;
    // C59 (C-PATIENT-RES-CONT-POINT-SYS-EMAIL-VALID).
    let bad_email = arr_of(p, "telecom")
        .iter()
        .filter(|t| str_of(t, "system") == Some("email"))
        .any(|t| !str_of(t, "value").is_some_and(looks_like_email));
    if bad_email {
        return Err(invalid("The Patient's email address is not valid"));
    }
    // C60, C61 (C-PATIENT-RES-GENDER-VALUE, C-PATIENT-RES-DOB-VALUE).
    if !matches!(
        str_of(p, "gender"),
        Some("male" | "female" | "other" | "unknown")
    ) {
        return Err(invalid(
            "The Patient's gender is missing or not a FHIR gender",
        ));
    }
    if str_of(p, "birthDate").and_then(parse_date).is_none() {
        return Err(invalid("The Patient's birthDate must be yyyy-mm-dd"));
    }
    check_home_address(p)?;
    Ok(needs_local_id)
}

/// 0..1 identifier (the UEC constraint); when there is one it is the NHS number (C47, C54),
/// valid, with the verification status "Number present and verified" (C55).
fn check_identifier(p: &Value) -> Result<bool, FhirError> {
    let identifiers = arr_of(p, "identifier");
    let nhs = match identifiers {
        [] => return Ok(true),
        [one] => one,
        _ => return Err(invalid("The Patient may carry at most one identifier")),
    };
    if str_of(nhs, "system") != Some(systems::NHS_NUMBER) {
        return Err(invalid(
            "The Patient identifier must be the NHS number (or send no identifier)",
        ));
    }
    if !str_of(nhs, "value").is_some_and(nhs_number::is_valid) {
        return Err(invalid("The Patient's NHS number is not valid"));
    }
    let verified = arr_of(nhs, "extension")
        .iter()
        .filter(|e| str_of(e, "url") == Some(EXT_VERIFICATION))
        .flat_map(|e| arr_of(&e["valueCodeableConcept"], "coding"))
        .any(|c| {
            str_of(c, "system") == Some(VERIFICATION_SYSTEM)
                && str_of(c, "display") == Some(VERIFIED)
        });
    if !verified {
        return Err(invalid(format!(
            "The NHS number needs the extension {EXT_VERIFICATION} saying \"{VERIFIED}\""
        )));
    }
    Ok(false)
}

/// Exactly one name (C56), official, with family and given names (C57).
fn check_name(p: &Value) -> Result<(), FhirError> {
    let [name] = arr_of(p, "name") else {
        return Err(invalid("The Patient must have exactly one name"));
    };
    let complete = str_of(name, "use") == Some("official")
        && str_of(name, "family").is_some_and(|f| !f.trim().is_empty())
        && arr_of(name, "given")
            .iter()
            .any(|g| g.as_str().is_some_and(|g| !g.trim().is_empty()));
    if !complete {
        return Err(invalid(
            "The Patient needs an official name with family and given names",
        ));
    }
    Ok(())
}

/// Exactly one phone of rank 1, on the Patient or on a contact (C58): the test tool's
/// provider scripts expect 400 when there are two (BookAppointment_TwoRank1) or none
/// (BookAppointment_NoRank1) (`autotest_config/tstp/EB_BookAppointment.tstp`); its number is
/// digits and spaces.
fn check_phone(p: &Value) -> Result<(), FhirError> {
    let own = arr_of(p, "telecom").iter();
    let contacts = arr_of(p, "contact")
        .iter()
        .flat_map(|c| arr_of(c, "telecom"));
    let rank_one: Vec<&Value> = own
        .chain(contacts)
        .filter(|t| str_of(t, "system") == Some("phone") && t["rank"].as_u64() == Some(1))
        .collect();
    let [phone] = rank_one.as_slice() else {
        return Err(FhirError::bad_request(format!(
            "The Patient needs exactly one phone number of rank 1 (on the Patient or a contact); found {}",
            rank_one.len()
        )));
    };
    let digits = str_of(phone, "value").is_some_and(|v| {
        v.chars().any(|c| c.is_ascii_digit()) && v.chars().all(|c| c.is_ascii_digit() || c == ' ')
    });
    if !digits {
        return Err(invalid(
            "The Patient's rank 1 phone number must be digits and spaces",
        ));
    }
    Ok(())
}

/// Exactly one home address (C63) with a valid UK postcode (C64).
fn check_home_address(p: &Value) -> Result<(), FhirError> {
    let homes: Vec<&Value> = arr_of(p, "address")
        .iter()
        .filter(|a| str_of(a, "use") == Some("home"))
        .collect();
    let [home] = homes.as_slice() else {
        return Err(invalid("The Patient must have exactly one home address"));
    };
    if !str_of(home, "postalCode").is_some_and(is_uk_postcode) {
        return Err(invalid(
            "The Patient's home address needs a valid UK postcode",
        ));
    }
    Ok(())
}

fn looks_like_email(v: &str) -> bool {
    v.split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
}

/// A UK postcode's shape (outward code, optional space, inward code), as the test tool's C64
/// pattern accepts it, including GIR 0AA.
pub fn is_uk_postcode(s: &str) -> bool {
    let compact: Vec<char> = s
        .trim()
        .chars()
        .filter(|c| *c != ' ')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if compact.iter().collect::<String>() == "GIR0AA" {
        return true;
    }
    if !(5..=7).contains(&compact.len()) || s.trim().matches(' ').count() > 1 {
        return false;
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    let inward_ok =
        inward[0].is_ascii_digit() && inward[1..].iter().all(|c| c.is_ascii_alphabetic());
    let alpha = |c: char| c.is_ascii_alphabetic();
    // The second letter of a two-letter area is never I or Z.
    let area2 = |c: char| alpha(c) && !matches!(c, 'I' | 'Z');
    let d = |c: char| c.is_ascii_digit();
    let outward_ok = match *outward {
        [a, b] => alpha(a) && d(b),
        [a, b, c] => {
            (alpha(a) && d(b) && d(c))
                || (alpha(a) && area2(b) && d(c))
                || (alpha(a) && d(b) && alpha(c))
        }
        [a, b, c, e] => alpha(a) && area2(b) && d(c) && (d(e) || alpha(e)),
        _ => false,
    };
    outward_ok && inward_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes() {
        for ok in [
            "LS1 4AP", "LS1 4HR", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX",
            "EC1A 1BB", "ls14ap", "GIR 0AA",
        ] {
            assert!(is_uk_postcode(ok), "{ok}");
        }
        for bad in [
            "",
            "LS1",
            "12345",
            "LS1 AAA",
            "LSS1 4AP",
            "LZ1 4AP",
            "LS1  4AP 1",
        ] {
            assert!(!is_uk_postcode(bad), "{bad}");
        }
    }
}
