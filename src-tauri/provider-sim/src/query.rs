//! Query strings: percent-decoding and repeated parameters, which FHIR search relies on.

/// Decoded `name=value` pairs in request order.
#[derive(Debug, Default)]
pub struct Query(Vec<(String, String)>);

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Form-style decoding: `%XX` escapes and `+` as a space (so an unencoded `+` is visible as such).
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hi = hex(*bytes.get(i + 1)?)?;
                let lo = hex(*bytes.get(i + 2)?)?;
                out.push(hi * 16 + lo);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Result<Query, String> {
        let mut pairs = Vec::new();
        for part in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            let name =
                percent_decode(name).ok_or_else(|| "badly encoded query parameter".to_string())?;
            let value = percent_decode(value)
                .ok_or_else(|| format!("badly encoded value for query parameter '{name}'"))?;
            pairs.push((name, value));
        }
        Ok(Query(pairs))
    }

    /// Every value given for `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Every parameter name, in request order, each once.
    pub fn names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for (n, _) in &self.0 {
            if !out.contains(&n.as_str()) {
                out.push(n);
            }
        }
        out
    }

    /// The single value of `name`; an error when it is repeated.
    pub fn one(&self, name: &str) -> Result<Option<&str>, String> {
        match self.all(name).as_slice() {
            [] => Ok(None),
            [v] => Ok(Some(v)),
            _ => Err(format!("query parameter '{name}' is repeated")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_repeats() {
        let q = Query::parse(Some(
            "identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9434765919&start=ge1&start=le2",
        ))
        .unwrap_or_default();
        assert_eq!(
            q.one("identifier"),
            Ok(Some("https://fhir.nhs.uk/Id/nhs-number|9434765919"))
        );
        assert_eq!(q.all("start"), vec!["ge1", "le2"]);
        assert!(q.one("start").is_err());
        assert!(Query::parse(Some("a=%zz")).is_err());
        assert_eq!(percent_decode("a+b%2B").as_deref(), Some("a b+"));
    }
}
