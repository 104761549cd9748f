//! Where the desk keeps its files on this machine: the person's data folder (the demo's
//! bookings, a shared registry's audit anchor), the configuration IT deploys for every desk, and
//! the person's own configuration beside it. Each can be moved by an environment variable, for
//! tests and for desktops whose folders are elsewhere.

use std::path::PathBuf;

use crate::error::{Error, Result};

/// The configuration a centre's IT team deploys for every desk on the machine.
pub const SYSTEM_CONFIG: &str = "/etc/booking-desk/bookdesk.toml";

fn project() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("uk.nhs", "Booking Desk", "booking-desk")
}

fn from_env(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The person's own data folder for the desk: `BOOKDESK_DATA_DIR`, else the platform's (e.g.
/// `~/.local/share/booking-desk`).
pub fn data_dir() -> Result<PathBuf> {
    from_env("BOOKDESK_DATA_DIR")
        .or_else(|| project().map(|d| d.data_dir().to_path_buf()))
        .ok_or_else(|| {
            Error::config("No home folder was found for Booking Desk's data.")
                .with_next_step("Set BOOKDESK_DATA_DIR to a folder this desk can write.")
        })
}

/// The platform's data folder for this account, whatever `BOOKDESK_DATA_DIR` says: for what
/// every process of the account must share (the keyring is one for them all).
pub fn account_data_dir() -> Result<PathBuf> {
    project()
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| Error::config("No home folder was found for Booking Desk's data."))
}

/// The managed configuration: `BOOKDESK_SYSTEM_CONFIG`, else [`SYSTEM_CONFIG`].
pub fn system_config() -> PathBuf {
    from_env("BOOKDESK_SYSTEM_CONFIG").unwrap_or_else(|| PathBuf::from(SYSTEM_CONFIG))
}

/// The person's own configuration: `BOOKDESK_USER_CONFIG`, else the platform's (e.g.
/// `~/.config/booking-desk/bookdesk.toml`). `None` when there is no home folder.
pub fn user_config() -> Option<PathBuf> {
    from_env("BOOKDESK_USER_CONFIG")
        .or_else(|| project().map(|d| d.config_dir().join("bookdesk.toml")))
}
