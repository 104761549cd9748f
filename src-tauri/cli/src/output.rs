//! Printing: aligned tables for people, JSON for scripts. Times in UK local time, 24-hour,
//! dates as dd-Mmm-yyyy.

use chrono::{DateTime, FixedOffset};
use chrono_tz::Europe::London;
use serde::Serialize;

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
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    if let Err(e) = written {
        eprintln!("could not print JSON: {e}");
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
        println!("{}", padded.join("  ").trim_end());
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
