//! Property tests ("fuzzing" with shrinking) of what reads untrusted input: the NHS number parser,
//! and the STU3 and R4 readers of Bundles and OperationOutcomes. Nothing panics, whatever comes
//! in; what is valid round-trips; and the reader of a real answer survives any damage to it.

use booking_engine::directory::{Directory, Service};
use booking_engine::fhir::{r4, stu3};
use booking_engine::ids::NhsNumber;
use booking_engine::standards::{bars_slots, mapping};
use proptest::prelude::*;
use serde_json::Value;

/// The Modulus 11 check digit of nine digits, or `None` when no number can have them.
fn check_digit(d: &[u32]) -> Option<u32> {
    let sum: u32 = d.iter().zip((2..=10).rev()).map(|(x, w)| x * w).sum();
    match 11 - (sum % 11) {
        11 => Some(0),
        10 => None,
        c => Some(c),
    }
}

/// Any JSON value, nested a few levels: the shapes a broken or hostile provider could send.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("Bundle"),
            Just("Slot"),
            Just("Schedule"),
            Just("OperationOutcome"),
            Just("Appointment")
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("resourceType".to_string()),
                    Just("entry".to_string()),
                    Just("resource".to_string()),
                    Just("issue".to_string()),
                    Just("start".to_string()),
                    Just("id".to_string()),
                    "[a-z]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn service() -> Service {
    Directory::from_toml(
        "[[service]]\nid = \"s\"\nname = \"S\"\nkind = \"urgent-care\"\nstandard = \"bars\"\n\
         base_url = \"https://p.example/bars/s/FHIR/R4\"\nods = \"NQ503\"\nasid = \"918999198003\"\n\
         target_identifier = \"2000100505\"\n",
    )
    .expect("directory")
    .all()[0]
        .clone()
}

const SLOTS: &str =
    include_str!("../../../tests/fixtures/gpconnect/search_for_free_slots_response_example.json");
const BARS_SLOTS: &str = include_str!("../../../tests/fixtures/bars/slots_GET-success.json");

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_nhs_number_parser_never_panics(input in ".{0,40}") {
        let _ = NhsNumber::parse(&input);
    }

    #[test]
    fn every_valid_nhs_number_parses_however_it_is_spaced(
        nine in prop::collection::vec(0u32..10, 9),
        style in 0usize..3,
    ) {
        let Some(check) = check_digit(&nine) else { return Ok(()) };
        let digits: String = nine.iter().chain([check].iter()).map(|d| char::from(b'0' + *d as u8)).collect();
        let typed = match style {
            0 => digits.clone(),
            1 => format!("{} {} {}", &digits[..3], &digits[3..6], &digits[6..]),
            _ => format!("{}-{}-{}", &digits[..3], &digits[3..6], &digits[6..]),
        };
        let n = NhsNumber::parse(&typed).expect("a valid number parses");
        prop_assert_eq!(n.as_str(), digits.as_str());
    }

    #[test]
    fn a_wrong_check_digit_is_refused(nine in prop::collection::vec(0u32..10, 9), wrong in 0u32..10) {
        let right = check_digit(&nine);
        prop_assume!(right != Some(wrong));
        let digits: String = nine.iter().chain([wrong].iter()).map(|d| char::from(b'0' + *d as u8)).collect();
        prop_assert!(NhsNumber::parse(&digits).is_err());
    }

    #[test]
    fn the_readers_never_panic_on_any_json(value in json()) {
        let bytes = serde_json::to_vec(&value).expect("bytes");
        let _ = serde_json::from_slice::<stu3::Bundle>(&bytes);
        let _ = serde_json::from_slice::<stu3::OperationOutcome>(&bytes);
        let _ = serde_json::from_slice::<r4::Bundle>(&bytes);
        let _ = serde_json::from_slice::<r4::OperationOutcome>(&bytes);
    }

    #[test]
    fn the_readers_never_panic_on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = serde_json::from_slice::<stu3::Bundle>(&bytes);
        let _ = serde_json::from_slice::<r4::Bundle>(&bytes);
        let _ = serde_json::from_slice::<stu3::OperationOutcome>(&bytes);
    }

    #[test]
    fn a_damaged_real_answer_reads_or_fails_cleanly(cut in 0usize..4000, flip in 0usize..4000, byte in any::<u8>()) {
        for text in [SLOTS, BARS_SLOTS] {
            let mut bytes = text.as_bytes().to_vec();
            let at = flip % bytes.len();
            bytes[at] = byte;
            bytes.truncate(cut % (bytes.len() + 1));
            // A damaged answer that still parses is read into views without a panic either.
            if let Ok(b) = serde_json::from_slice::<stu3::Bundle>(&bytes) {
                let _ = mapping::slot_views(&b, &service());
            }
            if let Ok(b) = serde_json::from_slice::<r4::Bundle>(&bytes) {
                let _ = bars_slots::slot_views(&b, &service());
            }
        }
    }
}
