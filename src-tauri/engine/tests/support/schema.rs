//! Validates JSON against HL7's official FHIR STU3 JSON Schema.
//!
//! Include from a test file with
//! `#[path = "support/schema.rs"] mod schema;`.
//!
//! One validator per resource type is compiled per test binary and reused:
//! the schema is large and its references resolve lazily, so the first
//! validation of a type takes seconds and later ones milliseconds.
//!
//! `ResourceList` (what `contained`, `Bundle.entry.resource` and
//! `Parameters.parameter.resource` must hold) is a `oneOf` over all 118
//! resource types in the published schema; evaluating it compiles every
//! type at every nesting level, which takes minutes for a Bundle of
//! Appointments with contained resources. It is replaced here by an
//! equivalent draft-06 form: `resourceType` must name a resource, and for
//! each type, "`resourceType` is not X, or the value is a valid X". The
//! types' own `resourceType` constants make them mutually exclusive, so this
//! accepts exactly what the `oneOf` accepts, while only the branch that
//! applies is ever compiled.
//!
//! The published schema also leaves complex types (Address, Reference...)
//! without `"type": "object"`, so an array where one object belongs passes.
//! FHIR's JSON format requires an object there, so every definition that
//! lists `properties` is given `"type": "object"` here.
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

/// The schema's definitions with `ResourceList` rewritten (see the module
/// documentation).
fn definitions() -> &'static Value {
    static DEFINITIONS: OnceLock<Value> = OnceLock::new();
    DEFINITIONS.get_or_init(|| {
        let mut definitions = full_schema()["definitions"].clone();
        for definition in definitions
            .as_object_mut()
            .expect("definitions is an object")
            .values_mut()
        {
            if definition.get("properties").is_some() && definition.get("type").is_none() {
                definition["type"] = json!("object");
            }
        }
        let names: Vec<String> = definitions["ResourceList"]["oneOf"]
            .as_array()
            .expect("ResourceList is a oneOf")
            .iter()
            .map(|branch| {
                let target = branch["$ref"].as_str().expect("each branch is a $ref");
                target.trim_start_matches("#/definitions/").to_owned()
            })
            .collect();
        let implications: Vec<Value> = names
            .iter()
            .map(|name| {
                json!({"anyOf": [
                    {"not": {"properties": {"resourceType": {"const": name}}}},
                    {"$ref": format!("#/definitions/{name}")},
                ]})
            })
            .collect();
        definitions["ResourceList"] = json!({
            "type": "object",
            "required": ["resourceType"],
            "properties": {"resourceType": {"enum": names}},
            "allOf": implications,
        });
        definitions
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
    let definitions = definitions();
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
    let mut out = Vec::new();
    for e in validator.iter_errors(value) {
        let path = e.instance_path.to_string();
        // A nested resource that fails only says "not valid under any of the
        // schemas"; validate it on its own to say which element is wrong.
        let nested = e.instance.get("resourceType").and_then(Value::as_str);
        if !path.is_empty() && nested.is_some_and(|t| definitions().get(t).is_some()) {
            let inner = errors(&e.instance);
            if !inner.is_empty() {
                out.extend(inner.iter().map(|i| format!("{path}{i}")));
                continue;
            }
        }
        let shown = if path.is_empty() { "/" } else { path.as_str() };
        out.push(format!("{shown}: {e}"));
    }
    out
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
