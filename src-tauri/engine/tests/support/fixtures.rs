//! Access to the published GP Connect example payloads kept under the
//! repository's `tests/fixtures/gpconnect`.
//!
//! Include from a test file with
//! `#[path = "support/fixtures.rs"] mod fixtures;`.
#![allow(dead_code)]

use serde_json::Value;

pub const GPCONNECT_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/gpconnect"
);

/// The names of every `.json` fixture, sorted.
pub fn gpconnect_names() -> Vec<String> {
    let dir =
        std::fs::read_dir(GPCONNECT_DIR).unwrap_or_else(|e| panic!("listing {GPCONNECT_DIR}: {e}"));
    let mut names: Vec<String> = dir
        .map(|entry| entry.expect("directory entry").file_name())
        .filter_map(|name| name.into_string().ok())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no fixtures found in {GPCONNECT_DIR}");
    names
}

/// The raw text of one fixture.
pub fn gpconnect_text(name: &str) -> String {
    let path = format!("{GPCONNECT_DIR}/{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// One fixture as untyped JSON.
pub fn gpconnect_json(name: &str) -> Value {
    serde_json::from_str(&gpconnect_text(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub const UEC_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/uec");

/// One UEC Booking example (the NHS Booking API's Appointment page) as untyped JSON.
pub fn uec_json(name: &str) -> Value {
    let path = format!("{UEC_DIR}/{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}
