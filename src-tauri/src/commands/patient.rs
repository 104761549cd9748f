use booking_engine::Error;
use booking_engine::ids::NhsNumber;
use booking_engine::national::pds::DemographicSearch;
use booking_engine::views::{PatientMatch, TracedPatient};
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

/// Without an NHS number: the one patient PDS holds with these details, or none.
#[tauri::command]
#[specta::specta]
pub async fn search_pds(
    state: State<'_, AppState>,
    search: DemographicSearch,
) -> Result<Option<TracedPatient>, Error> {
    state.engine().await?.search_pds(&search).await
}
