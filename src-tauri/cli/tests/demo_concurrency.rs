//! Several `bookdesk` processes on the demo at once, as a script or a few terminals start them:
//! each runs its own embedded provider and must talk to that one only.

mod support;

use chrono::{Duration, Utc};
use support::{AMIR, DAVID, Desk, JANE, MARGARET, book_args, start_of, str_of};

#[test]
fn demo_processes_started_together_each_book_through_their_own_provider() {
    let desk = Desk::demo();
    let patients = [JANE, DAVID, AMIR, MARGARET];
    let later = Utc::now() + Duration::days(1);
    // Four slots at a GP Connect practice and four at a BaRS centre (whose requests carry the
    // process's own platform key): distinct slots, so every booking can be made.
    let mut bookings = Vec::new();
    for service in [
        desk.service_of("gp-practice", "gp-connect"),
        desk.service_of("urgent-care", "bars"),
    ] {
        let slots = desk.slots(&service, 0, 6);
        let ahead = slots.iter().filter(|s| start_of(s) > later).take(4);
        for (slot, nhs) in ahead.zip(patients) {
            bookings.push((service.clone(), str_of(slot, "id").to_string(), nhs));
        }
    }
    assert_eq!(bookings.len(), 8, "eight free slots a day or more ahead");
    let running: Vec<_> = bookings
        .iter()
        .map(|(service, slot, nhs)| {
            let mut args = book_args(service, slot, nhs, "Started together");
            args.extend(["--book-anyway", "--json"]);
            desk.spawn(&args)
        })
        .collect();
    let runs: Vec<_> = running.into_iter().map(|p| p.wait()).collect();
    for run in &runs {
        let said = format!("{}\n{}", run.stdout, run.stderr).to_lowercase();
        for wrong in [
            "unknown api key",
            "connection refused",
            "could not be reached",
        ] {
            assert!(
                !said.contains(wrong),
                "{:?} said {wrong}:\n{said}",
                run.args
            );
        }
        run.expect_code(0);
        assert_eq!(
            run.json()["appointment"]["status"],
            "booked",
            "{:?}",
            run.args
        );
    }
    let recorded = desk.ok(&["bookings"]);
    assert_eq!(recorded.as_array().map(Vec::len), Some(8), "{recorded}");
}
