//! The supervisor's reports screen: the centre's booked list, one appointment's history, the
//! report's figures, and saving what is on screen as a CSV file.

use booking_engine::Error;
use booking_engine::ids::{AppointmentId, ServiceId};
use booking_engine::reports::{
    AppointmentHistory, BookingFilter, CentreBooking, CentreReport, ReportRange,
};
use tauri::State;

use crate::export;
use crate::state::AppState;

/// Every desk's bookings, newest first (supervisors).
#[tauri::command]
#[specta::specta]
pub async fn centre_bookings(
    state: State<'_, AppState>,
    filter: BookingFilter,
) -> Result<Vec<CentreBooking>, Error> {
    state.engine().await?.centre_bookings(&filter).await
}

/// One appointment's booking events and audit entries, oldest first (supervisors).
#[tauri::command]
#[specta::specta]
pub async fn appointment_history(
    state: State<'_, AppState>,
    service_id: String,
    appointment_id: String,
) -> Result<AppointmentHistory, Error> {
    let engine = state.engine().await?;
    let service_id = ServiceId::parse(&service_id)?;
    let appointment_id = AppointmentId::parse(&appointment_id)?;
    engine
        .appointment_history(&service_id, &appointment_id)
        .await
}

/// The centre's figures over a range of UK days (supervisors).
#[tauri::command]
#[specta::specta]
pub async fn centre_report(
    state: State<'_, AppState>,
    range: ReportRange,
) -> Result<CentreReport, Error> {
    state.engine().await?.centre_report(&range).await
}

/// Saves a table as CSV where the person chooses in the system's save dialog (offered as
/// `<name>-<date-time>.csv` in Downloads) and returns the file's full path, or nothing when they
/// chose none. Someone must be signed in: what is exported is what they were shown.
#[tauri::command]
#[specta::specta]
pub async fn export_csv(
    state: State<'_, AppState>,
    name: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
) -> Result<Option<String>, Error> {
    state.engine().await?;
    let path = match export::fixed_folder() {
        Some(dir) => export::write_csv(&dir, &name, &header, &rows)?,
        None => {
            let no_dialog = || {
                Error::internal("Booking Desk could not open the save dialog.").with_next_step(
                    "Ask your system administrator to set BOOKDESK_EXPORT_DIR to a folder for \
                     exports.",
                )
            };
            let choose = state.file_chooser().ok_or_else(no_dialog)?;
            match choose(name).await.map_err(|_| no_dialog())? {
                Some(chosen) => export::write_csv_at(&chosen, &header, &rows)?,
                None => return Ok(None),
            }
        }
    };
    tracing::info!("table exported");
    Ok(Some(path.to_string_lossy().into_owned()))
}
