//! The words an enum goes by on the wire and in records: its serde name (`call-handler`).

/// `v`'s serde name; empty for a value that does not serialise as a string.
pub fn wire_name<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The value whose serde name is `name`, or `None` when no value goes by it.
pub fn from_wire_name<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}
