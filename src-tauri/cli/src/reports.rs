//! `bookings` (this desk's, the centre's, one appointment's history) and `report`: the
//! supervisor's reviews, as tables, JSON or CSV.

use booking_engine::ids::{AppointmentId, ServiceId};
use booking_engine::reports::csv::to_csv;
use booking_engine::reports::{
    BookingFilter, CentreBooking, CentreReport, DayCount, DurationStats, ReportRange,
};
use booking_engine::{Engine, Error};
use chrono::NaiveDate;

use crate::args::BookingsArgs;
use crate::commands;
use crate::output::{json, or_dash, table, when};

/// The columns of `report --csv`.
pub const REPORT_COLUMNS: [&str; 6] = [
    "figure",
    "day",
    "service_id",
    "service_name",
    "kind",
    "count",
];

/// The columns of `bookings --centre --csv`.
const BOOKING_COLUMNS: [&str; 13] = [
    "service_id",
    "service_name",
    "appointment_id",
    "status",
    "start",
    "end",
    "nhs_number",
    "booked_by",
    "booked_by_local_id",
    "desk",
    "booked_at",
    "last_action",
    "last_changed_at",
];

fn lower<T: std::fmt::Debug>(v: T) -> String {
    format!("{v:?}").to_lowercase()
}

fn uk_date(d: NaiveDate) -> String {
    d.format("%a %d-%b-%Y").to_string()
}

/// `bookings`: this desk's list or every attempt as before; the centre's list with --centre; one
/// appointment's history with --history --service --appointment.
pub async fn bookings(engine: &Engine, a: BookingsArgs, as_json: bool) -> Result<(), Error> {
    if a.centre {
        let filter = BookingFilter {
            from: a.from,
            to: a.to,
            service_id: a.service,
            status: a.status,
            user_local_id: a.user,
            desk: a.desk,
        };
        return centre_list(engine, &filter, a.csv, as_json).await;
    }
    match (a.history, a.service, a.appointment) {
        (true, Some(service), Some(appointment)) => {
            history(engine, &service, &appointment, as_json).await
        }
        (_, None, None) => commands::bookings(engine, a.history, as_json).await,
        _ => Err(Error::invalid(
            "--service names a service for --centre, or with --history and --appointment.",
        )
        .with_next_step(
            "Add --centre to list the centre's bookings at the service, or --history \
             --appointment ID for one appointment's history.",
        )),
    }
}

async fn centre_list(
    engine: &Engine,
    filter: &BookingFilter,
    csv: bool,
    as_json: bool,
) -> Result<(), Error> {
    let list = engine.centre_bookings(filter).await?;
    if as_json {
        json(&list);
        return Ok(());
    }
    if csv {
        let rows: Vec<Vec<String>> = list.iter().map(booking_csv_row).collect();
        crate::output::say_csv(&to_csv(&BOOKING_COLUMNS, &rows));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|b| {
            vec![
                when(&b.booked_at.fixed_offset()),
                b.service_name.clone(),
                b.appointment_id.clone(),
                or_dash(b.status.map(|s| s.code()).as_deref()),
                or_dash(b.start.as_deref()),
                b.booked_by.clone(),
                b.desk.clone(),
                lower(b.last_action),
            ]
        })
        .collect();
    table(
        &[
            "BOOKED (UK)",
            "SERVICE",
            "APPOINTMENT",
            "STATUS",
            "START",
            "BOOKED BY",
            "DESK",
            "LAST",
        ],
        &rows,
    );
    say!("{} appointments", list.len());
    Ok(())
}

fn booking_csv_row(b: &CentreBooking) -> Vec<String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        b.service_id.clone(),
        b.service_name.clone(),
        b.appointment_id.clone(),
        b.status.map(|s| s.code()).unwrap_or_default(),
        opt(&b.start),
        opt(&b.end),
        opt(&b.nhs_number),
        b.booked_by.clone(),
        b.booked_by_local_id.clone(),
        b.desk.clone(),
        b.booked_at.to_rfc3339(),
        lower(b.last_action),
        b.last_changed_at.to_rfc3339(),
    ]
}

async fn history(
    engine: &Engine,
    service: &str,
    appointment: &str,
    as_json: bool,
) -> Result<(), Error> {
    let h = engine
        .appointment_history(
            &ServiceId::parse(service)?,
            &AppointmentId::parse(appointment)?,
        )
        .await?;
    if as_json {
        json(&h);
        return Ok(());
    }
    say!("Appointment {} at {}", h.appointment_id, h.service_id);
    let events: Vec<Vec<String>> = h
        .events
        .iter()
        .map(|e| {
            vec![
                when(&e.recorded_at.fixed_offset()),
                lower(e.action),
                lower(e.outcome),
                e.user_name.clone(),
                e.desk.clone(),
                or_dash(e.appointment_status.map(|s| s.code()).as_deref()),
                or_dash(e.error_message.as_deref()),
            ]
        })
        .collect();
    table(
        &[
            "RECORDED (UK)",
            "ACTION",
            "OUTCOME",
            "USER",
            "DESK",
            "STATUS",
            "ERROR",
        ],
        &events,
    );
    say!();
    let audit: Vec<Vec<String>> = h
        .audit
        .iter()
        .map(|a| {
            vec![
                a.id.to_string(),
                a.recorded_at.clone(),
                a.user_name.clone(),
                a.interaction.clone(),
                a.outcome.clone(),
                a.trace_id.clone(),
            ]
        })
        .collect();
    table(
        &[
            "AUDIT",
            "RECORDED (UTC)",
            "USER",
            "INTERACTION",
            "OUTCOME",
            "TRACE ID",
        ],
        &audit,
    );
    Ok(())
}

/// `report --from --to`: tables, `--json` the report, `--csv` one table of every figure.
pub async fn report(
    engine: &Engine,
    from: NaiveDate,
    to: NaiveDate,
    csv: bool,
    as_json: bool,
) -> Result<(), Error> {
    if csv && as_json {
        return Err(Error::invalid("Choose one of --csv and --json.")
            .with_next_step("Run the report again with only one of them."));
    }
    let report = engine.centre_report(&ReportRange { from, to }).await?;
    if as_json {
        json(&report);
    } else if csv {
        crate::output::say_csv(&to_csv(&REPORT_COLUMNS, &report_rows(&report)));
    } else {
        print_report(&report);
    }
    Ok(())
}

/// Every figure as rows of [`REPORT_COLUMNS`]; the search-to-booked statistics last, one row
/// each (the value in `count`, empty when there is none).
pub fn report_rows(r: &CentreReport) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let row = |figure: &str, day: String, service: [&str; 2], kind: &str, count: String| {
        vec![
            figure.to_string(),
            day,
            service[0].to_string(),
            service[1].to_string(),
            kind.to_string(),
            count,
        ]
    };
    for b in &r.bookings {
        let service = [b.service_id.as_str(), b.service_name.as_str()];
        rows.push(row(
            "bookings",
            b.day.to_string(),
            service,
            "",
            b.count.to_string(),
        ));
    }
    for (figure, days) in day_figures(r) {
        for d in days {
            rows.push(row(
                figure,
                d.day.to_string(),
                ["", ""],
                "",
                d.count.to_string(),
            ));
        }
    }
    for k in &r.errors_by_kind {
        rows.push(row(
            "errors_by_kind",
            String::new(),
            ["", ""],
            &k.kind,
            k.count.to_string(),
        ));
    }
    for (kind, value) in duration_values(&r.search_to_booked) {
        let value = value.map(|v| v.to_string()).unwrap_or_default();
        rows.push(row(
            "search_to_booked",
            String::new(),
            ["", ""],
            kind,
            value,
        ));
    }
    rows
}

/// The figures counted per day, by their JSON names, in the report's order.
fn day_figures(r: &CentreReport) -> [(&'static str, &[DayCount]); 5] {
    [
        (
            "searches_without_slots",
            r.searches_without_slots.as_slice(),
        ),
        ("slots_lost", r.slots_lost.as_slice()),
        ("cancellations", r.cancellations.as_slice()),
        ("rebookings", r.rebookings.as_slice()),
        ("outside_timeframe", r.outside_timeframe.as_slice()),
    ]
}

fn duration_values(d: &DurationStats) -> [(&'static str, Option<u32>); 3] {
    [
        ("count", Some(d.count)),
        ("median_secs", d.median_secs),
        ("p90_secs", d.p90_secs),
    ]
}

/// Seconds as a person reads a wait: `6m 0s`, `1h 2m`.
fn span(secs: Option<u32>) -> String {
    match secs {
        None => "-".into(),
        Some(s) if s >= 3600 => format!("{}h {}m", s / 3600, s % 3600 / 60),
        Some(s) => format!("{}m {}s", s / 60, s % 60),
    }
}

fn print_report(r: &CentreReport) {
    say!(
        "Centre report, {} to {} (UK days)",
        uk_date(r.range.from),
        uk_date(r.range.to)
    );
    say!("\nBookings made");
    let mut rows: Vec<Vec<String>> = r
        .bookings
        .iter()
        .map(|b| vec![uk_date(b.day), b.service_name.clone(), b.count.to_string()])
        .collect();
    let total: u32 = r.bookings.iter().map(|b| b.count).sum();
    rows.push(vec!["Total".into(), String::new(), total.to_string()]);
    table(&["DAY", "SERVICE", "COUNT"], &rows);
    let titles = [
        "Searches that found no slots",
        "Slots lost between search and book",
        "Cancellations",
        "Rebookings (patient cancelled at the centre in the 24 hours before)",
        "Bookings outside the triage timeframe",
    ];
    for (title, (_, days)) in titles.iter().zip(day_figures(r)) {
        say!("\n{title}");
        let mut rows: Vec<Vec<String>> = days
            .iter()
            .map(|d| vec![uk_date(d.day), d.count.to_string()])
            .collect();
        let total: u32 = days.iter().map(|d| d.count).sum();
        rows.push(vec!["Total".into(), total.to_string()]);
        table(&["DAY", "COUNT"], &rows);
    }
    say!("\nErrors by kind");
    let mut rows: Vec<Vec<String>> = r
        .errors_by_kind
        .iter()
        .map(|k| vec![k.label.clone(), k.kind.clone(), k.count.to_string()])
        .collect();
    let total: u32 = r.errors_by_kind.iter().map(|k| k.count).sum();
    rows.push(vec!["Total".into(), String::new(), total.to_string()]);
    table(&["WHAT", "KIND", "COUNT"], &rows);
    let d = &r.search_to_booked;
    say!("\nTime from search to booked (same user and desk, within 2 hours)");
    say!(
        "Bookings timed: {}   Median: {}   90th percentile: {}",
        d.count,
        span(d.median_secs),
        span(d.p90_secs)
    );
}
