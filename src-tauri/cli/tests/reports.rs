//! `bookdesk report` and `bookdesk bookings --centre / --history` as a supervisor runs them,
//! against a simulated provider: the JSON is the engine's own report over the same registry, the
//! CSV reads back (with an independent RFC 4180 reader) to the same counts, and a call handler
//! is refused with the not-permitted error and exit status 1.

mod support;

use booking_engine::Engine;
use booking_engine::clock::{Clock, SystemClock};
use booking_engine::config::DeskConfig;
use booking_engine::reports::{CentreReport, ReportRange};
use chrono::Duration;
use provider_sim::SimOptions;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::{DAVID, Desk, JANE, TestSim, appointment_args, book_args, str_of};

/// The simulator's configuration with a supervisor as its user, beside it (the same registry).
fn supervisor_config(sim: &TestSim) -> PathBuf {
    let text = std::fs::read_to_string(sim.config()).expect("config");
    assert!(text.contains("role = \"call-handler\""), "{text}");
    let text = text.replace("role = \"call-handler\"", "role = \"supervisor\"")
        + "\n[desk]\nname = \"supervisor desk\"\n";
    let path = sim.config().with_file_name("supervisor.toml");
    std::fs::write(&path, text).expect("written");
    path
}

/// The engine's report for the same registry, opened as the supervisor's desk.
fn engine_report(config: &Path, range: ReportRange) -> CentreReport {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let engine = Engine::open(DeskConfig::load(config).expect("loads"))
            .await
            .expect("opens");
        engine.centre_report(&range).await.expect("report")
    })
}

/// Some real work by the call handler: a search, two bookings, a slot lost, a cancellation, and
/// a search that finds nothing. Returns the cancelled appointment's service and id.
fn work(handler: &Desk) -> (String, String) {
    let gp = handler.service_of("gp-practice", "gp-connect");
    let slot = handler.slot_ahead(&gp);
    let slot_id = str_of(&slot, "id");
    let booked = handler.ok(&book_args(&gp, slot_id, JANE, "Persistent cough"));
    let id = str_of(&booked["appointment"], "id").to_string();
    handler.fails(&book_args(&gp, slot_id, DAVID, "Earache"), 1, "slot-taken");
    let other = handler.slot_ahead(&gp);
    handler.ok(&book_args(&gp, str_of(&other, "id"), DAVID, "Earache"));
    handler.cancel(&gp, &id, "Feeling better");
    let far = handler.search(&["--service", gp.as_str()], 40, 50);
    assert!(far["slots"].as_array().is_some_and(Vec::is_empty), "{far}");
    (gp, id)
}

fn range_args(range: &ReportRange) -> Vec<String> {
    vec![
        "report".into(),
        "--from".into(),
        range.from.to_string(),
        "--to".into(),
        range.to.to_string(),
    ]
}

/// Each figure's total count from a report's CSV, read with the `csv` crate.
fn csv_totals(text: &str) -> BTreeMap<String, u64> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        [
            "figure",
            "day",
            "service_id",
            "service_name",
            "kind",
            "count"
        ]
    );
    let mut totals = BTreeMap::new();
    for record in reader.records() {
        let record = record.expect("an RFC 4180 record");
        let figure = match &record[0] {
            "search_to_booked" => format!("search_to_booked.{}", &record[4]),
            other => other.to_string(),
        };
        let count: u64 = record[5].parse().unwrap_or(0);
        *totals.entry(figure).or_default() += count;
    }
    totals
}

fn json_totals(report: &CentreReport) -> BTreeMap<String, u64> {
    let days = |d: &[booking_engine::reports::DayCount]| d.iter().map(|c| u64::from(c.count)).sum();
    let mut totals = BTreeMap::new();
    let mut put = |figure: &str, n: u64| {
        if n > 0 {
            totals.insert(figure.to_string(), n);
        }
    };
    put(
        "bookings",
        report.bookings.iter().map(|b| u64::from(b.count)).sum(),
    );
    put(
        "searches_without_slots",
        days(&report.searches_without_slots),
    );
    put("slots_lost", days(&report.slots_lost));
    put(
        "errors_by_kind",
        report
            .errors_by_kind
            .iter()
            .map(|k| u64::from(k.count))
            .sum(),
    );
    put("cancellations", days(&report.cancellations));
    put("rebookings", days(&report.rebookings));
    put("outside_timeframe", days(&report.outside_timeframe));
    let d = &report.search_to_booked;
    totals.insert("search_to_booked.count".into(), u64::from(d.count));
    totals.insert(
        "search_to_booked.median_secs".into(),
        d.median_secs.map_or(0, u64::from),
    );
    totals.insert(
        "search_to_booked.p90_secs".into(),
        d.p90_secs.map_or(0, u64::from),
    );
    totals
}

#[test]
fn a_supervisors_report_is_the_engines_as_json_and_as_csv_and_a_call_handler_is_refused() {
    let sim = TestSim::start(SimOptions::default());
    let handler = Desk::with_config(&sim.config());
    let (gp, cancelled) = work(&handler);
    let supervisor = Desk::with_config(&supervisor_config(&sim));
    let range = ReportRange {
        from: SystemClock.uk_today() - Duration::days(1),
        to: SystemClock.uk_today() + Duration::days(1),
    };
    let args = range_args(&range);

    let printed = supervisor.ok(&args);
    let engine = engine_report(&supervisor_config(&sim), range);
    assert_eq!(printed, serde_json::to_value(&engine).expect("json"));
    let booked: u32 = engine.bookings.iter().map(|b| b.count).sum();
    assert_eq!(booked, 2, "{engine:#?}");
    assert_eq!(engine.cancellations.iter().map(|c| c.count).sum::<u32>(), 1);
    assert_eq!(engine.slots_lost.iter().map(|c| c.count).sum::<u32>(), 1);
    assert_eq!(
        engine
            .searches_without_slots
            .iter()
            .map(|c| c.count)
            .sum::<u32>(),
        1
    );

    let mut csv_args = args.clone();
    csv_args.push("--csv".into());
    let csv = supervisor.run(&csv_args);
    csv.expect_code(0);
    assert!(csv.stdout.contains("\r\n"), "RFC 4180 line ends");
    assert_eq!(csv_totals(&csv.stdout), json_totals(&engine));

    // The tables name every figure and total them.
    let plain = supervisor.run(&args);
    plain.expect_code(0);
    for heading in [
        "Bookings made",
        "Slots lost",
        "Cancellations",
        "Errors by kind",
        "Total",
    ] {
        assert!(
            plain.stdout.contains(heading),
            "{heading}:\n{}",
            plain.stdout
        );
    }

    // A call handler gets the documented not-permitted error, and exit status 1.
    let e = handler.fails(&args, 1, "not-permitted");
    assert!(str_of(&e, "message").contains("supervisors"), "{e}");
    handler.fails(&["bookings", "--centre"], 1, "not-permitted");
    // Their own desk's list works as before.
    assert!(
        handler
            .ok(&["bookings"])
            .as_array()
            .is_some_and(|l| l.len() == 2)
    );
    assert!(
        handler
            .ok(&["bookings", "--history"])
            .as_array()
            .is_some_and(|l| l.len() >= 4)
    );

    // The centre's list, filtered, as JSON and CSV; and the cancelled appointment's history.
    let all = supervisor.ok(&["bookings", "--centre"]);
    assert_eq!(all.as_array().map(Vec::len), Some(2), "{all}");
    let cancelled_only = supervisor.ok(&["bookings", "--centre", "--status", "cancelled"]);
    let list = cancelled_only.as_array().expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["appointment_id"], cancelled.as_str());
    let none = supervisor.ok(&["bookings", "--centre", "--desk", "no such desk"]);
    assert_eq!(none.as_array().map(Vec::len), Some(0));
    let csv = supervisor.run(&["bookings", "--centre", "--csv"]);
    csv.expect_code(0);
    let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
    assert_eq!(&reader.headers().expect("header")[2], "appointment_id");
    assert_eq!(reader.records().count(), 2);

    let history = supervisor.ok(&appointment_args(
        "bookings",
        &gp,
        &cancelled,
        &["--history"],
    ));
    let actions: Vec<&str> = history["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e: &Value| str_of(e, "action"))
        .collect();
    assert_eq!(actions, vec!["book", "cancel"]);
    assert!(
        history["audit"].as_array().is_some_and(|a| a.len() >= 3),
        "{history}"
    );

    // Bad ranges are bad usage.
    let mut backwards = range_args(&ReportRange {
        from: range.to,
        to: range.from,
    });
    backwards.push("--json".into());
    supervisor.run(&backwards).error(2, "invalid-input");
}

#[test]
fn seeding_the_demo_gives_the_report_figures_to_show() {
    let demo = Desk::demo();
    let seeded = demo.run_json(&["demo", "seed-reports"]);
    seeded.expect_code(0);
    let report: CentreReport = serde_json::from_value(seeded.json()).expect("a centre report");
    let bookings: u32 = report.bookings.iter().map(|b| b.count).sum();
    assert_eq!(bookings, 5, "{report:#?}");
    assert!(report.bookings.len() >= 3, "several services: {report:#?}");
    for (figure, days) in [
        ("searches without slots", &report.searches_without_slots),
        ("slots lost", &report.slots_lost),
        ("cancellations", &report.cancellations),
        ("rebookings", &report.rebookings),
        ("outside the timeframe", &report.outside_timeframe),
    ] {
        assert_eq!(
            days.iter().map(|d| d.count).sum::<u32>(),
            1,
            "{figure}: {report:#?}"
        );
    }
    let kinds: Vec<&str> = report
        .errors_by_kind
        .iter()
        .map(|k| k.kind.as_str())
        .collect();
    assert!(
        kinds.contains(&"slot-taken") && kinds.contains(&"patient-not-found"),
        "{kinds:?}"
    );
    assert_eq!(report.search_to_booked.count, 5);
    assert!(report.search_to_booked.median_secs.is_some_and(|s| s >= 1));
    // It is the demo's own registry: the demo's call handler sees the bookings it holds.
    assert!(demo.data_dir().join("demo/bookings.sqlite").exists());
}
