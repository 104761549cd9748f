//! The browser preview's answers (`ui/src/preview/recorded.json`), recorded from the real
//! commands: a call handler's walk through the demo, at a fixed instant, through the same IPC the
//! UI uses. The preview answers only from this file, so it shows what the engine says and has no
//! rules of its own to drift. `UPDATE_RECORDED_ANSWERS=1` writes the file; otherwise the test
//! fails when the file no longer matches what the engine answers (ids and instants aside, which
//! differ run to run).

#[path = "support/ipc.rs"]
mod ipc;

use std::sync::Arc;

use booking_desk::{AppState, DemoRunning};
use booking_engine::clock::ClockFrom;
use booking_engine::config::DeskConfig;
use booking_engine::secrets::Secret;
use booking_engine::{Desk, Engine};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// A Tuesday morning well clear of both clock changes.
const AT: &str = "2026-03-10T09:00:00Z";

/// The walk's answers, in the order the person met them.
struct Recording {
    desk: ipc::Desk,
    entries: Vec<Value>,
}

impl Recording {
    /// Invokes `cmd` as the UI does and records the answer. `any_args`: the preview gives this
    /// answer whatever the screen sends (what the person picked or typed differs from the walk).
    fn call(&mut self, cmd: &str, args: Value, any_args: bool) -> Result<Value, Value> {
        let answer = ipc::invoke(&self.desk, cmd, args.clone());
        let recorded = match &answer {
            Ok(v) => json!({ "ok": v }),
            Err(e) => json!({ "error": e }),
        };
        self.entries.push(json!({
            "cmd": cmd,
            "args": if any_args { Value::Null } else { args },
            "answer": recorded,
        }));
        answer
    }
}

fn at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(AT)
        .expect("instant")
        .with_timezone(&Utc)
}

/// The demo services from `AT`, and the desktop app on a desk signed in to them.
fn demo_app() -> (tempfile::TempDir, Engine, ipc::Desk) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bookdesk.toml");
    let options = provider_sim::SimOptions {
        start_at: Some(at()),
        ..Default::default()
    };
    let sim = tauri::async_runtime::block_on(provider_sim::start(options)).expect("simulator");
    sim.write_config(&path).expect("config");
    let config = DeskConfig::load(&path).expect("config loads");
    let desk = tauri::async_runtime::block_on(Desk::open(&config))
        .expect("desk")
        .with_clock(Arc::new(ClockFrom::new(at())))
        .expect("clock");
    let key = provider_sim::embedded::register_throwaway_desk_key(&sim).expect("platform key");
    desk.use_platform_credentials(Secret::new(key.api_key), Secret::new(key.private_key_pem))
        .expect("platform key used");
    desk.use_dos_password(Secret::new(provider_sim::DEMO_DOS_PASSWORD))
        .expect("DoS password");
    let engine = desk
        .sign_in(config.session().expect("session").user)
        .expect("signed in");
    let state = AppState::from_engine(engine.clone(), Some(DemoRunning::new(sim.base_url(), sim)));
    let app = ipc::mount(
        state,
        Some(engine.clone()),
        tempfile::tempdir().expect("tempdir"),
    );
    (dir, engine, app)
}

/// The call handler's walk: signed out, signs in, looks up each demo patient and a wrong
/// number, searches a day, books, reads the patient's appointments and cancels.
fn walk() -> Value {
    let (_dir, engine, desk) = demo_app();
    let mut r = Recording {
        desk,
        entries: Vec::new(),
    };
    r.call("sign_out", json!({}), false).expect("signed out");
    r.entries.clear();
    r.call("app_info", json!({}), false).expect("info");
    r.call("first_screen_shown", json!({ "screen": "sign-in" }), false)
        .expect("shown");
    let person = json!({ "user": {
        "name": "Alex Taylor",
        "sds_user_id": "555021935107",
        "sds_role_profile_id": "555021936102",
        "local_id": "alex.taylor",
        "role": "call-handler",
    }});
    r.call("sign_in", person, true).expect("signed in");
    r.call("app_info", json!({}), false).expect("info");
    let window = r.call("default_window", json!({}), false).expect("window");
    let services = r.call("list_services", json!({}), false).expect("services");
    r.call("known_dispositions", json!({}), false)
        .expect("dispositions");
    r.call("secrets_status", json!({}), false).expect("secrets");
    for p in provider_sim::demo_patients() {
        r.call("check_nhs_number", json!({ "input": p.nhs_number }), false)
            .expect("valid");
        r.call("find_patient", json!({ "nhs": p.nhs_number }), false)
            .expect("found");
    }
    r.call("check_nhs_number", json!({ "input": "1234567890" }), false)
        .expect_err("not a valid NHS number");
    let patient = &provider_sim::demo_patients()[0];
    let ids: Vec<Value> = services
        .as_array()
        .expect("services")
        .iter()
        .map(|s| s["id"].clone())
        .collect();
    r.call(
        "upcoming_appointments",
        json!({ "nhs": patient.nhs_number, "services": ids }),
        true,
    )
    .expect("upcoming");
    let day = window["from"].clone();
    let request = json!({ "services": ids, "window": { "from": day, "to": day }, "channel": null });
    let events = search(&engine, &request);
    r.entries.push(json!({
        "cmd": "search_slots",
        "args": Value::Null,
        "answer": { "ok": null },
        "events": events,
    }));
    let slot = first_slot(&events).unwrap_or_else(|| panic!("a free slot on the day: {events:#?}"));
    let booking = json!({ "request": {
        "service_id": slot["service_id"],
        "slot_ids": [slot["id"]],
        "slot_start": slot["start"],
        "nhs_number": patient.nhs_number,
        "patient": null,
        "description": "Sore throat and fever for three days",
        "comment": null,
        "timeframe": null,
        "clinical_approval": null,
        "clinical": null,
    }});
    let booked = r.call("book", booking, true).expect("booked");
    r.call(
        "patient_appointments",
        json!({ "nhs": patient.nhs_number, "window": window }),
        true,
    )
    .expect("appointments");
    r.call("list_bookings", json!({}), false).expect("bookings");
    r.call(
        "cancel_appointment",
        json!({
            "serviceId": booked["appointment"]["service_id"],
            "appointmentId": booked["appointment"]["id"],
            "reason": "Patient feels better",
        }),
        true,
    )
    .expect("cancelled");
    json!({
        "about": "Recorded from the engine by src-tauri/tests/recorded_answers.rs: do not edit; \
                  UPDATE_RECORDED_ANSWERS=1 cargo test -p booking-desk --test recorded_answers",
        "at": AT,
        "entries": r.entries,
    })
}

/// Every event of a search, in an order that does not depend on which service answered first.
fn search(engine: &Engine, request: &Value) -> Vec<Value> {
    let request = serde_json::from_value(request.clone()).expect("search request");
    let mut events: Vec<Value> = tauri::async_runtime::block_on(async {
        let mut rx = engine.search(request);
        let mut all = Vec::new();
        while let Some(e) = rx.recv().await {
            all.push(serde_json::to_value(e).expect("event"));
        }
        all
    });
    let finished = events.iter().position(|e| e["event"] == "finished");
    let last = finished.map(|i| events.remove(i));
    events.sort_by_key(|e| e["service_id"].as_str().unwrap_or_default().to_string());
    events.extend(last);
    events
}

fn first_slot(events: &[Value]) -> Option<&Value> {
    events
        .iter()
        .filter(|e| e["event"] == "slots")
        .flat_map(|e| e["slots"].as_array().into_iter().flatten())
        .next()
}

/// `s` with the loopback port the demo services happened to get left out.
fn without_port(s: &str) -> String {
    const HOST: &str = "127.0.0.1:";
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(HOST) {
        out.push_str(&rest[..i + HOST.len()]);
        rest = rest[i + HOST.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push_str("PORT");
    }
    out + rest
}

/// `v` with what differs from run to run made the same: ids that are UUIDs numbered by first
/// appearance, instants cut to the minute (the clock runs on from `AT` while the walk runs), and
/// the demo services' port.
fn steady(v: &Value, uuids: &mut Vec<String>) -> Value {
    match v {
        Value::String(s) if uuid::Uuid::parse_str(s).is_ok() => {
            let n = uuids.iter().position(|u| u == s).unwrap_or_else(|| {
                uuids.push(s.clone());
                uuids.len() - 1
            });
            Value::String(format!("uuid-{n}"))
        }
        Value::String(s) => match DateTime::parse_from_rfc3339(s) {
            Ok(t) => Value::String(t.format("%Y-%m-%dT%H:%M").to_string()),
            Err(_) => Value::String(without_port(s)),
        },
        Value::Array(a) => Value::Array(a.iter().map(|x| steady(x, uuids)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), steady(x, uuids)))
                .collect(),
        ),
        _ => v.clone(),
    }
}

#[test]
fn the_browser_previews_answers_are_the_engines() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../ui/src/preview/recorded.json"
    );
    let now = walk();
    if std::env::var("UPDATE_RECORDED_ANSWERS").is_ok_and(|v| v == "1") {
        let text = serde_json::to_string_pretty(&now).expect("json") + "\n";
        std::fs::write(path, text).expect("recorded answers written");
        return;
    }
    let text = std::fs::read_to_string(path)
        .expect("recorded answers: run with UPDATE_RECORDED_ANSWERS=1");
    let kept: Value = serde_json::from_str(&text).expect("recorded answers are JSON");
    let (now, kept) = (
        steady(&now, &mut Vec::new()),
        steady(&kept, &mut Vec::new()),
    );
    let entries = |v: &Value| v["entries"].as_array().cloned().unwrap_or_default();
    for (i, (n, k)) in entries(&now).iter().zip(entries(&kept).iter()).enumerate() {
        assert_eq!(
            n, k,
            "entry {i} ({}) differs from the engine's answer: run with UPDATE_RECORDED_ANSWERS=1",
            n["cmd"]
        );
    }
    assert_eq!(
        now, kept,
        "the walk changed: run with UPDATE_RECORDED_ANSWERS=1"
    );
}
