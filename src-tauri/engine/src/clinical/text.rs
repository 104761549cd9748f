//! The summary as plain text: whole (kept with the booking, and the CDA's readable sections),
//! and cut to what GP Connect carries — a description of at most 100 characters and a comment of
//! at most 500 — with any cut said out loud, never silent.

use serde::{Deserialize, Serialize};

use super::summary::{AssessorRole, ClinicalSummary, FlagKind};
use crate::standards::{MAX_COMMENT, MAX_DESCRIPTION, uk_time};

/// What a GP Connect booking will carry, for the call handler to read and edit before sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GpConnectText {
    pub description: String,
    pub comment: String,
    /// Something did not fit and was cut; the full summary is kept with the booking.
    pub truncated: bool,
}

/// One titled part of the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: &'static str,
    /// How the part is introduced where space is short (GP Connect's comment); often nothing,
    /// because its lines name themselves.
    pub short_title: &'static str,
    pub lines: Vec<String>,
}

const SHORTENED: &str = " … [shortened: full 111 summary held by NHS 111]";

fn list_or(items: &Option<Vec<String>>, none: &str) -> String {
    match items {
        None => "not known".into(),
        Some(v) if v.is_empty() => none.into(),
        Some(v) => v.join("; "),
    }
}

/// The summary in the order a receiving clinician reads it: outcome, flags, story, findings.
pub fn sections(s: &ClinicalSummary) -> Vec<Section> {
    let t = &s.triage;
    // Dispositions usually say their timeframe already; add it only when they do not.
    let words = t.disposition_text.trim();
    let timeframe = if words.contains("within") {
        String::new()
    } else {
        format!(" {}", t.timeframe_words())
    };
    let mut triage = vec![format!(
        "{words}{timeframe} ({}): see by {}.",
        t.disposition_code.trim(),
        uk_time(t.timeframe().see_by())
    )];
    for (what, coded) in [
        ("Symptom group", &t.symptom_group),
        ("Discriminator", &t.symptom_discriminator),
    ] {
        if let Some(c) = coded {
            triage.push(format!("{what}: {} ({}).", c.text.trim(), c.code.trim()));
        }
    }
    let mut out = vec![Section {
        title: "Triage outcome",
        short_title: "111 triage: ",
        lines: triage,
    }];
    if !s.flags.is_empty() {
        out.push(Section {
            title: "Flags",
            short_title: "",
            lines: s
                .flags
                .iter()
                .map(|f| match f.kind {
                    FlagKind::Safeguarding => format!("SAFEGUARDING: {}", f.text.trim()),
                    FlagKind::Other => f.text.trim().to_string(),
                })
                .collect(),
        });
    }
    out.push(Section {
        title: "Presenting complaint",
        short_title: "Complaint: ",
        lines: vec![s.presenting_complaint.trim().to_string()],
    });
    if !s.observations.is_empty() {
        out.push(Section {
            title: "Observations",
            short_title: "Obs: ",
            lines: s
                .observations
                .iter()
                .map(|o| {
                    let unit = o
                        .unit
                        .as_deref()
                        .map(|u| format!(" {u}"))
                        .unwrap_or_default();
                    format!("{} {}{unit};", o.name.trim(), o.value.trim())
                })
                .collect(),
        });
    }
    out.push(Section {
        title: "Allergies and medication",
        short_title: "",
        lines: vec![
            format!("Allergies: {}.", list_or(&s.allergies, "none known")),
            format!("Medication: {}.", list_or(&s.medication, "none")),
        ],
    });
    let role = match s.assessed_by.role {
        AssessorRole::Clinician => "clinician",
        AssessorRole::CallHandler => "call handler",
    };
    out.push(Section {
        title: "Call details",
        short_title: "",
        lines: vec![
            format!("Call back on {}.", s.call_back_number.trim()),
            format!(
                "Assessed by {} (111 {role}) at {}.",
                s.assessed_by.name.trim(),
                uk_time(t.assessed_at)
            ),
            "Consent to share given.".into(),
        ],
    });
    out
}

/// The whole summary as text, nothing cut.
pub fn full_text(s: &ClinicalSummary) -> String {
    sections(s)
        .iter()
        .map(|sec| format!("{}: {}", sec.title, sec.lines.join(" ")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Cuts `text` to at most `max` characters, at a word boundary where one is near, ending with
/// `marker` when cut.
fn fit(text: &str, max: usize, marker: &str) -> (String, bool) {
    if text.chars().count() <= max {
        return (text.to_string(), false);
    }
    let keep = max.saturating_sub(marker.chars().count());
    let head: String = text.chars().take(keep).collect();
    // Back up to a space if one is within the last fifth, so no word is cut in half.
    let cut = head
        .rfind(' ')
        .filter(|&i| head[..i].chars().count() * 5 >= keep * 4)
        .map(|i| head[..i].to_string())
        .unwrap_or(head);
    (format!("{}{marker}", cut.trim_end()), true)
}

/// The description and comment for a GP Connect booking.
pub fn gp_connect(s: &ClinicalSummary) -> GpConnectText {
    let (description, cut_description) = fit(s.presenting_complaint.trim(), MAX_DESCRIPTION, "…");
    // The complaint is already the description; the comment carries the rest, most urgent first.
    let rest: Vec<String> = sections(s)
        .into_iter()
        .filter(|sec| sec.title != "Presenting complaint" || cut_description)
        .map(|sec| format!("{}{}", sec.short_title, sec.lines.join(" ")))
        .collect();
    let (comment, cut_comment) = fit(&rest.join("\n"), MAX_COMMENT, SHORTENED);
    GpConnectText {
        description,
        comment,
        truncated: cut_description || cut_comment,
    }
}

#[cfg(test)]
mod tests {
    use super::super::summary::tests::example;
    use super::*;
    use crate::clinical::summary::{ClinicalObservation, ClinicalSummary};

    #[test]
    fn a_short_summary_fits_whole() {
        let s = example();
        let g = gp_connect(&s);
        assert!(
            !g.truncated,
            "{} chars: {}",
            g.comment.chars().count(),
            full_text(&s)
        );
        assert_eq!(g.description, s.presenting_complaint);
        assert!(
            g.comment
                .starts_with("111 triage: Speak to a primary care service")
        );
        assert!(
            g.comment
                .contains("within 2 hours (Dx05): see by 11:40 on Tue 01-Dec"),
            "{}",
            g.comment
        );
        assert!(g.comment.contains("SAFEGUARDING: Lives alone"));
        assert!(
            g.comment
                .contains("Allergies: Penicillin (rash). Medication: not known.")
        );
        assert!(g.comment.contains("Call back on 07700 900123."));
        crate::standards::check_texts(&g.description, Some(&g.comment)).expect("within limits");
    }

    fn long(mut s: ClinicalSummary) -> ClinicalSummary {
        s.presenting_complaint = "Sore throat ".repeat(20);
        s.observations = (0..40)
            .map(|i| ClinicalObservation {
                name: format!("Observation {i}"),
                value: "normal".into(),
                unit: None,
            })
            .collect();
        s
    }

    #[test]
    fn a_long_summary_is_cut_within_the_limits_and_says_so() {
        let s = long(example());
        let g = gp_connect(&s);
        assert!(g.truncated);
        assert!(g.description.chars().count() <= MAX_DESCRIPTION);
        assert!(g.description.ends_with('…'));
        assert!(
            g.comment.chars().count() <= MAX_COMMENT,
            "{}",
            g.comment.chars().count()
        );
        assert!(g.comment.ends_with(SHORTENED));
        // The urgent parts come first, so they survive the cut.
        assert!(g.comment.contains("SAFEGUARDING"));
        crate::standards::check_texts(&g.description, Some(&g.comment)).expect("within limits");
        // Nothing is lost from the full text.
        let full = full_text(&s);
        assert!(full.contains("Observation 39 normal;"));
        assert!(full.contains(s.presenting_complaint.trim()));
    }

    #[test]
    fn unknown_and_none_known_read_differently() {
        let mut s = example();
        s.allergies = Some(vec![]);
        s.medication = None;
        let text = full_text(&s);
        assert!(text.contains("Allergies: none known."));
        assert!(text.contains("Medication: not known."));
    }
}
