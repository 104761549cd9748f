//! What comes from outside the desk — a provider's answers, the files a person names — cannot
//! harm the terminal or the machine it is printed on.

mod support;

use support::{Desk, JANE, appointment_args, book_args, str_of};

/// Characters that drive a terminal rather than show text: C0 but newline and tab, DEL, C1.
fn controls_in(s: &str) -> Vec<char> {
    s.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t') || ('\u{7f}'..='\u{9f}').contains(&c)
        })
        .collect()
}

/// A demo booking whose description the provider then holds as `hostile` (written into the
/// demo provider's saved state, as a compromised or buggy service would answer it).
fn booking_described_as(hostile: &str) -> (Desk, String, String) {
    let desk = Desk::demo();
    let gp = desk.service_of_kind("gp-practice");
    let slot = desk.slot_ahead(&gp);
    let booked = desk.ok(&book_args(&gp, str_of(&slot, "id"), JANE, "PLAIN-MARKER"));
    let id = str_of(&booked["appointment"], "id").to_string();
    let state = desk.data_dir().join("demo").join("provider-state.json");
    let text = std::fs::read_to_string(&state).expect("demo state");
    let json_text = serde_json::to_string(hostile).expect("json string");
    let changed = text.replace(
        "\"PLAIN-MARKER\"",
        &json_text, // quotes included: a JSON string literal
    );
    assert_ne!(text, changed, "the description is in the demo state");
    std::fs::write(&state, changed).expect("state written");
    (desk, gp, id)
}

#[test]
fn a_providers_escape_sequences_never_reach_the_terminal() {
    let hostile = "\u{1b}]0;pwned\u{7}\u{1b}[2JSore\u{9b}31m throat\r\u{7f}";
    let (desk, gp, id) = booking_described_as(hostile);
    let show = appointment_args("show", &gp, &id, &[]);
    let plain = desk.run(&show);
    plain.expect_code(0);
    let json = desk.run_json(&show);
    json.expect_code(0);
    let listed = desk.run(&["appointments", "--nhs", JANE]);
    listed.expect_code(0);
    for run in [&plain, &json, &listed] {
        for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            let found = controls_in(text);
            assert!(
                found.is_empty(),
                "{:?} printed {found:?} on {stream}:\n{text}",
                run.args
            );
        }
    }
    // The words stay readable; scripts still get the provider's exact text.
    assert!(
        plain.stdout.contains("Description: Sore throat\n"),
        "{}",
        plain.stdout
    );
    assert_eq!(json.json()["description"], hostile);
}

/// Runs `args`, killing it if it has not finished within `secs`: a reader with no limit would
/// otherwise run until the machine's memory is gone.
fn run_within(desk: &Desk, args: &[&str], secs: u64) -> support::Run {
    let mut pending = desk.spawn(args);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !pending.has_exited() {
        if std::time::Instant::now() > deadline {
            pending.kill();
            panic!("{args:?} was still reading after {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    pending.wait()
}

#[test]
fn clinical_and_patient_files_are_read_no_further_than_one_mib() {
    let desk = Desk::demo();
    let dir = tempfile::tempdir().expect("tempdir");
    // Two MiB of a JSON string that never ends: read whole, it is merely invalid.
    let big = dir.path().join("big.json");
    let mut text = String::from("{\"presenting_complaint\": \"");
    text.push_str(&"a".repeat(2 << 20));
    std::fs::write(&big, text).expect("written");
    let big = big.to_str().expect("utf-8 path");
    let gp = desk.service_of_kind("gp-practice");
    for file in [big, "/dev/zero"] {
        for args in [
            vec!["book", "--service", &gp, "--slot", "1", "--nhs", JANE],
            vec!["clinical", "preview", "--standard", "uec-booking"],
        ] {
            let mut args = args.clone();
            if args[0] == "book" {
                args.extend(["--description", "x", "--clinical", file]);
            } else {
                args.push(file);
            }
            args.push("--json");
            let run = run_within(&desk, &args, 20);
            let e = run.error(2, "invalid-input");
            assert!(str_of(&e, "message").contains("1 MiB"), "{args:?}: {e}");
        }
        let args = ["book", "--service", &gp, "--slot", "1", "--patient", file];
        let run = run_within(
            &desk,
            &[&args[..], &["--description", "x", "--json"]].concat(),
            20,
        );
        let e = run.error(2, "invalid-input");
        assert!(str_of(&e, "message").contains("1 MiB"), "{args:?}: {e}");
    }
}

#[test]
fn a_triage_summary_with_characters_xml_cannot_carry_is_refused_naming_the_field() {
    let desk = Desk::demo();
    let utc = desk.service_of("urgent-care", "uec-booking");
    let slot = desk.slot_ahead(&utc);
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/triage-summary.json"
    );
    let mut summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture).expect("fixture")).expect("json");
    summary["presenting_complaint"] = "Sore throat\u{fffe} and fever".into();
    // Assessed now, so the slot a day ahead is within any timeframe.
    summary["triage"]["timeframe_minutes"] = (14 * 24 * 60).into();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("summary.json");
    std::fs::write(&file, summary.to_string()).expect("written");
    let file = file.to_str().expect("utf-8 path");
    let mut args = book_args(&utc, str_of(&slot, "id"), JANE, "Sore throat");
    args.extend(["--clinical", file]);
    let e = desk.fails(&args, 2, "invalid-input");
    let message = str_of(&e, "message");
    assert!(message.contains("presenting complaint"), "{e}");
    assert!(message.contains("U+FFFE"), "{e}");
    assert_eq!(
        desk.ok(&["bookings"]),
        serde_json::json!([]),
        "nothing booked"
    );
    let preview = ["clinical", "preview", file, "--standard", "uec-booking"];
    desk.fails(&preview, 2, "invalid-input");
}
