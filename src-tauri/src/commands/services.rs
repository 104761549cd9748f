//! Finding services the way 111 does: the Directory of Services for the triage outcome and the
//! patient's postcode, with each service's booking endpoint looked up.

use booking_engine::Error;
use booking_engine::national::disposition::{self, Disposition};
use booking_engine::national::dos::CareNeed;
use booking_engine::national::find::ServicesFound;
use tauri::State;

use crate::state::AppState;

/// The services that suit `need`, nearest and most suitable first, each with how the desk can
/// book it. `dx`: the Pathways disposition code, given to the DoS as its id (it takes the place
/// of `need.disposition`). `nhs`: the patient's NHS number, to whose care the endpoints looked
/// up are kept.
#[tauri::command]
#[specta::specta]
pub async fn find_services(
    state: State<'_, AppState>,
    mut need: CareNeed,
    dx: Option<String>,
    nhs: Option<String>,
) -> Result<ServicesFound, Error> {
    if let Some(code) = dx.as_deref().filter(|c| !c.trim().is_empty()) {
        need.disposition = Some(disposition::dos_id(code).ok_or_else(|| {
            Error::invalid(format!(
                "\"{code}\" is not a disposition code: enter it like Dx05."
            ))
        })?);
    }
    state
        .engine()
        .await?
        .find_services(&need, nhs.as_deref())
        .await
}

/// The published Pathways dispositions the desk knows, for the triage form to fill the words
/// and timeframe from a code.
#[tauri::command]
#[specta::specta]
pub fn known_dispositions() -> Vec<Disposition> {
    disposition::KNOWN.to_vec()
}
