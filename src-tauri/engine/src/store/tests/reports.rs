//! The supervisor's reviews over a seeded registry, on both backends: a centre's two UK days
//! around the clocks going forward (29 March 2026, 01:00 UTC), two desks, three users, with
//! bookings, a slot lost, a booking outside the timeframe, cancellations and rebookings,
//! searches with and without slots, and errors of several kinds.

use chrono::{DateTime, NaiveDate, Utc};

use crate::auth::{Role, User};
use crate::config::DeskConfig;
use crate::error::ErrorKind;
use crate::ids::{AppointmentId, ServiceId};
use crate::reports::{
    BookingFilter, CentreReport, DayCount, DurationStats, KindCount, ReportRange, ServiceDayCount,
};
use crate::store::tests::audit;
use crate::store::tests::centre::search;
use crate::store::tests::harness::Fresh;
use crate::store::tests::registry::event;
use crate::store::{Action, AuditRecord, BookingEvent, Outcome};
use crate::transport::TlsSetup;
use crate::views::AppointmentStatus;
use crate::{Desk, Engine};

const BECKSIDE: &str = "beckside-medical-practice";
const CALDER: &str = "calder-valley-utc";
/// Booked at another desk whose directory has it; not in this one's.
const LEEDS_ED: &str = "leeds-east-ed";

const JANE: &str = "9434765919";
const DAVID: &str = "9476719931";
const AMIR: &str = "9434765269";
const MARGARET: &str = "9434760186";
const OLIVER: &str = "9434760836";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("a time")
        .with_timezone(&Utc)
}

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a day")
}

const DIRECTORY: &str = r#"
[[service]]
id = "beckside-medical-practice"
name = "Beckside Medical Practice"
kind = "gp-practice"
standard = "gp-connect"
base_url = "http://127.0.0.1:1/B86001/STU3/1/gpconnect"
ods = "B86001"
asid = "918999198101"

[[service]]
id = "calder-valley-utc"
name = "Calder Valley Urgent Treatment Centre"
kind = "urgent-care"
standard = "gp-connect"
base_url = "http://127.0.0.1:1/NQ501/STU3/1/gpconnect"
ods = "NQ501"
asid = "918999198201"
"#;

/// A desk over the test's registry, with `role` signed in.
pub(super) fn engine(t: &Fresh, role: Role) -> Engine {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("services.toml"), DIRECTORY).expect("write");
    let config = DeskConfig::from_toml(
        r#"
directory = "services.toml"
store = "not-opened-here.sqlite"
[organisation]
ods = "RYA"
name = "NHS 111 North West"
telecom = "0300 123 4567"
[system]
asid = "200000000359"
endpoint = "https://desk.example/fhir"
[desk]
name = "supervisor desk"
"#,
        dir.path(),
    )
    .expect("config");
    let desk =
        Desk::from_parts_with_tls(&config, t.store.clone(), TlsSetup::web_roots()).expect("desk");
    desk.sign_in(User {
        name: "Sam Okafor".into(),
        sds_user_id: "555021935107".into(),
        sds_role_profile_id: "UNK".into(),
        local_id: "sam.okafor".into(),
        role,
    })
    .expect("signed in")
}

/// Who, where and when an event was recorded.
fn by(mut e: BookingEvent, user: &str, desk: &str, when: &str) -> BookingEvent {
    e.user_local_id = user.into();
    e.user_name = format!("User {user}");
    e.desk = desk.into();
    e.recorded_at = at(when);
    e
}

fn booked(service: &str, id: &str, nhs: &str) -> BookingEvent {
    let mut e = event(Action::Book, Outcome::Succeeded, Some(id));
    e.service_id = service.into();
    e.nhs_number = Some(nhs.into());
    e.appointment_status = Some(AppointmentStatus::Booked);
    e.appointment_start = Some("2026-04-02T09:00:00+01:00".into());
    e
}

fn cancelled(service: &str, id: &str, nhs: Option<&str>) -> BookingEvent {
    let mut e = event(Action::Cancel, Outcome::Succeeded, Some(id));
    e.service_id = service.into();
    e.nhs_number = nhs.map(str::to_string);
    e.appointment_status = Some(AppointmentStatus::Cancelled);
    e.reason = Some("Feeling better".into());
    e
}

fn failed(service: &str, kind: &str, action: Action) -> BookingEvent {
    let mut e = event(action, Outcome::Failed, None);
    e.service_id = service.into();
    e.error_kind = Some(kind.into());
    e
}

/// The seeded registry. 28 March is GMT all day; on 29 March UK time is UTC+1 from 01:00 UTC.
pub(super) async fn seed(t: &Fresh) {
    let mut outside = by(
        booked(CALDER, "u-1", DAVID),
        "u2",
        "desk-b",
        "2026-03-28T10:06:00Z",
    );
    outside.outside_timeframe = true;
    outside.approved_by = Some("Dr Priya Shah".into());
    let mut first = by(
        booked(BECKSIDE, "1001", JANE),
        "u1",
        "desk-a",
        "2026-03-28T09:03:00Z",
    );
    first.request_id = Some("req-1001".into());
    first.trace_id = Some("trace-1001".into());
    let mut failed_cancel = by(
        failed(BECKSIDE, "version-conflict", Action::Cancel),
        "u1",
        "desk-a",
        "2026-03-28T19:00:00Z",
    );
    failed_cancel.appointment_id = Some("1001".into());
    let events = [
        // Before the range: a cancellation 1.5 hours before Margaret is booked again, and one
        // more than 24 hours before Oliver's booking.
        by(
            cancelled(CALDER, "u-0", Some(OLIVER)),
            "u3",
            "desk-b",
            "2026-03-27T12:00:00Z",
        ),
        by(
            cancelled(CALDER, "u-00", Some(MARGARET)),
            "u3",
            "desk-b",
            "2026-03-27T23:00:00Z",
        ),
        // 28 March.
        by(
            booked(CALDER, "u-3", MARGARET),
            "u2",
            "desk-b",
            "2026-03-28T00:30:00Z",
        ),
        first,
        by(
            failed(CALDER, "slot-taken", Action::Book),
            "u2",
            "desk-b",
            "2026-03-28T10:05:00Z",
        ),
        outside,
        by(
            booked(BECKSIDE, "1003", OLIVER),
            "u1",
            "desk-a",
            "2026-03-28T14:00:00Z",
        ),
        failed_cancel,
        // The cancellation names no patient: the booking of 1001 does.
        by(
            cancelled(BECKSIDE, "1001", None),
            "u1",
            "desk-a",
            "2026-03-28T20:00:00Z",
        ),
        by(
            booked(BECKSIDE, "1002", JANE),
            "u1",
            "desk-a",
            "2026-03-28T23:30:00Z",
        ),
        // 29 March, after the clocks went forward.
        by(
            booked(LEEDS_ED, "u-2", AMIR),
            "u1",
            "desk-a",
            "2026-03-29T00:40:00Z",
        ),
        by(
            failed(BECKSIDE, "provider-error", Action::Book),
            "u2",
            "desk-b",
            "2026-03-29T22:30:00Z",
        ),
        by(
            failed(CALDER, "slot-taken", Action::Book),
            "u2",
            "desk-b",
            "2026-03-29T22:59:00Z",
        ),
        // 23:30 UTC is 00:30 on 30 March in the UK: after the range.
        by(
            booked(CALDER, "u-late", DAVID),
            "u2",
            "desk-b",
            "2026-03-29T23:30:00Z",
        ),
    ];
    for e in &events {
        t.store.record(e).await.expect("recorded");
    }
    let searches = [
        // Before the range, but within 2 hours of Margaret's booking.
        ("u2", "desk-b", "2026-03-27T23:30:00Z", 0),
        ("u1", "desk-a", "2026-03-28T09:00:00Z", 5),
        ("u2", "desk-b", "2026-03-28T10:00:00Z", 0),
        // At the other desk: not the search u1's booking at desk-a came from.
        ("u1", "desk-b", "2026-03-29T00:30:00Z", 3),
        ("u2", "desk-b", "2026-03-29T12:00:00Z", 0),
    ];
    for (user, desk, when, slots) in searches {
        let mut s = search(at(when), slots);
        s.user_local_id = user.into();
        s.desk = desk.into();
        t.store.record_search(&s).await.expect("recorded");
    }
    // Interactions: the booking POST of 1001 (by request id), a read and the cancel of 1001
    // (naming it), one about another appointment, and failures on both days and after.
    let interactions = [
        ("2026-03-28T09:02:00Z", "http 201", Some("req-1001"), None),
        ("2026-03-28T10:05:00Z", "http 409", None, None),
        ("2026-03-28T19:00:00Z", "http 409", None, Some("1001")),
        ("2026-03-28T20:00:00Z", "http 200", None, Some("1001")),
        ("2026-03-29T22:30:00Z", "timeout", None, None),
        ("2026-03-29T23:30:00Z", "http 500", None, Some("1002")),
    ];
    for (n, (when, outcome, request, appointment)) in interactions.into_iter().enumerate() {
        let r = AuditRecord {
            service_id: BECKSIDE.into(),
            outcome: outcome.into(),
            request_id: request.map(str::to_string),
            appointment_id: appointment.map(str::to_string),
            trace_id: format!("audit-trace-{n}"),
            ..audit::record(n)
        };
        let entry = t.store.append_audit(&r).await.expect("appended");
        // Seeded history: the time it happened, not the time the test ran.
        let sql = format!(
            "UPDATE audit_log SET recorded_at = $1 WHERE id = {}",
            entry.id
        );
        t.exec(&sql, &[when]).await.expect("dated");
    }
}

fn days(list: &[(&str, u32)]) -> Vec<DayCount> {
    list.iter()
        .map(|(d, count)| DayCount {
            day: day(d),
            count: *count,
        })
        .collect()
}

fn expected_report() -> CentreReport {
    let per_service = |d: &str, id: &str, name: &str, count| ServiceDayCount {
        day: day(d),
        service_id: id.into(),
        service_name: name.into(),
        count,
    };
    let kind = |kind: &str, label: &str, count| KindCount {
        kind: kind.into(),
        label: label.into(),
        count,
    };
    CentreReport {
        range: ReportRange {
            from: day("2026-03-28"),
            to: day("2026-03-29"),
        },
        bookings: vec![
            per_service("2026-03-28", BECKSIDE, "Beckside Medical Practice", 3),
            per_service(
                "2026-03-28",
                CALDER,
                "Calder Valley Urgent Treatment Centre",
                2,
            ),
            per_service("2026-03-29", LEEDS_ED, LEEDS_ED, 1),
        ],
        searches_without_slots: days(&[("2026-03-28", 1), ("2026-03-29", 1)]),
        slots_lost: days(&[("2026-03-28", 1), ("2026-03-29", 1)]),
        errors_by_kind: vec![
            kind("interaction-http-409", "Service answered HTTP 409", 2),
            kind("slot-taken", "Slot taken by someone else", 2),
            kind(
                "interaction-timeout",
                "Service interaction: service did not answer in time",
                1,
            ),
            kind("provider-error", "Service failed", 1),
            kind(
                "version-conflict",
                "Appointment changed at the service meanwhile",
                1,
            ),
        ],
        cancellations: days(&[("2026-03-28", 1)]),
        rebookings: days(&[("2026-03-28", 2)]),
        outside_timeframe: days(&[("2026-03-28", 1)]),
        // Margaret's 1 hour after the search before midnight, Jane's 3 minutes, David's 6.
        search_to_booked: DurationStats {
            count: 3,
            median_secs: Some(360),
            p90_secs: Some(3600),
        },
    }
}

fn ids(list: &[crate::reports::CentreBooking]) -> Vec<&str> {
    list.iter().map(|b| b.appointment_id.as_str()).collect()
}

on_both_backends! {
    async fn a_seeded_registry_gives_exactly_the_expected_figures(t) {
        seed(t).await;
        let supervisor = engine(t, Role::Supervisor);
        let range = ReportRange { from: day("2026-03-28"), to: day("2026-03-29") };
        let report = supervisor.centre_report(&range).await.expect("report");
        assert_eq!(report, expected_report());

        // The day after: only the late booking, and the failure at 23:30 UTC (00:30 UK).
        let next = ReportRange { from: day("2026-03-30"), to: day("2026-03-30") };
        let report = supervisor.centre_report(&next).await.expect("report");
        assert_eq!(report.bookings.len(), 1);
        assert_eq!(report.bookings[0].service_id, CALDER);
        assert_eq!(report.bookings[0].day, day("2026-03-30"));
        assert_eq!(report.errors_by_kind.len(), 1);
        assert_eq!(report.errors_by_kind[0].kind, "interaction-http-500");
        assert!(report.cancellations.is_empty() && report.rebookings.is_empty());
        assert_eq!(report.search_to_booked.count, 0, "the last search was 11.5 hours before");
    }

    async fn the_centre_list_is_newest_first_and_each_filter_narrows_it(t) {
        seed(t).await;
        let supervisor = engine(t, Role::Supervisor);
        let list = |f: BookingFilter| {
            let s = supervisor.clone();
            async move { s.centre_bookings(&f).await.expect("list") }
        };
        let all = list(BookingFilter::default()).await;
        assert_eq!(ids(&all), vec!["u-late", "u-2", "1002", "1003", "u-1", "1001", "u-3"]);
        let first = all.iter().find(|b| b.appointment_id == "1001").expect("1001");
        assert_eq!(first.status, Some(AppointmentStatus::Cancelled));
        assert_eq!(first.last_action, Action::Cancel);
        assert_eq!(first.last_changed_at, at("2026-03-28T20:00:00Z"));
        assert_eq!(first.booked_at, at("2026-03-28T09:03:00Z"));
        assert_eq!(first.booked_by_local_id, "u1");
        assert_eq!(first.desk, "desk-a");
        assert_eq!(first.nhs_number.as_deref(), Some(JANE));
        assert_eq!(first.service_name, "Beckside Medical Practice");
        let leeds = all.iter().find(|b| b.appointment_id == "u-2").expect("u-2");
        assert_eq!(leeds.service_name, LEEDS_ED, "not in this desk's directory");

        let uk_day = |d: &str| BookingFilter { from: Some(day(d)), to: Some(day(d)), ..BookingFilter::default() };
        assert_eq!(ids(&list(uk_day("2026-03-29")).await), vec!["u-2"]);
        assert_eq!(ids(&list(uk_day("2026-03-30")).await), vec!["u-late"]);
        assert_eq!(
            ids(&list(uk_day("2026-03-28")).await),
            vec!["1002", "1003", "u-1", "1001", "u-3"]
        );
        let from_only = BookingFilter { from: Some(day("2026-03-29")), ..BookingFilter::default() };
        assert_eq!(ids(&list(from_only).await), vec!["u-late", "u-2"]);
        let status = BookingFilter { status: Some(AppointmentStatus::Cancelled), ..BookingFilter::default() };
        assert_eq!(ids(&list(status).await), vec!["1001"]);
        let service = BookingFilter { service_id: Some(CALDER.into()), ..BookingFilter::default() };
        assert_eq!(ids(&list(service).await), vec!["u-late", "u-1", "u-3"]);
        let user = BookingFilter { user_local_id: Some("u1".into()), ..BookingFilter::default() };
        assert_eq!(ids(&list(user).await), vec!["u-2", "1002", "1003", "1001"]);
        let desk = BookingFilter { desk: Some("desk-b".into()), ..BookingFilter::default() };
        assert_eq!(ids(&list(desk).await), vec!["u-late", "u-1", "u-3"]);
        let both = BookingFilter {
            desk: Some("desk-a".into()),
            status: Some(AppointmentStatus::Booked),
            from: Some(day("2026-03-28")),
            to: Some(day("2026-03-28")),
            ..BookingFilter::default()
        };
        assert_eq!(ids(&list(both).await), vec!["1002", "1003"]);
        let backwards = BookingFilter { from: Some(day("2026-03-29")), to: Some(day("2026-03-28")), ..BookingFilter::default() };
        let e = supervisor.centre_bookings(&backwards).await.expect_err("refused");
        assert_eq!(e.kind, ErrorKind::InvalidInput);
    }

    async fn an_appointments_history_lists_its_events_in_order_with_their_audit(t) {
        seed(t).await;
        let supervisor = engine(t, Role::Supervisor);
        let service = ServiceId::parse(BECKSIDE).expect("id");
        let h = supervisor
            .appointment_history(&service, &AppointmentId::parse("1001").expect("id"))
            .await
            .expect("history");
        assert_eq!(h.service_id, BECKSIDE);
        assert_eq!(h.appointment_id, "1001");
        let events: Vec<(Action, Outcome)> = h.events.iter().map(|e| (e.action, e.outcome)).collect();
        assert_eq!(
            events,
            vec![
                (Action::Book, Outcome::Succeeded),
                (Action::Cancel, Outcome::Failed),
                (Action::Cancel, Outcome::Succeeded),
            ]
        );
        let audit: Vec<(&str, Option<&str>)> = h
            .audit
            .iter()
            .map(|a| (a.outcome.as_str(), a.appointment_id.as_deref()))
            .collect();
        assert_eq!(
            audit,
            vec![("http 201", None), ("http 409", Some("1001")), ("http 200", Some("1001"))]
        );
        assert_eq!(h.audit[0].request_id.as_deref(), Some("req-1001"));
        let nothing = supervisor
            .appointment_history(&service, &AppointmentId::parse("9999").expect("id"))
            .await
            .expect("history");
        assert!(nothing.events.is_empty() && nothing.audit.is_empty());
    }

    async fn only_supervisors_review_the_centre(t) {
        seed(t).await;
        let range = ReportRange { from: day("2026-03-28"), to: day("2026-03-29") };
        let service = ServiceId::parse(BECKSIDE).expect("id");
        let appointment = AppointmentId::parse("1001").expect("id");
        for role in [Role::CallHandler, Role::Clinician] {
            let e = engine(t, role);
            let refused = [
                e.centre_report(&range).await.err(),
                e.centre_bookings(&BookingFilter::default()).await.err(),
                e.appointment_history(&service, &appointment).await.err(),
            ];
            for err in refused {
                let err = err.expect("refused");
                assert_eq!(err.kind, ErrorKind::NotPermitted, "{role:?}");
                assert!(err.message.contains("Only supervisors"), "{}", err.message);
            }
        }
        let supervisor = engine(t, Role::Supervisor);
        let long = ReportRange { from: day("2026-01-01"), to: day("2027-01-02") };
        let e = supervisor.centre_report(&long).await.expect_err("too long");
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(!e.next_step.is_empty());
    }
}
