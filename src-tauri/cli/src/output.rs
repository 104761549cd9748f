//! Printing: aligned tables for people, JSON for scripts. Times in UK local time, 24-hour,
//! dates as dd-Mmm-yyyy.

use chrono::{DateTime, FixedOffset};
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
#[allow(clippy::print_stdout)]
pub fn say_line(line: &str) {
    println!("{}", clean(line));
}

/// CSV as it is, records ended by CRLF as RFC 4180 has them; each record is cleaned.
#[allow(clippy::print_stdout)]
pub fn say_csv(csv: &str) {
    let records: Vec<_> = csv.split("\r\n").map(clean).collect();
    print!("{}", records.join("\r\n"));
}

/// The one way to stderr; see `tell!`.
#[allow(clippy::print_stderr)]
pub fn tell_line(line: &str) {
    eprintln!("{}", clean(line));
}

pub fn when(t: &DateTime<FixedOffset>) -> String {
    t.with_timezone(&London)
        .format("%a %d-%b-%Y %H:%M")
        .to_string()
}

pub fn time(t: &DateTime<FixedOffset>) -> String {
    t.with_timezone(&London).format("%H:%M").to_string()
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
