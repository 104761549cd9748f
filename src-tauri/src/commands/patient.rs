use booking_engine::Error;
use booking_engine::ids::NhsNumber;
use booking_engine::views::PatientMatch;
use tauri::State;

use crate::state::AppState;

/// The number spaced `943 476 5919` when it passes Modulus 11; why not, when it does not.
#[tauri::command]
#[specta::specta]
pub fn check_nhs_number(input: String) -> Result<String, Error> {
    NhsNumber::parse(&input).map(|n| n.spaced())
}

/// The patient's demographics from the first GP practice that knows them.
#[tauri::command]
#[specta::specta]
pub async fn find_patient(
    state: State<'_, AppState>,
    nhs: String,
) -> Result<Option<PatientMatch>, Error> {
    let nhs = NhsNumber::parse(&nhs)?;
    state.engine().await?.lookup_patient(&nhs).await
}
