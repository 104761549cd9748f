//! The JSON files a person names on the command line (`--clinical`, `--patient`, `clinical
//! preview`), read with a limit: a device or a wrong file is never read until memory runs out.

use booking_engine::Error;
use serde::de::DeserializeOwned;
use std::io::Read;
use std::path::Path;

/// Far more than any triage summary or patient's details (a few kilobytes).
const MAX_FILE_BYTES: u64 = 1 << 20;

/// The file at `path` as JSON; `what` names it in errors ("triage summary").
pub fn read_json<T: DeserializeOwned>(path: &Path, what: &str) -> Result<T, Error> {
    let mut bytes = Vec::new();
    // Limited by reading, not by the file's size: devices and pipes have none.
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| {
            Error::invalid(format!(
                "The {what} {} could not be read: {e}",
                path.display()
            ))
        })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::invalid(format!(
            "The {what} {} is larger than 1 MiB, the most the desk reads.",
            path.display()
        ))
        .with_next_step(format!(
            "Check the file named is the {what}: one is a few kilobytes."
        )));
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::invalid(format!("The {what} is not valid: {e}"))
            .with_next_step(format!("See the README for the {what}'s format."))
    })
}
