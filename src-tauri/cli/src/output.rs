//! Printing: aligned tables for people, JSON for scripts. Times in UK local time, 24-hour,
//! dates as dd-Mmm-yyyy.

use chrono::{DateTime, FixedOffset, LocalResult, TimeZone};
use chrono_tz::Europe::London;
use serde::Serialize;

use crate::terminal::{JsonEscapes, clean};

/// `println!` with control characters removed: every line the CLI prints to stdout.
macro_rules! say {
    () => { $crate::output::say_line("") };
    ($($arg:tt)*) => { $crate::output::say_line(&format!($($arg)*)) };
}

/// `eprintln!` with control characters removed: every line the CLI prints to stderr.
macro_rules! tell {
    ($($arg:tt)*) => { $crate::output::tell_line(&format!($($arg)*)) };
}

/// The one way to stdout for text; see `say!`.
pub fn say_line(line: &str) {
    to_stdout(&format!("{}\n", clean(line)));
}

/// CSV as it is, records ended by CRLF as RFC 4180 has them; each record is cleaned.
pub fn say_csv(csv: &str) {
    let records: Vec<_> = csv.split("\r\n").map(clean).collect();
    to_stdout(&records.join("\r\n"));
}

/// Writes `text` to stdout. When the reader has gone (`bookdesk services | head`), the command
/// stops quietly, as Unix tools do, instead of panicking as `println!` would; whatever it did
/// before printing is already done and recorded.
fn to_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => tell!("could not print: {e}"),
        Ok(()) => {}
    }
}

/// The one way to stderr; see `tell!`.
#[allow(clippy::print_stderr)]
pub fn tell_line(line: &str) {
    eprintln!("{}", clean(line));
}

pub fn when(t: &DateTime<FixedOffset>) -> String {
    uk(t, "%a %d-%b-%Y %H:%M")
}

pub fn time(t: &DateTime<FixedOffset>) -> String {
    uk(t, "%H:%M")
}

/// `t` on the UK clock in `format`; in the hour the autumn change repeats, with `BST` or `GMT`
/// after it, since the wall-clock time alone names two instants.
fn uk(t: &DateTime<FixedOffset>, format: &str) -> String {
    let local = t.with_timezone(&London);
    let shown = local.format(format).to_string();
    match London.from_local_datetime(&local.naive_local()) {
        LocalResult::Ambiguous(..) => format!("{shown} {}", local.format("%Z")),
        _ => shown,
    }
}

/// Written straight to stdout through a buffer: a large answer (5,000 slots are 3.8 MB) is
/// never held whole as a string first.
pub fn json<T: Serialize>(value: &T) {
    use std::io::Write;
    let mut out = JsonEscapes::new(std::io::BufWriter::with_capacity(
        64 * 1024,
        std::io::stdout().lock(),
    ));
    let written = serde_json::to_writer_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    if let Err(e) = written {
        tell!("could not print JSON: {e}");
    }
}

/// Prints rows under a header with each column as wide as its widest cell.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths.get(i).copied().unwrap_or(0)))
            .collect();
        say!("{}", padded.join("  ").trim_end());
    };
    line(header.iter().map(|h| h.to_string()).collect());
    line(widths.iter().map(|w| "-".repeat(*w)).collect());
    for row in rows {
        line(row.clone());
    }
}

pub fn or_dash(s: Option<&str>) -> String {
    s.filter(|s| !s.is_empty()).unwrap_or("-").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("instant")
    }

    #[test]
    fn the_repeated_autumn_hour_is_labelled_bst_or_gmt() {
        // 25 Oct 2026: clocks go back at 01:00 UTC, so 01:00–02:00 comes twice.
        let slots = [
            ("2026-10-25T00:00:00Z", "01:00 BST"),
            ("2026-10-25T00:30:00Z", "01:30 BST"),
            ("2026-10-25T01:00:00Z", "01:00 GMT"),
            ("2026-10-25T01:30:00Z", "01:30 GMT"),
            ("2026-10-25T02:00:00Z", "02:00"),
            ("2026-10-24T23:30:00Z", "00:30"),
            ("2026-07-01T12:00:00Z", "13:00"),
        ];
        for (instant, shown) in slots {
            assert_eq!(time(&utc(instant)), shown, "{instant}");
        }
        assert_eq!(
            when(&utc("2026-10-25T01:30:00Z")),
            "Sun 25-Oct-2026 01:30 GMT"
        );
        assert_eq!(
            when(&utc("2026-10-25T00:30:00+00:00")),
            "Sun 25-Oct-2026 01:30 BST"
        );
        assert_eq!(when(&utc("2026-10-26T01:30:00Z")), "Mon 26-Oct-2026 01:30");
    }
}
