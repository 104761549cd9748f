//! `bookdesk` as a black box: real processes, real exit codes, real JSON, against the embedded
//! demo provider or a simulated provider the test runs itself.

mod support;

use chrono::Duration;
use chrono_tz::Europe::London;
use provider_sim::SimOptions;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use support::{
    AMIR, CIS2_CONFIG, DAVID, Desk, JANE, MARGARET, Run, TestSim, appointment_args,
    assert_has_keys, book_args, book_args_for, bookdesk_bin, slots_args, start_of, str_of, today,
    write_one_service,
};

/// Checks a new booking is the one asked for, and returns its appointment id.
fn assert_booked(booked: &Value, service: &str, slot: &Value, nhs: &str) -> String {
    let a = &booked["appointment"];
    assert_eq!(a["status"], "booked", "{booked}");
    assert_eq!(a["service_id"], service);
    assert_eq!(a["nhs_number"], nhs);
    assert_eq!(a["slot_ids"], serde_json::json!([str_of(slot, "id")]));
    assert_eq!(start_of(a), start_of(slot));
    str_of(a, "id").to_string()
}

/// A demo desk, its first service of `kind` and a free slot there a day or more ahead.
fn demo_slot(kind: &str) -> (Desk, String, Value) {
    let desk = Desk::demo();
    let service = desk.service_of_kind(kind);
    let slot = desk.slot_ahead(&service);
    (desk, service, slot)
}

fn ids_of(items: &[Value], key: &str) -> BTreeSet<String> {
    items.iter().map(|v| str_of(v, key).to_string()).collect()
}

/// The registry's events for one appointment, as `bookings --history --json` lists them.
fn history_of(desk: &Desk, appointment: &str) -> Vec<Value> {
    desk.ok(&["bookings", "--history"])
        .as_array()
        .expect("history array")
        .iter()
        .filter(|e| e["appointment_id"] == appointment)
        .cloned()
        .collect()
}

// --- 1. Searching the demo --------------------------------------------------------------------

#[test]
fn demo_search_of_all_services_returns_complete_slots_from_every_service() {
    let desk = Desk::demo();
    let services = desk.services();
    assert!(
        services.len() >= 2,
        "the demo directory lists services: {services:?}"
    );
    let standards: BTreeMap<String, String> = services
        .iter()
        .map(|s| {
            (
                str_of(s, "id").to_string(),
                str_of(s, "standard").to_string(),
            )
        })
        .collect();

    let (from, to) = (today(), today() + Duration::days(6));
    let run = desk.run_json(&slots_args(&["--all"], 0, 6));
    run.expect_code(0);
    assert!(
        run.stderr.contains("DEMO"),
        "the demo says so: {}",
        run.stderr
    );
    let result = run.json();
    let slots = result["slots"].as_array().expect("slots array");

    // Every listed service answered, and its count matches the slots returned for it.
    let mut per_service: BTreeMap<String, usize> = BTreeMap::new();
    for s in slots {
        *per_service
            .entry(str_of(s, "service_id").to_string())
            .or_default() += 1;
    }
    assert_eq!(
        per_service.keys().cloned().collect::<BTreeSet<_>>(),
        ids_of(&services, "id"),
        "slots come from every service in the directory"
    );
    let statuses = result["services"].as_array().expect("services array");
    assert_eq!(ids_of(statuses, "service_id"), ids_of(&services, "id"));
    for st in statuses {
        let id = str_of(st, "service_id");
        assert_eq!(st["progress"]["state"], "found", "{st}");
        assert_eq!(
            st["progress"]["count"].as_u64(),
            Some(per_service[id] as u64),
            "{st}"
        );
    }

    let mut unstated_channel: BTreeSet<String> = BTreeSet::new();
    let mut previous = None;
    for s in slots {
        let service = str_of(s, "service_id");
        for key in ["id", "slot_type", "schedule_type"] {
            assert!(!str_of(s, key).is_empty(), "{key} in {s}");
        }
        assert!(s["practitioner"]["name"].is_string(), "practitioner in {s}");
        assert!(s["location"]["name"].is_string(), "location in {s}");
        let start = start_of(s);
        let end = chrono::DateTime::parse_from_rfc3339(str_of(s, "end")).expect("end is RFC 3339");
        assert!(start < end, "{s}");
        // The window is days in UK time, both ends inclusive.
        let local_day = start.with_timezone(&London).date_naive();
        assert!(
            local_day >= from && local_day <= to,
            "slot outside the window: {s}"
        );
        // Soonest first, across services.
        if let Some(p) = previous {
            assert!(p <= start, "slots are sorted by start");
        }
        previous = Some(start);
        // Present even when the provider does not say.
        assert!(s.get("delivery_channel").is_some(), "{s}");
        match &s["delivery_channel"] {
            Value::Null => {
                unstated_channel.insert(service.to_string());
            }
            Value::String(c) => {
                assert!(
                    ["In-person", "Telephone", "Video"].contains(&c.as_str()),
                    "{s}"
                )
            }
            other => panic!("delivery_channel {other} in {s}"),
        }
    }
    // A provider that does not state the channel is shown as such, never defaulted; in the demo
    // that is one UEC service, never a GP Connect one.
    assert!(unstated_channel.len() <= 1, "{unstated_channel:?}");
    for id in &unstated_channel {
        assert_eq!(
            standards[id], "uec-booking",
            "{id} leaves the channel unstated"
        );
    }
}

#[test]
fn channel_filter_keeps_only_slots_that_state_that_channel() {
    let desk = Desk::demo();
    let v = desk.search(&["--all", "--channel", "telephone"], 0, 6);
    let slots = v["slots"].as_array().expect("slots array");
    assert!(!slots.is_empty(), "the demo offers telephone slots");
    for s in slots {
        assert_eq!(s["delivery_channel"], "Telephone", "{s}");
    }
}

// --- 2. and 3. Booking lifecycles on the demo --------------------------------------------------

#[test]
fn demo_gp_booking_lifecycle_persists_across_runs_and_reset_clears_it() {
    let (desk, gp, slot) = demo_slot("gp-practice");
    let slot_id = str_of(&slot, "id");

    let mut args = book_args(&gp, slot_id, JANE, "Sore throat and fever for 3 days");
    args.extend(["--comment", "Call on 07700 900123"]);
    let booked = desk.ok(&args);
    let id = assert_booked(&booked, &gp, &slot, JANE);
    let a = &booked["appointment"];
    assert_eq!(a["standard"], "gp-connect");
    assert_eq!(a["description"], "Sore throat and fever for 3 days");
    assert_eq!(a["comment"], "Call on 07700 900123");
    assert_eq!(booked["confirmed_by_check"], false);
    let v1 = str_of(a, "version").to_string();

    // A new process sees the booking: the slot is gone from the search, the appointment is there.
    let still_free = desk.slots(&gp, 0, 6);
    assert!(
        !still_free.iter().any(|s| s["id"] == slot_id),
        "booked slot no longer offered"
    );
    let shown = desk.show(&gp, &id);
    assert_eq!(shown["id"], id.as_str());
    assert_eq!(shown["status"], "booked");
    assert_eq!(shown["description"], "Sore throat and fever for 3 days");

    let changes = [
        "--description",
        "Sore throat, now with earache",
        "--comment",
        "Prefers mornings",
    ];
    let amended = desk.ok(&appointment_args("amend", &gp, &id, &changes));
    assert_eq!(amended["description"], "Sore throat, now with earache");
    assert_eq!(amended["comment"], "Prefers mornings");
    assert_eq!(amended["status"], "booked");
    assert_ne!(
        str_of(&amended, "version"),
        v1,
        "an amendment makes a new version"
    );
    let reread = desk.show(&gp, &id);
    assert_eq!(reread["description"], "Sore throat, now with earache");

    let cancelled = desk.cancel(&gp, &id, "Patient feels better");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancellation_reason"], "Patient feels better");

    let theirs = desk.ok(&["appointments", "--nhs", JANE]);
    let listed = theirs["appointments"]
        .as_array()
        .expect("appointments array")
        .iter()
        .find(|x| x["id"] == id.as_str() && x["service_id"] == gp.as_str())
        .unwrap_or_else(|| panic!("appointment {id} listed for the patient: {theirs}"))
        .clone();
    assert_eq!(listed["status"], "cancelled");
    assert_eq!(listed["cancellation_reason"], "Patient feels better");
    assert_eq!(
        theirs["failures"],
        serde_json::json!([]),
        "every service answered"
    );

    let ours = desk.ok(&["bookings"]);
    let ours = ours.as_array().expect("bookings array");
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_eq!(ours[0]["appointment_id"], id.as_str());
    assert_eq!(ours[0]["service_id"], gp.as_str());
    assert_eq!(ours[0]["status"], "cancelled");
    assert_eq!(ours[0]["last_action"], "cancel");
    assert_eq!(ours[0]["nhs_number"], JANE);

    let actions: Vec<(String, String)> = history_of(&desk, &id)
        .iter()
        .map(|e| {
            (
                str_of(e, "action").to_string(),
                str_of(e, "outcome").to_string(),
            )
        })
        .collect();
    let expected = [
        ("book", "succeeded"),
        ("amend", "succeeded"),
        ("cancel", "succeeded"),
    ];
    assert_eq!(
        actions,
        expected
            .map(|(a, o)| (a.to_string(), o.to_string()))
            .to_vec()
    );

    // Reset forgets the desk's registry and the provider's bookings alike.
    desk.run(&["demo", "reset"]).expect_code(0);
    assert_eq!(desk.ok(&["bookings"]), serde_json::json!([]));
    desk.fails(&appointment_args("show", &gp, &id, &[]), 1, "not-found");
    let free_again = desk.slots(&gp, 0, 6);
    assert!(
        free_again.iter().any(|s| s["id"] == slot_id),
        "the slot is free after reset"
    );
}

#[test]
fn demo_urgent_care_booking_by_nhs_number_then_show_and_cancel() {
    let (desk, utc, slot) = demo_slot("urgent-care");
    let slot_id = str_of(&slot, "id");

    // UEC has no patient search: the desk finds the patient at a GP practice.
    let args = book_args(&utc, slot_id, AMIR, "Twisted ankle, can weight-bear");
    let booked = desk.ok(&args);
    let id = assert_booked(&booked, &utc, &slot, AMIR);
    assert_eq!(booked["appointment"]["standard"], "uec-booking");

    let shown = desk.show(&utc, &id);
    assert_eq!(shown["status"], "booked");
    assert_eq!(shown["description"], "Twisted ankle, can weight-bear");

    // UEC appointments cannot be amended: rebook and cancel instead.
    let amend = appointment_args("amend", &utc, &id, &["--comment", "x"]);
    desk.fails(&amend, 1, "rejected");

    let cancelled = desk.cancel(&utc, &id, "Went to A&E instead");
    assert_eq!(cancelled["status"], "cancelled");
    let reread = desk.show(&utc, &id);
    assert_eq!(reread["status"], "cancelled");
    assert_ne!(reread["version"], shown["version"]);
    // UEC carries no reason element, so the desk's registry is where the reason lives.
    let events = history_of(&desk, &id);
    let cancel = events
        .iter()
        .find(|e| e["action"] == "cancel")
        .unwrap_or_else(|| panic!("cancel recorded: {events:?}"));
    assert_eq!(cancel["outcome"], "succeeded");
    assert_eq!(cancel["reason"], "Went to A&E instead");
    let ours = desk.ok(&["bookings"]);
    assert_eq!(ours[0]["appointment_id"], id.as_str());
    assert_eq!(ours[0]["status"], "cancelled");
}

/// The example triage summary the README's walkthrough uses.
fn triage_summary_file() -> String {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/triage-summary.json"
    )
    .to_string()
}

#[test]
fn demo_bars_booking_with_the_triage_summary_then_show_list_and_cancel() {
    let desk = Desk::demo();
    let utc = desk.service_of("urgent-care", "bars");
    let slot = desk.slot_ahead(&utc);
    let slot_id = str_of(&slot, "id");
    let summary = triage_summary_file();
    // Timed from now, so the slot a day ahead is within it whatever the date.
    let mut args = book_args(&utc, slot_id, JANE, "Sore throat and fever");
    args.extend(["--clinical", &summary, "--timeframe-minutes", "4320"]);
    let booked = desk.ok(&args);
    let id = assert_booked(&booked, &utc, &slot, JANE);
    assert_eq!(booked["appointment"]["standard"], "bars");
    assert_eq!(booked["clinical"]["standard"], "bars");
    assert_eq!(booked["clinical"]["report_delivered"], true, "{booked}");

    let shown = desk.show(&utc, &id);
    assert_eq!(shown["status"], "booked");
    assert_eq!(shown["description"], "Sore throat and fever");
    let theirs = desk.ok(&["appointments", "--nhs", JANE, "--service", &utc]);
    let listed = theirs["appointments"].as_array().expect("appointments");
    assert!(listed.iter().any(|a| a["id"] == id.as_str()), "{theirs}");

    // BaRS has no amend: rebook and cancel instead.
    desk.fails(
        &appointment_args("amend", &utc, &id, &["--comment", "x"]),
        1,
        "rejected",
    );
    let cancelled = desk.cancel(&utc, &id, "Feeling better");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancellation_reason"], "Feeling better");
    assert_eq!(desk.show(&utc, &id)["status"], "cancelled");

    // As a person reads it: the summary went with the booking.
    let again = desk.slot_ahead(&utc);
    let mut args = book_args(&utc, str_of(&again, "id"), JANE, "Sore throat and fever");
    args.extend(["--clinical", &summary, "--timeframe-minutes", "4320"]);
    let plain = desk.run(&args);
    plain.expect_code(0);
    assert!(
        plain
            .stdout
            .contains("The triage summary went with the booking, in its BaRS message"),
        "{}",
        plain.stdout
    );
}

#[test]
fn demo_urgent_care_booking_from_a_patient_file_without_nhs_number() {
    let (desk, utc, slot) = demo_slot("urgent-care");
    let slot_id = str_of(&slot, "id");
    let file = desk.data_dir().join("patient.json");
    let patient = serde_json::json!({
        "family": "Brennan",
        "given": ["Róisín"],
        "prefix": "Ms",
        "gender": "female",
        "birth_date": "1979-05-02",
        "address_lines": ["7 Mill Street", "Halifax"],
        "postcode": "HX1 1AA",
        "phone": "07700 900456",
    });
    std::fs::write(&file, patient.to_string()).expect("patient file written");
    let path = file.to_str().expect("utf-8 path");

    let args = book_args_for(&utc, slot_id, ["--patient", path], "Cut to the hand");
    let booked = desk.ok(&args);
    let a = &booked["appointment"];
    assert_eq!(a["status"], "booked");
    assert_eq!(a["nhs_number"], Value::Null, "no NHS number was given");
    let shown = desk.show(&utc, str_of(a, "id"));
    assert_eq!(shown["status"], "booked");

    // A file that is not a patient is bad input, not a provider failure.
    let bad = desk.data_dir().join("bad.json");
    std::fs::write(&bad, "{\"given\": \"not a list\"}").expect("written");
    let bad = bad.to_str().expect("utf-8 path");
    let args = book_args_for(&utc, slot_id, ["--patient", bad], "x");
    desk.fails(&args, 2, "invalid-input");
}

// --- 4. Exit codes ----------------------------------------------------------------------------

/// Issue 20.1: `patient --nhs N` traces on PDS (the demo's, in provider-sim): the registered
/// practice, and what the desk must know before booking, in words and as JSON.
#[test]
fn patient_traces_on_pds_and_says_what_matters_before_booking() {
    let desk = Desk::demo();
    let jane = desk.ok(&["patient", "--nhs", JANE]);
    assert_eq!(jane["nhs_number"], JANE);
    assert_eq!(jane["family"], "JACKSON");
    assert_eq!(jane["restricted"], false);
    assert_eq!(jane["registered_practice"], "B86001", "{jane}");
    assert!(jane["postcode"].is_string(), "{jane}");

    let cases = provider_sim::pds_cases();
    let words = desk.run(&["patient", "--nhs", cases.restricted]);
    words.expect_code(0);
    assert!(
        words.stdout.contains("RESTRICTED RECORD"),
        "{}",
        words.stdout
    );
    assert!(
        !words.stdout.contains("Registered practice"),
        "{}",
        words.stdout
    );
    let merged = desk.run(&["patient", "--nhs", cases.superseded_old]);
    merged.expect_code(0);
    assert!(
        merged.stdout.contains("was replaced by"),
        "{}",
        merged.stdout
    );
    let died = desk.run(&["patient", "--nhs", cases.deceased]);
    died.expect_code(0);
    assert!(
        died.stdout.contains("PDS records that this patient died"),
        "{}",
        died.stdout
    );

    let absent = desk.fails(&["patient", "--nhs", cases.absent], 1, "patient-not-found");
    assert!(
        absent["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("PDS has no patient")),
        "{absent}"
    );
}

/// Issue 20.1: without an NHS number, `patient --family --birth-date` searches PDS for the one
/// patient with those details; two alike are not guessed between.
#[test]
fn patient_without_a_number_is_searched_on_pds_by_name_and_birth_date() {
    let desk = Desk::demo();
    let jane = desk.ok(&[
        "patient",
        "--family",
        "Jackson",
        "--given",
        "Jane",
        "--birth-date",
        "1982-03-12",
    ]);
    assert_eq!(jane["nhs_number"], JANE, "{jane}");
    // The demo's PDS holds a twin brother with the same family name and birth date.
    let two = desk.fails(
        &[
            "patient",
            "--family",
            "Jackson",
            "--birth-date",
            "1982-03-12",
        ],
        2,
        "invalid-input",
    );
    assert!(
        two["message"]
            .as_str()
            .is_some_and(|m| m.contains("more than one patient")),
        "{two}"
    );
    let nobody = desk.fails(
        &[
            "patient",
            "--family",
            "Jackson",
            "--birth-date",
            "1983-03-12",
        ],
        1,
        "patient-not-found",
    );
    assert!(
        nobody["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("PDS found no patient")),
        "{nobody}"
    );
    // A family name alone is not a search PDS takes: clap says so before anything is asked.
    desk.run(&["patient", "--family", "Jackson"]).expect_code(2);
}

/// Issue 20: `services --for` asks the Directory of Services (the demo's, in provider-sim) and
/// says how each service is booked; `slots` and `book` take a DoS id or ODS code, and a
/// service that cannot be booked from the desk is refused with why. Which services are open
/// depends on the time of day, so no particular one is expected in the list.
#[test]
fn services_are_found_by_need_and_named_by_dos_id_or_ods_code() {
    let desk = Desk::demo();
    let need = [
        "services",
        "--for",
        "Dx06",
        "--postcode",
        "LS1 4AP",
        "--age",
        "44",
        "--sex",
        "female",
        "--sg",
        "SG1010",
        "--sd",
        "SD4003",
        "--nhs",
        JANE,
    ];
    let found = desk.ok(&need);
    for o in found["services"].as_array().expect("services") {
        let how = o["booking"]["how"].as_str().expect("how");
        assert!(
            ["book", "call-to-refer", "cannot-book"].contains(&how),
            "{o}"
        );
        assert!(o["service"]["dos_id"].is_string(), "{o}");
    }
    let words = desk.run(&need[..13]);
    words.expect_code(0);
    assert!(words.stdout.contains("Dx06: "), "{}", words.stdout);

    // What the DoS needs is said before it is asked.
    let e = desk.fails(&need[..11], 2, "invalid-input");
    assert!(str_of(&e, "message").contains("symptom"), "{e}");
    let mut far = need.to_vec();
    far[4] = "ZZ99 9ZZ";
    let e = desk.fails(&far, 2, "invalid-input");
    assert!(str_of(&e, "next_step").contains("postcode"), "{e}");

    // A UEC Booking centre by its DoS id: looked up, then searched.
    let by_dos = desk.search(&["--service", "2000100101"], 1, 2);
    assert!(
        by_dos["slots"].as_array().is_some_and(|s| !s.is_empty()),
        "{by_dos}"
    );
    // No booking endpoint at all, or none in SDS: refused with why, nothing booked.
    let cases = provider_sim::national_cases();
    for (service, words) in [
        (
            cases.not_bookable_dental.dos_service_id,
            "no booking endpoint",
        ),
        (cases.no_sds_endpoint.ods, "no booking endpoint"),
    ] {
        let e = desk.fails(&slots_args(&["--service", service], 1, 2), 1, "rejected");
        assert!(str_of(&e, "message").contains(words), "{service}: {e}");
        assert!(str_of(&e, "next_step").contains("phone"), "{service}: {e}");
    }
    assert_eq!(desk.ok(&["bookings"]), serde_json::json!([]));
}

/// Issue 21.2: `config check` says what a configuration sets up, or what is wrong and where,
/// without contacting anything (nothing listens at the addresses it names).
#[test]
fn config_check_names_the_line_and_key_of_what_is_wrong() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_one_service(dir.path());
    let good = CIS2_CONFIG;
    let path = dir.path().join("bookdesk.toml");
    std::fs::write(&path, good).expect("config");
    let desk = Desk::with_config(&path);
    let checked = desk.ok(&["config", "check"]);
    let summary = &checked["summary"];
    assert_eq!(
        checked["files"]["main"],
        path.to_string_lossy().as_ref(),
        "{checked}"
    );
    assert_eq!(summary["services_listed"], 1, "{summary}");
    assert_eq!(summary["sign_in"], "NHS CIS2", "{summary}");
    assert_eq!(summary["national"], serde_json::json!([]), "{summary}");

    // A misspelt key is named at its line, with the keys its section takes.
    std::fs::write(
        &path,
        good.replace("[system]\n", "[system]\nasld = \"1\"\n"),
    )
    .expect("config");
    let e = desk.fails(&["config", "check"], 1, "config");
    let message = str_of(&e, "message");
    assert!(
        message.contains("at line 11") && message.contains("asld"),
        "{e}"
    );
    assert!(message.contains("`asid`"), "{e}");
    assert!(message.contains("bookdesk.toml"), "{e}");

    std::fs::write(&path, good).expect("config");
    std::fs::write(dir.path().join("services.toml"), "[[service]]\nid = 5\n").expect("services");
    let e = desk.fails(&["config", "check"], 1, "config");
    let message = str_of(&e, "message");
    assert!(
        message.contains("services.toml") && message.contains("at line 2"),
        "{e}"
    );

    // Nothing was opened: no registry file was made.
    assert!(!dir.path().join("bookings.sqlite").exists());
}

#[test]
fn invalid_nhs_number_is_bad_usage() {
    let desk = Desk::demo();
    let gp = desk.service_of_kind("gp-practice");
    // Ten digits with a wrong check digit.
    let e = desk.fails(
        &["patient", "--service", &gp, "--nhs", "9434765918"],
        2,
        "invalid-input",
    );
    assert!(str_of(&e, "message").contains("NHS number"), "{e}");
    desk.fails(&book_args(&gp, "1", "12345", "x"), 2, "invalid-input");
    // Nothing was booked on the way to the refusal.
    assert_eq!(desk.ok(&["bookings"]), serde_json::json!([]));
}

#[test]
fn unknown_service_is_bad_usage() {
    let desk = Desk::demo();
    let args = book_args("no-such-surgery", "1", JANE, "x");
    let e = desk.fails(&args, 2, "unknown-service");
    assert!(str_of(&e, "message").contains("no-such-surgery"), "{e}");
    desk.fails(
        &["capabilities", "--service", "no-such-surgery"],
        2,
        "unknown-service",
    );
    // A search naming it fails as a whole, not only inside its answer.
    let gp = desk.service_of_kind("gp-practice");
    let args = slots_args(&["--service", &gp, "--service", "no-such-surgery"], 0, 1);
    let e = desk.fails(&args, 2, "unknown-service");
    assert!(str_of(&e, "message").contains("no-such-surgery"), "{e}");
    desk.run(&args).expect_code(2);
}

#[test]
fn search_window_longer_than_14_days_is_bad_usage() {
    let desk = Desk::demo();
    let gp = desk.service_of_kind("gp-practice");
    let service = ["--service", gp.as_str()];
    desk.fails(&slots_args(&service, 0, 15), 2, "invalid-input");
    desk.fails(&slots_args(&["--all"], 3, 1), 2, "invalid-input");
    // The documented limit itself is accepted.
    let v = desk.search(&service, 0, 14);
    assert!(!v["slots"].as_array().expect("slots").is_empty());
}

#[test]
fn booking_a_slot_already_booked_is_slot_taken() {
    let (desk, gp, slot) = demo_slot("gp-practice");
    let slot_id = str_of(&slot, "id");
    let book = |nhs| book_args(&gp, slot_id, nhs, "Persistent cough");
    desk.ok(&book(JANE));
    let e = desk.fails(&book(DAVID), 1, "slot-taken");
    assert_eq!(e["service_id"], gp.as_str());

    // Without --json the same failure goes to stderr for a person, with what to do next.
    let plain = desk.run(&book(DAVID));
    plain.expect_code(1);
    assert!(
        plain.stdout.trim().is_empty(),
        "nothing on stdout: {}",
        plain.stdout
    );
    assert!(plain.stderr.contains("What to do:"), "{}", plain.stderr);

    let ours = desk.ok(&["bookings"]);
    assert_eq!(
        ours.as_array().expect("bookings").len(),
        1,
        "only the first booking stands"
    );
}

#[test]
fn missing_required_flag_or_unknown_subcommand_is_bad_usage() {
    let desk = Desk::demo();
    let no_slot = desk.run(&[
        "book",
        "--service",
        "x",
        "--nhs",
        JANE,
        "--description",
        "x",
    ]);
    no_slot.expect_code(2);
    assert!(no_slot.stderr.contains("--slot"), "{}", no_slot.stderr);
    desk.run(&["cancel", "--service", "x", "--appointment", "1"])
        .expect_code(2);
    desk.run(&["slots"]).expect_code(2);
    desk.run(&["teleport"]).expect_code(2);
    desk.run(&["slots", "--all", "--from", "31-12-2026"])
        .expect_code(2);
}

// --- 5. Two desks racing for one slot ---------------------------------------------------------

#[test]
fn concurrent_bookings_of_one_slot_book_it_exactly_once() {
    // A little latency so the two requests overlap at the provider.
    let sim = TestSim::start(SimOptions {
        latency_ms: Some((20, 60)),
        ..SimOptions::default()
    });
    let gp = sim.service("gp-practice", "gp-connect");
    let desk = Desk::with_config(&sim.config());
    let slot = desk.slot_ahead(&gp);
    let slot_id = str_of(&slot, "id");
    let before = sim.appointments().len();

    let args = |nhs| {
        let mut args = book_args(&gp, slot_id, nhs, "Rash on both arms");
        args.push("--json");
        args
    };
    let first = desk.spawn(&args(JANE));
    let second = desk.spawn(&args(DAVID));
    let runs = [first.wait(), second.wait()];

    let winners: Vec<&Run> = runs.iter().filter(|r| r.code == 0).collect();
    let losers: Vec<&Run> = runs.iter().filter(|r| r.code != 0).collect();
    assert_eq!(winners.len(), 1, "exactly one booking succeeds: {runs:#?}");
    assert_eq!(losers.len(), 1, "{runs:#?}");
    losers[0].error(1, "slot-taken");
    for r in &runs {
        assert!(
            !r.stderr.contains("DEMO"),
            "a configured desk is not the demo: {}",
            r.stderr
        );
    }

    let won = winners[0].json();
    let held = sim.holding(slot_id);
    assert_eq!(held.len(), 1, "one appointment for the slot: {held:#?}");
    assert_eq!(held[0]["id"], won["appointment"]["id"]);
    assert_eq!(held[0]["status"], "booked");
    assert_eq!(
        sim.appointments().len(),
        before + 1,
        "nothing else was booked"
    );
}

// --- 6. Answers lost after the provider committed ---------------------------------------------

/// Books one slot with every committed answer dropped, checking the provider ends up with
/// exactly one appointment for it; the simulator stays up for the caller.
fn lost_answer_booking(kind: &str, standard: &str, nhs: &str) -> (TestSim, Desk, Value) {
    let sim = TestSim::start(SimOptions {
        drop_after_commit_rate: 1.0,
        ..SimOptions::default()
    });
    let service = sim.service(kind, standard);
    let desk = Desk::with_config(&sim.config());
    let slot = desk.slot_ahead(&service);
    let slot_id = str_of(&slot, "id").to_string();
    let args = book_args(&service, &slot_id, nhs, "Abdominal pain since this morning");
    let booked = desk.ok(&args);
    let a = &booked["appointment"];
    assert_eq!(a["status"], "booked", "{booked}");
    assert_eq!(a["service_id"], service.as_str());
    assert_eq!(a["slot_ids"], serde_json::json!([slot_id]));

    // The safety rule: never two appointments from one request.
    let held = sim.holding(&slot_id);
    assert_eq!(
        held.len(),
        1,
        "exactly one appointment for the slot: {held:#?}"
    );
    assert_eq!(held[0]["id"], a["id"]);
    assert_eq!(held[0]["status"], "booked");
    let events = history_of(&desk, str_of(a, "id"));
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["action"], "book");
    assert_eq!(events[0]["outcome"], "succeeded");
    (sim, desk, booked)
}

#[test]
fn lost_gp_connect_booking_answer_is_confirmed_by_checking() {
    let (sim, desk, booked) = lost_answer_booking("gp-practice", "gp-connect", MARGARET);
    assert_eq!(booked["confirmed_by_check"], true, "{booked}");

    // A person is told the answer was lost, not just shown a booking.
    let gp = str_of(&booked["appointment"], "service_id").to_string();
    let slot = desk.slot_ahead(&gp);
    let slot_id = str_of(&slot, "id");
    // She is booked now: another booking is refused, naming where and when, unless deliberate.
    let refused = desk.fails(
        &book_args(&gp, slot_id, MARGARET, "Review"),
        1,
        "already-booked",
    );
    let first = str_of(&booked["appointment"], "id");
    assert!(str_of(&refused, "message").contains(first), "{refused}");
    assert!(
        str_of(&refused, "next_step").contains("--book-anyway"),
        "{refused}"
    );
    assert!(sim.holding(slot_id).is_empty(), "nothing was sent");
    let mut args = book_args(&gp, slot_id, MARGARET, "Review");
    args.push("--book-anyway");
    let plain = desk.run(&args);
    plain.expect_code(0);
    assert!(plain.stdout.starts_with("BOOKED"), "{}", plain.stdout);
    assert!(plain.stdout.contains("answer was lost"), "{}", plain.stdout);
    assert_eq!(sim.holding(slot_id).len(), 1);
}

#[test]
fn lost_uec_booking_answer_is_confirmed_and_books_exactly_once() {
    let (_sim, _desk, booked) = lost_answer_booking("urgent-care", "uec-booking", MARGARET);
    assert_eq!(booked["confirmed_by_check"], true, "{booked}");
    assert_eq!(booked["appointment"]["nhs_number"], MARGARET);
}

// --- 7. JSON shape ----------------------------------------------------------------------------

#[test]
fn json_outputs_are_objects_or_arrays_with_snake_case_fields() {
    let desk = Desk::demo();
    // Every parse in these tests also checks all keys are snake_case; here the shapes themselves.
    let services = desk.ok(&["services"]);
    let first = &services.as_array().expect("services is an array")[0];
    assert_has_keys(
        first,
        "services[0]",
        &[
            "id", "name", "kind", "standard", "base_url", "ods", "asid", "postcode",
        ],
    );
    let uec = services
        .as_array()
        .expect("array")
        .iter()
        .find(|s| s["standard"] == "uec-booking")
        .expect("a UEC service");
    assert!(uec["healthcare_service"].is_string(), "{uec}");

    let gp = str_of(first, "id").to_string();
    let caps = desk.ok(&["capabilities", "--service", &gp]);
    assert_has_keys(
        &caps,
        "capabilities",
        &[
            "service_id",
            "fhir_version",
            "software",
            "publisher",
            "resources",
        ],
    );
    assert!(
        str_of(&caps, "fhir_version").starts_with("3.0"),
        "STU3: {caps}"
    );

    let patient = desk.ok(&["patient", "--service", &gp, "--nhs", JANE]);
    assert_has_keys(
        &patient,
        "patient",
        &[
            "nhs_number",
            "family",
            "given",
            "birth_date",
            "address_lines",
            "postcode",
        ],
    );
    assert_eq!(patient["nhs_number"], JANE);
    assert!(patient["given"].is_array());

    let patients = desk.ok(&["demo", "patients"]);
    let patients = patients.as_array().expect("patients is an array");
    assert_eq!(patients.len(), provider_sim::demo_patients().len());
    assert!(
        patients
            .iter()
            .any(|p| p["nhs_number"] == JANE && p["birth_date"].is_string())
    );

    let slots = desk.search(&["--service", &gp], 1, 3);
    assert!(slots.is_object());
    let status = &slots["services"][0];
    assert_has_keys(
        status,
        "services[0]",
        &["service_id", "service_name", "progress"],
    );
    let slot = &slots["slots"][0];
    assert_has_keys(
        slot,
        "slots[0]",
        &[
            "service_name",
            "service_kind",
            "schedule_id",
            "slot_type",
            "schedule_type",
        ],
    );

    let booked = desk.ok(&book_args(&gp, str_of(slot, "id"), JANE, "x"));
    assert_has_keys(
        &booked,
        "book",
        &[
            "appointment",
            "confirmed_by_check",
            "demographic_mismatches",
        ],
    );
    assert_has_keys(
        &booked["appointment"],
        "appointment",
        &[
            "cancellation_reason",
            "delivery_channel",
            "slot_ids",
            "reference_url",
            "patient_id",
        ],
    );

    let appts = desk.ok(&["appointments", "--nhs", JANE]);
    assert!(
        appts["appointments"].is_array() && appts["failures"].is_array(),
        "{appts}"
    );
    let summary = &desk.ok(&["bookings"])[0];
    assert_has_keys(
        summary,
        "bookings[0]",
        &[
            "service_id",
            "appointment_id",
            "booked_by",
            "booked_at",
            "last_action",
            "last_changed_at",
        ],
    );
    let event = &desk.ok(&["bookings", "--history"])[0];
    assert_has_keys(
        event,
        "history[0]",
        &[
            "recorded_at",
            "user_name",
            "organisation_ods",
            "slot_ids",
            "trace_id",
            "request_id",
        ],
    );
}

// --- Audit trail ------------------------------------------------------------------------------

/// Runs SQL on the demo's registry behind the desk's back, as someone holding the file and its
/// key (the demo keeps its key in a file) could. The registry is SQLCipher: this opens it with
/// the key, through the same SQLCipher build the desk links.
fn tamper(desk: &Desk, sql: &str) {
    use sqlx::{ConnectOptions, Connection, Executor};
    let demo = desk.data_dir().join("demo");
    let key = std::fs::read_to_string(demo.join("bookings.sqlite.audit-key")).expect("key");
    let key =
        booking_engine::store::AuditKey::from_secret(&booking_engine::secrets::Secret::new(key))
            .expect("a key")
            .file_key();
    booking_engine::store::prepare_crypto();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(demo.join("bookings.sqlite"))
            .pragma("key", format!("\"x'{}'\"", key.expose()))
            .connect()
            .await
            .expect("opens with the key");
        conn.execute(sql).await.expect("tampers");
        conn.close().await.expect("closes");
    });
}

#[test]
fn audit_verify_passes_after_a_booking_and_fails_after_tampering() {
    let (desk, gp, slot) = demo_slot("gp-practice");
    desk.ok(&book_args(&gp, str_of(&slot, "id"), JANE, "Earache"));

    let run = desk.run(&["audit", "verify"]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("Audit trail intact: "),
        "{}",
        run.stdout
    );
    let report = desk.ok(&["audit", "verify"]);
    assert_eq!(report["intact"], true, "{report}");
    let checked = report["entries_checked"].as_u64().expect("count");
    assert!(checked >= 3, "find patient, slot search and book: {report}");

    let entries = desk.ok(&["audit", "list"]);
    let entries = entries.as_array().expect("entries");
    assert_eq!(entries.len() as u64, checked);
    let book = entries
        .iter()
        .find(|e| str_of(e, "interaction").ends_with("rest:create:appointment-1"))
        .expect("the booking is audited");
    assert_eq!(book["nhs_number"], JANE);
    assert_eq!(book["outcome"], "http 201");
    let listed = desk.run(&["audit", "list"]);
    listed.expect_code(0);
    assert!(listed.stdout.contains("rest:create:appointment-1"));

    tamper(
        &desk,
        "UPDATE audit_log SET outcome = 'http 500' WHERE id = 2",
    );
    let run = desk.run(&["audit", "verify"]);
    run.expect_code(1);
    assert!(run.stdout.contains("entry 2 was changed"), "{}", run.stdout);
    let report = desk.run_json(&["audit", "verify"]);
    report.expect_code(1);
    let report = report.json();
    assert_eq!(report["intact"], false);
    assert_eq!(report["broken_entry"], 2);
}

#[test]
fn audit_verify_finds_a_wiped_trail_and_a_wrong_key_is_named() {
    let (desk, gp, slot) = demo_slot("gp-practice");
    desk.ok(&book_args(&gp, str_of(&slot, "id"), JANE, "Earache"));
    let report = desk.ok(&["audit", "verify"]);
    assert_eq!(report["intact"], true, "{report}");
    assert!(report["sealed_with"].is_string(), "{report}");
    let checked = report["entries_checked"].as_i64().expect("count");
    assert_eq!(report["anchored_at"], checked, "{report}");

    // Every entry deleted and the id counter wound back: the anchor outside the file names the
    // last entry, which is no longer there.
    tamper(
        &desk,
        "DELETE FROM audit_log; UPDATE sqlite_sequence SET seq = 0 WHERE name = 'audit_log'",
    );
    let run = desk.run(&["audit", "verify"]);
    run.expect_code(1);
    assert!(
        run.stdout
            .contains(&format!("entries up to {checked} are missing")),
        "{}",
        run.stdout
    );

    // Another key in place of the demo's: the registry file, encrypted with the demo's key, does
    // not open; the desk says so and what to do, and writes nothing.
    let key_file = desk
        .data_dir()
        .join("demo")
        .join("bookings.sqlite.audit-key");
    std::fs::write(&key_file, "ab".repeat(32)).expect("replaced");
    let run = desk.run(&["audit", "verify"]);
    run.expect_code(1);
    assert!(
        run.stderr
            .contains("could not be read with this desk's key")
            && run.stderr.contains("demo reset"),
        "{}",
        run.stderr
    );
}

/// Every file and folder the demo writes holds patient data or the key that seals it: each is
/// owner-only on disk, though the process runs with the common umask 022.
#[test]
fn the_demos_files_are_owner_only_on_disk_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().expect("tempdir");
    let data = root.path().join("new").join("data");
    let run = |args: &[&str]| {
        let out = Command::new("sh")
            .arg("-c")
            .arg("umask 022 && exec \"$0\" \"$@\"")
            .arg(bookdesk_bin())
            .args(args)
            .env_remove("BOOKDESK_CONFIG")
            .env("BOOKDESK_DATA_DIR", &data)
            .stdin(Stdio::null())
            .output()
            .expect("bookdesk runs");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let service = "beckside-medical-practice";
    let mut search = slots_args(&["--service", service], 1, 7);
    search.push("--json".into());
    let search: Vec<&str> = search.iter().map(String::as_str).collect();
    let slots: Value = serde_json::from_slice(&run(&search)).expect("slots json");
    let slot = slots["slots"]
        .as_array()
        .and_then(|s| s.first())
        .expect("a free slot")
        .clone();
    run(&book_args(service, str_of(&slot, "id"), JANE, "Earache"));

    let mode = |p: &std::path::Path| {
        std::fs::metadata(p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .permissions()
            .mode()
            & 0o777
    };
    let demo = data.join("demo");
    for dir in [root.path().join("new"), data.clone(), demo.clone()] {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    }
    let mut files = 0;
    for entry in std::fs::read_dir(&demo).expect("demo folder") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            files += 1;
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
    for name in [
        "bookings.sqlite",
        "provider-state.json",
        "bookings.sqlite.audit-key",
        "bookings.sqlite.audit-anchor",
    ] {
        assert!(demo.join(name).exists(), "{name} was written");
    }
    assert!(files >= 4, "{files} files checked");
}

// --- The simulator as a separate process ------------------------------------------------------

/// Kills the simulator process when the test ends, however it ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A plain HTTP/1.1 GET, enough for the simulator's admin endpoint.
fn http_get_json(base_url: &str, path: &str) -> Value {
    let host = base_url.strip_prefix("http://").expect("http URL");
    let mut stream = TcpStream::connect(host).expect("connect to the simulator");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("timeout set");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("request sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response read");
    let (head, body) = response.split_once("\r\n\r\n").expect("HTTP response");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("admin body is JSON ({e}): {body}"))
}

#[test]
fn provider_sim_binary_writes_config_then_prints_its_url() {
    let exe =
        bookdesk_bin().with_file_name(format!("provider-sim{}", std::env::consts::EXE_SUFFIX));
    if !exe.exists() {
        eprintln!(
            "SKIPPED: {} is not built; run `cargo build -p provider-sim` to include this test",
            exe.display()
        );
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("desk").join("bookdesk.toml");
    let mut child = KillOnDrop(
        Command::new(&exe)
            .arg("--write-config")
            .arg(&config)
            .arg("--state")
            .arg(dir.path().join("state.json"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // Its request log is not read; a full pipe would stall the simulator.
            .stderr(Stdio::null())
            .spawn()
            .expect("provider-sim starts"),
    );
    let stdout = child.0.stdout.take().expect("stdout piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("provider-sim prints its URL");
    let url = line.trim().to_string();
    let port = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("first line is the loopback URL: {line:?}"));
    assert_ne!(port, 0);

    // The URL is printed only once both files are on disk.
    assert!(config.is_file(), "bookdesk.toml written");
    let services_toml = std::fs::read_to_string(config.with_file_name("services.toml"))
        .expect("services.toml written beside it");
    let base_urls: Vec<&str> = services_toml
        .lines()
        .filter_map(|l| l.strip_prefix("base_url = \""))
        .collect();
    assert!(!base_urls.is_empty(), "{services_toml}");
    assert!(
        base_urls.iter().all(|u| u.starts_with(&url)),
        "{services_toml}"
    );

    let desk = Desk::with_config(&config);
    let run = desk.run_json(&["services"]);
    run.expect_code(0);
    assert!(!run.stderr.contains("DEMO"), "{}", run.stderr);
    for s in run.json().as_array().expect("services") {
        assert!(str_of(s, "base_url").starts_with(&url), "{s}");
    }

    // A booking made through the desk is held by the separate simulator process.
    let gp = desk.service_of_kind("gp-practice");
    let slot = desk.slot_ahead(&gp);
    let args = book_args(&gp, str_of(&slot, "id"), DAVID, "Medication review");
    let booked = desk.ok(&args);
    let held = http_get_json(&url, "/_admin/appointments");
    let held = held.as_array().expect("admin lists appointments");
    let ours: Vec<&Value> = held
        .iter()
        .filter(|a| a["id"] == booked["appointment"]["id"])
        .collect();
    assert_eq!(ours.len(), 1, "{held:?}");
    assert_eq!(ours[0]["description"], "Medication review");
    drop(child);
}

// --- Known gap --------------------------------------------------------------------------------

#[test]

fn last_day_of_a_full_window_is_searched_at_every_standard() {
    let desk = Desk::demo();
    // The demo's urgent care is open every day, so its last day cannot be empty by chance.
    let service = desk.service_of_kind("urgent-care");
    let last = today() + Duration::days(15);
    let v = desk.search(&["--service", &service], 1, 15);
    let on_last_day = v["slots"]
        .as_array()
        .expect("slots")
        .iter()
        .filter(|s| start_of(s).with_timezone(&London).date_naive() == last)
        .count();
    assert!(on_last_day > 0, "{service} searched through {last}");
}

#[test]
fn a_slot_after_the_triage_timeframe_needs_a_clinicians_approval() {
    let (desk, service, slot) = demo_slot("gp-practice");
    let slot_id = str_of(&slot, "id").to_string();
    let mut late = book_args(&service, &slot_id, JANE, "Abdominal pain");
    late.extend(["--timeframe-minutes", "60"]);
    let e = desk.fails(&late, 1, "not-permitted");
    assert!(
        str_of(&e, "next_step").contains("clinician"),
        "says how to go on: {e}"
    );
    // Clap refuses half an approval before anything runs.
    let mut half = late.clone();
    half.extend(["--approved-by", "Dr Priya Shah"]);
    desk.run(&half).expect_code(2);

    let mut approved = late.clone();
    approved.extend([
        "--approved-by",
        "Dr Priya Shah",
        "--approval-reason",
        "Reviewed on the call; safe to be seen later.",
    ]);
    let booked = desk.ok(&approved);
    let id = assert_booked(&booked, &service, &slot, JANE);
    let approvals: Vec<Value> = history_of(&desk, &id)
        .into_iter()
        .filter(|e| {
            e["approved_by"]
                .as_str()
                .is_some_and(|by| by.starts_with("Dr Priya Shah"))
        })
        .collect();
    assert_eq!(approvals.len(), 1, "the approval is in the registry");
    // The demo names its approving clinician; a CIS2 desk has them sign in instead.
    let named = approvals[0]["approved_by"].as_str().unwrap_or_default();
    assert!(named.contains("demo clinician"), "{named}");
}

/// The example triage summary, assessed now with a generous timeframe, written to `dir`.
fn summary_file(dir: &std::path::Path, consent: bool) -> String {
    let mut s: Value =
        serde_json::from_str(include_str!("../../../tests/fixtures/triage-summary.json"))
            .expect("example summary");
    s["triage"]["assessed_at"] = Value::String(chrono::Utc::now().to_rfc3339());
    s["triage"]["timeframe_minutes"] = Value::from(14 * 24 * 60);
    s["consent_to_share"] = Value::Bool(consent);
    let path = dir.join(format!("summary-{consent}.json"));
    std::fs::write(&path, s.to_string()).expect("written");
    path.to_string_lossy().into_owned()
}

#[test]
fn clinical_preview_shows_what_each_standard_carries() {
    let desk = Desk::demo();
    let file = "../../tests/fixtures/triage-summary.json";
    let gp = desk.ok(&["clinical", "preview", file, "--standard", "gp-connect"]);
    assert_eq!(gp["standard"], "gp-connect");
    assert!(str_of(&gp["text"], "description").starts_with("Sore throat"));
    assert!(str_of(&gp["text"], "comment").contains("Dx05"));
    assert!(gp["document"].is_null());
    let uec = desk.ok(&["clinical", "preview", file, "--standard", "uec-booking"]);
    assert!(str_of(&uec, "document").contains("POCD_MT200001GB02"));
    let bars = desk.ok(&["clinical", "preview", file, "--standard", "bars"]);
    let bundle: Value = serde_json::from_str(str_of(&bars, "document")).expect("bundle JSON");
    assert_eq!(bundle["type"], "message");
    assert_eq!(
        bundle["entry"][0]["resource"]["eventCoding"]["code"],
        "booking-request"
    );
    // For people: the texts, then the document.
    let text = desk.run(&["clinical", "preview", file, "--standard", "gp-connect"]);
    text.expect_code(0);
    assert!(
        text.stdout.starts_with("Description: Sore throat"),
        "{}",
        text.stdout
    );
}

#[test]
fn booking_with_a_summary_delivers_the_report_and_refuses_without_consent() {
    let sim = TestSim::start(SimOptions::default());
    let desk = Desk::with_config(&sim.config());
    let files = tempfile::tempdir().expect("tempdir");
    let service = "calder-valley-utc";
    let slot = desk.slot_ahead(service);
    let slot_id = str_of(&slot, "id").to_string();

    let refused = summary_file(files.path(), false);
    let args = [
        "book",
        "--service",
        service,
        "--slot",
        slot_id.as_str(),
        "--nhs",
        JANE,
    ];
    let mut without = args.to_vec();
    without.extend(["--clinical", refused.as_str()]);
    let e = desk.fails(&without, 2, "invalid-input");
    assert!(str_of(&e, "message").contains("not agreed to share"), "{e}");
    assert!(sim.reports().is_empty());

    let consented = summary_file(files.path(), true);
    let mut with = args.to_vec();
    with.extend(["--clinical", consented.as_str()]);
    let booked = desk.ok(&with);
    let sent = &booked["clinical"];
    assert_eq!(sent["report_delivered"], true, "{booked}");
    let reports = sim.reports();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].report_id, str_of(sent, "report_id"));
    let appointment = str_of(&booked["appointment"], "id");
    assert!(
        reports[0]
            .xml
            .contains(&format!("/Appointment/{appointment}"))
    );
    // The description came from the summary, as the preview showed it.
    assert!(str_of(&booked["appointment"], "description").starts_with("Sore throat"));
}

// --- Clinical safety (tests/SAFETY.md) --------------------------------------------------------

/// Arms one of the simulator's faults (`POST /_admin/faults/{fault}`).
fn arm(sim: &TestSim, fault: &str) {
    let base = sim.base_url();
    let host = base.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(host).expect("simulator reachable");
    write!(
        s,
        "POST /_admin/faults/{fault} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .expect("request sent");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("answer read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// Arms the simulator's lost booking: the next booking is made but its answer never comes
/// back, and the check of the patient's appointments that follows is refused.
fn lose_next_booking(sim: &TestSim) {
    arm(sim, "lose-next-booking");
}

/// A desk on a simulator of its own (so its faults touch no other test), and a GP practice there.
fn desk_on_own_sim() -> (TestSim, Desk, String) {
    let sim = TestSim::start(SimOptions::default());
    let desk = Desk::with_config(&sim.config());
    let gp = sim.service("gp-practice", "gp-connect");
    (sim, desk, gp)
}

#[test]
fn a_booking_whose_outcome_is_unknown_exits_3_and_says_not_to_book_again() {
    let (sim, desk, gp) = desk_on_own_sim();
    let slot = desk.slot_ahead(&gp);
    let slot_id = str_of(&slot, "id").to_string();
    lose_next_booking(&sim);
    let args = book_args(&gp, &slot_id, DAVID, "Chest pain on exertion");
    let e = desk.fails(&args, 3, "outcome-unknown");
    assert!(str_of(&e, "next_step").contains("Do not book again"), "{e}");
    // The booking was in fact made, once, and the registry says its outcome is unknown.
    assert_eq!(sim.holding(&slot_id).len(), 1, "the service holds it");
    let history = desk.ok(&["bookings", "--history"]);
    let unknown: Vec<&Value> = history
        .as_array()
        .expect("history")
        .iter()
        .filter(|h| h["outcome"] == "unknown")
        .collect();
    assert_eq!(unknown.len(), 1, "{history}");

    // For a person: said first, in capitals, with what not to do; the same exit status.
    let other = desk.slot_ahead(&gp);
    let other_id = str_of(&other, "id").to_string();
    lose_next_booking(&sim);
    let mut plain_args = book_args(&gp, &other_id, DAVID, "Chest pain");
    plain_args.push("--book-anyway");
    let plain = desk.run(&plain_args);
    plain.expect_code(3);
    assert!(
        plain.stderr.contains("OUTCOME UNKNOWN") && plain.stderr.contains("Do not book again"),
        "{}",
        plain.stderr
    );
    assert!(!plain.stdout.contains("BOOKED"), "{}", plain.stdout);
    assert_eq!(
        sim.holding(&other_id).len(),
        1,
        "sent once, never again on a guess"
    );
}

#[test]
fn a_cancellation_says_what_to_tell_the_patient() {
    let (desk, gp, slot) = demo_slot("gp-practice");
    let booked = desk.ok(&book_args(&gp, str_of(&slot, "id"), JANE, "Earache"));
    let id = str_of(&booked["appointment"], "id").to_string();
    let args = appointment_args("cancel", &gp, &id, &["--reason", "Feeling better"]);
    let run = desk.run(&args);
    run.expect_code(0);
    let mut lines = run.stdout.lines();
    assert_eq!(lines.next(), Some("CANCELLED — tell the patient:"));
    let told = lines.next().unwrap_or_default();
    let name = str_of(&booked["appointment"], "service_name");
    assert!(
        told.contains(&format!("Your appointment at {name} on ")),
        "{told}"
    );
    // The practice's own reference, which the patient will be asked for (issue 18.9).
    let reference = str_of(&booked["appointment"], "service_reference");
    assert!(reference.starts_with("GPC-"), "{reference}");
    assert!(
        told.contains(&format!(
            "has been cancelled (Feeling better). Reference {reference}."
        )),
        "{told}"
    );
    assert_eq!(desk.show(&gp, &id)["status"], "cancelled");
}

#[test]
fn trace_logs_name_no_patient() {
    // The noisiest path: every log level, a lost answer and the check that follows it.
    let (sim, desk, gp) = desk_on_own_sim();
    let slot = desk.slot_ahead(&gp);
    let patient = desk.ok(&["patient", "--service", &gp, "--nhs", DAVID]);
    lose_next_booking(&sim);
    let args = book_args(&gp, str_of(&slot, "id"), DAVID, "Chest pain");
    let mut cmd = desk.command(&args);
    cmd.env("BOOKDESK_LOG", "trace");
    let run = Run::from_output(vec!["book".into()], cmd.output().expect("bookdesk runs"));
    run.expect_code(3);
    assert!(
        run.stderr.lines().count() > 20,
        "trace logging is on: {}",
        run.stderr
    );
    let spaced = format!("{} {} {}", &DAVID[..3], &DAVID[3..6], &DAVID[6..]);
    let family = str_of(&patient, "family").to_string();
    let given = patient["given"][0]
        .as_str()
        .expect("a given name")
        .to_string();
    for needle in [DAVID.to_string(), spaced, family, given] {
        assert!(
            !run.stderr.contains(&needle),
            "the logs name the patient ({needle})"
        );
    }
}

// --- Crash safety --------------------------------------------------------------------------------

/// The registry the simulator's desk configuration names, opened as the desk would open it,
/// with the name the desk records its bookings under.
fn registry_of(
    sim: &TestSim,
) -> (
    tokio::runtime::Runtime,
    booking_engine::store::Store,
    String,
) {
    let config = booking_engine::config::DeskConfig::load(&sim.config()).expect("config");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let store = runtime
        .block_on(booking_engine::open_store(&config))
        .expect("the registry opens");
    let desk_name = booking_engine::Desk::from_parts_with_tls(
        &config,
        store.clone(),
        booking_engine::transport::TlsSetup::default(),
    )
    .expect("desk")
    .name()
    .to_string();
    (runtime, store, desk_name)
}

/// A booking left in flight by a run that died (its intent written, no outcome) is settled at
/// the service by the next command, said on stderr and recorded.
#[test]
fn the_next_command_settles_a_booking_a_killed_run_left_in_flight() {
    let sim = TestSim::start(SimOptions::default());
    let desk = Desk::with_config(&sim.config());
    let service = sim.service("gp-practice", "gp-connect");
    let slot = desk.slot_ahead(&service);
    let (runtime, store, desk_name) = registry_of(&sim);
    runtime.block_on(async {
        store
            .begin_booking(&booking_engine::store::BookingIntent {
                request_id: "9b2f6c1e-7d4a-4e8b-a1f0-3c5d7e9b1a24".into(),
                recorded_at: chrono::Utc::now(),
                service_id: service.clone(),
                slot_ids: vec![str_of(&slot, "id").to_string()],
                slot_start: str_of(&slot, "start").to_string(),
                nhs_number: Some(JANE.into()),
                user_local_id: "alex.taylor".into(),
                user_name: "Alex Taylor".into(),
                desk: desk_name,
            })
            .await
            .expect("intent written");
    });
    let run = desk.run_json(&["bookings", "--history"]);
    run.expect_code(0);
    assert!(
        run.stderr.contains("INTERRUPTED BOOKING") && run.stderr.contains("was not made"),
        "{}",
        run.stderr
    );
    let events = run.json();
    let settled = events
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["request_id"] == "9b2f6c1e-7d4a-4e8b-a1f0-3c5d7e9b1a24")
        .expect("recorded");
    assert_eq!(settled["outcome"], "failed");
    // Settled once: the next command has nothing to say.
    let again = desk.run(&["bookings"]);
    assert!(
        !again.stderr.contains("INTERRUPTED BOOKING"),
        "{}",
        again.stderr
    );
}

/// `bookdesk book` killed with SIGKILL while the service has made the booking and not yet
/// answered: the registry opens on the next command with nothing committed lost, the booking's
/// intent is still there, and the next command settles it as made and records it.
#[test]
fn a_booking_run_killed_mid_request_is_settled_as_made_by_the_next_command() {
    let (sim, desk, gp) = desk_on_own_sim();
    let slots = desk.slots(&gp, 1, 8);
    let (before, during) = (str_of(&slots[0], "id"), str_of(&slots[1], "id"));
    let committed = desk.ok(&book_args(&gp, before, JANE, "Earache"));

    arm(&sim, "hold-next-booking");
    let mut run = desk.spawn(&book_args(&gp, during, DAVID, "Sore throat and fever"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while sim.holding(during).is_empty() {
        assert!(
            !run.has_exited(),
            "the booking run ended before the service made it"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "the service never made the booking"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    run.kill();
    let made = sim.holding(during);
    assert_eq!(made.len(), 1);

    let (runtime, store, desk_name) = registry_of(&sim);
    let intents = runtime
        .block_on(store.open_bookings(&desk_name))
        .expect("intents");
    drop((store, runtime));
    assert_eq!(
        intents.len(),
        1,
        "the intent was written before the request left"
    );
    assert_eq!(intents[0].slot_ids, vec![during.to_string()]);

    let next = desk.run_json(&["bookings", "--history"]);
    next.expect_code(0);
    let made_id = str_of(&made[0], "id");
    assert!(
        next.stderr.contains("INTERRUPTED BOOKING")
            && next
                .stderr
                .contains(&format!("was made: appointment {made_id}")),
        "{}",
        next.stderr
    );
    let events = next.json();
    let events = events.as_array().expect("events");
    let outcome_of = |appointment: &str| {
        events
            .iter()
            .filter(|e| e["appointment_id"] == appointment)
            .map(|e| e["outcome"].clone())
            .collect::<Vec<_>>()
    };
    let first_id = str_of(&committed["appointment"], "id");
    assert_eq!(
        outcome_of(first_id),
        vec!["succeeded"],
        "the earlier booking is kept"
    );
    assert_eq!(
        outcome_of(made_id),
        vec!["succeeded"],
        "the interrupted one is recorded"
    );
    let report = desk.ok(&["audit", "verify"]);
    assert_eq!(report["intact"], true, "{report}");
    let again = desk.run(&["bookings"]);
    assert!(
        !again.stderr.contains("INTERRUPTED BOOKING"),
        "{}",
        again.stderr
    );
}

/// Two real processes of one desk: while one waits for a slow service's answer to its booking,
/// every command the other runs leaves that booking alone. It is not interrupted but in hand,
/// and the outcome recorded is the service's, not a guess made from outside.
#[test]
fn a_command_never_settles_another_live_processs_booking() {
    let sim = TestSim::start(SimOptions {
        latency_ms: Some((1500, 1500)),
        ..SimOptions::default()
    });
    let desk = Desk::with_config(&sim.config());
    let gp = sim.service("gp-practice", "gp-connect");
    let slot = desk.slot_ahead(&gp);
    let slot_id = str_of(&slot, "id").to_string();

    let mut booking = desk.spawn(&book_args(&gp, &slot_id, JANE, "Earache"));
    let mut others = Vec::new();
    while !booking.has_exited() {
        others.push(desk.run(&["bookings"]));
    }
    let booked = booking.wait();
    booked.expect_code(0);
    assert!(
        others.len() > 3,
        "the other process ran while the booking was out"
    );
    for run in &others {
        run.expect_code(0);
        assert!(
            !run.stderr.contains("INTERRUPTED BOOKING"),
            "a live booking was settled by another process: {}",
            run.stderr
        );
    }
    let made = sim.holding(&slot_id);
    assert_eq!(made.len(), 1, "the service made it");
    let events = desk.ok(&["bookings", "--history"]);
    let outcomes: Vec<&Value> = events
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["action"] == "book" && e["slot_ids"].to_string().contains(&slot_id))
        .map(|e| &e["outcome"])
        .collect();
    assert_eq!(
        outcomes,
        vec!["succeeded"],
        "recorded as the service holds it"
    );
}

#[test]
fn a_reader_that_stops_reading_ends_the_command_quietly_not_in_a_panic() {
    let desk = Desk::demo();
    let mut child = desk.command(&["services"]).spawn().expect("starts");
    // `bookdesk services | head -0`: the reader is gone before anything is printed.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
}

#[test]
fn a_desk_with_no_services_list_says_how_to_find_services() {
    let sim = TestSim::start(SimOptions::default());
    // The simulator's configuration without its services list.
    let config = std::fs::read_to_string(sim.config()).expect("config");
    let listless: String = config
        .lines()
        .filter(|l| !l.starts_with("directory"))
        .map(|l| format!("{l}\n"))
        .collect();
    let path = sim.config().with_file_name("listless.toml");
    std::fs::write(&path, listless).expect("write");
    let desk = Desk::with_config(&path);

    let words = desk.run(&["services"]);
    words.expect_code(0);
    assert!(
        words.stdout.contains("no services list") && words.stdout.contains("--for"),
        "{}",
        words.stdout
    );
    let e = desk.fails(&["slots", "--all"], 2, "invalid-input");
    assert!(str_of(&e, "next_step").contains("--service"), "{e}");
}
