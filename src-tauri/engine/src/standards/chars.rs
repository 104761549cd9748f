//! The characters a FHIR string and an XML 1.0 document can carry. Text typed or pasted at the
//! desk is checked here before anything is built from it: a character either standard forbids
//! makes the message invalid (the UEC report not XML at all), and the service may drop or
//! misread it.

use crate::error::{Error, Result};
use crate::views::PatientView;

/// FHIR strings allow no control character but tab, CR and LF; XML 1.0 has no U+FFFE or U+FFFF.
/// DEL and C1 controls (which XML discourages and terminals obey) and the other Unicode
/// noncharacters have no place in clinical text either.
pub fn is_sendable(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => true,
        '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{fdd0}'..='\u{fdef}' => false,
        c => (c as u32) & 0xfffe != 0xfffe,
    }
}

/// Why `value` cannot be sent as the `field`, naming the first bad character and where it is;
/// `None` when it can.
pub fn unsendable(field: &str, value: &str) -> Option<String> {
    let (i, c) = value.chars().enumerate().find(|&(_, c)| !is_sendable(c))?;
    Some(format!(
        "the {field} contains a character that cannot be sent (U+{:04X}, character {})",
        c as u32,
        i + 1
    ))
}

/// The field's text, refused as invalid input if it has a character that cannot be sent.
pub fn check_chars(field: &str, value: &str) -> Result<()> {
    match unsendable(field, value) {
        None => Ok(()),
        Some(problem) => Err(Error::invalid(format!("{}.", capitalised(&problem)))
            .with_next_step(format!(
                "Retype the {field} without it: such characters come with text pasted from other programs."
            ))),
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Refuses a patient's details with characters FHIR strings and XML cannot carry (they would
/// make the booking or the encounter report invalid), naming the field.
pub fn check_patient_chars(p: &PatientView) -> Result<()> {
    check_chars("patient's family name", &p.family)?;
    for g in &p.given {
        check_chars("patient's given name", g)?;
    }
    for line in &p.address_lines {
        check_chars("patient's address", line)?;
    }
    for (field, value) in [
        ("patient's title", &p.prefix),
        ("patient's gender", &p.gender),
        ("patient's postcode", &p.postcode),
        ("patient's phone number", &p.phone),
    ] {
        if let Some(v) = value {
            check_chars(field, v)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_and_fhir_forbidden_characters_are_not_sendable() {
        for c in [
            '\0',
            '\u{7}',
            '\u{b}',
            '\u{1b}',
            '\u{7f}',
            '\u{9b}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{fdd0}',
            '\u{1fffe}',
        ] {
            assert!(!is_sendable(c), "{:04X}", c as u32);
        }
        for c in [
            '\t',
            '\n',
            '\r',
            ' ',
            'é',
            '\u{a0}',
            '\u{fffd}',
            '\u{1f600}',
        ] {
            assert!(is_sendable(c), "{:04X}", c as u32);
        }
        let e = check_chars("comment", "ab\u{fffe}").expect_err("refused");
        assert_eq!(
            e.message,
            "The comment contains a character that cannot be sent (U+FFFE, character 3)."
        );
    }
}
