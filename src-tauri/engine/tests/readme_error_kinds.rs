//! The README's list of error kinds is what scripts are written against: it names every kind
//! the engine can give, as the JSON spells it.

use booking_engine::ErrorKind;
use std::collections::BTreeSet;

fn read(relative: &str) -> String {
    let path = format!("{}/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The variant names of `pub enum ErrorKind`, read from its source so a new one is never missed.
fn variants() -> Vec<String> {
    let source = read("src/error.rs");
    let body = source
        .split_once("pub enum ErrorKind {")
        .and_then(|(_, rest)| rest.split_once("\n}"))
        .map(|(body, _)| body)
        .expect("ErrorKind in error.rs");
    body.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//") && !l.starts_with("#["))
        .filter_map(|l| l.strip_suffix(','))
        .map(str::to_string)
        .collect()
}

/// The kinds in backquotes after `Kinds:` in the README, up to the paragraph's end.
fn readme_kinds() -> BTreeSet<String> {
    let readme = read("../../README.md");
    let (_, rest) = readme.split_once("\nKinds: ").expect("a Kinds: paragraph");
    let paragraph = rest.split("\n\n").next().unwrap_or_default();
    paragraph
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn the_readme_lists_every_error_kind_as_json_spells_it() {
    let variants = variants();
    assert!(variants.len() > 10, "variants read: {variants:?}");
    let serialized: BTreeSet<String> = variants
        .iter()
        .map(|v| {
            let kind: ErrorKind = serde_json::from_value(serde_json::json!(kebab(v)))
                .unwrap_or_else(|e| panic!("{v} is not spelled {}: {e}", kebab(v)));
            serde_json::to_value(kind)
                .ok()
                .and_then(|j| j.as_str().map(str::to_string))
                .expect("a kind serializes as a string")
        })
        .collect();
    assert_eq!(serialized.len(), variants.len());
    let listed = readme_kinds();
    let missing: Vec<_> = serialized.difference(&listed).collect();
    let unknown: Vec<_> = listed.difference(&serialized).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "README's Kinds lacks {missing:?} and names {unknown:?}, which are not kinds"
    );
}

/// `OutcomeUnknown` as serde's kebab-case has it: `outcome-unknown`.
fn kebab(variant: &str) -> String {
    let mut out = String::new();
    for (i, c) in variant.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}
