//! The desktop commands through Tauri's IPC, on the mock runtime (no window, no display), against
//! a real provider-sim on loopback: what the UI sends is what these tests send.

use booking_desk::{AppState, DemoRunning};
use booking_engine::Engine;
use booking_engine::config::DeskConfig;
use booking_engine::ids::ServiceId;
use booking_engine::store::BookingIntent;
use booking_engine::views::SlotView;
use provider_sim::RunningSim;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

#[path = "support/ipc.rs"]
mod ipc;
use ipc::{Desk, invoke, invoke_in, mount};

/// A running simulator and a desk configuration for it, in a fresh folder.
fn sim_and_config() -> (tempfile::TempDir, PathBuf, RunningSim) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config_path = dir.path().join("bookdesk.toml");
    let sim =
        tauri::async_runtime::block_on(provider_sim::start(provider_sim::SimOptions::default()))
            .expect("simulator");
    sim.write_config(&config_path).expect("config");
    (dir, config_path, sim)
}

/// The configuration's own engine, signed in as its user, as the CLI's would be.
fn engine_of(config_path: &Path) -> Engine {
    let config = DeskConfig::load(config_path).expect("loads");
    tauri::async_runtime::block_on(Engine::open(config)).expect("engine")
}

fn desk() -> Desk {
    let (dir, config_path, sim) = sim_and_config();
    let engine = engine_of(&config_path);
    mount(
        AppState::from_engine(engine.clone(), Some(DemoRunning::new(sim.base_url(), sim))),
        Some(engine),
        dir,
    )
}

#[test]
fn app_info_says_demo_and_who_is_signed_in() {
    let d = desk();
    let info = invoke(&d, "app_info", json!({})).expect("info");
    assert_eq!(info["demo"], true);
    assert_eq!(info["user"]["name"], "Alex Taylor");
    assert_eq!(info["user"]["role"], "call-handler");
    assert_eq!(info["organisation"]["ods"], "RYA");
    assert!(
        info["provider_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("http://127.0.0.1:"))
    );
    let w = invoke(&d, "default_window", json!({})).expect("window");
    let from = chrono::NaiveDate::parse_from_str(w["from"].as_str().expect("from"), "%Y-%m-%d")
        .expect("date");
    let to =
        chrono::NaiveDate::parse_from_str(w["to"].as_str().expect("to"), "%Y-%m-%d").expect("date");
    assert_eq!((to - from).num_days(), 14);
}

/// An app opened on a configuration file, as `BOOKDESK_CONFIG` does: nobody is signed in yet.
fn signed_out_desk() -> (Desk, RunningSim) {
    let (dir, config_path, sim) = sim_and_config();
    (open_signed_out(dir, config_path), sim)
}

fn open_signed_out(dir: tempfile::TempDir, config_path: PathBuf) -> Desk {
    let state = tauri::async_runtime::block_on(AppState::open(Some(config_path)));
    mount(state, None, dir)
}

fn person(name: &str, role: &str) -> Value {
    json!({"user": {
        "name": name,
        "sds_user_id": "555021935107",
        "sds_role_profile_id": "UNK",
        "local_id": "sam.okafor",
        "role": role,
    }})
}

#[test]
fn nothing_reaches_a_provider_until_a_named_person_signs_in() {
    let (d, _sim) = signed_out_desk();
    let info = invoke(&d, "app_info", json!({})).expect("info");
    assert!(info["user"].is_null(), "{info}");
    assert_eq!(info["organisation"]["ods"], "RYA");
    for (cmd, args) in [
        ("find_patient", json!({"nhs": "9434765919"})),
        ("list_services", json!({})),
        ("list_bookings", json!({})),
    ] {
        let e = invoke(&d, cmd, args).expect_err("signed out");
        assert_eq!(e["kind"], "sign-in-required", "{cmd}: {e}");
    }

    for bad in [person("admin", "clinician"), person("   ", "clinician")] {
        let e = invoke(&d, "sign_in", bad).expect_err("refused");
        assert_eq!(e["kind"], "invalid-input", "{e}");
    }
    let e = invoke(&d, "sign_in", person("Sam Okafor", "wizard")).expect_err("no such role");
    assert!(e.is_string() || e.is_object(), "{e}");

    let info = invoke(&d, "sign_in", person("Sam Okafor", "clinician")).expect("signed in")["info"]
        .clone();
    assert_eq!(info["user"]["name"], "Sam Okafor");
    assert_eq!(info["user"]["role"], "clinician");
    let found = invoke(&d, "find_patient", json!({"nhs": "9434765919"})).expect("found");
    assert!(found["patient"].is_object(), "{found}");

    // Switching user: the next person acts as themselves.
    let switched = invoke(&d, "sign_in", person("Pat Lee", "supervisor")).expect("switched");
    assert_eq!(switched["info"]["user"]["role"], "supervisor");
    let info = invoke(&d, "sign_out", json!({})).expect("signed out");
    assert!(info["user"].is_null());
    let e = invoke(&d, "find_patient", json!({"nhs": "9434765919"})).expect_err("signed out");
    assert_eq!(e["kind"], "sign-in-required");
}

#[test]
fn nhs_number_check_and_patient_lookup() {
    let d = desk();
    assert_eq!(
        invoke(&d, "check_nhs_number", json!({"input": "9434765919"})).expect("valid"),
        "943 476 5919"
    );
    let bad = invoke(&d, "check_nhs_number", json!({"input": "9434765918"})).expect_err("invalid");
    assert_eq!(bad["kind"], "invalid-input");
    assert!(bad["next_step"].as_str().is_some_and(|s| !s.is_empty()));
    let found = invoke(&d, "find_patient", json!({"nhs": "943 476 5919"})).expect("found");
    assert!(
        found["patient"]["family"]
            .as_str()
            .is_some_and(|f| f.eq_ignore_ascii_case("jackson"))
    );
    assert!(found["service_id"].is_string());
    // This desk names the simulator's PDS but holds no platform keys: the practices are asked,
    // and the answer says PDS was not.
    let not_asked = "The Personal Demographics Service could not be asked";
    assert!(
        found["pds_error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with(not_asked)),
        "{found}"
    );
    assert!(found["traced"].is_null());
    // No practice holds this number, and PDS could not say: not "no record", but why.
    let unknown = invoke(&d, "find_patient", json!({"nhs": "9000000009"})).expect_err("unsure");
    assert!(
        unknown["message"]
            .as_str()
            .is_some_and(|m| m.starts_with(not_asked)),
        "{unknown}"
    );
}

#[test]
fn book_list_amend_cancel_through_ipc() {
    let d = desk();
    let services = invoke(&d, "list_services", json!({})).expect("services");
    // GP Connect, UEC Booking and BaRS services alike.
    assert_eq!(services.as_array().map(Vec::len), Some(12));
    let window = invoke(&d, "default_window", json!({})).expect("window");
    let appointments_window = window.clone();
    // Slot search over IPC streams on a Channel, which the mock runtime cannot carry: find a
    // slot with the app's own engine, then book it through the command.
    let service = ServiceId::parse("beckside-medical-practice").expect("id");
    let slot_id = first_slot_ahead(d.engine.as_ref().expect("engine"), &service);
    // The request exactly as the UI sends it.
    let request = json!({"request": {
        "service_id": service.as_str(), "slot_ids": [slot_id], "nhs_number": "9434765919",
        "patient": null, "description": "Sore throat", "comment": null
    }});
    let outcome = invoke(&d, "book", request.clone()).expect("booked");
    let id = outcome["appointment"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(outcome["appointment"]["status"], "booked");

    // The patient now has an upcoming appointment: the engine asks whether it was seen.
    let again = invoke(&d, "book", request.clone()).expect_err("already booked");
    assert_eq!(again["kind"], "already-booked");
    // Seen and booked beside it: the service itself then refuses the slot it already gave.
    let mut beside = request;
    beside["request"]["book_beside"] =
        json!([{"service_id": service.as_str(), "appointment_id": id}]);
    let taken = invoke(&d, "book", beside).expect_err("taken");
    assert_eq!(taken["kind"], "slot-taken");

    let list = invoke(
        &d,
        "patient_appointments",
        json!({"nhs": "9434765919", "window": appointments_window}),
    )
    .expect("appointments");
    assert!(
        list["appointments"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["id"] == id.as_str()))
    );

    let amended = invoke(
        &d,
        "amend_appointment",
        json!({"serviceId": service.as_str(), "appointmentId": id, "description": null, "comment": "Rash too"}),
    )
    .expect("amended");
    assert_eq!(amended["comment"], "Rash too");
    let cancelled = invoke(
        &d,
        "cancel_appointment",
        json!({"serviceId": service.as_str(), "appointmentId": id, "reason": "Better"}),
    )
    .expect("cancelled");
    assert_eq!(cancelled["status"], "cancelled");
    let bookings = invoke(&d, "list_bookings", json!({})).expect("bookings");
    assert_eq!(bookings[0]["status"], "cancelled");
    assert_eq!(bookings[0]["appointment_id"], id.as_str());
}

/// Free slots a day or more ahead, soonest first.
fn slots_ahead(engine: &Engine, service: &ServiceId) -> Vec<SlotView> {
    use booking_engine::standards::SearchWindow;
    let today = engine.clock().uk_today();
    let w = SearchWindow::new(
        today + chrono::Duration::days(1),
        today + chrono::Duration::days(7),
    )
    .expect("window");
    let slots = tauri::async_runtime::block_on(engine.search_service(service, &w)).expect("slots");
    assert!(!slots.is_empty(), "{service} has free slots");
    slots
}

/// The first free slot a day or more ahead.
fn first_slot_ahead(engine: &Engine, service: &ServiceId) -> String {
    slots_ahead(engine, service)[0].id.to_string()
}

#[test]
fn a_startup_failure_is_reported_by_every_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state =
        tauri::async_runtime::block_on(AppState::open(Some(dir.path().join("missing.toml"))));
    let d = mount(state, None, dir);
    for cmd in ["app_info", "list_services", "list_bookings"] {
        let e = invoke(&d, cmd, json!({})).expect_err("not set up");
        assert_eq!(e["kind"], "config", "{cmd}");
        assert!(
            e["message"]
                .as_str()
                .is_some_and(|m| m.contains("could not be opened")),
            "{e}"
        );
    }
}

/// Today and the days either side, as the reports screen sends a range.
fn around_today() -> Value {
    // The desktop's desk reads the computer's clock, as the app does.
    let today = booking_engine::clock::Clock::uk_today(&booking_engine::clock::SystemClock);
    json!({"range": {
        "from": (today - chrono::Duration::days(1)).to_string(),
        "to": (today + chrono::Duration::days(1)).to_string(),
    }})
}

#[test]
fn the_centre_report_refuses_a_call_handler_and_answers_a_supervisor() {
    let d = desk();
    // One booking made at this desk, with the app's own engine, for the report to count.
    let service = ServiceId::parse("beckside-medical-practice").expect("id");
    let slot_id = first_slot_ahead(d.engine.as_ref().expect("engine"), &service);
    let request = json!({"request": {
        "service_id": service.as_str(), "slot_ids": [slot_id], "nhs_number": "9434765919",
        "patient": null, "description": "Sore throat", "comment": null
    }});
    let booked = invoke(&d, "book", request).expect("booked");
    let id = booked["appointment"]["id"]
        .as_str()
        .expect("id")
        .to_string();

    let e = invoke(&d, "centre_report", around_today()).expect_err("a call handler");
    assert_eq!(e["kind"], "not-permitted", "{e}");
    for (cmd, args) in [
        ("centre_bookings", json!({"filter": {}})),
        (
            "appointment_history",
            json!({"serviceId": service.as_str(), "appointmentId": id}),
        ),
    ] {
        let e = invoke(&d, cmd, args).expect_err("a call handler");
        assert_eq!(e["kind"], "not-permitted", "{cmd}: {e}");
    }

    invoke(&d, "sign_in", person("Pat Lee", "supervisor")).expect("signed in");
    let report = invoke(&d, "centre_report", around_today()).expect("the report");
    let bookings = report["bookings"].as_array().expect("bookings");
    assert_eq!(bookings.len(), 1, "{report}");
    assert_eq!(bookings[0]["service_id"], service.as_str());
    assert_eq!(bookings[0]["service_name"], "Beckside Medical Practice");
    assert_eq!(bookings[0]["count"], 1);
    assert_eq!(
        report["search_to_booked"]["count"], 0,
        "no fan-out search was run"
    );

    let filter = json!({"filter": {"from": null, "to": null, "service_id": service.as_str(),
        "status": "booked", "user_local_id": null, "desk": null}});
    let list = invoke(&d, "centre_bookings", filter).expect("the list");
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["appointment_id"], id.as_str());
    assert_eq!(list[0]["booked_by"], "Alex Taylor");
    let history = invoke(
        &d,
        "appointment_history",
        json!({"serviceId": service.as_str(), "appointmentId": id}),
    )
    .expect("history");
    assert_eq!(history["events"][0]["action"], "book");
    assert!(
        history["audit"].as_array().is_some_and(|a| !a.is_empty()),
        "{history}"
    );

    let long = json!({"range": {"from": "2026-01-01", "to": "2027-06-01"}});
    let e = invoke(&d, "centre_report", long).expect_err("too long");
    assert_eq!(e["kind"], "invalid-input");
}

/// Runs with `BOOKDESK_EXPORT_DIR` set: the test runs itself again in a child process with it
/// (the process's own environment is never changed under other tests).
#[test]
fn export_csv_writes_the_file_into_the_export_folder() {
    const NAME: &str = "export_csv_writes_the_file_into_the_export_folder";
    let Some(dir) = std::env::var_os("BOOKDESK_EXPORT_DIR") else {
        let dir = tempfile::tempdir().expect("tempdir");
        let status = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", NAME, "--test-threads", "1"])
            .env("BOOKDESK_EXPORT_DIR", dir.path().join("exports"))
            .status()
            .expect("runs");
        assert!(
            status.success(),
            "the export test with BOOKDESK_EXPORT_DIR set"
        );
        let written: Vec<_> = std::fs::read_dir(dir.path().join("exports"))
            .expect("the folder was made")
            .collect();
        assert_eq!(written.len(), 1);
        return;
    };
    let d = desk();
    let rows = json!([["Beckside, Leeds", "say \"hi\"", "3"], ["=1+1", "", "0"]]);
    let path = invoke(
        &d,
        "export_csv",
        json!({"name": "Centre Report/../../x", "header": ["service", "note", "count"], "rows": rows}),
    )
    .expect("exported");
    let path = std::path::PathBuf::from(path.as_str().expect("a path"));
    assert_eq!(path.parent(), Some(std::path::Path::new(&dir)));
    let file = path
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(file.starts_with("centre-report-x-20"), "{file}");
    assert!(
        file.ends_with(".csv") && file.len() == "centre-report-x-".len() + 17 + 4,
        "{file}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "service,note,count\r\n\"Beckside, Leeds\",\"say \"\"hi\"\"\",3\r\n'=1+1,,0\r\n"
    );

    invoke(&d, "sign_out", json!({})).expect("signed out");
    let e = invoke(
        &d,
        "export_csv",
        json!({"name": "x", "header": [], "rows": []}),
    )
    .expect_err("signed out");
    assert_eq!(e["kind"], "sign-in-required");
}

/// What a run killed with its booking request out leaves in the registry: the intent, no outcome.
fn leave_in_flight(killed: &Engine, slot: &SlotView, request_id: &str) {
    let intent = BookingIntent {
        request_id: request_id.into(),
        recorded_at: chrono::Utc::now(),
        service_id: slot.service_id.to_string(),
        slot_ids: vec![slot.id.to_string()],
        slot_start: slot.start.to_rfc3339(),
        nhs_number: Some("9434765919".into()),
        user_local_id: "alex.taylor".into(),
        user_name: "Alex Taylor".into(),
        desk: killed.desk().name().into(),
    };
    tauri::async_runtime::block_on(killed.store().begin_booking(&intent)).expect("intent written");
}

#[test]
fn the_first_sign_in_settles_bookings_a_killed_run_left_in_flight() {
    let (dir, config_path, sim) = sim_and_config();
    let gp = ServiceId::parse("beckside-medical-practice").expect("id");
    let uec = sim
        .services()
        .into_iter()
        .find(|s| s.standard == "uec-booking")
        .map(|s| ServiceId::parse(&s.id).expect("id"))
        .expect("a UEC Booking service");
    let killed = engine_of(&config_path);
    let gp_slots = slots_ahead(&killed, &gp);
    let (made, lost) = (&gp_slots[0], &gp_slots[1]);
    let unsearchable = &slots_ahead(&killed, &uec)[0];
    // 1. Made at the service before the run died: another desk (its own registry) plays the
    //    service's side by booking the same slot for the same patient.
    leave_in_flight(&killed, made, "6f1d2c3b-4a5e-4f60-8a71-92b3c4d5e6f7");
    let mut other = DeskConfig::load(&config_path).expect("loads");
    other.store = dir
        .path()
        .join("other.sqlite")
        .to_string_lossy()
        .into_owned();
    let other = tauri::async_runtime::block_on(Engine::open(other)).expect("other desk");
    let request = serde_json::from_value(json!({
        "service_id": gp.as_str(), "slot_ids": [made.id.as_str()], "nhs_number": "9434765919",
        "patient": null, "description": "Sore throat", "comment": null
    }))
    .expect("request");
    let at_service = tauri::async_runtime::block_on(other.book(request)).expect("made");
    // 2. Never reached the service (GP Connect can be searched): not made.
    leave_in_flight(&killed, lost, "7a2e3d4c-5b6f-4071-9b82-a3c4d5e6f708");
    // 3. UEC Booking has no search: left for a person to check.
    leave_in_flight(
        &killed,
        unsearchable,
        "8b3f4e5d-6c70-4182-8c93-b4d5e6f70819",
    );
    drop(killed);

    let d = open_signed_out(dir, config_path);
    let answer = invoke(&d, "sign_in", person("Sam Okafor", "call-handler")).expect("signed in");
    assert_eq!(answer["info"]["user"]["name"], "Sam Okafor");
    let interrupted = &answer["interrupted"];
    assert!(interrupted["error"].is_null(), "{interrupted}");
    let settled = interrupted["settled"].as_array().expect("a list");
    assert_eq!(settled.len(), 3, "{interrupted}");
    let of = |slot: &SlotView| {
        settled
            .iter()
            .find(|r| r["slot_ids"] == json!([slot.id.as_str()]))
            .unwrap_or_else(|| panic!("{} settled: {interrupted}", slot.id))
    };
    let starts_at = |r: &Value, slot: &SlotView| {
        let start = chrono::DateTime::parse_from_rfc3339(r["slot_start"].as_str().expect("start"))
            .expect("an instant");
        assert_eq!(start, slot.start, "{r}");
    };
    let booked = of(made);
    assert_eq!(booked["settled"], "booked");
    assert_eq!(booked["service_name"], "Beckside Medical Practice");
    assert_eq!(
        booked["appointment_id"],
        at_service.appointment.id.as_str(),
        "{booked}"
    );
    starts_at(booked, made);
    let not_made = of(lost);
    assert_eq!(not_made["settled"], "not-booked");
    assert!(not_made["appointment_id"].is_null());
    starts_at(not_made, lost);
    let unknown = of(unsearchable);
    assert_eq!(unknown["settled"], "still-unknown");
    assert!(
        unknown["message"]
            .as_str()
            .is_some_and(|m| m.contains("call the service")),
        "{unknown}"
    );
    starts_at(unknown, unsearchable);

    // Recorded in the registry: the booking made is among what this desk booked.
    let bookings = invoke(&d, "list_bookings", json!({})).expect("bookings");
    assert!(
        bookings.as_array().is_some_and(|b| b
            .iter()
            .any(|x| x["appointment_id"] == booked["appointment_id"])),
        "{bookings}"
    );
    // Settled once: the next person to sign in is told nothing more.
    let again = invoke(&d, "sign_in", person("Pat Lee", "supervisor")).expect("switched");
    assert_eq!(
        again["interrupted"],
        json!({"settled": [], "error": null, "left_open": []})
    );
}

/// The idle lock's monotonic clock, moved on by hand: minutes after the test began.
struct IdleClock(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl IdleClock {
    fn on(state: &AppState) -> Self {
        let minutes = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let start = std::time::Instant::now();
        let m = std::sync::Arc::clone(&minutes);
        state.set_monotonic_clock(std::sync::Arc::new(move || {
            start + std::time::Duration::from_secs(60 * m.load(std::sync::atomic::Ordering::SeqCst))
        }));
        Self(minutes)
    }

    fn set(&self, minutes: u64) {
        self.0.store(minutes, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn the_desk_locks_when_left_the_same_person_carries_on_and_another_starts_afresh() {
    let (dir, config_path, _sim) = sim_and_config();
    let state = tauri::async_runtime::block_on(AppState::open(Some(config_path)));
    let clock = IdleClock::on(&state);
    let d = mount(state, None, dir);
    let info = invoke(&d, "app_info", json!({})).expect("info");
    assert_eq!(info["idle_lock_minutes"], 10);
    assert_eq!(info["sign_in"], "named", "a simulator-only desk");
    invoke(&d, "sign_in", person("Sam Okafor", "call-handler")).expect("signed in");

    clock.set(9);
    invoke(&d, "still_here", json!({})).expect("in use at 9 minutes");
    clock.set(18);
    invoke(&d, "find_patient", json!({"nhs": "9434765919"})).expect("used at 18");
    assert_eq!(
        invoke(&d, "app_info", json!({})).expect("info")["locked"],
        false
    );

    // Ten minutes after the last use: nothing more in Sam's name, and the screen is told.
    clock.set(28);
    assert_eq!(
        invoke(&d, "app_info", json!({})).expect("info")["locked"],
        true
    );
    for (cmd, args) in [
        ("find_patient", json!({"nhs": "9434765919"})),
        ("still_here", json!({})),
        ("list_bookings", json!({})),
    ] {
        let e = invoke(&d, cmd, args).expect_err("locked");
        assert_eq!(e["kind"], "sign-in-required", "{cmd}: {e}");
        assert!(
            e["message"].as_str().unwrap_or("").contains("10 minutes"),
            "{e}"
        );
    }

    // The same person signs in again and carries on; someone else starts afresh.
    clock.set(30);
    let again = invoke(&d, "sign_in", person("Sam Okafor", "call-handler")).expect("again");
    assert_eq!(again["same_person"], true);
    assert_eq!(again["info"]["locked"], false);
    invoke(&d, "find_patient", json!({"nhs": "9434765919"})).expect("unlocked");
    invoke(&d, "lock_desk", json!({})).expect("locked by hand");
    let e = invoke(&d, "list_bookings", json!({})).expect_err("locked by hand");
    assert_eq!(e["kind"], "sign-in-required");
    let other = invoke(&d, "sign_in", person("Pat Lee", "clinician")).expect("someone else");
    assert_eq!(other["same_person"], false);
    assert_eq!(other["info"]["user"]["name"], "Pat Lee");
}

/// Issue 19.5: a booking whose answer was lost, left by a person who stepped away, is settled
/// at the service before someone else takes the desk, and that person is told what became of
/// it; the registry records the booking as made.
#[test]
fn a_booking_left_unknown_is_settled_when_someone_else_signs_in() {
    let (dir, config_path, sim) = sim_and_config();
    let d = open_signed_out(dir, config_path);
    invoke(&d, "sign_in", person("Sam Okafor", "call-handler")).expect("signed in");
    let service = ServiceId::parse("beckside-medical-practice").expect("id");
    let engine = {
        use tauri::Manager;
        tauri::async_runtime::block_on(d.window.state::<AppState>().engine()).expect("engine")
    };
    let slot = slots_ahead(&engine, &service).remove(0);
    sim.lose_next_booking();
    let lost = invoke(
        &d,
        "book",
        json!({"request": {
            "service_id": service.as_str(), "slot_ids": [slot.id.as_str()],
            "nhs_number": "9434765919", "patient": null, "description": "Sore throat",
            "comment": null
        }}),
    )
    .expect_err("answer lost");
    assert_eq!(lost["kind"], "outcome-unknown", "{lost}");
    invoke(&d, "lock_desk", json!({})).expect("Sam steps away");

    let pat = invoke(&d, "sign_in", person("Pat Lee", "call-handler")).expect("Pat");
    assert_eq!(pat["same_person"], false);
    let left = pat["interrupted"]["left_open"].as_array().expect("a list");
    assert_eq!(left.len(), 1, "{pat}");
    assert_eq!(left[0]["settled"], "booked", "{}", left[0]);
    assert_eq!(left[0]["slot_ids"], json!([slot.id.as_str()]));
    assert_eq!(left[0]["nhs_number"], "9434765919");
    assert!(
        left[0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("A booking whose outcome was not known")),
        "{}",
        left[0]
    );
    // The registry holds it as made, in Sam's name; nothing is left to settle.
    let bookings = invoke(&d, "list_bookings", json!({})).expect("bookings");
    let made = bookings
        .as_array()
        .and_then(|b| {
            b.iter()
                .find(|x| x["appointment_id"] == left[0]["appointment_id"])
        })
        .unwrap_or_else(|| panic!("recorded as booked: {bookings}"));
    assert_eq!(made["booked_by"], "Sam Okafor", "{made}");
    let again = invoke(&d, "sign_in", person("Sam Okafor", "call-handler")).expect("Sam");
    assert_eq!(again["interrupted"]["left_open"], json!([]));
}

#[path = "../engine/tests/support/oidc.rs"]
mod oidc;

/// A desk on the simulator that signs people in with CIS2 at a real OpenID provider, on the
/// real clock (the app's is); the provider's `admin` user is the desk's administrator.
fn cis2_desk() -> (Desk, RunningSim, oidc::Provider) {
    let idp = oidc::start_now();
    let (dir, config_path, sim) = sim_and_config();
    let text = std::fs::read_to_string(&config_path).expect("config");
    let (head, rest) = text
        .split_once("[user]")
        .expect("the simulator names a user");
    let (_, tail) = rest.split_once("[organisation]").expect("organisation");
    let cis2 = format!(
        "{head}[organisation]{tail}\n[cis2]\nissuer = \"{}\"\nclient_id = \"booking-desk\"\nsign_in_timeout_secs = 30\n\n[cis2.roles.administrator]\njob_roles = [\"R8013\"]\n",
        idp.issuer
    );
    std::fs::write(&config_path, cis2).expect("write");
    let state = tauri::async_runtime::block_on(AppState::open(Some(config_path)));
    (mount(state, None, dir), sim, idp)
}

/// Signs in as the provider's `user`, through its own pages.
fn cis2_sign_in(d: &Desk, user: &'static str) -> Result<Value, Value> {
    use tauri::Manager;
    let state = d.window.state::<AppState>();
    let browser = std::sync::Mutex::new(Some(oidc::browser(user)));
    state.set_browser(std::sync::Arc::new(move |url: &str| {
        let open = browser
            .lock()
            .expect("lock")
            .take()
            .expect("one sign-in a browser");
        open(url)
    }));
    invoke(d, "sign_in_cis2", json!({}))
}

#[test]
fn a_sign_in_waiting_on_the_browser_can_be_cancelled_and_the_next_one_works() {
    use tauri::Manager;
    let (d, _sim, _idp) = cis2_desk();
    let state = d.window.state::<AppState>();
    // The person never finishes in the browser: it only tells the test it was opened.
    let (opened, browser_shown) = std::sync::mpsc::channel::<()>();
    let opened = std::sync::Mutex::new(opened);
    state.set_browser(std::sync::Arc::new(move |_url: &str| {
        let _ = opened.lock().expect("lock").send(());
        Ok(())
    }));
    let started = std::time::Instant::now();
    let answer = std::thread::scope(|s| {
        let waiting = s.spawn(|| invoke_in(&d.window, "sign_in_cis2", json!({})));
        browser_shown
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("the sign-in page was opened");
        invoke(&d, "cancel_sign_in", json!({})).expect("cancelled");
        waiting.join().expect("the sign-in answered")
    });
    let e = answer.expect_err("cancelled, not signed in");
    assert_eq!(e["kind"], "sign-in-required", "{e}");
    assert!(
        e["message"]
            .as_str()
            .is_some_and(|m| m.contains("cancelled")),
        "{e}"
    );
    // Well before the 30 s the desk would otherwise wait for the browser.
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let info = invoke(&d, "app_info", json!({})).expect("info");
    assert!(info["user"].is_null(), "nobody signed in: {info}");

    // A cancel with nothing waiting is kept for nobody: the next sign-in goes through.
    invoke(&d, "cancel_sign_in", json!({})).expect("nothing to cancel");
    let signed = cis2_sign_in(&d, "handler").expect("signed in");
    assert_eq!(signed["state"], "signed-in", "{signed}");
}

#[test]
fn a_cis2_desk_signs_people_in_at_the_provider_and_only_its_administrator_sees_the_keys() {
    let (d, _sim, _idp) = cis2_desk();
    let info = invoke(&d, "app_info", json!({})).expect("info");
    assert_eq!(info["sign_in"], "cis2");
    let e = invoke(&d, "sign_in", person("Sam Okafor", "supervisor")).expect_err("typed");
    assert_eq!(
        e["kind"], "sign-in-required",
        "no typed identities here: {e}"
    );

    let signed = cis2_sign_in(&d, "handler").expect("signed in");
    assert_eq!(signed["state"], "signed-in", "{signed}");
    let user = &signed["info"]["user"];
    assert_eq!(user["name"], "Amira Okafor");
    assert_eq!(user["role"], "call-handler");
    assert_eq!(user["sds_user_id"], "555000000101", "from the ID token");
    let e = invoke(&d, "secrets_status", json!({})).expect_err("a call handler");
    assert_eq!(e["kind"], "not-permitted", "{e}");
    invoke(&d, "find_patient", json!({"nhs": "9434765919"})).expect("works as herself");

    let admin = cis2_sign_in(&d, "admin").expect("administrator");
    assert_eq!(admin["info"]["user"]["role"], "administrator", "{admin}");
    let keys = invoke(&d, "secrets_status", json!({})).expect("the administrator's");
    assert!(keys.as_array().is_some_and(|k| !k.is_empty()), "{keys}");
    let e = invoke(&d, "find_patient", json!({"nhs": "9434765919"})).expect_err("no patients");
    assert_eq!(
        e["kind"], "not-permitted",
        "an administrator books nothing: {e}"
    );

    let several = cis2_sign_in(&d, "multi").expect("several roles");
    assert_eq!(several["state"], "choose-role", "{several}");
    let choices = several["choices"].as_array().expect("choices");
    assert_eq!(choices.len(), 2, "only the two at RYA: {several}");
    let clinician = choices
        .iter()
        .find(|c| c["role"] == "clinician")
        .expect("a clinician role")
        .clone();
    let chosen = invoke(&d, "choose_role", json!({"choice": clinician})).expect("chosen");
    assert_eq!(chosen["info"]["user"]["role"], "clinician");
    assert_eq!(
        chosen["info"]["user"]["sds_role_profile_id"],
        "555000002108"
    );

    let e = cis2_sign_in(&d, "norole").expect_err("no mapped role");
    assert_eq!(e["kind"], "not-permitted", "{e}");
}
