//! Where exported tables go and what they are called: the user's Downloads folder (or
//! `BOOKDESK_EXPORT_DIR`, checked first, for tests and locked-down desktops; else the app's data
//! folder), as `<name>-<YYYY-MM-DD-HHMMSS>.csv` in UK time, never over an earlier file.

use std::io::Write;
use std::path::{Path, PathBuf};

use booking_engine::Error;
use booking_engine::clock::{Clock, SystemClock};
use booking_engine::reports::csv::to_csv;

const EXPORT_DIR: &str = "BOOKDESK_EXPORT_DIR";

/// The folder exports are written to.
pub fn folder() -> Result<PathBuf, Error> {
    if let Some(dir) = std::env::var_os(EXPORT_DIR).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::UserDirs::new()
        .and_then(|u| u.download_dir().map(Path::to_path_buf))
        .or_else(provider_sim::embedded::data_dir)
        .ok_or_else(|| {
            Error::config("There is no Downloads folder to save the file in.")
                .with_next_step(format!(
                    "Ask your system administrator to set {EXPORT_DIR} to a folder you can write to."
                ))
        })
}

/// `name` as a file name: lower-case letters, digits and single hyphens; "export" if nothing is
/// left.
pub fn file_stem(name: &str) -> String {
    let mapped: String = name
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    let stem = mapped
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() {
        "export".into()
    } else {
        stem
    }
}

/// Writes the table as CSV into `dir` (made if missing) and returns the new file's path.
pub fn write_csv(
    dir: &Path,
    name: &str,
    header: &[String],
    rows: &[Vec<String>],
) -> Result<PathBuf, Error> {
    let failed = |e: std::io::Error| {
        Error::config(format!("The file could not be saved in {}.", dir.display()))
            .with_next_step(
                "Check the folder exists and you can save files there, then export again.",
            )
            .with_diagnostics(e.to_string())
    };
    booking_engine::private_files::create_dir(dir).map_err(failed)?;
    let base = format!(
        "{}-{}",
        file_stem(name),
        SystemClock.uk_now().format("%Y-%m-%d-%H%M%S")
    );
    let text = to_csv(header, rows);
    // Two exports in one second get -2, -3, ...: an earlier file is never replaced.
    for n in 1..=100 {
        let file = if n == 1 {
            format!("{base}.csv")
        } else {
            format!("{base}-{n}.csv")
        };
        let path = dir.join(file);
        // Owner-only: an export names patients.
        match booking_engine::private_files::create_new(&path) {
            Ok(mut f) => {
                f.write_all(text.as_bytes()).map_err(failed)?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(failed(e)),
        }
    }
    Err(failed(std::io::Error::other(
        "too many exports with this name this second",
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_safe_file_stems() {
        assert_eq!(file_stem("Centre report"), "centre-report");
        assert_eq!(file_stem("../../etc/passwd"), "etc-passwd");
        assert_eq!(
            file_stem("Booked_list (Leeds) 2026"),
            "booked-list-leeds-2026"
        );
        assert_eq!(file_stem("Ünïcödé"), "n-c-d");
        assert_eq!(file_stem("///"), "export");
    }

    #[test]
    fn a_second_export_in_the_same_second_gets_its_own_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let header = vec!["a".to_string()];
        let first = write_csv(dir.path(), "x", &header, &[vec!["1".into()]]).expect("written");
        let second = write_csv(dir.path(), "x", &header, &[vec!["2".into()]]).expect("written");
        assert_ne!(first, second);
        assert_eq!(std::fs::read_to_string(&first).expect("read"), "a\r\n1\r\n");
    }
}
