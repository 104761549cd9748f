//! Query strings as the Spine Secure Proxy expects them: `|` as `%7C`, `+` as `%2B`.

/// Characters left as they are; everything else is percent-encoded. `:` and `/` stay readable
/// because FHIR parameter names (`_include:recurse`) and system URLs carry them.
fn keep(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':' | b'/')
}

pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `a=1&b=2`, each name and value encoded.
pub fn build(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_and_pluses_are_encoded() {
        assert_eq!(
            encode("https://fhir.nhs.uk/Id/nhs-number|9434765919"),
            "https://fhir.nhs.uk/Id/nhs-number%7C9434765919"
        );
        assert_eq!(
            encode("ge2026-12-01T10:00:00+00:00"),
            "ge2026-12-01T10:00:00%2B00:00"
        );
        assert_eq!(
            build(&[(
                "_include:recurse".into(),
                "Schedule:actor:Practitioner".into()
            )]),
            "_include:recurse=Schedule:actor:Practitioner"
        );
        assert_eq!(encode("a b&c=d"), "a%20b%26c%3Dd");
    }
}
