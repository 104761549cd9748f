//! NHS Pathways dispositions (`Dx` codes): their words and timeframes, and how the Directory
//! of Services is given one.
//!
//! Sources:
//! - The words and timeframes: the UEC appointment booking functional specification's list of
//!   dispositions that lead to a primary care booking (`nhsd-a2si/docs-uec-appts`,
//!   `fs_slotmap`), and the DoS API's example dispositions (`nhsd-a2si/docs-dos-api`,
//!   `key_concepts`). A code not listed here is typed at the desk, as before.
//! - The DoS disposition id: NHS 111 Online's resolver (`NHSChoices/nhs111-online`,
//!   `DispositionResolver`) sends `Dx05` as `1005` — "Dx" replaced by "10". The DoS API's own
//!   example request (`api_testing`) shows `1132`, which that rule does not explain; the rule is
//!   the one a live 111 system follows.

use serde::Serialize;

/// A disposition the desk knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Disposition {
    pub code: &'static str,
    pub text: &'static str,
    /// Minutes within which the patient should be seen; none for "next working day" and the
    /// like, which depend on the calendar.
    pub timeframe_minutes: Option<u32>,
}

const HOUR: u32 = 60;

const fn dx(code: &'static str, text: &'static str, minutes: Option<u32>) -> Disposition {
    Disposition {
        code,
        text,
        timeframe_minutes: minutes,
    }
}

/// The published dispositions, by code.
pub const KNOWN: &[Disposition] = &[
    dx(
        "Dx05",
        "To contact a Primary Care Service within 2 hours",
        Some(2 * HOUR),
    ),
    dx(
        "Dx06",
        "To contact a Primary Care Service within 6 hours",
        Some(6 * HOUR),
    ),
    dx(
        "Dx07",
        "To contact a Primary Care Service within 12 hours",
        Some(12 * HOUR),
    ),
    dx(
        "Dx08",
        "To contact a Primary Care Service within 24 hours",
        Some(24 * HOUR),
    ),
    dx(
        "Dx10",
        "Must contact own GP practice for a non-urgent appointment",
        None,
    ),
    dx(
        "Dx11",
        "Speak to a Primary Care Service within 1 hour",
        Some(HOUR),
    ),
    dx(
        "Dx12",
        "Speak to a Primary Care Service within 2 hours",
        Some(2 * HOUR),
    ),
    dx(
        "Dx13",
        "Speak to a Primary Care Service within 6 hours",
        Some(6 * HOUR),
    ),
    dx(
        "Dx14",
        "Speak to a Primary Care Service within 12 hours",
        Some(12 * HOUR),
    ),
    dx(
        "Dx15",
        "Speak to a Primary Care Service within 24 hours",
        Some(24 * HOUR),
    ),
    dx(
        "Dx17",
        "To contact a dental service within 1 hour",
        Some(HOUR),
    ),
    dx(
        "Dx75",
        "Must contact own GP practice within 3 working days",
        None,
    ),
    dx(
        "Dx80",
        "Repeat prescription required within 6 hours",
        Some(6 * HOUR),
    ),
    dx(
        "Dx81",
        "Contact own GP practice next working day for a repeat prescription",
        None,
    ),
    dx("Dx110", "Community nurse within 4 hours", Some(4 * HOUR)),
    dx("Dx111", "Community nurse within 24 hours", Some(24 * HOUR)),
    dx("Dx112", "Community nurse next working day", None),
    dx("Dx113", "Health visitor next working day", None),
    dx("Dx114", "Community midwife next working day", None),
    dx(
        "Dx115",
        "Contact own GP practice next working day for an appointment",
        None,
    ),
    dx(
        "Dx117",
        "Speak to a Primary Care Service within 1 hour for palliative care",
        Some(HOUR),
    ),
    dx(
        "Dx120",
        "Callback by a healthcare professional within 4 hours",
        Some(4 * HOUR),
    ),
];

/// `Dx05`, `dx05` or ` DX05 ` as Pathways writes it; `None` when it is not a Dx code.
pub fn normalise(code: &str) -> Option<String> {
    let code = code.trim();
    let digits = code.get(2..)?;
    let prefix = code.get(..2)?;
    (prefix.eq_ignore_ascii_case("dx")
        && !digits.is_empty()
        && digits.len() <= 6
        && digits.bytes().all(|b| b.is_ascii_digit()))
    .then(|| format!("Dx{digits}"))
}

/// The published disposition with this code.
pub fn known(code: &str) -> Option<Disposition> {
    let code = normalise(code)?;
    KNOWN.iter().copied().find(|d| d.code == code)
}

/// The id the DoS is given for the disposition (`Dx05` → 1005).
pub fn dos_id(code: &str) -> Option<u32> {
    let code = normalise(code)?;
    format!("10{}", &code[2..]).parse().ok()
}

/// A symptom group or discriminator code (`SG1010`, `SD4003`, or the bare number) as the DoS
/// takes it: its number.
pub fn pathways_number(code: &str, prefix: &str) -> Option<u32> {
    let code = code.trim();
    let digits = match code.get(..prefix.len()) {
        Some(p) if p.eq_ignore_ascii_case(prefix) => &code[prefix.len()..],
        _ => code,
    };
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_however_typed_and_go_to_the_dos_as_numbers() {
        assert_eq!(normalise(" dx05 ").as_deref(), Some("Dx05"));
        assert_eq!(normalise("Dx"), None);
        assert_eq!(normalise("SG1010"), None);
        assert_eq!(dos_id("Dx05"), Some(1005));
        assert_eq!(dos_id("Dx117"), Some(10117));
        assert_eq!(dos_id("05"), None);
        assert_eq!(pathways_number("SG1010", "SG"), Some(1010));
        assert_eq!(pathways_number("4003", "SD"), Some(4003));
        assert_eq!(pathways_number("SDx", "SD"), None);
    }

    #[test]
    fn known_dispositions_give_their_words_and_timeframe() {
        let d = known("dx06").expect("published");
        assert_eq!(d.timeframe_minutes, Some(360));
        assert!(d.text.contains("6 hours"));
        assert_eq!(known("Dx75").and_then(|d| d.timeframe_minutes), None);
        assert!(known("Dx99").is_none());
        // One entry per code.
        let mut codes: Vec<_> = KNOWN.iter().map(|d| d.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), KNOWN.len());
    }
}
