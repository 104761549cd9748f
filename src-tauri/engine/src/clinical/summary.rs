//! The triage summary a call captures once: what the receiving service needs from 111 so the
//! patient does not have to tell their story again.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::Timeframe;
use crate::error::{Error, Result};

/// A code with the words it stands for (NHS Pathways symptom groups and discriminators).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CodedText {
    pub code: String,
    pub text: String,
}

/// The NHS Pathways triage outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TriageOutcome {
    /// The disposition code, e.g. `Dx05`.
    pub disposition_code: String,
    /// The disposition's words, e.g. "Speak to a primary care service within 2 hours".
    pub disposition_text: String,
    /// The patient should be seen within this many minutes of the assessment.
    pub timeframe_minutes: u32,
    pub assessed_at: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symptom_group: Option<CodedText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symptom_discriminator: Option<CodedText>,
}

impl TriageOutcome {
    pub fn timeframe(&self) -> Timeframe {
        Timeframe {
            assessed_at: self.assessed_at,
            within_minutes: self.timeframe_minutes,
        }
    }

    /// "within 2 hours", "within 30 minutes", "within 3 days".
    pub fn timeframe_words(&self) -> String {
        let m = self.timeframe_minutes;
        let (n, unit) = if m.is_multiple_of(24 * 60) {
            (m / (24 * 60), "day")
        } else if m.is_multiple_of(60) {
            (m / 60, "hour")
        } else {
            (m, "minute")
        };
        format!("within {n} {unit}{}", if n == 1 { "" } else { "s" })
    }
}

/// One relevant observation, as recorded on the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClinicalObservation {
    pub name: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum FlagKind {
    Safeguarding,
    Other,
}

/// Something the receiving service must know before the patient arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClinicalFlag {
    pub kind: FlagKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum AssessorRole {
    CallHandler,
    Clinician,
}

/// Who assessed the patient on the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Assessor {
    pub name: String,
    pub role: AssessorRole,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sds_user_id: Option<String>,
}

/// The whole summary. `None` for allergies or medication means "not known"; an empty list
/// means "none known" — the receiving service must be able to tell the two apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClinicalSummary {
    pub presenting_complaint: String,
    pub triage: TriageOutcome,
    #[serde(default)]
    pub observations: Vec<ClinicalObservation>,
    #[serde(default)]
    pub allergies: Option<Vec<String>>,
    #[serde(default)]
    pub medication: Option<Vec<String>>,
    #[serde(default)]
    pub flags: Vec<ClinicalFlag>,
    pub call_back_number: String,
    /// The patient (or their representative) agreed to share this with the receiving service.
    pub consent_to_share: bool,
    pub assessed_by: Assessor,
}

/// Longest free text we accept in any one field: a summary, not a record.
const MAX_TEXT: usize = 2000;
/// The longest timeframe a disposition sets: two weeks.
const MAX_TIMEFRAME_MINUTES: u32 = 14 * 24 * 60;

impl ClinicalSummary {
    /// Every problem at once, in words the call handler can fix; consent is checked too, since
    /// nothing may be sent without it.
    pub fn validate(&self) -> Result<()> {
        self.check_content()?;
        if !self.consent_to_share {
            return Err(Error::invalid(
                "The patient has not agreed to share the triage summary with the service.",
            )
            .with_next_step(
                "Ask the patient for consent to share and tick it, or book without a summary.",
            ));
        }
        Ok(())
    }

    /// The content alone, consent aside: enough to preview what would be sent.
    pub fn check_content(&self) -> Result<()> {
        let mut problems = Vec::new();
        let blank = |s: &str| s.trim().is_empty();
        if blank(&self.presenting_complaint) {
            problems.push("the presenting complaint is missing".to_string());
        }
        let t = &self.triage;
        if !is_disposition_code(&t.disposition_code) {
            problems.push(format!(
                "\"{}\" is not an NHS Pathways disposition code (like Dx05)",
                t.disposition_code.trim()
            ));
        }
        if blank(&t.disposition_text) {
            problems.push("the disposition's description is missing".to_string());
        }
        if t.timeframe_minutes == 0 || t.timeframe_minutes > MAX_TIMEFRAME_MINUTES {
            problems.push("the timeframe must be between 1 minute and 14 days".to_string());
        }
        for (what, coded, prefix) in [
            ("symptom group", &t.symptom_group, "SG"),
            ("symptom discriminator", &t.symptom_discriminator, "SD"),
        ] {
            if let Some(c) = coded
                && (!is_pathways_code(&c.code, prefix) || blank(&c.text))
            {
                problems.push(format!(
                    "the {what} needs a code like {prefix}1011 and its words"
                ));
            }
        }
        for o in &self.observations {
            if blank(&o.name) || blank(&o.value) {
                problems.push("each observation needs a name and a value".to_string());
                break;
            }
        }
        if self
            .allergies
            .iter()
            .chain(self.medication.iter())
            .flatten()
            .any(|a| blank(a))
        {
            problems.push("allergy and medication entries cannot be blank".to_string());
        }
        if self.flags.iter().any(|f| blank(&f.text)) {
            problems.push("each flag needs its text".to_string());
        }
        if !is_phone_number(&self.call_back_number) {
            problems.push("the call-back number is not a UK phone number".to_string());
        }
        if blank(&self.assessed_by.name) {
            problems.push("who assessed the patient is missing".to_string());
        }
        if self.texts().any(|(_, s)| s.chars().count() > MAX_TEXT) {
            problems.push(format!("no entry may be longer than {MAX_TEXT} characters"));
        }
        problems.extend(
            self.texts()
                .filter_map(|(field, s)| crate::standards::chars::unsendable(field, s)),
        );
        if !problems.is_empty() {
            return Err(Error::invalid(format!(
                "The triage summary cannot be sent: {}.",
                problems.join("; ")
            ))
            .with_next_step("Correct the triage summary, then book again."));
        }
        Ok(())
    }

    /// Every text that goes to the service, with what the call handler knows it as.
    fn texts(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let t = &self.triage;
        let coded = [
            ("symptom group", &t.symptom_group),
            ("symptom discriminator", &t.symptom_discriminator),
        ]
        .into_iter()
        .filter_map(|(what, c)| c.as_ref().map(|c| (what, c)))
        .flat_map(|(what, c)| [(what, c.code.as_str()), (what, c.text.as_str())]);
        [
            ("presenting complaint", self.presenting_complaint.as_str()),
            ("disposition's description", t.disposition_text.as_str()),
            ("disposition code", t.disposition_code.as_str()),
            ("call-back number", self.call_back_number.as_str()),
            ("assessor's name", self.assessed_by.name.as_str()),
        ]
        .into_iter()
        .chain(coded)
        .chain(
            self.assessed_by
                .sds_user_id
                .as_deref()
                .map(|id| ("assessor's SDS user id", id)),
        )
        .chain(self.observations.iter().flat_map(|o| {
            [
                ("observation", o.name.as_str()),
                ("observation", o.value.as_str()),
            ]
            .into_iter()
            .chain(o.unit.as_deref().map(|u| ("observation", u)))
        }))
        .chain(
            self.allergies
                .iter()
                .flatten()
                .map(|a| ("allergy", a.as_str())),
        )
        .chain(
            self.medication
                .iter()
                .flatten()
                .map(|m| ("medication", m.as_str())),
        )
        .chain(self.flags.iter().map(|f| ("flag", f.text.as_str())))
    }
}

fn is_disposition_code(code: &str) -> bool {
    is_pathways_code(code, "Dx")
}

/// `Dx05`, `Dx1112`, `SG1011`, `SD4052`: the prefix, then 2 to 6 letters or digits.
fn is_pathways_code(code: &str, prefix: &str) -> bool {
    code.strip_prefix(prefix).is_some_and(|rest| {
        (2..=6).contains(&rest.len()) && rest.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

/// 10 or 11 digits (UK numbers), optionally as +44; spaces, hyphens and brackets allowed.
fn is_phone_number(s: &str) -> bool {
    let kept: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let digits = kept
        .strip_prefix("+44")
        .map(|d| format!("0{d}"))
        .unwrap_or(kept);
    digits.starts_with('0')
        && (10..=11).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A complete summary as a 111 call would produce it.
    pub(crate) fn example() -> ClinicalSummary {
        ClinicalSummary {
            presenting_complaint: "Sore throat and fever for 3 days, now struggling to swallow"
                .into(),
            triage: TriageOutcome {
                disposition_code: "Dx05".into(),
                disposition_text: "Speak to a primary care service within 2 hours".into(),
                timeframe_minutes: 120,
                assessed_at: DateTime::parse_from_rfc3339("2026-12-01T09:40:00+00:00")
                    .expect("time"),
                symptom_group: Some(CodedText {
                    code: "SG1189".into(),
                    text: "Sore throat".into(),
                }),
                symptom_discriminator: Some(CodedText {
                    code: "SD4010".into(),
                    text: "Unable to swallow saliva".into(),
                }),
            },
            observations: vec![ClinicalObservation {
                name: "Temperature".into(),
                value: "38.9".into(),
                unit: Some("Cel".into()),
            }],
            allergies: Some(vec!["Penicillin (rash)".into()]),
            medication: None,
            flags: vec![ClinicalFlag {
                kind: FlagKind::Safeguarding,
                text: "Lives alone; carer visits mornings".into(),
            }],
            call_back_number: "07700 900123".into(),
            consent_to_share: true,
            assessed_by: Assessor {
                name: "Alex Taylor".into(),
                role: AssessorRole::CallHandler,
                sds_user_id: Some("555021935107".into()),
            },
        }
    }

    #[test]
    fn a_complete_summary_passes() {
        example().validate().expect("valid");
        assert_eq!(example().triage.timeframe_words(), "within 2 hours");
    }

    #[test]
    fn problems_are_listed_together_in_plain_words() {
        let mut s = example();
        s.presenting_complaint = " ".into();
        s.triage.disposition_code = "urgent".into();
        s.call_back_number = "call me".into();
        let e = s.validate().expect_err("invalid");
        assert_eq!(e.kind, crate::ErrorKind::InvalidInput);
        for words in [
            "presenting complaint",
            "disposition code",
            "call-back number",
        ] {
            assert!(e.message.contains(words), "{words}: {}", e.message);
        }
    }

    #[test]
    fn characters_xml_and_fhir_cannot_carry_are_refused_naming_the_field() {
        let mut s = example();
        s.presenting_complaint = "Sore throat\u{fffe} and fever".into();
        let e = s.validate().expect_err("U+FFFE refused");
        assert_eq!(e.kind, crate::ErrorKind::InvalidInput);
        assert!(e.message.contains("presenting complaint"), "{}", e.message);
        assert!(e.message.contains("U+FFFE"), "{}", e.message);
        let mut s = example();
        s.flags[0].text = "Lives alone\u{1b}[2J".into();
        let e = s.validate().expect_err("ESC refused");
        assert!(e.message.contains("flag"), "{}", e.message);
        let mut s = example();
        s.observations[0].unit = Some("Cel\u{0}".into());
        assert!(s.validate().is_err(), "a unit goes out too");
        // Layout characters are text.
        let mut s = example();
        s.presenting_complaint = "Sore throat\n\tand fever\r\n".into();
        s.validate().expect("tab, CR and LF are allowed");
    }

    #[test]
    fn no_consent_no_sending() {
        let mut s = example();
        s.consent_to_share = false;
        let e = s.validate().expect_err("no consent");
        assert!(e.message.contains("not agreed to share"), "{}", e.message);
    }

    #[test]
    fn codes_and_phone_numbers() {
        assert!(is_disposition_code("Dx05"));
        assert!(is_disposition_code("Dx1112"));
        assert!(!is_disposition_code("Dx"));
        assert!(!is_disposition_code("SG1011"));
        assert!(is_phone_number("07700 900123"));
        assert!(is_phone_number("+44 113 496 0000"));
        assert!(is_phone_number("(0113) 496-0000"));
        assert!(!is_phone_number("999"));
        assert!(!is_phone_number("07700 900123 ext 4"));
    }
}
