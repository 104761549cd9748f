//! Where exported tables go and what they are called. The person chooses the file in the
//! system's save dialog, offered `<name>-<YYYY-MM-DD-HHMMSS>.csv` (UK time) in their Downloads
//! folder. `BOOKDESK_EXPORT_DIR`, when set (tests, locked-down desktops), names the one folder
//! exports go to with no dialog, never over an earlier file. Every file is owner-only: exports
//! name patients.

use std::io::Write;
use std::path::{Path, PathBuf};

use booking_engine::Error;
use booking_engine::clock::{Clock, SystemClock};
use booking_engine::reports::csv::to_csv;

const EXPORT_DIR: &str = "BOOKDESK_EXPORT_DIR";

/// The one folder exports go to without asking, when the desk's environment names it.
pub fn fixed_folder() -> Option<PathBuf> {
    std::env::var_os(EXPORT_DIR)
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
}

/// The folder exports are offered in (or written to, with [`fixed_folder`]).
pub fn folder() -> Result<PathBuf, Error> {
    if let Some(dir) = fixed_folder() {
        return Ok(dir);
    }
    directories::UserDirs::new()
        .and_then(|u| u.download_dir().map(Path::to_path_buf))
        .or_else(|| booking_engine::paths::data_dir().ok())
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

/// The file name offered for a table called `name` now.
pub fn suggested_name(name: &str) -> String {
    format!(
        "{}-{}.csv",
        file_stem(name),
        SystemClock.uk_now().format("%Y-%m-%d-%H%M%S")
    )
}

/// Writes the table as CSV to the file the person chose (they were asked before replacing one)
/// and returns its path. The file is owner-only, whatever it was before.
pub fn write_csv_at(
    path: &Path,
    header: &[String],
    rows: &[Vec<String>],
) -> Result<PathBuf, Error> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let failed = |e: std::io::Error| {
        Error::internal(format!("The file {} could not be saved.", path.display()))
            .with_next_step("Choose a folder you can save files in, then export again.")
            .with_diagnostics(e.to_string())
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(booking_engine::private_files::FILE_MODE)
        .open(path)
        .map_err(failed)?;
    // A file replaced keeps its old mode: narrowed before anything is written.
    f.set_permissions(std::fs::Permissions::from_mode(
        booking_engine::private_files::FILE_MODE,
    ))
    .map_err(failed)?;
    f.write_all(to_csv(header, rows).as_bytes())
        .map_err(failed)?;
    Ok(path.to_path_buf())
}

/// Writes the table as CSV into `dir` (made if missing) and returns the new file's path.
pub fn write_csv(
    dir: &Path,
    name: &str,
    header: &[String],
    rows: &[Vec<String>],
) -> Result<PathBuf, Error> {
    let failed = |e: std::io::Error| {
        Error::internal(format!("The file could not be saved in {}.", dir.display()))
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
    fn a_file_that_cannot_be_written_is_an_internal_fault_saying_what_to_do() {
        let dir = tempfile::tempdir().expect("tempdir");
        // A folder that is a file: nothing can be saved in it, whoever runs the test.
        let not_a_folder = dir.path().join("not-a-folder");
        std::fs::write(&not_a_folder, "x").expect("file");
        let header = vec!["NHS number".to_string()];
        let e = write_csv_at(&not_a_folder.join("chosen.csv"), &header, &[])
            .expect_err("nothing can be saved there");
        assert_eq!(e.kind, booking_engine::ErrorKind::Internal, "{e:?}");
        assert!(e.message.contains("chosen.csv"), "{e:?}");
        assert!(e.next_step.contains("Choose a folder"), "{e:?}");
        let e = write_csv(&not_a_folder, "Booked", &header, &[]).expect_err("nor there");
        assert_eq!(e.kind, booking_engine::ErrorKind::Internal, "{e:?}");
    }

    #[test]
    fn a_chosen_file_is_written_owner_only_even_over_an_open_one() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("chosen.csv");
        std::fs::write(&path, "old").expect("an earlier file");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("open");
        let header = vec!["NHS number".to_string()];
        write_csv_at(&path, &header, &[vec!["9434765919".into()]]).expect("written");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "NHS number\r\n9434765919\r\n"
        );
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(suggested_name("Booked today").starts_with("booked-today-"));
        assert!(suggested_name("Booked today").ends_with(".csv"));
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
