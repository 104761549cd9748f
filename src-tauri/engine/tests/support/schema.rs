//! Validates JSON against HL7's official FHIR STU3 JSON Schema.
//!
//! Include from a test file with
//! `#[path = "support/schema.rs"] mod schema;`.
//!
//! One validator per resource type is compiled per test binary and reused:
//! the schema is large and its references resolve lazily, so the first
//! validation of a type takes seconds and later ones milliseconds.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use jsonschema::Validator;
use serde_json::{Value, json};

const SCHEMA_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/fhir/fhir.stu3.schema.json"
);

fn full_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let text = std::fs::read_to_string(SCHEMA_PATH)
            .unwrap_or_else(|e| panic!("reading {SCHEMA_PATH}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {SCHEMA_PATH}: {e}"))
    })
}

/// The validator for one resource type, compiled on first use.
fn validator(resource_type: &str) -> Arc<Validator> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Validator>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    // A panic in another test while holding the lock leaves the map intact.
    let mut map = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(found) = map.get(resource_type) {
        return Arc::clone(found);
    }
    let schema = full_schema();
    let definitions = &schema["definitions"];
    assert!(
        definitions.get(resource_type).is_some(),
        "the STU3 schema has no definition for resourceType {resource_type:?}"
    );
    // The schema's root is a oneOf over every resource; pointing `$ref` at one
    // definition gives precise errors for that type.
    let wrapped = json!({
        "$schema": schema["$schema"],
        "$ref": format!("#/definitions/{resource_type}"),
        "definitions": definitions,
    });
    let compiled = jsonschema::validator_for(&wrapped)
        .unwrap_or_else(|e| panic!("compiling the STU3 schema for {resource_type}: {e}"));
    let compiled = Arc::new(compiled);
    map.insert(resource_type.to_owned(), Arc::clone(&compiled));
    compiled
}

fn resource_type_of(value: &Value) -> &str {
    value
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("not a FHIR resource (no resourceType): {value}"))
}

/// Every schema violation as "instance path: message".
pub fn errors(value: &Value) -> Vec<String> {
    let validator = validator(resource_type_of(value));
    validator
        .iter_errors(value)
        .map(|e| {
            let path = e.instance_path.to_string();
            let path = if path.is_empty() { "/" } else { path.as_str() };
            format!("{path}: {e}")
        })
        .collect()
}

/// Panics, listing every violation, unless `value` is a valid STU3 resource
/// of the type its `resourceType` names.
pub fn assert_valid(value: &Value) {
    let errors = errors(value);
    assert!(
        errors.is_empty(),
        "{} is not valid STU3 ({} error(s)):\n  {}\nin:\n{}",
        resource_type_of(value),
        errors.len(),
        errors.join("\n  "),
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}
