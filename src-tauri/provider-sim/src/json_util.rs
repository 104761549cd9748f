//! Reading untrusted JSON without panicking.

use serde_json::Value;

/// The string at `key`, if it is a string.
pub fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The array at `key`, or an empty slice when absent or not an array.
pub fn arr_of<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// `x.reference` as a string.
pub fn reference_of(v: &Value) -> Option<&str> {
    v.get("reference").and_then(Value::as_str)
}

/// Extensions of `v` whose url is `url`.
pub fn extensions_with<'a>(v: &'a Value, url: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    arr_of(v, "extension")
        .iter()
        .filter(move |e| str_of(e, "url") == Some(url))
}

/// A copy of `v` (an object) without the named top-level keys.
pub fn without_keys(v: &Value, keys: &[&str]) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !keys.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A FHIR logical id: 1–64 of A-Z a-z 0-9 - and `.`.
pub fn is_fhir_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

/// True when `s` is a hyphenated UUID.
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::parse_str(s).is_ok()
}
